/*
 * source.h - where snapshots come from: the live /proc sampler or a session
 * file.  Nothing downstream knows which one it is talking to.
 */
#ifndef MEMTOP_SOURCE_H
#define MEMTOP_SOURCE_H

#include "snapshot.h"

struct source;

struct source_ops {
	const char *name;
	/*
	 * Fill *out with the next sample (its buffers are reused).
	 * Returns 0 with a sample, 1 at the end of the stream (replay: no more
	 * frames; live: the target is gone and out->state says how), 2 for
	 * "no sample yet, try again later" (replay in follow mode of a file
	 * still being written; see replay.h), or a negative errno with
	 * *cause set to a malloc'd one-line message.
	 */
	int (*next)(struct source *src, struct snapshot *out, char **cause);
	void (*close)(struct source *src);
};

struct source {
	const struct source_ops *ops;
	void *priv;
};

static inline int
source_next(struct source *src, struct snapshot *out, char **cause)
{
	return src->ops->next(src, out, cause);
}

static inline void
source_close(struct source *src)
{
	if (src != NULL)
		src->ops->close(src);
}

/*
 * Open a live source on pid: pins /proc/PID as a directory fd and records the
 * start time.  Returns NULL with *cause set (and *err = -errno: -ESRCH no such
 * process, -EACCES permission denied) on failure.
 */
struct source *source_live_open(int pid, char **cause, int *err);

/* Read /proc/PID/... relative to the pinned fd (used by tests). */
int source_live_dirfd(const struct source *src);

#endif
