/*
 * fit.h - one line of figures fitted to a width, for the header lines of
 * the dashboard (and any line that must keep its figures when narrow).
 * Each item of a line has forms from its longest to its shortest ("cgroup
 * 12M of 16M (75%)", "cg 12M of 16M", "cg 12M/16M") and a weight: what
 * matters more.  A narrow line shortens its words before it drops a
 * figure: every item shortens, one step a round, the lightest first, and
 * only when all are at their shortest does the lightest go.  No curses:
 * the caller draws the line, and its attributes at the items' columns.
 *
 * A header line of the dashboard, as view-header.c makes them:
 *
 *	struct fit_item it[3] = {
 *		{ .form = { "cgroup 12M of 16M (75%)", "cg 12M/16M" },
 *		    .keep = 90 },
 *		{ .form = { "OOM kills 2", "OOM 2" }, .keep = 50 },
 *		{ .form = { "[/svc.slice]" }, .keep = 10,
 *		    .cut = FIT_CUT_FRONT, .min = 8 },
 *	};
 *	fit_line(it, 3, "  ", COLS, utf8, line, sizeof line);
 *	view_put_plain(y, 0, line, COLS);	(then it[i].x, .width: -1 gone)
 *
 * The forms are text to show as it is: escape what came from outside
 * (esc_text) before it becomes a form.
 */
#ifndef MEMTOP_FIT_H
#define MEMTOP_FIT_H

#include <stdbool.h>
#include <stddef.h>

#define FIT_FORMS 4

/* What an item may do past its shortest form. */
enum fit_cut {
	FIT_WHOLE,     /* nothing: shown whole or not at all */
	FIT_CUT_END,   /* cut at its end, with an ellipsis (a state, a name) */
	FIT_CUT_FRONT, /* cut at its front, with an ellipsis (a path) */
};

struct fit_item {
	const char *form[FIT_FORMS]; /* longest first; NULL after the last */
	int keep;         /* weight: the lightest shortens first, goes first */
	enum fit_cut cut; /* at its shortest form, when all else is short */
	int min;          /* a cut item's fewest columns, ellipsis included */
	/* Set by fit_line(): */
	int x;     /* its first column in the line; -1 when it was dropped */
	int width; /* its columns */
	int form_used;
};

/*
 * Lay out items[0..n) in their order on one line of at most cols screen
 * columns, sep between those shown: the longest forms that fit, shortened
 * and then dropped as the header above says.  Writes the line into buf
 * (NUL-terminated, cut to size), sets each item's x, width and form_used,
 * and returns the line's columns.  utf8: the ellipsis is U+2026, else "<"
 * at the front and ">" at the end.
 */
int fit_line(struct fit_item *items, size_t n, const char *sep, int cols,
    bool utf8, char *buf, size_t size);

/* Screen columns of text (UTF-8 in a UTF-8 locale, wcwidth()); a byte that
 * is not a character counts one. */
int fit_width(const char *s);

#endif
