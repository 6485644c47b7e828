/*
 * pump.h - the one sample loop of every front end (the dashboard, batch,
 * and next the exporter and the process picker): take the next sample from
 * the sampler (a live target) or the player (a recording), ingest it into
 * the model, write it to the recording, note the end, count it against -n.
 *
 * A pump borrows everything it is given: main opens and closes the target,
 * the sampler, the player and the recorder.  It keeps no global state, so
 * any number of pumps may run at once, each over its own model; it needs no
 * terminal.  A front end polls pump_fd() (and sleeps no longer than
 * pump_timeout()) and calls pump_step(), which never blocks.
 */
#ifndef MEMTOP_PUMP_H
#define MEMTOP_PUMP_H

#include <stdbool.h>

#include "model.h"
#include "pick.h"
#include "player.h"
#include "record.h"
#include "rtfetch.h"
#include "sampler.h"

struct pump_config {
	struct model *model;     /* fed */
	struct sampler *sampler; /* a live target: samples come from here */
	struct player *player;   /* or a recording: from here */
	struct recorder *rec;    /* -w FILE, or NULL */
	long max_samples;        /* -n: 0 for no limit */
	int pid;                 /* the live target, for the messages */
	/* A recording that cannot be written ends the run (batch); else
	 * the pump goes on without it (the dashboard says so). */
	bool stop_on_record_error;
	/* -P --follow: when the live target ends, the run goes on with the
	 * process that replaces it (pick.h), sampled by a source and a
	 * sampler the pump opens and closes itself; its samples carry the
	 * restart (snapshot_info.restart) and start the model anew.  NULL:
	 * the run ends with the target. */
	struct pick_follow *follow;
	/* --runtime URL the live source was given (main starts it), or
	 * NULL; the options for it and for one set with
	 * pump_set_runtime().  A --follow successor reads the URL set last. */
	const char *runtime_url;
	struct rtfetch_opts runtime_opts;
};

/* What pump_step() did, as bits. */
#define PUMP_SAMPLE 0x01 /* the model took a sample (or a replay jumped) */
#define PUMP_END    0x02 /* the run ended: pump_end_cause() says why */
#define PUMP_LIMIT  0x04 /* -n samples have been taken */
#define PUMP_WARN   0x08 /* pump_warning() has news for the user */
#define PUMP_WAIT   0x10 /* --follow: the target ended, a successor is awaited */
#define PUMP_SWITCH 0x20 /* --follow: the successor is watched now */

struct pump;

/* Start sampling the live source src into m (sampler_start()): its smaps
 * reads grow m's pool as they go (model_pool_ahead()).  m outlives src. */
struct sampler *pump_sampler_start(
    struct source *src, double interval, struct model *m);

struct pump *pump_new(const struct pump_config *cfg);
void pump_free(struct pump *p);

/*
 * Take a sample if one is ready, and at most one that a front end would
 * show (a replay's jump ingests the samples before its target too).
 * Returns PUMP_* bits, 0 when nothing happened.  After the end it does
 * nothing.
 */
int pump_step(struct pump *p);
/* A descriptor that is readable when pump_step() has something (-1: none,
 * go by pump_timeout()). */
int pump_fd(const struct pump *p);
/* Milliseconds until pump_step() may have something without pump_fd()
 * saying so; -1 for no such time. */
int pump_timeout(struct pump *p);

/* m (reset false) or M (true): the model's baseline to the latest sample
 * or back to the first; when recording, the file says so, so that a replay
 * shows the same deltas. */
void pump_mark(struct pump *p, bool reset);
/* End the run from outside (SIGINT in batch is not an end: just stop). */
void pump_end(struct pump *p, char *cause, int err);

/* Samples ingested so far. */
long pump_samples(const struct pump *p);
bool pump_ended(const struct pump *p);
/* Why it ended, in a user's words, or NULL (a replay that ran out). */
const char *pump_end_cause(const struct pump *p);
/* How the target ended (what a recording's END frame says). */
enum target_state pump_end_state(const struct pump *p);
/* How the target ended and the evidence: a live target's as the source
 * found it, a recording's as its END frame says (known clear when the
 * source could not tell, or the recording does not say). */
const struct end_verdict *pump_end_verdict(const struct pump *p);
/* Why the recording stopped, or NULL while it goes on (or there is none). */
const char *pump_record_error(const struct pump *p);
/* The latest news for the user (a sample of a recording that cannot be
 * read, a recording that stopped), or NULL; valid until the next step. */
const char *pump_warning(const struct pump *p);
/* The exit status of how the run ended (util.h enum memtop_exit). */
int pump_exit_code(const struct pump *p);
/* The sampler of the live target watched now (--follow opens others), or
 * NULL. */
struct sampler *pump_sampler(const struct pump *p);
/* R in the dashboard: read the runtime's figures from url (a Go
 * endpoint: rtfetch.h) from the next sample of the live target watched
 * now, and of a --follow successor; NULL or "" stops reading them.
 * Returns 0, or -EINVAL (a URL rtfetch_check_url() refuses) or -ENOTSUP (a
 * recording: it holds the figures it read) with a one-line reason in why,
 * and nothing changed. */
int pump_set_runtime(struct pump *p, const char *url, char *why, size_t size);
/* The URL the runtime's figures are read from, or NULL. */
const char *pump_runtime_url(const struct pump *p);
/* --follow: while the target has ended and no successor has come, how it
 * ended (old_pid, old_state, how, ended_wall); else NULL. */
const struct target_restart *pump_waiting(const struct pump *p);

#endif
