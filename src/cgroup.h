/*
 * cgroup.h - the target's memory cgroup, v1 or v2 (chosen at run time): its
 * usage, limits, memory.stat, OOM events and memory pressure, the limit that
 * binds (the smallest among the cgroup and its ancestors), and who the
 * cgroup is (a Kubernetes pod, a Docker container, a systemd unit).
 *
 * struct cgroup_facts is plain data, copyable by value: a snapshot carries
 * one (snapshot_info.cg).  A struct cgroup_reader reads them for one target;
 * its parsers are the pure ones of proc-parse.c, each file's fields found by
 * name.  No curses, no allocation per sample.
 */
#ifndef MEMTOP_CGROUP_H
#define MEMTOP_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What a limit reads when there is none ("max", or v1's PAGE_COUNTER_MAX). */
#define CG_UNLIMITED UINT64_MAX

enum cgroup_version { CGROUP_NONE, CGROUP_V1, CGROUP_V2 };

/*
 * The figures of the target's own cgroup, each read by name from one file.
 * Bytes unless said; a field the kernel does not give stays absent (its bit
 * in cgroup_facts.has clear).  Recordings hold them by number
 * (session-codec.c): add new ones at the end, before CG_COUNT.
 */
enum cg_field {
	CG_CURRENT,      /* v2 memory.current; v1 memory.usage_in_bytes */
	CG_PEAK,         /* v2 memory.peak; v1 memory.max_usage_in_bytes */
	CG_MAX,          /* v2 memory.max; v1 memory.limit_in_bytes */
	CG_HIGH,         /* v2 memory.high */
	CG_SOFT_LIMIT,   /* v1 memory.soft_limit_in_bytes */
	CG_SWAP,         /* v2 memory.swap.current; v1 memory.stat total_swap */
	CG_SWAP_MAX,     /* v2 memory.swap.max (swap alone) */
	CG_MEMSW_MAX,    /* v1 memory.memsw.limit_in_bytes (memory + swap) */
	CG_ANON,         /* memory.stat: v2 anon; v1 total_rss */
	CG_FILE,         /* v2 file; v1 total_cache (both include shmem) */
	CG_SHMEM,        /* v2 shmem; v1 total_shmem */
	CG_KERNEL,       /* v2 kernel (5.18+); v1 memory.kmem.usage_in_bytes */
	CG_KERNEL_STACK, /* v2 kernel_stack */
	CG_PAGETABLES,   /* v2 pagetables */
	CG_SLAB_RECLAIMABLE,   /* v2 slab_reclaimable */
	CG_SLAB_UNRECLAIMABLE, /* v2 slab_unreclaimable */
	CG_FILE_DIRTY,         /* v2 file_dirty; v1 total_dirty */
	CG_FILE_WRITEBACK,     /* v2 file_writeback; v1 total_writeback */
	CG_ACTIVE_FILE,        /* v2 active_file; v1 total_active_file */
	CG_INACTIVE_FILE,      /* v2 inactive_file; v1 total_inactive_file */
	CG_PGMAJFAULT,         /* a count: pgmajfault; v1 total_pgmajfault */
	CG_REFAULT_ANON, /* a count: workingset_refault_anon (v1 total_) */
	CG_REFAULT_FILE, /* a count: workingset_refault_file (v1 total_) */
	/* Counts.  v2 memory.events (this cgroup and its descendants): */
	CG_EV_HIGH,           /* high: throttled over memory.high */
	CG_EV_MAX,            /* max: hit memory.max */
	CG_EV_OOM,            /* oom: the limit was hit, allocation failing */
	CG_EV_OOM_KILL,       /* oom_kill (v1: memory.oom_control oom_kill) */
	CG_EV_OOM_GROUP_KILL, /* oom_group_kill (6.1+) */
	/* v2 memory.events.local (this cgroup alone): */
	CG_EV_LOCAL_OOM,
	CG_EV_LOCAL_OOM_KILL,
	CG_EV_LOCAL_OOM_GROUP_KILL,
	/* v1 memory.oom_control: */
	CG_UNDER_OOM,        /* under_oom: 1 while the cgroup is in OOM */
	CG_OOM_KILL_DISABLE, /* oom_kill_disable: 1 stalls instead */
	CG_NPROCS,           /* a count: the lines of cgroup.procs */
	CG_COUNT
};
/* "current", "anon", "oom_kill", ...: the kernel's names (v2 spelling). */
const char *cg_field_name(enum cg_field f);
/* Whether the field is a size in bytes (false for counts and flags). */
bool cg_field_is_bytes(enum cg_field f);

/* One line of a PSI file: "some avg10=0.12 avg60=... avg300=... total=N". */
struct psi_line {
	uint8_t present;
	double avg10, avg60, avg300; /* percent of time stalled */
	uint64_t total;              /* microseconds stalled, in all */
};
enum psi_scope { PSI_NONE, PSI_CGROUP, PSI_SYSTEM };
/* Memory pressure: v2 memory.pressure, else /proc/pressure/memory. */
struct psi {
	uint8_t scope; /* enum psi_scope */
	struct psi_line some, full;
};

/* Who a cgroup is, in a user's words (from its path alone). */
enum cgroup_owner_kind {
	OWNER_UNKNOWN,
	OWNER_K8S_POD,   /* kubepods...pod<UID>..., maybe a container */
	OWNER_CONTAINER, /* docker, podman (libpod), lxc: no pod */
	OWNER_SYSTEMD_SERVICE,
	OWNER_SYSTEMD_SCOPE,
	OWNER_SYSTEMD_SLICE,
	OWNER_ROOT /* "/" */
};
struct cgroup_owner {
	uint8_t kind;          /* enum cgroup_owner_kind */
	char pod_uid[40];      /* 8-4-4-4-12, dashes even where systemd */
	                       /* wrote underscores; "" if none */
	char qos[12];          /* "guaranteed", "burstable", "besteffort" */
	char runtime[12];      /* "containerd", "cri-o", "docker", "podman", */
	                       /* "lxc"; "" when the path does not say */
	char container_id[72]; /* hex (64 mostly); "" if none */
	char unit[128];        /* systemd unit or slice: the innermost */
};

/* The limit that binds: the smallest among the cgroup and its ancestors. */
struct cgroup_limit {
	uint64_t max;     /* bytes; CG_UNLIMITED when no level has one */
	uint16_t up;      /* levels above the target's cgroup (0: its own) */
	uint64_t current; /* that cgroup's usage, bytes */
	/* What that cgroup cannot reclaim: anon + shmem + unreclaimable
	 * kernel memory (v2 memory.stat; v1: total_rss + total_shmem). */
	uint64_t unreclaimable;
	uint64_t swap;     /* its swap in use, bytes */
	uint64_t swap_max; /* how much swap it may use: v2 memory.swap.max
	                    * (down the ancestors), v1 memsw - limit;
	                    * CG_UNLIMITED */
	uint8_t has_usage; /* current and unreclaimable were read */
	uint8_t at_high;   /* a level is at or over its memory.high */
};

#define CG_PATH_MAX 256

struct cgroup_facts {
	uint8_t version;        /* enum cgroup_version; NONE: nothing read */
	char path[CG_PATH_MAX]; /* as /proc/PID/cgroup says: "/a/b" */
	uint64_t v[CG_COUNT];
	uint64_t has; /* bit (1 << CG_x) when v[CG_x] was read */
	struct cgroup_limit limit;
	struct psi psi;
	struct cgroup_owner owner;
	/* OOM kills in this cgroup since memtop began to watch it (the rise
	 * of memory.events oom_kill / memory.oom_control oom_kill, plus
	 * oom_group_kill), not its lifetime total. */
	uint64_t oom_kills;
};

static inline bool
cg_has(const struct cgroup_facts *f, enum cg_field x)
{
	return (f->has >> x) & 1;
}

/* The path of the cgroup whose limit binds (f->path, up levels higher)
 * into buf; returns buf. */
char *cgroup_limit_path(const struct cgroup_facts *f, char *buf, size_t size);

/* "pod 0f3a...e1 (burstable), container 4b2c...9d (containerd)", "docker
 * container 4b2c9d01a2b3", "systemd nginx.service", or the raw path when the
 * owner is unknown.  Raw bytes of the path are copied as they are: escape
 * the result before printing it.  Returns buf. */
char *cgroup_owner_format(const struct cgroup_facts *f, char *buf, size_t size);

/*
 * The target's share of its cgroup in percent: its RssAnon + RssShmem
 * (status, kB) against the cgroup's anon + shmem (memory.stat); -1 when
 * either is unknown.  Other processes of the cgroup make it less than 100.
 */
double cgroup_share_pct(
    const struct cgroup_facts *f, uint64_t rss_anon_kb, uint64_t rss_shmem_kb);

/* ---- Reading them (I/O: the live source's) ---- */

struct cgroup_reader;

/*
 * Find the memory cgroup of the process whose /proc/PID directory is
 * procfd (v1 memory controller, else v2 with the memory controller) and
 * pin its directory.  Never NULL: a reader of a process with no memory
 * cgroup reads facts with version CGROUP_NONE.  Keeps the OOM-kill
 * counters it finds now as the start for cgroup_facts.oom_kills.
 */
struct cgroup_reader *cgroup_reader_open(int procfd);
/* The same with the hierarchies mounted where m says (tests point it at a
 * tree of fixture files). */
struct cgroup_mounts;
struct cgroup_reader *cgroup_reader_open_mounts(
    int procfd, const struct cgroup_mounts *m);
void cgroup_reader_close(struct cgroup_reader *r);

/*
 * Read the facts now.  Looks at /proc/PID/cgroup again first: a process
 * moved to another cgroup is followed.  0, or -errno when the process's
 * cgroup cannot be read (f->version is then CGROUP_NONE).
 */
int cgroup_read(struct cgroup_reader *r, struct cgroup_facts *f);

/*
 * The OOM-kill counters of the pinned cgroup (oom_kill + oom_group_kill;
 * v1: memory.oom_control oom_kill) and its "oom" events (v2), read through
 * the directory kept open, so they can be read after the target is gone.
 * 0, or -errno.
 */
int cgroup_read_oom_kills(
    struct cgroup_reader *r, uint64_t *kills, uint64_t *ooms);

#endif
