/*
 * classify.c - what each mapping is: heap, stacks, arenas, code, shm...
 */
#include "config.h"

#include <stdbool.h>
#include <string.h>

#include "classify.h"

#define ARENA_SIZE (64ULL << 20) /* glibc HEAP_MAX_SIZE on 64-bit */
#define GUARD_MAX  (64ULL << 10) /* biggest thread stack guard taken */

static const char *const class_names[RC_COUNT] = {
	[RC_HEAP] = "heap",
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
};

const char *
region_class_name(enum region_class c)
{
	return c < RC_COUNT ? class_names[c] : "?";
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
	return -1;
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

/* Kernel-made [names]: [heap], [stack], [anon:x], [vdso]... */
static enum region_class
classify_bracketed(const char *p, size_t len)
{
	if (is_exactly(p, len, "[heap]"))
		return RC_HEAP;
	if (is_exactly(p, len, "[stack]"))
		return RC_STACK;
	if (has_prefix(p, len, "[stack:")) /* before Linux 4.5 */
		return RC_THREAD_STACK;
	if (has_prefix(p, len, "[anon:"))
		return RC_ANON_NAMED;
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

/* Anonymous region i (not ---p); prev_cls is the class of region i - 1. */
static enum region_class
classify_anon(const struct snapshot *s, size_t i, int prev_cls)
{
	const struct region *r = &s->regions[i];
	const struct region *prev = i > 0 ? r - 1 : NULL;
	const struct region *next = i + 1 < s->nregions ? r + 1 : NULL;
	uint64_t size = r->end - r->start;

	if (r->perms[3] == 's')
		return RC_SHM;
	if (malloc_arena(r, next))
		return RC_MALLOC_ARENA;
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
	    size <= (64ULL << 20) && r->start % ARENA_SIZE != 0)
		return RC_THREAD_STACK;
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

/*
 * One pass in address order (each rule looks only at a region's neighbours),
 * then a binary search per thread stack pointer: O(n + t log n).
 */
void
classify_snapshot(const struct snapshot *s, uint8_t *cls)
{
	int ht = vmflag_lookup("ht");
	uint64_t base_kps = 0;
	size_t i;

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
		enum region_class c;

		if (r->path_len > 0 && p[0] == '[')
			c = classify_bracketed(p, r->path_len);
		else if (no_access(r))
			c = RC_GUARD;
		else if (!anon(r))
			c = classify_file(r, p, r->path_len, ht, base_kps);
		else
			c = classify_anon(s, i, i > 0 ? cls[i - 1] : -1);
		cls[i] = (uint8_t)c;
	}
	/* A mapping that holds a thread's stack pointer is its stack. */
	for (i = 0; i < s->nthreads; i++) {
		long k = region_find(s, s->thread_sp[i]);

		if (k >= 0 &&
		    (cls[k] == RC_ANON || cls[k] == RC_BSS ||
		        cls[k] == RC_MALLOC_ARENA))
			cls[k] = RC_THREAD_STACK;
	}
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
