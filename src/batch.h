/*
 * batch.h - print the model as text, CSV or JSON Lines, without curses.
 */
#ifndef MEMTOP_BATCH_H
#define MEMTOP_BATCH_H

#include <stdbool.h>
#include <stdio.h>

#include "model.h"
#include "table.h"

enum batch_format { BATCH_TEXT, BATCH_CSV, BATCH_JSON };
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

struct app;

/*
 * memtop -b: run app's pump and print each sample as bo says, until -n,
 * the end of the source, or SIGINT/SIGTERM/SIGHUP; then say on stderr how
 * the run ended.  Says on stderr when a live sample is late.  main opened
 * and closes everything.  Returns the exit code of how the run ended.
 */
int batch_run(struct app *app, const struct batch_opts *bo);

#endif
