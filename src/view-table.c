/*
 * view-table.c - the region table and the group table: which columns fit,
 * the cells, the rows kept in step with the model, search, drill down.
 */
#include "config.h"

#include <curses.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "spark.h"
#include "util.h"
#include "view-int.h"

#define TREND_WIDTH 20 /* samples in a row's trend, room allowing */
#define TREND_MIN   10 /* it shrinks to this before the path does */
#define PATH_MIN    24 /* the path's room before the trend shrinks */

enum vcol {
	VC_MARK,
	VC_NAME,
	VC_ADDR,
	VC_PERMS,
	VC_CLASS,
	VC_COUNT,
	VC_SIZE,
	VC_RSS,
	VC_PSS,
	VC_PDIRTY,
	VC_SWAP,
	VC_DELTA,
	VC_RATE,
	VC_TREND,
	VC_PATH,
	VC_N
};

static const struct vcol_def {
	const char *title;
	int width;
	bool right;
	enum field_id sort; /* FIELD_COUNT: not a sort key */
	int drop;           /* dropped first when narrow: higher */
} vcols[VC_N] = {
	[VC_MARK] = { "", 1, false, FIELD_COUNT, 0 },
	[VC_NAME] = { "Group", 24, false, FIELD_PATH, 0 },
	[VC_ADDR] = { "Address", 25, false, FIELD_ADDR, 10 },
	[VC_PERMS] = { "Perm", 4, false, FIELD_PERMS, 9 },
	[VC_CLASS] = { "Class", 13, false, FIELD_CLASS, 0 },
	[VC_COUNT] = { "Count", 5, true, FIELD_COUNT, 4 },
	[VC_SIZE] = { "Size", 6, true, FIELD_SIZE, 5 },
	[VC_RSS] = { "RSS", 6, true, FIELD_RSS, 0 },
	[VC_PSS] = { "PSS", 6, true, FIELD_PSS, 8 },
	[VC_PDIRTY] = { "Dirty", 6, true, FIELD_PRIVATE_DIRTY, 6 },
	[VC_SWAP] = { "Swap", 6, true, FIELD_SWAP, 7 },
	[VC_DELTA] = { "Delta", 7, true, FIELD_DELTA, 3 },
	[VC_RATE] = { "Rate/s", 7, true, FIELD_RATE, 0 },
	[VC_TREND] = { "Trend", TREND_WIDTH, false, FIELD_COUNT, 2 },
	[VC_PATH] = { "Path", 0, false, FIELD_PATH, 0 },
};

/* A region that appeared in one of the last NEW_SAMPLES samples: marked
 * "+" long enough to be seen, as a gone one stays marked "-" a while. */
bool
view_region_new(const struct view *v, const struct tracked_region *r)
{
	uint64_t n = model_samples(v->app->model);

	return r->state != TR_GONE && r->first_seq > 0 &&
	    r->first_seq + NEW_SAMPLES >= n;
}

bool
view_grouped(const struct view *v)
{
	return v->group_by != GROUP_NONE && !v->in_group;
}

/*
 * Which columns fit in `width` and how wide each is: the trend gives up
 * columns down to TREND_MIN so that the path keeps PATH_MIN, then whole
 * columns go, highest drop level first.
 */
static void
view_columns(const struct view *v, int width, bool *show, int *w)
{
	int c, need, level;

	for (c = 0; c < VC_N; c++) {
		show[c] = true;
		w[c] = c == VC_ADDR ? 2 * v->addr_digits + 1 : vcols[c].width;
		if (view_grouped(v) &&
		    (c == VC_ADDR || c == VC_PERMS || c == VC_CLASS ||
		        c == VC_PATH))
			show[c] = false;
		if (!view_grouped(v) && (c == VC_NAME || c == VC_COUNT))
			show[c] = false;
	}
	for (level = 10; level > 0; level--) {
		w[VC_TREND] = TREND_WIDTH;
		need = view_grouped(v) ? 0 : PATH_MIN;
		for (c = 0; c < VC_N; c++) {
			if (show[c])
				need += w[c] + 1;
		}
		if (need > width && show[VC_TREND]) {
			int cut = need - width;

			if (cut > TREND_WIDTH - TREND_MIN)
				cut = TREND_WIDTH - TREND_MIN;
			w[VC_TREND] -= cut;
			need -= cut;
		}
		if (need <= width)
			return;
		/* Never the column the table is sorted by. */
		for (c = 0; c < VC_N; c++) {
			if (vcols[c].drop == level && vcols[c].sort != v->sort)
				show[c] = false;
		}
	}
}

/* Text of one cell of a region row. */
static void
region_cell(struct view *v, const struct tracked_region *r, int c, char *buf,
    size_t size)
{
	const struct model *m = v->app->model;

	buf[0] = '\0';
	switch (c) {
	case VC_MARK:
		snprintf(buf, size, "%s",
		    view_region_new(v, r)   ? "+" :
		        r->state == TR_GONE ? "-" :
		                              " ");
		break;
	case VC_ADDR:
		snprintf(buf, size, "%0*" PRIx64 "-%0*" PRIx64, v->addr_digits,
		    r->start, v->addr_digits, r->end);
		break;
	case VC_PERMS:
		snprintf(buf, size, "%s", r->perms);
		break;
	case VC_SIZE:
		fmt_kb((r->end - r->start) / 1024, buf, size);
		break;
	case VC_RSS:
		fmt_kb(r->kb[SF_RSS], buf, size);
		break;
	case VC_PSS:
		fmt_kb(r->kb[SF_PSS], buf, size);
		break;
	case VC_PDIRTY:
		fmt_kb(r->kb[SF_PRIVATE_DIRTY], buf, size);
		break;
	case VC_SWAP:
		fmt_kb(r->kb[SF_SWAP], buf, size);
		break;
	case VC_DELTA:
		fmt_kb_delta(tracked_delta_base(r, SF_RSS), buf, size);
		break;
	case VC_RATE: {
		fmt_rate(model_region_rate(m, r, SERIES_RSS), buf, size);
		break;
	}
	case VC_TREND: {
		uint64_t h[MODEL_HISTORY];
		size_t n = model_history(m, &r->hist[SERIES_RSS], r->first_seq,
		    r->last_seq, h, (size_t)v->trend_w);

		spark_render(h, n, (size_t)v->trend_w, v->utf8, buf, size);
		break;
	}
	}
}

static void
group_cell(
    struct view *v, const struct region_group *g, int c, char *buf, size_t size)
{
	const struct model *m = v->app->model;

	buf[0] = '\0';
	switch (c) {
	case VC_COUNT:
		snprintf(buf, size, "%zu", g->nregions);
		break;
	case VC_SIZE:
		fmt_kb(g->kb[SF_SIZE], buf, size);
		break;
	case VC_RSS:
		fmt_kb(g->kb[SF_RSS], buf, size);
		break;
	case VC_PSS:
		fmt_kb(g->kb[SF_PSS], buf, size);
		break;
	case VC_PDIRTY:
		fmt_kb(g->kb[SF_PRIVATE_DIRTY], buf, size);
		break;
	case VC_SWAP:
		fmt_kb(g->kb[SF_SWAP], buf, size);
		break;
	case VC_DELTA:
		fmt_kb_delta(
		    (int64_t)g->kb[SF_RSS] - (int64_t)g->base_kb[SF_RSS], buf,
		    size);
		break;
	case VC_RATE:
		fmt_rate(g->rate_kb_s, buf, size);
		break;
	case VC_TREND: {
		uint64_t h[MODEL_HISTORY];
		size_t n = model_history(m, &g->hist[SERIES_RSS], 0, UINT64_MAX,
		    h, (size_t)v->trend_w);

		spark_render(h, n, (size_t)v->trend_w, v->utf8, buf, size);
		break;
	}
	}
}

size_t
view_nrows(const struct view *v)
{
	return view_grouped(v) ? v->ngroups : v->table.nrows;
}

uint64_t
view_row_key(const struct view *v, size_t i)
{
	if (i >= view_nrows(v))
		return 0;
	return view_grouped(v) ? v->groups[i].key : v->table.rows[i]->id;
}

/* Rebuild the rows from the model, keeping the cursor on its region. */
void
view_rebuild(struct view *v)
{
	struct model *m = v->app->model;
	size_t i, n;

	if (view_grouped(v)) {
		const struct region_group *g;

		/* The filter and the sort apply to groups too. */
		n = model_groups_of(m, v->group_by,
		    v->filter ? table_keep : NULL, v->filter, &g);
		if (n > v->gcap) {
			v->gcap = n + n / 2 + 16;
			v->gbuf = xrealloc(v->gbuf, v->gcap * sizeof *v->gbuf);
		}
		if (n > 0)
			memcpy(v->gbuf, g, n * sizeof *g);
		table_sort_groups(m, v->gbuf, n, v->sort, v->desc);
		v->groups = v->gbuf;
		v->ngroups = n;
	} else {
		table_build(&v->table, m, v->sort, v->desc, v->filter,
		    v->in_group ? &v->group : NULL);
	}
	/* Addresses in 12 hex digits, or 16 when one needs them
	 * ([vsyscall], a 57-bit address space): the regions are in address
	 * order, so the last one tells. */
	n = model_nregions(m);
	v->addr_digits =
	    n > 0 && model_region(m, n - 1)->end > UINT64_C(0x1000000000000) ?
	    16 :
	    12;
	n = view_nrows(v);
	for (i = 0; i < n && v->cursor_key != 0; i++) {
		if (view_row_key(v, i) == v->cursor_key) {
			v->cursor = i;
			break;
		}
	}
	if (v->cursor >= n)
		v->cursor = n ? n - 1 : 0;
	v->cursor_key = view_row_key(v, v->cursor);
	v->rebuild = false;
}

void
view_draw_table(struct view *v)
{
	bool show[VC_N];
	int width[VC_N];
	int rows = LINES - HEADER_ROWS - 3, y, c, x, pathw, name_w;
	size_t i, n = view_nrows(v);
	char buf[256], info[400];

	view_columns(v, COLS, show, width);
	v->trend_w = width[VC_TREND];
	if (rows < 1)
		rows = 1;
	/* In the group view the name takes what the numbers leave. */
	name_w = COLS;
	for (c = 0; c < VC_N; c++) {
		if (show[c] && c != VC_NAME)
			name_w -= width[c] + 1;
	}
	if (name_w > 60)
		name_w = 60;
	if (name_w < 12)
		name_w = 12;
	if (v->cursor < v->top)
		v->top = v->cursor;
	if (v->cursor >= v->top + (size_t)rows)
		v->top = v->cursor - (size_t)rows + 1;
	if (v->top + (size_t)rows > n)
		v->top = n > (size_t)rows ? n - (size_t)rows : 0;

	/* The tab line: what is shown, sorted how, filtered by what. */
	y = HEADER_ROWS;
	if (v->in_group) {
		const char *p;
		size_t len;
		char name[200];

		p = model_path(v->app->model, v->group.path_id, &len);
		esc_text(len ? p : v->group.label,
		    len ? len : strlen(v->group.label), name, sizeof name,
		    v->utf8);
		snprintf(info, sizeof info, " %s > %s   (Esc: back)",
		    v->group_by == GROUP_CLASS ? "By class" : "By file", name);
	} else {
		snprintf(info, sizeof info, " %s%s%s%s%s",
		    v->group_by == GROUP_NONE ? "[Regions]" : " Regions ", "  ",
		    v->group_by == GROUP_CLASS ? "[By class]" : " By class ",
		    "  ",
		    v->group_by == GROUP_FILE ? "[By file]" : " By file ");
	}
	x = view_put_plain(y, 0, info, COLS);
	snprintf(info, sizeof info, "   sort %s %s%s%s   %zu %s",
	    field_get(v->sort)->title,
	    v->desc ? (v->utf8 ? "\u2193" : "v") : (v->utf8 ? "\u2191" : "^"),
	    v->filter ? "   filter: " : "", v->filter ? v->filter_text : "", n,
	    view_grouped(v) ? (n == 1 ? "group" : "groups") : "shown");
	view_put(v, y, x, info, strlen(info), COLS - x, false);

	/* Column headings, the sort column marked. */
	y++;
	if (v->colors)
		attron(COLOR_PAIR(PAIR_HEAD));
	else
		attron(A_REVERSE);
	move(y, 0);
	clrtoeol();
	for (x = 0, c = 0; c < VC_N; c++) {
		int w = width[c];

		if (!show[c])
			continue;
		if (c == VC_PATH)
			w = COLS - x;
		else if (c == VC_NAME)
			w = name_w;
		if (!view_grouped(v) && vcols[c].sort == v->sort &&
		    vcols[c].sort != FIELD_COUNT && c != VC_NAME)
			attron(A_BOLD);
		snprintf(buf, sizeof buf, vcols[c].right ? "%*s" : "%-*s", w,
		    vcols[c].title);
		view_put_plain(y, x, buf, w);
		attroff(A_BOLD);
		x += w + 1;
		if (x >= COLS)
			break;
	}
	if (v->colors)
		attroff(COLOR_PAIR(PAIR_HEAD));
	else
		attroff(A_REVERSE);

	for (i = v->top; i < n && (int)(i - v->top) < rows; i++) {
		const struct tracked_region *r =
		    view_grouped(v) ? NULL : v->table.rows[i];
		const struct region_group *g =
		    view_grouped(v) ? &v->groups[i] : NULL;
		int attr = 0;

		y = TABLE_TOP + (int)(i - v->top);
		move(y, 0);
		clrtoeol();
		if (r != NULL && view_region_new(v, r))
			attr = v->colors ? COLOR_PAIR(PAIR_NEW) : A_BOLD;
		else if (r != NULL && r->state == TR_GONE)
			attr = v->colors ? COLOR_PAIR(PAIR_GONE) : A_DIM;
		if (i == v->cursor)
			attr = v->colors ? COLOR_PAIR(PAIR_SEL) : A_REVERSE;
		attron(attr);
		if (i == v->cursor)
			mvhline(y, 0, ' ', COLS);
		for (x = 0, c = 0; c < VC_N && x < COLS; c++) {
			int w = width[c];

			if (!show[c])
				continue;
			pathw = COLS - x;
			if (c == VC_PATH && r != NULL) {
				size_t len;
				const char *p =
				    model_path(v->app->model, r->path_id, &len);

				/* A long path gives way to " (deleted)":
				 * that the file is gone matters more. */
				int sfx = r->deleted && pathw > 20 ? 10 : 0;

				x += view_put(
				    v, y, x, p, len, pathw - sfx, true);
				if (sfx)
					view_put_plain(
					    y, x, " (deleted)", COLS - x);
				break;
			}
			if (c == VC_CLASS && r != NULL) {
				char label[160];
				size_t len = model_class_label(
				    v->app->model, r, label, sizeof label);

				view_put(v, y, x, label, len, w, false);
			} else if (c == VC_NAME && g != NULL) {
				const char *p;
				size_t len;

				p = model_path(v->app->model, g->path_id, &len);
				if (len == 0) {
					p = g->label;
					len = strlen(p);
				}
				view_put(v, y, x, p, len, name_w, true);
				x += name_w + 1;
				continue;
			} else {
				int hot = 0;

				if (r != NULL)
					region_cell(v, r, c, buf, sizeof buf);
				else
					group_cell(v, g, c, buf, sizeof buf);
				/* What grows stands out: rate and trend of
				 * a row growing by 1 kB/s or more. */
				if (v->colors && i != v->cursor &&
				    (c == VC_RATE || c == VC_TREND) &&
				    (r != NULL ?
				            model_region_rate(
				                v->app->model, r, SERIES_RSS) :
				            g->rate_kb_s) >= 1.0)
					hot = COLOR_PAIR(PAIR_UP) | A_BOLD;
				attron(hot);
				if (vcols[c].right) {
					char pad[64];

					snprintf(
					    pad, sizeof pad, "%*s", w, buf);
					view_put_plain(y, x, pad, w);
				} else
					view_put_plain(y, x, buf, w);
				attroff(hot);
				if (hot)
					attron(attr);
			}
			x += w + 1;
		}
		attroff(attr);
	}
	if (n == 0)
		mvaddstr(TABLE_TOP, 1,
		    v->filter ? "no region matches the "
		                "filter (\\ and Enter clears it)" :
		                "no regions");
}

/* Keys. */

static bool
view_row_matches(struct view *v, size_t i, const struct rx *rx)
{
	if (view_grouped(v)) {
		const struct region_group *g = &v->groups[i];
		size_t len;
		const char *p = model_path(v->app->model, g->path_id, &len);

		return rx_match(rx, g->label, strlen(g->label)) ||
		    (len > 0 && rx_match(rx, p, len));
	}
	return table_row_matches(v->app->model, v->table.rows[i], rx);
}

/* Move to the next (dir 1) or previous (-1) row matching the search. */
void
view_search_next(struct view *v, int dir, bool include_current)
{
	size_t n = view_nrows(v), k, i;

	if (v->search == NULL) {
		view_set_status(v, "no search yet: press / to search");
		return;
	}
	for (k = include_current ? 0 : 1; k <= n && n > 0; k++) {
		i = dir > 0 ? (v->cursor + k) % n : (v->cursor + n - k % n) % n;
		if (view_row_matches(v, i, v->search)) {
			v->cursor = i;
			v->cursor_key = view_row_key(v, i);
			v->status[0] = '\0'; /* an old "no match" is over */
			return;
		}
	}
	view_set_status(v, "no match for /%s", v->search_text);
}

void
view_enter(struct view *v)
{
	if (view_nrows(v) == 0)
		return;
	if (view_grouped(v)) {
		v->group = v->groups[v->cursor];
		v->in_group = true;
		v->group_cursor = v->cursor;
		v->cursor = 0;
		v->cursor_key = 0;
		v->top = 0;
		v->rebuild = true;
		return;
	}
	v->detail_id = v->table.rows[v->cursor]->id;
	v->screen = SCR_DETAIL;
}

void
view_back(struct view *v)
{
	if (v->screen != SCR_TABLE) {
		v->screen = SCR_TABLE;
		return;
	}
	if (v->in_group) {
		v->in_group = false;
		v->cursor = v->group_cursor;
		v->cursor_key = v->group.key;
		v->rebuild = true;
	}
}
