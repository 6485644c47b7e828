/*
 * proclist.h - the machine's processes and their memory, sampled at the
 * list's own ticks: what the picker shows and `memtop -b` without -p prints.
 * No curses.  Several lists may exist at once; a list is used by one thread.
 *
 * What one tick reads (at 2,000 processes it costs less than one smaps read
 * of a 10,000-mapping process: bench/run --proclist):
 * - readdir(/proc) finds the processes;
 * - a process seen for the first time is identified once through libproc2
 *   (procps_pids_select: start time, flags, ppid, user name) and pinned:
 *   /proc/PID is opened as a directory and /proc/PID/statm is kept open, so
 *   a reused PID can never pass for the process it replaced;
 * - every tick re-reads every process's statm through its open fd (pread at
 *   offset 0: no path walk, no open): VmRSS and RssAnon exactly, and whether
 *   anything moved.  status, five times dearer to the kernel (its cpuset
 *   bitmaps, signal masks...), would alone cost about as much as the smaps
 *   read at 2,000 processes, so it is read when statm moved, and in turn;
 * - smaps_rollup (PSS) and oom_score only for the PIDs the caller asks for
 *   (the rows on screen) and the top N by RSS (those when statm moved since
 *   the last read or that is PROCLIST_PSS_MAX_AGE ticks old), the least
 *   recently read first, within a time budget;
 * - status, cmdline, cgroup and oom_score of every process at first sight
 *   and again in turn, 1/PROCLIST_SLOW_EVERY of them per tick (and status's
 *   Name changing - an exec - brings the cmdline at once).
 * Pinning costs two file descriptors and about 4 kB of kernel memory (the
 * seq_file page of the open statm) per process: proclist_new raises the
 * RLIMIT_NOFILE soft limit toward the hard one, and the processes beyond
 * what it allows are read by path, each tick opening and checking them.
 * Descriptors above 1023 are then likely: code sharing the process must use
 * poll(), never select().
 */
#ifndef MEMTOP_PROCLIST_H
#define MEMTOP_PROCLIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rx.h"

#define PROCLIST_HISTORY       60  /* ticks of history kept per process */
#define PROCLIST_RATE_WINDOW   10  /* ticks in the least-squares rate window */
#define PROCLIST_TOP_DEFAULT   32  /* top processes by RSS that get PSS */
#define PROCLIST_PSS_BUDGET_MS 4.0 /* default smaps_rollup time per tick */
#define PROCLIST_CMDLINE_MAX   4096
#define PROCLIST_SLOW_EVERY    32 /* ticks between status/cmdline/cgroup/oom */
#define PROCLIST_PSS_MAX_AGE \
	16 /* ticks before a still process's PSS is
                                   * read again */

/* What memtop may read of a process. */
enum proc_access {
	PROC_ACCESS_FULL,     /* every figure */
	PROC_ACCESS_NO_SMAPS, /* status yes, smaps_rollup no: another user's
	                       * process without ptrace access (root, or
	                       * CAP_SYS_PTRACE) */
	PROC_ACCESS_HIDDEN    /* listed in /proc but unreadable (hidepid=1):
	                       * the PID, and the user when the directory
	                       * says */
};
const char *proc_access_name(enum proc_access a);

/* One process.  Owned by the list; valid until the next proclist_update()
 * or proclist_free().  Strings are raw bytes from the target: escape them
 * before printing (util.h). */
struct proc_entry {
	int pid;
	int ppid;
	uint64_t start_time; /* stat field 22, clock ticks after boot: with
	                      * pid, the process's identity */
	unsigned uid;        /* status Uid (effective), at first sight */
	bool uid_known;
	char user[33]; /* libproc2's name of uid, or the number */
	char comm[64]; /* status Name */
	char *cmdline; /* /proc/PID/cmdline, NULs between arguments as
	                      * spaces; "" when empty (a zombie, or argv
	                      * wiped), never NULL */
	size_t cmdline_len;
	bool cmdline_truncated; /* longer than PROCLIST_CMDLINE_MAX */
	char *cgroup;           /* /proc/PID/cgroup: the v1 memory or v2 path;
	                     * "" when unknown, never NULL */
	char *container; /* the namer's name of cgroup (proclist_set_namer),
	                     * or NULL */
	enum proc_access access;

	/* /proc/PID/status, kB; mem_known is false when status has no Vm
	 * lines (a zombie or a process on its way out) or could not be read */
	bool mem_known;
	uint64_t rss_kb;   /* VmRSS */
	uint64_t anon_kb;  /* RssAnon */
	uint64_t file_kb;  /* RssFile */
	uint64_t shmem_kb; /* RssShmem */
	uint64_t swap_kb;  /* VmSwap */

	/* /proc/PID/smaps_rollup, kB, as of pss_mono (the last read; may be
	 * some ticks old) */
	bool pss_known;
	int pss_errno; /* why it is not known: 0 never asked, EACCES ... */
	uint64_t pss_kb, pss_anon_kb, pss_file_kb, pss_shmem_kb, swap_pss_kb;
	double pss_mono;

	/* /proc/PID/oom_score, as of oom_mono */
	bool oom_known;
	int oom_score;
	double oom_mono;

	/* Growth of VmRSS + VmSwap (a leak being pushed to swap still grows),
	 * kB/s, least squares over the last PROCLIST_RATE_WINDOW ticks; 0
	 * until two ticks have seen it. */
	double rate_kb_s;
	uint64_t first_seq; /* the tick that first saw it */
};

/* Why a figure of e is missing, for a user: NULL when PSS is known, else
 * "permission denied (needs root or CAP_SYS_PTRACE)", "not read yet" ... */
const char *proclist_why(const struct proc_entry *e);

/* What the last tick did and cost. */
struct proclist_tick {
	uint64_t seq;           /* tick number, 0-based */
	double mono, wall;      /* when it began */
	double wall_ms, cpu_ms; /* its cost (CPU: the calling thread's) */
	size_t nprocs;          /* entries listed (kernel threads left out) */
	size_t nnew, ngone;     /* since the tick before */
	size_t nhidden;         /* listed as PROC_ACCESS_HIDDEN */
	size_t nkthreads;       /* kernel threads left out */
	size_t nunpinned;       /* read by path: beyond the descriptor limit */
	size_t nfailed;         /* in /proc but not read (gone meanwhile, out of
	                 * descriptors...): not listed this tick */
	size_t nstatm;          /* statm reads (one per process) */
	size_t nstatus;         /* status reads (statm moved, or in turn) */
	size_t nrollup;         /* smaps_rollup reads */
	bool hidepid;           /* /proc is mounted hidepid: other users'
	                        * processes may be missing altogether */
};

struct proclist;

/* A list with no processes yet (the first proclist_update() fills it).
 * NULL with *err (malloc'd) when libproc2 cannot start. */
struct proclist *proclist_new(char **err);
void proclist_free(struct proclist *l);

/*
 * One tick: list the processes, read their status, the PSS and oom_score of
 * those wanted and of the top ones, and advance the history.  Entries of
 * processes that ended are dropped; a PID now held by another process is a
 * new entry.  0, or -errno when /proc cannot be listed (the entries stay as
 * they were).
 */
int proclist_update(struct proclist *l);

/* The PIDs whose PSS every following tick reads (the rows on screen),
 * moving or not: copied.  They share the budget with the top ones, the
 * least recently read first (the wanted first among equals). */
void proclist_want_pss(struct proclist *l, const int *pids, size_t n);
/* How many of the biggest by RSS get PSS each tick (PROCLIST_TOP_DEFAULT). */
void proclist_set_top(struct proclist *l, size_t n);
/* Milliseconds of smaps_rollup reading per tick (PROCLIST_PSS_BUDGET_MS);
 * the least recently read go first, so all of them get their turn. */
void proclist_set_pss_budget(struct proclist *l, double ms);

/*
 * The container, pod or unit of a cgroup path, for the container column and
 * the filter: returns a malloc'd name or NULL.  Called once per process and
 * again when its cgroup changes.  (src/cgroup.c will provide one.)
 */
typedef char *(*proclist_namer)(const char *cgroup, void *arg);
void proclist_set_namer(struct proclist *l, proclist_namer fn, void *arg);

/* Entries in PID order. */
size_t proclist_count(const struct proclist *l);
const struct proc_entry *proclist_at(const struct proclist *l, size_t i);
const struct proc_entry *proclist_find(const struct proclist *l, int pid);
const struct proclist_tick *proclist_last_tick(const struct proclist *l);

/*
 * VmRSS + VmSwap of e at the last n ticks (n <= PROCLIST_HISTORY), oldest
 * first, into out; ticks before it was first seen read HISTORY_NONE
 * (model.h), ready for spark_render().  Returns the count written.
 */
size_t proclist_history(const struct proclist *l, const struct proc_entry *e,
    uint64_t *out, size_t max);

/* Columns of the process table. */
enum proclist_col {
	PCOL_PID,
	PCOL_USER,
	PCOL_COMM,
	PCOL_CMDLINE,
	PCOL_RSS,
	PCOL_PSS,
	PCOL_SWAP,
	PCOL_ANON,
	PCOL_RATE,
	PCOL_OOM,
	PCOL_CGROUP,
	PCOL_COUNT
};
/* "pid", "user", "comm", "cmdline", "rss", "pss", "swap", "anon", "rate",
 * "oom_score", "cgroup" (-s names, and with _kb the JSON keys). */
const char *proclist_col_name(enum proclist_col c);
const char *proclist_col_title(enum proclist_col c); /* "PID", "PSS" ... */
/* -1 if unknown; the name or the title, any case. */
int proclist_col_lookup(const char *name);
/* Sizes, rates and oom_score sort biggest first by default. */
bool proclist_col_desc_default(enum proclist_col c);

/*
 * Sort rows by col (qsort_r: no shared state).  A value that is not known
 * (PSS not read, oom_score not read, a hidden process's memory) sorts after
 * every known one in either direction; ties go by PID.
 */
void proclist_sort(const struct proc_entry **rows, size_t n,
    enum proclist_col col, bool descending);

/* Whether e's command line (its comm when the command line is empty), its
 * container name or its cgroup path matches rx. */
bool proclist_matches(const struct proc_entry *e, const struct rx *rx);

/* The rows of one table over a list: borrowed entries, valid until the
 * next proclist_update().  Several views may share one list. */
struct proclist_view {
	const struct proc_entry **rows;
	size_t nrows, cap;
};
/* Rebuild v: the entries that match filter (NULL: all), sorted. */
void proclist_view_build(struct proclist_view *v, const struct proclist *l,
    enum proclist_col col, bool descending, const struct rx *filter);
void proclist_view_free(struct proclist_view *v);

#endif
