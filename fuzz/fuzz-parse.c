/*
 * fuzz-parse.c - libFuzzer target for every /proc parser, and for the
 * classifier and model fed with whatever the smaps parser made of the input.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "live-fast.h"
#include "model.h"
#include "proc-parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* parse_smaps's contract: sorted, no overlaps, paths inside the arena. */
static void
check_regions(const struct snapshot *s)
{
	size_t i;

	for (i = 0; i < s->nregions; i++) {
		const struct region *r = &s->regions[i];

		if (r->end <= r->start || (i > 0 && r->start < r[-1].end) ||
		    (uint64_t)r->path_off + r->path_len >= s->strings_len + 1 ||
		    s->strings[r->path_off + r->path_len] != '\0')
			abort();
	}
}

/* A string field that must end inside its array. */
#define CHECK_STR(a)                                      \
	do {                                              \
		if (memchr((a), '\0', sizeof(a)) == NULL) \
			abort();                          \
	} while (0)

/* The parsers of cgroup files, /proc/vmstat, mountinfo and /dev/kmsg. */
static void
fuzz_cgroup(const char *buf, size_t size)
{
	static const struct keyed_field fields[] = { { "anon", 0 },
		{ "oom_kill", 1 }, { "total_rss", 2 }, { "bad", 64 },
		{ "oom", 63 } };
	struct cgroup_mounts mounts;
	struct cgroup_owner owner;
	struct kmsg_oom kmsg;
	struct psi psi;
	char v1[32], v2[8];
	uint64_t vals[64], has = 0, v;

	if (parse_keyed(buf, size, fields, 5, vals, &has) < 0 ||
	    (has & ~((uint64_t)7 | (uint64_t)1 << 63)) != 0)
		abort();
	if (parse_cg_value(buf, size, &v) == 0 && v == 0 && size == 0)
		abort(); /* an empty file is no value */
	if (parse_psi(buf, size, &psi) > 2 ||
	    (psi.full.present && psi.full.avg10 > 1e9))
		abort();
	parse_cgroup_paths(buf, size, v1, sizeof v1, v2, sizeof v2);
	CHECK_STR(v1);
	CHECK_STR(v2);
	parse_cgroup_mounts(buf, size, &mounts);
	CHECK_STR(mounts.v2);
	CHECK_STR(mounts.v1_memory_root);
	parse_cgroup_owner(buf, size, &owner);
	CHECK_STR(owner.pod_uid);
	CHECK_STR(owner.qos);
	CHECK_STR(owner.runtime);
	CHECK_STR(owner.container_id);
	CHECK_STR(owner.unit);
	if (owner.kind > OWNER_ROOT)
		abort();
	parse_kmsg_oom(buf, size, 1234, &kmsg);
	CHECK_STR(kmsg.oom_memcg);
	CHECK_STR(kmsg.comm);
}

/* The same text read in pieces of whole lines (as the live source reads
 * smaps) parses as the whole: pieces of 1 to 8 lines, by the first byte. */
static void
check_pieces(const char *buf, size_t size, const struct snapshot *whole)
{
	static struct snapshot *s;
	struct smaps_cursor c = SMAPS_CURSOR_INIT;
	size_t at = 0, i, every = size > 0 ? (unsigned char)buf[0] % 8 + 1 : 1;

	if (s == NULL)
		s = snapshot_new();
	snapshot_clear(s);
	while (at < size) {
		const char *p = buf + at, *nl = p;
		size_t lines = 0, n;

		while (lines < every &&
		    (nl = memchr(p, '\n', size - (size_t)(p - buf))) != NULL) {
			p = nl + 1;
			lines++;
		}
		n = nl == NULL ? size - at : (size_t)(p - (buf + at));
		if (parse_smaps_lines(buf + at, n, s, &c) < 0)
			return;
		at += n;
	}
	if (s->nregions != whole->nregions || s->torn != whole->torn)
		abort();
	for (i = 0; i < s->nregions; i++) {
		const struct region *a = &s->regions[i],
		                    *b = &whole->regions[i];

		if (a->start != b->start || a->end != b->end ||
		    a->present != b->present || a->vmflags != b->vmflags ||
		    memcmp(a->kb, b->kb, sizeof a->kb) != 0 ||
		    a->path_len != b->path_len ||
		    memcmp(region_path(s, a), region_path(whole, b),
		        a->path_len) != 0)
			abort();
	}
}

/* What the tick makes of the kernel's answers, the bytes taken as those:
 * PAGEMAP_SCAN ranges over s's regions in two calls (one may repeat part
 * of the other), and a PROCMAP_QUERY result with its name.  RSS and swap
 * never exceed a region's size. */
static void
check_fast(const uint8_t *data, size_t size, struct snapshot *s)
{
	struct fast_range v[64];
	struct fast_vma q;
	struct region r;
	size_t n = size / sizeof *v < 64 ? size / sizeof *v : 64, at = 0, i;
	uint64_t done = 0, stray = 0;
	size_t plen;

	memcpy(v, data, n * sizeof *v);
	for (i = 0; i < s->nregions; i++)
		s->regions[i].kb[SF_RSS] = s->regions[i].kb[SF_SWAP] = 0;
	fast_bucket(s, &at, &done, v, n / 2, 4096, NULL, &stray);
	fast_bucket(s, &at, &done, v + n / 4, n - n / 4, 4096, NULL, &stray);
	fast_vmsize((const char *)data, size, &stray);
	for (i = 0; i < s->nregions; i++) {
		const struct region *g = &s->regions[i];
		uint64_t kb = (g->end - g->start) / 1024;

		if ((uint64_t)g->kb[SF_RSS] + g->kb[SF_SWAP] > kb + 4)
			abort();
	}
	if (size >= sizeof q) {
		size_t len = size - sizeof q;

		memcpy(&q, data, sizeof q);
		if (fast_vma_region(&q, (const char *)data + sizeof q, len, 256,
		        &r, &plen) &&
		    (r.end <= r.start || plen > len || len >= 256))
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct snapshot *s;
	const char *buf = (const char *)data;
	struct snapshot_info info;
	struct proc_stat st;
	uint64_t a;
	char path[64];

	if (s == NULL)
		s = snapshot_new();
	snapshot_clear(s);
	if (parse_smaps(buf, size, s) >= 0) {
		struct model *m = model_new();

		/* Twice, so identity matching sees the same regions again. */
		model_ingest(m, s);
		model_ingest(m, s);
		model_free(m);
		check_pieces(buf, size, s);
		check_fast(data, size, s);
	}
	check_regions(s);
	parse_status(buf, size, &info);
	parse_status_pending(buf, size, &a);
	parse_stat(buf, size, &st);
	parse_syscall_sp(buf, size, &a);
	parse_cgroup_path(buf, size, path, sizeof path);
	fuzz_cgroup(buf, size);
	return 0;
}
