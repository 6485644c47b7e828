/*
 * view-replay.c - the dashboard over a recording: play, pause, step, speed,
 * jump to a time.  The model is fed the recorded samples, so deltas, rates
 * and sparklines show what they showed live at that moment.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "session.h"
#include "util.h"
#include "view-int.h"

#define MAX_SPEED 64

bool
view_replaying(const struct view *v)
{
	return v->app->replay_path != NULL;
}

/* Feed sample i to the model; false (and a status) if it cannot be read. */
static bool
view_replay_ingest(struct view *v, size_t i)
{
	char *cause = NULL;

	if (replay_read(v->app->source, i, v->rsnap, &cause) != 0) {
		view_set_status(v, "%s", cause ? cause : "cannot read sample");
		free(cause);
		return false;
	}
	if (app_ingest(v->app, v->rsnap, &cause) != 0) {
		view_set_status(v, "%s", cause);
		free(cause);
		return false;
	}
	v->rbase = app_replay_baseline(v->app, i, v->rbase);
	view_header_sample(v);
	return true;
}

/*
 * Show sample i.  The next one is one ingest; anything else rebuilds the
 * model from the first sample (the baseline, as live) and the samples of
 * the history window before i.
 */
static void
view_replay_go(struct view *v, size_t i)
{
	struct source *src = v->app->source;
	size_t n = replay_count(src), k, from, base;

	if (n == 0)
		return;
	if (i >= n)
		i = n - 1;
	if (v->rpos != SIZE_MAX && i == v->rpos)
		return;
	if (v->rpos == SIZE_MAX || i != v->rpos + 1) {
		model_free(v->app->model);
		v->app->model = model_new();
		v->app->samples = 0;
		v->rbase = SIZE_MAX;
		from = i + 2 > MODEL_HISTORY ? i + 2 - MODEL_HISTORY : 1;
		if (!view_replay_ingest(v, 0))
			return;
		/* A baseline the user set before the window: its sample too. */
		base = replay_baseline(src, i);
		if (base != SIZE_MAX && base > 0 && base < from)
			view_replay_ingest(v, base);
		for (k = from < 1 ? 1 : from; k < i; k++)
			view_replay_ingest(v, k);
		if (i == 0) {
			v->rpos = 0;
			v->rebuild = true;
			return;
		}
	}
	if (view_replay_ingest(v, i))
		v->rpos = i;
	v->rebuild = true;
}

void
view_replay_init(struct view *v)
{
	v->rsnap = snapshot_new();
	v->rpos = SIZE_MAX;
	v->rbase = SIZE_MAX;
	v->rspeed = 1;
	v->rplaying = true;
	view_replay_go(v, 0);
	v->rnext = clock_mono();
}

void
view_replay_free(struct view *v)
{
	snapshot_free(v->rsnap);
}

int
view_replay_tick(struct view *v)
{
	struct source *src = v->app->source;
	size_t n, steps = 0;
	double now = clock_mono(), gap;

	replay_refresh(src); /* a recording still being written grows */
	n = replay_count(src);
	if (!v->rplaying)
		return 250;
	while (v->rpos + 1 < n && now >= v->rnext && steps++ < MAX_SPEED) {
		gap = replay_time_of(src, v->rpos + 1) -
		    replay_time_of(src, v->rpos);
		view_replay_go(v, v->rpos + 1);
		if (gap < 0.001 || gap > 3600)
			gap = 0.001;
		v->rnext += gap / v->rspeed;
		if (v->rnext < now - 1)
			v->rnext = now; /* far behind: do not race */
	}
	if (v->rpos + 1 >= n)
		v->rnext = now; /* at the end: go on when more come */
	gap = (v->rnext - now) * 1000;
	return gap < 10 ? 10 : gap > 250 ? 250 : (int)gap;
}

void
view_replay_goto_time(struct view *v, const char *spec)
{
	struct source *src = v->app->source;
	size_t n = replay_count(src);
	double t;

	if (n == 0)
		return;
	t = app_parse_time(
	    spec, replay_time_of(src, 0), replay_time_of(src, n - 1));
	if (t < 0) {
		view_set_status(v,
		    "not a time: '%s' (try -30s, +2m, 14:05 or "
		    "14:05:30)",
		    spec);
		return;
	}
	view_replay_go(v, replay_find_time(src, t));
	v->rnext = clock_mono();
	view_set_status(v, "jumped to sample %zu", v->rpos + 1);
}

bool
view_replay_key(struct view *v, int ch)
{
	size_t n = replay_count(v->app->source);

	switch (ch) {
	case ' ':
		v->rplaying = !v->rplaying;
		v->rnext = clock_mono();
		return true;
	case KEY_RIGHT:
		v->rplaying = false;
		if (v->rpos + 1 < n)
			view_replay_go(v, v->rpos + 1);
		return true;
	case KEY_LEFT:
		v->rplaying = false;
		if (v->rpos > 0 && v->rpos != SIZE_MAX)
			view_replay_go(v, v->rpos - 1);
		return true;
	case '[':
		if (v->rspeed > 1)
			v->rspeed /= 2;
		return true;
	case ']':
		if (v->rspeed < MAX_SPEED)
			v->rspeed *= 2;
		return true;
	case KEY_HOME:
		view_replay_go(v, 0);
		v->rnext = clock_mono();
		return true;
	case KEY_END:
		view_replay_go(v, n ? n - 1 : 0);
		return true;
	case 't':
		v->prompt = 't';
		v->input_len = 0;
		return true;
	}
	return false;
}

void
view_replay_status(struct view *v, char *buf, size_t size)
{
	struct source *src = v->app->source;
	size_t n = replay_count(src), len;
	struct session_summary sum;
	char when[32];
	time_t t;
	struct tm tm;

	if (n == 0)
		len = (size_t)snprintf(buf, size,
		    "REPLAY: no sample could be "
		    "read");
	else {
		t = (time_t)replay_time_of(
		    src, v->rpos == SIZE_MAX ? 0 : v->rpos);
		localtime_r(&t, &tm);
		strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
		len = (size_t)snprintf(buf, size,
		    "REPLAY %dx %s  sample "
		    "%zu/%zu  %s",
		    v->rspeed,
		    v->rplaying ?
		        (v->rpos + 1 >= n ? "at the end" : "playing") :
		        "paused",
		    v->rpos == SIZE_MAX ? 0 : v->rpos + 1, n, when);
	}
	/* Damage is said here too, not only by --info and -b. */
	replay_summary(src, &sum);
	if (sum.ndamage > 0 && len < size)
		len += (size_t)snprintf(buf + len, size - len,
		    "  DAMAGED at "
		    "offset %llu",
		    (unsigned long long)sum.damage[0].offset);
	if (sum.ndamage + sum.damage_more > 1 && len < size)
		snprintf(buf + len, size - len, " and %zu more",
		    sum.ndamage + sum.damage_more - 1);
}
