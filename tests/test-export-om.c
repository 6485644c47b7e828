/*
 * test-export-om.c - the exposition without a server: Accept negotiation,
 * label escaping of hostile bytes, the families of a model fed synthetic
 * samples (classes a fixed set, file objects capped and counted, an ended
 * target's verdict), both formats' framing, and the atomic file write.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "export-om.h"
#include "export.h"
#include "tap.h"
#include "util.h"

#define NFILES 30

static const char hostile_comm[] = "ev\"il\n# EOF\\";
static const char hostile_cmd[] = "x{a=\"1\"} 2\n# TYPE x counter\n\xff\xfe"
                                  "\x1b[31m\"";

/* Sample k: a heap that grows 64 kB a sample, NFILES file mappings of
 * different sizes (one with a hostile name), two named anonymous
 * regions. */
static void
sample(struct snapshot *s, int k)
{
	struct region r;
	char path[64];
	int i;

	snapshot_clear(s);
	s->seq = (uint64_t)k;
	s->mono = k;
	s->wall = 1700000000 + k;
	s->sample_ms = 2.5;
	s->info.pid = 4242;
	memcpy(s->info.comm, hostile_comm, sizeof hostile_comm);
	memcpy(s->info.cmdline, hostile_cmd, sizeof hostile_cmd);
	s->info.cmdline_len = sizeof hostile_cmd - 1;
	s->info.age_s = 100 + k;
	memset(&r, 0, sizeof r);
	r.start = 0x600000;
	r.end = 0x4600000;
	memcpy(r.perms, "rw-p", 5);
	r.kb[SF_SIZE] = 65536;
	r.kb[SF_RSS] = r.kb[SF_PSS] = r.kb[SF_ANONYMOUS] =
	    r.kb[SF_PRIVATE_DIRTY] = 1000 + 64 * (uint64_t)k;
	r.present = (1u << SF_SIZE) | (1u << SF_RSS) | (1u << SF_PSS) |
	    (1u << SF_ANONYMOUS) | (1u << SF_PRIVATE_DIRTY);
	snapshot_add_region(s, &r, "[heap]", 6);
	for (i = 0; i < NFILES; i++) {
		int n = i == 0 ?
		    snprintf(path, sizeof path, "/tmp/a\"b\\c\nd\x01\xff") :
		    snprintf(path, sizeof path, "/usr/lib/lib%02d.so", i);

		r.start = 0x10000000 + (uint64_t)i * 0x100000;
		r.end = r.start + 0x10000;
		memcpy(r.perms, "r--p", 5);
		r.inode = 100 + (uint64_t)i;
		memset(r.kb, 0, sizeof r.kb);
		r.kb[SF_SIZE] = 64;
		r.kb[SF_RSS] = r.kb[SF_PSS] = 100 - (uint64_t)i;
		snapshot_add_region(s, &r, path, (size_t)n);
	}
	for (i = 0; i < 2; i++) {
		r.start = 0x20000000 + (uint64_t)i * 0x100000;
		r.end = r.start + 0x10000;
		r.inode = 0;
		memcpy(r.perms, "rw-p", 5);
		snapshot_add_region(s, &r, i ? "[anon:one]" : "[anon:two]", 10);
	}
}

/* Whether every line of b is a comment or a well-formed sample of a
 * known family, and no family's header comes twice. */
static bool
well_formed(const char *b, enum export_om_format f, char *why, size_t size)
{
	const char *line = b, *nl;
	char seen[OMF_COUNT] = { 0 };
	int id;

	for (; *line != '\0'; line = nl + 1) {
		const char *p;
		size_t len;
		bool inq = false;

		nl = strchr(line, '\n');
		if (nl == NULL) {
			snprintf(why, size, "no newline at the end");
			return false;
		}
		len = (size_t)(nl - line);
		for (p = line; p < nl; p++) {
			if ((unsigned char)*p < 0x20) {
				snprintf(why, size, "a control byte: %.*s",
				    (int)len, line);
				return false;
			}
		}
		if (strncmp(line, "# TYPE ", 7) == 0) {
			for (id = 0; id < OMF_COUNT; id++) {
				const struct export_om_family *fm =
				    export_om_family(id);
				size_t n = strlen(fm->name);
				bool total = fm->type == OM_COUNTER &&
				    f == EXPORT_OM_PROMETHEUS;

				if (strncmp(line + 7, fm->name, n) == 0 &&
				    strncmp(line + 7 + n,
				        total ? "_total " : " ",
				        total ? 7 : 1) == 0)
					break;
			}
			if (id == OMF_COUNT || seen[id]++) {
				snprintf(why, size, "unknown or twice: %.*s",
				    (int)len, line);
				return false;
			}
			continue;
		}
		if (line[0] == '#')
			continue;
		/* name{labels} value: quotes balance, escapes are known. */
		for (p = line; p < nl && *p != '{' && *p != ' '; p++)
			if (!isalnum((unsigned char)*p) && *p != '_')
				break;
		if (*p == '{') {
			for (p++; p < nl; p++) {
				if (inq && *p == '\\') {
					p++;
					if (*p != '\\' && *p != '"' &&
					    *p != 'n')
						break;
				} else if (*p == '"')
					inq = !inq;
				else if (!inq && *p == '}')
					break;
			}
			if (p == nl || *p != '}') {
				snprintf(why, size, "bad labels: %.*s",
				    (int)len, line);
				return false;
			}
			p++;
		}
		if (*p != ' ' || p + 1 >= nl) {
			snprintf(why, size, "no value: %.*s", (int)len, line);
			return false;
		}
	}
	return true;
}

static size_t
count(const char *hay, const char *needle)
{
	size_t n = 0;

	while ((hay = strstr(hay, needle)) != NULL) {
		n++;
		hay++;
	}
	return n;
}

static void
test_negotiate(void)
{
	ok(export_om_negotiate(NULL) == EXPORT_OM_PROMETHEUS &&
	        export_om_negotiate("") == EXPORT_OM_PROMETHEUS,
	    "no Accept: the Prometheus text format");
	ok(export_om_negotiate(
	       "application/openmetrics-text;version=1.0.0,application/"
	       "openmetrics-text;version=0.0.1;q=0.75,text/plain;version="
	       "0.0.4;q=0.5,*/*;q=0.1") == EXPORT_OM_OPENMETRICS,
	    "Prometheus's own Accept: OpenMetrics");
	ok(export_om_negotiate(
	       "text/plain;version=0.0.4;q=1,application/"
	       "openmetrics-text;q=0.5") == EXPORT_OM_PROMETHEUS,
	    "text/plain preferred by q-value: text");
	ok(export_om_negotiate("text/html,application/xhtml+xml,*/*;q=0.8") ==
	        EXPORT_OM_PROMETHEUS,
	    "a browser: text");
	ok(export_om_negotiate("application/json") < 0 &&
	        export_om_negotiate("application/openmetrics-text;q=0") < 0,
	    "only what memtop does not serve (or q=0): none (406)");
	ok(export_om_negotiate("application/openmetrics-text; q=bogus, "
	                       "text/plain") == EXPORT_OM_PROMETHEUS,
	    "a bad q-value counts as 0");
}

static void
test_labels(void)
{
	struct export_om_buf b = { NULL, 0, 0 }, c = { NULL, 0, 0 };
	char longp[600], other[600];

	export_om_label(&b, "v", "a\"b\\c\nd\x01\xff\xe2\x82\xac", 12, 100);
	is_str(b.p, "v=\"a\\\"b\\\\\\\\c\\\\nd\\\\x01\\\\xff\xe2\x82\xac\"",
	    "quote, backslash, newline, controls and bad UTF-8 escaped; "
	    "UTF-8 kept");
	memset(longp, 'x', sizeof longp);
	memcpy(other, longp, sizeof other);
	other[599] = 'y';
	b.len = 0;
	export_om_label(&b, "path", longp, sizeof longp, 160);
	export_om_label(&c, "path", other, sizeof other, 160);
	ok(b.len <= 160 + 9 && strstr(b.p, "...") != NULL &&
	        strcmp(b.p, c.p) != 0,
	    "a long value is cut to its cap with a hash: two stay two");
	b.len = 0;
	export_om_label(&b, "a", "1", 1, 8);
	export_om_label(&b, "b", "2", 1, 8);
	is_str(b.p, "a=\"1\",b=\"2\"", "labels are joined by commas");
	export_om_buf_free(&b);
	export_om_buf_free(&c);
}

static void
test_target(void)
{
	struct model *m = model_new();
	struct snapshot *s = snapshot_new();
	struct suspect_ranking *sr = suspect_ranking_new();
	struct export_om_target t, self;
	struct export_om_target *tp = &t;
	struct export_om_facts x;
	struct export_om_self me;
	struct export_om_buf prom = { NULL, 0, 0 }, om = { NULL, 0, 0 };
	char why[512] = "";
	int k;

	memset(&t, 0, sizeof t);
	memset(&self, 0, sizeof self);
	memset(&x, 0, sizeof x);
	memset(&me, 0, sizeof me);
	x.running = true;
	export_om_target_build(&t, m, sr, &x);
	ok(t.fam[OMF_RESIDENT].len == 0, "no sample yet: no series");
	for (k = 0; k < 40; k++) {
		sample(s, k);
		model_ingest(m, s);
	}
	x.samples = 40;
	x.sample_s = 0.1;
	x.start_time_s = 1700000000 - 100;
	export_om_target_build(&t, m, sr, &x);
	me.targets = 1;
	export_om_self_body(&self, &me);
	export_om_self_tail(&self, &me);
	export_om_assemble(
	    &prom, EXPORT_OM_PROMETHEUS, &tp, 1, &self, 0, OMF_COUNT, true);
	export_om_assemble(
	    &om, EXPORT_OM_OPENMETRICS, &tp, 1, &self, 0, OMF_COUNT, true);
	if (!ok(well_formed(prom.p, EXPORT_OM_PROMETHEUS, why, sizeof why),
	        "the Prometheus text is well formed, hostile comm, command "
	        "line and path included"))
		diag("%s", why);
	if (!ok(well_formed(om.p, EXPORT_OM_OPENMETRICS, why, sizeof why),
	        "the OpenMetrics text is well formed"))
		diag("%s", why);
	ok(om.len > 6 && strcmp(om.p + om.len - 6, "# EOF\n") == 0 &&
	        count(om.p, "\n# EOF") == 1 && count(prom.p, "\n# EOF") == 0,
	    "OpenMetrics ends in # EOF, once; the Prometheus text has none");
	ok(strstr(om.p, "# TYPE memtop_samples counter\n") &&
	        strstr(om.p, "# UNIT memtop_process_resident_bytes bytes\n") &&
	        strstr(prom.p, "# TYPE memtop_samples_total counter\n") &&
	        !strstr(prom.p, "# UNIT"),
	    "counters are typed by family (OpenMetrics) or by sample name "
	    "(Prometheus); UNIT in OpenMetrics only");
	ok(strstr(prom.p,
	       "memtop_process_resident_bytes{pid=\"4242\",comm="
	       "\"ev\\\"il\\\\n# EOF\\\\\\\\\"} 6351872\n") != NULL,
	    "resident bytes of the totals (heap 3,496 kB, files 2,565 kB, "
	    "named 142 kB), the hostile comm escaped");
	ok(count(prom.p, "\nmemtop_file_resident_bytes{") == 20 &&
	        strstr(prom.p,
	            "memtop_file_omitted{pid=\"4242\",comm=\"ev\\"
	            "\"il\\\\n# EOF\\\\\\\\\"} 13\n") != NULL,
	    "file objects ([heap] and [anon:NAME] too): the biggest 20 "
	    "named, the other 13 counted");
	ok(strstr(prom.p,
	       "path=\"/tmp/a\\\"b\\\\\\\\c\\\\nd\\\\x01\\\\xff\"") != NULL,
	    "a hostile path is one escaped label value");
	ok(count(prom.p, "\nmemtop_class_resident_bytes{") ==
	            count(prom.p, "\nmemtop_class_regions{") &&
	        strstr(prom.p, "class=\"anon-named\"} 2\n") != NULL &&
	        strstr(prom.p, "anon:one\"} ") == NULL,
	    "named anonymous regions are one class, anon-named, not one "
	    "class per name");
	ok(strstr(prom.p,
	       "memtop_class_resident_growth_bytes_per_second{pid="
	       "\"4242\",comm=\"ev\\\"il\\\\n# EOF\\\\\\\\\","
	       "class=\"brk-heap\"} 65536\n") != NULL,
	    "the heap's class grows 64 kB/s");
	ok(strstr(prom.p, "memtop_suspect_growth_bytes_per_second{") != NULL &&
	        strstr(prom.p, "address=\"0x600000\"} 65536\n") != NULL,
	    "the growing heap is a suspect, at its address");
	ok(strstr(prom.p, "memtop_process_end_info") == NULL,
	    "no verdict while it runs");

	/* It ended: OOM-killed by its cgroup's limit. */
	x.running = false;
	x.verdict.known = 1;
	x.verdict.reason = END_OOM_KILLED;
	x.verdict.scope = END_SCOPE_CGROUP;
	x.verdict.signal = 9;
	x.ended_wall = 1700000100;
	export_om_target_build(&t, m, sr, &x);
	prom.len = 0;
	export_om_assemble(
	    &prom, EXPORT_OM_PROMETHEUS, &tp, 1, NULL, 0, OMF_COUNT, false);
	ok(strstr(prom.p,
	       "reason=\"oom-killed\",scope=\"cgroup\",signal=\"9\","
	       "status=\"\"} 1\n") != NULL &&
	        strstr(prom.p,
	            "memtop_process_running{pid=\"4242\",comm=\"ev"
	            "\\\"il\\\\n# EOF\\\\\\\\\"} 0\n") != NULL,
	    "an ended target: its verdict, running 0");
	ok(strstr(prom.p, "memtop_process_resident_bytes") == NULL &&
	        strstr(prom.p, "memtop_class_") == NULL,
	    "... and no memory figures of a process that is gone");

	export_om_buf_free(&prom);
	export_om_buf_free(&om);
	export_om_target_free(&t);
	export_om_target_free(&self);
	suspect_ranking_free(sr);
	snapshot_free(s);
	model_free(m);
}

static void
test_write_file(void)
{
	char dir[] = "/tmp/memtop-om-XXXXXX", path[64], *cause = NULL;
	char buf[64];
	struct stat st;
	long n;

	if (mkdtemp(dir) == NULL) {
		ok(0, "mkdtemp: %s", strerror(errno));
		return;
	}
	snprintf(path, sizeof path, "%s/memtop.prom", dir);
	ok(export_write_file(path, "a 1\n", 4, &cause) == 0 &&
	        export_write_file(path, "a 2\n", 4, &cause) == 0,
	    "written twice");
	n = read_file_at(AT_FDCWD, path, buf, sizeof buf);
	ok(n == 4 && memcmp(buf, "a 2\n", 4) == 0, "the file holds the last");
	ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0644,
	    "mode 0644: a collector of another user reads it");
	snprintf(buf, sizeof buf, "rm -f %s/memtop.prom; ls -A %s", dir, dir);
	ok(unlink(path) == 0 && rmdir(dir) == 0,
	    "no temporary file is left beside it");
	snprintf(path, sizeof path, "/nonexistent-dir/memtop.prom");
	ok(export_write_file(path, "a 1\n", 4, &cause) == -ENOENT &&
	        cause != NULL && strstr(cause, path) != NULL,
	    "a directory that is not there: -ENOENT, the path said");
	free(cause);
}

/* Every family is in doc/metrics.md and memtop(1). */
static void
test_documented(void)
{
	static const char *const docs[] = { "doc/metrics.md", "doc/memtop.1" };
	const char *dir = getenv("srcdir");
	char path[4096], name[128];
	size_t d, len;
	int id;

	for (d = 0; d < 2; d++) {
		char *text;
		FILE *f;
		int missing = -1;

		snprintf(path, sizeof path, "%s/%s", dir ? dir : ".", docs[d]);
		f = fopen(path, "r");
		text = xcalloc(1, 1 << 20);
		len = f != NULL ? fread(text, 1, (1 << 20) - 1, f) : 0;
		if (f != NULL)
			fclose(f);
		for (id = 0; id < OMF_COUNT && missing < 0; id++) {
			const struct export_om_family *fm =
			    export_om_family(id);

			snprintf(name, sizeof name, "%s%s", fm->name,
			    fm->type == OM_COUNTER ? "_total" : "");
			if (strstr(text, name) == NULL ||
			    (*fm->labels && d == 0 &&
			        strstr(text, fm->labels) == NULL))
				missing = id;
		}
		if (!ok(len > 0 && missing < 0,
		        "%s lists every family, its type and labels", docs[d]))
			diag("missing: %s",
			    missing >= 0 ? export_om_family(missing)->name :
			                   "(no file)");
		free(text);
	}
}

int
main(void)
{
	test_negotiate();
	test_labels();
	test_target();
	test_write_file();
	test_documented();
	return tap_done();
}
