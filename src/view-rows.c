/*
 * view-rows.c - the rows the tables and the detail show: built from the
 * model (regions, or groups of them), sorted and filtered, the cursor kept
 * on its region; and the keys that move, search, filter, sort and mark,
 * which every screen of rows shares.
 */
#include "config.h"

#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "view-int.h"

bool
view_rows_grouped(const struct view *v)
{
	return v->group_by != GROUP_NONE && !v->in_group;
}

size_t
view_rows_count(const struct view *v)
{
	return view_rows_grouped(v) ? v->ngroups : v->table.nrows;
}

uint64_t
view_rows_key(const struct view *v, size_t i)
{
	if (i >= view_rows_count(v))
		return 0;
	return view_rows_grouped(v) ? v->groups[i].key : v->table.rows[i]->id;
}

/* Marked "+" long enough to be seen, as a gone one stays marked "-". */
bool
view_rows_new(const struct view *v, const struct tracked_region *r)
{
	uint64_t n = model_samples(v->app->model);

	return r->state != TR_GONE && r->first_seq > 0 &&
	    r->first_seq + NEW_SAMPLES >= n;
}

/* The row of the cursor's key among the n rows; n if it is not there. */
static size_t
view_rows_find(const struct view *v, size_t n)
{
	size_t i;

	if (v->cursor_key == 0)
		return n;
	if (!view_rows_grouped(v) && v->cursor_row != NULL &&
	    v->cursor_row_serial == model_serial(v->app->model) &&
	    v->cursor_row_version == model_version(v->app->model) &&
	    v->cursor_row->id == v->cursor_key) {
		for (i = 0; i < n && v->table.rows[i] != v->cursor_row; i++)
			continue;
		return i;
	}
	for (i = 0; i < n && view_rows_key(v, i) != v->cursor_key; i++)
		continue;
	return i;
}

/* The cursor's key (and region) from the row it is on. */
static void
view_rows_place(struct view *v)
{
	bool region = !view_rows_grouped(v) && v->cursor < view_rows_count(v);

	v->cursor_key = view_rows_key(v, v->cursor);
	v->cursor_row = region ? v->table.rows[v->cursor] : NULL;
	v->cursor_row_serial = model_serial(v->app->model);
	v->cursor_row_version = model_version(v->app->model);
}

void
view_rows_rebuild(struct view *v)
{
	struct model *m = v->app->model;
	size_t i, n;

	if (view_rows_grouped(v)) {
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
	/* Addresses in 12 hex digits, or 16 when a mapping of the process's
	 * own needs them (a 57-bit address space).  The kernel's [vsyscall]
	 * at ffffffffff600000 alone does not: it is shown cut at its front,
	 * and every other row keeps 4 (or 8) columns.  The regions are in
	 * address order: the last that is not the kernel's tells. */
	for (n = model_nregions(m); n > 0; n--) {
		if (model_region(m, n - 1)->cls != RC_KERNEL)
			break;
	}
	v->addr_digits =
	    n > 0 && model_region(m, n - 1)->end > UINT64_C(0x1000000000000) ?
	    16 :
	    12;
	n = view_rows_count(v);
	if ((i = view_rows_find(v, n)) < n)
		v->cursor = i;
	if (v->cursor >= n)
		v->cursor = n ? n - 1 : 0;
	view_rows_place(v);
	v->rebuild = false;
}

void
view_rows_follow(struct view *v)
{
	if (!v->rebuild)
		view_rows_place(v);
}

void
view_rows_sort(struct view *v, enum field_id c, bool desc)
{
	v->sort = c;
	v->desc = desc;
	v->rebuild = true;
	view_put_status_set(&v->status, "sorted by %s, %s", field_get(c)->title,
	    desc ? "biggest first" : "smallest first");
}

static bool
view_rows_matches(struct view *v, size_t i, const struct rx *rx)
{
	if (view_rows_grouped(v)) {
		const struct region_group *g = &v->groups[i];
		size_t len;
		const char *p = model_path(v->app->model, g->path_id, &len);

		return rx_match(rx, g->label, strlen(g->label)) ||
		    (len > 0 && rx_match(rx, p, len));
	}
	return table_row_matches(v->app->model, v->table.rows[i], rx);
}

bool
view_rows_seek(size_t n, size_t *cursor, int dir, bool include_current,
    bool (*match)(void *ctx, size_t i), void *ctx)
{
	size_t k, i;

	for (k = include_current ? 0 : 1; k <= n && n > 0; k++) {
		i = dir > 0 ? (*cursor + k) % n : (*cursor + n - k % n) % n;
		if (match(ctx, i)) {
			*cursor = i;
			return true;
		}
	}
	return false;
}

static bool
view_rows_search_match(void *ctx, size_t i)
{
	struct view *v = ctx;

	return view_rows_matches(v, i, v->search);
}

/* Move to the next (dir 1) or previous (-1) row matching the search. */
static void
view_rows_search_next(struct view *v, int dir, bool include_current)
{
	if (v->search == NULL) {
		view_put_status_set(
		    &v->status, "no search yet: press / to search");
		return;
	}
	if (view_rows_seek(view_rows_count(v), &v->cursor, dir, include_current,
	        view_rows_search_match, v)) {
		view_rows_place(v);
		v->cursor_chosen = true;
		view_put_status_clear(
		    &v->status); /* an old "no match" is over */
		return;
	}
	view_put_status_set(&v->status, "no match for /%s", v->search_text);
}

bool
view_rows_pattern(struct view *v, const char *what, const char *typed,
    struct rx **rx, char *text)
{
	struct rx *new = NULL;
	char *err = NULL;

	if (*typed != '\0' && (new = rx_compile(typed, &err)) == NULL) {
		view_put_status_set(&v->status, "%s: %s", what, err);
		free(err);
		return false;
	}
	rx_free(*rx);
	*rx = new;
	snprintf(text, VIEW_PATTERN, "%s", typed);
	return true;
}

static void
view_rows_search_done(struct view *v, const char *typed)
{
	if (view_rows_pattern(v, "search", typed, &v->search, v->search_text) &&
	    v->search != NULL)
		view_rows_search_next(v, 1, true);
}

static void
view_rows_filter_done(struct view *v, const char *typed)
{
	if (view_rows_pattern(v, "filter", typed, &v->filter, v->filter_text))
		v->rebuild = true;
}

/* Actions. */

size_t
view_rows_step(size_t cursor, size_t n, size_t page, int key)
{
	switch (key) {
	case KEY_UP:
	case 'k':
		if (cursor > 0)
			cursor--;
		break;
	case KEY_DOWN:
	case 'j':
		cursor++;
		break;
	case KEY_PPAGE:
		cursor = cursor > page ? cursor - page : 0;
		break;
	case KEY_NPAGE:
		cursor += page;
		break;
	case KEY_HOME:
		cursor = 0;
		break;
	case KEY_END:
		cursor = n;
		break;
	}
	return cursor < n ? cursor : n ? n - 1 : 0;
}

void
view_rows_scroll(size_t cursor, size_t *top, size_t rows, size_t n)
{
	if (cursor < *top)
		*top = cursor;
	if (cursor >= *top + rows)
		*top = cursor - rows + 1;
	if (*top + rows > n)
		*top = n > rows ? n - rows : 0;
}

static int
view_rows_move(struct view *v, int key)
{
	size_t page = LINES - HEADER_ROWS - 3 > 1 ? LINES - HEADER_ROWS - 3 : 1;

	v->cursor_chosen = true;
	v->cursor = view_rows_step(v->cursor, view_rows_count(v), page, key);
	return VIEW_DONE;
}

static int
view_rows_search(struct view *v, int key)
{
	view_prompt_open(v, "Search:", view_rows_search_done);
	return VIEW_DONE;
}

static int
view_rows_filter(struct view *v, int key)
{
	view_prompt_open(v, "Filter:", view_rows_filter_done);
	return VIEW_DONE;
}

static int
view_rows_next_match(struct view *v, int key)
{
	view_rows_search_next(v, key == 'N' ? -1 : 1, false);
	return VIEW_DONE;
}

void
view_rows_set_baseline(struct view *v, bool reset)
{
	pump_mark(v->app->pump, reset);
	/* The diff screen compares with the model as it is now, exactly:
	 * the model's baseline keeps only what is still tracked. */
	moment_free(v->baseline);
	v->baseline = reset ? NULL : moment_capture(v->app->model);
	view_put_status_set(&v->status, "%s",
	    reset ? "baseline: the first sample" :
	            "baseline set: Delta counts from now");
}

static int
view_rows_mark(struct view *v, int key)
{
	view_rows_set_baseline(v, key == 'M');
	return VIEW_REBUILD;
}

static const struct view_action act_move = { "move", "move", NULL,
	view_rows_move };
static const struct view_action act_search = { "search",
	"search (pcre2 on class and path)", "Search", view_rows_search };
static const struct view_action act_next_match = { "search-next",
	"the next / previous match", NULL, view_rows_next_match };
static const struct view_action act_filter = { "filter",
	"filter (pcre2 on class and path; empty clears)", "Filter",
	view_rows_filter };
static const struct view_action act_mark = { "mark",
	"baseline = now (Delta counts from here)", "Mark", view_rows_mark };
static const struct view_action act_mark_first = { "mark-first",
	"baseline = the first sample", NULL, view_rows_mark };

static const struct view_binding view_rows_bindings[] = {
	{ KEY_UP, &act_move, false },
	{ KEY_DOWN, &act_move, false },
	{ 'k', &act_move, true },
	{ 'j', &act_move, true },
	{ KEY_PPAGE, &act_move, false },
	{ KEY_NPAGE, &act_move, false },
	{ KEY_HOME, &act_move, false },
	{ KEY_END, &act_move, false },
	{ '/', &act_search, false },
	{ 'n', &act_next_match, false },
	{ 'N', &act_next_match, false },
	{ '\\', &act_filter, false },
	{ 'm', &act_mark, false },
	{ 'M', &act_mark_first, false },
	{ 0, NULL, false },
};

const struct view_keys view_keys_rows = { "Rows", view_rows_bindings };
