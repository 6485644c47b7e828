/*
 * view-diff.c - what changed since the baseline (key D): the regions new
 * since it, gone since it, grown or shrunk, biggest change first, each
 * change in RSS, PSS, swap and dirty; or the same by class or by file, as
 * Sysinternals VMMap compares two snapshots.  The earlier moment is the one
 * taken when m was pressed (exact), else the model's baseline (moment.h).
 */
#include "config.h"

#include <curses.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report.h"
#include "util.h"
#include "view-int.h"

struct view_diff {
	struct moment *base; /* the model's baseline, when m took none */
	struct moment *now;
	struct moment_diff *d;
	/* What d was made for. */
	uint64_t serial, samples, baseline_seq;
	const struct moment *a;
	enum group_by made_by;
	enum group_by by;
	size_t cursor, top;
};

void
view_diff_free(struct view *v)
{
	struct view_diff *vd = v->diff;

	if (vd == NULL)
		return;
	moment_diff_free(vd->d);
	moment_free(vd->base);
	moment_free(vd->now);
	free(vd);
	v->diff = NULL;
}

/* The earlier moment: m's, while it is the model's baseline. */
static const struct moment *
view_diff_earlier(struct view *v, bool *exact)
{
	const struct model *m = v->app->model;
	struct view_diff *vd = v->diff;

	*exact = false;
	if (v->baseline != NULL &&
	    (v->baseline->model_serial != model_serial(m) ||
	        v->baseline->seq != model_baseline_seq(m))) {
		/* A replay jumped, or the recording moved the baseline. */
		moment_free(v->baseline);
		v->baseline = NULL;
	}
	if (v->baseline != NULL) {
		*exact = true;
		return v->baseline;
	}
	if (vd->base == NULL || vd->base->model_serial != model_serial(m) ||
	    vd->base->seq != model_baseline_seq(m) ||
	    vd->samples != model_samples(m)) {
		moment_free(vd->base);
		vd->base = moment_capture_baseline(m);
	}
	return vd->base;
}

/* The diff from the baseline to now, made again when either moved. */
static const struct moment_diff *
view_diff_get(struct view *v, bool *exact)
{
	const struct model *m = v->app->model;
	struct view_diff *vd;
	const struct moment *a;

	if (v->diff == NULL)
		v->diff = xcalloc(1, sizeof *v->diff);
	vd = v->diff;
	if (model_samples(m) == 0)
		return NULL;
	a = view_diff_earlier(v, exact);
	if (vd->d != NULL && vd->serial == model_serial(m) &&
	    vd->samples == model_samples(m) &&
	    vd->baseline_seq == model_baseline_seq(m) && vd->a == a &&
	    vd->made_by == vd->by)
		return vd->d;
	moment_diff_free(vd->d);
	if (vd->now == NULL || vd->now->model_serial != model_serial(m) ||
	    vd->now->seq + 1 != model_samples(m)) {
		moment_free(vd->now);
		vd->now = moment_capture(m);
	}
	vd->d = moment_diff(a, vd->now, vd->by, false);
	vd->serial = model_serial(m);
	vd->samples = model_samples(m);
	vd->baseline_seq = model_baseline_seq(m);
	vd->a = a;
	vd->made_by = vd->by;
	return vd->d;
}

static int
view_diff_pair(enum moment_change c)
{
	switch (c) {
	case MOMENT_NEW:
		return PAIR_NEW;
	case MOMENT_GONE:
		return PAIR_GONE;
	case MOMENT_GREW:
		return PAIR_UP;
	default:
		return PAIR_DOWN;
	}
}

static void
view_diff_tabs(struct view *v, const struct moment_diff *d, bool exact)
{
	const struct moment *a = v->diff->a;
	char info[400], when[32], ago[16], span[16];
	int x, fit;

	snprintf(info, sizeof info, " What changed  %s  %s  %s",
	    v->diff->by == GROUP_NONE ? "[Regions]" : " Regions ",
	    v->diff->by == GROUP_CLASS ? "[By class]" : " By class ",
	    v->diff->by == GROUP_FILE ? "[By file]" : " By file ");
	x = view_put_plain(HEADER_ROWS, 0, info, COLS);
	if (a != NULL && isfinite(a->wall) && a->wall > 0) {
		time_t t = (time_t)a->wall;
		struct tm tm;

		localtime_r(&t, &tm);
		strftime(when, sizeof when, "%H:%M:%S", &tm);
	} else
		snprintf(when, sizeof when, "?");
	/* The counts matter more than the spaces between them and the
	 * words before the time: those go first when the line is long. */
	snprintf(span, sizeof span, "%s",
	    d != NULL && isfinite(d->span_s) ?
	        fmt_duration(d->span_s, ago, sizeof ago) :
	        "?");
	for (fit = 0; fit < 3; fit++) {
		const char *sep = fit == 0 ? "  " : " ";

		snprintf(info, sizeof info,
		    "   since %s%s (%s)  %zu new%s%zu gone%s%zu grew%s%zu "
		    "shrank",
		    fit == 2                     ? "" :
		        exact                    ? "m at " :
		        a != NULL && a->seq == 0 ? "the first sample at " :
		                                   "the baseline at ",
		    when, span, d ? d->nnew : 0, sep, d ? d->ngone : 0, sep,
		    d ? d->ngrew : 0, sep, d ? d->nshrank : 0);
		if (x + (int)strlen(info) <= COLS)
			break;
	}
	view_put_plain(HEADER_ROWS, x, info, COLS - x);
}

#define DIFF_NUM 7 /* a delta's column */

static const char *const view_diff_titles[] = { "dRSS", "dPSS", "dSwap",
	"dDirty" };

static void
view_diff_headings(struct view *v, int ndeltas, bool grouped)
{
	char buf[64];
	int x, s;

	attron(v->colors ? COLOR_PAIR(PAIR_HEAD) : A_REVERSE);
	mvhline(HEADER_ROWS + 1, 0, ' ', COLS);
	x = view_put_plain(HEADER_ROWS + 1, 0, "Change ", COLS);
	for (s = 0; s < ndeltas; s++) {
		/* U+0394 is two bytes wide in the buffer, one on screen. */
		snprintf(buf, sizeof buf, "%*s ", DIFF_NUM + (v->utf8 ? 1 : 0),
		    v->utf8 ? (s == 0        ? "\u0394RSS" :
		                      s == 1 ? "\u0394PSS" :
		                      s == 2 ? "\u0394Swap" :
		                               "\u0394Dirty") :
		              view_diff_titles[s]);
		x += view_put_plain(HEADER_ROWS + 1, x, buf, COLS - x);
	}
	snprintf(buf, sizeof buf, "%*s %s", DIFF_NUM, "RSS",
	    grouped ? "  Regions  Name" : "Class            Range, path");
	view_put_plain(HEADER_ROWS + 1, x, buf, COLS - x);
	attroff(v->colors ? COLOR_PAIR(PAIR_HEAD) : A_REVERSE);
}

static void
view_diff_row(struct view *v, const struct moment_delta *dl, int ndeltas,
    bool at_cursor, int y)
{
	char buf[64], path[600], line[800];
	int x, s, attr;
	bool grouped = v->diff->by != GROUP_NONE;

	attr = at_cursor ? (v->colors ? COLOR_PAIR(PAIR_SEL) : A_REVERSE) :
	    v->colors    ? COLOR_PAIR(view_diff_pair(dl->change)) :
	    dl->change == MOMENT_NEW  ? A_BOLD :
	    dl->change == MOMENT_GONE ? A_DIM :
	                                0;
	attron(attr);
	if (at_cursor)
		mvhline(y, 0, ' ', COLS);
	snprintf(buf, sizeof buf, "%-6s ", moment_change_name(dl->change));
	x = view_put_plain(y, 0, buf, COLS);
	for (s = 0; s < ndeltas; s++) {
		char d[16];

		fmt_kb_delta(dl->delta_kb[s], d, sizeof d);
		snprintf(buf, sizeof buf, "%*s ", DIFF_NUM, d);
		x += view_put_plain(y, x, buf, COLS - x);
	}
	fmt_kb(dl->change == MOMENT_GONE ? dl->a_kb[SERIES_RSS] :
	                                   dl->b_kb[SERIES_RSS],
	    buf, sizeof buf);
	report_delta_path(dl, path, sizeof path, v->utf8);
	if (grouped)
		snprintf(line, sizeof line, "%*s %3zu->%-4zu %s", DIFF_NUM, buf,
		    dl->na, dl->nb, path[0] ? path : dl->label);
	else {
		char label[160];

		esc_text(
		    dl->label, strlen(dl->label), label, sizeof label, v->utf8);
		/* The range when it fits, else its start: it names the
		 * region. */
		int digits = report_delta_end(dl) > UINT64_C(0x1000000000000) ?
		    v->addr_digits :
		    12;
		bool whole = COLS - x - DIFF_NUM - 18 >= 2 * digits + 1;

		snprintf(line, sizeof line, "%*s %-16.16s %0*" PRIx64, DIFF_NUM,
		    buf, label, digits, report_delta_start(dl));
		if (whole)
			snprintf(line + strlen(line),
			    sizeof line - strlen(line), "-%0*" PRIx64, digits,
			    report_delta_end(dl));
	}
	x += view_put_plain(y, x, line, COLS - x);
	if (!grouped && path[0] != '\0' && x + 1 < COLS)
		view_put_plain_tail(y, x + 1, path, COLS - x - 1);
	attroff(attr);
}

static void
view_diff_totals(struct view *v, const struct moment_diff *d, bool exact, int y)
{
	char line[400], a[16], b[16], c[16], e[16];

	snprintf(line, sizeof line,
	    "the process: RSS %s  PSS %s  swap %s  dirty %s   %s",
	    fmt_kb_delta(d->total_delta_kb[SERIES_RSS], a, sizeof a),
	    fmt_kb_delta(d->total_delta_kb[SERIES_PSS], b, sizeof b),
	    fmt_kb_delta(d->total_delta_kb[SERIES_SWAP], c, sizeof c),
	    fmt_kb_delta(d->total_delta_kb[SERIES_PRIVATE_DIRTY], e, sizeof e),
	    exact ? "(m took a copy of the model: exact)" :
	            "(the model's baseline: regions dropped since are left "
	            "out; m takes an exact copy)");
	view_put_plain(y, 0, line, COLS);
}

static void
view_diff_draw(struct view *v)
{
	bool exact = false;
	const struct moment_diff *d = view_diff_get(v, &exact);
	struct view_diff *vd = v->diff;
	int rows = LINES - TABLE_TOP - 2, ndeltas;
	size_t i, n = d ? d->n : 0;

	if (rows < 1)
		rows = 1;
	/* Room for the deltas: all four from 80 columns, else RSS alone. */
	ndeltas = COLS >= 80 ? SERIES_COUNT : COLS >= 60 ? 2 : 1;
	if (vd->cursor >= n)
		vd->cursor = n ? n - 1 : 0;
	view_rows_scroll(vd->cursor, &vd->top, (size_t)rows, n);
	view_diff_tabs(v, d, exact);
	view_diff_headings(v, ndeltas, vd->by != GROUP_NONE);
	for (i = vd->top; i < n && (int)(i - vd->top) < rows; i++)
		view_diff_row(v, &d->d[i], ndeltas, i == vd->cursor,
		    TABLE_TOP + (int)(i - vd->top));
	if (n == 0)
		view_put_plain(TABLE_TOP, 1,
		    d == NULL ? "no sample yet" :
		                "nothing changed since the baseline",
		    COLS - 1);
	if (d != NULL)
		view_diff_totals(v, d, exact, LINES - 2);
}

/* Actions. */

static int
view_diff_move(struct view *v, int key)
{
	struct view_diff *vd = v->diff;
	size_t page = LINES - TABLE_TOP - 2 > 1 ? LINES - TABLE_TOP - 2 : 1;

	if (vd != NULL)
		vd->cursor = view_rows_step(
		    vd->cursor, vd->d != NULL ? vd->d->n : 0, page, key);
	return VIEW_DONE;
}

static int
view_diff_group(struct view *v, int key)
{
	if (v->diff == NULL)
		return VIEW_DONE;
	v->diff->by = (enum group_by)((v->diff->by + 1) % GROUP_COUNT);
	v->diff->cursor = v->diff->top = 0;
	return VIEW_DONE;
}

/* Enter: the detail of a region that is still there. */
static int
view_diff_open(struct view *v, int key)
{
	struct view_diff *vd = v->diff;
	const struct moment_delta *dl;

	if (vd == NULL || vd->d == NULL || vd->cursor >= vd->d->n ||
	    vd->by != GROUP_NONE)
		return VIEW_DONE;
	dl = &vd->d->d[vd->cursor];
	if (dl->b == NULL ||
	    model_region_by_id(v->app->model, dl->b->id) == NULL) {
		view_put_status_set(&v->status, "that region is gone");
		return VIEW_DONE;
	}
	v->detail_id = dl->b->id;
	/* The detail follows the table's cursor: put it there. */
	v->cursor_key = dl->b->id;
	v->cursor_chosen = true;
	v->rebuild = true;
	view_open(v, &view_screen_detail);
	return VIEW_DONE;
}

static int
view_diff_mark(struct view *v, int key)
{
	view_rows_set_baseline(v, key == 'M');
	return VIEW_REBUILD;
}

static int
view_diff_back(struct view *v, int key)
{
	view_close(v);
	return VIEW_REBUILD;
}

static const struct view_action act_move = { "move", "move", NULL,
	view_diff_move };
static const struct view_action act_open = { "open",
	"the detail of a region still there", "Detail", view_diff_open };
static const struct view_action act_group = { "group",
	"regions / by class / by file object", "Group", view_diff_group };
static const struct view_action act_back = { "back", "back to the table",
	"Back", view_diff_back };
static const struct view_action act_mark = { "mark",
	"baseline = now: compare with this moment", "Mark", view_diff_mark };
static const struct view_action act_mark_first = { "mark-first",
	"baseline = the first sample", NULL, view_diff_mark };

static const struct view_binding view_diff_bindings[] = {
	{ KEY_UP, &act_move, false },
	{ KEY_DOWN, &act_move, false },
	{ 'k', &act_move, true },
	{ 'j', &act_move, true },
	{ KEY_PPAGE, &act_move, false },
	{ KEY_NPAGE, &act_move, false },
	{ KEY_HOME, &act_move, false },
	{ KEY_END, &act_move, false },
	{ '\r', &act_open, false },
	{ '\n', &act_open, true },
	{ KEY_ENTER, &act_open, true },
	{ 'g', &act_group, false },
	{ 'm', &act_mark, false },
	{ 'M', &act_mark_first, false },
	{ 27, &act_back, false },
	{ 'D', &act_back, true },
	{ KEY_BACKSPACE, &act_back, true },
	{ 127, &act_back, true },
	{ 8, &act_back, true },
	{ 0, NULL, false },
};

static const struct view_keys view_keys_diff = { "What changed",
	view_diff_bindings };

static const struct view_keys *const view_diff_tables[] = { &view_keys_diff,
	NULL };

const struct view_screen view_screen_diff = {
	.name = "diff",
	.keys = view_diff_tables,
	.draw = view_diff_draw,
};
