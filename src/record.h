/*
 * record.h - writes samples to a session file (doc/session-format.md).
 *
 * One recorder per file: the file is locked while it is written, and every
 * frame reaches it in one write(2), so a recorder killed at any moment leaves
 * a file whose every complete frame replays.
 */
#ifndef MEMTOP_RECORD_H
#define MEMTOP_RECORD_H

#include <stdbool.h>
#include <stdint.h>

#include "session.h"
#include "snapshot.h"

struct recorder;

/*
 * Open FILE for recording.  Takes an exclusive lock (a second recorder is
 * refused: "FILE is being written by another memtop (pid N)"), refuses a file
 * that is not a session file, moves an earlier recording aside to FILE.old
 * (and removes stale segments FILE.1 ...).  keep_s > 0 makes a flight
 * recorder: rotating segments FILE (newest), FILE.1 ... FILE.4 (oldest) of
 * keep_s / 4 seconds each, so disk use stays near the last keep_s seconds.
 * interval is stored in the header.  NULL with *cause on failure.
 */
struct recorder *recorder_open(
    const char *path, double interval, double keep_s, char **cause);

/* A key frame at least every n samples (default SESSION_KEY_EVERY); tests
 * use small values.  n = 0 restores the default. */
void recorder_set_key_every(struct recorder *rec, unsigned n);

/*
 * Append one sample (the header goes with the first one of each segment).
 * 0, or -errno with *cause (-ENOSPC, -EIO ...): the file is cut back to its
 * last complete frame and stays readable; the caller may go on or close.
 */
int recorder_write(
    struct recorder *rec, const struct snapshot *s, char **cause);

/* The user moved the baseline after the last sample written: to it (m),
 * or back to the first sample (M, reset).  0 or -errno with *cause. */
int recorder_mark(struct recorder *rec, bool reset, char **cause);

/*
 * Write the INDEX and END frames (END says how the target ended: final is
 * TARGET_ALIVE when the recording was merely stopped), unlock and close.
 * Frees rec whatever happens.  0 or -errno with *cause.
 */
int recorder_close(struct recorder *rec, enum target_state final, char **cause);
/* The same with all an END frame can say: the recorder fills in the time
 * and the samples it wrote, the rest (how the target ended) comes from
 * how. */
int recorder_finish(
    struct recorder *rec, const struct session_end *how, char **cause);

/* Bytes written so far (all segments). */
uint64_t recorder_bytes(const struct recorder *rec);

#endif
