/*
 * view-table.c - the region table and the group table: which columns fit,
 * the cells, the tab line; Enter, g and back.  The columns are the field
 * registry's (field.h) around the dashboard's own (mark, group name and
 * count, trend).
 */
#include "config.h"

#include <curses.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "source.h"
#include "spark.h"
#include "util.h"
#include "view-int.h"

#define TREND_WIDTH 20 /* samples in a row's trend, room allowing */
#define TREND_MIN   10 /* it shrinks to this before the path does */
#define PATH_MIN    24 /* the path's room before the trend shrinks */

/* The dashboard's own columns, around the registry's fields. */
enum view_own { VO_FIELD, VO_MARK, VO_NAME, VO_COUNT, VO_TREND };

struct view_col {
	enum view_own own;
	enum field_id field; /* VO_FIELD */
	bool show;
	int width;
};

static const struct view_own_def {
	const char *title;
	int width;
	int drop; /* dropped first when narrow: higher; 0 never */
} view_own[] = {
	[VO_FIELD] = { "", 0, 0 },
	[VO_MARK] = { "", 1, 0 },
	[VO_NAME] = { "Group", 24, 0 },
	[VO_COUNT] = { "Count", 5, 4 },
	[VO_TREND] = { "Trend", TREND_WIDTH, 2 },
};

#define VIEW_MAX_COLS (FIELD_COUNT + 4)

/*
 * The columns, left to right: the mark, a group's name and count, the
 * registry's columns in its order, the trend, and last the columns of no
 * fixed width (the path).  Returns the count.
 */
static int
view_table_layout(struct view_col *col)
{
	int n = 0, id, pass;

	memset(col, 0, VIEW_MAX_COLS * sizeof *col);
	col[n++].own = VO_MARK;
	col[n++].own = VO_NAME;
	col[n++].own = VO_COUNT;
	for (pass = 0; pass < 2; pass++) {
		if (pass == 1)
			col[n++].own = VO_TREND;
		for (id = 0; id < FIELD_COUNT; id++) {
			const struct field *f = field_get(id);

			if ((f->flags & FIELD_COLUMN) &&
			    !(f->flags & FIELD_TAIL) == (pass == 0)) {
				col[n].own = VO_FIELD;
				col[n++].field = (enum field_id)id;
			}
		}
	}
	return n;
}

static const char *
view_table_title(const struct view_col *c)
{
	return c->own == VO_FIELD ? field_get(c->field)->title :
	                            view_own[c->own].title;
}

static bool
view_table_right(const struct view_col *c)
{
	return c->own == VO_COUNT ||
	    (c->own == VO_FIELD && field_right(c->field));
}

/* Whether column c is the sort column (never dropped, its title bold). */
static bool
view_table_sorted(const struct view *v, const struct view_col *c)
{
	return c->own == VO_FIELD && c->field == v->sort;
}

/*
 * Which columns fit in `width` and how wide each is: the trend gives up
 * columns down to TREND_MIN so that the path keeps PATH_MIN, then whole
 * columns go, highest drop level first.  A group shows only numbers.
 */
static int
view_table_columns(const struct view *v, int width, struct view_col *col)
{
	bool grouped = view_rows_grouped(v);
	int n = view_table_layout(col), c, need, level, trend = -1;

	for (c = 0; c < n; c++) {
		struct view_col *k = &col[c];

		k->show = true;
		if (k->own == VO_FIELD) {
			k->width = field_get(k->field)->type == FT_RANGE ?
			    2 * v->addr_digits + 1 :
			    field_get(k->field)->width;
			if (grouped && !field_right(k->field))
				k->show = false;
		} else
			k->width = view_own[k->own].width;
		if (!grouped && (k->own == VO_NAME || k->own == VO_COUNT))
			k->show = false;
		if (k->own == VO_TREND)
			trend = c;
	}
	for (level = 10; level > 0; level--) {
		col[trend].width = TREND_WIDTH;
		need = grouped ? 0 : PATH_MIN;
		for (c = 0; c < n; c++) {
			if (col[c].show)
				need += col[c].width + 1;
		}
		if (need > width && col[trend].show) {
			int cut = need - width;

			if (cut > TREND_WIDTH - TREND_MIN)
				cut = TREND_WIDTH - TREND_MIN;
			col[trend].width -= cut;
			need -= cut;
		}
		if (need <= width)
			break;
		for (c = 0; c < n; c++) {
			int drop = col[c].own == VO_FIELD ?
			    field_get(col[c].field)->drop :
			    view_own[col[c].own].drop;

			if (drop == level && !view_table_sorted(v, &col[c]))
				col[c].show = false;
		}
	}
	return n;
}

/* Text of a cell of the dashboard's own columns, or a number's. */
static void
view_table_cell(struct view *v, const struct field_row *row,
    const struct view_col *c, char *buf, size_t size)
{
	const struct model *m = v->app->model;
	uint64_t h[MODEL_HISTORY];
	size_t n;

	buf[0] = '\0';
	switch (c->own) {
	case VO_MARK:
		if (row->r != NULL)
			snprintf(buf, size, "%s",
			    view_rows_new(v, row->r)     ? "+" :
			        row->r->state == TR_GONE ? "-" :
			                                   " ");
		break;
	case VO_COUNT:
		if (row->g != NULL)
			snprintf(buf, size, "%zu", row->g->nregions);
		break;
	case VO_TREND:
		if (row->r != NULL)
			n = model_region_history(
			    m, row->r, SERIES_RSS, h, (size_t)v->trend_w);
		else
			n = model_history(m, &row->g->hist[SERIES_RSS], 0,
			    UINT64_MAX, h, (size_t)v->trend_w);
		spark_render(h, n, (size_t)v->trend_w, v->utf8, buf, size);
		break;
	case VO_FIELD:
		field_format(c->field, row, buf, size);
		break;
	case VO_NAME:
		break;
	}
}

/* The tab line: what is shown, sorted how, filtered by what. */
static void
view_table_tabs(struct view *v, size_t n)
{
	char info[400];
	int y = HEADER_ROWS, x;

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
	    view_rows_grouped(v) ? (n == 1 ? "group" : "groups") : "shown");
	view_put(v->utf8, y, x, info, strlen(info), COLS - x, false);
}

/* Column headings, the sort column marked. */
static void
view_table_headings(
    struct view *v, const struct view_col *col, int n, int name_w)
{
	char buf[256], title[64];
	int y = HEADER_ROWS + 1, x, c;

	if (v->colors)
		attron(COLOR_PAIR(PAIR_HEAD));
	else
		attron(A_REVERSE);
	move(y, 0);
	clrtoeol();
	for (x = 0, c = 0; c < n; c++) {
		int w = col[c].width;

		if (!col[c].show)
			continue;
		if (col[c].own == VO_FIELD &&
		    field_get(col[c].field)->width == 0)
			w = COLS - x;
		else if (col[c].own == VO_NAME)
			w = name_w;
		if (!view_rows_grouped(v) && view_table_sorted(v, &col[c]))
			attron(A_BOLD);
		/* A counter this sample carried from the last full one
		 * (the adaptive sampler's tick) says so: "PSS~". */
		snprintf(title, sizeof title, "%s%s", view_table_title(&col[c]),
		    col[c].own == VO_FIELD &&
		            field_get(col[c].field)->type != FT_TEXT &&
		            ((model_stale(v->app->model) >>
		                 field_get(col[c].field)->sf) &
		                1) ?
		        "~" :
		        "");
		snprintf(buf, sizeof buf,
		    view_table_right(&col[c]) ? "%*s" : "%-*s", w, title);
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
}

/* One row at y: a region's, or a group's. */
static void
view_table_row(struct view *v, const struct field_row *row, bool at_cursor,
    const struct view_col *col, int n, int name_w, int y)
{
	const struct tracked_region *r = row->r;
	int attr = 0, x, c;
	char buf[256];

	move(y, 0);
	clrtoeol();
	if (r != NULL && view_rows_new(v, r))
		attr = v->colors ? COLOR_PAIR(PAIR_NEW) : A_BOLD;
	else if (r != NULL && r->state == TR_GONE)
		attr = v->colors ? COLOR_PAIR(PAIR_GONE) : A_DIM;
	if (at_cursor)
		attr = v->colors ? COLOR_PAIR(PAIR_SEL) : A_REVERSE;
	attron(attr);
	if (at_cursor)
		mvhline(y, 0, ' ', COLS);
	for (x = 0, c = 0; c < n && x < COLS; c++) {
		const struct view_col *k = &col[c];
		struct field_value fv;
		int w = k->width, hot = 0;

		if (!k->show)
			continue;
		if (k->own == VO_NAME) {
			field_read(FIELD_PATH, row, &fv);
			view_put(v->utf8, y, x, fv.s, fv.len, name_w, true);
			x += name_w + 1;
			continue;
		}
		if (k->own == VO_FIELD &&
		    field_get(k->field)->type == FT_TEXT) {
			bool tail = field_get(k->field)->width == 0;
			int room = tail ? COLS - x : w, used;
			/* A long path gives way to " (deleted)": that the file
			 * is gone matters more. */
			int sfx = tail && r != NULL && r->deleted && room > 20 ?
			    10 :
			    0;

			field_read(k->field, row, &fv);
			used = view_put(
			    v->utf8, y, x, fv.s, fv.len, room - sfx, tail);
			if (tail) {
				if (sfx)
					view_put_plain(y, x + used,
					    " (deleted)", COLS - x - used);
				break;
			}
			x += w + 1;
			continue;
		}
		view_table_cell(v, row, k, buf, sizeof buf);
		/* What grows stands out: rate and trend of a row growing by
		 * 1 kB/s or more. */
		if (v->colors && !at_cursor &&
		    (k->own == VO_TREND ||
		        (k->own == VO_FIELD && k->field == FIELD_RATE)) &&
		    field_read(FIELD_RATE, row, &fv) && fv.d >= 1.0)
			hot = COLOR_PAIR(PAIR_UP) | A_BOLD;
		attron(hot);
		if (view_table_right(k)) {
			char pad[64];

			snprintf(pad, sizeof pad, "%*s", w, buf);
			view_put_plain(y, x, pad, w);
		} else
			view_put_plain(y, x, buf, w);
		attroff(hot);
		if (hot)
			attron(attr);
		x += w + 1;
	}
	attroff(attr);
}

/* Both tables: the rows as view-rows.c built them. */
static void
view_table_draw(struct view *v)
{
	struct view_col col[VIEW_MAX_COLS];
	int rows = LINES - HEADER_ROWS - 3, c, n, name_w;
	size_t i, nrows = view_rows_count(v);
	bool grouped = view_rows_grouped(v);

	n = view_table_columns(v, COLS, col);
	for (c = 0; c < n; c++) {
		if (col[c].own == VO_TREND)
			v->trend_w = col[c].width;
	}
	if (rows < 1)
		rows = 1;
	/* In the group view the name takes what the numbers leave. */
	name_w = COLS;
	for (c = 0; c < n; c++) {
		if (col[c].show && col[c].own != VO_NAME)
			name_w -= col[c].width + 1;
	}
	if (name_w > 60)
		name_w = 60;
	if (name_w < 12)
		name_w = 12;
	if (v->cursor < v->top)
		v->top = v->cursor;
	if (v->cursor >= v->top + (size_t)rows)
		v->top = v->cursor - (size_t)rows + 1;
	if (v->top + (size_t)rows > nrows)
		v->top = nrows > (size_t)rows ? nrows - (size_t)rows : 0;

	view_table_tabs(v, nrows);
	view_table_headings(v, col, n, name_w);
	for (i = v->top; i < nrows && (int)(i - v->top) < rows; i++) {
		struct field_row row = { v->app->model,
			grouped ? NULL : v->table.rows[i],
			grouped ? &v->groups[i] : NULL, v->addr_digits };

		view_table_row(v, &row, i == v->cursor, col, n, name_w,
		    TABLE_TOP + (int)(i - v->top));
	}
	if (nrows == 0)
		mvaddstr(TABLE_TOP, 1,
		    v->filter ? "no region matches the "
		                "filter (\\ and Enter clears it)" :
		                "no regions");
}

/* Actions. */

static int
view_table_detail(struct view *v, int key)
{
	if (view_rows_count(v) == 0)
		return VIEW_DONE;
	v->detail_id = v->table.rows[v->cursor]->id;
	view_open(v, &view_screen_detail);
	/* Every counter of it, read now, not the last full sample's. */
	if (v->app->source != NULL && model_stale(v->app->model) != 0) {
		source_live_full_now(v->app->source);
		sampler_now(v->app->sampler);
	}
	return VIEW_DONE;
}

static int
view_table_members(struct view *v, int key)
{
	if (view_rows_count(v) == 0)
		return VIEW_DONE;
	v->group = v->groups[v->cursor];
	v->in_group = true;
	v->group_cursor = v->cursor;
	v->cursor = 0;
	v->cursor_key = 0;
	v->top = 0;
	v->screen = &view_screen_regions;
	return VIEW_REBUILD;
}

/* Out of a group's members, back to the groups. */
static int
view_table_leave(struct view *v, int key)
{
	if (!v->in_group)
		return VIEW_DONE;
	v->in_group = false;
	v->cursor = v->group_cursor;
	v->cursor_key = v->group.key;
	v->screen = &view_screen_groups;
	return VIEW_REBUILD;
}

static int
view_table_group(struct view *v, int key)
{
	v->group_by = (enum group_by)((v->group_by + 1) % GROUP_COUNT);
	v->in_group = false;
	v->cursor = 0;
	v->cursor_key = 0;
	v->top = 0;
	v->screen = v->group_by == GROUP_NONE ? &view_screen_regions :
	                                        &view_screen_groups;
	return VIEW_REBUILD;
}

static const struct view_action act_detail = { "detail",
	"the detail of a region", "Detail", view_table_detail };
static const struct view_action act_members = { "members",
	"the members of a group", "Members", view_table_members };
static const struct view_action act_leave = { "leave-group",
	"back to the groups (from a group's members)", NULL, view_table_leave };
static const struct view_action act_group = { "group",
	"regions / by class / by file object", "Group", view_table_group };

static const struct view_binding view_table_region_keys[] = {
	{ '\r', &act_detail, false },
	{ '\n', &act_detail, true },
	{ KEY_ENTER, &act_detail, true },
	{ 'g', &act_group, false },
	{ 27, &act_leave, false },
	{ KEY_BACKSPACE, &act_leave, false },
	{ 127, &act_leave, true },
	{ 8, &act_leave, true },
	{ 0, NULL, false },
};

static const struct view_binding view_table_group_keys[] = {
	{ '\r', &act_members, false },
	{ '\n', &act_members, true },
	{ KEY_ENTER, &act_members, true },
	{ 'g', &act_group, false },
	{ 0, NULL, false },
};

static const struct view_keys view_keys_regions = { "Region table",
	view_table_region_keys };
static const struct view_keys view_keys_groups = { "Groups",
	view_table_group_keys };

static const struct view_keys *const view_table_region_tables[] = {
	&view_keys_regions, &view_keys_sorting, &view_keys_rows, NULL
};
static const struct view_keys *const view_table_group_tables[] = {
	&view_keys_groups, &view_keys_sorting, &view_keys_rows, NULL
};

const struct view_screen view_screen_regions = {
	.name = "regions",
	.flags = VIEW_ROWS,
	.keys = view_table_region_tables,
	.draw = view_table_draw,
	.after_key = view_rows_follow,
};

const struct view_screen view_screen_groups = {
	.name = "groups",
	.flags = VIEW_ROWS,
	.keys = view_table_group_tables,
	.draw = view_table_draw,
	.after_key = view_rows_follow,
};
