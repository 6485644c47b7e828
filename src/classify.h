/*
 * classify.h - region -> class.  Pure: needs only the snapshot it came from.
 */
#ifndef MEMTOP_CLASSIFY_H
#define MEMTOP_CLASSIFY_H

#include "snapshot.h"

enum region_class {
	RC_HEAP,         /* [heap] */
	RC_STACK,        /* [stack] */
	RC_THREAD_STACK, /* holds a thread's SP, or glibc's guard+stack */
	RC_MALLOC_ARENA, /* glibc non-main arena (HEAP_MAX aligned) */
	RC_ANON,         /* other private anonymous memory */
	RC_ANON_NAMED,   /* [anon:NAME]; name in the path */
	RC_GUARD,        /* ---p: guard pages and reservations */
	RC_CODE,         /* file r-x */
	RC_RODATA,       /* file r--p */
	RC_DATA,         /* file rw-p */
	RC_BSS,          /* anon rw-p right after a file's data */
	RC_FILE,         /* other file mappings */
	RC_SHM,          /* shared anon, /dev/shm, SYSV, memfd: */
	RC_DELETED,      /* file mapping whose file is gone */
	RC_KERNEL,       /* [vdso] [vvar*] [vsyscall] */
	RC_HUGETLB,      /* hugetlbfs */
	RC_DEVICE,       /* /dev/... */
	RC_COUNT
};

/* Stable lowercase identifier: "thread-stack", "anon" (for RC_ANON_NAMED the
 * caller prints "anon:" + name). */
const char *region_class_name(enum region_class c);
/* Inverse of region_class_name ("anon:x" -> RC_ANON_NAMED); -1 unknown. */
int region_class_lookup(const char *name);

/*
 * Classify every region of s into cls[0..s->nregions).  Thread stacks are
 * those holding an SP from s->thread_sp, or glibc's pattern (a ---p guard
 * directly below an anonymous rw-p mapping) when no SP could be read.
 */
void classify_snapshot(const struct snapshot *s, uint8_t *cls);

/*
 * Write the display name of a region's class: "heap", "anon:NAME" (the name
 * raw, as in the path).  Returns the number of bytes written (truncated to
 * size - 1, NUL-terminated).
 */
size_t region_class_label(enum region_class c, const char *path,
    size_t path_len, char *buf, size_t size);

#endif
