/*
 * player.h - a recording played back: seek, step, speed, play and pause over
 * the replay source (replay.h), for every front end.  The player owns the
 * replay source and is the only one to call replay_* on it.  It never
 * touches the model: it says which samples to ingest, and the pump (pump.h)
 * ingests them, so that a jump rebuilds the model in place.  No curses.
 *
 * Two ways to play: PLAYER_ONCE (batch, --info) yields every sample in order,
 * as fast as it decodes, and then the end; PLAYER_TIMED (the dashboard)
 * yields a sample when its time comes at the chosen speed, jumps when asked,
 * follows a recording that is still being written, and never ends.
 */
#ifndef MEMTOP_PLAYER_H
#define MEMTOP_PLAYER_H

#include <stdbool.h>
#include <stddef.h>

#include "replay.h"
#include "snapshot.h"

enum player_mode { PLAYER_ONCE, PLAYER_TIMED };

/* What to do with the model before and after ingesting a yielded sample. */
enum player_baseline {
	PLAYER_BASE_KEEP, /* leave the baseline */
	PLAYER_BASE_MARK, /* at this sample: the user pressed m then */
	PLAYER_BASE_RESET /* back to the first sample (M) */
};

struct player_step {
	size_t index; /* which sample of the recording */
	bool reset;   /* start the model again first (a jump) */
	bool more;    /* more of the same jump follow */
	enum player_baseline baseline; /* after ingesting it */
	/* Its regions are those of the sample yielded before, every counter
	 * the same, and so are its threads, command line and runtime (only
	 * the time and the other facts moved). */
	bool kept;
};

struct player;

#define PLAYER_MAX_SPEED 64

/*
 * Open a recording (FILE and its older segments).  NULL with *cause and *err
 * as source_replay_open() says.  A timed player starts playing at 1x from
 * the first sample.
 */
struct player *player_open(
    const char *path, enum player_mode mode, char **cause, int *err);
/* Over a replay source already open (tests): the player takes it. */
struct player *player_new(struct source *replay, enum player_mode mode);
/* Closes the replay source too. */
void player_free(struct player *pl);
/* A PLAYER_ONCE player starts at sample i, not at the first: it yields the
 * first sample, the baseline's, and the history window before i (what the
 * model needs to show i as it was), then i and on, decoding from the
 * nearest key frame or checkpoint: --from costs the same anywhere in a
 * recording. */
void player_start_at(struct player *pl, size_t i);
/* The first sample at or after wall time t (the count if none). */
size_t player_find_time(struct player *pl, double t);

/*
 * The next sample to ingest into *out, which must be the same snapshot at
 * every call (what it holds is not copied again): SOURCE_SAMPLE with *step saying
 * which and what to do with the model; SOURCE_AGAIN when none is due
 * (player_timeout() says when to ask again); SOURCE_END at the end of a
 * PLAYER_ONCE (out->state is then how the target ended); -errno with *cause
 * when a sample cannot be read (a timed player stays where it was).
 */
int player_take(struct player *pl, struct snapshot *out,
    struct player_step *step, char **cause);
/* Milliseconds until player_take() may have a sample: 0 at once, up to
 * 250 while paused or at the end (a recording may grow). */
int player_timeout(struct player *pl);

enum player_mode player_mode(const struct player *pl);
/* Samples in the recording so far (it grows while a recorder writes). */
size_t player_count(const struct player *pl);
/* The sample last yielded, SIZE_MAX before the first. */
size_t player_position(const struct player *pl);
/* Where the player is going: a jump asked for and not yet made, else the
 * position. */
size_t player_target(const struct player *pl);
double player_time_of(const struct player *pl, size_t i);
bool player_playing(const struct player *pl);
int player_speed(const struct player *pl);

void player_play(struct player *pl, bool on);
/* Halve (dir < 0) or double the speed, within 1x..PLAYER_MAX_SPEED. */
void player_faster(struct player *pl, int dir);
/* Jump to sample i (clamped to the last). */
void player_seek(struct player *pl, size_t i);
/* Pause and move n samples from where the player is going. */
void player_step(struct player *pl, long n);
/* Jump to a time as --from takes it (-30s, +2m, 14:05:30); -1 if spec is
 * no time.  The target, player_target(), is then the sample found. */
int player_seek_time(struct player *pl, const char *spec);
/* Wall time of a time spec relative to this recording; -1 if none. */
double player_parse_time(const struct player *pl, const char *spec);

/* The recording's header, span, end and damage. */
void player_summary(const struct player *pl, struct session_summary *sum);

#endif
