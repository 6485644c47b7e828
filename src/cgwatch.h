/*
 * cgwatch.h - the memory cgroups of the process list's rows: each one's
 * usage against its binding limit at the list's ticks, and when the OOM
 * killer will come at its growth (oom.h).  Read only for the cgroups asked
 * for (those of the rows on screen), once per tick each, however many of
 * their processes are shown: what the picker's cgroup OOM column costs.
 * No curses.
 */
#ifndef MEMTOP_CGWATCH_H
#define MEMTOP_CGWATCH_H

#include <stdint.h>

#include "oom.h"

#define CGWATCH_MAX     64 /* cgroups watched at once */
#define CGWATCH_HISTORY 60 /* ticks of usage kept per cgroup */
#define CGWATCH_FORGET  30 /* ticks unasked before one is dropped */

struct cgwatch;

struct cgwatch *cgwatch_new(void);
void cgwatch_free(struct cgwatch *w);

/*
 * The projection of the memory cgroup `cgroup` (a path as the process
 * list has it) of process pid at tick (the list's tick number; now its
 * CLOCK_MONOTONIC time): read at most once per tick, through /proc/PID of
 * the first of its processes asked for (another one when that one ended).
 * NULL when the cgroup has no limit or cannot be read.  The projection is
 * the cgroup's: what it cannot reclaim against its binding limit.  Valid
 * until the next call.
 */
const struct oom_projection *cgwatch_project(
    struct cgwatch *w, int pid, const char *cgroup, uint64_t tick, double now);

/* Forget the cgroups not asked for in the last CGWATCH_FORGET ticks. */
void cgwatch_sweep(struct cgwatch *w, uint64_t tick);

#endif
