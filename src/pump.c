/*
 * pump.c - take, ingest, record, end, count: the sample loop.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pump.h"
#include "util.h"
#include "verdict.h"
#include "worker.h"

struct pump {
	struct pump_config cfg;
	struct snapshot *snap; /* the sample being taken (swapped with the
	                          sampler's) */
	long samples;
	bool ended;
	char *end_cause;
	int end_err;
	enum target_state end_state;
	struct end_verdict end_verdict; /* a live target's: how it went */
	char *rec_error;                /* the recording stopped: why */
	/* A sample is recorded on the worker's thread while the model takes
	 * it (neither changes the sample): its outcome. */
	struct worker *rec_worker;
	int rec_rc;
	char *rec_cause;
	char *warning;
	/* --follow: the successor's source and sampler (the first target's
	 * are main's); the restart its samples carry; waiting: the target
	 * ended, how, and no successor yet. */
	struct source *own_source;
	struct sampler *own_sampler;
	struct target_restart restart, gone;
	bool waiting;
	char *runtime_url; /* pump_runtime_url() */
};

struct sampler *
pump_sampler_start(struct source *src, double interval, struct model *m)
{
	source_live_set_ahead(src, model_pool_ahead, model_ahead(m));
	return sampler_start(src, interval);
}

struct pump *
pump_new(const struct pump_config *cfg)
{
	struct pump *p = xcalloc(1, sizeof *p);

	p->cfg = *cfg;
	p->cfg.runtime_url = NULL;
	if (cfg->runtime_url != NULL && cfg->runtime_url[0] != '\0')
		p->runtime_url = xstrdup(cfg->runtime_url);
	p->snap = snapshot_new();
	if (cfg->rec != NULL && cfg->sampler != NULL)
		recorder_borrow_samples(cfg->rec);
	/* The recording's thread is ready before the first sample comes. */
	if (cfg->rec != NULL)
		p->rec_worker = worker_new();
	return p;
}

void
pump_free(struct pump *p)
{
	if (p == NULL)
		return;
	if (p->own_sampler != NULL && !sampler_stop(p->own_sampler))
		p->own_source = NULL; /* still in the stuck thread's hands */
	source_close(p->own_source);
	worker_free(p->rec_worker);
	snapshot_free(p->snap);
	free(p->end_cause);
	free(p->rec_error);
	free(p->warning);
	free(p->runtime_url);
	free(p);
}

static void
pump_warn(struct pump *p, char *msg)
{
	free(p->warning);
	p->warning = msg;
}

/* Why a live target stopped being sampled, in a user's words: how it
 * ended where the source could tell (verdict.h). */
static char *
pump_end_message(const struct pump *p, enum target_state state)
{
	char how[CG_PATH_MAX + 64] = "";
	int pid = p->cfg.pid;

	if (p->end_verdict.known) {
		memcpy(how, ": ", 3);
		verdict_format(&p->end_verdict, how + 2, sizeof how - 2);
	}
	switch (state) {
	case TARGET_ZOMBIE:
		return xasprintf(
		    "process %d exited%s (a zombie, not yet reaped)", pid, how);
	case TARGET_REUSED:
		return xasprintf(
		    "process %d exited%s and its PID now belongs to "
		    "another process",
		    pid, how);
	case TARGET_KERNEL_THREAD:
		return xasprintf(
		    "PID %d is a kernel thread: it has no user memory", pid);
	case TARGET_DENIED:
		return xasprintf("permission denied reading process %d", pid);
	default:
		return xasprintf("process %d exited%s", pid, how);
	}
}

static void
pump_set_end(struct pump *p, char *cause, int err, enum target_state state)
{
	if (cause == NULL && p->cfg.player == NULL)
		cause = pump_end_message(p, state);
	p->ended = true;
	free(p->end_cause);
	p->end_cause = cause;
	p->end_err = err;
	p->end_state = state;
}

void
pump_end(struct pump *p, char *cause, int err)
{
	pump_set_end(p, cause, err, p->snap->state);
}

/* A write to the recording failed: write no more (the file keeps every
 * complete sample; main closes it), and say why; -errno if that ends the
 * run. */
static int
pump_record_failed(struct pump *p, int rc, char *cause)
{
	free(p->rec_error);
	p->rec_error = cause != NULL ? cause : xstrdup(strerror(-rc));
	pump_warn(p, xstrdup(p->rec_error));
	if (!p->cfg.stop_on_record_error)
		return PUMP_WARN;
	pump_set_end(p, xstrdup(p->rec_error), rc, p->snap->state);
	return PUMP_END;
}

static void
pump_record(void *arg)
{
	struct pump *p = arg;

	p->rec_cause = NULL;
	p->rec_rc = recorder_write(p->cfg.rec, p->snap, &p->rec_cause);
}

/* A sample is in p->snap: the model, the recording, the count. */
static int
pump_ingest(struct pump *p, bool kept)
{
	bool recording = p->cfg.rec != NULL && p->rec_error == NULL;
	int what = PUMP_SAMPLE;

	if (recording)
		worker_run(p->rec_worker, pump_record, p);
	/* The first sample of a restarted process (live or replayed): the
	 * model starts anew, its regions are not the old process's. */
	if (model_samples(p->cfg.model) > 0 &&
	    p->snap->info.restart.count !=
	        model_info(p->cfg.model)->restart.count)
		model_reset(p->cfg.model);
	if (kept)
		model_ingest_kept(p->cfg.model, p->snap);
	else
		model_ingest(p->cfg.model, p->snap);
	p->samples++;
	if (recording) {
		worker_wait(p->rec_worker);
		if (p->rec_rc != 0)
			what |= pump_record_failed(p, p->rec_rc, p->rec_cause);
	}
	if (p->cfg.max_samples > 0 && p->samples >= p->cfg.max_samples)
		what |= PUMP_LIMIT;
	return what;
}

int
pump_set_runtime(struct pump *p, const char *url, char *why, size_t size)
{
	struct sampler *sp = pump_sampler(p);
	struct rtfetch *rf = NULL;
	bool some = url != NULL && url[0] != '\0';

	if (p->cfg.player != NULL) {
		snprintf(
		    why, size, "a recording holds the runtime figures it read");
		return -ENOTSUP;
	}
	if (some &&
	    rtfetch_check_url(url, p->cfg.runtime_opts.any_host, why, size) !=
	        0)
		return -EINVAL;
	if (sp == NULL) {
		snprintf(why, size, "no live target is sampled");
		return -ENOTSUP;
	}
	if (some &&
	    (rf = rtfetch_start(url, &p->cfg.runtime_opts, why, size)) == NULL)
		return -EINVAL;
	if (!sampler_set_rtfetch(sp, rf)) {
		snprintf(why, size, "not a live target");
		return -ENOTSUP;
	}
	free(p->runtime_url);
	p->runtime_url = some ? xstrdup(url) : NULL;
	return 0;
}

const char *
pump_runtime_url(const struct pump *p)
{
	return p->runtime_url;
}

struct sampler *
pump_sampler(const struct pump *p)
{
	return p->own_sampler != NULL ? p->own_sampler : p->cfg.sampler;
}

const struct target_restart *
pump_waiting(const struct pump *p)
{
	return p->waiting ? &p->gone : NULL;
}

/* --follow: the watched target ended; wait for its successor. */
static int
pump_follow_ended(struct pump *p, struct sampler *sp)
{
	const struct pick_proc *w = pick_follow_watched(p->cfg.follow);
	char how[CG_PATH_MAX + 64];

	memset(&p->gone, 0, sizeof p->gone);
	p->gone.count = p->restart.count; /* restarts so far */
	p->gone.old_pid = p->cfg.pid;
	p->gone.old_start_time = w->start_time;
	p->gone.old_state = (uint8_t)sampler_end_state(sp);
	p->gone.how = *sampler_end_verdict(sp);
	p->gone.ended_wall = clock_wall();
	p->waiting = true;
	if (p->gone.how.known)
		verdict_format(&p->gone.how, how, sizeof how);
	else
		snprintf(how, sizeof how, "%s",
		    target_state_name(sampler_end_state(sp)));
	pump_warn(p,
	    xasprintf("process %d ended: %s; waiting for a new process "
	              "matching -P",
	        p->cfg.pid, how));
	return PUMP_WARN | PUMP_WAIT;
}

/* --follow: a successor came; watch it from now. */
static int
pump_follow_poll(struct pump *p)
{
	struct pick_follow_event ev;
	struct source *src;
	char *cause = NULL, line[CG_PATH_MAX + 128], why[256];
	double interval = sampler_interval(pump_sampler(p));
	bool lost_runtime = false;
	int err = 0;

	if (pick_follow_poll(p->cfg.follow, &ev) != PICK_FOLLOW_SWITCHED)
		return 0;
	if ((src = source_live_open(ev.next.pid, &cause, &err)) == NULL) {
		/* Gone already, or not ours to read: the follower watches
		 * it now and finds the next one when it ends. */
		pump_warn(p,
		    xasprintf("process %d: %s; still waiting", ev.next.pid,
		        cause ? cause : "cannot read"));
		free(cause);
		return PUMP_WARN;
	}
	if (p->runtime_url != NULL) {
		struct rtfetch *rf = rtfetch_start(
		    p->runtime_url, &p->cfg.runtime_opts, why, sizeof why);

		if (rf != NULL)
			source_live_set_rtfetch(src, rf);
		else
			lost_runtime = true;
	}
	if (p->own_sampler != NULL && !sampler_stop(p->own_sampler))
		p->own_source = NULL;
	source_close(p->own_source);
	p->restart = p->gone;
	p->restart.count++;
	p->restart.switched_wall = clock_wall(); /* before its first sample */
	p->own_source = src;
	p->own_sampler = pump_sampler_start(src, interval, p->cfg.model);
	p->cfg.pid = ev.next.pid;
	p->waiting = false;
	restart_format(&p->restart, ev.next.pid, line, sizeof line);
	pump_warn(p,
	    lost_runtime ?
	        xasprintf("%s; its runtime is not read: %s", line, why) :
	        xstrdup(line));
	return PUMP_WARN | PUMP_SWITCH;
}

/* A live sample: the pump holds the latest (the recorder borrows it to
 * code the next against) and gives the one before back to the sampler, so
 * two buffers serve the whole loop. */
static int
pump_step_live(struct pump *p)
{
	struct sampler *sp = pump_sampler(p);
	struct snapshot *s = NULL, *old;
	char *cause = NULL;
	int rc, what;

	if (p->waiting)
		return pump_follow_poll(p);
	rc = sampler_take(sp, &s, &cause);
	if (rc == SOURCE_AGAIN)
		return 0;
	if (rc == SOURCE_SAMPLE) {
		old = p->snap;
		p->snap = s;
		p->snap->info.restart = p->restart;
		/* A sample with every region as the last one had it (an idle
		 * target's usual tick) costs the model a pass, not a match
		 * and a classification of every region. */
		what = pump_ingest(p, snapshot_same_regions(old, s));
		model_settle(p->cfg.model);
		sampler_give(sp, old);
		return what;
	}
	if (p->cfg.follow != NULL && rc == SOURCE_END) {
		free(cause);
		return pump_follow_ended(p, sp);
	}
	p->end_verdict = *sampler_end_verdict(sp);
	pump_set_end(p, cause, rc < 0 ? rc : 0, sampler_end_state(sp));
	return PUMP_END;
}

/* The model's baseline where the recording says the user had it. */
static void
pump_baseline(struct pump *p, enum player_baseline b)
{
	if (b == PLAYER_BASE_MARK)
		model_mark_baseline(p->cfg.model);
	else if (b == PLAYER_BASE_RESET)
		model_reset_baseline(p->cfg.model);
}

/* How the recorded target ended, as the recording's END frame says. */
static void
pump_replay_verdict(struct pump *p)
{
	struct session_summary *sum = xmalloc(sizeof *sum);

	player_summary(p->cfg.player, sum);
	p->end_verdict = sum->ended ? sum->end.verdict : p->end_verdict;
	free(sum);
}

static int
pump_step_replay_take(struct pump *p)
{
	struct player_step st;
	char *cause = NULL;
	int rc, what = 0;

	do {
		rc = player_take(p->cfg.player, p->snap, &st, &cause);
		if (rc == SOURCE_AGAIN)
			return what;
		if (rc == SOURCE_END) {
			pump_replay_verdict(p);
			pump_set_end(p, NULL, 0, p->snap->state);
			return what | PUMP_END;
		}
		if (rc < 0) {
			/* Read in order, damage it cannot pass ends the run;
			 * a timed player stays where it was. */
			if (player_mode(p->cfg.player) == PLAYER_ONCE) {
				pump_set_end(p, cause, rc, p->snap->state);
				return what | PUMP_END;
			}
			pump_warn(p, cause);
			return what | PUMP_WARN;
		}
		if (st.reset) {
			model_reset(p->cfg.model);
			p->samples = 0;
		}
		/* The regions that did not change catch up at the end of
		 * the step (a jump's samples, then its target). */
		what |= pump_ingest(p, st.kept);
		pump_baseline(p, st.baseline);
	} while (st.more && !(what & PUMP_END));
	return what;
}

static int
pump_step_replay(struct pump *p)
{
	int what = pump_step_replay_take(p);

	model_settle(p->cfg.model);
	return what;
}

int
pump_step(struct pump *p)
{
	if (p->ended)
		return 0;
	free(p->warning);
	p->warning = NULL;
	if (p->cfg.sampler != NULL)
		return pump_step_live(p);
	if (p->cfg.player != NULL)
		return pump_step_replay(p);
	return 0;
}

int
pump_fd(const struct pump *p)
{
	return pump_sampler(p) != NULL && !p->ended && !p->waiting ?
	    sampler_fd(pump_sampler(p)) :
	    -1;
}

int
pump_timeout(struct pump *p)
{
	if (p->waiting)
		return 50; /* pick_follow_poll() backs off on its own */
	if (p->ended || p->cfg.player == NULL)
		return -1;
	return player_timeout(p->cfg.player);
}

void
pump_mark(struct pump *p, bool reset)
{
	char *cause = NULL;
	int rc;

	if (reset)
		model_reset_baseline(p->cfg.model);
	else
		model_mark_baseline(p->cfg.model);
	if (p->cfg.rec != NULL && p->rec_error == NULL &&
	    (rc = recorder_mark(p->cfg.rec, reset, &cause)) != 0)
		pump_record_failed(p, rc, cause);
}

long
pump_samples(const struct pump *p)
{
	return p->samples;
}

bool
pump_ended(const struct pump *p)
{
	return p->ended;
}

const char *
pump_end_cause(const struct pump *p)
{
	return p->end_cause;
}

const struct end_verdict *
pump_end_verdict(const struct pump *p)
{
	return &p->end_verdict;
}

enum target_state
pump_end_state(const struct pump *p)
{
	return p->ended ? p->end_state : TARGET_ALIVE;
}

const char *
pump_record_error(const struct pump *p)
{
	return p->rec_error;
}

const char *
pump_warning(const struct pump *p)
{
	return p->warning;
}

int
pump_exit_code(const struct pump *p)
{
	if (!p->ended)
		return EXIT_OK;
	if (p->end_err == -EACCES || p->end_err == -EPERM)
		return EXIT_PERMISSION;
	if (p->end_err == -EBADMSG || p->end_err == -EPROTO)
		return EXIT_BAD_SESSION;
	if (p->end_err != 0)
		return EXIT_FAILURE_GENERIC;
	if (p->cfg.player != NULL)
		return EXIT_OK;
	return EXIT_TARGET_GONE;
}
