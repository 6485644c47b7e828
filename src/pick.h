/*
 * pick.h - choosing the target: -p with a list of PIDs, -P by a pattern on
 * the command line (like pgrep -f), and --follow, which finds the process
 * that replaces the watched one when a supervisor restarts it.  No curses.
 */
#ifndef MEMTOP_PICK_H
#define MEMTOP_PICK_H

#include <stddef.h>
#include <stdint.h>

#include "rx.h"

/* A process, as pick knows it: its PID and start time are its identity. */
struct pick_proc {
	int pid;
	int ppid;
	uint64_t
	    start_time; /* /proc/PID/stat field 22, clock ticks after boot */
};

/*
 * -p "12,345, 6789": the PIDs in the order given, duplicates dropped, into
 * *pids (malloc'd) and *n.  0, or -EINVAL with *err (malloc'd: "-p: 'x'
 * is not a process ID") for an empty item, a non-number, 0, a negative or
 * a PID above the kernel's limit.
 */
int pick_parse_pids(const char *arg, int **pids, size_t *n, char **err);

/*
 * -P: the processes whose command line (/proc/PID/cmdline, arguments joined
 * by spaces; comm when it is empty) matches rx (rx.h: smart case), like
 * pgrep -f, oldest first
 * (start time, then PID).  Left out: kernel threads, zombies, memtop itself
 * and its ancestors (a sudo, a `sh -c` or the dashboard's supervisor whose
 * command line names the pattern too), and processes that started before
 * min_start (clock ticks after boot; 0 for all).  Listed through libproc2:
 * stat for every process, cmdline for those that are left.
 * Returns the count with *out malloc'd (NULL when 0), or -errno.
 */
int pick_by_name(
    const struct rx *rx, uint64_t min_start, struct pick_proc **out);

/*
 * The successor of a watched process that ended: among candidates (the
 * matches of its pattern), the oldest that started at or after alive_ticks,
 * the last moment (clock ticks after boot) the watched one was seen alive,
 * and is not the watched process itself.  A process that was already
 * running then is another instance, not a restart.  Pure: the index, or -1.
 */
int pick_successor(const struct pick_proc *cand, size_t n,
    const struct pick_proc *watched, uint64_t alive_ticks);

/* Clock ticks after boot now (CLOCK_BOOTTIME, the clock of stat's start
 * time), rounded down. */
uint64_t pick_boot_ticks(void);

/* The identity of a live process: 0, or -errno (-ENOENT: no such). */
int pick_proc_of(int pid, struct pick_proc *p);

/* --follow: watches one process and, once it ended, looks for the next. */
struct pick_follow;

enum pick_follow_state {
	PICK_FOLLOW_WATCHING, /* the watched process runs */
	PICK_FOLLOW_ENDED,    /* it ended; no successor yet */
	PICK_FOLLOW_SWITCHED  /* a successor was found: now watched */
};

struct pick_follow_event {
	struct pick_proc old;  /* the process that ended */
	double alive_wall;     /* last seen alive (CLOCK_REALTIME s) */
	double ended_wall;     /* when the end was seen */
	struct pick_proc next; /* PICK_FOLLOW_SWITCHED: the successor */
	double switched_wall;
};

/*
 * Watch p (its start time must match the live process), finding successors
 * by rx (borrowed: it must outlive the follower).  NULL with *err (malloc'd)
 * when p is not running.  The end is seen through a pidfd (Linux 5.3), or
 * else by re-reading /proc/PID/stat through a pinned directory.
 */
struct pick_follow *pick_follow_new(
    const struct rx *rx, const struct pick_proc *p, char **err);
void pick_follow_free(struct pick_follow *f);

/* A descriptor that polls readable (POLLIN) when the watched process ends,
 * for the caller's poll() loop; -1 without pidfd support. */
int pick_follow_fd(const struct pick_follow *f);
/* The process watched now. */
const struct pick_proc *pick_follow_watched(const struct pick_follow *f);

/*
 * Non-blocking, for the sample loop: see whether the watched process still
 * runs and, once it ended, scan for a successor (at most every 50 ms at
 * first, backing off to every second while none comes).  ev is filled for
 * ENDED and SWITCHED; after SWITCHED the successor is the watched process.
 */
enum pick_follow_state pick_follow_poll(
    struct pick_follow *f, struct pick_follow_event *ev);

/* Blocking: wait up to timeout_s for the end and a successor.  SWITCHED, or
 * the state at the timeout. */
enum pick_follow_state pick_follow_wait(
    struct pick_follow *f, double timeout_s, struct pick_follow_event *ev);

#endif
