/*
 * app.h - what main hands to a front end (the dashboard or the batch loop):
 * what it opened for the run, the pump over them, and the run's options.
 * main opens and closes all of it, in every mode.  No curses.
 */
#ifndef MEMTOP_APP_H
#define MEMTOP_APP_H

#include <stdbool.h>

#include "field.h"
#include "model.h"
#include "player.h"
#include "pump.h"
#include "record.h"
#include "oom.h"
#include "sampler.h"

struct app {
	int pid;                 /* the target (in replay, the recorded one) */
	struct source *source;   /* live: the target, on the sampler's thread */
	struct sampler *sampler; /* live */
	struct player *player;   /* memtop -r FILE */
	struct model *model;
	struct recorder *rec; /* -w FILE, else NULL */
	struct pump *pump;    /* the sample loop over the above */
	double interval;      /* -d, seconds */
	long max_samples;     /* -n, 0 = unbounded */
	enum field_id sort;   /* -s */
	bool sort_desc;
	const char *filter;       /* -f PATTERN (pcre2), or NULL */
	double from, to;          /* --from/--to wall times, or 0 */
	bool quiet;               /* -b -w without --format: print none */
	struct oom_self self_oom; /* memtop's own oom_score_adj */
	/* The process picker instead of one target (no -p, a -p list,
	 * several -P matches): the PIDs it shows, all when npids is 0. */
	bool picker;
	const int *pids;
	size_t npids;
	int list_sort; /* -s of the picker: enum proclist_col, -1 PSS */
};

#endif
