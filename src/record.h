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
 * refused: "FILE is being written by another memtop (pid N)"), moves an
 * earlier recording aside to FILE.old (and removes stale segments FILE.1
 * ...).  keep_s > 0 makes a flight recorder: rotating segments FILE
 * (newest), FILE.1 ... FILE.4 (oldest) of keep_s / 4 seconds each, so disk
 * use stays near the last keep_s seconds.  interval is stored in the
 * header.
 *
 * Every file is created new in FILE's directory (opened once: names are
 * looked up relative to it) and never through a symlink.  FILE, FILE.old
 * and FILE.N are refused when they are a symlink, not a regular file, not a
 * session file (empty files aside), or, in a directory others may write
 * into, another user's file.
 *
 * NULL on failure, with *cause and *err (when err is not NULL): -EINVAL
 * for a FILE memtop refuses to write (a usage error), -EBUSY when another
 * recorder writes it, another -errno when the system said no.
 */
struct recorder *recorder_open(
    const char *path, double interval, double keep_s, char **cause, int *err);

/* A key frame at least every n samples (default SESSION_KEY_EVERY); tests
 * use small values.  n = 0 restores the default. */
void recorder_set_key_every(struct recorder *rec, unsigned n);

/* The caller keeps each sample it writes unchanged until its next write
 * (or recorder_close): the recorder then borrows the last one to code the
 * next against, instead of keeping a copy (a sample of 60,000 mappings is
 * 10 MB).  The pump does. */
void recorder_borrow_samples(struct recorder *rec);

/*
 * Append one sample (the header goes with the first one of each segment).
 * 0, or -errno with *cause (-ENOSPC, -EIO ...): the file is cut back to its
 * last complete frame and stays readable; the caller may go on or close.
 *
 * If FILE was deleted or moved away since the last sample, a new FILE
 * begins with this sample (its header says it was recreated, and
 * recorder_close() says so); if another file took FILE's name, -EEXIST:
 * memtop never writes over it.
 */
int recorder_write(
    struct recorder *rec, const struct snapshot *s, char **cause);

/* The user moved the baseline after the last sample written: to it (m),
 * or back to the first sample (M, reset).  0 or -errno with *cause. */
int recorder_mark(struct recorder *rec, bool reset, char **cause);

/*
 * Write the INDEX and END frames (END says how the target ended: final is
 * TARGET_ALIVE when the recording was merely stopped), unlock and close.
 * Frees rec whatever happens.  0 or -errno with *cause; -ENOENT when all
 * went well but FILE was recreated on the way (recorder_write), *cause
 * saying so: the user has to hear that samples are missing.
 */
int recorder_close(struct recorder *rec, enum target_state final, char **cause);
/* The same with all an END frame can say: the recorder fills in the time
 * and the samples it wrote, the rest (how the target ended) comes from
 * how. */
int recorder_finish(
    struct recorder *rec, const struct session_end *how, char **cause);

/* memtop's own oom_score_adj (oom.h struct oom_self: before, after, err),
 * for the header of every segment from the next one on: --info says
 * whether the recorder could keep out of the OOM killer's way. */
void recorder_note_self_adj(
    struct recorder *rec, int before, int after, int err);

/* Bytes written so far (all segments). */
uint64_t recorder_bytes(const struct recorder *rec);

#endif
