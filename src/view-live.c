/*
 * view-live.c - the overlay of a live target: its keys (pause, the
 * interval, the runtime URL) and what the header says of it (ended, late, paused, exec).
 */
#include "config.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "view-int.h"

#define EXEC_NOTICE_S 60 /* how long the header tells of an exec */

/* What the dashboard says of the target's state, or NULL when all is well. */
static const char *
view_live_state(struct view *v, char *buf, size_t size)
{
	struct app *app = v->app;
	struct sampler *sp = pump_sampler(app->pump);
	const struct target_restart *rs = pump_waiting(app->pump);
	const struct target_restart *last = &model_info(app->model)->restart;

	if (rs != NULL) {
		/* --follow: it ended, its successor has not come yet. */
		char how[CG_PATH_MAX + 96];

		snprintf(buf, size,
		    "pid %d %s: waiting for a new process matching -P",
		    rs->old_pid, restart_how(rs, how, sizeof how));
		return buf;
	}
	if (last->count > 0 &&
	    model_last_wall(app->model) - last->switched_wall <
	        RESTART_NOTICE_S)
		return restart_format(
		    last, model_info(app->model)->pid, buf, size);
	if (pump_ended(app->pump)) {
		/* The header's verdict line says how it ended (exit status,
		 * signal, OOM kill, evidence): here only that it did.  There
		 * is a verdict only for a target that exited (live_ended()). */
		if (view_header_verdict(v) != NULL)
			return "exited";
		snprintf(buf, size, "%s",
		    pump_end_cause(app->pump) ? pump_end_cause(app->pump) :
		                                "sampling ended");
		return buf;
	}
	if (sp != NULL && sampler_late(sp)) {
		snprintf(buf, size,
		    "sample late (%.0fs): the target may be "
		    "frozen or in D state",
		    sampler_busy(sp));
		return buf;
	}
	if (pump_record_error(app->pump) != NULL) {
		snprintf(buf, size, "recording stopped: %s",
		    pump_record_error(app->pump));
		return buf;
	}
	if (sp != NULL && sampler_paused(sp))
		return "PAUSED";
	if (model_exec_wall(app->model) > 0 &&
	    model_last_wall(app->model) - model_exec_wall(app->model) <
	        EXEC_NOTICE_S) {
		char when[16];
		time_t t = (time_t)model_exec_wall(app->model);
		struct tm tm;

		localtime_r(&t, &tm);
		strftime(when, sizeof when, "%H:%M:%S", &tm);
		snprintf(buf, size, "ran exec at %s: a new program", when);
		return buf;
	}
	if (model_samples(app->model) == 0)
		return "waiting for the first sample";
	return NULL;
}

static int
view_live_pause(struct view *v, int key)
{
	struct sampler *sp = pump_sampler(v->app->pump);
	bool p;

	if (sp == NULL || pump_ended(v->app->pump))
		return VIEW_DONE;
	p = !sampler_paused(sp);
	sampler_pause(sp, p);
	view_put_status_set(
	    &v->status, "%s", p ? "paused: space resumes" : "sampling resumed");
	return VIEW_DONE;
}

static const double view_live_intervals[] = { 0.1, 0.2, 0.5, 1, 2, 5, 10, 30,
	60, 300 };

/* + samples less often, - more often, along view_live_intervals. */
static int
view_live_interval(struct view *v, int key)
{
	struct sampler *sp = pump_sampler(v->app->pump);
	size_t i,
	    n = sizeof view_live_intervals / sizeof view_live_intervals[0];
	int dir = key == '-' ? -1 : 1;
	double cur;

	if (sp == NULL)
		return VIEW_DONE;
	cur = sampler_interval(sp);
	for (i = 0; i < n && view_live_intervals[i] < cur - 1e-9; i++)
		continue;
	if (dir > 0 && i + 1 < n && view_live_intervals[i] <= cur + 1e-9)
		i++;
	else if (dir < 0 && i > 0)
		i--;
	if (i >= n)
		i = n - 1;
	sampler_set_interval(sp, view_live_intervals[i]);
	v->app->interval = view_live_intervals[i];
	view_put_status_set(
	    &v->status, "sampling every %gs", view_live_intervals[i]);
	return VIEW_DONE;
}

/* R's answer: the URL to read the runtime's figures from, none if
 * empty; a refused one changes nothing and says why. */
static void
view_live_runtime_done(struct view *v, const char *text)
{
	char why[256];
	bool had = pump_runtime_url(v->app->pump) != NULL;

	text += strspn(text, " \t");
	if (pump_set_runtime(v->app->pump, text, why, sizeof why) != 0)
		view_put_status_set(&v->status, "runtime URL: %s", why);
	else if (text[0] != '\0')
		view_put_status_set(
		    &v->status, "runtime figures from %s", text);
	else
		view_put_status_set(&v->status, "%s",
		    had ? "runtime figures no longer read" :
		          "no runtime URL: none read");
}

/* R: the Go endpoint of the runtime's figures (--runtime URL), the
 * current one to edit. */
static int
view_live_runtime(struct view *v, int key)
{
	const char *url = pump_runtime_url(v->app->pump);

	view_prompt_open(v, "Runtime URL:", view_live_runtime_done);
	if (url != NULL)
		view_prompt_fill(v, url);
	return VIEW_DONE;
}

static const struct view_action act_pause = { "pause",
	"pause / resume sampling (the screen stays live)", "Pause",
	view_live_pause };
static const struct view_action act_slower = { "interval-up",
	"sample less often", "Interval", view_live_interval };
static const struct view_action act_faster = { "interval-down",
	"sample more often", "Interval", view_live_interval };

static const struct view_action act_runtime = { "runtime-url",
	"read the runtime's figures from a URL (--runtime; empty: stop)",
	"Runtime", view_live_runtime };

static const struct view_binding view_live_bindings[] = {
	{ ' ', &act_pause, false },
	{ '+', &act_slower, false },
	{ '=', &act_slower, true },
	{ '-', &act_faster, false },
	{ 'R', &act_runtime, false },
	{ 0, NULL, false },
};

static const struct view_keys view_keys_live = { "Live target",
	view_live_bindings };

static const struct view_keys *const view_live_tables[] = { &view_keys_live,
	NULL };

const struct view_screen view_overlay_live = {
	.name = "live",
	.keys = view_live_tables,
	.state = view_live_state,
};
