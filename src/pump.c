/*
 * pump.c - take, ingest, record, end, count: the sample loop.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pump.h"
#include "util.h"
#include "verdict.h"

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
	char *warning;
};

struct pump *
pump_new(const struct pump_config *cfg)
{
	struct pump *p = xcalloc(1, sizeof *p);

	p->cfg = *cfg;
	p->snap = snapshot_new();
	if (cfg->rec != NULL && cfg->sampler != NULL)
		recorder_borrow_samples(cfg->rec);
	return p;
}

void
pump_free(struct pump *p)
{
	if (p == NULL)
		return;
	snapshot_free(p->snap);
	free(p->end_cause);
	free(p->rec_error);
	free(p->warning);
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

/* A sample is in p->snap: the model, the recording, the count. */
static int
pump_ingest(struct pump *p)
{
	char *cause = NULL;
	int rc, what = PUMP_SAMPLE;

	model_ingest(p->cfg.model, p->snap);
	p->samples++;
	if (p->cfg.rec != NULL && p->rec_error == NULL &&
	    (rc = recorder_write(p->cfg.rec, p->snap, &cause)) != 0)
		what |= pump_record_failed(p, rc, cause);
	if (p->cfg.max_samples > 0 && p->samples >= p->cfg.max_samples)
		what |= PUMP_LIMIT;
	return what;
}

/* A live sample: the pump holds the latest (the recorder borrows it to
 * code the next against) and gives the one before back to the sampler, so
 * two buffers serve the whole loop. */
static int
pump_step_live(struct pump *p)
{
	struct snapshot *s = NULL, *old;
	char *cause = NULL;
	int rc = sampler_take(p->cfg.sampler, &s, &cause), what;

	if (rc == SOURCE_AGAIN)
		return 0;
	if (rc == SOURCE_SAMPLE) {
		old = p->snap;
		p->snap = s;
		what = pump_ingest(p);
		sampler_give(p->cfg.sampler, old);
		return what;
	}
	p->end_verdict = *sampler_end_verdict(p->cfg.sampler);
	pump_set_end(
	    p, cause, rc < 0 ? rc : 0, sampler_end_state(p->cfg.sampler));
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

static int
pump_step_replay(struct pump *p)
{
	struct player_step st;
	char *cause = NULL;
	int rc, what = 0;

	do {
		rc = player_take(p->cfg.player, p->snap, &st, &cause);
		if (rc == SOURCE_AGAIN)
			return what;
		if (rc == SOURCE_END) {
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
		what |= pump_ingest(p);
		pump_baseline(p, st.baseline);
	} while (st.more && !(what & PUMP_END));
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
	return p->cfg.sampler != NULL && !p->ended ?
	    sampler_fd(p->cfg.sampler) :
	    -1;
}

int
pump_timeout(struct pump *p)
{
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
