/*
 * export-om.c - the OpenMetrics / Prometheus text exposition (pure).
 */
#include "config.h"

#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "export-om.h"
#include "oom.h"
#include "util.h"

#define T  "pid comm"
#define TC "pid comm class"
#define TF "pid comm path"
#define TS "pid comm class path address"

static const struct export_om_family om_families[OMF_COUNT] = {
	[OMF_PROCESS_INFO] = { "memtop_process_info", OM_GAUGE, "",
	    T " command cgroup pod_uid container_id container_runtime unit",
	    "A watched process: always 1; who it is in its labels (command "
	    "line, cgroup, Kubernetes pod, container, systemd unit)." },
	[OMF_PROCESS_RUNNING] = { "memtop_process_running", OM_GAUGE, "", T,
	    "1 while the process runs, 0 once it ended (kept a while with "
	    "its verdict)." },
	[OMF_PROCESS_START] = { "memtop_process_start_time_seconds", OM_GAUGE,
	    "seconds", T, "When the process started, in Unix time." },
	[OMF_RESIDENT] = { "memtop_process_resident_bytes", OM_GAUGE, "bytes",
	    T, "Resident memory of the process (smaps Rss summed)." },
	[OMF_PSS] = { "memtop_process_pss_bytes", OM_GAUGE, "bytes", T,
	    "Proportional set size (smaps Pss summed)." },
	[OMF_SWAP] = { "memtop_process_swap_bytes", OM_GAUGE, "bytes", T,
	    "Swapped-out memory (smaps Swap summed)." },
	[OMF_ANON] = { "memtop_process_anonymous_bytes", OM_GAUGE, "bytes", T,
	    "Anonymous resident memory (smaps Anonymous summed)." },
	[OMF_PRIVATE_DIRTY] = { "memtop_process_private_dirty_bytes", OM_GAUGE,
	    "bytes", T, "Private dirty memory (smaps Private_Dirty summed)." },
	[OMF_GROWTH] = { "memtop_process_resident_growth_bytes_per_second",
	    OM_GAUGE, "bytes_per_second", T,
	    "Growth of resident memory: least squares over the last 30 "
	    "samples." },
	[OMF_REGIONS] = { "memtop_process_regions", OM_GAUGE, "", T,
	    "Mappings of the process." },
	[OMF_LAST_SAMPLE] = { "memtop_process_last_sample_timestamp_seconds",
	    OM_GAUGE, "seconds", T,
	    "When the latest sample was taken, in Unix time." },
	[OMF_CLASS_RESIDENT] = { "memtop_class_resident_bytes", OM_GAUGE,
	    "bytes", TC, "Resident memory of the regions of a class." },
	[OMF_CLASS_PSS] = { "memtop_class_pss_bytes", OM_GAUGE, "bytes", TC,
	    "Proportional set size of the regions of a class." },
	[OMF_CLASS_SWAP] = { "memtop_class_swap_bytes", OM_GAUGE, "bytes", TC,
	    "Swapped-out memory of the regions of a class." },
	[OMF_CLASS_ANON] = { "memtop_class_anonymous_bytes", OM_GAUGE, "bytes",
	    TC, "Anonymous resident memory of the regions of a class." },
	[OMF_CLASS_PRIVATE_DIRTY] = { "memtop_class_private_dirty_bytes",
	    OM_GAUGE, "bytes", TC,
	    "Private dirty memory of the regions of a class." },
	[OMF_CLASS_GROWTH] = { "memtop_class_resident_growth_bytes_per_second",
	    OM_GAUGE, "bytes_per_second", TC,
	    "Growth of the resident memory of a class." },
	[OMF_CLASS_REGIONS] = { "memtop_class_regions", OM_GAUGE, "", TC,
	    "Mappings of a class." },
	[OMF_FILE_RESIDENT] = { "memtop_file_resident_bytes", OM_GAUGE, "bytes",
	    TF,
	    "Resident memory of a file object (a file's mappings, or a "
	    "named anonymous region): the biggest 20 only." },
	[OMF_FILE_PSS] = { "memtop_file_pss_bytes", OM_GAUGE, "bytes", TF,
	    "Proportional set size of a file object." },
	[OMF_FILE_SWAP] = { "memtop_file_swap_bytes", OM_GAUGE, "bytes", TF,
	    "Swapped-out memory of a file object." },
	[OMF_FILE_ANON] = { "memtop_file_anonymous_bytes", OM_GAUGE, "bytes",
	    TF, "Anonymous memory of a file object (its private copies)." },
	[OMF_FILE_PRIVATE_DIRTY] = { "memtop_file_private_dirty_bytes",
	    OM_GAUGE, "bytes", TF, "Private dirty memory of a file object." },
	[OMF_FILE_GROWTH] = { "memtop_file_resident_growth_bytes_per_second",
	    OM_GAUGE, "bytes_per_second", TF,
	    "Growth of the resident memory of a file object." },
	[OMF_FILE_REGIONS] = { "memtop_file_regions", OM_GAUGE, "", TF,
	    "Mappings of a file object." },
	[OMF_FILE_OMITTED] = { "memtop_file_omitted", OM_GAUGE, "", T,
	    "File objects left out of the memtop_file_ series (past the "
	    "biggest 20)." },
	[OMF_FILE_OMITTED_RESIDENT] = { "memtop_file_omitted_resident_bytes",
	    OM_GAUGE, "bytes", T,
	    "Resident memory of the file objects left out." },
	[OMF_OOM_PROJECTION] = { "memtop_oom_projection_seconds", OM_GAUGE,
	    "seconds", T " basis",
	    "Projected time until the OOM killer comes, from the growth of "
	    "what cannot be reclaimed; absent when there is no projection." },
	[OMF_OOM_LIMIT] = { "memtop_oom_limit_bytes", OM_GAUGE, "bytes",
	    T " basis",
	    "What the projection runs into: the binding cgroup limit (plus "
	    "the swap it may use), or what the system has left." },
	[OMF_OOM_UNRECLAIMABLE] = { "memtop_oom_unreclaimable_bytes", OM_GAUGE,
	    "bytes", T " basis",
	    "What the kernel cannot reclaim now, that the projection "
	    "follows." },
	[OMF_CGROUP_LIMIT] = { "memtop_cgroup_limit_bytes", OM_GAUGE, "bytes",
	    T,
	    "The memory limit that binds: the smallest of the process's "
	    "cgroup and its ancestors; absent when there is none." },
	[OMF_CGROUP_USAGE] = { "memtop_cgroup_usage_bytes", OM_GAUGE, "bytes",
	    T, "Memory usage of the cgroup whose limit binds." },
	[OMF_SUSPECT_GROWTH] = { "memtop_suspect_growth_bytes_per_second",
	    OM_GAUGE, "bytes_per_second", TS,
	    "Growth rate of a leak suspect (a region growing steadily): the "
	    "top 5 only." },
	[OMF_SUSPECT_CONFIDENCE] = { "memtop_suspect_confidence_ratio",
	    OM_GAUGE, "ratio", TS,
	    "How sure memtop is that a suspect leaks, 0 to 1 (named from "
	    "0.6)." },
	[OMF_SUSPECT_RESIDENT] = { "memtop_suspect_resident_bytes", OM_GAUGE,
	    "bytes", TS, "Resident memory of a suspect." },
	[OMF_SUSPECT_GROWING] = { "memtop_suspect_growing_seconds", OM_GAUGE,
	    "seconds", TS, "How long a suspect has been growing." },
	[OMF_SUSPECT_OMITTED] = { "memtop_suspect_omitted", OM_GAUGE, "", T,
	    "Growing regions left out of the memtop_suspect_ series." },
	[OMF_CGROUP_OOM_KILLS] = { "memtop_cgroup_oom_kills", OM_COUNTER, "", T,
	    "OOM kills in the process's cgroup since memtop began to watch "
	    "it." },
	[OMF_END_INFO] = { "memtop_process_end_info", OM_GAUGE, "",
	    T " reason scope signal status",
	    "How an ended process ended: always 1; reason exited, signaled, "
	    "oom-killed or unknown." },
	[OMF_END_TIME] = { "memtop_process_end_timestamp_seconds", OM_GAUGE,
	    "seconds", T, "When memtop saw the process end, in Unix time." },
	[OMF_SAMPLES] = { "memtop_samples", OM_COUNTER, "", T,
	    "Samples memtop took of the process." },
	[OMF_SAMPLE_SECONDS] = { "memtop_sample_seconds", OM_COUNTER, "seconds",
	    T, "Wall time memtop spent sampling the process." },
	[OMF_SAMPLE_DURATION] = { "memtop_sample_duration_seconds", OM_GAUGE,
	    "seconds", T, "Wall time of the latest sample." },
	[OMF_BUILD_INFO] = { "memtop_build_info", OM_GAUGE, "", "version",
	    "memtop's version: always 1." },
	[OMF_TARGETS] = { "memtop_targets", OM_GAUGE, "", "",
	    "Processes memtop watches that run." },
	[OMF_TARGETS_OMITTED] = { "memtop_targets_omitted", OM_GAUGE, "", "",
	    "Processes matching -P that memtop does not watch (past its "
	    "limit of targets)." },
	[OMF_TARGETS_ENDED] = { "memtop_targets_ended", OM_COUNTER, "",
	    "reason", "Watched processes that ended, by how." },
	[OMF_ERRORS] = { "memtop_errors", OM_COUNTER, "", "kind",
	    "Errors: a process that could not be opened (open), a sample "
	    "that failed (sample), a recording that stopped (record), a "
	    "process list that could not be read (scan)." },
	[OMF_BUILD_SECONDS] = { "memtop_exposition_build_seconds", OM_GAUGE,
	    "seconds", "", "Time the latest exposition took to build." },
	[OMF_SCRAPES] = { "memtop_scrapes", OM_COUNTER, "", "",
	    "Requests for /metrics answered." },
	[OMF_HTTP_ERRORS] = { "memtop_http_errors", OM_COUNTER, "", "code",
	    "Requests memtop refused, by status code (what libmicrohttpd "
	    "refuses itself, a malformed request or header, is not "
	    "counted)." },
	[OMF_SELF_CPU] = { "memtop_self_cpu_seconds", OM_COUNTER, "seconds", "",
	    "CPU time memtop itself has used." },
	[OMF_SELF_RESIDENT] = { "memtop_self_resident_bytes", OM_GAUGE, "bytes",
	    "", "memtop's own resident memory." },
};

const struct export_om_family *
export_om_family(enum export_om_family_id id)
{
	return &om_families[id];
}

int
export_om_format_lookup(const char *name)
{
	if (strcasecmp(name, "openmetrics") == 0)
		return EXPORT_OM_OPENMETRICS;
	if (strcasecmp(name, "prometheus") == 0)
		return EXPORT_OM_PROMETHEUS;
	return -1;
}

const char *
export_om_content_type(enum export_om_format f)
{
	return f == EXPORT_OM_OPENMETRICS ?
	    "application/openmetrics-text; version=1.0.0; charset=utf-8" :
	    "text/plain; version=0.0.4; charset=utf-8";
}

/* The q-value of one media range's parameters ("; q=0.5; x=y"): 1 when
 * none is given, 0 for one that is not a number from 0 to 1. */
static double
om_qvalue(const char *p, const char *end)
{
	while (p < end) {
		const char *semi = memchr(p, ';', (size_t)(end - p));
		const char *s = p;
		char num[16];
		size_t n;
		double q;
		char *e;

		if (semi == NULL)
			semi = end;
		while (s < semi && (*s == ' ' || *s == '\t'))
			s++;
		if (semi - s > 2 && (s[0] == 'q' || s[0] == 'Q') &&
		    s[1] == '=') {
			n = (size_t)(semi - s - 2);
			if (n >= sizeof num)
				return 0;
			memcpy(num, s + 2, n);
			num[n] = '\0';
			q = strtod(num, &e);
			while (*e == ' ' || *e == '\t')
				e++;
			if (*e != '\0' || !(q >= 0 && q <= 1))
				return 0;
			return q;
		}
		p = semi + 1;
	}
	return 1;
}

/* Whether [s, end) with spaces trimmed is the media range want. */
static bool
om_media_is(const char *s, const char *end, const char *want)
{
	size_t n = strlen(want);

	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	return (size_t)(end - s) == n && strncasecmp(s, want, n) == 0;
}

int
export_om_negotiate(const char *accept)
{
	double om = 0, text = 0;
	const char *p = accept;

	if (accept == NULL)
		return EXPORT_OM_PROMETHEUS;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0')
		return EXPORT_OM_PROMETHEUS;
	while (*p != '\0') {
		const char *comma = strchr(p, ','), *semi;
		double q;

		if (comma == NULL)
			comma = p + strlen(p);
		semi = memchr(p, ';', (size_t)(comma - p));
		if (semi == NULL)
			semi = comma;
		q = om_qvalue(semi, comma);
		if (om_media_is(p, semi, "application/openmetrics-text")) {
			if (q > om)
				om = q;
		} else if (om_media_is(p, semi, "text/plain") ||
		    om_media_is(p, semi, "text/*") ||
		    om_media_is(p, semi, "*/*")) {
			if (q > text)
				text = q;
		}
		p = *comma != '\0' ? comma + 1 : comma;
	}
	if (om > 0 && om >= text)
		return EXPORT_OM_OPENMETRICS;
	if (text > 0)
		return EXPORT_OM_PROMETHEUS;
	return -1;
}

void
export_om_buf_put(struct export_om_buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;

		while (cap < b->len + n + 1)
			cap *= 2;
		b->p = xrealloc(b->p, cap);
		b->cap = cap;
	}
	if (n > 0)
		memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void
export_om_buf_printf(struct export_om_buf *b, const char *fmt, ...)
{
	va_list ap;
	char small[256];
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof small) {
		export_om_buf_put(b, small, (size_t)n);
		return;
	}
	export_om_buf_put(b, "", 0);
	if (b->len + (size_t)n + 1 > b->cap) {
		b->p = xrealloc(b->p, b->len + (size_t)n + 1);
		b->cap = b->len + (size_t)n + 1;
	}
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void
export_om_buf_free(struct export_om_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof *b);
}

void
export_om_label(struct export_om_buf *b, const char *name, const char *raw,
    size_t len, size_t max)
{
	char esc[4 * EXPORT_OM_COMMAND_MAX + 64];
	size_t n, i, limit = max < sizeof esc - 2 ? max : sizeof esc - 2;

	/* One byte more than the cap tells a value that was cut. */
	n = esc_text(raw, len, esc, limit + 2, true);
	if (b->len > 0 && b->p[b->len - 1] != '{' && b->p[b->len - 1] != ',')
		export_om_buf_put(b, ",", 1);
	export_om_buf_printf(b, "%s=\"", name);
	if (n > limit) {
		/* esc_text cut between escapes: cut again there. */
		n = esc_text(raw, len, esc, limit - 11 + 1, true);
		n += (size_t)snprintf(
		    esc + n, sizeof esc - n, "...%08x", hash_bytes(raw, len));
	}
	for (i = 0; i < n; i++) {
		if (esc[i] == '\\')
			export_om_buf_put(b, "\\\\", 2);
		else if (esc[i] == '"')
			export_om_buf_put(b, "\\\"", 2);
		else if (esc[i] == '\n')
			export_om_buf_put(b, "\\n", 2);
		else
			export_om_buf_put(b, esc + i, 1);
	}
	export_om_buf_put(b, "\"", 1);
}

void
export_om_sample(struct export_om_buf *b, enum export_om_family_id id,
    const char *labels, double value)
{
	const struct export_om_family *f = &om_families[id];
	char num[40];

	if (!isfinite(value))
		return;
	/* Whole numbers as integers (bytes, counts); the rest with the
	 * digits a double holds. */
	if (value == floor(value) && fabs(value) < 9e15)
		snprintf(num, sizeof num, "%.0f", value);
	else
		snprintf(num, sizeof num, "%.15g", value);
	export_om_buf_printf(b, "%s%s%s%s%s %s\n", f->name,
	    f->type == OM_COUNTER ? "_total" : "", *labels ? "{" : "", labels,
	    *labels ? "}" : "", num);
}

void
export_om_target_free(struct export_om_target *t)
{
	int i;

	for (i = 0; i < OMF_COUNT; i++)
		export_om_buf_free(&t->fam[i]);
}

/* The class label: a fixed set of names (and the user's classes); a
 * named anonymous region's name is the target's, so those are one class. */
static const char *
om_class_name(enum region_class c)
{
	return c == RC_ANON_NAMED ? "anon-named" : region_class_name(c);
}

/* labels + ",name=..." into a scratch buffer; returns its text. */
static const char *
om_more(struct export_om_buf *scratch, const char *labels)
{
	scratch->len = 0;
	export_om_buf_put(scratch, labels, strlen(labels));
	return scratch->p;
}

/* The five kinds of bytes, the growth and the count of one group of
 * regions (or the totals: g NULL) into the families from first on. */
static void
om_kinds(struct export_om_target *t, enum export_om_family_id first,
    const char *labels, const uint64_t *kb, double rate_kb_s, size_t n)
{
	static const enum smaps_field sf[] = { SF_RSS, SF_PSS, SF_SWAP,
		SF_ANONYMOUS, SF_PRIVATE_DIRTY };
	size_t i;

	for (i = 0; i < sizeof sf / sizeof sf[0]; i++)
		export_om_sample(&t->fam[first + i], first + i, labels,
		    (double)kb[sf[i]] * 1024);
	export_om_sample(
	    &t->fam[first + 5], first + 5, labels, rate_kb_s * 1024);
	export_om_sample(&t->fam[first + 6], first + 6, labels, (double)n);
}

static void
om_classes(struct export_om_target *t, struct model *m, const char *ident,
    struct export_om_buf *lab)
{
	const struct region_group *g;
	uint64_t kb[RC_USER_LAST + 1][SF_COUNT];
	double rate[RC_USER_LAST + 1];
	size_t n[RC_USER_LAST + 1], i, ng;
	int c, f;

	memset(kb, 0, sizeof kb);
	memset(rate, 0, sizeof rate);
	memset(n, 0, sizeof n);
	/* Named anonymous regions are a group each: one class here. */
	ng = model_groups(m, GROUP_CLASS, &g);
	for (i = 0; i < ng; i++) {
		c = g[i].cls;
		for (f = 0; f < SF_COUNT; f++)
			kb[c][f] += g[i].kb[f];
		rate[c] += g[i].rate_kb_s;
		n[c] += g[i].nregions;
	}
	for (c = 0; c <= RC_USER_LAST; c++) {
		const char *name;

		if (n[c] == 0)
			continue;
		name = om_class_name((enum region_class)c);
		if (name == NULL)
			continue;
		om_more(lab, ident);
		export_om_label(lab, "class", name, strlen(name), 64);
		om_kinds(t, OMF_CLASS_RESIDENT, lab->p, kb[c], rate[c], n[c]);
	}
}

static void
om_files(struct export_om_target *t, struct model *m, const char *ident,
    struct export_om_buf *lab)
{
	const struct region_group *g;
	size_t i, ng, named = 0, left = 0;
	uint64_t left_kb = 0;

	ng = model_groups(m, GROUP_FILE, &g);
	/* Sorted by RSS, biggest first; anonymous regions are classes. */
	for (i = 0; i < ng; i++) {
		const char *path;
		size_t len;

		if (g[i].path_id == 0)
			continue;
		if (named == EXPORT_OM_FILES_MAX) {
			left++;
			left_kb += g[i].kb[SF_RSS];
			continue;
		}
		named++;
		path = model_path(m, g[i].path_id, &len);
		om_more(lab, ident);
		export_om_label(lab, "path", path, len, EXPORT_OM_PATH_MAX);
		om_kinds(t, OMF_FILE_RESIDENT, lab->p, g[i].kb, g[i].rate_kb_s,
		    g[i].nregions);
	}
	export_om_sample(
	    &t->fam[OMF_FILE_OMITTED], OMF_FILE_OMITTED, ident, (double)left);
	export_om_sample(&t->fam[OMF_FILE_OMITTED_RESIDENT],
	    OMF_FILE_OMITTED_RESIDENT, ident, (double)left_kb * 1024);
}

static void
om_oom(struct export_om_target *t, const struct model *m, const char *ident,
    struct export_om_buf *lab, double *headroom_kb)
{
	const struct snapshot_info *info = model_info(m);
	struct oom_projection p;
	const char *basis;

	oom_project(m, &p);
	*headroom_kb = NAN;
	if (p.basis != OOM_BASIS_NONE) {
		basis = oom_basis_name(p.basis);
		om_more(lab, ident);
		export_om_label(lab, "basis", basis, strlen(basis), 32);
		if (p.status == OOM_ETA)
			export_om_sample(&t->fam[OMF_OOM_PROJECTION],
			    OMF_OOM_PROJECTION, lab->p, p.eta_s);
		export_om_sample(&t->fam[OMF_OOM_LIMIT], OMF_OOM_LIMIT, lab->p,
		    (double)p.limit_kb * 1024);
		export_om_sample(&t->fam[OMF_OOM_UNRECLAIMABLE],
		    OMF_OOM_UNRECLAIMABLE, lab->p, (double)p.used_kb * 1024);
		if (p.limit_kb >= p.used_kb)
			*headroom_kb = (double)(p.limit_kb - p.used_kb);
	}
	if (!info->has_cgroup)
		return;
	if (info->cg.version != CGROUP_NONE &&
	    info->cg.limit.max != CG_UNLIMITED)
		export_om_sample(&t->fam[OMF_CGROUP_LIMIT], OMF_CGROUP_LIMIT,
		    ident, (double)info->cg.limit.max);
	else if (info->cg.version == CGROUP_NONE && info->cg_max != UINT64_MAX)
		export_om_sample(&t->fam[OMF_CGROUP_LIMIT], OMF_CGROUP_LIMIT,
		    ident, (double)info->cg_max);
	export_om_sample(&t->fam[OMF_CGROUP_USAGE], OMF_CGROUP_USAGE, ident,
	    (double)(info->cg.version != CGROUP_NONE &&
	                info->cg.limit.has_usage ?
	            info->cg.limit.current :
	            info->cg_current));
}

static void
om_suspects(struct export_om_target *t, struct model *m,
    struct suspect_ranking *sr, const char *ident, struct export_om_buf *lab,
    double headroom_kb)
{
	struct suspect_opts o;
	const struct suspect *s;
	size_t i, n, all;
	char addr[24];

	suspect_opts_init(&o);
	o.max = 0;
	o.headroom_kb = headroom_kb;
	all = suspect_rank(sr, m, &o, &s);
	n = all < EXPORT_OM_SUSPECTS_MAX ? all : EXPORT_OM_SUSPECTS_MAX;
	for (i = 0; i < n; i++) {
		const char *path = "", *cls = om_class_name(s[i].cls);
		size_t len = 0;

		if (s[i].path_id != 0)
			path = model_path(m, s[i].path_id, &len);
		snprintf(addr, sizeof addr, "0x%" PRIx64, s[i].start);
		om_more(lab, ident);
		export_om_label(
		    lab, "class", cls ? cls : "", cls ? strlen(cls) : 0, 64);
		export_om_label(lab, "path", path, len, EXPORT_OM_PATH_MAX);
		export_om_label(lab, "address", addr, strlen(addr), 24);
		export_om_sample(&t->fam[OMF_SUSPECT_GROWTH],
		    OMF_SUSPECT_GROWTH, lab->p, s[i].rate_kb_s * 1024);
		export_om_sample(&t->fam[OMF_SUSPECT_CONFIDENCE],
		    OMF_SUSPECT_CONFIDENCE, lab->p, s[i].confidence);
		export_om_sample(&t->fam[OMF_SUSPECT_RESIDENT],
		    OMF_SUSPECT_RESIDENT, lab->p, (double)s[i].rss_kb * 1024);
		export_om_sample(&t->fam[OMF_SUSPECT_GROWING],
		    OMF_SUSPECT_GROWING, lab->p, s[i].growing_s);
	}
	export_om_sample(&t->fam[OMF_SUSPECT_OMITTED], OMF_SUSPECT_OMITTED,
	    ident, (double)(all - n));
}

/* The info metric's labels: who the process is. */
static void
om_info(struct export_om_target *t, const struct model *m, const char *ident,
    struct export_om_buf *lab)
{
	const struct snapshot_info *info = model_info(m);
	const struct cgroup_owner *o = &info->cg.owner;
	const char *cg = info->cgroup_path;

	om_more(lab, ident);
	export_om_label(lab, "command", info->cmdline, info->cmdline_len,
	    EXPORT_OM_COMMAND_MAX);
	if (info->cg.version != CGROUP_NONE)
		cg = info->cg.path;
	export_om_label(
	    lab, "cgroup", cg, strnlen(cg, CG_PATH_MAX), EXPORT_OM_PATH_MAX);
	export_om_label(lab, "pod_uid", o->pod_uid,
	    strnlen(o->pod_uid, sizeof o->pod_uid), 64);
	export_om_label(lab, "container_id", o->container_id,
	    strnlen(o->container_id, sizeof o->container_id), 80);
	export_om_label(lab, "container_runtime", o->runtime,
	    strnlen(o->runtime, sizeof o->runtime), 16);
	export_om_label(lab, "unit", o->unit, strnlen(o->unit, sizeof o->unit),
	    EXPORT_OM_PATH_MAX);
	export_om_sample(
	    &t->fam[OMF_PROCESS_INFO], OMF_PROCESS_INFO, lab->p, 1);
}

static void
om_end(struct export_om_target *t, const struct export_om_facts *x,
    const char *ident, struct export_om_buf *lab)
{
	const struct end_verdict *v = &x->verdict;
	const char *reason = end_reason_name(
	    v->known ? (enum end_reason)v->reason : END_UNKNOWN);
	const char *scope = "";
	char sig[16] = "", status[8] = "";

	if (v->known && v->reason == END_OOM_KILLED)
		scope = v->scope == END_SCOPE_CGROUP ? "cgroup" :
		    v->scope == END_SCOPE_SYSTEM     ? "system" :
		                                       "";
	if (v->known && v->signal > 0)
		snprintf(sig, sizeof sig, "%d", v->signal);
	if (v->known && v->reason == END_EXITED)
		snprintf(status, sizeof status, "%d", v->status);
	om_more(lab, ident);
	export_om_label(lab, "reason", reason, strlen(reason), 16);
	export_om_label(lab, "scope", scope, strlen(scope), 16);
	export_om_label(lab, "signal", sig, strlen(sig), 16);
	export_om_label(lab, "status", status, strlen(status), 16);
	export_om_sample(&t->fam[OMF_END_INFO], OMF_END_INFO, lab->p, 1);
	export_om_sample(
	    &t->fam[OMF_END_TIME], OMF_END_TIME, ident, x->ended_wall);
}

void
export_om_target_build(struct export_om_target *t, struct model *m,
    struct suspect_ranking *sr, const struct export_om_facts *x)
{
	const struct snapshot_info *info;
	const struct model_totals *tot;
	struct export_om_buf id = { NULL, 0, 0 }, lab = { NULL, 0, 0 };
	char pid[16];
	double headroom_kb = NAN;
	int i;

	for (i = 0; i < OMF_COUNT; i++)
		t->fam[i].len = 0;
	if (model_samples(m) == 0)
		return;
	info = model_info(m);
	tot = model_totals(m);
	snprintf(pid, sizeof pid, "%d", info->pid);
	export_om_label(&id, "pid", pid, strlen(pid), 16);
	export_om_label(&id, "comm", info->comm,
	    strnlen(info->comm, sizeof info->comm), 64);

	om_info(t, m, id.p, &lab);
	export_om_sample(&t->fam[OMF_PROCESS_RUNNING], OMF_PROCESS_RUNNING,
	    id.p, x->running ? 1 : 0);
	if (x->start_time_s > 0)
		export_om_sample(&t->fam[OMF_PROCESS_START], OMF_PROCESS_START,
		    id.p, (double)x->start_time_s);
	if (x->running) {
		om_kinds(t, OMF_RESIDENT, id.p, tot->kb,
		    model_totals_rate(m, SERIES_RSS), tot->nregions);
		export_om_sample(&t->fam[OMF_LAST_SAMPLE], OMF_LAST_SAMPLE,
		    id.p, model_last_wall(m));
		om_classes(t, m, id.p, &lab);
		om_files(t, m, id.p, &lab);
		om_oom(t, m, id.p, &lab, &headroom_kb);
		om_suspects(t, m, sr, id.p, &lab, headroom_kb);
	} else
		om_end(t, x, id.p, &lab);
	if (info->has_cgroup)
		export_om_sample(&t->fam[OMF_CGROUP_OOM_KILLS],
		    OMF_CGROUP_OOM_KILLS, id.p, (double)info->cg_oom_kills);
	export_om_sample(
	    &t->fam[OMF_SAMPLES], OMF_SAMPLES, id.p, (double)x->samples);
	export_om_sample(
	    &t->fam[OMF_SAMPLE_SECONDS], OMF_SAMPLE_SECONDS, id.p, x->sample_s);
	if (x->running)
		export_om_sample(&t->fam[OMF_SAMPLE_DURATION],
		    OMF_SAMPLE_DURATION, id.p, model_last_sample_ms(m) / 1000);
	export_om_buf_free(&id);
	export_om_buf_free(&lab);
}

void
export_om_self_body(struct export_om_target *t, const struct export_om_self *s)
{
	static const char *const errs[] = { "open", "sample", "record",
		"scan" };
	struct export_om_buf lab = { NULL, 0, 0 };
	int i;

	for (i = OMF_BUILD_INFO; i < OMF_BODY_END; i++)
		t->fam[i].len = 0;
	export_om_label(
	    &lab, "version", PACKAGE_VERSION, strlen(PACKAGE_VERSION), 32);
	export_om_sample(&t->fam[OMF_BUILD_INFO], OMF_BUILD_INFO, lab.p, 1);
	export_om_sample(
	    &t->fam[OMF_TARGETS], OMF_TARGETS, "", (double)s->targets);
	export_om_sample(&t->fam[OMF_TARGETS_OMITTED], OMF_TARGETS_OMITTED, "",
	    (double)s->targets_omitted);
	for (i = 0; i < 4; i++) {
		const char *r = end_reason_name((enum end_reason)i);

		lab.len = 0;
		export_om_label(&lab, "reason", r, strlen(r), 16);
		export_om_sample(&t->fam[OMF_TARGETS_ENDED], OMF_TARGETS_ENDED,
		    lab.p, (double)s->ended[i]);
	}
	for (i = 0; i < 4; i++) {
		lab.len = 0;
		export_om_label(&lab, "kind", errs[i], strlen(errs[i]), 16);
		export_om_sample(&t->fam[OMF_ERRORS], OMF_ERRORS, lab.p,
		    (double)s->errors[i]);
	}
	export_om_sample(
	    &t->fam[OMF_BUILD_SECONDS], OMF_BUILD_SECONDS, "", s->build_s);
	export_om_buf_free(&lab);
}

void
export_om_self_tail(struct export_om_target *t, const struct export_om_self *s)
{
	static const char *const codes[] = { "404", "405", "406", "413" };
	struct export_om_buf lab = { NULL, 0, 0 };
	int i;

	for (i = OMF_BODY_END; i < OMF_COUNT; i++)
		t->fam[i].len = 0;
	export_om_sample(
	    &t->fam[OMF_SCRAPES], OMF_SCRAPES, "", (double)s->scrapes);
	for (i = 0; i < 4; i++) {
		lab.len = 0;
		export_om_label(&lab, "code", codes[i], 3, 8);
		export_om_sample(&t->fam[OMF_HTTP_ERRORS], OMF_HTTP_ERRORS,
		    lab.p, (double)s->http_errors[i]);
	}
	export_om_sample(&t->fam[OMF_SELF_CPU], OMF_SELF_CPU, "", s->cpu_s);
	if (s->rss_bytes > 0)
		export_om_sample(&t->fam[OMF_SELF_RESIDENT], OMF_SELF_RESIDENT,
		    "", (double)s->rss_bytes);
	export_om_buf_free(&lab);
}

/* HELP text escaped as both formats want (\\ and \n; ours has neither). */
static void
om_header(struct export_om_buf *out, enum export_om_format f,
    const struct export_om_family *fam)
{
	const char *total = fam->type == OM_COUNTER ? "_total" : "";
	const char *type = fam->type == OM_COUNTER ? "counter" : "gauge";

	if (f == EXPORT_OM_OPENMETRICS) {
		export_om_buf_printf(out, "# TYPE %s %s\n", fam->name, type);
		if (*fam->unit)
			export_om_buf_printf(
			    out, "# UNIT %s %s\n", fam->name, fam->unit);
		export_om_buf_printf(
		    out, "# HELP %s %s\n", fam->name, fam->help);
	} else {
		export_om_buf_printf(
		    out, "# HELP %s%s %s\n", fam->name, total, fam->help);
		export_om_buf_printf(
		    out, "# TYPE %s%s %s\n", fam->name, total, type);
	}
}

void
export_om_assemble(struct export_om_buf *out, enum export_om_format f,
    struct export_om_target *const *targets, size_t n,
    const struct export_om_target *self, enum export_om_family_id first,
    enum export_om_family_id end, bool eof)
{
	int id;
	size_t i;

	for (id = first; id < (int)end; id++) {
		bool any = self != NULL && self->fam[id].len > 0;

		for (i = 0; i < n && !any; i++)
			any = targets[i]->fam[id].len > 0;
		if (!any)
			continue;
		om_header(out, f, &om_families[id]);
		for (i = 0; i < n; i++)
			export_om_buf_put(out, targets[i]->fam[id].p,
			    targets[i]->fam[id].len);
		if (self != NULL)
			export_om_buf_put(
			    out, self->fam[id].p, self->fam[id].len);
	}
	if (eof && f == EXPORT_OM_OPENMETRICS)
		export_om_buf_put(out, "# EOF\n", 6);
}
