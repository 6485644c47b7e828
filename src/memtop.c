/*
 * memtop.c - main: options, the source, batch or dashboard, teardown.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "batch.h"
#include "demo.h"
#include "supervise.h"
#include "util.h"
#include "view.h"

static void
usage(FILE *f)
{
	fputs(
"usage: memtop -p PID [-d SECONDS] [-n COUNT] [-s COLUMN] [-f PATTERN]\n"
"       memtop -b -p PID [-n COUNT] [-d SECONDS] [--format text|csv|json]\n"
"       memtop --demo [--demo-rate KB_PER_S] [--demo-maps N]\n"
"\n"
"  -p, --pid PID        the process to watch\n"
"  -b, --batch          print samples as text (no dashboard), like top -b\n"
"  -n, --iterations N   stop after N samples (dashboard too)\n"
"  -d, --delay SECONDS  interval between samples (default 2; 0.1 at least)\n"
"  -s, --sort COLUMN    addr perms class path size rss pss private_dirty\n"
"                       swap delta rate (default rss, biggest first)\n"
"  -f, --filter REGEX   only regions whose class or path matches (pcre2)\n"
"      --format FMT     batch output: text, csv or json (JSON Lines)\n"
"      --demo           run the demo workload (a target that leaks)\n"
"  -h, --help           this text;  -V, --version  the version\n"
"\n"
"Exit status: 0 ok, 2 usage, 3 target gone, 4 permission denied,\n"
"5 bad session file, 6 no usable terminal, 1 other errors.\n", f);
}

static long
parse_long(const char *s, const char *what, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
		fatal(EXIT_USAGE, "%s must be a whole number from %ld to %ld, "
		    "not '%s'", what, min, max, s);
	return v;
}

/* Batch mode: sample, ingest, print, sleep; no thread, no curses. */
static int
run_batch(struct app *app, const struct batch_opts *bo)
{
	struct snapshot *snap = snapshot_new();
	double due = clock_mono();
	char *cause = NULL;
	int rc, wrc;

	for (;;) {
		rc = source_next(app->source, snap, &cause);
		if (rc != 0) {
			app_end(app, cause, rc < 0 ? rc : 0, snap->state);
			break;
		}
		if (app_ingest(app, snap, &cause) != 0)
			fatal(EXIT_FAILURE_GENERIC, "%s", cause);
		wrc = batch_print(stdout, app->model, bo,
		    (unsigned long)app->samples - 1);
		if (wrc == -EPIPE)
			break;
		if (wrc != 0)
			fatal(EXIT_FAILURE_GENERIC, "writing output: %s",
			    strerror(-wrc));
		if (app->max_samples > 0 && app->samples >= app->max_samples)
			break;
		due += app->interval;
		while (clock_mono() < due) {
			double left = due - clock_mono();
			struct timespec ts = { (time_t)left,
			    (long)((left - (double)(time_t)left) * 1e9) };

			nanosleep(&ts, NULL);
		}
	}
	snapshot_free(snap);
	if (app->ended && app->end_cause != NULL)
		fprintf(stderr, "memtop: %s\n", app->end_cause);
	return app_exit_code(app);
}

enum {
	OPT_FORMAT = 256, OPT_DEMO, OPT_DEMO_RATE, OPT_DEMO_MAPS,
	OPT_DEMO_HOSTILE, OPT_DEMO_CHURN
};

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "batch", no_argument, NULL, 'b' },
		{ "iterations", required_argument, NULL, 'n' },
		{ "delay", required_argument, NULL, 'd' },
		{ "sort", required_argument, NULL, 's' },
		{ "filter", required_argument, NULL, 'f' },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "demo", no_argument, NULL, OPT_DEMO },
		{ "demo-rate", required_argument, NULL, OPT_DEMO_RATE },
		{ "demo-maps", required_argument, NULL, OPT_DEMO_MAPS },
		{ "demo-hostile", no_argument, NULL, OPT_DEMO_HOSTILE },
		{ "demo-churn", no_argument, NULL, OPT_DEMO_CHURN },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct demo_opts demo = { DEMO_LEAK_KB_S, 0, false, false };
	struct batch_opts bo = { BATCH_TEXT, COL_RSS, true, NULL };
	struct app app;
	bool batch = false, run_demo = false, format_given = false;
	char *cause = NULL, *err_msg = NULL;
	struct rx *filter = NULL;
	int c, err = 0, code;

	memset(&app, 0, sizeof app);
	app.interval = 2;
	app.sort = COL_RSS;
	app.sort_desc = true;
	setlocale(LC_ALL, "");

	while ((c = getopt_long(argc, argv, "p:bn:d:s:f:hV", longopts,
	    NULL)) != -1) {
		switch (c) {
		case 'p':
			app.pid = (int)parse_long(optarg, "the PID", 1, INT_MAX);
			break;
		case 'b':
			batch = true;
			break;
		case 'n':
			app.max_samples = parse_long(optarg, "-n", 1, LONG_MAX);
			break;
		case 'd':
			app.interval = parse_duration(optarg);
			if (app.interval < 0.1 || app.interval > 86400)
				fatal(EXIT_USAGE, "the interval must be from 0.1 "
				    "to 86400 seconds, not '%s'", optarg);
			break;
		case 's':
			if ((c = column_lookup(optarg)) < 0)
				fatal(EXIT_USAGE, "unknown column '%s' (try rss, "
				    "pss, swap, size, rate, delta, addr, class, "
				    "path, perms, private_dirty)", optarg);
			app.sort = (enum column)c;
			app.sort_desc = column_desc_default(app.sort);
			break;
		case 'f':
			app.filter = optarg;
			break;
		case OPT_FORMAT:
			if ((c = batch_format_lookup(optarg)) < 0)
				fatal(EXIT_USAGE, "unknown format '%s' (text, csv "
				    "or json)", optarg);
			bo.format = (enum batch_format)c;
			format_given = true;
			break;
		case OPT_DEMO:
			run_demo = true;
			break;
		case OPT_DEMO_RATE:
			demo.leak_kb_s = (double)parse_long(optarg, "--demo-rate",
			    0, 1 << 20);
			break;
		case OPT_DEMO_MAPS:
			demo.extra_maps = parse_long(optarg, "--demo-maps", 0,
			    1 << 20);
			break;
		case OPT_DEMO_HOSTILE:
			demo.hostile = true;
			break;
		case OPT_DEMO_CHURN:
			demo.churn = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			printf("memtop %s\n", PACKAGE_VERSION);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind < argc)
		fatal(EXIT_USAGE, "unexpected argument '%s' (see memtop --help)",
		    argv[optind]);
	if (run_demo)
		return demo_main(&demo);
	if (app.pid == 0)
		fatal(EXIT_USAGE, "no target: give -p PID (or --demo to start "
		    "the demo workload; see memtop --help)");
	if (format_given && !batch)
		fatal(EXIT_USAGE, "--format goes with -b (batch mode)");

	if (app.filter != NULL) {
		filter = rx_compile(app.filter, &err_msg);
		if (filter == NULL)
			fatal(EXIT_USAGE, "-f: %s", err_msg);
	}
	bo.sort = app.sort;
	bo.descending = app.sort_desc;
	bo.filter = filter;

	if (!batch && !view_terminal_usable(&err_msg))
		fatal(EXIT_TERMINAL, "%s; use -b for batch output", err_msg);

	if (!batch)
		supervise_dashboard();
	app.source = source_live_open(app.pid, &cause, &err);
	if (app.source == NULL)
		fatal(err == -EACCES || err == -EPERM ? EXIT_PERMISSION :
		    err == -ESRCH ? EXIT_TARGET_GONE : EXIT_FAILURE_GENERIC,
		    "%s", cause);
	app.model = model_new();

	if (batch) {
		signal(SIGPIPE, SIG_IGN);
		code = run_batch(&app, &bo);
	} else {
		app.sampler = sampler_start(app.source, app.interval);
		code = view_run(&app);
		if (!sampler_stop(app.sampler))
			app.source = NULL;	/* still in the stuck thread's hands */
	}
	source_close(app.source);
	model_free(app.model);
	rx_free(filter);
	free(app.end_cause);
	return code;
}
