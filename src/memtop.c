/*
 * memtop.c - main: options, the source, batch or dashboard, teardown.
 */
#include "config.h"

#include <ctype.h>
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
#include "choose.h"
#include "classify-rules.h"
#include "demo.h"
#include "export-om.h"
#include "export.h"
#include "facts.h"
#include "field.h"
#include "pick.h"
#include "rtfetch.h"
#include "supervise.h"
#include "util.h"
#include "view.h"

static void
usage(FILE *f)
{
	char names[256], cols[512], *w, *save = NULL;
	size_t n, line = 0;

	/* The registry's columns, wrapped under the option's text. */
	field_column_names(names, sizeof names, " ");
	n = (size_t)snprintf(cols, sizeof cols, "sort by");
	for (w = strtok_r(names, " ", &save); w != NULL;
	     w = strtok_r(NULL, " ", &save)) {
		if (n - line + strlen(w) > 54) {
			n += (size_t)snprintf(
			    cols + n, sizeof cols - n, "\n%23s%s", "", w);
			line = n - strlen(w) - 23;
		} else
			n += (size_t)snprintf(
			    cols + n, sizeof cols - n, " %s", w);
	}
	snprintf(cols + n, sizeof cols - n,
	    "\n%23s(default rss, biggest first)", "");
	fprintf(f,
	    "usage: memtop -p PID [-d SECONDS] [-n COUNT] [-s COLUMN] [-f "
	    "PATTERN]\n"
	    "                     [-w FILE [--keep DURATION]]\n"
	    "       memtop -b -p PID [-n COUNT] [-d SECONDS] [--format "
	    "text|csv|json]\n"
	    "       memtop [-b] [-p PID,PID...]   the process picker (-b: the "
	    "list)\n"
	    "       memtop -P REGEX [--follow] [-b] [-w FILE]\n"
	    "       memtop -r FILE [-b [--format F] [--from T] [--to T] | "
	    "--info]\n"
	    "       memtop --listen ADDR:PORT -p PID[,PID...] | -P REGEX "
	    "[-d SECONDS]\n"
	    "       memtop -b -p PID[,PID...] | -P REGEX --format "
	    "openmetrics|prometheus [-o FILE]\n"
	    "       memtop -r FILE -b --diff T1 T2;  memtop -b -p PID --diff "
	    "DURATION\n"
	    "       memtop --demo [--demo-rate KB_PER_S] [--demo-maps N]\n"
	    "       memtop --demo-suspects\n"
	    "\n"
	    "  -p, --pid PID        the process to watch (a list: the picker "
	    "on those)\n"
	    "  -P, --name REGEX     the process whose command line matches "
	    "(pcre2)\n"
	    "      --follow         with -P: when it ends, follow the process "
	    "that\n"
	    "                       replaces it (a supervisor's restart)\n"
	    "  -b, --batch          print samples as text (no dashboard), like "
	    "top -b\n"
	    "  -n, --iterations N   stop after N samples (dashboard too)\n"
	    "  -d, --delay SECONDS  interval between samples (default 2; 0.1 "
	    "at least)\n"
	    "  -s, --sort COLUMN    %s\n"
	    "  -f, --filter REGEX   only regions whose class or path matches "
	    "(pcre2)\n"
	    "      --format FMT     batch output: text, csv, json (JSON "
	    "Lines), suspects\n"
	    "                       (the leak suspects alone), or the "
	    "metrics: openmetrics\n"
	    "                       or prometheus\n"
	    "      --listen ADDR:PORT  serve the metrics over HTTP at "
	    "/metrics (a port\n"
	    "                       alone listens on 127.0.0.1)\n"
	    "  -P, --pattern REGEX  with --listen or the metrics formats: "
	    "every process\n"
	    "                       whose command line matches, new ones "
	    "too\n"
	    "  -o, --output FILE    the metrics formats: write FILE "
	    "atomically each round\n"
	    "  -w, --write FILE     record every sample to FILE (with -b: "
	    "silently)\n"
	    "      --keep DURATION  flight recorder: keep about the last "
	    "DURATION\n"
	    "                       (30m, 2h) in rotating segments FILE, "
	    "FILE.1...\n"
	    "  -r, --replay FILE    replay a recording, in the dashboard or "
	    "with -b\n"
	    "      --info           with -r: the recording's header and a "
	    "summary\n"
	    "      --from T, --to T with -r -b: only samples in that time "
	    "range\n"
	    "      --diff T1 T2     with -r -b: what changed between two times "
	    "of it\n"
	    "      --diff DURATION  with -b -p: what changes over DURATION "
	    "from now\n"
	    "                       (unix seconds, +DURATION from the start,\n"
	    "                       -DURATION from the end, or HH:MM[:SS])\n"
	    "      --rules FILE     classification rules (default "
	    "~/.config/memtop/rules)\n"
	    "      --runtime URL    read a Go program's runtime figures from "
	    "URL each\n"
	    "                       sample (pprof heap?debug=1, expvar, "
	    "Prometheus)\n"
	    "      --runtime-any-host  let --runtime reach other than "
	    "loopback\n"
	    "      --budget PCT     CPU memtop may use, %% of one core "
	    "(default 2):\n"
	    "                       cheap ticks, full smaps reads as the "
	    "rest allows\n"
	    "      --demo           run the demo workload (a target that "
	    "leaks)\n"
	    "      --demo-suspects  a warm-up, a steady leak and a sawtooth\n"
	    "  -h, --help           this text;  -V, --version  the version\n"
	    "\n"
	    "Exit status: 0 ok, 2 usage, 3 target gone, 4 permission denied,\n"
	    "5 bad session file, 6 no usable terminal, 1 other errors.\n",
	    cols);
}

/* --budget: a percentage of one core ("2", "0.5%"), as a fraction. */
static double
parse_budget(const char *s)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (*end == '%')
		end++;
	if (errno != 0 || end == s || *end != '\0' || !(v >= 0.01) ||
	    !(v <= 100))
		fatal(EXIT_USAGE,
		    "--budget wants a percentage of one core from 0.01 to "
		    "100, not '%s'",
		    s);
	return v / 100;
}

static long
parse_long(const char *s, const char *what, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
		fatal(EXIT_USAGE,
		    "%s must be a whole number from %ld to %ld, "
		    "not '%s'",
		    what, min, max, s);
	return v;
}

/* Report the damage a replay found, one line each; true if any. */
static bool
report_damage(const struct player *pl)
{
	struct session_summary sum;
	size_t i;

	player_summary(pl, &sum);
	for (i = 0; i < sum.ndamage; i++)
		error_print("damaged recording: segment %d, offset "
		            "%llu: %s",
		    sum.damage[i].segment,
		    (unsigned long long)sum.damage[i].offset,
		    sum.damage[i].reason);
	return sum.ndamage > 0;
}

/* memtop -r FILE --info */
static int
print_info(struct player *pl, const char *path)
{
	struct session_summary sum;
	char cmd[1024], file[1024], version[256], host[512], kernel[512];
	char when[64], span[16];
	bool utf8 = locale_is_utf8();
	time_t t;
	struct snapshot *snap = snapshot_new();
	struct model *model = model_new();
	struct player_step step;
	bool window;
	char *cause = NULL;
	struct tm tm;
	size_t i;

	/* Decode every sample: a frame whose checksum holds can still be
	 * impossible inside, and that is damage too.  Of a target that
	 * ended, the model takes the last minute, for the final window. */
	player_summary(pl, &sum);
	window = sum.ended && sum.final != TARGET_ALIVE;
	while (player_take(pl, snap, &step, &cause) == SOURCE_SAMPLE) {
		if (window && snap->wall >= sum.last_wall - 61)
			model_ingest(model, snap);
	}
	free(cause);
	snapshot_free(snap);
	player_summary(pl, &sum);
	/* Every string here came from the file, made who knows where. */
	esc_text(sum.header.cmdline, strlen(sum.header.cmdline), cmd,
	    sizeof cmd, utf8);
	esc_text(path, strlen(path), file, sizeof file, utf8);
	esc_text(sum.header.version, strlen(sum.header.version), version,
	    sizeof version, utf8);
	esc_text(
	    sum.header.host, strlen(sum.header.host), host, sizeof host, utf8);
	esc_text(sum.header.kernel, strlen(sum.header.kernel), kernel,
	    sizeof kernel, utf8);
	t = (time_t)sum.header.created;
	localtime_r(&t, &tm);
	strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
	printf("file:      %s (%zu segment%s, %llu bytes)\n", file,
	    sum.segments, sum.segments == 1 ? "" : "s",
	    (unsigned long long)sum.bytes);
	printf("format:    %u.%u, made by %s\n", sum.header.major,
	    sum.header.minor, version);
	printf("host:      %s, Linux %s, page size %u\n", host, kernel,
	    sum.header.page_size);
	printf("target:    pid %d: %s\n", sum.header.pid, cmd);
	printf("started:   %s, every %gs\n", when, sum.header.interval);
	/* Under a minute, tenths count (a 0.8 s recording is not "0s"). */
	if (sum.last_wall - sum.first_wall < 60)
		snprintf(
		    span, sizeof span, "%.1fs", sum.last_wall - sum.first_wall);
	else
		fmt_duration(sum.last_wall - sum.first_wall, span, sizeof span);
	printf("samples:   %zu over %s\n", sum.samples, span);
	if (sum.ended && sum.final != TARGET_ALIVE && sum.end.verdict.known) {
		char line[CG_PATH_MAX * 4 + 128], ev[256];

		printf("ended:     %s\n",
		    facts_end_line(&sum.end.verdict, line, sizeof line));
		printf("evidence:  %s\n",
		    verdict_evidence(&sum.end.verdict, ev, sizeof ev));
	} else
		printf("ended:     %s\n",
		    sum.ended ? (sum.final == TARGET_ALIVE ?
		                        "cleanly: the recording was stopped" :
		                        target_state_name(sum.final)) :
		                "no end mark: the recorder was killed, or is "
		                "still writing");
	if (sum.header.has_self_adj) {
		struct oom_self self = { sum.header.self_adj_before,
			sum.header.self_adj_after, sum.header.self_adj_err };
		char line[128];

		printf("recorder:  %s\n",
		    oom_self_format(&self, line, sizeof line));
	}
	printf("damage:    %s\n", sum.ndamage ? "" : "none");
	for (i = 0; i < sum.ndamage; i++)
		printf("  segment %d, offset %llu: %s\n", sum.damage[i].segment,
		    (unsigned long long)sum.damage[i].offset,
		    sum.damage[i].reason);
	/* What the user came for after a kill: the last seconds. */
	if (window) {
		facts_final_window(stdout, model, 10);
		facts_final_window(stdout, model, 60);
	}
	model_free(model);
	return sum.ndamage ? EXIT_BAD_SESSION : EXIT_OK;
}

/* The dashboard needs a terminal (exit 6 without one): said once the
 * target is known to be there; then its supervisor restores the terminal
 * should it be killed.  Nothing for batch output. */
static void
dashboard_check(bool batch)
{
	char *why = NULL;

	if (batch)
		return;
	if (!view_terminal_usable(&why))
		fatal(EXIT_TERMINAL, "%s; use -b for batch output", why);
	supervise_dashboard();
}

/*
 * -p wants a number.  One that is not, but names running processes (by
 * their command line, as -P matches), gets a hint: "-P NAME picks by
 * name".  Exits 2.
 */
static void __attribute__((noreturn)) pid_not_a_number(const char *arg)
{
	struct pick_proc *procs = NULL;
	char pattern[512], *err = NULL;
	struct rx *rx = NULL;
	size_t i, o = 0;
	int n = 0;

	/* The name as it is, every character taken literally. */
	for (i = 0; arg[i] != '\0' && o + 3 < sizeof pattern; i++) {
		if (!isalnum((unsigned char)arg[i]) && arg[i] != '_' &&
		    (unsigned char)arg[i] < 0x80)
			pattern[o++] = '\\';
		pattern[o++] = arg[i];
	}
	pattern[o] = '\0';
	if (arg[0] != '\0' && arg[0] != '-' &&
	    (rx = rx_compile(pattern, &err)) != NULL)
		n = pick_by_name(rx, 0, &procs);
	rx_free(rx);
	free(err);
	if (n > 0) {
		int first = procs[0].pid;

		free(procs);
		fatal(EXIT_USAGE,
		    "-p wants a process ID, not '%s'; to pick a process by "
		    "name, use -P %s (%d process%s match%s, the oldest is "
		    "PID %d)",
		    arg, arg, n, n == 1 ? "" : "es", n == 1 ? "es" : "", first);
	}
	free(procs);
	fatal(EXIT_USAGE,
	    "the PID must be a whole number from 1 to %d, not '%s' (-P "
	    "NAME picks a process by name)",
	    INT_MAX, arg);
}

enum {
	OPT_FORMAT = 256,
	OPT_DEMO,
	OPT_DEMO_RATE,
	OPT_DEMO_MAPS,
	OPT_DEMO_HOSTILE,
	OPT_DEMO_CHURN,
	OPT_DEMO_SUSPECTS,
	OPT_KEEP,
	OPT_INFO,
	OPT_FROM,
	OPT_TO,
	OPT_RULES,
	OPT_LISTEN,
	OPT_RUNTIME,
	OPT_RUNTIME_ANY_HOST,
	OPT_DIFF,
	OPT_FOLLOW,
	OPT_BUDGET
};

/* The exporter's options, as parsed (memtop --listen, -b --format
 * openmetrics|prometheus). */
struct export_args {
	const char *listen, *output;
	int format; /* enum export_om_format, or -1 */
};

/* memtop --listen, or -b with a metrics format: check what goes with it
 * and run it (export.c). */
static int
run_export(struct export_opts *eo, bool batch, bool other)
{
	if (other)
		fatal(EXIT_USAGE,
		    "--listen and the metrics formats watch live processes: "
		    "they go with neither -r, --info, --from, --to nor -f");
	if (eo->listen != NULL && (batch || eo->format >= 0))
		fatal(EXIT_USAGE,
		    "--listen serves both metrics formats: it goes with "
		    "neither -b nor --format");
	if (eo->listen == NULL && !batch)
		fatal(EXIT_USAGE, "--format %s goes with -b (batch mode)",
		    eo->format == EXPORT_OM_OPENMETRICS ? "openmetrics" :
		                                          "prometheus");
	if (eo->output != NULL && eo->listen != NULL)
		fatal(EXIT_USAGE,
		    "-o goes with -b --format openmetrics or "
		    "prometheus");
	if ((eo->pids == NULL) == (eo->pattern == NULL))
		fatal(EXIT_USAGE,
		    "give the processes to watch: -p "
		    "PID[,PID...] or -P REGEX (one of them)");
	return export_run(eo);
}

/*
 * No one target (no -p, a -p list, several -P matches): the process list
 * with -b, else the picker.  one_only: an option that needs one target.
 */
static int
run_processes(struct app *app, const struct batch_opts *bo, bool batch,
    const struct choice *ch, const char *sort_name, bool one_only)
{
	struct batch_procs bp;
	char *why = NULL;
	int c = PCOL_PSS;

	if (one_only)
		fatal(EXIT_USAGE,
		    "-w, --diff and --follow watch one process: give -p PID "
		    "or a -P pattern that one process matches%s",
		    ch->kind == CHOOSE_SOME && ch->nmatch > 1 ?
		        " (several match)" :
		        "");
	if (sort_name != NULL && (c = proclist_col_lookup(sort_name)) < 0)
		fatal(EXIT_USAGE,
		    "unknown column '%s' for the process list (try pid, user, "
		    "comm, cmdline, rss, pss, swap, anon, rate, oom_score, "
		    "cgroup)",
		    sort_name);
	app->list_sort = c;
	if (batch) {
		if (bo->format == BATCH_SUSPECTS)
			fatal(EXIT_USAGE,
			    "--format suspects goes with one process (-p PID)");
		memset(&bp, 0, sizeof bp);
		bp.pids = ch->pids;
		bp.npids = ch->npids;
		bp.sort = (enum proclist_col)c;
		bp.descending = proclist_col_desc_default(c);
		bp.filter = bo->filter;
		bp.interval = app->interval;
		bp.max_ticks = app->max_samples;
		signal(SIGPIPE, SIG_IGN);
		return batch_procs_run(&bp, bo->format);
	}
	if (!view_terminal_usable(&why))
		fatal(EXIT_TERMINAL, "%s; use -b for the process list as text",
		    why);
	supervise_dashboard();
	app->picker = true;
	app->pids = ch->pids;
	app->npids = ch->npids;
	return view_run(app);
}

/* Whether arg is the second time of --diff T1 T2 rather than an option:
 * a time ("-0s", "+2m", "14:05", unix seconds) never starts like one. */
static bool
diff_second_arg(const char *arg)
{
	return arg[0] != '-' || (arg[1] >= '0' && arg[1] <= '9') ||
	    arg[1] == '.';
}

/* The user's rules: --rules FILE, else the default file if there is one.
 * A bad line, or a file that cannot be read, is said on stderr and memtop
 * goes on without it. */
static struct classify_rules *
load_rules(const char *given)
{
	struct classify_rules *r = classify_rules_new();
	char *path = given != NULL ? NULL : classify_rules_default_path();
	char *msgs = NULL, *line, *next;

	if (given != NULL)
		classify_rules_load(r, given, &msgs);
	else if (path != NULL && access(path, F_OK) == 0)
		classify_rules_load(r, path, &msgs);
	for (line = msgs; line != NULL && *line != '\0'; line = next) {
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		error_print("rules: %s", line);
	}
	free(msgs);
	free(path);
	classify_rules_install(r);
	return r;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = { { "pid", required_argument,
		                                      NULL, 'p' },
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
		{ "demo-suspects", no_argument, NULL, OPT_DEMO_SUSPECTS },
		{ "write", required_argument, NULL, 'w' },
		{ "replay", required_argument, NULL, 'r' },
		{ "keep", required_argument, NULL, OPT_KEEP },
		{ "info", no_argument, NULL, OPT_INFO },
		{ "from", required_argument, NULL, OPT_FROM },
		{ "to", required_argument, NULL, OPT_TO },
		{ "rules", required_argument, NULL, OPT_RULES },
		{ "listen", required_argument, NULL, OPT_LISTEN },
		{ "pattern", required_argument, NULL, 'P' },
		{ "output", required_argument, NULL, 'o' },
		{ "runtime", required_argument, NULL, OPT_RUNTIME },
		{ "runtime-any-host", no_argument, NULL, OPT_RUNTIME_ANY_HOST },
		{ "diff", required_argument, NULL, OPT_DIFF },
		{ "name", required_argument, NULL, 'P' },
		{ "follow", no_argument, NULL, OPT_FOLLOW },
		{ "budget", required_argument, NULL, OPT_BUDGET },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' }, { NULL, 0, NULL, 0 } };
	struct demo_opts demo = { DEMO_LEAK_KB_S, 0, false, false, false };
	struct batch_opts bo = { BATCH_TEXT, FIELD_RSS, true, NULL, NULL };
	struct app app;
	struct export_args ex = { NULL, NULL, -1 };
	struct pump_config pc;
	struct session_end end;
	const char *replay_path = NULL, *rec_path = NULL;
	bool batch = false, run_demo = false, format_given = false,
	     info = false;
	const char *from = NULL, *to = NULL, *rules_path = NULL;
	const char *runtime_url = NULL;
	struct rtfetch_opts rto = { 0, 0, false };
	const char *diff_a = NULL, *diff_b = NULL;
	const char *pids_arg = NULL, *pattern = NULL, *sort_name = NULL;
	bool follow = false;
	struct choice choice = { CHOOSE_ALL, { 0, 0, 0 }, NULL, 0, NULL, 0,
		false };
	struct batch_diff bd = { 0, 0, 0 };
	struct classify_rules *rules;
	double keep = 0, budget = -1;
	char *cause = NULL, *err_msg = NULL, url_why[256];
	struct rx *filter = NULL;
	int c, err = 0, code;

	memset(&app, 0, sizeof app);
	app.interval = 2;
	app.sort = FIELD_RSS;
	app.sort_desc = true;
	app.list_sort = -1;
	/* The user's locale for characters and their widths alone (as
	 * htop and tmux): numbers stay as the C locale writes and reads
	 * them, for JSON, CSV, OpenMetrics and the runtimes' endpoints have
	 * a decimal point, and -d 0.5 is half a second where the locale's
	 * decimal sign is a comma; and the other categories' files are not
	 * loaded at every start. */
	setlocale(LC_CTYPE, "");

	opterr = 0;
	while ((c = getopt_long(argc, argv, "p:P:o:bn:d:s:f:w:r:hV", longopts,
	            NULL)) != -1) {
		switch (c) {
		case 'p':
			pids_arg = optarg;
			break;
		case 'P':
			pattern = optarg;
			break;
		case 'o':
			ex.output = optarg;
			break;
		case OPT_LISTEN:
			ex.listen = optarg;
			break;
		case OPT_FOLLOW:
			follow = true;
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
				fatal(EXIT_USAGE,
				    "the interval must be from 0.1 "
				    "to 86400 seconds, not '%s'",
				    optarg);
			break;
		case 's':
			sort_name = optarg; /* a region's or a process's */
			break;
		case 'f':
			app.filter = optarg;
			break;
		case OPT_FORMAT:
			if ((ex.format = export_om_format_lookup(optarg)) >= 0)
				break;
			if ((c = batch_format_lookup(optarg)) < 0)
				fatal(EXIT_USAGE,
				    "unknown format '%s' (text, csv, "
				    "json, suspects, openmetrics or "
				    "prometheus)",
				    optarg);
			bo.format = (enum batch_format)c;
			format_given = true;
			break;
		case OPT_DEMO:
			run_demo = true;
			break;
		case OPT_DEMO_RATE:
			demo.leak_kb_s = (double)parse_long(
			    optarg, "--demo-rate", 0, 1 << 20);
			break;
		case OPT_DEMO_MAPS:
			demo.extra_maps =
			    parse_long(optarg, "--demo-maps", 0, 1 << 20);
			break;
		case OPT_DEMO_HOSTILE:
			demo.hostile = true;
			break;
		case OPT_DEMO_CHURN:
			demo.churn = true;
			break;
		case OPT_DEMO_SUSPECTS:
			run_demo = true;
			demo.suspects = true;
			break;
		case 'w':
			rec_path = optarg;
			break;
		case 'r':
			replay_path = optarg;
			break;
		case OPT_KEEP:
			keep = parse_duration(optarg);
			if (keep < 1)
				fatal(EXIT_USAGE,
				    "--keep wants a duration such as "
				    "30m or 2h, not '%s'",
				    optarg);
			break;
		case OPT_INFO:
			info = true;
			break;
		case OPT_FROM:
			from = optarg;
			break;
		case OPT_TO:
			to = optarg;
			break;
		case OPT_RULES:
			rules_path = optarg;
			break;
		case OPT_RUNTIME:
			/* One target, one runtime: a second URL is a
			 * mistake, not a wish for both. */
			if (runtime_url != NULL)
				fatal(EXIT_USAGE,
				    "--runtime is given once: memtop reads "
				    "one target's runtime (%s)",
				    runtime_url);
			runtime_url = optarg;
			break;
		case OPT_RUNTIME_ANY_HOST:
			rto.any_host = true;
			break;
		case OPT_DIFF:
			diff_a = optarg;
			if (optind < argc && diff_second_arg(argv[optind]))
				diff_b = argv[optind++];
			break;
		case OPT_BUDGET:
			budget = parse_budget(optarg);
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			printf("memtop %s\n", PACKAGE_VERSION);
			return EXIT_OK;
		default:
			/* getopt's own message would quote the raw bytes. */
			fatal(EXIT_USAGE,
			    "option '%s' is unknown or lacks its "
			    "value (see memtop --help)",
			    optind > 1 && optind <= argc ? argv[optind - 1] :
			                                   "?");
		}
	}
	if (optind < argc)
		fatal(EXIT_USAGE,
		    "unexpected argument '%s' (see memtop --help)",
		    argv[optind]);
	if (run_demo)
		return demo_main(&demo);
	if (ex.listen != NULL || ex.format >= 0) {
		struct export_opts eo = { ex.listen, pids_arg, pattern,
			app.interval, app.max_samples, ex.format, ex.output,
			rec_path, keep };

		if (keep > 0 && rec_path == NULL)
			fatal(EXIT_USAGE, "--keep goes with -w FILE");
		rules = load_rules(rules_path);
		code = run_export(&eo, batch,
		    replay_path || info || from || to || app.filter);
		classify_rules_install(NULL);
		classify_rules_free(rules);
		return code;
	}
	if (ex.output != NULL)
		fatal(EXIT_USAGE,
		    "-o goes with -b --format openmetrics|prometheus");
	if (pids_arg != NULL &&
	    pids_arg[strspn(pids_arg, " 0123456789,")] != '\0')
		pid_not_a_number(pids_arg);
	if (replay_path != NULL &&
	    (pids_arg != NULL || pattern != NULL || rec_path != NULL))
		fatal(EXIT_USAGE,
		    "-r replays a recording: it goes with none of "
		    "-p, -P and -w");
	if (follow && pattern == NULL)
		fatal(EXIT_USAGE,
		    "--follow goes with -P: the pattern finds the process "
		    "that replaces the watched one");
	if (replay_path == NULL &&
	    (c = choose_target(
	         pids_arg, pattern, batch || follow, &choice, &err_msg)) != 0)
		fatal(c, "%s", err_msg);
	if (replay_path == NULL && choice.kind == CHOOSE_ONE)
		app.pid = choice.proc.pid;
	if (choice.took_oldest)
		error_print("%zu processes match -P: watching the oldest, "
		            "pid %d",
		    choice.nmatch, app.pid);
	if (sort_name != NULL && (c = field_lookup(sort_name)) >= 0) {
		app.sort = (enum field_id)c;
		app.sort_desc = field_get(app.sort)->desc;
	} else if (sort_name != NULL &&
	    (replay_path != NULL || choice.kind == CHOOSE_ONE)) {
		char cols[256];

		field_column_names(cols, sizeof cols, ", ");
		fatal(EXIT_USAGE, "unknown column '%s' (try %s)", sort_name,
		    cols);
	}
	if (format_given && !batch)
		fatal(EXIT_USAGE, "--format goes with -b (batch mode)");
	if ((info || from || to) && replay_path == NULL)
		fatal(EXIT_USAGE, "--info, --from and --to go with -r FILE");
	if ((from || to) && (!batch || info))
		fatal(EXIT_USAGE,
		    "--from and --to go with -r FILE -b (in the "
		    "replay dashboard, t jumps to a time)");
	if (keep > 0 && rec_path == NULL)
		fatal(EXIT_USAGE, "--keep goes with -w FILE");
	if ((runtime_url != NULL || rto.any_host) && app.pid == 0)
		fatal(EXIT_USAGE,
		    "--runtime goes with -p PID (a recording holds the "
		    "figures it read)");
	if (rto.any_host && runtime_url == NULL)
		fatal(EXIT_USAGE, "--runtime-any-host goes with --runtime URL");
	if (runtime_url != NULL &&
	    rtfetch_check_url(
	        runtime_url, rto.any_host, url_why, sizeof url_why) != 0)
		fatal(EXIT_USAGE, "--runtime: %s", url_why);
	if (diff_a != NULL &&
	    (!batch || info || bo.format == BATCH_SUSPECTS || from || to))
		fatal(EXIT_USAGE,
		    "--diff goes with -b and --format text, csv or json "
		    "(not with --from, --to or --info)");
	if (diff_a != NULL && replay_path != NULL && diff_b == NULL)
		fatal(EXIT_USAGE,
		    "--diff T1 T2: a recording's difference needs two times "
		    "(--diff -60s -0s is the last minute)");
	if (diff_a != NULL && replay_path == NULL) {
		if (diff_b != NULL)
			fatal(EXIT_USAGE,
			    "--diff DURATION: live, the difference over one "
			    "span from now (two times go with -r FILE)");
		if ((bd.span_s = parse_duration(diff_a)) <= 0)
			fatal(EXIT_USAGE,
			    "--diff wants a duration such as 30s or 5m, "
			    "not '%s'",
			    diff_a);
	}
	app.quiet = batch && rec_path != NULL && !format_given;

	if (app.filter != NULL) {
		filter = rx_compile(app.filter, &err_msg);
		if (filter == NULL)
			fatal(EXIT_USAGE, "-f: %s", err_msg);
	}
	rules = load_rules(rules_path);
	bo.filter = filter;
	if (replay_path == NULL && choice.kind != CHOOSE_ONE) {
		code = run_processes(&app, &bo, batch, &choice, sort_name,
		    rec_path != NULL || diff_a != NULL || follow);
		classify_rules_install(NULL);
		classify_rules_free(rules);
		rx_free(filter);
		choice_free(&choice);
		return code;
	}
	bo.sort = app.sort;
	bo.descending = app.sort_desc;
	bo.filter = filter;

	/* The target first: a process that is not there, or may not be
	 * read, matters more than the terminal it would be shown on. */
	memset(&pc, 0, sizeof pc);
	app.model = model_new();
	if (replay_path != NULL) {
		struct session_summary sum;

		app.player = player_open(replay_path,
		    batch || info ? PLAYER_ONCE : PLAYER_TIMED, &cause, &err);
		if (app.player == NULL)
			fatal(err == -ENOENT ? EXIT_USAGE : EXIT_BAD_SESSION,
			    "%s", cause);
		dashboard_check(batch || info);
		if (info) {
			code = print_info(app.player, replay_path);
			player_free(app.player);
			model_free(app.model);
			if (fflush(stdout) != 0 || ferror(stdout))
				fatal(EXIT_FAILURE_GENERIC,
				    "writing output: %s", strerror(errno));
			return code;
		}
		player_summary(app.player, &sum);
		app.pid = sum.header.pid;
		app.interval = sum.header.interval;
		if (from != NULL &&
		    (app.from = parse_time(
		         from, sum.first_wall, sum.last_wall)) < 0)
			fatal(EXIT_USAGE, "--from: cannot read the time '%s'",
			    from);
		if (to != NULL &&
		    (app.to = parse_time(to, sum.first_wall, sum.last_wall)) <
		        0)
			fatal(
			    EXIT_USAGE, "--to: cannot read the time '%s'", to);
		if (from != NULL && to != NULL && app.from > app.to)
			fatal(EXIT_USAGE,
			    "--from %s is after --to %s: no sample "
			    "lies between",
			    from, to);
		if (diff_a != NULL &&
		    ((bd.from = parse_time(
		          diff_a, sum.first_wall, sum.last_wall)) < 0 ||
		        (bd.to = parse_time(
		             diff_b, sum.first_wall, sum.last_wall)) < 0 ||
		        bd.from > bd.to))
			fatal(EXIT_USAGE,
			    "--diff %s %s: two times of the recording, the "
			    "earlier first (-60s, +2m, 14:05:30)",
			    diff_a, diff_b);
		/* --from: straight there (its history window first). */
		if (from != NULL && batch)
			player_start_at(
			    app.player, player_find_time(app.player, app.from));
		/* The replay dashboard plays on; -n bounds batch output
		 * (the samples printed, with --from). */
		pc.max_samples = batch && from == NULL ? app.max_samples : 0;
	} else {
		app.source = source_live_open(app.pid, &cause, &err);
		if (app.source == NULL)
			fatal(exit_for_open_error(err), "%s", cause);
		dashboard_check(batch);
		/* A memtop in its target's cgroup (a sidecar) must not be
		 * the OOM killer's choice; whether it could be kept out of
		 * the way is in app.self_oom. */
		oom_self_protect(app.pid, &app.self_oom);
		if (runtime_url != NULL) {
			struct rtfetch *rf = rtfetch_start(
			    runtime_url, &rto, url_why, sizeof url_why);

			if (rf == NULL)
				fatal(EXIT_USAGE, "--runtime: %s", url_why);
			source_live_set_rtfetch(app.source, rf);
		}
		/* Past a file-size limit, write() says EFBIG and the
		 * recording ends at its last whole frame; SIGXFSZ would
		 * kill memtop in the middle of one. */
		if (rec_path != NULL)
			signal(SIGXFSZ, SIG_IGN);
		if (rec_path != NULL &&
		    (app.rec = recorder_open(
		         rec_path, app.interval, keep, &cause, &err)) == NULL)
			fatal(
			    err == -EINVAL ? EXIT_USAGE : EXIT_FAILURE_GENERIC,
			    "%s", cause);
		if (app.rec != NULL)
			recorder_note_self_adj(app.rec, app.self_oom.before,
			    app.self_oom.after, app.self_oom.err);
		if (budget >= 0)
			source_live_set_budget(app.source, budget);
		app.sampler =
		    pump_sampler_start(app.source, app.interval, app.model);
		sampler_set_limit(app.sampler, app.max_samples);
		pc.max_samples = app.max_samples;
	}
	pc.model = app.model;
	pc.sampler = app.sampler;
	pc.player = app.player;
	pc.rec = app.rec;
	pc.pid = app.pid;
	pc.runtime_url = runtime_url;
	pc.runtime_opts = rto;
	pc.stop_on_record_error = batch;
	if (follow &&
	    (pc.follow = pick_follow_new(choice.rx, &choice.proc, &err_msg)) ==
	        NULL)
		fatal(EXIT_TARGET_GONE, "--follow: %s", err_msg);
	app.pump = pump_new(&pc);

	if (batch && diff_a != NULL) {
		signal(SIGPIPE, SIG_IGN);
		code = batch_diff_run(&app, &bo, &bd);
	} else if (batch) {
		signal(SIGPIPE, SIG_IGN);
		code = batch_run(&app, &bo);
	} else
		code = view_run(&app);

	if (app.sampler != NULL && !sampler_stop(app.sampler))
		app.source = NULL; /* still in the stuck thread's hands */
	/* The header showed it; the shell hears it too. */
	if (app.player != NULL && report_damage(app.player) &&
	    (batch || code == EXIT_OK))
		code = EXIT_BAD_SESSION;
	if (app.rec != NULL) {
		memset(&end, 0, sizeof end);
		end.final = pump_end_state(app.pump);
		end.verdict = *pump_end_verdict(app.pump);
	}
	if (app.rec != NULL && recorder_finish(app.rec, &end, &cause) != 0) {
		/* Unless the run ended on an error it has told of. */
		if (pump_exit_code(app.pump) == EXIT_OK ||
		    pump_exit_code(app.pump) == EXIT_TARGET_GONE) {
			error_print("%s", cause);
			code = EXIT_FAILURE_GENERIC;
		}
		free(cause);
	}
	/* The dashboard said so while it ran; the shell hears it too (batch
	 * stopped on it, and said so). */
	if (!batch && pump_record_error(app.pump) != NULL) {
		error_print(
		    "recording stopped: %s", pump_record_error(app.pump));
		code = EXIT_FAILURE_GENERIC;
	}
	pump_free(app.pump);
	pick_follow_free(pc.follow);
	source_close(app.source);
	player_free(app.player);
	model_free(app.model);
	classify_rules_install(NULL);
	classify_rules_free(rules);
	rx_free(filter);
	choice_free(&choice);
	return code;
}
