/*
 * classify.c - what each mapping is: brk heap, stacks, arenas, code, shm...
 * The passes in order; the runtimes' names and fingerprints are in
 * classify-runtime.c, the user rules in classify-rules.c.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify-rules.h"
#include "classify.h"
#include "util.h"

#define ARENA_SIZE (64ULL << 20)  /* glibc HEAP_MAX_SIZE on 64-bit */
#define GUARD_MAX  (64ULL << 10)  /* biggest thread stack guard taken */
#define STACK_MAX  (256ULL << 20) /* biggest region an SP makes a stack */
#define STACK_BARE (16ULL << 20)  /* biggest without a guard below */

static const char *const class_names[RC_COUNT] = {
	[RC_BRK_HEAP] = "brk-heap",
	[RC_STACK] = "stack",
	[RC_THREAD_STACK] = "thread-stack",
	[RC_MALLOC_ARENA] = "malloc-arena",
	[RC_ANON] = "anon",
	[RC_ANON_NAMED] = "anon",
	[RC_GUARD] = "guard",
	[RC_CODE] = "code",
	[RC_RODATA] = "rodata",
	[RC_DATA] = "data",
	[RC_BSS] = "bss",
	[RC_FILE] = "file",
	[RC_SHM] = "shm",
	[RC_DELETED] = "deleted",
	[RC_KERNEL] = "kernel",
	[RC_HUGETLB] = "hugetlb",
	[RC_DEVICE] = "device",
	[RC_GO_HEAP] = "go-heap",
	[RC_GO_RESERVED] = "go-reserved",
	[RC_GO_META] = "go-meta",
	[RC_JAVA_HEAP] = "java-heap",
	[RC_JAVA_CLASS] = "java-class",
	[RC_JAVA_META] = "java-meta",
	[RC_JAVA_CDS] = "java-cds",
	[RC_JAVA_CODE] = "java-code",
	[RC_JAVA_GC] = "java-gc",
	[RC_PYTHON_ARENA] = "python-arena",
	[RC_MALLOC] = "malloc",
};

const char *
region_class_name(enum region_class c)
{
	if ((unsigned)c < RC_COUNT)
		return class_names[c];
	return classify_rules_class_name(classify_rules_installed(), (int)c);
}

int
region_class_lookup(const char *name)
{
	int c;

	if (strncmp(name, "anon:", 5) == 0)
		return RC_ANON_NAMED;
	for (c = 0; c < RC_COUNT; c++) {
		if (c != RC_ANON_NAMED && strcmp(name, class_names[c]) == 0)
			return c;
	}
	return classify_rules_class_lookup(classify_rules_installed(), name);
}

static bool
has_prefix(const char *p, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && memcmp(p, prefix, n) == 0;
}

static bool
is_exactly(const char *p, size_t len, const char *s)
{
	return len == strlen(s) && memcmp(p, s, len) == 0;
}

static bool
anon(const struct region *r)
{
	return r->path_len == 0;
}

static bool
private_rw(const struct region *r)
{
	return memcmp(r->perms, "rw-p", 4) == 0;
}

/* ---p: no access, private (guard pages, reservations). */
static bool
no_access(const struct region *r)
{
	return r->perms[0] == '-' && r->perms[1] == '-' && r->perms[2] == '-' &&
	    r->perms[3] == 'p';
}

/* The flag "ht" (hugetlb) of VmFlags, or KernelPageSize above the base page
 * size of this snapshot (the smallest KernelPageSize seen). */
static bool
hugetlb(const struct region *r, int ht, uint64_t base_kps)
{
	if (ht >= 0 && r->has_vmflags && ((r->vmflags >> ht) & 1))
		return true;
	return base_kps != 0 && (r->present & (1ULL << SF_KERNEL_PAGE_SIZE)) &&
	    r->kb[SF_KERNEL_PAGE_SIZE] > base_kps;
}

/* Whether the file mapping r belongs to an executable object: a mapping of
 * the same path, contiguous with it below, is executable (ELF segments). */
static bool
exec_object(const struct snapshot *s, size_t i)
{
	const struct region *r = &s->regions[i];
	const char *p = region_path(s, r);
	size_t k, steps;

	for (k = i, steps = 0; k > 0 && steps < 16; k--, steps++) {
		const struct region *q = &s->regions[k];
		const struct region *b = q - 1;

		if (q->perms[2] == 'x')
			return true;
		if (b->end != q->start || b->path_len != r->path_len ||
		    memcmp(region_path(s, b), p, r->path_len) != 0)
			return false;
	}
	return s->regions[k].perms[2] == 'x';
}

/* Kernel-made [names]: [heap], [stack], [anon:x], [vdso]...; *how says
 * whether a runtime's name made it. */
static int
classify_bracketed(const char *p, size_t len, uint8_t *how)
{
	int c;

	if (is_exactly(p, len, "[heap]"))
		return RC_BRK_HEAP;
	if (is_exactly(p, len, "[stack]"))
		return RC_STACK;
	if (has_prefix(p, len, "[stack:")) /* before Linux 4.5 */
		return RC_THREAD_STACK;
	if (has_prefix(p, len, "[anon:")) {
		c = classify_runtime_name(
		    p + 6, len - 6 - (p[len - 1] == ']' ? 1 : 0));
		if (c < 0)
			return RC_ANON_NAMED;
		*how = CW_NAME;
		return c;
	}
	if (has_prefix(p, len, "[anon_shmem:"))
		return RC_SHM;
	return RC_KERNEL; /* [vdso] [vvar] [vvar_vclock] [vsyscall]... */
}

static enum region_class
classify_file(const struct region *r, const char *p, size_t len, int ht,
    uint64_t base_kps)
{
	/* hugetlbfs: the VmFlags "ht" bit, big pages, the usual mount point. */
	if (hugetlb(r, ht, base_kps) || has_prefix(p, len, "/dev/hugepages/") ||
	    has_prefix(p, len, "/anon_hugepage"))
		return RC_HUGETLB;
	if (has_prefix(p, len, "/memfd:") || has_prefix(p, len, "memfd:") ||
	    has_prefix(p, len, "/SYSV") || has_prefix(p, len, "/dev/shm/"))
		return RC_SHM;
	if (has_prefix(p, len, "/dev/zero"))
		return r->perms[3] == 's' ? RC_SHM : RC_ANON;
	if (has_prefix(p, len, "/dev/"))
		return RC_DEVICE;
	if (r->deleted)
		return RC_DELETED;
	if (r->perms[3] == 's')
		return RC_FILE;
	if (r->perms[2] == 'x')
		return RC_CODE;
	if (memcmp(r->perms, "r--p", 4) == 0)
		return RC_RODATA;
	if (private_rw(r))
		return RC_DATA;
	return RC_FILE;
}

/* A glibc arena heap: 64 MiB aligned rw-p, the rest of the 64 MiB a ---p
 * reserve right above it (or no reserve left at all). */
static bool
malloc_arena(const struct region *r, const struct region *next)
{
	if (!private_rw(r) || r->start % ARENA_SIZE != 0)
		return false;
	if (r->end - r->start == ARENA_SIZE)
		return true;
	return next != NULL && anon(next) && no_access(next) &&
	    next->start == r->end && next->end == r->start + ARENA_SIZE;
}

/* Anonymous region i (not ---p); prev_cls is the class of region i - 1;
 * *reason says which fingerprint, if one. */
static enum region_class
classify_anon(const struct snapshot *s, size_t i, int prev_cls, uint8_t *reason)
{
	const struct region *r = &s->regions[i];
	const struct region *prev = i > 0 ? r - 1 : NULL;
	const struct region *next = i + 1 < s->nregions ? r + 1 : NULL;
	uint64_t size = r->end - r->start;

	if (r->perms[3] == 's')
		return RC_SHM;
	if (malloc_arena(r, next)) {
		*reason = CR_GLIBC_ARENA;
		return RC_MALLOC_ARENA;
	}
	if (!private_rw(r))
		return RC_ANON;
	/* .bss: anonymous, right after an executable object's writable data. */
	if (prev != NULL && prev->end == r->start && prev_cls == RC_DATA &&
	    exec_object(s, i - 1))
		return RC_BSS;
	/* glibc's thread stack, when no stack pointer could be read: a small
	 * guard (a page or a few) right below a stack-sized mapping that is
	 * not an arena's start.  Bigger ---p below are runtime reservations
	 * (Go, the JVM), not guards. */
	if (s->nthreads == 0 && prev != NULL && prev->end == r->start &&
	    anon(prev) && no_access(prev) &&
	    prev->end - prev->start <= GUARD_MAX && size >= (16 << 10) &&
	    size <= (64ULL << 20) && r->start % ARENA_SIZE != 0) {
		*reason = CR_GUARD_PATTERN;
		return RC_THREAD_STACK;
	}
	return RC_ANON;
}

/* Index of the region holding addr, or -1 (regions sorted by start). */
static long
region_find(const struct snapshot *s, uint64_t addr)
{
	size_t lo = 0, hi = s->nregions;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->regions[mid].end <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < s->nregions && s->regions[lo].start <= addr)
		return (long)lo;
	return -1;
}

/* Whether region k, holding a thread's stack pointer, looks like a stack:
 * a guard right below, or no bigger than a stack without one would be.
 * *reason: which. */
static bool
stack_like(const struct snapshot *s, size_t k, uint8_t *reason)
{
	const struct region *r = &s->regions[k];
	const struct region *prev = k > 0 ? r - 1 : NULL;
	uint64_t size = r->end - r->start;

	if (size > STACK_MAX)
		return false;
	if (prev != NULL && prev->end == r->start && anon(prev) &&
	    no_access(prev) && prev->end - prev->start <= GUARD_MAX) {
		*reason = CR_SP_GUARD;
		return true;
	}
	*reason = CR_SP_SIZE;
	return size <= STACK_BARE;
}

/* A mapping that holds a thread's stack pointer is its stack, if it looks
 * like one and no runtime's heap: Go runs goroutine stacks, and its
 * threads' g0 stacks, inside its heap arenas. */
static void
classify_stack_pointers(
    const struct snapshot *s, uint8_t *cls, struct class_why *why)
{
	uint8_t reason;
	size_t i;

	for (i = 0; i < s->nthreads; i++) {
		long k = region_find(s, s->thread_sp[i]);

		if (k >= 0 && why[k].nsp < UINT16_MAX)
			why[k].nsp++;
	}
	for (i = 0; i < s->nregions; i++) {
		int c = cls[i];

		if (why[i].nsp == 0 || classify_is_runtime_heap(c) ||
		    (c != RC_ANON && c != RC_BSS && c != RC_MALLOC_ARENA &&
		        c != RC_THREAD_STACK) ||
		    !stack_like(s, i, &reason) ||
		    (c == RC_MALLOC_ARENA && reason != CR_SP_GUARD))
			continue;
		cls[i] = RC_THREAD_STACK;
		why[i].how = CW_STACK_PTR;
		why[i].reason = reason;
	}
}

/*
 * One pass in address order (each rule looks only at a region's neighbours),
 * the runtimes' pass (runs of neighbours), then a binary search per thread
 * stack pointer: O(n + t log n), and the user rules last.
 */
void
classify_builtin_why(
    const struct snapshot *s, uint8_t *cls, struct class_why *why)
{
	int ht = vmflag_lookup("ht");
	uint64_t base_kps = 0;
	size_t i;

	if (s->nregions == 0)
		return;
	memset(why, 0, s->nregions * sizeof *why);
	for (i = 0; i < s->nregions; i++) {
		const struct region *r = &s->regions[i];

		if ((r->present & (1ULL << SF_KERNEL_PAGE_SIZE)) &&
		    r->kb[SF_KERNEL_PAGE_SIZE] != 0 &&
		    (base_kps == 0 || r->kb[SF_KERNEL_PAGE_SIZE] < base_kps))
			base_kps = r->kb[SF_KERNEL_PAGE_SIZE];
	}
	for (i = 0; i < s->nregions; i++) {
		const struct region *r = &s->regions[i];
		const char *p = region_path(s, r);
		uint8_t how = CW_LAYOUT, reason = CR_NONE;
		int c;

		if (r->path_len > 0 && p[0] == '[')
			c = classify_bracketed(p, r->path_len, &how);
		else if (no_access(r))
			c = RC_GUARD;
		else if (!anon(r))
			c = classify_file(r, p, r->path_len, ht, base_kps);
		else
			c = classify_anon(
			    s, i, i > 0 ? cls[i - 1] : -1, &reason);
		cls[i] = (uint8_t)c;
		why[i].how = reason != CR_NONE ? CW_FINGERPRINT : how;
		why[i].reason = reason;
	}
	classify_runtime(s, cls, why);
	classify_stack_pointers(s, cls, why);
}

void
classify_snapshot_why(
    const struct snapshot *s, uint8_t *cls, struct class_why *why_out)
{
	struct class_why one[256], *why = why_out;

	/* Without a caller's array, a local one. */
	if (why == NULL)
		why = s->nregions <= 256 ? one :
		                           xcalloc(s->nregions, sizeof *why);
	classify_builtin_why(s, cls, why);
	classify_rules_apply(classify_rules_installed(), s, cls, why);
	if (why != why_out && why != one)
		free(why);
}

void
classify_snapshot(const struct snapshot *s, uint8_t *cls)
{
	classify_snapshot_why(s, cls, NULL);
}

size_t
region_class_label(enum region_class c, const char *path, size_t path_len,
    char *buf, size_t size)
{
	const char *name = region_class_name(c);
	size_t n, k;

	if (size == 0)
		return 0;
	n = strlen(name);
	if (n >= size)
		n = size - 1;
	memcpy(buf, name, n);
	if (c == RC_ANON_NAMED && has_prefix(path, path_len, "[anon:") &&
	    n + 1 < size) {
		k = path_len - 6;
		if (k > 0 && path[path_len - 1] == ']')
			k--;
		buf[n++] = ':';
		if (k > size - 1 - n)
			k = size - 1 - n;
		memcpy(buf + n, path + 6, k);
		n += k;
	}
	buf[n] = '\0';
	return n;
}

/* The fingerprint's words; rt for the runtime's version. */
static void
explain_reason(const struct class_why *w, const struct runtime_facts *rt,
    char *buf, size_t size)
{
	char go[48];

	if (rt != NULL && rt->go_version[0] != '\0')
		snprintf(go, sizeof go, "a %s binary", rt->go_version);
	else
		snprintf(go, sizeof go, "a Go binary");
	switch (w->reason) {
	case CR_GUARD_PATTERN:
		snprintf(buf, size,
		    "glibc's thread stack: a guard page right below a "
		    "stack-sized mapping (no stack pointer was read)");
		break;
	case CR_GLIBC_ARENA:
		snprintf(buf, size,
		    "glibc malloc arena: 64 MiB aligned (HEAP_MAX_SIZE), its "
		    "PROT_NONE reserve right above");
		break;
	case CR_GO_ARENA:
		snprintf(buf, size,
		    "Go heap arena: 64 MiB aligned run of %u arena%s, %s",
		    (unsigned)w->arg, w->arg == 1 ? "" : "s", go);
		break;
	case CR_GO_ARENA_TAIL:
		snprintf(buf, size,
		    "the uncommitted rest of a Go heap arena (64 MiB "
		    "aligned), %s",
		    go);
		break;
	case CR_GO_RESERVED:
		snprintf(buf, size,
		    "PROT_NONE reservation of the Go runtime (page allocator, "
		    "heap hints), %s",
		    go);
		break;
	case CR_GO_META:
		snprintf(buf, size,
		    "Go runtime memory off the heap arenas: %s without cgo "
		    "has no other allocator",
		    go);
		break;
	case CR_GO_META_NEAR:
		snprintf(buf, size,
		    "Go runtime metadata: committed inside its reservations, "
		    "%s",
		    go);
		break;
	case CR_JAVA_HEAP_XMX:
		snprintf(buf, size,
		    "Java heap: the reservation as big as -Xmx (%u MiB), "
		    "libjvm.so mapped",
		    (unsigned)w->arg);
		break;
	case CR_JAVA_HEAP_OOPS:
		snprintf(buf, size,
		    "Java heap: the reservation compressed oops end at %u GiB, "
		    "libjvm.so mapped",
		    (unsigned)w->arg);
		break;
	case CR_JAVA_CDS:
		snprintf(buf, size,
		    "class data sharing archive: a .jsa file, or the rest of "
		    "its reservation");
		break;
	case CR_JAVA_CLASS:
		snprintf(buf, size,
		    "compressed class space: the reservation right above the "
		    "CDS archive");
		break;
	case CR_JAVA_META:
		snprintf(buf, size,
		    "metaspace: the reservation right below the CDS archive");
		break;
	case CR_JAVA_CODE:
		snprintf(buf, size, "code cache: the JVM's rwx reservation");
		break;
	case CR_JAVA_GC:
		snprintf(buf, size,
		    "GC side table: 1/64 or 1/512 of the %u MiB Java heap "
		    "(mark bitmap, card table)",
		    (unsigned)w->arg);
		break;
	case CR_PY_ARENA:
		snprintf(buf, size,
		    "pymalloc arenas: anonymous rw-p in whole %u KiB arenas, "
		    "CPython %u.%u",
		    (unsigned)(w->arg & 0xffff), (unsigned)(w->arg >> 24),
		    (unsigned)((w->arg >> 16) & 0xff));
		break;
	default:
		snprintf(buf, size, "its shape");
	}
}

size_t
classify_explain(enum region_class c, const struct class_why *why,
    const struct runtime_facts *rt, char *buf, size_t size)
{
	char text[256], reason[200];
	size_t n;

	if (size == 0)
		return 0;
	switch (why->how) {
	case CW_NAME:
		snprintf(text, sizeof text,
		    "certain: the runtime named this mapping");
		break;
	case CW_FINGERPRINT:
		explain_reason(why, rt, reason, sizeof reason);
		snprintf(text, sizeof text, "fingerprint: %s", reason);
		break;
	case CW_STACK_PTR:
		snprintf(text, sizeof text, "stack pointer: %u %s inside, %s",
		    (unsigned)why->nsp,
		    why->nsp == 1 ? "thread's stack pointer" :
		                    "threads' stack pointers",
		    why->reason == CR_SP_GUARD ? "a guard page below" :
		                                 "a stack's size");
		break;
	case CW_RULE:
		snprintf(text, sizeof text, "user rule %s",
		    classify_rules_where(classify_rules_installed(), why->arg));
		break;
	default:
		snprintf(text, sizeof text,
		    "certain: from the kernel's name, the file and the "
		    "permissions");
	}
	n = (size_t)snprintf(buf, size, "%s", text);
	if (why->nsp > 0 && why->how != CW_STACK_PTR && c != RC_STACK &&
	    c != RC_THREAD_STACK && n < size)
		n += (size_t)snprintf(buf + n, size - n, "; %u %s inside",
		    (unsigned)why->nsp,
		    why->nsp == 1 ? "thread's stack pointer" :
		                    "threads' stack pointers");
	return n < size ? n : size - 1;
}
