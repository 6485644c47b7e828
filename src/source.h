/*
 * source.h - where snapshots come from: the live /proc sampler or a session
 * file.  Nothing downstream knows which one it is talking to.
 */
#ifndef MEMTOP_SOURCE_H
#define MEMTOP_SOURCE_H

#include <stdbool.h>

#include "snapshot.h"

struct source;

/*
 * What asking for a sample gave: the one set of results of a source's
 * next(), the sampler's sampler_take() and the player's player_take().  A
 * negative errno instead says the source failed (and has ended); *cause is
 * then a malloc'd one-line message.
 */
enum source_result {
	SOURCE_SAMPLE = 0, /* a sample was written to *out */
	SOURCE_END = 1,    /* the end of the stream: no sample */
	SOURCE_AGAIN = 2   /* no sample yet: ask again later */
};

struct source_ops {
	const char *name;
	/*
	 * Fill *out with the next sample (its buffers are reused).
	 * SOURCE_SAMPLE, SOURCE_END at the end of the stream (replay: no more
	 * frames; live: the target is gone and out->state says how),
	 * SOURCE_AGAIN (replay in follow mode of a file still being written;
	 * see replay.h), or -errno with *cause.
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

/* The Go endpoint to read the runtime's figures from each sample
 * (--runtime URL, or R in the dashboard), or NULL for none: the source
 * takes rf, stops the one it had, and stops rf when closed.  Safe from
 * any thread while the sampler's runs: the next sample reads rf. */
struct rtfetch;
void source_live_set_rtfetch(struct source *src, struct rtfetch *rf);

/* fn(arg, n) on the smaps parser's thread as it goes, with the n regions
 * of the sample read so far (model_pool_ahead(): the model's pool grows
 * beside the read).  Set before sampling starts; arg outlives the source,
 * or the hook is set to NULL first (sampler_stop() does, for a source it
 * leaves to a stuck thread). */
void source_live_set_ahead(
    struct source *src, void (*fn)(void *arg, size_t n), void *arg);

/* What to say when /proc's hidepid (mode, proc_hidepid()) kept
 * /proc/PID from being opened (open_errno): hidepid=1 hides a process's
 * files, not the process; 2 hides the process.  Malloc'd. */
char *source_live_hidden_cause(int pid, int mode, int open_errno);

/* Read /proc/PID/... relative to the pinned fd (used by tests). */
int source_live_dirfd(const struct source *src);

/*
 * How a live source samples.  LIVE_ADAPTIVE (the default where the kernel
 * has PAGEMAP_SCAN, Linux 6.7+): each sample is a tick (live-fast.h: the
 * mapping list, resident and swapped pages), and smaps is read whole at
 * the first sample, within the CPU budget, when asked (source_live_full_
 * now) and when the list says something moved that the tick cannot tell.
 * LIVE_FULL: smaps whole every sample (older kernels; MEMTOP_SAMPLER=full
 * forces it).  Returns the mode in force.  Call before sampling starts.
 */
enum live_mode { LIVE_FULL, LIVE_ADAPTIVE };
enum live_mode source_live_set_mode(struct source *src, enum live_mode mode);
/* The CPU memtop may spend, as a fraction of one core (default 0.02): the
 * ticks, and full reads as often as what is left allows. */
void source_live_set_budget(struct source *src, double fraction);
/* Read smaps whole at the next sample (the detail screen opened): callable
 * from any thread. */
void source_live_full_now(struct source *src);
/* How many ticks reused the mapping list they held, not reading it again
 * (the adaptive sampler; 0 without it). */
uint64_t source_live_lists_reused(const struct source *src);
/* Whether src is a live source. */
bool source_is_live(const struct source *src);

#endif
