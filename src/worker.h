/*
 * worker.h - one job at a time on a second thread, waited for: work that
 * needs nothing of what the caller does meanwhile (a sample's recording
 * beside its ingest) takes the second core rather than the caller's time.
 */
#ifndef MEMTOP_WORKER_H
#define MEMTOP_WORKER_H

struct worker;

/* A worker, its thread started (or, if it could not be, at its first
 * job; the job runs in the caller when it cannot be either). */
struct worker *worker_new(void);
/* Waits for a job still running, then ends the thread. */
void worker_free(struct worker *w);

/* Run fn(arg) on the worker's thread, or here and now when no thread can
 * be started; worker_wait() before the next job and before reading what
 * fn wrote. */
void worker_run(struct worker *w, void (*fn)(void *), void *arg);
void worker_wait(struct worker *w);

#endif
