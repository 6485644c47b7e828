/*
 * replay.h - reads session files (doc/session-format.md) back as a source.
 *
 * Opening checks the header and indexes the frames (offset, time, the key
 * frame each sample's chain starts from) without keeping any sample in
 * memory; samples are decoded when asked for.  Nothing in the file is
 * trusted: damage is recorded as (segment, offset, reason) and skipped.
 */
#ifndef MEMTOP_REPLAY_H
#define MEMTOP_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "session.h"
#include "snapshot.h"
#include "source.h"

/* One damaged span: "damaged frame at offset N: reason". */
struct session_damage {
	uint64_t offset; /* in its segment file */
	int segment;     /* 0 = the oldest */
	char reason[96];
};

struct session_summary {
	struct session_header header; /* of the oldest segment */
	size_t samples;
	size_t segments;
	double first_wall, last_wall;
	bool ended;              /* an END frame was found */
	enum target_state final; /* from the END frame (= end.final) */
	struct session_end end;  /* all the last END frame says */
	size_t ndamage;
	const struct session_damage *damage; /* valid until the next call */
	size_t damage_more;                  /* spans past the reported ones */
	uint64_t bytes;
};

/*
 * Open a recording, FILE and the older segments of a flight recording
 * (FILE.4 ... FILE.1) that belong to the same process, as a source.
 * source_next() yields the samples in order and returns 1 at the end (out->
 * state is then the END frame's final state).  NULL with *cause and *err:
 * -ENOENT, -EBADMSG (empty, not a session file, damaged header),
 * -EPROTONOSUPPORT ("made by a newer memtop (format X.Y), this reads N.M").
 */
struct source *source_replay_open(const char *path, char **cause, int *err);
/* The same over bytes in memory (tests, fuzzing); data must outlive it. */
struct source *source_replay_open_buffer(
    const void *data, size_t len, char **cause, int *err);

/*
 * Follow mode (a recording still being written): at the end of what is
 * indexed, source_next() looks for frames appended since and returns 2 ("no
 * sample yet, try later") while a recorder still holds the file, 1 once the
 * recording has ended or its recorder is gone.
 */
void replay_follow(struct source *src, bool on);

/* Samples indexed so far (grows while a recorder writes). */
size_t replay_count(struct source *src);
/* Index frames appended since the last look. */
void replay_refresh(struct source *src);
/* Decode sample i into out (from the nearest key frame before it).
 * 0, -ERANGE, or -EBADMSG with *cause. */
int replay_read(
    struct source *src, size_t i, struct snapshot *out, char **cause);
/* replay_read() into an out that holds sample held (SIZE_MAX: none): when
 * i has the same regions (its delta frames from held kept every one, or
 * they compare equal) and the same threads, command line and runtime,
 * only the rest is copied and 1 returned (out->regions are i's already). */
int replay_read_after(struct source *src, size_t i, size_t held,
    struct snapshot *out, char **cause);
/* Make source_next() continue from sample i. */
void replay_seek(struct source *src, size_t i);
size_t replay_position(struct source *src);
/* The sample the baseline was at when sample i was taken live (the user's
 * m and M, as recorded), or SIZE_MAX for the first sample. */
size_t replay_baseline(struct source *src, size_t i);
/* Wall-clock time of sample i (0 if out of range). */
double replay_time_of(struct source *src, size_t i);
/* The first sample at or after wall time t (count if none). */
size_t replay_find_time(struct source *src, double t);
/* Header fields, counts, time span, end state and damage. */
void replay_summary(struct source *src, struct session_summary *sum);

#endif
