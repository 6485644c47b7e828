/*
 * batch-diff.c - memtop -b --diff: the difference between two moments of a
 * target, in text, CSV or JSON.  From a recording, the moments at two
 * times (-r FILE -b --diff T1 T2); live, the first sample and the one a
 * span later (-b -p PID --diff DURATION).  Both moments come from the same
 * model, so regions pair by their tracked identity (moment.h).
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "batch.h"
#include "report.h"
#include "util.h"

/* The series a diff shows, as JSON and CSV name them. */
static const char *const batch_diff_keys[SERIES_COUNT] = { "rss", "pss", "swap",
	"dirty" };

static void
batch_diff_when(double wall, char *buf, size_t size)
{
	time_t t = (time_t)wall;
	struct tm tm;

	if (!isfinite(wall) || wall <= 0) {
		snprintf(buf, size, "?");
		return;
	}
	localtime_r(&t, &tm);
	strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm);
}

static void
batch_diff_text_table(FILE *f, const struct moment_diff *d)
{
	size_t i;
	int s;

	fprintf(f, "%-6s", "CHANGE");
	for (s = 0; s < SERIES_COUNT; s++)
		fprintf(f, " %8s",
		    s == 0     ? "dRSS" :
		        s == 1 ? "dPSS" :
		        s == 2 ? "dSWAP" :
		                 "dDIRTY");
	if (d->by == GROUP_NONE)
		fprintf(f, " %8s  %-16s %-33s  %s\n", "RSS", "CLASS", "RANGE",
		    "PATH");
	else
		fprintf(f, " %8s %9s  %s\n", "RSS", "REGIONS", "NAME");
	for (i = 0; i < d->n; i++) {
		const struct moment_delta *dl = &d->d[i];
		char buf[16], path[4096], label[160];

		fprintf(f, "%-6s", moment_change_name(dl->change));
		for (s = 0; s < SERIES_COUNT; s++)
			fprintf(f, " %8s",
			    fmt_kb_delta(dl->delta_kb[s], buf, sizeof buf));
		fmt_kb(dl->change == MOMENT_GONE ? dl->a_kb[SERIES_RSS] :
		                                   dl->b_kb[SERIES_RSS],
		    buf, sizeof buf);
		report_delta_path(dl, path, sizeof path, true);
		esc_text(
		    dl->label, strlen(dl->label), label, sizeof label, true);
		if (d->by == GROUP_NONE)
			fprintf(f,
			    " %8s  %-16s %016" PRIx64 "-%016" PRIx64 "  %s\n",
			    buf, label, report_delta_start(dl),
			    report_delta_end(dl), path);
		else
			fprintf(f, " %8s %4zu->%-4zu  %s\n", buf, dl->na,
			    dl->nb, path[0] ? path : label);
	}
}

static void
batch_diff_text(FILE *f, const struct moment *a, const struct moment *b,
    const struct moment_diff *d, const struct moment_diff *dc,
    const struct snapshot_info *info)
{
	char t1[32], t2[32], comm[256], k[SERIES_COUNT][16];
	int s;

	batch_diff_when(a->wall, t1, sizeof t1);
	batch_diff_when(b->wall, t2, sizeof t2);
	esc_text(info->comm, strlen(info->comm), comm, sizeof comm, true);
	for (s = 0; s < SERIES_COUNT; s++)
		fmt_kb_delta(d->total_delta_kb[s], k[s], sizeof k[s]);
	fprintf(f,
	    "memtop - what changed in pid %d (%s) from %s to %s (%.1fs)\n"
	    "%zu new, %zu gone, %zu grew, %zu shrank; the process: RSS %s  "
	    "PSS %s  swap %s  dirty %s\n\n",
	    info->pid, comm, t1, t2, isfinite(d->span_s) ? d->span_s : 0,
	    d->nnew, d->ngone, d->ngrew, d->nshrank, k[0], k[1], k[2], k[3]);
	batch_diff_text_table(f, d);
	fputs("\nBy class:\n", f);
	batch_diff_text_table(f, dc);
}

/* One line's counters, as JSON keys or CSV fields. */
static void
batch_diff_counters(FILE *f, const struct moment_delta *dl, bool json)
{
	int s;

	for (s = 0; s < SERIES_COUNT; s++) {
		if (json)
			fprintf(f,
			    ", \"%s_kb\": %" PRIu64
			    ", \"%s_before_kb\": %" PRIu64
			    ", \"%s_delta_kb\": %" PRId64,
			    batch_diff_keys[s], dl->b_kb[s], batch_diff_keys[s],
			    dl->a_kb[s], batch_diff_keys[s], dl->delta_kb[s]);
		else
			fprintf(f, ",%" PRIu64 ",%" PRIu64 ",%" PRId64,
			    dl->a_kb[s], dl->b_kb[s], dl->delta_kb[s]);
	}
}

static void
batch_diff_csv(FILE *f, const struct moment_diff *d,
    const struct moment_diff *dc, double t1, double t2)
{
	const struct moment_diff *both[2] = { d, dc };
	size_t i, k;
	int s;

	fputs("from,to,by,change,start,end,class,path,regions_before,"
	      "regions_after",
	    f);
	for (s = 0; s < SERIES_COUNT; s++)
		fprintf(f, ",%s_before_kb,%s_kb,%s_delta_kb",
		    batch_diff_keys[s], batch_diff_keys[s], batch_diff_keys[s]);
	fputc('\n', f);
	for (k = 0; k < 2; k++) {
		for (i = 0; i < both[k]->n; i++) {
			const struct moment_delta *dl = &both[k]->d[i];

			fprintf(f, "%.3f,%.3f,%s,%s,", t1, t2,
			    k == 0 ? "region" : "class",
			    moment_change_name(dl->change));
			if (k == 0)
				fprintf(f, "%" PRIx64 ",%" PRIx64 ",",
				    report_delta_start(dl),
				    report_delta_end(dl));
			else
				fputs(",,", f);
			csv_put_field(f, dl->label, strlen(dl->label));
			fputc(',', f);
			csv_put_field(f, dl->path ? dl->path : "",
			    dl->path ? dl->path_len : 0);
			fprintf(f, ",%zu,%zu", dl->na, dl->nb);
			batch_diff_counters(f, dl, false);
			fputc('\n', f);
		}
	}
}

static void
batch_diff_json(FILE *f, const struct moment *a, const struct moment *b,
    const struct moment_diff *d, const struct moment_diff *dc,
    const struct snapshot_info *info)
{
	const struct moment_diff *both[2] = { d, dc };
	size_t i, k;
	int s;

	fprintf(f, "{\"from\": %.3f, \"to\": %.3f, \"span_s\": %.3f, ", a->wall,
	    b->wall, isfinite(d->span_s) ? d->span_s : 0);
	fprintf(f, "\"pid\": %d, \"comm\": ", info->pid);
	json_put_string(f, info->comm, strlen(info->comm));
	fprintf(f,
	    ", \"new\": %zu, \"gone\": %zu, \"grew\": %zu, \"shrank\": %zu, "
	    "\"totals\": {",
	    d->nnew, d->ngone, d->ngrew, d->nshrank);
	for (s = 0; s < SERIES_COUNT; s++)
		fprintf(f, "%s\"%s_delta_kb\": %" PRId64, s ? ", " : "",
		    batch_diff_keys[s], d->total_delta_kb[s]);
	fputc('}', f);
	for (k = 0; k < 2; k++) {
		fputs(k == 0 ? ", \"regions\": [" : ", \"classes\": [", f);
		for (i = 0; i < both[k]->n; i++) {
			const struct moment_delta *dl = &both[k]->d[i];

			fprintf(f, "%s{\"change\": \"%s\"", i ? ", " : "",
			    moment_change_name(dl->change));
			if (k == 0)
				fprintf(f,
				    ", \"start\": \"%" PRIx64
				    "\", \"end\": \"%" PRIx64 "\"",
				    report_delta_start(dl),
				    report_delta_end(dl));
			fputs(", \"class\": ", f);
			json_put_string(f, dl->label, strlen(dl->label));
			if (k == 0) {
				fputs(", \"path\": ", f);
				json_put_string(f, dl->path ? dl->path : "",
				    dl->path ? dl->path_len : 0);
			} else
				fprintf(f,
				    ", \"regions_before\": %zu, "
				    "\"regions\": %zu",
				    dl->na, dl->nb);
			batch_diff_counters(f, dl, true);
			fputc('}', f);
		}
		fputc(']', f);
	}
	fputs("}\n", f);
}

int
batch_diff_print(FILE *f, const struct moment *a, const struct moment *b,
    const struct snapshot_info *info, enum batch_format format)
{
	struct moment_diff *d = moment_diff(a, b, GROUP_NONE, false);
	struct moment_diff *dc = moment_diff(a, b, GROUP_CLASS, false);

	switch (format) {
	case BATCH_CSV:
		batch_diff_csv(f, d, dc, a->wall, b->wall);
		break;
	case BATCH_JSON:
		batch_diff_json(f, a, b, d, dc, info);
		break;
	default:
		batch_diff_text(f, a, b, d, dc, info);
		break;
	}
	moment_diff_free(d);
	moment_diff_free(dc);
	if (fflush(f) != 0 || ferror(f))
		return errno ? -errno : -EIO;
	return 0;
}

static volatile sig_atomic_t batch_diff_stop;

static void
batch_diff_on_signal(int sig)
{
	batch_diff_stop = sig;
}

/* Whether the sample just taken is the later moment. */
static bool
batch_diff_is_last(
    const struct app *app, const struct batch_diff *bd, const struct moment *a)
{
	double wall = model_last_wall(app->model);
	size_t pos;

	if (app->player == NULL)
		return wall - a->wall >= bd->span_s - 1e-6;
	if (wall > bd->to)
		return false;
	pos = player_position(app->player);
	return pos + 1 >= player_count(app->player) ||
	    player_time_of(app->player, pos + 1) > bd->to;
}

int
batch_diff_run(
    struct app *app, const struct batch_opts *bo, const struct batch_diff *bd)
{
	struct moment *a = NULL, *b = NULL;
	struct sigaction sa;
	int what = 0, rc, code;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = batch_diff_on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	batch_diff_stop = 0;
	while (!batch_diff_stop && b == NULL) {
		struct pollfd pfd = { pump_fd(app->pump), POLLIN, 0 };

		if (pfd.fd >= 0)
			poll(&pfd, 1, 200);
		what = pump_step(app->pump);
		if (what & PUMP_SAMPLE) {
			double wall = model_last_wall(app->model);

			if (a == NULL) {
				if (app->player == NULL || wall >= bd->from)
					a = moment_capture(app->model);
			} else if (batch_diff_is_last(app, bd, a))
				b = moment_capture(app->model);
		}
		if (what & PUMP_END)
			break;
	}
	/* A live target that ended: what changed up to its last sample. */
	if (b == NULL && a != NULL && app->player == NULL &&
	    model_last_wall(app->model) > a->wall)
		b = moment_capture(app->model);
	code = pump_exit_code(app->pump);
	if (pump_ended(app->pump) && pump_end_cause(app->pump) != NULL)
		error_print("%s", pump_end_cause(app->pump));
	if (a == NULL || b == NULL) {
		if (!batch_diff_stop)
			error_print("--diff: %s",
			    app->player != NULL ?
			        "the recording has no two samples between "
			        "those times" :
			        "the target ended before a second sample");
		code = code != EXIT_OK ? code : EXIT_USAGE;
	} else {
		if (app->player == NULL &&
		    b->wall - a->wall < bd->span_s - 1e-6)
			error_print("--diff: the target ended %.1fs in: the "
			            "difference up to its last sample",
			    b->wall - a->wall);
		rc = batch_diff_print(
		    stdout, a, b, model_info(app->model), bo->format);
		if (rc != 0 && rc != -EPIPE)
			fatal(EXIT_FAILURE_GENERIC, "writing output: %s",
			    strerror(-rc));
	}
	moment_free(a);
	moment_free(b);
	return code;
}
