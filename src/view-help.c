/*
 * view-help.c - the help screen (every key) and the F6 sort menu.
 */
#include <curses.h>

#include "view-int.h"

static const char *const help_lines[] = {
	"memtop - keys",
	"",
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
	"  Tab r p s d  detail chart: next series, RSS, PSS, swap, private dirty",
	"  Up Down      in the detail: the previous / next region of the table",
	"  ? F1         this help;  Ctrl-L  redraw",
	"  replay:      space play/pause, Left Right step, [ ] slower/faster,",
	"               Home End first/last sample, t jump to a time",
	"               (-30s from the end, +2m from the start, 14:05:30)",
	"  q F10        quit",
	"",
	"Marks: + a new region, - a region gone (kept for a few samples).",
	"Rate is the RSS growth in kB/s, a least-squares fit over the last",
	"samples; Trend is the RSS history, scaled to each line's own range.",
	"",
	"Press any key to go back.",
};

void
view_draw_help(void)
{
	size_t i;

	for (i = 0; i < sizeof help_lines / sizeof help_lines[0]; i++) {
		if ((int)i + HEADER_ROWS >= LINES - 1)
			break;
		view_put_plain(HEADER_ROWS + (int)i, 1, help_lines[i], COLS - 2);
	}
}

void
view_draw_sort_menu(struct view *v)
{
	int c, y = HEADER_ROWS + 1;

	view_put_plain(HEADER_ROWS, 1, "Sort by (Enter chooses, Esc cancels):",
	    COLS - 2);
	for (c = 0; c < COL_COUNT && y < LINES - 1; c++, y++) {
		if (c == v->sort_menu)
			attron(A_REVERSE);
		mvprintw(y, 3, " %-10s ", column_title((enum column)c));
		attroff(A_REVERSE);
		if (c == (int)v->sort)
			addstr(v->desc ? " (current, descending)" :
			    " (current, ascending)");
	}
}
