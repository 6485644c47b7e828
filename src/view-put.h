/*
 * view-put.h - putting text on the screen: escaped, fitted to columns in
 * wide characters, wrapped; a line of key hints; the footer's message.  The
 * leaf of the view: it includes no other view file's API.
 */
#ifndef MEMTOP_VIEW_PUT_H
#define MEMTOP_VIEW_PUT_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>

/* Colour pairs. */
enum {
	PAIR_HEAD = 1,
	PAIR_NEW,
	PAIR_GONE,
	PAIR_UP,
	PAIR_DOWN,
	PAIR_BAR,
	PAIR_WARN,
	PAIR_SEL
};

/*
 * Text from the target (or anything) at y,x in at most `cols` screen
 * columns, escaped as esc_text() does (utf8: valid UTF-8 passes); cut with
 * an ellipsis at its end, or with `tail` at its front (a path keeps its
 * file name).  Returns the columns used.
 */
int view_put(
    bool utf8, int y, int x, const char *s, size_t len, int cols, bool tail);
/* Text from the target on whole lines from y, wrapped, escaped, in at most
 * maxlines (the last keeps the end).  Returns the lines used. */
int view_put_wrapped(bool utf8, int y, const char *s, size_t len, int maxlines);
/* Text of our own (already safe, may hold UTF-8 glyphs). */
int view_put_plain(int y, int x, const char *s, int cols);
/* The same cut at its front (an escaped path keeps its file name). */
int view_put_plain_tail(int y, int x, const char *s, int cols);
/* The mark of text cut at its front ("…", or "<" without UTF-8) at y, x;
 * returns its width, 1. */
int view_put_cut_mark(int y, int x);
/* A line of hints, items two spaces apart, reversed: those that fit, whole. */
void view_put_hints(int y, const char *hints);

/* A message for the footer, shown for a few seconds. */
struct view_status {
	char text[512];
	double until; /* clock_mono() */
};

void view_put_status_set(struct view_status *st, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Whether there is a message to show now. */
bool view_put_status_live(const struct view_status *st);
void view_put_status_clear(struct view_status *st);

#endif
