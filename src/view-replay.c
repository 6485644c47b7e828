/*
 * view-replay.c - the dashboard over a recording: the keys that drive the
 * player (play, pause, step, speed, jump to a time) and the status line.
 * The pump feeds the model what the player yields, so deltas, rates and
 * sparklines show what they showed live at that moment.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util.h"
#include "view-int.h"

bool
view_replaying(const struct view *v)
{
	return v->app->player != NULL;
}

void
view_replay_goto_time(struct view *v, const char *spec)
{
	struct player *pl = v->app->player;

	if (player_seek_time(pl, spec) < 0) {
		view_set_status(v,
		    "not a time: '%s' (try -30s, +2m, 14:05 or "
		    "14:05:30)",
		    spec);
		return;
	}
	view_set_status(v, "jumped to sample %zu", player_target(pl) + 1);
}

bool
view_replay_key(struct view *v, int ch)
{
	struct player *pl = v->app->player;

	switch (ch) {
	case ' ':
		player_play(pl, !player_playing(pl));
		return true;
	case KEY_RIGHT:
		player_step(pl, 1);
		return true;
	case KEY_LEFT:
		player_step(pl, -1);
		return true;
	case '[':
		player_faster(pl, -1);
		return true;
	case ']':
		player_faster(pl, 1);
		return true;
	case KEY_HOME:
		player_seek(pl, 0);
		return true;
	case KEY_END:
		player_seek(pl, SIZE_MAX);
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
	/* Damage is said here too, not only by --info and -b. */
	player_summary(pl, &sum);
	if (sum.ndamage > 0 && len < size)
		len += (size_t)snprintf(buf + len, size - len,
		    "  DAMAGED at "
		    "offset %llu",
		    (unsigned long long)sum.damage[0].offset);
	if (sum.ndamage + sum.damage_more > 1 && len < size)
		snprintf(buf + len, size - len, " and %zu more",
		    sum.ndamage + sum.damage_more - 1);
}
