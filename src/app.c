/*
 * app.c - what every front end does with a sample: model, recorder, end.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "session.h"
#include "util.h"

/* A write to the recording failed: stop recording (the file keeps every
 * complete sample) and keep the reason; the caller decides whether to go
 * on without it. */
static int
app_recording_failed(struct app *app, int rc, const char *cause)
{
	char *ignored = NULL;

	recorder_close(app->rec, TARGET_ALIVE, &ignored);
	free(ignored);
	app->rec = NULL;
	free(app->rec_error);
	app->rec_error = xstrdup(cause);
	return rc;
}

int
app_ingest(struct app *app, const struct snapshot *snap, char **cause)
{
	int rc;

	if (model_ingest(app->model, snap) != 0) {
		*cause = xasprintf("out of memory");
		return -ENOMEM;
	}
	app->samples++;
	if (app->rec != NULL &&
	    (rc = recorder_write(app->rec, snap, cause)) != 0)
		return app_recording_failed(app, rc, *cause);
	return 0;
}

void
app_mark(struct app *app, bool reset)
{
	char *cause = NULL;
	int rc;

	if (reset)
		model_reset_baseline(app->model);
	else
		model_mark_baseline(app->model);
	if (app->rec != NULL &&
	    (rc = recorder_mark(app->rec, reset, &cause)) != 0)
		app_recording_failed(app, rc, cause);
	free(cause);
}

/* Why a live target stopped being sampled, in a user's words: how it
 * ended where the source could tell (verdict.h). */
static char *
app_end_message(const struct app *app, enum target_state state)
{
	char how[CG_PATH_MAX + 64] = "";

	if (app->end_verdict.known) {
		memcpy(how, ": ", 3);
		verdict_format(&app->end_verdict, how + 2, sizeof how - 2);
	}
	switch (state) {
	case TARGET_ZOMBIE:
		return xasprintf(
		    "process %d exited%s (a zombie, not yet reaped)", app->pid,
		    how);
	case TARGET_REUSED:
		return xasprintf(
		    "process %d exited%s and its PID now belongs to "
		    "another process",
		    app->pid, how);
	case TARGET_KERNEL_THREAD:
		return xasprintf("PID %d is a kernel thread: it has no user "
		                 "memory",
		    app->pid);
	case TARGET_DENIED:
		return xasprintf(
		    "permission denied reading process %d", app->pid);
	default:
		return xasprintf("process %d exited%s", app->pid, how);
	}
}

void
app_end(struct app *app, char *cause, int err, enum target_state state)
{
	memset(&app->end_verdict, 0, sizeof app->end_verdict);
	if (app->sampler != NULL)
		app->end_verdict = *sampler_end_verdict(app->sampler);
	if (cause == NULL && app->replay_path == NULL)
		cause = app_end_message(app, state);
	app->ended = true;
	free(app->end_cause);
	app->end_cause = cause;
	app->end_err = err;
	app->end_state = state;
}

int
app_exit_code(const struct app *app)
{
	if (!app->ended)
		return EXIT_OK;
	if (app->end_err == -EACCES || app->end_err == -EPERM)
		return EXIT_PERMISSION;
	if (app->end_err == -EBADMSG || app->end_err == -EPROTO)
		return EXIT_BAD_SESSION;
	if (app->end_err != 0)
		return EXIT_FAILURE_GENERIC;
	if (app->replay_path != NULL)
		return EXIT_OK;
	return EXIT_TARGET_GONE;
}

int
app_close_recording(struct app *app, char **cause)
{
	int rc;

	if (app->rec == NULL)
		return 0;
	rc = recorder_close(
	    app->rec, app->ended ? app->end_state : TARGET_ALIVE, cause);
	app->rec = NULL;
	return rc;
}

size_t
app_replay_baseline(struct app *app, size_t i, size_t before)
{
	size_t now = replay_baseline(app->source, i);

	if (now == before)
		return now;
	if (now == SIZE_MAX)
		model_reset_baseline(app->model);
	else if (now == i)
		model_mark_baseline(app->model);
	return now;
}

double
app_parse_time(const char *spec, double first, double last)
{
	static const char *const formats[] = { "%Y-%m-%d %H:%M:%S",
		"%Y-%m-%d %H:%M", "%H:%M:%S", "%H:%M" };
	struct tm tm;
	const char *end;
	size_t i;
	char *e;
	double v;
	time_t t;

	if (spec == NULL || *spec == '\0')
		return -1;
	if (spec[0] == '+' || spec[0] == '-') {
		v = parse_duration(spec + 1);
		if (v < 0)
			return -1;
		return spec[0] == '+' ? first + v : last - v;
	}
	v = strtod(spec, &e);
	if (*e == '\0' && e != spec)
		return isfinite(v) && v >= 0 ? v : -1;
	/* A local date and time, or a time on the day of the first sample. */
	for (i = 0; i < sizeof formats / sizeof formats[0]; i++) {
		/* A failed strptime may have written some fields: start over. */
		t = (time_t)first;
		localtime_r(&t, &tm);
		tm.tm_sec = 0;
		end = strptime(spec, formats[i], &tm);
		if (end != NULL && *end == '\0') {
			tm.tm_isdst = -1;
			return (double)mktime(&tm);
		}
	}
	return -1;
}
