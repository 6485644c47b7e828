/*
 * view-header.c - the header lines: the target, the command line, the
 * totals with their trends and rates and MemAvailable, and the cgroup's
 * limit and how long until it is reached.  Each line is a list of items
 * fitted to the width by fit_line() (fit.h): words shorten before a figure
 * goes, and the figures that matter most stay longest.  A short screen
 * (under 18 lines) has the target's line and one line: the totals, or the
 * OOM projection or the target's end when there is one.  A sixth line has
 * the runtime's own figures, when there are some (facts.h).
 */
#include "config.h"

#include <curses.h>
#include <string.h>
#include <time.h>

#include "facts.h"
#include "field.h"
#include "fit.h"
#include "spark.h"
#include "util.h"
#include "view-int.h"

#define METRIC_SPARK 12 /* samples in a total's trend, room allowing */
#define METRIC_FORMS 5  /* trends of 12, 8 and 4, none, and compact */
#define LINE_ITEMS   12
#define ITEM_TEXT    256

/* The runtime's line took a row at the last draw (HEADER_ROWS reads it:
 * the screens below lay out from it). */
static int view_header_rt_row;

int
view_header_rows(void)
{
	return LINES >= 18 ? 6 + view_header_rt_row : 2;
}

/* The facts of the model's last sample, worked out once per sample: a
 * redraw for a key (paging through 65,000 regions) reuses them. */
static const struct facts *
view_header_facts(const struct model *m)
{
	static struct facts fx;
	static const struct model *of;
	static uint64_t serial, samples;

	if (of != m || serial != model_serial(m) ||
	    samples != model_samples(m)) {
		facts_get(m, &fx);
		of = m;
		serial = model_serial(m);
		samples = model_samples(m);
	}
	return &fx;
}

/* How the target ended, when the header is to say it: a live target's once
 * it is gone, a recording's at its last sample; else NULL. */
const struct end_verdict *
view_header_verdict(struct view *v)
{
	static struct session_summary sum;
	struct player *pl = v->app->player;
	size_t n;

	if (pl == NULL) {
		const struct end_verdict *e = pump_end_verdict(v->app->pump);

		return pump_ended(v->app->pump) && e->known ? e : NULL;
	}
	n = player_count(pl);
	if (n == 0 || player_position(pl) + 1 < n)
		return NULL;
	player_summary(pl, &sum);
	return sum.ended && sum.final != TARGET_ALIVE && sum.end.verdict.known ?
	    &sum.end.verdict :
	    NULL;
}

/* The cgroup/OOM line (facts.h says its words at every width) at row y
 * from x, in the warning colour when the limit or an OOM kill is near.
 * Returns whether it drew something. */
static bool
view_header_limit(
    struct view *v, const struct facts *fx, int y, int x, bool mem_shown)
{
	const struct end_verdict *end = view_header_verdict(v);
	char buf[1024];
	int warn = end != NULL ?
	    facts_header_end(end, COLS - x, buf, sizeof buf) :
	    facts_header_limit(
	        v->app->model, fx, COLS - x, mem_shown, buf, sizeof buf);

	if (warn < 0)
		return false;
	if (warn > 0 && v->colors)
		attron(COLOR_PAIR(PAIR_WARN) | A_BOLD);
	view_put(v->utf8, y, x, buf, strlen(buf), COLS - x, false);
	attroff(COLOR_PAIR(PAIR_WARN) | A_BOLD);
	return true;
}

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
	KEEP_RUNTIME = 60,
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
	/* What it runs: "go1.22.1", "JVM", "CPython 3.11". */
	if (facts_runtime_name(info, b, sizeof b)[0] != '\0')
		view_header_item(&l, KEEP_RUNTIME, b, NULL, NULL);
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

/*
 * A short screen's line 1: the totals, or when there is an OOM projection
 * or an end to tell, RSS with its rate and the limit's line beside it (the
 * limit's line alone when RSS leaves it too little room).
 */
static void
view_header_short(struct view *v, const struct facts *fx)
{
	struct view_header_line l = { .n = 0 };
	char buf[1024];
	int x;

	if (fx->oom.status != OOM_ETA && view_header_verdict(v) == NULL) {
		view_header_totals(v, 1, 1);
		return;
	}
	view_header_metric(v, &l, FIELD_RSS, METRIC_FORMS - 1);
	fit_line(l.it, l.n, "  ", COLS, v->utf8, buf, sizeof buf);
	x = l.it[0].x >= 0 ? l.it[0].width + 2 : 0;
	if (COLS - x < 20)
		x = 0;
	if (x > 0) {
		view_header_show(v, &l, 1, buf);
		view_header_metric_attrs(v, &l.it[0], 1, FIELD_RSS);
	}
	if (!view_header_limit(v, fx, 1, x, false) && x == 0)
		view_header_totals(v, 1, 1);
}

void
view_header_draw(struct view *v)
{
	const struct model *m = v->app->model;
	const struct snapshot_info *info = model_info(m);
	const struct facts *fx = view_header_facts(m);
	char buf[1024];
	bool mem_shown;

	view_header_target(v);
	view_header_rt_row = 0;
	if (HEADER_ROWS < 5) {
		view_header_short(v, fx);
		return;
	}
	/* Line 1: the command line, escaped. */
	mvaddstr(1, 0, "cmd ");
	view_put(
	    v->utf8, 1, 4, info->cmdline, info->cmdline_len, COLS - 4, false);
	mem_shown = view_header_totals(v, 2, 2);

	/* Line 4: the limit that binds, how long until the OOM killer comes
	 * (facts.h: the projection of what cannot be reclaimed), pressure,
	 * the OOM kills since start, whose cgroup. */
	if (!view_header_limit(v, fx, 4, 0, mem_shown) && !mem_shown) {
		struct view_header_line l = { .n = 0 };

		view_header_memavail(v, &l, 75);
		view_header_put(v, &l, 4);
	}

	/* Line 5: the runtime's own figures, when it has some. */
	if (facts_header_runtime(m, fx, COLS, buf, sizeof buf)) {
		view_header_rt_row = 1;
		view_put(v->utf8, 5, 0, buf, strlen(buf), COLS, false);
	}

	/* The last line: the top leak suspect (view-suspects.c). */
	view_suspects_header(v, 5 + view_header_rt_row);
}
