/*
 * view-header.c - the header lines: the target, the command line, the
 * totals with their trends and rates and MemAvailable, and the cgroup's
 * limit and how long until it is reached.  Each line is a list of items
 * fitted to the width by fit_line() (fit.h): words shorten before a figure
 * goes, and the figures that matter most stay longest.  A short screen
 * (under 18 lines) has the target's line and one line of totals.
 */
#include "config.h"

#include <curses.h>
#include <string.h>
#include <time.h>

#include "field.h"
#include "fit.h"
#include "spark.h"
#include "util.h"
#include "view-int.h"

#define METRIC_SPARK 12 /* samples in a total's trend, room allowing */
#define METRIC_FORMS 5  /* trends of 12, 8 and 4, none, and compact */
#define LINE_ITEMS   12
#define ITEM_TEXT    256

/* The items of one header line and the text of their forms. */
struct view_header_line {
	struct fit_item it[LINE_ITEMS];
	char text[LINE_ITEMS][METRIC_FORMS][ITEM_TEXT];
	int attr[LINE_ITEMS]; /* the whole item's attribute, or 0 */
	size_t n;
};

/* Add an item of keep with up to FIT_FORMS forms (printf formats are the
 * caller's: each form is given already made).  Returns its index. */
static size_t
view_header_item(struct view_header_line *l, int keep, const char *f0,
    const char *f1, const char *f2)
{
	const char *f[3] = { f0, f1, f2 };
	size_t i = l->n, k;

	if (i >= LINE_ITEMS)
		return LINE_ITEMS - 1;
	memset(&l->it[i], 0, sizeof l->it[i]);
	for (k = 0; k < 3 && f[k] != NULL; k++) {
		snprintf(l->text[i][k], ITEM_TEXT, "%s", f[k]);
		l->it[i].form[k] = l->text[i][k];
	}
	l->it[i].keep = keep;
	l->attr[i] = 0;
	l->n++;
	return i;
}

/* Draw a line that fit_line() made of l at y; each item with an attribute
 * gets it. */
static void
view_header_show(
    struct view *v, const struct view_header_line *l, int y, const char *buf)
{
	size_t i;

	move(y, 0);
	clrtoeol();
	view_put_plain(y, 0, buf, COLS);
	for (i = 0; i < l->n; i++) {
		if (l->attr[i] != 0 && l->it[i].x >= 0)
			mvchgat(y, l->it[i].x, l->it[i].width,
			    (attr_t)(l->attr[i] & ~A_COLOR),
			    (short)PAIR_NUMBER(l->attr[i]), NULL);
	}
}

/* Fit the line to the screen's width and draw it at y. */
static void
view_header_put(struct view *v, struct view_header_line *l, int y)
{
	char buf[1024];

	fit_line(l->it, l->n, "  ", COLS, v->utf8, buf, sizeof buf);
	view_header_show(v, l, y, buf);
}

/* What the header says of its first line's items, lightest first. */
enum {
	KEEP_SAMPLE = 20,
	KEEP_UP = 30,
	KEEP_EVERY = 40,
	KEEP_TORN = 45,
	KEEP_REGIONS = 50,
	KEEP_COMM = 70,
	KEEP_STATE = 85,
	KEEP_PID = 95,
	KEEP_NAME = 100,
};

/* Line 0: who, what is wrong if anything, how long, how often, and at
 * what cost. */
static void
view_header_target(struct view *v)
{
	const struct model *m = v->app->model;
	const struct snapshot_info *info = model_info(m);
	struct view_header_line l = { .n = 0 };
	char a[160], b[160], state[300];
	const char *st;
	size_t i;

	i = view_header_item(&l, KEEP_NAME, "memtop", NULL, NULL);
	l.attr[i] = A_BOLD;
	snprintf(a, sizeof a, "pid %d", info->pid ? info->pid : v->app->pid);
	view_header_item(&l, KEEP_PID, a, NULL, NULL);
	if (v->overlay != NULL && v->overlay->state != NULL &&
	    (st = v->overlay->state(v, state, sizeof state)) != NULL) {
		esc_text(st, strlen(st), a, sizeof a, v->utf8);
		i = view_header_item(&l, KEEP_STATE, a, NULL, NULL);
		l.it[i].cut = FIT_CUT_END;
		l.it[i].min = 12;
		l.attr[i] =
		    v->colors ? COLOR_PAIR(PAIR_GONE) | A_BOLD : A_REVERSE;
	}
	esc_text(info->comm, strlen(info->comm), a, sizeof a, v->utf8);
	i = view_header_item(&l, KEEP_COMM, a, NULL, NULL);
	l.it[i].cut = FIT_CUT_END;
	l.it[i].min = 6;
	snprintf(a, sizeof a, "up %s", fmt_duration(info->age_s, b, 16));
	view_header_item(&l, KEEP_UP, a, NULL, NULL);
	snprintf(a, sizeof a, "every %gs", v->app->interval);
	view_header_item(&l, KEEP_EVERY, a, NULL, NULL);
	snprintf(a, sizeof a, "sample %.1f ms", model_last_sample_ms(m));
	snprintf(b, sizeof b, "sample %.1fms", model_last_sample_ms(m));
	view_header_item(&l, KEEP_SAMPLE, a, b, NULL);
	snprintf(a, sizeof a, "%zu regions", model_totals(m)->nregions);
	snprintf(b, sizeof b, "%zu regs", model_totals(m)->nregions);
	view_header_item(&l, KEEP_REGIONS, a, b, NULL);
	if (model_torn(m) > 0) {
		snprintf(a, sizeof a, "(%u torn)", model_torn(m));
		view_header_item(&l, KEEP_TORN, a, NULL, NULL);
	}
	view_header_put(v, &l, 0);
}

/* How much a total matters when the line is narrow. */
static int
view_header_keep(enum field_id id)
{
	switch (id) {
	case FIELD_RSS:
		return 90;
	case FIELD_ANON:
		return 80;
	case FIELD_PRIVATE_DIRTY:
		return 70;
	case FIELD_SWAP:
		return 60;
	default:
		return 50;
	}
}

/* The columns of a total's trend in each of its forms (0: none). */
static const int view_header_sparks[METRIC_FORMS] = { METRIC_SPARK, 8, 4, 0,
	0 };

/*
 * A total of the registry as an item in its form number `form` (its only
 * one): "RSS     8.7M ▁▂▃▅▆▇ +31K/s" with a trend of 12 samples, 8, 4,
 * none, and last "RSS 8.7M +31K/s".  The name is at the item's start, the
 * rate at its end (its last word), the trend (when shown) at column 13.
 */
static size_t
view_header_metric(
    struct view *v, struct view_header_line *l, enum field_id id, int form)
{
	const struct field *f = field_get(id);
	const struct model *m = v->app->model;
	const struct model_totals *t = model_totals(m);
	struct field_row row = { m, NULL, NULL, 12 };
	uint64_t h[MODEL_HISTORY];
	char val[16], rate[16], spark[64];
	int sw = view_header_sparks[form];
	size_t n, i;

	field_format(id, &row, val, sizeof val);
	fmt_rate(model_totals_rate(m, f->series), rate, sizeof rate);
	i = view_header_item(l, view_header_keep(id), NULL, NULL, NULL);
	if (sw > 0) {
		n = model_history(
		    m, &t->hist[f->series], 0, UINT64_MAX, h, (size_t)sw);
		spark_render(h, n, (size_t)sw, v->utf8, spark, sizeof spark);
		snprintf(l->text[i][0], ITEM_TEXT, "%-5s %*s %s %*s", f->title,
		    FMT_KB_WIDTH + 1, val, spark, FMT_RATE_WIDTH, rate);
	} else if (form + 1 < METRIC_FORMS)
		snprintf(l->text[i][0], ITEM_TEXT, "%-5s %*s %*s", f->title,
		    FMT_KB_WIDTH + 1, val, FMT_RATE_WIDTH, rate);
	else
		snprintf(
		    l->text[i][0], ITEM_TEXT, "%s %s %s", f->title, val, rate);
	l->it[i].form[0] = l->text[i][0];
	l->it[i].form_used = form;
	return i;
}

/* The colours of a total drawn as view_header_metric() made it. */
static void
view_header_metric_attrs(
    struct view *v, const struct fit_item *it, int y, enum field_id id)
{
	const struct field *f = field_get(id);
	double r = model_totals_rate(v->app->model, f->series);
	int rw, sw = view_header_sparks[it->form_used];

	if (it->x < 0)
		return;
	rw = fit_width(strrchr(it->form[0], ' ') + 1);
	mvchgat(y, it->x, (int)strlen(f->title), A_BOLD, 0, NULL);
	if (v->colors && sw > 0)
		mvchgat(y, it->x + 13, sw, A_NORMAL, PAIR_BAR, NULL);
	if (v->colors && r >= 0.05)
		mvchgat(y, it->x + it->width - rw, rw, A_NORMAL, PAIR_UP, NULL);
}

/* MemAvailable of the system, and of how much, as an item. */
static size_t
view_header_memavail(struct view *v, struct view_header_line *l, int keep)
{
	const struct snapshot_info *info = model_info(v->app->model);
	char a[16], b[16], f0[64], f1[64], f2[64];

	fmt_kb(info->mem_available_kb, a, sizeof a);
	fmt_kb(info->mem_total_kb, b, sizeof b);
	snprintf(f0, sizeof f0, "MemAvailable %s of %s", a, b);
	snprintf(f1, sizeof f1, "avail %s of %s", a, b);
	snprintf(f2, sizeof f2, "avail %s", a);
	return view_header_item(l, keep, f0, f1, f2);
}

/* One line of totals, ids[at..end), in their form number form, and
 * MemAvailable last when mem; fitted into buf.  Whether all is shown. */
static bool
view_header_totals_line(struct view *v, struct view_header_line *l,
    const enum field_id *ids, size_t at, size_t end, int form, bool mem,
    char *buf, size_t size)
{
	size_t i;
	bool all = true;

	l->n = 0;
	for (i = at; i < end; i++)
		view_header_metric(v, l, ids[i], form);
	if (mem)
		view_header_memavail(v, l, 75);
	fit_line(l->it, l->n, "  ", COLS, v->utf8, buf, size);
	for (i = 0; i < l->n; i++) {
		all &= l->it[i].x >= 0;
		if (i < end - at)
			l->it[i].form_used = form;
	}
	return all;
}

/*
 * Lines of totals from y: the registry's header totals, three to a line
 * (all on one when lines is 1), MemAvailable at the end.  Every total has
 * the same form (their trends one under the other): the longest with which
 * every line fits, or else the shortest, the lightest dropped.  Returns
 * whether MemAvailable was shown.
 */
static bool
view_header_totals(struct view *v, int y, int lines)
{
	static struct view_header_line l; /* big: not on the stack */
	enum field_id ids[LINE_ITEMS];
	size_t n = 0, i, at[4], end[4];
	int id, line, form = 0, k;
	char buf[1024];
	bool shown = false;

	for (id = 0; id < FIELD_COUNT && n < LINE_ITEMS - 1; id++) {
		if (field_get(id)->flags & FIELD_HEADER)
			ids[n++] = (enum field_id)id;
	}
	lines = lines < 4 ? lines : 4;
	for (line = 0; line < lines; line++) {
		at[line] = line == 0 ? 0 : end[line - 1];
		end[line] = line + 1 == lines ? n : at[line] + 3;
		end[line] = end[line] < n ? end[line] : n;
		for (k = 0; k + 1 < METRIC_FORMS; k++) {
			if (view_header_totals_line(v, &l, ids, at[line],
			        end[line], k, line + 1 == lines, buf,
			        sizeof buf))
				break;
		}
		form = k > form ? k : form;
	}
	for (line = 0; line < lines; line++) {
		view_header_totals_line(v, &l, ids, at[line], end[line], form,
		    line + 1 == lines, buf, sizeof buf);
		view_header_show(v, &l, y + line, buf);
		for (i = at[line]; i < end[line]; i++)
			view_header_metric_attrs(
			    v, &l.it[i - at[line]], y + line, ids[i]);
		if (line + 1 == lines)
			shown = l.it[l.n - 1].x >= 0;
	}
	return shown;
}

/* Line 4: the cgroup's usage and limit, how long until the limit (or
 * until MemAvailable runs out) at the process's rate, its OOM kills, and
 * its name, cut at its front. */
static void
view_header_limits(struct view *v, int y, bool mem_shown)
{
	const struct model *m = v->app->model;
	const struct snapshot_info *info = model_info(m);
	struct view_header_line l = { .n = 0 };
	char a[16], b[16], eta[16], rs[16], f0[1100], f1[128], f2[128];
	double rate = model_totals_rate(m, SERIES_RSS);
	bool warn = false;
	size_t i;

	fmt_rate(rate, rs, sizeof rs); /* as the totals show it */
	if (!mem_shown) {
		fmt_kb(info->mem_available_kb, a, sizeof a);
		snprintf(f0, sizeof f0, "MemAvailable %s", a);
		snprintf(f1, sizeof f1, "avail %s", a);
		view_header_item(&l, 70, f0, f1, NULL);
	}
	fmt_kb(info->cg_current / 1024, a, sizeof a);
	if (info->has_cgroup && info->cg_max != UINT64_MAX) {
		double left =
		    (double)(info->cg_max -
		        (info->cg_current < info->cg_max ? info->cg_current :
		                                           info->cg_max)) /
		    1024;

		fmt_kb(info->cg_max / 1024, b, sizeof b);
		snprintf(f0, sizeof f0, "cgroup %s of %s (%.0f%%)", a, b,
		    100.0 * (double)info->cg_current / (double)info->cg_max);
		snprintf(f1, sizeof f1, "cg %s of %s (%.0f%%)", a, b,
		    100.0 * (double)info->cg_current / (double)info->cg_max);
		snprintf(f2, sizeof f2, "cg %s/%s", a, b);
		view_header_item(&l, 90, f0, f1, f2);
		warn = info->cg_current > info->cg_max / 10 * 9;
		if (rate > 0.05) {
			fmt_duration(left / rate, eta, sizeof eta);
			snprintf(f0, sizeof f0, "limit in ~%s at %s", eta, rs);
			snprintf(f1, sizeof f1, "limit in ~%s", eta);
			snprintf(f2, sizeof f2, "limit ~%s", eta);
			view_header_item(&l, 85, f0, f1, f2);
		}
	} else {
		if (info->has_cgroup) {
			snprintf(f0, sizeof f0, "cgroup %s, no limit", a);
			snprintf(f1, sizeof f1, "cg %s, no limit", a);
			snprintf(f2, sizeof f2, "cg %s", a);
			view_header_item(&l, 90, f0, f1, f2);
		}
		if (rate > 0.05 && info->mem_available_kb > 0) {
			fmt_duration((double)info->mem_available_kb / rate, eta,
			    sizeof eta);
			snprintf(f0, sizeof f0, "at %s MemAvailable lasts ~%s",
			    rs, eta);
			snprintf(f1, sizeof f1, "MemAvailable lasts ~%s", eta);
			snprintf(f2, sizeof f2, "avail lasts ~%s", eta);
			view_header_item(&l, 85, f0, f1, f2);
		}
	}
	if (info->has_cgroup && info->cg_oom_kills > 0) {
		snprintf(f0, sizeof f0, "OOM kills %llu",
		    (unsigned long long)info->cg_oom_kills);
		snprintf(f1, sizeof f1, "OOM %llu",
		    (unsigned long long)info->cg_oom_kills);
		view_header_item(&l, 80, f0, f1, NULL);
	}
	if (info->has_cgroup) {
		char esc[1024];

		esc_text(info->cgroup_path, strlen(info->cgroup_path), esc,
		    sizeof esc, v->utf8);
		snprintf(f0, sizeof f0, "[%s]", esc);
		i = view_header_item(&l, 10, f0, NULL, NULL);
		l.it[i].cut = FIT_CUT_FRONT;
		l.it[i].min = 8;
	}
	if (warn && v->colors)
		attron(COLOR_PAIR(PAIR_WARN) | A_BOLD);
	view_header_put(v, &l, y);
	attroff(COLOR_PAIR(PAIR_WARN) | A_BOLD);
}

void
view_header_draw(struct view *v)
{
	const struct snapshot_info *info = model_info(v->app->model);
	bool mem_shown;

	view_header_target(v);
	if (HEADER_ROWS < 5) {
		/* A short screen: the totals on one line. */
		view_header_totals(v, 1, 1);
		return;
	}
	/* Line 1: the command line, escaped. */
	mvaddstr(1, 0, "cmd ");
	view_put(
	    v->utf8, 1, 4, info->cmdline, info->cmdline_len, COLS - 4, false);
	mem_shown = view_header_totals(v, 2, 2);
	view_header_limits(v, 4, mem_shown);
}
