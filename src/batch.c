/*
 * batch.c - the model as plain text, CSV or JSON Lines (memtop -b).
 */
#include "config.h"

#include <ctype.h>
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
#include "field.h"
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

/* The columns of the table by class (text and JSON), after its count. */
static const enum field_id batch_class_fields[] = { FIELD_RSS, FIELD_PSS,
	FIELD_SWAP, FIELD_RATE };
#define BATCH_NCLASS (sizeof batch_class_fields / sizeof batch_class_fields[0])

/* Whether field id goes in an output of these flags; the tail fields (the
 * path) in the pass of their own, after the others. */
static bool
batch_has(enum field_id id, unsigned flag, bool tail)
{
	const struct field *f = field_get(id);

	return (f->flags & flag) && !(f->flags & FIELD_TAIL) == !tail;
}

/* The text table's width of a column. */
static int
batch_text_width(enum field_id id)
{
	const struct field *f = field_get(id);
	int w = f->width, t = (int)strlen(f->title);

	if (f->type == FT_RANGE)
		w = 33; /* two 16-digit addresses */
	if (f->type == FT_RATE)
		w = 8;
	return w > t ? w : t;
}

/* A heading of the text table: the field's title in capitals. */
static void
batch_text_title(FILE *f, enum field_id id, int w, const char *pre)
{
	const char *t = field_get(id)->title;
	char up[32];
	size_t i;

	for (i = 0; t[i] != '\0' && i + 1 < sizeof up; i++)
		up[i] = (char)toupper((unsigned char)t[i]);
	up[i] = '\0';
	fprintf(f, field_right(id) ? "%s%*s" : "%s%-*s", pre, w, up);
}

/* A cell of the text table, escaped, padded to w (never cut). */
static void
batch_text_cell(FILE *f, enum field_id id, const struct field_row *row, int w)
{
	char buf[256], esc[1024];

	field_format(id, row, buf, sizeof buf);
	esc_text(buf, strlen(buf), esc, sizeof esc, true);
	fprintf(f, field_right(id) ? " %*s" : " %-*s", w, esc);
}

/* Every byte of a long text field escaped: *cap grows as needed. */
static const char *
batch_escape(const struct field_value *v, char **buf, size_t *cap)
{
	if (4 * v->len + 1 > *cap) {
		*cap = 4 * v->len + 1;
		*buf = xrealloc(*buf, *cap);
	}
	esc_text(v->s, v->len, *buf, *cap, true);
	return *buf;
}

static void
batch_text(FILE *f, struct model *m, const struct table *t)
{
	const struct snapshot_info *info = model_info(m);
	const struct model_totals *tot = model_totals(m);
	const struct region_group *groups;
	struct field_row row = { m, NULL, NULL, 16 };
	char when[32], esc[1024], a[16], *path = NULL;
	size_t i, k, ng, path_cap = 0;
	time_t wall = (time_t)model_last_wall(m);
	struct tm tm;
	int id;

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
	/* The header's totals; the first, RSS, with its rate. */
	for (k = 0, id = 0; id < FIELD_COUNT; id++) {
		const struct field *fd = field_get(id);

		if (!(fd->flags & FIELD_HEADER))
			continue;
		field_format(id, &row, a, sizeof a);
		fprintf(f, "%s%s %s", k ? "  " : "", fd->title, a);
		if (k++ == 0)
			fprintf(f, " (%+.1f kB/s)",
			    model_totals_rate(m, fd->series));
	}
	fprintf(f, "  MemAvailable %s\n",
	    fmt_kb(info->mem_available_kb, a, sizeof a));
	if (info->has_cgroup) {
		char b[16];

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

	fprintf(f, "\n%-16s %7s", "CLASS", "REGIONS");
	for (k = 0; k < BATCH_NCLASS; k++)
		batch_text_title(f, batch_class_fields[k], 8, " ");
	fputc('\n', f);
	ng = model_groups(m, GROUP_CLASS, &groups);
	for (i = 0; i < ng; i++) {
		struct field_row g = { m, NULL, &groups[i], 16 };

		esc_text(groups[i].label, strlen(groups[i].label), esc,
		    sizeof esc, true);
		fprintf(f, "%-16s %7zu", esc, groups[i].nregions);
		for (k = 0; k < BATCH_NCLASS; k++)
			batch_text_cell(f, batch_class_fields[k], &g, 8);
		fputc('\n', f);
	}

	/* The region table: the columns of the registry, in its order. */
	fputs("\n ", f);
	for (id = 0; id < FIELD_COUNT; id++) {
		if (batch_has(id, FIELD_COLUMN, false))
			batch_text_title(f, id, batch_text_width(id), " ");
	}
	for (id = 0; id < FIELD_COUNT; id++) {
		if (batch_has(id, FIELD_COLUMN, true))
			batch_text_title(f, id, 0, "  ");
	}
	fputc('\n', f);
	for (i = 0; i < t->nrows; i++) {
		const struct tracked_region *r = t->rows[i];
		struct field_row rr = { m, r, NULL, 16 };
		struct field_value v;

		fputc(r->state == TR_NEW    ? '+' :
		        r->state == TR_GONE ? '-' :
		                              ' ',
		    f);
		for (id = 0; id < FIELD_COUNT; id++) {
			if (batch_has(id, FIELD_COLUMN, false))
				batch_text_cell(
				    f, id, &rr, batch_text_width(id));
		}
		/* The whole path, however long. */
		for (id = 0; id < FIELD_COUNT; id++) {
			if (batch_has(id, FIELD_COLUMN, true) &&
			    field_read(id, &rr, &v))
				fprintf(f, "  %s",
				    batch_escape(&v, &path, &path_cap));
		}
		fputs(r->deleted ? " (deleted)\n" : "\n", f);
	}
	fputc('\n', f);
	free(path);
}

/* One value as CSV (json false) or JSON writes it, without its key. */
static void
batch_put_value(
    FILE *f, enum field_id id, const struct field_value *v, bool json)
{
	switch (field_get(id)->type) {
	case FT_RANGE:
		fprintf(f, json ? "\"%" PRIx64 "\"" : "%" PRIx64, v->u);
		break;
	case FT_HEX:
		fprintf(f, json ? "\"%" PRIx64 "\"" : "%" PRIx64, v->u);
		break;
	case FT_TEXT:
		if (json)
			json_put_string(f, v->s, v->len);
		else
			csv_put_field(f, v->s, v->len);
		break;
	case FT_KB:
		fprintf(f, "%" PRIu64, v->u);
		break;
	case FT_DELTA:
		fprintf(f, "%" PRId64, v->i);
		break;
	case FT_RATE:
		fprintf(f, "%.3f", v->d);
		break;
	case FT_BOOL:
		fputs(json ? (v->u ? "true" : "false") : (v->u ? "1" : "0"), f);
		break;
	}
}

/* The fields of flag (FIELD_CSV or FIELD_JSON) of one row, tail last. */
static void
batch_put_fields(FILE *f, const struct field_row *row, unsigned flag)
{
	bool json = flag == FIELD_JSON, first = true;
	struct field_value v, end;
	int pass, id;

	for (pass = 0; pass < 2; pass++) {
		for (id = 0; id < FIELD_COUNT; id++) {
			const struct field *fd = field_get(id);

			if (!batch_has(id, flag, pass == 1))
				continue;
			if (!field_read(id, row, &v))
				memset(&v, 0, sizeof v);
			if (!first)
				fputs(json ? ", " : ",", f);
			first = false;
			if (json)
				fprintf(f, "\"%s\": ", fd->key);
			batch_put_value(f, id, &v, json);
			if (fd->type == FT_RANGE) {
				/* The end, as a field of its own. */
				end.u = v.u2;
				fputs(json ? ", \"end\": " : ",", f);
				batch_put_value(f, id, &end, json);
			}
		}
	}
}

static void
batch_csv(
    FILE *f, const struct model *m, const struct table *t, unsigned long n)
{
	const struct snapshot_info *info = model_info(m);
	size_t i;
	int pass, id;

	if (n == 0) {
		fputs("time,pid,comm", f);
		for (pass = 0; pass < 2; pass++) {
			for (id = 0; id < FIELD_COUNT; id++) {
				if (batch_has(id, FIELD_CSV, pass == 1))
					fprintf(f,
					    field_get(id)->type == FT_RANGE ?
					        ",%s,end" :
					        ",%s",
					    field_get(id)->key);
			}
		}
		fputc('\n', f);
	}
	for (i = 0; i < t->nrows; i++) {
		struct field_row row = { m, t->rows[i], NULL, 16 };

		fprintf(f, "%.3f,%d,", model_last_wall(m), info->pid);
		csv_put_field(f, info->comm, strlen(info->comm));
		fputc(',', f);
		batch_put_fields(f, &row, FIELD_CSV);
		fputc('\n', f);
	}
}

static void
batch_json(FILE *f, struct model *m, const struct table *t)
{
	const struct snapshot_info *info = model_info(m);
	const struct model_totals *tot = model_totals(m);
	const struct region_group *groups;
	struct field_row totals = { m, NULL, NULL, 16 };
	struct field_value v;
	size_t i, k, ng;
	int id;

	fprintf(f,
	    "{\"time\": %.3f, \"pid\": %d, \"comm\": ", model_last_wall(m),
	    info->pid);
	json_put_string(f, info->comm, strlen(info->comm));
	fputs(", \"cmdline\": ", f);
	json_put_string(f, info->cmdline, info->cmdline_len);
	fprintf(f,
	    ", \"state\": \"%s\", \"sample_ms\": %.3f, \"full\": %s, "
	    "\"totals\": {",
	    target_state_name(model_target_state(m)), model_last_sample_ms(m),
	    model_stale(m) == 0 ? "true" : "false");
	for (id = 0; id < FIELD_COUNT; id++) {
		if (!(field_get(id)->flags & FIELD_TOTAL) ||
		    !field_read(id, &totals, &v))
			continue;
		fprintf(f, "\"%s\": ", field_get(id)->key);
		batch_put_value(f, id, &v, true);
		fputs(", ", f);
	}
	fprintf(f, "\"regions\": %zu, \"rate_kb_s\": %.3f}", tot->nregions,
	    model_totals_rate(m, SERIES_RSS));
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
		struct field_row g = { m, NULL, &groups[i], 16 };

		fputs(i ? ", {\"class\": " : "{\"class\": ", f);
		json_put_string(f, groups[i].label, strlen(groups[i].label));
		fprintf(f, ", \"regions\": %zu", groups[i].nregions);
		for (k = 0; k < BATCH_NCLASS; k++) {
			field_read(batch_class_fields[k], &g, &v);
			fprintf(f, ", \"%s\": ",
			    field_get(batch_class_fields[k])->key);
			batch_put_value(f, batch_class_fields[k], &v, true);
		}
		fputc('}', f);
	}

	fputs("], \"regions\": [", f);
	for (i = 0; i < t->nrows; i++) {
		struct field_row row = { m, t->rows[i], NULL, 16 };

		fputs(i ? ", {" : "{", f);
		batch_put_fields(f, &row, FIELD_JSON);
		fputc('}', f);
	}
	fputs("]}\n", f);
}

int
batch_print(
    FILE *f, struct model *m, const struct batch_opts *o, unsigned long n)
{
	struct table t = { NULL, 0, 0 };

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
	table_free(&t);
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

int
batch_run(struct app *app, const struct batch_opts *bo)
{
	unsigned long printed = 0;
	struct sigaction sa;
	bool told = false;
	int what, wrc;
	double wall;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = batch_on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	batch_stop = 0;
	while (!batch_stop) {
		/* A live sample is taken on the sampler's thread, so that a
		 * read stuck on a target in D state or a frozen cgroup leaves
		 * this loop free to say so and to stop on a signal (which may
		 * land on another thread: look again soon).  A recording is
		 * read as fast as it decodes. */
		struct pollfd pfd = { pump_fd(app->pump), POLLIN, 0 };

		if (pfd.fd >= 0)
			poll(&pfd, 1, 200);
		if (batch_stop)
			break;
		what = pump_step(app->pump);
		if (what & PUMP_SAMPLE) {
			if (told)
				error_print("process %d: the late sample came "
				            "after %.1f s",
				    app->pid,
				    model_last_sample_ms(app->model) / 1000);
			told = false;
			wall = model_last_wall(app->model);
			if (app->quiet || (app->from > 0 && wall < app->from))
				wrc = 0;
			else if (app->to > 0 && wall > app->to)
				break;
			else
				wrc = batch_print(
				    stdout, app->model, bo, printed++);
			if (wrc == -EPIPE)
				break;
			if (wrc != 0)
				fatal(EXIT_FAILURE_GENERIC,
				    "writing output: %s", strerror(-wrc));
		}
		if (what & (PUMP_END | PUMP_LIMIT))
			break;
		if (!told && app->sampler != NULL &&
		    sampler_late(app->sampler)) {
			error_print(
			    "process %d: sample late: reading its /proc "
			    "files has taken %.0f s so far (a target in D "
			    "state or a frozen cgroup?); still waiting",
			    app->pid, sampler_busy(app->sampler));
			told = true;
		}
	}
	if (pump_ended(app->pump) && pump_end_cause(app->pump) != NULL)
		error_print("%s", pump_end_cause(app->pump));
	return pump_exit_code(app->pump);
}
