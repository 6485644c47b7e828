/*
 * sampler.c - a thread that reads the source at intervals and hands finished
 * samples to the interface through a pipe, so that a read stuck on a target
 * in D state or a frozen cgroup never blocks the keyboard.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rtfetch.h"
#include "sampler.h"
#include "util.h"

struct sampler {
	struct source *src;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	int pipe[2]; /* [0] polled by the interface */

	/* Under lock. */
	double interval;
	long limit, taken; /* stop sampling after limit samples (0: never) */
	bool now;          /* sampler_now(): the next sample at once */
	bool paused, stop, ended, detached;
	double busy_since;      /* clock_mono() at start, 0 idle */
	struct snapshot *ready; /* newest finished sample, or NULL */
	struct snapshot *spare; /* a buffer given back for the next, or NULL */
	char *cause;
	int err;
	enum target_state end_state;
	struct end_verdict end_verdict;
};

static void
sampler_notify(struct sampler *sp)
{
	char c = 1;

	/* The pipe is non-blocking: a full pipe already says "ready". */
	if (write(sp->pipe[1], &c, 1) < 0 && errno != EAGAIN)
		return;
}

/* Wait on sp->wake (under the lock) until clock_mono() time t at the latest;
 * ETIMEDOUT when it passed. */
static int
sampler_wait(struct sampler *sp, double t)
{
	struct timespec ts;

	ts.tv_sec = (time_t)t;
	ts.tv_nsec = (long)((t - (double)ts.tv_sec) * 1e9);
	return pthread_cond_timedwait(&sp->wake, &sp->lock, &ts);
}

static void
sampler_wait_until(struct sampler *sp, double due)
{
	while (!sp->stop && !sp->now && (sp->paused || clock_mono() < due))
		sampler_wait(sp, sp->paused ? clock_mono() + 3600 : due);
	sp->now = false;
}

/*
 * A buffer for the next sample: the thread's own, else one given back (the
 * pump gives each back once it has ingested and recorded it), else, when
 * none comes within a second of the due time (a front end that keeps its
 * samples), a new one.  So the sampler and the pump hold two between them.
 */
static struct snapshot *
sampler_buffer(struct sampler *sp, struct snapshot *work, double due)
{
	if (work != NULL)
		return work;
	while (sp->spare == NULL && !sp->stop && clock_mono() < due + 1)
		sampler_wait(sp, due + 1);
	if (sp->spare != NULL) {
		work = sp->spare;
		sp->spare = NULL;
		return work;
	}
	return snapshot_new();
}

static void *
sampler_thread(void *arg)
{
	struct sampler *sp = arg;
	struct snapshot *work = snapshot_new();
	char *cause = NULL;
	double due = clock_mono();
	int rc;

	pthread_mutex_lock(&sp->lock);
	for (;;) {
		sampler_wait_until(sp, due);
		if (sp->stop)
			break;
		work = sampler_buffer(sp, work, due);
		if (sp->stop)
			break;
		sp->busy_since = clock_mono();
		pthread_mutex_unlock(&sp->lock);

		rc = source_next(sp->src, work, &cause);

		pthread_mutex_lock(&sp->lock);
		sp->busy_since = 0;
		pthread_cond_broadcast(&sp->wake); /* sampler_stop waits */
		if (rc == SOURCE_SAMPLE) {
			/* An older one not taken yet: the newest wins, and
			 * the older is the next buffer. */
			struct snapshot *t = sp->ready;

			sp->ready = work;
			work = t;
			sp->taken++;
		} else if (rc != SOURCE_AGAIN) {
			sp->ended = true;
			sp->err = rc < 0 ? rc : 0;
			sp->end_state = work->state;
			sp->end_verdict = work->end;
			sp->cause = cause;
			cause = NULL;
		}
		/* The next sample is due an interval after this one began, or
		 * at once if this one took longer than that. */
		due += sp->interval;
		if (due < clock_mono())
			due = clock_mono();
		sampler_notify(sp);
		if (sp->ended)
			break;
		/* -n: no sample that would be thrown away. */
		while (sp->limit > 0 && sp->taken >= sp->limit && !sp->stop)
			sampler_wait(sp, clock_mono() + 3600);
	}
	pthread_mutex_unlock(&sp->lock);
	snapshot_free(work);
	return NULL;
}

struct sampler *
sampler_start(struct source *src, double interval)
{
	struct sampler *sp = xcalloc(1, sizeof *sp);
	pthread_condattr_t ca;

	sp->src = src;
	sp->interval = interval;
	if (pipe2(sp->pipe, O_CLOEXEC | O_NONBLOCK) != 0)
		fatal(EXIT_FAILURE_GENERIC, "pipe: %s", strerror(errno));
	pthread_mutex_init(&sp->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&sp->wake, &ca);
	pthread_condattr_destroy(&ca);
	/* Signals go to the interface's thread, never to one stuck in a
	 * read that nothing interrupts. */
	if (thread_start(&sp->thread, sampler_thread, sp) != 0)
		fatal(EXIT_FAILURE_GENERIC, "cannot start the sampling thread");
	return sp;
}

int
sampler_fd(const struct sampler *sp)
{
	return sp->pipe[0];
}

/* Under the lock: buf is free for the thread's next sample. */
static void
sampler_keep(struct sampler *sp, struct snapshot *buf)
{
	if (sp->spare == NULL) {
		sp->spare = buf;
		pthread_cond_broadcast(&sp->wake);
	} else
		snapshot_free(buf);
}

void
sampler_give(struct sampler *sp, struct snapshot *snap)
{
	if (snap == NULL)
		return;
	pthread_mutex_lock(&sp->lock);
	sampler_keep(sp, snap);
	pthread_mutex_unlock(&sp->lock);
}

int
sampler_take(struct sampler *sp, struct snapshot **snap, char **cause)
{
	char buf[64];
	int rc = SOURCE_AGAIN;

	while (read(sp->pipe[0], buf, sizeof buf) > 0)
		continue;
	pthread_mutex_lock(&sp->lock);
	if (sp->ready != NULL) {
		struct snapshot *t = sp->ready;

		sp->ready = NULL;
		if (*snap != NULL)
			sampler_keep(sp, *snap);
		*snap = t;
		rc = SOURCE_SAMPLE;
		/* The end came too: the pipe says so again. */
		if (sp->ended)
			sampler_notify(sp);
	} else if (sp->ended) {
		*cause = sp->cause;
		sp->cause = NULL;
		rc = sp->err < 0 ? sp->err : SOURCE_END;
	}
	pthread_mutex_unlock(&sp->lock);
	return rc;
}

enum target_state
sampler_end_state(const struct sampler *sp)
{
	return sp->end_state;
}

const struct end_verdict *
sampler_end_verdict(const struct sampler *sp)
{
	return &sp->end_verdict;
}

void
sampler_now(struct sampler *sp)
{
	if (sp == NULL)
		return;
	pthread_mutex_lock(&sp->lock);
	sp->now = true;
	pthread_cond_signal(&sp->wake);
	pthread_mutex_unlock(&sp->lock);
}

void
sampler_full_now(struct sampler *sp)
{
	if (sp == NULL)
		return;
	source_live_full_now(sp->src);
	sampler_now(sp);
}

bool
sampler_set_rtfetch(struct sampler *sp, struct rtfetch *rf)
{
	if (sp == NULL || !source_is_live(sp->src)) {
		rtfetch_stop(rf);
		return false;
	}
	source_live_set_rtfetch(sp->src, rf);
	return true;
}

void
sampler_set_limit(struct sampler *sp, long n)
{
	pthread_mutex_lock(&sp->lock);
	sp->limit = n;
	pthread_cond_signal(&sp->wake);
	pthread_mutex_unlock(&sp->lock);
}

void
sampler_set_interval(struct sampler *sp, double interval)
{
	pthread_mutex_lock(&sp->lock);
	sp->interval = interval;
	pthread_cond_signal(&sp->wake);
	pthread_mutex_unlock(&sp->lock);
}

double
sampler_interval(const struct sampler *sp)
{
	return sp->interval;
}

void
sampler_pause(struct sampler *sp, bool paused)
{
	pthread_mutex_lock(&sp->lock);
	sp->paused = paused;
	pthread_cond_signal(&sp->wake);
	pthread_mutex_unlock(&sp->lock);
}

bool
sampler_paused(const struct sampler *sp)
{
	return sp->paused;
}

double
sampler_busy(struct sampler *sp)
{
	double since;

	pthread_mutex_lock(&sp->lock);
	since = sp->busy_since;
	pthread_mutex_unlock(&sp->lock);
	return since > 0 ? clock_mono() - since : 0;
}

bool
sampler_late(struct sampler *sp)
{
	return sampler_busy(sp) > sp->interval + 1;
}

bool
sampler_stop(struct sampler *sp)
{
	double deadline = clock_mono() + 0.5;
	bool stuck;

	if (sp == NULL)
		return true;
	pthread_mutex_lock(&sp->lock);
	sp->stop = true;
	pthread_cond_broadcast(&sp->wake);
	/* A read under way gets half a second to end. */
	while (sp->busy_since > 0 && sampler_wait(sp, deadline) != ETIMEDOUT)
		;
	stuck = sp->busy_since > 0;
	pthread_mutex_unlock(&sp->lock);
	if (stuck) {
		/* Its read may never return (D state, a FUSE server that does
		 * not answer): leave it, and its memory, to exit; what its
		 * parser would call belongs to the caller, who frees it. */
		if (source_is_live(sp->src))
			source_live_set_ahead(sp->src, NULL, NULL);
		pthread_detach(sp->thread);
		return false;
	}
	pthread_join(sp->thread, NULL);
	close(sp->pipe[0]);
	close(sp->pipe[1]);
	snapshot_free(sp->ready);
	snapshot_free(sp->spare);
	free(sp->cause);
	pthread_cond_destroy(&sp->wake);
	pthread_mutex_destroy(&sp->lock);
	free(sp);
	return true;
}
