/*
 * memtop.c - main: options, the source, batch or dashboard, teardown.
 */
#include "config.h"

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
#include "classify-rules.h"
#include "demo.h"
#include "field.h"
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
	    "       memtop -r FILE [-b [--format F] [--from T] [--to T] | "
	    "--info]\n"
	    "       memtop --demo [--demo-rate KB_PER_S] [--demo-maps N]\n"
	    "       memtop --demo-suspects\n"
	    "\n"
	    "  -p, --pid PID        the process to watch\n"
	    "  -b, --batch          print samples as text (no dashboard), like "
	    "top -b\n"
	    "  -n, --iterations N   stop after N samples (dashboard too)\n"
	    "  -d, --delay SECONDS  interval between samples (default 2; 0.1 "
	    "at least)\n"
	    "  -s, --sort COLUMN    %s\n"
	    "  -f, --filter REGEX   only regions whose class or path matches "
	    "(pcre2)\n"
	    "      --format FMT     batch output: text, csv or json (JSON "
	    "Lines)\n"
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
	    "                       (unix seconds, +DURATION from the start,\n"
	    "                       -DURATION from the end, or HH:MM[:SS])\n"
	    "      --rules FILE     classification rules (default "
	    "~/.config/memtop/rules)\n"
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
	struct player_step step;
	char *cause = NULL;
	struct tm tm;
	size_t i;

	/* Decode every sample: a frame whose checksum holds can still be
	 * impossible inside, and that is damage too. */
	while (player_take(pl, snap, &step, &cause) == SOURCE_SAMPLE)
		continue;
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
	printf("ended:     %s\n",
	    sum.ended ? (sum.final == TARGET_ALIVE ?
	                        "cleanly: the recording was stopped" :
	                        target_state_name(sum.final)) :
	                "no end mark: the recorder was killed, or is "
	                "still writing");
	printf("damage:    %s\n", sum.ndamage ? "" : "none");
	for (i = 0; i < sum.ndamage; i++)
		printf("  segment %d, offset %llu: %s\n", sum.damage[i].segment,
		    (unsigned long long)sum.damage[i].offset,
		    sum.damage[i].reason);
	return sum.ndamage ? EXIT_BAD_SESSION : EXIT_OK;
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
	OPT_BUDGET
};

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
		{ "budget", required_argument, NULL, OPT_BUDGET },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' }, { NULL, 0, NULL, 0 } };
	struct demo_opts demo = { DEMO_LEAK_KB_S, 0, false, false, false };
	struct batch_opts bo = { BATCH_TEXT, FIELD_RSS, true, NULL, NULL };
	struct app app;
	struct pump_config pc;
	const char *replay_path = NULL, *rec_path = NULL;
	bool batch = false, run_demo = false, format_given = false,
	     info = false;
	const char *from = NULL, *to = NULL, *rules_path = NULL;
	struct classify_rules *rules;
	double keep = 0, budget = -1;
	char *cause = NULL, *err_msg = NULL;
	struct rx *filter = NULL;
	int c, err = 0, code;

	memset(&app, 0, sizeof app);
	app.interval = 2;
	app.sort = FIELD_RSS;
	app.sort_desc = true;
	setlocale(LC_ALL, "");

	opterr = 0;
	while ((c = getopt_long(
	            argc, argv, "p:bn:d:s:f:w:r:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			app.pid =
			    (int)parse_long(optarg, "the PID", 1, INT_MAX);
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
			if ((c = field_lookup(optarg)) < 0) {
				char cols[256];

				field_column_names(cols, sizeof cols, ", ");
				fatal(EXIT_USAGE,
				    "unknown column '%s' (try %s)", optarg,
				    cols);
			}
			app.sort = (enum field_id)c;
			app.sort_desc = field_get(app.sort)->desc;
			break;
		case 'f':
			app.filter = optarg;
			break;
		case OPT_FORMAT:
			if ((c = batch_format_lookup(optarg)) < 0)
				fatal(EXIT_USAGE,
				    "unknown format '%s' (text, csv "
				    "or json)",
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
	if (replay_path != NULL && (app.pid != 0 || rec_path != NULL))
		fatal(EXIT_USAGE,
		    "-r replays a recording: it goes with neither "
		    "-p nor -w");
	if (app.pid == 0 && replay_path == NULL)
		fatal(EXIT_USAGE,
		    "no target: give -p PID, or -r FILE to replay "
		    "a recording (or --demo to start the demo workload; see "
		    "memtop --help)");
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
	app.quiet = batch && rec_path != NULL && !format_given;

	if (app.filter != NULL) {
		filter = rx_compile(app.filter, &err_msg);
		if (filter == NULL)
			fatal(EXIT_USAGE, "-f: %s", err_msg);
	}
	rules = load_rules(rules_path);
	bo.sort = app.sort;
	bo.descending = app.sort_desc;
	bo.filter = filter;

	if (!batch && !info && !view_terminal_usable(&err_msg))
		fatal(EXIT_TERMINAL, "%s; use -b for batch output", err_msg);

	if (!batch && !info)
		supervise_dashboard();
	memset(&pc, 0, sizeof pc);
	if (replay_path != NULL) {
		struct session_summary sum;

		app.player = player_open(replay_path,
		    batch || info ? PLAYER_ONCE : PLAYER_TIMED, &cause, &err);
		if (app.player == NULL)
			fatal(err == -ENOENT ? EXIT_USAGE : EXIT_BAD_SESSION,
			    "%s", cause);
		if (info) {
			code = print_info(app.player, replay_path);
			player_free(app.player);
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
			fatal(err == -EACCES || err == -EPERM ?
			        EXIT_PERMISSION :
			        err == -ESRCH  ? EXIT_TARGET_GONE :
			        err == -EINVAL ? EXIT_USAGE :
			                         EXIT_FAILURE_GENERIC,
			    "%s", cause);
		/* A memtop in its target's cgroup (a sidecar) must not be
		 * the OOM killer's choice; whether it could be kept out of
		 * the way is in app.self_oom. */
		oom_self_protect(app.pid, &app.self_oom);
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
		if (budget >= 0)
			source_live_set_budget(app.source, budget);
		app.sampler = sampler_start(app.source, app.interval);
		sampler_set_limit(app.sampler, app.max_samples);
		pc.max_samples = app.max_samples;
	}
	app.model = model_new();
	pc.model = app.model;
	pc.sampler = app.sampler;
	pc.player = app.player;
	pc.rec = app.rec;
	pc.pid = app.pid;
	pc.stop_on_record_error = batch;
	app.pump = pump_new(&pc);

	if (batch) {
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
	if (app.rec != NULL &&
	    recorder_close(app.rec, pump_end_state(app.pump), &cause) != 0) {
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
	source_close(app.source);
	player_free(app.player);
	model_free(app.model);
	classify_rules_install(NULL);
	classify_rules_free(rules);
	rx_free(filter);
	return code;
}
