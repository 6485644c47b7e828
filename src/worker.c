/*
 * worker.c - one job at a time on a second thread, waited for.
 */
#include "config.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "util.h"
#include "worker.h"

struct worker {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool started, quit;
	/* Under the lock: the job, until it is done. */
	void (*fn)(void *);
	void *arg;
};

static void *
worker_thread(void *arg)
{
	struct worker *w = arg;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (!w->quit && w->fn == NULL)
			pthread_cond_wait(&w->cond, &w->lock);
		if (w->fn == NULL)
			break; /* quit, with no job left */
		pthread_mutex_unlock(&w->lock);
		w->fn(w->arg);
		pthread_mutex_lock(&w->lock);
		w->fn = NULL;
		pthread_cond_broadcast(&w->cond);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

/* Start the thread, if it has not: whether it runs. */
static bool
worker_start(struct worker *w)
{
	if (!w->started)
		w->started = thread_start(&w->thread, worker_thread, w) == 0;
	return w->started;
}

struct worker *
worker_new(void)
{
	struct worker *w = xcalloc(1, sizeof *w);

	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	worker_start(w);
	return w;
}

void
worker_run(struct worker *w, void (*fn)(void *), void *arg)
{
	if (!worker_start(w)) {
		fn(arg);
		return;
	}
	pthread_mutex_lock(&w->lock);
	while (w->fn != NULL)
		pthread_cond_wait(&w->cond, &w->lock);
	w->fn = fn;
	w->arg = arg;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

void
worker_wait(struct worker *w)
{
	if (!w->started)
		return;
	pthread_mutex_lock(&w->lock);
	while (w->fn != NULL)
		pthread_cond_wait(&w->cond, &w->lock);
	pthread_mutex_unlock(&w->lock);
}

void
worker_free(struct worker *w)
{
	if (w == NULL)
		return;
	if (w->started) {
		pthread_mutex_lock(&w->lock);
		w->quit = true;
		pthread_cond_broadcast(&w->cond);
		pthread_mutex_unlock(&w->lock);
		pthread_join(w->thread, NULL);
	}
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->cond);
	free(w);
}
