/*
 * view-replay.c - the overlay of a recording: the keys that drive the
 * player (play, pause, step, speed, jump to a time) and the header's
 * REPLAY line.  The pump feeds the model what the player yields, so
 * deltas, rates and sparklines show what they showed live at that moment.
 */
#include "config.h"

#include <curses.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "facts.h"
#include "util.h"
#include "view-int.h"

/* "REPLAY 4x playing  sample 12/300  2026-11-24 10:26:42" */
static const char *
view_replay_state(struct view *v, char *buf, size_t size)
{
	struct player *pl = v->app->player;
	size_t n = player_count(pl), pos = player_position(pl), len;
	struct session_summary sum;
	char when[32];
	time_t t;
	struct tm tm;

	if (n == 0)
		len = (size_t)snprintf(buf, size,
		    "REPLAY: no sample could be "
		    "read");
	else {
		t = (time_t)player_time_of(pl, pos == SIZE_MAX ? 0 : pos);
		localtime_r(&t, &tm);
		strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
		len = (size_t)snprintf(buf, size,
		    "REPLAY %dx %s  sample "
		    "%zu/%zu  %s",
		    player_speed(pl),
		    player_playing(pl) ?
		        (pos + 1 >= n ? "at the end" : "playing") :
		        "paused",
		    pos == SIZE_MAX ? 0 : pos + 1, n, when);
	}
	/* A followed process's restart, as it was said live. */
	if (model_samples(v->app->model) > 0 &&
	    model_info(v->app->model)->restart.count > 0 &&
	    model_last_wall(v->app->model) -
	            model_info(v->app->model)->restart.switched_wall <
	        RESTART_NOTICE_S &&
	    len < size) {
		len += (size_t)snprintf(buf + len, size - len, "  ");
		if (len < size)
			restart_format(&model_info(v->app->model)->restart,
			    model_info(v->app->model)->pid, buf + len,
			    size - len);
		len = strlen(buf);
	}
	/* At the last sample: how the target ended, as the END frame says. */
	player_summary(pl, &sum);
	if (n > 0 && pos != SIZE_MAX && pos + 1 >= n && sum.ended &&
	    sum.final != TARGET_ALIVE && len < size) {
		char how[CG_PATH_MAX * 4 + 64];

		/* Short: the header's line 4 says it in full. */
		if (sum.end.verdict.known)
			facts_header_end(&sum.end.verdict, 0, how, sizeof how);
		else
			snprintf(how, sizeof how, "%s",
			    target_state_name(sum.final));
		len +=
		    (size_t)snprintf(buf + len, size - len, "  ended: %s", how);
	}
	/* Damage is said here too, not only by --info and -b. */
	if (sum.ndamage > 0 && len < size)
		len += (size_t)snprintf(buf + len, size - len,
		    "  DAMAGED at "
		    "offset %llu",
		    (unsigned long long)sum.damage[0].offset);
	if (sum.ndamage + sum.damage_more > 1 && len < size)
		snprintf(buf + len, size - len, " and %zu more",
		    sum.ndamage + sum.damage_more - 1);
	return buf;
}

/* The time typed at the t prompt. */
static void
view_replay_time_done(struct view *v, const char *spec)
{
	struct player *pl = v->app->player;

	if (*spec == '\0')
		return;
	if (player_seek_time(pl, spec) < 0) {
		view_put_status_set(&v->status,
		    "not a time: '%s' (try -30s, +2m, 14:05 or "
		    "14:05:30)",
		    spec);
		return;
	}
	view_put_status_set(
	    &v->status, "jumped to sample %zu", player_target(pl) + 1);
}

static int
view_replay_play(struct view *v, int key)
{
	player_play(v->app->player, !player_playing(v->app->player));
	return VIEW_DONE;
}

static int
view_replay_step(struct view *v, int key)
{
	player_step(v->app->player, key == KEY_LEFT ? -1 : 1);
	return VIEW_DONE;
}

static int
view_replay_speed(struct view *v, int key)
{
	player_faster(v->app->player, key == '[' ? -1 : 1);
	return VIEW_DONE;
}

static int
view_replay_ends(struct view *v, int key)
{
	player_seek(v->app->player, key == KEY_HOME ? 0 : SIZE_MAX);
	return VIEW_DONE;
}

/* The last seconds before the end, paused there: what a user replaying an
 * OOM kill came for. */
#define VIEW_REPLAY_BEFORE_END "-10s"

static int
view_replay_before_end(struct view *v, int key)
{
	struct player *pl = v->app->player;

	player_play(pl, false);
	if (player_seek_time(pl, VIEW_REPLAY_BEFORE_END) == 0)
		view_put_status_set(&v->status,
		    "10 s before the end: sample %zu, paused (space plays, "
		    "Right steps)",
		    player_target(pl) + 1);
	return VIEW_DONE;
}

static int
view_replay_time(struct view *v, int key)
{
	view_prompt_open(v, "Time:  ", view_replay_time_done);
	return VIEW_DONE;
}

static const struct view_action act_play = { "play", "play / pause", "Play",
	view_replay_play };
static const struct view_action act_step = { "step",
	"one sample back / on (pauses)", "Step", view_replay_step };
static const struct view_action act_speed = { "speed",
	"half / double speed (1x to 64x)", "Speed", view_replay_speed };
static const struct view_action act_ends = { "first-last",
	"the first / last sample", NULL, view_replay_ends };
static const struct view_action act_before_end = { "before-end",
	"10 s before the end of the recording, paused", "End-10s",
	view_replay_before_end };
static const struct view_action act_time = { "time",
	"jump to a time (-30s from the end, +2m from the start, 14:05:30)",
	"Time", view_replay_time };

static const struct view_binding view_replay_bindings[] = {
	{ ' ', &act_play, false },
	{ KEY_LEFT, &act_step, false },
	{ KEY_RIGHT, &act_step, false },
	{ '[', &act_speed, false },
	{ ']', &act_speed, false },
	{ KEY_HOME, &act_ends, false },
	{ KEY_END, &act_ends, false },
	{ 't', &act_time, false },
	{ 'e', &act_before_end, false },
	{ 0, NULL, false },
};

static const struct view_keys view_keys_replay = { "Replay",
	view_replay_bindings };

static const struct view_keys *const view_replay_tables[] = { &view_keys_replay,
	NULL };

const struct view_screen view_overlay_replay = {
	.name = "replay",
	.flags = VIEW_HINTS_FIRST,
	.keys = view_replay_tables,
	.state = view_replay_state,
};
