/*
 * session.h - session files: the recorder and the replay source.  The format
 * is documented byte by byte in doc/session-format.md.
 */
#ifndef MEMTOP_SESSION_H
#define MEMTOP_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "snapshot.h"
#include "source.h"

#define SESSION_MAJOR 1
#define SESSION_MINOR 0
#define SESSION_KEY_EVERY 60	/* a key frame at least every N samples */

/* ---- recording ---- */

struct recorder;

/*
 * Open FILE for recording: takes a write lock (a second recorder is refused
 * with a message naming its pid), refuses a file that is not a session file,
 * moves an earlier recording aside to FILE.old.  keep_s > 0 makes a flight
 * recorder: rotating segments FILE, FILE.1 ... FILE.4 that together hold a
 * little more than the last keep_s seconds.  NULL with *cause on failure.
 */
struct recorder *recorder_open(const char *path, double interval,
    double keep_s, char **cause);

/* Append one sample (the header goes with the first).  Each frame reaches
 * the file in one write.  0, or -errno with *cause; after an error the file
 * is cut back to its last complete frame. */
int recorder_write(struct recorder *rec, const struct snapshot *s,
    char **cause);

/* Write the END frame saying how the target ended, and close. */
int recorder_close(struct recorder *rec, enum target_state final,
    char **cause);

/* Bytes written so far (all segments). */
uint64_t recorder_bytes(const struct recorder *rec);

/* ---- replay ---- */

struct session_header {
	uint16_t major, minor;
	uint32_t page_size;
	int pid;
	uint64_t start_time;
	double interval;
	double created;			/* wall clock */
	char kernel[128];
	char host[128];
	char version[32];
	char cmdline[SNAP_CMDLINE_MAX];
};

struct session_damage {
	uint64_t offset;		/* in its segment file */
	int segment;			/* 0 = the oldest */
	char reason[96];
};

struct session_summary {
	struct session_header header;
	size_t samples;
	size_t segments;
	double first_wall, last_wall;
	bool ended;			/* an END frame was found */
	enum target_state final;	/* from the END frame */
	size_t ndamage;
	const struct session_damage *damage;
	uint64_t bytes;
};

/*
 * Open a recording (and its older segments) as a source.  Reads the frame
 * heads once to index the samples; keeps no sample in memory.  NULL with
 * *cause and *err (-ENOENT, -EBADMSG not a session file or unreadable,
 * -EPROTONOSUPPORT made by a newer memtop).
 */
struct source *source_replay_open(const char *path, char **cause, int *err);
/* The same over bytes in memory (tests, fuzzing); data must outlive it. */
struct source *source_replay_open_buffer(const void *data, size_t len,
    char **cause, int *err);

/* Samples indexed so far (follow mode: grows while a recorder writes). */
size_t replay_count(struct source *src);
/* Re-scan for frames appended since (a recording still being written). */
void replay_refresh(struct source *src);
/* Decode sample i into out (from the nearest key frame).  0 or -errno. */
int replay_read(struct source *src, size_t i, struct snapshot *out,
    char **cause);
/* Make source_next() continue from sample i. */
void replay_seek(struct source *src, size_t i);
size_t replay_position(struct source *src);
double replay_time_of(struct source *src, size_t i);
/* The first sample at or after wall time t (count if none). */
size_t replay_find_time(struct source *src, double t);
void replay_summary(struct source *src, struct session_summary *sum);

#endif
