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

#include "fit.h"
#include "spark.h"
#include "util.h"
#include "view-int.h"

#define TREND_WIDTH 20 /* samples in a row's trend, room allowing */
#define TREND_MIN   10 /* the fewest it is shown with */
#define CLASS_MIN   8  /* a class's fewest columns (cut with an ellipsis) */
#define CLASS_MAX   13 /* and its most (a user's class: up to 31) */
#define PATH_MIN    12 /* a path's fewest columns (its file name) */
#define NAME_MIN    12 /* a group's name's fewest columns */
#define NAME_MAX    60

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
} view_own[] = {
	[VO_FIELD] = { "", 0 },
	[VO_MARK] = { "", 1 },
	[VO_NAME] = { "Group", NAME_MIN },
	[VO_COUNT] = { "Count", 5 },
	[VO_TREND] = { "Trend", TREND_MIN },
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

/* Whether c is the address column showing the start alone. */
static bool
view_table_start_only(const struct view *v, const struct view_col *c)
{
	return c->own == VO_FIELD && field_get(c->field)->type == FT_RANGE &&
	    c->width < 2 * v->addr_digits + 1;
}

static const char *
view_table_title(const struct view *v, const struct view_col *c)
{
	if (view_table_start_only(v, c))
		return "Start";
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
 * What a narrow table keeps: claims on the line's columns, in the order
 * they are granted.  A claim shows a column (or, `more`, widens one shown)
 * if the line still has the room; the first column that has not ends the
 * columns (widenings go on); then the path (or a group's name, or else
 * the class) takes what is left.  Identity (the mark, the start address) and the sort
 * column come before anything else; the trend, a picture of what Rate and
 * Delta say in figures, comes late.  At 40 columns a region is its start,
 * its class, its RSS and its rate.
 */
#define CLAIM_SORT (-1) /* the sort column, at its first width */
#define W_FIELD    0    /* the field's registry width */
#define W_START    (-1) /* an address's start: its digits */
#define W_RANGE    (-2) /* the rest of the range: "-" and the end */
#define W_COUNT    (-3) /* a group's count: its largest */

static const struct view_claim {
	enum view_own own;
	int field; /* VO_FIELD: a field_id, or CLAIM_SORT */
	int width; /* columns, or W_* */
	bool more; /* widens the column by width */
} view_claims_regions[] = {
	{ VO_MARK, 0, 1, false },
	{ VO_FIELD, CLAIM_SORT, W_FIELD, false },
	{ VO_FIELD, FIELD_RSS, W_FIELD, false },
	{ VO_FIELD, FIELD_ADDR, W_START, false },
	{ VO_FIELD, FIELD_RATE, W_FIELD, false },
	{ VO_FIELD, FIELD_CLASS, CLASS_MIN, false },
	{ VO_FIELD, FIELD_PATH, PATH_MIN, false },
	{ VO_FIELD, FIELD_CLASS, CLASS_MAX - CLASS_MIN, true },
	{ VO_FIELD, FIELD_DELTA, W_FIELD, false },
	{ VO_FIELD, FIELD_PATH, 12, true },
	{ VO_TREND, 0, TREND_MIN, false },
	{ VO_FIELD, FIELD_SIZE, W_FIELD, false },
	{ VO_FIELD, FIELD_ADDR, W_RANGE, true },
	{ VO_FIELD, FIELD_PERMS, W_FIELD, false },
	{ VO_TREND, 0, TREND_WIDTH - TREND_MIN, true },
	{ VO_FIELD, FIELD_PRIVATE_DIRTY, W_FIELD, false },
	{ VO_FIELD, FIELD_SWAP, W_FIELD, false },
	{ VO_FIELD, FIELD_PSS, W_FIELD, false },
	{ VO_FIELD, FIELD_PATH, 24, true },
	{ VO_MARK, 0, 0, false },
}, view_claims_groups[] = {
	{ VO_MARK, 0, 1, false },
	{ VO_NAME, 0, NAME_MIN, false },
	{ VO_FIELD, CLAIM_SORT, W_FIELD, false },
	{ VO_FIELD, FIELD_RSS, W_FIELD, false },
	{ VO_COUNT, 0, W_COUNT, false },
	{ VO_FIELD, FIELD_RATE, W_FIELD, false },
	{ VO_FIELD, FIELD_DELTA, W_FIELD, false },
	{ VO_FIELD, FIELD_SIZE, W_FIELD, false },
	{ VO_TREND, 0, TREND_MIN, false },
	{ VO_NAME, 0, 12, true },
	{ VO_FIELD, FIELD_PRIVATE_DIRTY, W_FIELD, false },
	{ VO_FIELD, FIELD_SWAP, W_FIELD, false },
	{ VO_FIELD, FIELD_PSS, W_FIELD, false },
	{ VO_TREND, 0, TREND_WIDTH - TREND_MIN, true },
	{ VO_MARK, 0, 0, false },
};

/* Digits of the largest count of a group shown, at least the title's. */
static int
view_table_count_width(const struct view *v)
{
	size_t i, max = 0;
	char buf[32];
	int w;

	for (i = 0; i < v->ngroups; i++)
		max = v->groups[i].nregions > max ? v->groups[i].nregions : max;
	w = snprintf(buf, sizeof buf, "%zu", max);
	return w > (int)strlen(view_own[VO_COUNT].title) ?
	    w :
	    (int)strlen(view_own[VO_COUNT].title);
}

/* The columns a claim's width means for column k. */
static int
view_table_claim_width(
    const struct view *v, const struct view_claim *cl, const struct view_col *k)
{
	switch (cl->width) {
	case W_FIELD:
		if (k->own != VO_FIELD)
			return view_own[k->own].width;
		switch (k->field) {
		case FIELD_CLASS:
			return CLASS_MIN;
		case FIELD_PATH:
			return PATH_MIN;
		default:
			break;
		}
		return field_get(k->field)->type == FT_RANGE ?
		    v->addr_digits :
		    field_get(k->field)->width;
	case W_START:
		return v->addr_digits;
	case W_RANGE:
		return v->addr_digits + 1;
	case W_COUNT:
		return view_table_count_width(v);
	}
	return cl->width;
}

/*
 * Which columns fit in `width` and how wide each is: the claims of the
 * table shown, in their order, each granted if the line has its room (a
 * column and the blank before the next).  Then the path takes what is
 * left; in the group view the name does, up to NAME_MAX.
 */
static int
view_table_columns(const struct view *v, int width, struct view_col *col)
{
	bool grouped = view_rows_grouped(v);
	const struct view_claim *cl =
	    grouped ? view_claims_groups : view_claims_regions;
	int n = view_table_layout(col), c, used = 0, left;
	bool closed = false;

	for (; cl->own != VO_MARK || cl->width != 0; cl++) {
		struct view_col *k = NULL;
		int field = cl->field == CLAIM_SORT ? (int)v->sort : cl->field;
		int need;

		for (c = 0; c < n && k == NULL; c++) {
			if (col[c].own == cl->own &&
			    (cl->own != VO_FIELD || (int)col[c].field == field))
				k = &col[c];
		}
		/* A group has no address, permissions, class or path. */
		if (k == NULL ||
		    (grouped && k->own == VO_FIELD && !field_right(k->field)))
			continue;
		need = view_table_claim_width(v, cl, k);
		if (cl->more ? !k->show : k->show || closed)
			continue;
		if (used + need + (cl->more ? 0 : 1) > width + 1) {
			/* The first column that does not fit ends the list:
			 * its room goes to the path, not to a lesser one. */
			closed = closed || !cl->more;
			continue;
		}
		used += need + (cl->more ? 0 : 1);
		k->width += need;
		k->show = true;
	}
	/* The rest to the path; without a path, to the class. */
	left = width + 1 - used;
	for (c = 0; c < n; c++) {
		if (col[c].show && col[c].own == VO_FIELD &&
		    field_get(col[c].field)->width == 0) {
			col[c].width += left;
			left = 0;
		}
	}
	for (c = 0; c < n && left > 0; c++) {
		int more = col[c].own == VO_NAME ? NAME_MAX - col[c].width :
		    col[c].own == VO_FIELD && col[c].field == FIELD_CLASS ?
		                                   CLASS_MAX - col[c].width :
		                                   0;

		if (col[c].show && more > 0) {
			col[c].width += left < more ? left : more;
			left -= left < more ? left : more;
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
		/* "000000600000-000000907000" as its start alone. */
		if (view_table_start_only(v, c) && strchr(buf, '-') != NULL)
			*strchr(buf, '-') = '\0';
		break;
	case VO_NAME:
		break;
	}
}

/* The tab line: what is shown, sorted how, filtered by what; fitted as
 * the header's lines are. */
static void
view_table_tabs(struct view *v, size_t n)
{
	struct fit_item it[4];
	char tabs[2][240], sort[2][64], filter[VIEW_PATTERN * 4 + 16];
	char count[64], line[1024];
	const char *arrow =
	    v->desc ? (v->utf8 ? "\u2193" : "v") : (v->utf8 ? "\u2191" : "^");
	const char *what =
	    view_rows_grouped(v) ? (n == 1 ? "group" : "groups") : "shown";
	size_t k = 0;

	memset(it, 0, sizeof it);
	if (v->in_group) {
		const char *p;
		size_t len;
		char name[200];

		p = model_path(v->app->model, v->group.path_id, &len);
		esc_text(len ? p : v->group.label,
		    len ? len : strlen(v->group.label), name, sizeof name,
		    v->utf8);
		snprintf(tabs[0], sizeof tabs[0], "%s > %s   (Esc: back)",
		    v->group_by == GROUP_CLASS ? "By class" : "By file", name);
		snprintf(tabs[1], sizeof tabs[1], "%s (Esc: back)", name);
		it[k] = (struct fit_item){ .form = { tabs[0], tabs[1] },
			.keep = 60,
			.cut = FIT_CUT_FRONT,
			.min = 12 };
	} else {
		snprintf(tabs[0], sizeof tabs[0], "%s%s%s%s%s",
		    v->group_by == GROUP_NONE ? "[Regions]" : " Regions ", "  ",
		    v->group_by == GROUP_CLASS ? "[By class]" : " By class ",
		    "  ",
		    v->group_by == GROUP_FILE ? "[By file]" : " By file ");
		snprintf(tabs[1], sizeof tabs[1], "[%s]",
		    v->group_by == GROUP_NONE      ? "Regions" :
		        v->group_by == GROUP_CLASS ? "By class" :
		                                     "By file");
		it[k] = (struct fit_item){ .form = { tabs[0], tabs[1] },
			.keep = 60 };
	}
	k++;
	snprintf(sort[0], sizeof sort[0], "sort %s %s",
	    field_get(v->sort)->title, arrow);
	snprintf(
	    sort[1], sizeof sort[1], "%s%s", field_get(v->sort)->title, arrow);
	it[k++] = (struct fit_item){ .form = { sort[0], sort[1] }, .keep = 70 };
	if (v->filter != NULL) {
		char esc[VIEW_PATTERN * 4];

		esc_text(v->filter_text, strlen(v->filter_text), esc,
		    sizeof esc, v->utf8);
		snprintf(filter, sizeof filter, "filter: %s", esc);
		it[k++] = (struct fit_item){ .form = { filter },
			.keep = 50,
			.cut = FIT_CUT_END,
			.min = 12 };
	}
	snprintf(count, sizeof count, "%zu %s", n, what);
	it[k++] = (struct fit_item){ .form = { count }, .keep = 55 };
	fit_line(it, k, "   ", COLS - 1, v->utf8, line, sizeof line);
	view_put_plain(HEADER_ROWS, 1, line, COLS - 1);
}

/* Column headings, the sort column marked. */
static void
view_table_headings(struct view *v, const struct view_col *col, int n)
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
		if (!view_rows_grouped(v) && view_table_sorted(v, &col[c]))
			attron(A_BOLD);
		/* A counter this sample carried from the last full one
		 * (the adaptive sampler's tick) says so: "PSS~". */
		snprintf(title, sizeof title, "%s%s",
		    view_table_title(v, &col[c]),
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
    const struct view_col *col, int n, int y)
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
			view_put(v->utf8, y, x, fv.s, fv.len, w, true);
			x += w + 1;
			continue;
		}
		if (k->own == VO_FIELD &&
		    field_get(k->field)->type == FT_TEXT) {
			bool tail = field_get(k->field)->width == 0;
			int used;
			/* A long path gives way to " (deleted)": that the file
			 * is gone matters more. */
			int sfx =
			    tail && r != NULL && r->deleted && w > 20 ? 10 : 0;

			field_read(k->field, row, &fv);
			used = view_put(
			    v->utf8, y, x, fv.s, fv.len, w - sfx, tail);
			if (sfx)
				view_put_plain(
				    y, x + used, " (deleted)", COLS - x - used);
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
			char pad[300];

			snprintf(pad, sizeof pad, "%*s",
			    w + (int)strlen(buf) - fit_width(buf), buf);
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
	int rows = LINES - HEADER_ROWS - 3, c, n;
	size_t i, nrows = view_rows_count(v);
	bool grouped = view_rows_grouped(v);

	view_suspects_place_cursor(v);
	n = view_table_columns(v, COLS, col);
	for (c = 0; c < n; c++) {
		if (col[c].own == VO_TREND)
			v->trend_w = col[c].show ? col[c].width : 0;
	}
	if (rows < 1)
		rows = 1;
	view_rows_scroll(v->cursor, &v->top, (size_t)rows, nrows);

	view_table_tabs(v, nrows);
	view_table_headings(v, col, n);
	for (i = v->top; i < nrows && (int)(i - v->top) < rows; i++) {
		struct field_row row = { v->app->model,
			grouped ? NULL : v->table.rows[i],
			grouped ? &v->groups[i] : NULL, v->addr_digits };

		view_table_row(v, &row, i == v->cursor, col, n,
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
	if (model_stale(v->app->model) != 0)
		sampler_full_now(pump_sampler(v->app->pump));
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

/* Out of a group's members, back to the groups; from the table, back to
 * what opened it (the process list), if anything did. */
static int
view_table_leave(struct view *v, int key)
{
	if (!v->in_group) {
		if (v->depth == 0)
			return VIEW_DONE;
		view_close(v);
		return VIEW_REBUILD;
	}
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

static int
view_table_suspects(struct view *v, int key)
{
	v->suspect_cursor = v->suspect_top = 0;
	v->suspect_by = v->group_by;
	view_open(v, &view_screen_suspects);
	return VIEW_DONE;
}

static int
view_table_diff(struct view *v, int key)
{
	view_open(v, &view_screen_diff);
	return VIEW_DONE;
}

static const struct view_action act_detail = { "detail",
	"the detail of a region", "Detail", view_table_detail };
static const struct view_action act_members = { "members",
	"the members of a group", "Members", view_table_members };
static const struct view_action act_leave = { "leave-group",
	"back to the groups (from a group's members), or to the process list",
	NULL, view_table_leave };
static const struct view_action act_suspects = { "suspects",
	"the leak suspects, ranked", "Suspects", view_table_suspects };
static const struct view_action act_diff = { "diff",
	"what changed since the baseline (m)", "Diff", view_table_diff };
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
	{ 27, &act_leave, false },
	{ 0, NULL, false },
};

/* After the others in the footer: a narrow one keeps the table's keys. */
static const struct view_binding view_table_change_keys[] = {
	{ 'L', &act_suspects, false },
	{ 'D', &act_diff, false },
	{ 0, NULL, false },
};

static const struct view_keys view_keys_changes = { "What grows, what changed",
	view_table_change_keys };
static const struct view_keys view_keys_regions = { "Region table",
	view_table_region_keys };
static const struct view_keys view_keys_groups = { "Groups",
	view_table_group_keys };

static const struct view_keys *const view_table_region_tables[] = {
	&view_keys_regions, &view_keys_sorting, &view_keys_rows,
	&view_keys_changes, NULL
};
static const struct view_keys *const view_table_group_tables[] = {
	&view_keys_groups, &view_keys_sorting, &view_keys_rows,
	&view_keys_changes, NULL
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
