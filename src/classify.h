/*
 * classify.h - region -> class.  Pure: needs only the snapshot it came from
 * (its regions, thread stack pointers and info.runtime facts) and the user
 * rules installed at start (classify-rules.h), so a replay classifies as
 * the live run did.
 */
#ifndef MEMTOP_CLASSIFY_H
#define MEMTOP_CLASSIFY_H

#include "snapshot.h"

/* Values are stable (appended, never renumbered). */
enum region_class {
	RC_BRK_HEAP,     /* [heap]: the brk area, not a runtime's heap */
	RC_STACK,        /* [stack] */
	RC_THREAD_STACK, /* holds a thread's SP, or glibc's guard+stack */
	RC_MALLOC_ARENA, /* glibc non-main arena (HEAP_MAX aligned) */
	RC_ANON,         /* other private anonymous memory */
	RC_ANON_NAMED,   /* [anon:NAME] no runtime's; name in the path */
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
	/* Runtimes (classify-runtime.c): by the name the runtime gave a
	 * mapping, else by its shape in a process known to run it. */
	RC_GO_HEAP,      /* Go heap arenas (goroutine stacks live there) */
	RC_GO_RESERVED,  /* Go's PROT_NONE address-space reservations */
	RC_GO_META,      /* Go runtime metadata off the heap */
	RC_JAVA_HEAP,    /* HotSpot JAVAHEAP */
	RC_JAVA_CLASS,   /* HotSpot CLASS: compressed class space */
	RC_JAVA_META,    /* HotSpot META: metaspace */
	RC_JAVA_CDS,     /* HotSpot CDS: the class data sharing archive */
	RC_JAVA_CODE,    /* HotSpot CODE: the code cache */
	RC_JAVA_GC,      /* HotSpot GC: card table, mark bitmaps */
	RC_PYTHON_ARENA, /* CPython pymalloc arenas */
	RC_MALLOC,       /* named by an allocator: glibc's big chunks,
	                  * mimalloc, tcmalloc, jemalloc, bionic, scudo */
	RC_COUNT
};

/* User classes (rules) take the values RC_USER_FIRST..RC_USER_LAST, in
 * the order their names first appear in the rules. */
#define RC_USER_FIRST RC_COUNT
#define RC_USER_LAST  255

/*
 * Why a region got its class: how sure that is, and for a fingerprint
 * which one.  Small and flat (8 bytes), kept per region by the model.
 */
enum class_how {
	CW_LAYOUT,      /* the kernel's name, permissions, file: certain */
	CW_NAME,        /* the name a runtime gave it: certain */
	CW_FINGERPRINT, /* its shape in a process known to run a runtime */
	CW_STACK_PTR,   /* a thread's stack pointer is in it */
	CW_RULE         /* a user rule; arg is its index */
};
enum class_reason {
	CR_NONE,
	CR_GUARD_PATTERN, /* guard page under a stack-sized mapping */
	CR_GLIBC_ARENA,   /* 64 MiB aligned with its PROT_NONE reserve */
	CR_GO_ARENA,      /* arg: arenas in the run */
	CR_GO_ARENA_TAIL, /* the uncommitted rest of Go's arenas */
	CR_GO_RESERVED,   /* Go's big PROT_NONE reservations */
	CR_GO_META, /* pure Go: anonymous off the arenas is the runtime's */
	CR_GO_META_NEAR,   /* rw-p between Go's reservations */
	CR_JAVA_HEAP_XMX,  /* arg: -Xmx in MiB */
	CR_JAVA_HEAP_OOPS, /* ends at 4 GiB or lies under 32 GiB */
	CR_JAVA_CDS,       /* a .jsa file, or its reservation */
	CR_JAVA_CLASS,     /* the reservation after the CDS archive */
	CR_JAVA_META,      /* the reservation before the CDS archive */
	CR_JAVA_CODE,      /* an rwx reservation */
	CR_JAVA_GC,        /* arg: heap MiB the side table is sized for */
	CR_PY_ARENA,       /* arg: major << 24 | minor << 16 | arena KiB */
	CR_SP_GUARD,       /* SP inside, a guard page below */
	CR_SP_SIZE         /* SP inside, a stack's size */
};
struct class_why {
	uint8_t how;    /* enum class_how */
	uint8_t reason; /* enum class_reason */
	uint16_t nsp;   /* threads whose stack pointer is inside (saturates) */
	uint32_t arg;   /* reason's number (see enum class_reason) */
};

/* Stable lowercase identifier: "thread-stack", "anon" (for RC_ANON_NAMED the
 * caller prints "anon:" + name), a user class's own name. */
const char *region_class_name(enum region_class c);
/* Inverse of region_class_name ("anon:x" -> RC_ANON_NAMED; user classes
 * of the installed rules too); -1 unknown. */
int region_class_lookup(const char *name);

/*
 * Classify every region of s into cls[0..s->nregions), and when why is not
 * NULL say why into why[0..s->nregions).  In order: the kernel's names and
 * the mapping's file and permissions; names runtimes gave ([anon: Go:
 * heap]); runtime fingerprints (s->info.runtime, libjvm mapped...); thread
 * stack pointers from s->thread_sp, only where the region looks like a
 * stack and is no runtime's heap; glibc's guard+stack pattern when no SP
 * could be read; last the user rules installed, first match wins.
 */
void classify_snapshot(const struct snapshot *s, uint8_t *cls);
/* The built-in classes alone, without the user rules (why must hold
 * s->nregions): the model keeps a thread stack a stack across a sample
 * that saw no stack pointer in it, and then applies the rules itself
 * (classify_rules_match). */
void classify_builtin_why(
    const struct snapshot *s, uint8_t *cls, struct class_why *why);
void classify_snapshot_why(
    const struct snapshot *s, uint8_t *cls, struct class_why *why);

/*
 * Write the display name of a region's class: "brk-heap", "anon:NAME" (the
 * name raw, as in the path).  Returns the number of bytes written
 * (truncated to size - 1, NUL-terminated).
 */
size_t region_class_label(enum region_class c, const char *path,
    size_t path_len, char *buf, size_t size);

/*
 * One line for the detail screen: how sure the class is and why, e.g.
 * "fingerprint: Go heap arena: 64 MiB aligned, go1.19.8 binary; 3 threads'
 * stack pointers inside".  rt: the facts of the latest sample (may be
 * NULL).  Returns the length written (truncated, NUL-terminated).
 */
size_t classify_explain(enum region_class c, const struct class_why *why,
    const struct runtime_facts *rt, char *buf, size_t size);

/* ---- for classify-*.c: the passes share these ---- */

/* The class of a runtime's name for an anonymous mapping (the text between
 * "[anon:" and "]", leading spaces kept), or -1 for no runtime's name. */
int classify_runtime_name(const char *name, size_t len);
/* Fingerprints of the runtimes s->info.runtime and s's mappings show;
 * changes cls/why of the regions they recognise. */
void classify_runtime(
    const struct snapshot *s, uint8_t *cls, struct class_why *why);
/* A runtime's own memory that no stack pointer makes a stack. */
int classify_is_runtime_heap(int c);

#endif
