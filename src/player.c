/*
 * player.c - transport over a recording: which sample comes next, and when.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "player.h"
#include "util.h"

#define PLAYER_IDLE_MS 250 /* paused, or at the end: look again this soon */

struct player {
	struct source *src; /* the replay source, owned */
	enum player_mode mode;
	size_t pos;  /* the sample last yielded, SIZE_MAX none */
	size_t want; /* a jump asked for, SIZE_MAX none */
	size_t base; /* the recorded baseline as of the last yield */
	bool playing;
	int speed;        /* 1, 2, 4 ... PLAYER_MAX_SPEED */
	double next;      /* clock_mono() when the next sample is due */
	double refreshed; /* clock_mono() of the last look for new frames */
	/* A jump under way: the samples to ingest, the target last. */
	size_t queue[MODEL_HISTORY + 2];
	size_t nqueue, at;
	bool jump;   /* the queue starts the model again */
	size_t held; /* the sample the caller's snapshot holds, SIZE_MAX none */
};

struct player *
player_new(struct source *replay, enum player_mode mode)
{
	struct player *pl = xcalloc(1, sizeof *pl);

	pl->src = replay;
	pl->mode = mode;
	pl->pos = SIZE_MAX;
	pl->base = SIZE_MAX;
	pl->held = SIZE_MAX;
	pl->speed = 1;
	if (mode == PLAYER_TIMED) {
		pl->playing = true;
		pl->want = 0; /* the first sample, at once */
		pl->next = clock_mono();
	} else
		pl->want = SIZE_MAX;
	return pl;
}

struct player *
player_open(const char *path, enum player_mode mode, char **cause, int *err)
{
	struct source *src = source_replay_open(path, cause, err);

	return src != NULL ? player_new(src, mode) : NULL;
}

void
player_free(struct player *pl)
{
	if (pl == NULL)
		return;
	source_close(pl->src);
	free(pl);
}

/* What the baseline does at sample i: where the recording says the user
 * had it when i was taken live (m, M), against what it was before. */
static enum player_baseline
player_baseline_at(struct player *pl, size_t i)
{
	size_t now = replay_baseline(pl->src, i), before = pl->base;

	pl->base = now;
	if (now == before)
		return PLAYER_BASE_KEEP;
	if (now == SIZE_MAX)
		return PLAYER_BASE_RESET;
	return now == i ? PLAYER_BASE_MARK : PLAYER_BASE_KEEP;
}

/*
 * Plan the way to sample i.  The next one is one step; anything else starts
 * the model again from the first sample (its baseline, as live), the sample
 * the recorded baseline was at, and the history window before i.
 */
static void
player_plan(struct player *pl, size_t i)
{
	size_t from, k, base;

	pl->nqueue = pl->at = 0;
	pl->jump = !(pl->pos != SIZE_MAX && i == pl->pos + 1);
	if (!pl->jump) {
		pl->queue[pl->nqueue++] = i;
		return;
	}
	pl->queue[pl->nqueue++] = 0;
	if (i == 0)
		return;
	from = i + 2 > MODEL_HISTORY ? i + 2 - MODEL_HISTORY : 1;
	base = replay_baseline(pl->src, i);
	if (base != SIZE_MAX && base > 0 && base < from)
		pl->queue[pl->nqueue++] = base;
	for (k = from; k < i; k++)
		pl->queue[pl->nqueue++] = k;
	pl->queue[pl->nqueue++] = i;
}

/* Look for frames a recorder appended, now and then. */
static void
player_refresh(struct player *pl, double now)
{
	if (now - pl->refreshed < PLAYER_IDLE_MS / 1000.0)
		return;
	pl->refreshed = now;
	replay_refresh(pl->src);
}

size_t
player_find_time(struct player *pl, double t)
{
	return replay_find_time(pl->src, t);
}

void
player_start_at(struct player *pl, size_t i)
{
	if (pl->mode != PLAYER_ONCE || i == 0 || i >= replay_count(pl->src))
		return;
	player_plan(pl, i);
}

/* A PLAYER_ONCE player: the source in order (after the way to the sample
 * player_start_at() asked for). */
static int
player_take_once(struct player *pl, struct snapshot *out,
    struct player_step *step, char **cause)
{
	int rc;

	if (pl->at < pl->nqueue) {
		size_t i = pl->queue[pl->at++];

		*cause = NULL;
		if ((rc = replay_read_after(pl->src, i, pl->held, out, cause)) <
		    0) {
			pl->nqueue = pl->at = 0;
			pl->held = SIZE_MAX;
			if (*cause == NULL)
				*cause =
				    xasprintf("cannot read sample %zu", i + 1);
			return rc;
		}
		memset(step, 0, sizeof *step);
		step->kept = rc == 1;
		pl->held = i;
		pl->pos = step->index = i;
		step->baseline = player_baseline_at(pl, i);
		if (pl->at == pl->nqueue) {
			pl->nqueue = pl->at = 0;
			replay_seek(pl->src, i + 1); /* on in order from here */
		}
		return SOURCE_SAMPLE;
	}
	rc = source_next(pl->src, out, cause);

	if (rc != SOURCE_SAMPLE) {
		pl->held = SIZE_MAX;
		return rc;
	}
	memset(step, 0, sizeof *step);
	pl->pos = pl->held = step->index = replay_position(pl->src) - 1;
	step->baseline = player_baseline_at(pl, step->index);
	return SOURCE_SAMPLE;
}

int
player_take(struct player *pl, struct snapshot *out, struct player_step *step,
    char **cause)
{
	size_t n, i;
	double now, gap;
	int rc;

	if (pl->mode == PLAYER_ONCE)
		return player_take_once(pl, out, step, cause);
	now = clock_mono();
	if (pl->at == pl->nqueue)
		player_refresh(pl, now); /* a recording still written grows */
	n = replay_count(pl->src);
	if (pl->at == pl->nqueue) {
		/* No jump under way: one asked for, or the next sample due. */
		if (pl->want == SIZE_MAX && pl->playing && pl->pos == SIZE_MAX)
			pl->want = 0;
		else if (pl->want == SIZE_MAX && pl->playing &&
		    pl->pos + 1 < n && now >= pl->next) {
			gap = replay_time_of(pl->src, pl->pos + 1) -
			    replay_time_of(pl->src, pl->pos);
			if (gap < 0.001 || gap > 3600)
				gap = 0.001;
			pl->next += gap / pl->speed;
			if (pl->next < now - 1)
				pl->next = now; /* far behind: do not race */
			pl->want = pl->pos + 1;
		}
		if (pl->want != SIZE_MAX && pl->want >= n && n > 0)
			pl->want = n - 1;
		if (pl->want == SIZE_MAX || pl->want == pl->pos || n == 0) {
			if (pl->want == pl->pos)
				pl->want = SIZE_MAX;
			/* At the end: go on at once with more. */
			if (pl->pos == SIZE_MAX || pl->pos + 1 >= n)
				pl->next = now;
			return SOURCE_AGAIN;
		}
		player_plan(pl, pl->want);
		pl->want = SIZE_MAX;
	}
	i = pl->queue[pl->at];
	*cause = NULL;
	if ((rc = replay_read_after(pl->src, i, pl->held, out, cause)) < 0) {
		pl->nqueue = pl->at = 0; /* stay where it was */
		pl->held = SIZE_MAX;
		if (*cause == NULL)
			*cause = xasprintf("cannot read sample %zu", i + 1);
		return rc;
	}
	memset(step, 0, sizeof *step);
	step->kept = rc == 1;
	pl->held = i;
	step->index = i;
	step->reset = pl->at == 0 && pl->jump;
	if (step->reset)
		pl->base = SIZE_MAX;
	step->baseline = player_baseline_at(pl, i);
	pl->at++;
	step->more = pl->at < pl->nqueue;
	if (!step->more)
		pl->nqueue = pl->at = 0;
	pl->pos = i;
	return SOURCE_SAMPLE;
}

int
player_timeout(struct player *pl)
{
	double now = clock_mono(), ms;
	size_t n = replay_count(pl->src);

	if (pl->mode == PLAYER_ONCE || pl->at < pl->nqueue ||
	    (pl->want != SIZE_MAX && pl->want != pl->pos))
		return 0;
	if (!pl->playing || pl->pos == SIZE_MAX || pl->pos + 1 >= n)
		return PLAYER_IDLE_MS;
	ms = (pl->next - now) * 1000;
	return ms < 10 ? 10 : ms > PLAYER_IDLE_MS ? PLAYER_IDLE_MS : (int)ms;
}

enum player_mode
player_mode(const struct player *pl)
{
	return pl->mode;
}

size_t
player_count(const struct player *pl)
{
	return replay_count(pl->src);
}

size_t
player_position(const struct player *pl)
{
	return pl->pos;
}

size_t
player_target(const struct player *pl)
{
	if (pl->at < pl->nqueue)
		return pl->queue[pl->nqueue - 1];
	return pl->want != SIZE_MAX ? pl->want : pl->pos;
}

double
player_time_of(const struct player *pl, size_t i)
{
	return replay_time_of(pl->src, i);
}

bool
player_playing(const struct player *pl)
{
	return pl->playing;
}

int
player_speed(const struct player *pl)
{
	return pl->speed;
}

void
player_play(struct player *pl, bool on)
{
	pl->playing = on;
	pl->next = clock_mono();
}

void
player_faster(struct player *pl, int dir)
{
	if (dir > 0 && pl->speed < PLAYER_MAX_SPEED)
		pl->speed *= 2;
	else if (dir < 0 && pl->speed > 1)
		pl->speed /= 2;
}

void
player_seek(struct player *pl, size_t i)
{
	size_t n = replay_count(pl->src);

	if (n == 0)
		return;
	pl->want = i < n ? i : n - 1;
	pl->next = clock_mono();
}

void
player_step(struct player *pl, long n)
{
	size_t at = player_target(pl);

	pl->playing = false;
	if (at == SIZE_MAX)
		return;
	if (n < 0)
		player_seek(pl, (size_t)-n > at ? 0 : at - (size_t)-n);
	else
		player_seek(pl, at + (size_t)n);
}

double
player_parse_time(const struct player *pl, const char *spec)
{
	size_t n = replay_count(pl->src);

	if (n == 0)
		return -1;
	return parse_time(
	    spec, replay_time_of(pl->src, 0), replay_time_of(pl->src, n - 1));
}

int
player_seek_time(struct player *pl, const char *spec)
{
	double t = player_parse_time(pl, spec);

	if (t < 0)
		return -1;
	player_seek(pl, replay_find_time(pl->src, t));
	return 0;
}

void
player_summary(const struct player *pl, struct session_summary *sum)
{
	replay_summary(pl->src, sum);
}
