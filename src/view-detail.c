/*
 * view-detail.c - one region: every counter with its deltas, VmFlags, the
 * identity story, and a large chart of a series' history.
 */
#include "config.h"

#include <curses.h>
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "facts.h"
#include "spark.h"
#include "util.h"
#include "view-int.h"

static void
view_detail_story(const struct tracked_region *r, char *buf, size_t size)
{
	static const struct {
		uint32_t bit;
		const char *what;
	} events[] = {
		{ TR_EVENT_GREW, "grew" },
		{ TR_EVENT_SHRANK, "shrank" },
		{ TR_EVENT_MOVED, "moved" },
		{ TR_EVENT_MERGED, "merged" },
		{ TR_EVENT_SPLIT, "split" },
	};
	size_t i, o;

	o = (size_t)snprintf(buf, size, "appeared as %" PRIx64 "-%" PRIx64,
	    r->first_start, r->first_end);
	for (i = 0; i < sizeof events / sizeof events[0] && o < size; i++) {
		if (r->events & events[i].bit)
			o += (size_t)snprintf(
			    buf + o, size - o, ", %s", events[i].what);
	}
	if (r->events == 0 && o < size)
		snprintf(buf + o, size - o, ", the same range since");
	else if (o < size &&
	    (r->start != r->first_start || r->end != r->first_end))
		snprintf(buf + o, size - o, "; now %" PRIx64 "-%" PRIx64,
		    r->start, r->end);
}

/*
 * The history of the chosen series as a chart of `rows` lines from y0: a
 * title, the bars (one column per sample, the newest on the right, scaled
 * from the lowest to the highest value shown, as the sparklines are) with
 * the scale in kB units on the left (top, middle, bottom), and a time
 * axis.  A flat series is a line at its level, labelled with its value.
 */
static void
view_detail_chart(
    struct view *v, const struct tracked_region *r, int y0, int rows)
{
	const struct model *m = v->app->model;
	uint64_t h[MODEL_HISTORY], lo = UINT64_MAX, hi = 0, last = 0;
	char a[16], b[16], c[16], span[16], title[256], axis[64], rate[16];
	int width = COLS - 9, row, col, x0, bars;
	size_t n, i, first, shown, present = 0;
	double secs = 0;

	if (rows < 3 || width < 10)
		return;
	n = model_region_history(m, r, v->series, h, MODEL_HISTORY);
	first = n > (size_t)width ? n - (size_t)width : 0;
	shown = n - first;
	for (i = first; i < n; i++) {
		if (h[i] == HISTORY_NONE)
			continue;
		lo = h[i] < lo ? h[i] : lo;
		hi = h[i] > hi ? h[i] : hi;
		last = h[i];
		present++;
	}
	if (lo == UINT64_MAX)
		lo = hi = 0;
	if (shown > 1 && model_samples(m) >= shown)
		secs = model_sample_time(m, model_samples(m) - 1) -
		    model_sample_time(m, model_samples(m) - shown);
	fmt_duration(secs, span, sizeof span);
	fmt_rate(model_region_rate(m, r, v->series), rate, sizeof rate);
	fmt_kb(lo, a, sizeof a);
	fmt_kb(hi, b, sizeof b);
	fmt_kb(last, c, sizeof c);
	if (hi == lo)
		snprintf(title, sizeof title,
		    "%s over the last %zu samples (%s): flat at %s, %s   "
		    "Tab/p/s/d: series",
		    series_name(v->series), shown, span, c, rate);
	else
		snprintf(title, sizeof title,
		    "%s over the last %zu samples (%s): now %s, from %s to "
		    "%s, %s   Tab/p/s/d: series",
		    series_name(v->series), shown, span, c, a, b, rate);
	attron(A_BOLD);
	view_put_plain(y0, 0, title, COLS);
	attroff(A_BOLD);
	bars = rows - 2; /* the title above, the axis below */
	y0++;
	x0 = 8 + width - (int)shown;
	if (hi == lo) {
		/* Flat: one line at mid height, its value beside it. */
		int y = y0 + (bars - 1) / 2;

		if (present > 0)
			mvprintw(y, 0, "%7s", c);
		if (v->colors)
			attron(COLOR_PAIR(PAIR_BAR));
		for (i = first, col = 0; i < n; i++, col++) {
			if (h[i] != HISTORY_NONE)
				view_put_plain(
				    y, x0 + col, v->utf8 ? "\u2500" : "-", 1);
		}
		if (v->colors)
			attroff(COLOR_PAIR(PAIR_BAR));
	} else {
		mvprintw(y0, 0, "%7s", b);
		mvprintw(y0 + bars - 1, 0, "%7s", a);
		if (bars >= 5) {
			char mid[16];

			mvprintw(y0 + (bars - 1) / 2, 0, "%7s",
			    fmt_kb(lo + (hi - lo) / 2, mid, sizeof mid));
		}
		if (v->colors)
			attron(COLOR_PAIR(PAIR_BAR));
		for (i = first, col = 0; i < n; i++, col++) {
			unsigned eighths;

			if (h[i] == HISTORY_NONE)
				continue;
			eighths = 1 +
			    (unsigned)((h[i] - lo) * ((uint64_t)bars * 8 - 1) /
			        (hi - lo));
			for (row = 0; row < bars; row++) {
				const char *cell = spark_chart_cell(
				    eighths, (unsigned)row, v->utf8);

				view_put_plain(
				    y0 + bars - 1 - row, x0 + col, cell, 1);
			}
		}
		if (v->colors)
			attroff(COLOR_PAIR(PAIR_BAR));
	}
	/* The time axis: how long ago the oldest bar was, and now. */
	snprintf(axis, sizeof axis, "-%s", span);
	if (shown > 1 && x0 + (int)strlen(axis) + 5 < COLS)
		view_put_plain(y0 + bars, x0, axis, COLS - x0);
	view_put_plain(y0 + bars, COLS - 4, "now", 3);
}

/* The runtime's own figures under a runtime heap region (or why there are
 * none), from row y; returns the next row. */
static int
view_detail_runtime(struct view *v, const struct tracked_region *r, int y)
{
	const struct model *m = v->app->model;
	char lines[6][160];
	struct rt_rates rates;
	size_t i, n;

	if (r->builtin != RC_GO_HEAP && r->builtin != RC_JAVA_HEAP)
		return y;
	facts_rt_rates(m, &rates);
	n = facts_rt_detail(
	    model_info(m), &rates, lines[0], sizeof lines[0], 6);
	for (i = 0; i < n && y < LINES - 4; i++)
		view_put_plain(y++, 0, lines[i], COLS);
	return y;
}

static void
view_detail_draw(struct view *v)
{
	const struct model *m = v->app->model;
	const struct tracked_region *r = model_region_by_id(m, v->detail_id);
	char buf[512], label[160], val[16], dp[16], db[16], when[32];
	int y = HEADER_ROWS, f, col, ncols, per, nfields = 0;
	const char *path;
	size_t len;
	time_t t;
	struct tm tm;

	if (r == NULL) {
		mvaddstr(y, 1,
		    "this region is gone and no longer tracked "
		    "(Esc: back)");
		return;
	}
	len = model_class_label(m, r, label, sizeof label);
	snprintf(buf, sizeof buf, "%" PRIx64 "-%" PRIx64 " %s  ", r->start,
	    r->end, r->perms);
	attron(A_BOLD);
	col = view_put_plain(y, 0, buf, COLS);
	col += view_put(v->utf8, y, col, label, len, COLS - col, false);
	path = model_path(m, r->path_id, &len);
	if (r->deleted)
		view_put_plain(y, col, "  the file is deleted", COLS - col);
	/* The whole path, on lines of its own: here is where it can be
	 * read in full. */
	if (len > 0)
		y += view_put_wrapped(v->utf8, y + 1, path, len,
		    LINES >= 30     ? 4 :
		        LINES >= 18 ? 2 :
		                      1);
	attroff(A_BOLD);

	/* When it appeared, and what happened to its range since. */
	y++;
	t = (time_t)r->first_time;
	localtime_r(&t, &tm);
	strftime(when, sizeof when, "%H:%M:%S", &tm);
	snprintf(buf, sizeof buf, "%s: %s %s (%s ago), size %s",
	    r->state == TR_NEW      ? "new" :
	        r->state == TR_GONE ? "GONE" :
	                              "live",
	    r->first_seq == 0 ? "there since the first sample at" :
	                        "appeared at",
	    when,
	    fmt_duration(model_last_wall(m) - r->first_time, val, sizeof val),
	    fmt_kb((r->end - r->start) / 1024, dp, sizeof dp));
	if (v->colors && r->state != TR_LIVE)
		attron(COLOR_PAIR(r->state == TR_NEW ? PAIR_NEW : PAIR_GONE));
	view_put_plain(y++, 0, buf, COLS);
	if (v->colors)
		attroff(COLOR_PAIR(PAIR_NEW) | COLOR_PAIR(PAIR_GONE));
	view_detail_story(r, label, sizeof label);
	snprintf(buf, sizeof buf, "identity: %s", label);
	view_put_plain(y++, 0, buf, COLS);
	classify_explain(
	    r->cls, &r->why, &model_info(m)->runtime, label, sizeof label);
	snprintf(buf, sizeof buf, "class: %s", label);
	view_put_plain(y++, 0, buf, COLS);
	y = view_detail_runtime(v, r, y);
	if (r->inode != 0 || r->offset != 0 || r->dev_major != 0) {
		snprintf(buf, sizeof buf,
		    "file: offset 0x%" PRIx64 ", inode %" PRIu64
		    ", device %02x:%02x",
		    r->offset, r->inode, r->dev_major, r->dev_minor);
		view_put_plain(y++, 0, buf, COLS);
	}
	vmflags_format(r->vmflags, label, sizeof label);
	snprintf(buf, sizeof buf, "VmFlags: %s",
	    r->has_vmflags ? label : "(not given by this kernel)");
	view_put_plain(y++, 0, buf, COLS);
	y++;

	/* Every counter smaps gave, with deltas since the previous sample
	 * and since the baseline, in as many columns as fit. */
	for (f = 0; f < SF_COUNT; f++)
		nfields += (r->present >> f) & 1;
	ncols = COLS >= 120 ? 3 : COLS >= 80 ? 2 : 1;
	per = (nfields + ncols - 1) / ncols;
	if (per > LINES - y - 8)
		per = LINES - y - 8 > 1 ? LINES - y - 8 : 1;
	for (col = 0; col < ncols; col++) {
		snprintf(buf, sizeof buf, "%-15s %7s %7s %7s",
		    col ? "" : "counter", "now", "+prev", "+base");
		view_put_plain(y, col * (COLS / ncols), buf, COLS / ncols - 1);
	}
	y++;
	for (f = 0, col = 0; f < SF_COUNT; f++) {
		int cx, cy;

		if (!((r->present >> f) & 1))
			continue;
		if (col / per >= ncols)
			break; /* no room left for the rest */
		cx = (col / per) * (COLS / ncols);
		cy = y + col % per;
		col++;
		dp[0] = db[0] = '\0';
		if (smaps_field_is_kb((enum smaps_field)f) &&
		    tracked_kept((enum smaps_field)f) < 0) {
			/* Only the series' counters keep their past. */
			fmt_kb(r->kb[f], val, sizeof val);
		} else if (smaps_field_is_kb((enum smaps_field)f)) {
			fmt_kb(r->kb[f], val, sizeof val);
			fmt_kb_delta(tracked_delta_prev(r, (enum smaps_field)f),
			    dp, sizeof dp);
			fmt_kb_delta(tracked_delta_base(r, (enum smaps_field)f),
			    db, sizeof db);
		} else {
			snprintf(val, sizeof val, "%" PRIu32, r->kb[f]);
			dp[0] = db[0] = '\0';
		}
		snprintf(buf, sizeof buf, "%-15s %7s %7s %7s",
		    smaps_field_name((enum smaps_field)f), val, dp, db);
		view_put_plain(cy, cx, buf, COLS / ncols - 1);
	}
	y += per + 1;
	view_detail_chart(v, r, y, LINES - 1 - y);
}

/* Actions. */

static int
view_detail_back(struct view *v, int key)
{
	view_close(v);
	return VIEW_DONE;
}

/* The previous or next region of the table. */
static int
view_detail_region(struct view *v, int key)
{
	if ((key == KEY_UP || key == 'k') && v->cursor > 0)
		v->cursor--;
	else if ((key == KEY_DOWN || key == 'j') &&
	    v->cursor + 1 < view_rows_count(v))
		v->cursor++;
	return VIEW_DONE;
}

static int
view_detail_series(struct view *v, int key)
{
	switch (key) {
	case '\t':
		v->series = (enum series)((v->series + 1) % SERIES_COUNT);
		break;
	case 'r':
		v->series = SERIES_RSS;
		break;
	case 'p':
		v->series = SERIES_PSS;
		break;
	case 's':
		v->series = SERIES_SWAP;
		break;
	case 'd':
		v->series = SERIES_PRIVATE_DIRTY;
		break;
	}
	return VIEW_DONE;
}

/* The region shown follows the cursor through the table's rows. */
static void
view_detail_follow(struct view *v)
{
	view_rows_follow(v);
	if (!view_rows_grouped(v) && !v->rebuild && v->cursor < v->table.nrows)
		v->detail_id = v->table.rows[v->cursor]->id;
}

static const struct view_action act_back = { "back", "back to the table",
	"Back", view_detail_back };
static const struct view_action act_region = { "region",
	"the previous / next region of the table", "Region",
	view_detail_region };
static const struct view_action act_series_next = { "series-next",
	"chart the next series", "Series", view_detail_series };
static const struct view_action act_series = { "series",
	"chart RSS, PSS, swap, private dirty", NULL, view_detail_series };

static const struct view_binding view_detail_bindings[] = {
	{ 27, &act_back, false },
	{ KEY_BACKSPACE, &act_back, true },
	{ 127, &act_back, true },
	{ 8, &act_back, true },
	{ KEY_UP, &act_region, false },
	{ KEY_DOWN, &act_region, false },
	{ 'k', &act_region, true },
	{ 'j', &act_region, true },
	{ '\t', &act_series_next, false },
	{ 'r', &act_series, false },
	{ 'p', &act_series, false },
	{ 's', &act_series, false },
	{ 'd', &act_series, false },
	{ 0, NULL, false },
};

static const struct view_keys view_keys_detail = { "Detail",
	view_detail_bindings };

static const struct view_keys *const view_detail_tables[] = { &view_keys_detail,
	&view_keys_sorting, &view_keys_rows, NULL };

const struct view_screen view_screen_detail = {
	.name = "detail",
	.flags = VIEW_ROWS,
	.keys = view_detail_tables,
	.draw = view_detail_draw,
	.after_key = view_detail_follow,
};
