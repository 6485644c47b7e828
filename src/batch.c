/*
 * batch.c - the model as plain text, CSV or JSON Lines (memtop -b).
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "app.h"
#include "batch.h"
#include "session.h"
#include "util.h"

int
batch_format_lookup(const char *name)
{
	if (strcasecmp(name, "text") == 0)
		return BATCH_TEXT;
	if (strcasecmp(name, "csv") == 0)
		return BATCH_CSV;
	if (strcasecmp(name, "json") == 0 || strcasecmp(name, "jsonl") == 0)
		return BATCH_JSON;
	return -1;
}

/* Everything a line of any format says about one region. */
struct batch_row {
	char label[160];
	size_t label_len;
	const char *path;
	size_t path_len;
	int64_t delta_prev, delta_base;
	double rate;
};

static void
batch_row_fill(const struct model *m, const struct tracked_region *r,
    struct batch_row *row)
{
	row->label_len = model_class_label(m, r, row->label, sizeof row->label);
	row->path = model_path(m, r->path_id, &row->path_len);
	row->delta_prev = tracked_delta_prev(r, SF_RSS);
	row->delta_base = tracked_delta_base(r, SF_RSS);
	row->rate = model_region_rate(m, r, SERIES_RSS);
}

static void
batch_text(FILE *f, struct model *m, const struct table *t)
{
	const struct snapshot_info *info = model_info(m);
	const struct model_totals *tot = model_totals(m);
	const struct region_group *groups;
	char when[32], esc[1024], a[16], b[16], c[16], d[16], e[16], g[16];
	static char *path;
	static size_t path_cap;
	time_t wall = (time_t)model_last_wall(m);
	size_t i, ng;
	struct tm tm;

	localtime_r(&wall, &tm);
	strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
	esc_text(info->comm, strlen(info->comm), esc, sizeof esc, true);
	fprintf(f,
	    "memtop - %s  pid %d (%s)  %s  sample %.1f ms  "
	    "regions %zu",
	    when, info->pid, esc, target_state_name(model_target_state(m)),
	    model_last_sample_ms(m), tot->nregions);
	if (model_torn(m) > 0)
		fprintf(f, "  torn %u", model_torn(m));
	fputc('\n', f);
	esc_text(info->cmdline, info->cmdline_len, esc, sizeof esc, true);
	fprintf(f, "cmd: %s%s\n", esc, info->cmdline_truncated ? "..." : "");
	fprintf(f,
	    "RSS %s (%+.1f kB/s)  PSS %s  PrivDirty %s  Swap %s  "
	    "Anon %s  MemAvailable %s\n",
	    fmt_kb(tot->kb[SF_RSS], a, sizeof a),
	    model_totals_rate(m, SERIES_RSS),
	    fmt_kb(tot->kb[SF_PSS], b, sizeof b),
	    fmt_kb(tot->kb[SF_PRIVATE_DIRTY], c, sizeof c),
	    fmt_kb(tot->kb[SF_SWAP], d, sizeof d),
	    fmt_kb(tot->kb[SF_ANONYMOUS], e, sizeof e),
	    fmt_kb(info->mem_available_kb, g, sizeof g));
	if (info->has_cgroup) {
		if (info->cg_max == UINT64_MAX)
			fprintf(f, "cgroup %s: %s of no limit\n",
			    info->cgroup_path,
			    fmt_kb(info->cg_current / 1024, a, sizeof a));
		else
			fprintf(f,
			    "cgroup %s: %s of %s  oom_kill %" PRIu64 "\n",
			    info->cgroup_path,
			    fmt_kb(info->cg_current / 1024, a, sizeof a),
			    fmt_kb(info->cg_max / 1024, b, sizeof b),
			    info->cg_oom_kills);
	}

	fprintf(f, "\n%-16s %7s %8s %8s %8s %9s\n", "CLASS", "REGIONS", "RSS",
	    "PSS", "SWAP", "RATE/s");
	ng = model_groups(m, GROUP_CLASS, &groups);
	for (i = 0; i < ng; i++) {
		const struct region_group *gr = &groups[i];

		esc_text(gr->label, strlen(gr->label), esc, sizeof esc, true);
		fprintf(f, "%-16s %7zu %8s %8s %8s %+8.1fK\n", esc,
		    gr->nregions, fmt_kb(gr->kb[SF_RSS], a, sizeof a),
		    fmt_kb(gr->kb[SF_PSS], b, sizeof b),
		    fmt_kb(gr->kb[SF_SWAP], c, sizeof c), gr->rate_kb_s);
	}

	fprintf(f, "\n  %-33s %-4s %-14s %7s %7s %7s %9s %7s %7s %9s  %s\n",
	    "ADDRESS", "PERM", "CLASS", "SIZE", "RSS", "PSS", "PRIVDIRTY",
	    "SWAP", "DELTA", "RATE/s", "PATH");
	for (i = 0; i < t->nrows; i++) {
		const struct tracked_region *r = t->rows[i];
		struct batch_row row;
		char label[64];

		batch_row_fill(m, r, &row);
		esc_text(row.label, row.label_len, label, sizeof label, true);
		/* The whole path, however long: an escape is at most 4 bytes. */
		if (4 * row.path_len + 1 > path_cap) {
			path_cap = 4 * row.path_len + 1;
			path = xrealloc(path, path_cap);
		}
		esc_text(row.path, row.path_len, path, path_cap, true);
		fprintf(f,
		    "%c %016" PRIx64 "-%016" PRIx64 " %-4s %-14s %7s %7s "
		    "%7s %9s %7s %7s %+8.1fK  %s%s\n",
		    r->state == TR_NEW      ? '+' :
		        r->state == TR_GONE ? '-' :
		                              ' ',
		    r->start, r->end, r->perms, label,
		    fmt_kb((r->end - r->start) / 1024, a, sizeof a),
		    fmt_kb(r->kb[SF_RSS], b, sizeof b),
		    fmt_kb(r->kb[SF_PSS], c, sizeof c),
		    fmt_kb(r->kb[SF_PRIVATE_DIRTY], d, sizeof d),
		    fmt_kb(r->kb[SF_SWAP], e, sizeof e),
		    fmt_kb_delta(row.delta_base, g, sizeof g), row.rate, path,
		    r->deleted ? " (deleted)" : "");
	}
	fputc('\n', f);
}

static void
batch_csv(
    FILE *f, const struct model *m, const struct table *t, unsigned long n)
{
	const struct snapshot_info *info = model_info(m);
	size_t i;

	if (n == 0)
		fputs(
		    "time,pid,comm,start,end,perms,offset,class,state,size_kb,"
		    "rss_kb,pss_kb,private_dirty_kb,swap_kb,delta_rss_kb,"
		    "delta_base_rss_kb,rate_kb_s,target,deleted,path\n",
		    f);
	for (i = 0; i < t->nrows; i++) {
		const struct tracked_region *r = t->rows[i];
		struct batch_row row;

		batch_row_fill(m, r, &row);
		fprintf(f, "%.3f,%d,", model_last_wall(m), info->pid);
		csv_put_field(f, info->comm, strlen(info->comm));
		fprintf(f, ",%" PRIx64 ",%" PRIx64 ",%s,%" PRIx64 ",", r->start,
		    r->end, r->perms, r->offset);
		csv_put_field(f, row.label, row.label_len);
		fprintf(f,
		    ",%s,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64
		    ",%" PRIu64 ",%" PRId64 ",%" PRId64 ",%.3f,%s,%d,",
		    tracked_state_name(r->state), (r->end - r->start) / 1024,
		    r->kb[SF_RSS], r->kb[SF_PSS], r->kb[SF_PRIVATE_DIRTY],
		    r->kb[SF_SWAP], row.delta_prev, row.delta_base, row.rate,
		    target_state_name(model_target_state(m)), r->deleted);
		csv_put_field(f, row.path, row.path_len);
		fputc('\n', f);
	}
}

static void
batch_json(FILE *f, struct model *m, const struct table *t)
{
	const struct snapshot_info *info = model_info(m);
	const struct model_totals *tot = model_totals(m);
	const struct region_group *groups;
	size_t i, ng;

	fprintf(f,
	    "{\"time\": %.3f, \"pid\": %d, \"comm\": ", model_last_wall(m),
	    info->pid);
	json_put_string(f, info->comm, strlen(info->comm));
	fputs(", \"cmdline\": ", f);
	json_put_string(f, info->cmdline, info->cmdline_len);
	fprintf(f,
	    ", \"state\": \"%s\", \"sample_ms\": %.3f, \"totals\": "
	    "{\"size_kb\": %" PRIu64 ", \"rss_kb\": %" PRIu64
	    ", \"pss_kb\": %" PRIu64 ", \"private_dirty_kb\": %" PRIu64
	    ", \"swap_kb\": %" PRIu64 ", \"anon_kb\": %" PRIu64
	    ", \"regions\": %zu, \"rate_kb_s\": %.3f}",
	    target_state_name(model_target_state(m)), model_last_sample_ms(m),
	    tot->kb[SF_SIZE], tot->kb[SF_RSS], tot->kb[SF_PSS],
	    tot->kb[SF_PRIVATE_DIRTY], tot->kb[SF_SWAP], tot->kb[SF_ANONYMOUS],
	    tot->nregions, model_totals_rate(m, SERIES_RSS));
	fprintf(f, ", \"torn\": %u", model_torn(m));
	if (info->mem_available_kb != 0)
		fprintf(f, ", \"mem_available_kb\": %" PRIu64,
		    info->mem_available_kb);
	if (info->has_cgroup) {
		fputs(", \"cgroup\": {\"path\": ", f);
		json_put_string(
		    f, info->cgroup_path, strlen(info->cgroup_path));
		fprintf(f, ", \"current_bytes\": %" PRIu64, info->cg_current);
		if (info->cg_max != UINT64_MAX)
			fprintf(f, ", \"max_bytes\": %" PRIu64, info->cg_max);
		fprintf(f, ", \"oom_kills\": %" PRIu64 "}", info->cg_oom_kills);
	}

	fputs(", \"classes\": [", f);
	ng = model_groups(m, GROUP_CLASS, &groups);
	for (i = 0; i < ng; i++) {
		const struct region_group *gr = &groups[i];

		fputs(i ? ", {\"class\": " : "{\"class\": ", f);
		json_put_string(f, gr->label, strlen(gr->label));
		fprintf(f,
		    ", \"regions\": %zu, \"rss_kb\": %" PRIu64
		    ", \"pss_kb\": %" PRIu64 ", \"swap_kb\": %" PRIu64
		    ", \"rate_kb_s\": %.3f}",
		    gr->nregions, gr->kb[SF_RSS], gr->kb[SF_PSS],
		    gr->kb[SF_SWAP], gr->rate_kb_s);
	}

	fputs("], \"regions\": [", f);
	for (i = 0; i < t->nrows; i++) {
		const struct tracked_region *r = t->rows[i];
		struct batch_row row;

		batch_row_fill(m, r, &row);
		fprintf(f,
		    "%s{\"start\": \"%" PRIx64 "\", \"end\": \"%" PRIx64
		    "\", \"perms\": \"%s\", \"offset\": \"%" PRIx64 "\", "
		    "\"path\": ",
		    i ? ", " : "", r->start, r->end, r->perms, r->offset);
		json_put_string(f, row.path, row.path_len);
		fputs(", \"class\": ", f);
		json_put_string(f, row.label, row.label_len);
		fprintf(f,
		    ", \"state\": \"%s\", \"deleted\": %s, \"size_kb\": "
		    "%" PRIu64 ", \"rss_kb\": %" PRIu64 ", \"pss_kb\": %" PRIu64
		    ", \"private_dirty_kb\": %" PRIu64 ", \"swap_kb\": %" PRIu64
		    ", \"delta_rss_kb\": %" PRId64
		    ", \"delta_base_rss_kb\": %" PRId64
		    ", \"rate_kb_s\": %.3f}",
		    tracked_state_name(r->state), r->deleted ? "true" : "false",
		    (r->end - r->start) / 1024, r->kb[SF_RSS], r->kb[SF_PSS],
		    r->kb[SF_PRIVATE_DIRTY], r->kb[SF_SWAP], row.delta_prev,
		    row.delta_base, row.rate);
	}
	fputs("]}\n", f);
}

int
batch_print(
    FILE *f, struct model *m, const struct batch_opts *o, unsigned long n)
{
	static struct table t;

	table_build(&t, m, o->sort, o->descending, o->filter, NULL);
	switch (o->format) {
	case BATCH_TEXT:
		batch_text(f, m, &t);
		break;
	case BATCH_CSV:
		batch_csv(f, m, &t, n);
		break;
	case BATCH_JSON:
		batch_json(f, m, &t);
		break;
	}
	if (fflush(f) != 0 || ferror(f))
		return errno ? -errno : -EIO;
	return 0;
}

static volatile sig_atomic_t batch_stop;

static void
batch_on_signal(int sig)
{
	batch_stop = sig;
}

/*
 * The next sample, as source_next() gives it.  A replay is read here, as
 * fast as it decodes; a live target is read on the sampler's thread, so
 * that a read stuck on a target in D state or a frozen cgroup leaves this
 * loop free to say so and to stop on a signal.
 */
static int
batch_next(struct app *app, struct snapshot **snap, char **cause)
{
	bool told = false;
	int rc, err;

	if (app->sampler == NULL)
		return source_next(app->source, *snap, cause);
	while (!batch_stop) {
		struct pollfd pfd = { sampler_fd(app->sampler), POLLIN, 0 };

		/* A signal may land on another thread: look again soon. */
		poll(&pfd, 1, 200);
		rc = sampler_take(app->sampler, snap, cause, &err);
		if (rc == 1) {
			if (told)
				error_print("process %d: the late sample came "
				            "after %.1f s",
				    app->pid, (*snap)->sample_ms / 1000);
			return 0;
		}
		if (rc < 0) {
			(*snap)->state = sampler_end_state(app->sampler);
			return err < 0 ? err : 1;
		}
		if (!told && sampler_late(app->sampler)) {
			error_print(
			    "process %d: sample late: reading its /proc "
			    "files has taken %.0f s so far (a target in D "
			    "state "
			    "or a frozen cgroup?); still waiting",
			    app->pid, sampler_busy(app->sampler));
			told = true;
		}
	}
	return 0;
}

int
batch_run(struct app *app, const struct batch_opts *bo)
{
	struct snapshot *snap = snapshot_new();
	unsigned long printed = 0;
	size_t base = SIZE_MAX;
	struct sigaction sa;
	char *cause = NULL;
	int rc, wrc;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = batch_on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	batch_stop = 0;
	if (app->replay_path == NULL)
		app->sampler = sampler_start(app->source, app->interval);
	while (!batch_stop) {
		rc = batch_next(app, &snap, &cause);
		if (batch_stop)
			break;
		if (rc != 0) {
			app_end(app, cause, rc < 0 ? rc : 0, snap->state);
			break;
		}
		if ((rc = app_ingest(app, snap, &cause)) != 0) {
			/* A recording that cannot be written: stop, say why. */
			app_end(app, cause, rc, snap->state);
			break;
		}
		/* The baseline where the user moved it live (m, M), so the
		 * deltas are the ones the dashboard showed. */
		if (app->replay_path != NULL)
			base = app_replay_baseline(
			    app, replay_position(app->source) - 1, base);
		if (app->quiet || (app->from > 0 && snap->wall < app->from))
			wrc = 0;
		else if (app->to > 0 && snap->wall > app->to)
			break;
		else
			wrc = batch_print(stdout, app->model, bo, printed++);
		if (wrc == -EPIPE)
			break;
		if (wrc != 0)
			fatal(EXIT_FAILURE_GENERIC, "writing output: %s",
			    strerror(-wrc));
		if (app->max_samples > 0 && app->samples >= app->max_samples)
			break;
	}
	if (app->sampler != NULL && !sampler_stop(app->sampler))
		app->source = NULL; /* still in the stuck thread's hands */
	app->sampler = NULL;
	snapshot_free(snap);
	if (app->ended && app->end_cause != NULL)
		error_print("%s", app->end_cause);
	if (app_close_recording(app, &cause) != 0) {
		if (!app->ended || app->end_err == 0)
			error_print("%s", cause);
		free(cause);
		if (app->end_err == 0)
			return EXIT_FAILURE_GENERIC;
	}
	return app_exit_code(app);
}
