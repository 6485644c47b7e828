/*
 * app.h - what main hands to a front end (the dashboard or the batch loop):
 * the source, the model, the recorder, and the run's options.  No curses.
 */
#ifndef MEMTOP_APP_H
#define MEMTOP_APP_H

#include <stdbool.h>

#include "model.h"
#include "oom.h"
#include "sampler.h"
#include "source.h"
#include "table.h"

struct recorder;

struct app {
	int pid;                 /* live target, 0 in replay */
	const char *replay_path; /* memtop -r FILE, else NULL */
	struct source *source;   /* live or replay */
	struct sampler *sampler; /* live only: source on its thread */
	struct model *model;
	struct recorder *rec; /* -w FILE, else NULL */
	const char *rec_path;
	char *rec_error;  /* why the recording stopped, or NULL */
	double interval;  /* -d, seconds */
	long max_samples; /* -n, 0 = unbounded */
	long samples;     /* ingested so far */
	enum column sort; /* -s */
	bool sort_desc;
	const char *filter;             /* -f PATTERN (pcre2), or NULL */
	double from, to;                /* --from/--to wall times, or 0 */
	bool quiet;                     /* -b -w without --format: print none */
	bool ended;                     /* the source has ended (target gone) */
	char *end_cause;                /* why, malloc'd; may be NULL */
	int end_err;                    /* -errno that ended it, or 0 */
	enum target_state end_state;    /* how the target ended */
	struct end_verdict end_verdict; /* ... and why (known: a live */
	                                /* target that died) */
	struct oom_self self_oom;       /* memtop's own oom_score_adj */
};

/*
 * Feed one snapshot to the model and, when recording, to the recorder.
 * Returns 0, or -errno with *cause set (a recorder write error: the caller
 * reports it and stops).
 */
int app_ingest(struct app *app, const struct snapshot *snap, char **cause);

/* m (reset false) or M (true): move the model's baseline to the latest
 * sample or back to the first, and when recording say so in the file, so a
 * replay shows the same deltas. */
void app_mark(struct app *app, bool reset);

/*
 * Replay: sample i was just ingested; move the model's baseline where the
 * recording says the user had it then (m, M).  before is what this
 * returned for the sample ingested before (SIZE_MAX for a new model).
 */
size_t app_replay_baseline(struct app *app, size_t i, size_t before);

/* Note the end of the source (target gone, replay over); a live source's
 * verdict is taken from the sampler while it runs. */
void app_end(struct app *app, char *cause, int err, enum target_state state);

/* Exit code for how the run ended (util.h enum memtop_exit). */
int app_exit_code(const struct app *app);

/* Close the recording (if any) with an END frame saying how it ended;
 * 0 or -errno with *cause. */
int app_close_recording(struct app *app, char **cause);

/*
 * A time given by the user: unix seconds ("1700000000.5"), "+DURATION"
 * after first, "-DURATION" before last, or a local "HH:MM[:SS]" or
 * "YYYY-MM-DD HH:MM[:SS]".  -1 if it is none of these.
 */
double app_parse_time(const char *spec, double first, double last);

#endif
