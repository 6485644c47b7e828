/*
 * export.h - memtop as an exporter: many targets, each sampled by a pump
 * of its own on memtop's interval, their exposition served over HTTP
 * (--listen) or written after every round of samples (-b --format
 * openmetrics|prometheus, to stdout or atomically to -o FILE).
 *
 * Targets are the PIDs of -p, or every process whose command line matches
 * -P (pick_by_name), looked for again every interval so that new ones are
 * picked up as they start, at most EXPORT_MAX_TARGETS at once.  A target
 * that ended stays in the exposition with its verdict for
 * EXPORT_ENDED_TTL_S seconds (at most EXPORT_MAX_ENDED of them).
 */
#ifndef MEMTOP_EXPORT_H
#define MEMTOP_EXPORT_H

#include <stdbool.h>
#include <stddef.h>

#define EXPORT_MAX_TARGETS 256
#define EXPORT_MAX_ENDED   64
#define EXPORT_ENDED_TTL_S 300.0
/* The exposition is put together at most this often (seconds): samples of
 * many targets that come one after another make one build. */
#define EXPORT_ASSEMBLE_MIN_S 0.2

struct export_opts {
	const char *listen;   /* --listen ADDR:PORT; NULL: batch output */
	const char *pids;     /* -p PID[,PID...], or NULL */
	const char *pattern;  /* -P REGEX, or NULL */
	double interval;      /* -d */
	long max_samples;     /* -n: rounds of samples (0: until stopped) */
	int format;           /* batch: enum export_om_format */
	const char *output;   /* batch: -o FILE, NULL for stdout */
	const char *rec_path; /* -w FILE (one target), or NULL */
	double keep;          /* --keep */
};

/*
 * Run until SIGINT, SIGTERM or SIGHUP (exit status 0), or in batch mode
 * until -n rounds or until every target ended.  Usage errors and targets
 * that cannot be opened at the start end memtop with fatal(); returns the
 * exit status otherwise.
 */
int export_run(const struct export_opts *o);

/*
 * Write len bytes to path atomically: a temporary file in the same
 * directory, mode 0644, synced, then renamed over path, so a reader
 * (node_exporter's textfile collector) sees the old file or the new one,
 * never half of one.  0, or -errno with *cause (malloc'd).
 */
int export_write_file(
    const char *path, const char *buf, size_t len, char **cause);

#endif
