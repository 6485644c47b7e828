/*
 * view-sort.c - sorting the rows: the keys < > I and F6, which the screens
 * of rows bind, and the sort menu F6 opens (the registry's columns; Enter
 * chooses).
 */
#include "config.h"

#include <curses.h>

#include "view-int.h"

static void
view_sort_draw(struct view *v)
{
	int y = HEADER_ROWS + 1, room = LINES - 1 - y, at = 0, chosen = 0;
	int first = 0, id;

	view_put_plain(
	    HEADER_ROWS, 1, "Sort by (Enter chooses, Esc cancels):", COLS - 2);
	for (id = 0; id < FIELD_COUNT; id++) {
		if (field_get(id)->flags & FIELD_COLUMN) {
			if (id == (int)v->sort_menu)
				chosen = at;
			at++;
		}
	}
	/* On a short screen the list scrolls to keep the choice in view. */
	if (room > 0 && chosen >= room)
		first = chosen - room + 1;
	for (at = 0, id = 0; id < FIELD_COUNT && y < LINES - 1; id++) {
		if (!(field_get(id)->flags & FIELD_COLUMN) || at++ < first)
			continue;
		if (id == (int)v->sort_menu)
			attron(A_REVERSE);
		mvprintw(y, 3, " %-10s ", field_get(id)->title);
		attroff(A_REVERSE);
		if (id == (int)v->sort)
			addstr(v->desc ? " (current, descending)" :
			                 " (current, ascending)");
		y++;
	}
}

static int
view_sort_move(struct view *v, int key)
{
	enum field_id first = field_next_column(FIELD_COUNT - 1, 1);
	enum field_id last = field_next_column(first, -1);

	if (key == KEY_UP || key == 'k')
		v->sort_menu = v->sort_menu != first ?
		    field_next_column(v->sort_menu, -1) :
		    first;
	else if (key == KEY_DOWN || key == 'j')
		v->sort_menu = v->sort_menu != last ?
		    field_next_column(v->sort_menu, 1) :
		    last;
	else if (key == KEY_HOME || key == KEY_PPAGE)
		v->sort_menu = first;
	else if (key == KEY_END || key == KEY_NPAGE)
		v->sort_menu = last;
	return VIEW_DONE;
}

static int
view_sort_choose(struct view *v, int key)
{
	view_rows_sort(v, v->sort_menu, field_get(v->sort_menu)->desc);
	view_close(v);
	return VIEW_REBUILD;
}

static int
view_sort_cancel(struct view *v, int key)
{
	view_close(v);
	return VIEW_DONE;
}

static int
view_sort_quit(struct view *v, int key)
{
	return VIEW_QUIT;
}

static const struct view_action act_move = { "move", "move", NULL,
	view_sort_move };
static const struct view_action act_choose = { "choose", "sort by this column",
	"Sort", view_sort_choose };
static const struct view_action act_cancel = { "cancel", "cancel", "Cancel",
	view_sort_cancel };
static const struct view_action act_quit = { "quit", "quit", NULL,
	view_sort_quit };

static const struct view_binding view_sort_bindings[] = {
	{ KEY_UP, &act_move, false },
	{ KEY_DOWN, &act_move, false },
	{ 'k', &act_move, true },
	{ 'j', &act_move, true },
	{ KEY_HOME, &act_move, false },
	{ KEY_PPAGE, &act_move, true },
	{ KEY_END, &act_move, false },
	{ KEY_NPAGE, &act_move, true },
	{ '\r', &act_choose, false },
	{ '\n', &act_choose, true },
	{ KEY_ENTER, &act_choose, true },
	{ 27, &act_cancel, false },
	{ 'q', &act_cancel, true },
	{ KEY_F(6), &act_cancel, true },
	{ KEY_F(10), &act_quit, false },
	{ 0, NULL, false },
};

static const struct view_keys view_keys_sort_menu = { "Sort menu",
	view_sort_bindings };

static const struct view_keys *const view_sort_tables[] = {
	&view_keys_sort_menu, NULL
};

const struct view_screen view_screen_sort = {
	.name = "sort",
	.flags = VIEW_MODAL,
	.keys = view_sort_tables,
	.draw = view_sort_draw,
};

/* The sort keys of the screens of rows. */

static int
view_sort_step(struct view *v, int key)
{
	enum field_id c = field_next_column(v->sort, key == '>' ? 1 : -1);

	view_rows_sort(v, c, field_get(c)->desc);
	return VIEW_REBUILD;
}

static int
view_sort_invert(struct view *v, int key)
{
	view_rows_sort(v, v->sort, !v->desc);
	return VIEW_REBUILD;
}

static int
view_sort_menu(struct view *v, int key)
{
	v->sort_menu = v->sort;
	view_open(v, &view_screen_sort);
	return VIEW_DONE;
}

static const struct view_action act_sort_step = { "sort-step",
	"sort by the previous / next column", "Sort", view_sort_step };
static const struct view_action act_sort_menu = { "sort-menu",
	"choose the sort column", NULL, view_sort_menu };
static const struct view_action act_invert = { "sort-invert",
	"invert the order", NULL, view_sort_invert };

static const struct view_binding view_sorting_bindings[] = {
	{ '<', &act_sort_step, false },
	{ '>', &act_sort_step, false },
	{ KEY_F(6), &act_sort_menu, false },
	{ 'I', &act_invert, false },
	{ 0, NULL, false },
};

const struct view_keys view_keys_sorting = { "Sorting", view_sorting_bindings };
