/*
 * smaps-pipe.h - read /proc/PID/smaps on one thread while another parses
 * what was read: the kernel takes most of a sample making the text, and
 * parsing it in the meantime leaves a sample about as long as the read.
 */
#ifndef MEMTOP_SMAPS_PIPE_H
#define MEMTOP_SMAPS_PIPE_H

#include <sys/types.h>

#include "live-fast.h"
#include "snapshot.h"

struct smaps_pipe;

/* A pipe and its parsing thread (started on first use), or NULL when no
 * thread can be started (the caller reads and parses in turn). */
struct smaps_pipe *smaps_pipe_new(void);
void smaps_pipe_free(struct smaps_pipe *p);

/* After each piece, fn(arg, n) on the parser's thread with the n regions
 * parsed so far in this read (model_pool_ahead()); fn NULL for none, and
 * once this returns the old fn is not running and will not be called. */
void smaps_pipe_set_ahead(
    struct smaps_pipe *p, void (*fn)(void *arg, size_t n), void *arg);

/*
 * Read fd to its end and parse it into out (cleared first), a piece of
 * whole lines at a time on the pipe's thread; with fast, each piece's
 * regions also go to live_fast_keep_upto() there (the caller ends it).
 * side(side_arg), unless NULL, runs first on the pipe's thread, while the
 * kernel makes the text: the sample's work that needs neither (reading
 * its other files); it is done when this returns, whatever it returns.
 * Returns the bytes read, or -errno: that of read(), -ENOMEM when the
 * parser could not grow out, -E2BIG for a line longer than a piece (the
 * caller then reads it its own way).
 */
ssize_t smaps_pipe_read(struct smaps_pipe *p, int fd, struct snapshot *out,
    struct live_fast *fast, void (*side)(void *), void *side_arg);

#endif
