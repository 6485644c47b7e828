/*
 * restart.h - a watched process that its supervisor restarted (-P
 * --follow): which process the one watched now replaced, how that one
 * ended, and when.  A sample fact (snapshot_info.restart): the live pump
 * sets it on every sample of the new process, a recording keeps it (sample
 * record tag 16, doc/session-format.md), so one file holds the death, the
 * verdict and the new life, and a replay shows the switch where it came.
 * No curses, no I/O.
 */
#ifndef MEMTOP_RESTART_H
#define MEMTOP_RESTART_H

#include <stddef.h>
#include <stdint.h>

#include "verdict.h"

#define RESTART_NOTICE_S 60 /* how long a dashboard tells of a restart */

struct target_restart {
	uint32_t count;          /* restarts followed so far; 0: none */
	int old_pid;             /* the process that ended */
	uint64_t old_start_time; /* its start time, clock ticks after boot */
	uint8_t old_state;       /* enum target_state it ended in */
	struct end_verdict how;  /* how it ended (how.known clear: unknown) */
	double ended_wall;       /* when memtop saw it end (unix time) */
	double switched_wall;    /* when memtop found the new one */
};

/*
 * "restarted: pid 4114 OOM-killed (cgroup /a: limit 64M) at 01:49:23, now
 * pid 4187" (now_pid: the process watched now).  The verdict's cgroup path
 * is copied raw: escape the line before printing it.  Returns buf.
 */
char *restart_format(
    const struct target_restart *r, int now_pid, char *buf, size_t size);
/* How the old process ended, and when: "OOM-killed (cgroup /a: limit 64M)
 * at 01:49:23" (raw bytes as above).  Returns buf. */
char *restart_how(const struct target_restart *r, char *buf, size_t size);

/* The sample fact's row of session-codec.c's sample_facts (over struct
 * snapshot): its value, and back. */
struct buf;
struct rd;
void restart_fact_encode(struct buf *b, const void *snapshot);
int restart_fact_decode(struct rd *r, void *snapshot);
void restart_fact_clear(void *snapshot);

#endif
