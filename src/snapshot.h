/*
 * snapshot.h - one sample of one process's memory, as a source yields it.
 *
 * A snapshot is filled by a source (live /proc sampler or session replay) and
 * read by the model, the batch printer and the recorder.  It owns all of its
 * memory; its buffers are reused from one sample to the next, so steady-state
 * sampling allocates nothing.  Strings from the target (paths, comm, cmdline)
 * are raw bytes that may hold anything but NUL in paths: escape them before
 * printing (see util.h: esc_*).
 */
#ifndef MEMTOP_SNAPSHOT_H
#define MEMTOP_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cgroup.h"
#include "restart.h"
#include "rtfig.h"
#include "verdict.h"

/* Every counter smaps gives, in kB (the "kB" lines of /proc/PID/smaps). */
enum smaps_field {
	SF_SIZE,             /* Size: */
	SF_KERNEL_PAGE_SIZE, /* KernelPageSize: */
	SF_MMU_PAGE_SIZE,    /* MMUPageSize: */
	SF_RSS,              /* Rss: */
	SF_PSS,              /* Pss: */
	SF_PSS_DIRTY,        /* Pss_Dirty: (6.0+) */
	SF_PSS_ANON,         /* Pss_Anon: (smaps_rollup only on most kernels) */
	SF_PSS_FILE,         /* Pss_File: */
	SF_PSS_SHMEM,        /* Pss_Shmem: */
	SF_SHARED_CLEAN,     /* Shared_Clean: */
	SF_SHARED_DIRTY,     /* Shared_Dirty: */
	SF_PRIVATE_CLEAN,    /* Private_Clean: */
	SF_PRIVATE_DIRTY,    /* Private_Dirty: */
	SF_REFERENCED,       /* Referenced: */
	SF_ANONYMOUS,        /* Anonymous: */
	SF_KSM,              /* KSM: (6.7+) */
	SF_LAZYFREE,         /* LazyFree: */
	SF_ANON_HUGE_PAGES,  /* AnonHugePages: */
	SF_SHMEM_PMD_MAPPED, /* ShmemPmdMapped: */
	SF_FILE_PMD_MAPPED,  /* FilePmdMapped: */
	SF_SHARED_HUGETLB,   /* Shared_Hugetlb: */
	SF_PRIVATE_HUGETLB,  /* Private_Hugetlb: */
	SF_SWAP,             /* Swap: */
	SF_SWAP_PSS,         /* SwapPss: */
	SF_LOCKED,           /* Locked: */
	SF_THP_ELIGIBLE,     /* THPeligible: (a 0/1 flag, not kB) */
	SF_PROTECTION_KEY,   /* ProtectionKey: (a number, not kB) */
	SF_COUNT
};

/* Name as smaps spells it ("Private_Dirty"), and a short column name. */
const char *smaps_field_name(enum smaps_field f);
/* Look up a field by its smaps name (without the colon); -1 if unknown. */
int smaps_field_lookup(const char *name, size_t len);

/* Whether the field's value is a size in kB (false for flags and keys). */
int smaps_field_is_kb(enum smaps_field f);

/*
 * One mapping: a line of /proc/PID/maps plus its smaps counters.  Counters
 * are kept in 32 bits (kB: up to 4 TiB a mapping) and saturate at
 * UINT32_MAX (region_kb_set); a mapping's size is its range, whatever its
 * saturated Size says.  176 bytes, so that a sample of 60,000 mappings
 * holds 10 MB.
 */
struct region {
	uint64_t start, end; /* [start, end) */
	uint64_t offset;
	uint64_t inode;
	uint64_t vmflags; /* bit (1 << VMFLAG_x) of the VmFlags: line */
	uint32_t dev_major, dev_minor;
	uint32_t path_off;   /* path bytes at snapshot.strings + path_off */
	uint32_t path_len;   /* 0: anonymous, no path */
	uint32_t present;    /* bit (1 << SF_x) set when smaps gave field x */
	char perms[5];       /* "rw-p", NUL-terminated */
	uint8_t deleted;     /* path ended with " (deleted)"; suffix removed */
	uint8_t has_vmflags; /* VmFlags: line was present */
	uint32_t kb[SF_COUNT]; /* absent fields read 0 and their bit is clear */
};

/* A counter's value, saturated to what a region holds. */
static inline uint32_t
region_kb_sat(uint64_t v)
{
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

/* What an empty or failed read means; see source_live.c for how it is told. */
enum target_state {
	TARGET_ALIVE,
	TARGET_EXITED,        /* gone from /proc */
	TARGET_ZOMBIE,        /* state Z/X: exited, not yet reaped */
	TARGET_KERNEL_THREAD, /* PF_KTHREAD: has no user mappings */
	TARGET_REUSED,        /* the PID now names another process */
	TARGET_EXECED,        /* same process, new program image */
	TARGET_DENIED         /* we may not read its mappings */
};
const char *target_state_name(enum target_state s);

/* From /proc/PID/status, in kB unless noted; has_status bits say which. */
enum status_field {
	ST_VM_PEAK,
	ST_VM_SIZE,
	ST_VM_HWM,
	ST_VM_RSS,
	ST_RSS_ANON,
	ST_RSS_FILE,
	ST_RSS_SHMEM,
	ST_VM_DATA,
	ST_VM_STK,
	ST_VM_EXE,
	ST_VM_LIB,
	ST_VM_PTE,
	ST_VM_SWAP,
	ST_VM_LCK,
	ST_VM_PIN,
	ST_HUGETLB_PAGES,
	ST_THREADS /* a count */,
	ST_COUNT
};
const char *status_field_name(enum status_field f);

#define SNAP_COMM_MAX    64
#define SNAP_CMDLINE_MAX 4096

/*
 * What the target's program is, learnt outside smaps: from the ELF file
 * of /proc/PID/exe (exe-probe.c), once at open and after an exec.  The
 * classifier reads it, so a replay needs it recorded: flat, fixed-size,
 * all zero when nothing is known.
 */
#define RT_GO      0x01 /* a .go.buildinfo section: a Go program */
#define RT_DYNAMIC 0x02 /* a PT_INTERP: dynamically linked (Go: cgo) */
#define RT_CPYTHON 0x04 /* a .PyRuntime section: the CPython interpreter */
#define RT_JVM     0x08 /* libjvm.so mapped: a HotSpot JVM (from the maps) */
struct runtime_facts {
	uint8_t probed;      /* 1 once the exe was read, whatever it was */
	uint8_t flags;       /* RT_* */
	uint8_t go_major;    /* 1 of go1.19.8; 0 when unknown */
	uint8_t go_minor;    /* 19 */
	uint8_t py_major;    /* 3 of python3.11; 0 when unknown */
	uint8_t py_minor;    /* 11 */
	char go_version[32]; /* "go1.19.8" as the binary says, NUL-ended */
};

/* Per-sample facts about the process and the machine.  Copyable by value. */
struct snapshot_info {
	int pid;
	uint64_t start_time;      /* /proc/PID/stat field 22, clock ticks */
	char comm[SNAP_COMM_MAX]; /* raw bytes, NUL-terminated */
	char cmdline[SNAP_CMDLINE_MAX]; /* NULs between args replaced by ' ' */
	uint32_t cmdline_len;
	uint8_t cmdline_truncated;
	char state_char; /* /proc/PID/stat field 3 */
	int32_t oom_score_adj;
	double age_s; /* seconds since the process started */
	uint64_t status[ST_COUNT];
	uint64_t has_status;       /* bit (1 << ST_x) */
	uint64_t mem_available_kb; /* /proc/meminfo MemAvailable, 0 unknown */
	uint64_t mem_total_kb;     /* /proc/meminfo MemTotal */
	uint64_t swap_total_kb;    /* /proc/meminfo SwapTotal */
	uint64_t swap_free_kb;     /* /proc/meminfo SwapFree */
	/* The target's memory cgroup in short, from cg below: */
	uint8_t has_cgroup;
	uint64_t cg_current;   /* bytes: memory.current / usage_in_bytes */
	uint64_t cg_max;       /* bytes; UINT64_MAX for "max" (its own) */
	uint64_t cg_oom_kills; /* OOM kills since memtop began to watch */
	char cgroup_path[256];
	/* All memtop knows of it (cgroup.h); version CGROUP_NONE when none.
	 * A live source fills it; a recording may not hold it. */
	struct cgroup_facts cg;
	struct runtime_facts runtime; /* of the program it runs */
	/* The runtime's own figures at this sample (a JVM's hsperfdata, a
	 * Go endpoint's latest reading); source RT_SRC_NONE when none. */
	struct rt_figures rt;
	/* -P --follow: the process this one replaced (restart.count 0:
	 * none).  Set by the pump, kept by a recording (restart.h). */
	struct target_restart restart;
};

/* One sample.  Owned by whoever made it with snapshot_new(). */
struct snapshot {
	uint64_t seq;         /* sample number from the source, 0-based */
	double mono;          /* CLOCK_MONOTONIC seconds at the sample */
	double wall;          /* CLOCK_REALTIME seconds at the sample */
	double sample_ms;     /* wall time the sample took */
	double sample_cpu_ms; /* CPU time memtop spent on it */
	enum target_state state;
	/* When a live source returns the end of a target that died: how it
	 * ended (end.known set); else zero. */
	struct end_verdict end;
	uint32_t torn; /* overlapping/backward ranges dropped */
	/* Bits (1 << SF_x) of the counters not read in this sample but
	 * carried from the last full one, taken at full_wall (the adaptive
	 * sampler's tick: live-fast.h); 0 when smaps was read whole. */
	uint32_t stale;
	double full_wall;
	struct snapshot_info info;

	struct region *regions; /* sorted by start, no overlaps */
	size_t nregions, regions_cap;

	char *strings; /* path bytes of all regions */
	size_t strings_len, strings_cap;

	uint64_t *thread_sp; /* a stack pointer per thread we could read */
	size_t nthreads, threads_cap;
};

struct snapshot *snapshot_new(void);
void snapshot_free(struct snapshot *s);
/* Forget the regions and threads, keep the buffers. */
void snapshot_clear(struct snapshot *s);
/* Deep copy (for tests and the replay reader's key frames). 0 or -ENOMEM. */
int snapshot_copy(struct snapshot *dst, const struct snapshot *src);
/* All of src but its regions and their paths: dst keeps its own (a replay
 * whose sample has the regions of the one dst holds).  0 or -ENOMEM. */
int snapshot_copy_head(struct snapshot *dst, const struct snapshot *src);
/* Whether a and b have the same regions, every counter the same, the same
 * paths, threads and what else classifies them (command line, runtime):
 * the model takes b after a by model_ingest_kept(). */
bool snapshot_same_regions(const struct snapshot *a, const struct snapshot *b);

/* Append a region; its path bytes are copied into the string arena.
 * Returns the new region (valid until the next add) or NULL on ENOMEM. */
struct region *snapshot_add_region(struct snapshot *s, const struct region *r,
    const char *path, size_t path_len);
/* Give region i new path bytes (path must not point into s).  0 or
 * -ENOMEM. */
int snapshot_set_path(
    struct snapshot *s, size_t i, const char *path, size_t path_len);
int snapshot_add_thread_sp(struct snapshot *s, uint64_t sp);

static inline const char *
region_path(const struct snapshot *s, const struct region *r)
{
	return s->strings + r->path_off;
}

/* Sum a field over all regions (what smaps_rollup would say). */
uint64_t snapshot_sum(const struct snapshot *s, enum smaps_field f);

/* VmFlags two-letter codes, in the kernel's order (fs/proc/task_mmu.c). */
extern const char vmflag_names[][3];
extern const size_t vmflag_count;
/* Index of a two-letter flag, -1 if unknown to this build. */
int vmflag_lookup(const char *two);
/* Writes "rd wr mr ..." into buf; returns buf. */
char *vmflags_format(uint64_t flags, char *buf, size_t size);

#endif
