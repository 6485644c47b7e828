/*
 * batch.h - print the model as text, CSV or JSON Lines, without curses.
 */
#ifndef MEMTOP_BATCH_H
#define MEMTOP_BATCH_H

#include <stdbool.h>
#include <stdio.h>

#include "model.h"
#include "moment.h"
#include "proclist.h"
#include "table.h"

enum batch_format { BATCH_TEXT, BATCH_CSV, BATCH_JSON, BATCH_SUSPECTS };
/* -1 if unknown. */
int batch_format_lookup(const char *name);

struct batch_opts {
	enum batch_format format;
	enum field_id sort;
	bool descending;
	const struct rx *filter; /* may be NULL */
	struct table *table;     /* kept from one print to the next, or NULL */
};

/* Print the model's latest sample.  n is the count of samples printed
 * before (the CSV header goes with the first).  Returns 0 or -errno of the
 * write. */
int batch_print(
    FILE *f, struct model *m, const struct batch_opts *o, unsigned long n);

/* After the last sample: how the target ended (v; nothing when v->known is
 * clear), as text's last line, CSV's last row, JSON's last record. */
int batch_print_end(FILE *f, struct model *m, const struct batch_opts *o,
    const struct end_verdict *v, enum target_state st, unsigned long n);

/* batch-suspects.c: the leak suspects of m's latest sample, ranked as
 * the dashboard ranks them: the JSON sample's ", \"suspects\": [...]"
 * (at most 10), the lines under the text header, and --format suspects
 * (the ranking alone). */
void batch_suspects_json(FILE *f, struct model *m);
void batch_suspects_text(FILE *f, struct model *m);
void batch_suspects_print(FILE *f, struct model *m);

/* batch-procs.c: memtop -b without a target: the process list, every
 * interval, max_ticks times (0: until a signal). */
struct batch_procs {
	const int *pids; /* only these (a -p list), or all when npids is 0 */
	size_t npids;
	enum proclist_col sort;
	bool descending;
	const struct rx *filter; /* the command line, container, cgroup */
	double interval;
	long max_ticks;
};
int batch_procs_run(const struct batch_procs *bp, enum batch_format format);

/* batch-restart.c: a followed target's restart (snapshot_info.restart),
 * as a line under the text header and as ", \"restarted\": {...}" of a
 * JSON sample; nothing when it has none. */
void batch_restart_text(FILE *f, const struct snapshot_info *info);
void batch_restart_json(FILE *f, const struct snapshot_info *info);

struct app;

/* batch-diff.c: memtop -b --diff.  From a recording, the moments at the
 * first sample at or after `from` and the last at or before `to` (wall
 * times); live, the first sample and the first one span_s later (or the
 * last, if the target ends before). */
struct batch_diff {
	double from, to; /* -r FILE */
	double span_s;   /* live */
};
/* Print what changed from a to b (a the earlier) as format says (text,
 * csv or json); 0 or -errno of the write. */
int batch_diff_print(FILE *f, const struct moment *a, const struct moment *b,
    const struct snapshot_info *info, enum batch_format format);
/* Run app's pump until both moments are taken, print their difference,
 * and return the exit code. */
int batch_diff_run(
    struct app *app, const struct batch_opts *bo, const struct batch_diff *bd);

/*
 * memtop -b: run app's pump and print each sample as bo says, until -n,
 * the end of the source, or SIGINT/SIGTERM/SIGHUP; then say on stderr how
 * the run ended.  Says on stderr when a live sample is late.  main opened
 * and closes everything.  Returns the exit code of how the run ended.
 */
int batch_run(struct app *app, const struct batch_opts *bo);

#endif
