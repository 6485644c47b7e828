/*
 * sampler.h - runs a source on its own thread, off the interface's path, so a
 * /proc read that blocks (a target in D state, a frozen cgroup) never freezes
 * the screen.  The interface polls sampler_fd() beside the keyboard.
 */
#ifndef MEMTOP_SAMPLER_H
#define MEMTOP_SAMPLER_H

#include <stdbool.h>

#include "source.h"

struct sampler;

/* Start sampling src every interval seconds (the first sample at once).
 * The sampler borrows src; close it after sampler_stop(). */
struct sampler *sampler_start(struct source *src, double interval);

/* Readable when a sample (or the end of the source) is ready. */
int sampler_fd(const struct sampler *sp);

/*
 * Take the newest finished sample into *snap; the buffer *snap held (if not
 * NULL) goes to the sampler for a later sample.  Returns SOURCE_SAMPLE with
 * a new sample, SOURCE_AGAIN when none is ready, SOURCE_END when the target went
 * away (sampler_end_state() tells how), or the source's -errno when it
 * failed; at the end *cause (malloc'd, may be NULL) says why.
 */
int sampler_take(struct sampler *sp, struct snapshot **snap, char **cause);

/* Give a taken sample's buffer back once done with it, so that the
 * sampler need not make a new one (snap may be NULL). */
void sampler_give(struct sampler *sp, struct snapshot *snap);

/* After sampler_take() said the end: how the target ended. */
enum target_state sampler_end_state(const struct sampler *sp);
/* ... and the source's verdict on it (known clear when it gave none). */
const struct end_verdict *sampler_end_verdict(const struct sampler *sp);

void sampler_set_interval(struct sampler *sp, double interval);
/* Take the next sample at once (sp may be NULL). */
void sampler_now(struct sampler *sp);
/* The next sample at once, every counter read whole (the adaptive
 * sampler's tick carries some from the last full read). */
void sampler_full_now(struct sampler *sp);
/* The runtime figures' endpoint from the next sample on (rf taken, NULL
 * for none; source_live_set_rtfetch()): false, rf stopped, when the
 * source is not a live one. */
struct rtfetch;
bool sampler_set_rtfetch(struct sampler *sp, struct rtfetch *rf);
/* Take no more than n samples (-n; 0: no limit): a run that stops after
 * its last sample never starts one more it would throw away. */
void sampler_set_limit(struct sampler *sp, long n);
double sampler_interval(const struct sampler *sp);
void sampler_pause(struct sampler *sp, bool paused);
bool sampler_paused(const struct sampler *sp);
/* Seconds the sample in progress has taken so far; 0 when idle.  It reads
 * what the thread writes, under the lock: sp is not const. */
double sampler_busy(struct sampler *sp);
/* Whether the sample in progress is overdue (busy > interval + 1 s). */
bool sampler_late(struct sampler *sp);

/* Stop.  Returns at once even when the thread is stuck in a read: it is then
 * left to die with the process, and false says the source is still in use
 * (do not close it).  True when the thread has finished. */
bool sampler_stop(struct sampler *sp);

#endif
