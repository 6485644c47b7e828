/*
 * classify-runtime.c - the runtimes' own memory: Go, HotSpot, CPython and
 * the allocators.  First by the names runtimes give their anonymous
 * mappings (certain), else by shape, only in a process known to run the
 * runtime (a fingerprint: the detail screen says so, and why).
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "exe-probe.h"

#define MiB           (1ULL << 20)
#define GO_ARENA      (64 * MiB) /* heapArenaBytes on 64-bit Linux */
#define GO_COMMIT     (4 * MiB)  /* the Go heap grows in 4 MiB steps */
#define GUARD_MAX     (64ULL << 10)
#define OOPS_UNSCALED (4ULL << 30)
#define OOPS_ZERO     (32ULL << 30)
#define META_MAX      (64 * MiB)   /* a metaspace node's reservation */
#define CLASS_MAX     (3ULL << 30) /* the biggest class space, and CDS's */

/* The runtimes' names, after "[anon:" and its spaces: exact, or a prefix
 * (a trailing '*'). */
static const struct {
	const char *name;
	int cls;
} runtime_names[] = {
	/* Go 1.25+ (runtime/mem.go setVMAName); before the Go: catch-all */
	{ "Go: heap", RC_GO_HEAP },
	{ "Go: heap reservation", RC_GO_RESERVED },
	{ "Go: *", RC_GO_META },
	/* glibc 2.40+ with glibc.mem.decorate_maps=1 */
	{ "glibc: malloc arena", RC_MALLOC_ARENA },
	{ "glibc: malloc", RC_MALLOC },
	{ "glibc: loader malloc", RC_MALLOC },
	{ "glibc: pthread stack:*", RC_THREAD_STACK },
	{ "glibc: pthread user stack:*", RC_THREAD_STACK },
	{ "glibc: unused stack", RC_THREAD_STACK },
	{ "glibc: *guard*", RC_GUARD },
	/* allocators, and bionic's stacks */
	{ "mimalloc*", RC_MALLOC },
	{ "tcmalloc*", RC_MALLOC },
	{ "jemalloc*", RC_MALLOC },
	{ "libc_malloc*", RC_MALLOC },
	{ "scudo:*", RC_MALLOC },
	{ "stack_and_tls:*", RC_THREAD_STACK },
};

/* Whether name[0..len) matches pat: literal bytes, '*' any run of them. */
static bool
name_match(const char *pat, const char *name, size_t len)
{
	const char *star = strchr(pat, '*');
	size_t n = star != NULL ? (size_t)(star - pat) : strlen(pat);
	size_t i;

	if (star == NULL)
		return len == n && memcmp(pat, name, n) == 0;
	if (len < n || memcmp(pat, name, n) != 0)
		return false;
	if (star[1] == '\0')
		return true;
	for (i = n; i <= len; i++) {
		if (name_match(star + 1, name + i, len - i))
			return true;
	}
	return false;
}

int
classify_runtime_name(const char *name, size_t len)
{
	size_t i;

	while (len > 0 && *name == ' ') {
		name++;
		len--;
	}
	for (i = 0; i < sizeof runtime_names / sizeof runtime_names[0]; i++) {
		if (name_match(runtime_names[i].name, name, len))
			return runtime_names[i].cls;
	}
	return -1;
}

int
classify_is_runtime_heap(int c)
{
	return c >= RC_GO_HEAP && c <= RC_MALLOC;
}

static bool
is_anon(const struct region *r)
{
	return r->path_len == 0;
}

static bool
perms_are(const struct region *r, const char *p)
{
	return memcmp(r->perms, p, 4) == 0;
}

static bool
path_ends(const struct snapshot *s, const struct region *r, const char *suf)
{
	size_t n = strlen(suf);

	return r->path_len >= n &&
	    memcmp(region_path(s, r) + r->path_len - n, suf, n) == 0;
}

/* A stack's shape: a small ---p guard right below. */
static bool
guard_below(const struct snapshot *s, size_t i)
{
	const struct region *r = &s->regions[i], *p = r - 1;

	return i > 0 && p->end == r->start && is_anon(p) &&
	    perms_are(p, "---p") && p->end - p->start <= GUARD_MAX;
}

/* Anonymous memory of no class but its permissions. */
static bool
plain(const uint8_t *cls, const struct class_why *why, size_t i)
{
	return why[i].how == CW_LAYOUT &&
	    (cls[i] == RC_ANON || cls[i] == RC_GUARD);
}

/* Whether the fingerprints may change region i: not named by a runtime,
 * no user's, of a class a shape may refine. */
static bool
refinable(const uint8_t *cls, const struct class_why *why, size_t i)
{
	int c = cls[i];

	return why[i].how != CW_NAME &&
	    (c == RC_ANON || c == RC_GUARD || c == RC_MALLOC_ARENA ||
	        (c == RC_THREAD_STACK && why[i].reason == CR_GUARD_PATTERN));
}

static void
set(uint8_t *cls, struct class_why *why, size_t i, int c, int reason,
    uint32_t arg)
{
	cls[i] = (uint8_t)c;
	why[i].how = CW_FINGERPRINT;
	why[i].reason = (uint8_t)reason;
	why[i].arg = arg;
}

/* End (exclusive index) of the run of contiguous regions from i that
 * keep(region) says yes to. */
static size_t
run_end(const struct snapshot *s, size_t i,
    bool (*keep)(const struct snapshot *, const struct region *))
{
	size_t j = i + 1;

	while (j < s->nregions &&
	    s->regions[j].start == s->regions[j - 1].end &&
	    keep(s, &s->regions[j]))
		j++;
	return j;
}

/* Anonymous, private, rw-p or ---p: what heaps and reservations are. */
static bool
anon_rw_or_none(const struct snapshot *s, const struct region *r)
{
	(void)s;
	return is_anon(r) && (perms_are(r, "rw-p") || perms_are(r, "---p"));
}

/* ---- Go ---- */

/* Go before 1.26 puts its heap arenas at hints i << 40 | 0x00c0 << 32
 * (i < 0x40) and up from there: far below where mmap puts glibc's. */
static bool
go_hint(const struct runtime_facts *rt, uint64_t a)
{
	return rt->go_major == 1 && rt->go_minor > 0 && rt->go_minor < 26 &&
	    ((a >> 32) & 0xff) >= 0xc0 && a < (0x40ULL << 40);
}

/* Whether anonymous rw-p region i continues the Go metadata region k, its
 * contiguous neighbour. */
static bool
go_meta_next(const struct snapshot *s, const uint8_t *cls,
    const struct class_why *why, size_t i, size_t k)
{
	const struct region *r = &s->regions[i], *n = &s->regions[k];

	return cls[k] == RC_GO_META && cls[i] == RC_ANON &&
	    refinable(cls, why, i) && is_anon(r) && perms_are(r, "rw-p") &&
	    (r->end == n->start || n->end == r->start) && !guard_below(s, i);
}

/*
 * Go's heap: runs of rw-p and ---p that begin and end on 64 MiB arena
 * boundaries.  A glibc arena has that shape too: in a cgo program a run
 * is Go's at Go's hint addresses (before 1.26), or when what it has
 * committed is whole 4 MiB steps (a glibc arena's top is pages).  Then
 * Go's other reservations (page allocator summaries, hints), and the
 * runtime's metadata: in a pure-Go program every other anonymous mapping.
 */
static void
classify_go(const struct snapshot *s, const struct runtime_facts *rt,
    uint8_t *cls, struct class_why *why)
{
	bool pure = !(rt->flags & RT_DYNAMIC);
	size_t i, j, e;

	for (i = 0; i < s->nregions; i = e) {
		const struct region *r = &s->regions[i];
		uint64_t a = r->start, b, committed = 0;

		if (!anon_rw_or_none(s, r)) {
			e = i + 1;
			continue;
		}
		e = run_end(s, i, anon_rw_or_none);
		b = s->regions[e - 1].end;
		if (a % GO_ARENA != 0 || b % GO_ARENA != 0 ||
		    !perms_are(r, "rw-p"))
			continue;
		for (j = i; j < e; j++) {
			if (perms_are(&s->regions[j], "rw-p"))
				committed +=
				    s->regions[j].end - s->regions[j].start;
		}
		if (!pure && !go_hint(rt, a) && committed % GO_COMMIT != 0)
			continue;
		for (j = i; j < e; j++) {
			if (!refinable(cls, why, j))
				continue;
			if (perms_are(&s->regions[j], "rw-p"))
				set(cls, why, j, RC_GO_HEAP, CR_GO_ARENA,
				    (uint32_t)((b - a) / GO_ARENA));
			else
				set(cls, why, j, RC_GO_RESERVED,
				    CR_GO_ARENA_TAIL, 0);
		}
	}
	/* The other reservations: big, or any at all without C's guards. */
	for (i = 0; i < s->nregions; i++) {
		const struct region *r = &s->regions[i];

		if (is_anon(r) && perms_are(r, "---p") && cls[i] == RC_GUARD &&
		    refinable(cls, why, i) &&
		    (pure || r->end - r->start > GUARD_MAX) &&
		    !(i > 0 && r[-1].end == r->start &&
		        cls[i - 1] == RC_MALLOC_ARENA))
			set(cls, why, i, RC_GO_RESERVED, CR_GO_RESERVED, 0);
	}
	for (i = 0; i < s->nregions; i++) {
		const struct region *r = &s->regions[i];
		bool near;

		if (!is_anon(r) || !perms_are(r, "rw-p") ||
		    !refinable(cls, why, i) || cls[i] == RC_GO_HEAP)
			continue;
		near = (i > 0 && r[-1].end == r->start &&
		           cls[i - 1] == RC_GO_RESERVED &&
		           why[i - 1].reason == CR_GO_RESERVED) ||
		    (i + 1 < s->nregions && r[1].start == r->end &&
		        cls[i + 1] == RC_GO_RESERVED &&
		        why[i + 1].reason == CR_GO_RESERVED);
		if (pure)
			set(cls, why, i, RC_GO_META, CR_GO_META, 0);
		else if (near)
			set(cls, why, i, RC_GO_META, CR_GO_META_NEAR, 0);
	}
	if (pure)
		return;
	/* With cgo, what adjoins that metadata is the runtime's too (the
	 * arena index, span and bitmap chunks), up to a C stack's guard. */
	for (i = 1; i < s->nregions; i++) {
		if (go_meta_next(s, cls, why, i, i - 1))
			set(cls, why, i, RC_GO_META, CR_GO_META_NEAR, 0);
	}
	for (i = s->nregions; i-- > 1;) {
		if (go_meta_next(s, cls, why, i - 1, i))
			set(cls, why, i - 1, RC_GO_META, CR_GO_META_NEAR, 0);
	}
}

/* ---- HotSpot ---- */

/* A size option's value in bytes: "64m", "1g", "1048576"; 0 if none. */
static uint64_t
parse_size(const char *p, const char *end)
{
	uint64_t v = 0;

	if (p >= end || *p < '0' || *p > '9')
		return 0;
	for (; p < end && *p >= '0' && *p <= '9'; p++) {
		if (v > (UINT64_MAX >> 4) / 10)
			return 0;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (p < end) {
		switch (*p | 0x20) {
		case 'k':
			v <<= 10;
			break;
		case 'm':
			v <<= 20;
			break;
		case 'g':
			v <<= 30;
			break;
		case 't':
			v <<= 40;
			break;
		default:
			return 0;
		}
	}
	return v;
}

/* The last value of -XOPT or -XX:OPT= in the command line, in bytes. */
static uint64_t
java_option(const struct snapshot_info *info, const char *opt)
{
	const char *p = info->cmdline, *end = p + info->cmdline_len, *q;
	size_t n = strlen(opt);
	uint64_t v = 0, x;

	while (p < end) {
		q = memchr(p, ' ', (size_t)(end - p));
		if (q == NULL)
			q = end;
		if ((size_t)(q - p) > n && memcmp(p, opt, n) == 0 &&
		    (x = parse_size(p + n, q)) != 0)
			v = x;
		p = q + 1;
	}
	return v;
}

static bool
java_jsa(const struct snapshot *s, const struct region *r)
{
	return path_ends(s, r, ".jsa");
}

/* The Java heap's run: anonymous rw-p/---p, and the CDS archive's heap
 * objects mapped into it. */
static bool
java_heap_part(const struct snapshot *s, const struct region *r)
{
	return anon_rw_or_none(s, r) || (java_jsa(s, r) && r->perms[1] == 'w');
}

/* The run that is the Java heap: the one as big as -Xmx (what HotSpot
 * reserves), else the one compressed oops put at the 4 GiB or 32 GiB
 * line; first and last bound it, reason and arg say which. */
static bool
java_find_heap(const struct snapshot *s, const uint8_t *cls, size_t *first,
    size_t *last, int *reason, uint32_t *arg)
{
	uint64_t xmx = java_option(&s->info, "-Xmx");
	uint64_t best = UINT64_MAX, span;
	size_t i, e;
	bool found = false;

	if (xmx == 0)
		xmx = java_option(&s->info, "-XX:MaxHeapSize=");
	for (i = 0; i < s->nregions; i = e) {
		const struct region *r = &s->regions[i];

		if (!anon_rw_or_none(s, r) || cls[i] == RC_BSS) {
			e = i + 1;
			continue;
		}
		e = run_end(s, i, java_heap_part);
		span = s->regions[e - 1].end - r->start;
		if (xmx != 0 && span >= xmx && span - xmx < best &&
		    span - xmx <= (xmx / 8 > 64 * MiB ? xmx / 8 : 64 * MiB)) {
			best = span - xmx;
			*first = i;
			*last = e;
			*reason = CR_JAVA_HEAP_XMX;
			*arg = (uint32_t)(xmx / MiB);
			found = true;
		}
		if (!found && xmx == 0 &&
		    (s->regions[e - 1].end == OOPS_UNSCALED ||
		        s->regions[e - 1].end == OOPS_ZERO) &&
		    span >= 2 * MiB) {
			*first = i;
			*last = e;
			*reason = CR_JAVA_HEAP_OOPS;
			*arg = (uint32_t)(s->regions[e - 1].end >> 30);
			found = true;
		}
	}
	return found;
}

static void
classify_java(const struct snapshot *s, uint8_t *cls, struct class_why *why)
{
	uint64_t heap = 0, unit, lo, hi;
	uint32_t arg = 0;
	size_t i, j, e, first = 0, last = 0;
	int reason = 0;

	/* The CDS archive, wherever it is mapped. */
	for (i = 0; i < s->nregions; i++) {
		if (java_jsa(s, &s->regions[i]) && why[i].how == CW_LAYOUT)
			set(cls, why, i, RC_JAVA_CDS, CR_JAVA_CDS, 0);
	}
	if (java_find_heap(s, cls, &first, &last, &reason, &arg)) {
		heap = s->regions[last - 1].end - s->regions[first].start;
		for (j = first; j < last; j++) {
			if (refinable(cls, why, j))
				set(cls, why, j, RC_JAVA_HEAP, reason, arg);
		}
	}
	/* Metaspace right below the CDS archive, its reservation's rest and
	 * the compressed class space right above (HotSpot reserves them
	 * together). */
	for (i = 0; i < s->nregions; i = e) {
		e = i + 1;
		if (!java_jsa(s, &s->regions[i]) || (i >= first && i < last))
			continue;
		e = run_end(s, i, java_jsa);
		lo = s->regions[i].start > META_MAX ?
		    s->regions[i].start - META_MAX :
		    0;
		hi = s->regions[e - 1].end + CLASS_MAX;
		for (j = i;
		     j > 0 && s->regions[j - 1].end == s->regions[j].start &&
		     s->regions[j - 1].start >= lo &&
		     anon_rw_or_none(s, &s->regions[j - 1]) &&
		     plain(cls, why, j - 1);
		     j--)
			set(cls, why, j - 1, RC_JAVA_META, CR_JAVA_META, 0);
		for (j = e; j < s->nregions &&
		     s->regions[j].start == s->regions[j - 1].end &&
		     s->regions[j].end <= hi &&
		     anon_rw_or_none(s, &s->regions[j]) && plain(cls, why, j);
		     j++) {
			if (j == e && perms_are(&s->regions[j], "---p"))
				set(cls, why, j, RC_JAVA_CDS, CR_JAVA_CDS, 0);
			else
				set(cls, why, j, RC_JAVA_CLASS, CR_JAVA_CLASS,
				    0);
		}
		e = j > e ? j : e;
	}
	/* The code cache: rwx, with the rest of its reservation around. */
	for (i = 0; i < s->nregions; i++) {
		const struct region *r = &s->regions[i];

		if (!is_anon(r) || !perms_are(r, "rwxp"))
			continue;
		set(cls, why, i, RC_JAVA_CODE, CR_JAVA_CODE, 0);
		for (j = i;
		     j > 0 && s->regions[j - 1].end == s->regions[j].start &&
		     perms_are(&s->regions[j - 1], "---p") &&
		     is_anon(&s->regions[j - 1]) && refinable(cls, why, j - 1);
		     j--)
			set(cls, why, j - 1, RC_JAVA_CODE, CR_JAVA_CODE, 0);
		for (j = i + 1; j < s->nregions &&
		     s->regions[j].start == s->regions[j - 1].end &&
		     perms_are(&s->regions[j], "---p") &&
		     is_anon(&s->regions[j]) && refinable(cls, why, j);
		     j++)
			set(cls, why, j, RC_JAVA_CODE, CR_JAVA_CODE, 0);
	}
	/* G1's side tables are sized by the heap: the mark bitmap 1/64 of
	 * it, the card table, offset table and card counts 1/512 each (found
	 * merged with one another too).  Not a stack's shape. */
	unit = heap / 512;
	if (heap == 0 || unit < (64ULL << 10))
		return;
	for (i = 0; i < s->nregions; i++) {
		const struct region *r = &s->regions[i];
		uint64_t size = r->end - r->start;

		if (cls[i] != RC_ANON || !refinable(cls, why, i) ||
		    !perms_are(r, "rw-p") || guard_below(s, i))
			continue;
		if (size == heap / 64 || (size % unit == 0 && size / unit <= 4))
			set(cls, why, i, RC_JAVA_GC, CR_JAVA_GC,
			    (uint32_t)(heap / MiB));
	}
}

/* ---- CPython ---- */

/* The CPython version: the probe's, else a mapped libpython3.N or
 * python3.N file's name.  0 when no CPython is seen. */
static int
python_version(const struct snapshot *s, uint8_t *major, uint8_t *minor)
{
	const struct runtime_facts *rt = &s->info.runtime;
	char name[256];
	size_t i, n;

	if (rt->py_major != 0) {
		*major = rt->py_major;
		*minor = rt->py_minor;
		return 1;
	}
	for (i = 0; i < s->nregions; i++) {
		const struct region *r = &s->regions[i];
		const char *p = region_path(s, r), *base;

		if (r->path_len == 0 || p[0] != '/' || r->perms[2] != 'x')
			continue;
		n = r->path_len < sizeof name ? r->path_len : sizeof name - 1;
		memcpy(name, p + r->path_len - n, n);
		name[n] = '\0';
		base = strrchr(name, '/');
		base = base != NULL ? base + 1 : name;
		if ((strncmp(base, "python", 6) == 0 ||
		        strncmp(base, "libpython", 9) == 0) &&
		    exe_probe_python_name(base, major, minor) == 0)
			return 1;
	}
	return 0;
}

/* pymalloc's arenas: anonymous rw-p of whole arenas (256 KiB before 3.10,
 * 1 MiB from it; the kernel merges neighbours into one mapping). */
static void
classify_python(const struct snapshot *s, uint8_t *cls, struct class_why *why)
{
	uint8_t major = 0, minor = 0;
	uint64_t arena;
	size_t i;

	if (!python_version(s, &major, &minor) || major != 3)
		return;
	arena = minor >= 10 ? MiB : 256ULL << 10;
	for (i = 0; i < s->nregions; i++) {
		const struct region *r = &s->regions[i];
		uint64_t size = r->end - r->start;

		if (cls[i] == RC_ANON && refinable(cls, why, i) &&
		    perms_are(r, "rw-p") && size % arena == 0 &&
		    !guard_below(s, i))
			set(cls, why, i, RC_PYTHON_ARENA, CR_PY_ARENA,
			    (uint32_t)major << 24 | (uint32_t)minor << 16 |
			        (uint32_t)(arena >> 10));
	}
}

void
classify_runtime(const struct snapshot *s, uint8_t *cls, struct class_why *why)
{
	const struct runtime_facts *rt = &s->info.runtime;
	bool jvm = false;
	size_t i;

	if (rt->flags & RT_GO)
		classify_go(s, rt, cls, why);
	for (i = 0; i < s->nregions && !jvm; i++)
		jvm = s->regions[i].perms[2] == 'x' &&
		    path_ends(s, &s->regions[i], "/libjvm.so");
	if (jvm)
		classify_java(s, cls, why);
	classify_python(s, cls, why);
}
