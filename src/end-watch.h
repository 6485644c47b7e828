/*
 * end-watch.h - the evidence of how a live target ends, gathered by the live
 * source: a pidfd opened at start (its exit status, Linux 6.15+), the
 * zombie's exit code, the OOM-kill counters of the target's cgroup and of
 * /proc/vmstat at each sample and after the death, and /dev/kmsg from the
 * moment memtop began to watch.  verdict.h weighs it.
 */
#ifndef MEMTOP_END_WATCH_H
#define MEMTOP_END_WATCH_H

#include "cgroup.h"
#include "snapshot.h"
#include "verdict.h"

struct end_watch;

/* Start watching process pid (procfd: its pinned /proc/PID).  Opens what
 * it may; what it may not (no pidfd_open, /dev/kmsg unreadable) is left
 * out of the evidence later.  Never NULL. */
struct end_watch *end_watch_open(int pid, int procfd, struct cgroup_reader *cg);
void end_watch_close(struct end_watch *w);

/* A whole sample of the live target was taken: keep its counters (unless
 * SIGKILL is already pending) and binding limit as the "before" of the
 * death. */
void end_watch_sample(struct end_watch *w, const struct snapshot_info *info);

/*
 * The target is gone (or a zombie): gather the rest of the evidence, waiting
 * up to about half a second for the exit status and the kernel's log line,
 * and decide.  v->wall is set to now.
 */
void end_watch_finish(struct end_watch *w, struct end_verdict *v);

#endif
