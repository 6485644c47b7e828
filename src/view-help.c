/*
 * view-help.c - the help screen (every key) and the F6 sort menu.
 */
#include "config.h"

#include <curses.h>

#include "view-int.h"

static const char *const help_lines[] = {
	"memtop - keys",
	"",
	"  q F10        quit",
	"  Up Down j k PgUp PgDn Home End   move",
	"  Enter        detail of a region, or the members of a group",
	"  Esc Bksp     back (detail -> table, group -> groups)",
	"  g            regions / by class / by file object",
	"  < >          sort by the previous / next column",
	"  F6           choose the sort column;  I  invert the order",
	"  /            search (pcre2 on class and path);  n N  next/previous",
	"  \\            filter (pcre2 on class and path; empty clears)",
	"  m            baseline = now (Delta counts from here)",
	"  M            baseline = the first sample",
	"  space        pause / resume sampling (the screen stays live)",
	"  + -          sample less / more often",
	"  Tab r p s d  detail chart: next, RSS, PSS, swap, private dirty",
	"  Up Down      in the detail: the previous / next region of the table",
	"  ? F1         this help;  Ctrl-L  redraw",
	"  replay:      space play/pause, Left Right step, [ ] slower/faster,",
	"               Home End first/last sample, t jump to a time",
	"               (-30s from the end, +2m from the start, 14:05:30)",
	"",
	"Marks: + a new region, - a region gone (kept for a few samples).",
	"Rate is the RSS growth in kB/s, a least-squares fit over the last",
	"samples; Trend is the RSS history, scaled to each line's own range.",
	"Delta is the RSS change since the baseline (m sets it).",
};
#define HELP_LINES (sizeof help_lines / sizeof help_lines[0])

/* The help takes the whole screen; it scrolls when it does not fit. */
void
view_draw_help(struct view *v)
{
	int rows = LINES - 1, i, max;

	max = (int)HELP_LINES > rows ? (int)HELP_LINES - rows : 0;
	if (v->help_top > max)
		v->help_top = max;
	if (v->help_top < 0)
		v->help_top = 0;
	for (i = 0; i < rows && v->help_top + i < (int)HELP_LINES; i++) {
		if (i == 0 && v->help_top == 0)
			attron(A_BOLD);
		view_put_plain(i, 1, help_lines[v->help_top + i], COLS - 2);
		attroff(A_BOLD);
	}
	attron(A_REVERSE);
	mvhline(LINES - 1, 0, ' ', COLS);
	view_put_plain(LINES - 1, 0,
	    max > 0 ? " Up Down: scroll   any "
	              "other key: back" :
	              " Any key: back",
	    COLS);
	attroff(A_REVERSE);
}

/* Keys on the help: scroll, or leave. */
void
view_help_key(struct view *v, int ch)
{
	switch (ch) {
	case KEY_UP:
	case 'k':
		v->help_top--;
		break;
	case KEY_DOWN:
	case 'j':
		v->help_top++;
		break;
	case KEY_PPAGE:
		v->help_top -= LINES - 2;
		break;
	case KEY_NPAGE:
	case ' ':
		v->help_top += LINES - 2;
		break;
	case KEY_HOME:
	case 'g':
		v->help_top = 0;
		break;
	case KEY_END:
	case 'G':
		v->help_top = (int)HELP_LINES; /* drawn as the last page */
		break;
	case KEY_RESIZE:
		break;
	default:
		v->screen = v->back;
		v->help_top = 0;
		break;
	}
}

void
view_draw_sort_menu(struct view *v)
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
