/*
 * view-help.c - the help: the keys of the screen it was opened from, made
 * from the key tables that bind them (view-keys.c), and what the columns
 * mean.
 */
#include "config.h"

#include <curses.h>
#include <string.h>

#include "view-int.h"

#define HELP_MAX   96  /* text */
#define HELP_WIDTH 160 /* columns of a line */

static const char *const view_help_notes[] = {
	"Marks: + a new region, - a region gone (kept for a few samples).",
	"Rate is the RSS growth per second, a least-squares fit over the last",
	"30 samples (\u2013: not known yet); Trend is the RSS history, scaled",
	"to each line's own range.  Sizes: K, M, G are KiB, MiB, GiB.",
	"Delta is the RSS change since the baseline (m sets it).",
};
#define HELP_NOTES (sizeof view_help_notes / sizeof view_help_notes[0])

/* Every line of the help; the count. */
static size_t
view_help_text(struct view *v, char (*text)[HELP_WIDTH])
{
	size_t n = 0, i;

	snprintf(text[n++], HELP_WIDTH, "memtop - keys");
	text[n++][0] = '\0';
	n += view_keys_help(v, view_under(v), text[n], HELP_WIDTH,
	    HELP_MAX - n - HELP_NOTES - 1);
	text[n++][0] = '\0';
	for (i = 0; i < HELP_NOTES; i++)
		snprintf(text[n++], HELP_WIDTH, "%s", view_help_notes[i]);
	return n;
}

/* The help takes the whole screen; it scrolls when it does not fit. */
static void
view_help_draw(struct view *v)
{
	char text[HELP_MAX][HELP_WIDTH];
	int rows = LINES - 1, i, max, n = (int)view_help_text(v, text);

	max = n > rows ? n - rows : 0;
	if (v->help_top > max)
		v->help_top = max;
	if (v->help_top < 0)
		v->help_top = 0;
	for (i = 0; i < rows && v->help_top + i < n; i++) {
		const char *line = text[v->help_top + i];

		/* The title and the sections' titles in bold. */
		if (line[0] != ' ' && line[0] != '\0' &&
		    v->help_top + i < n - (int)HELP_NOTES)
			attron(A_BOLD);
		view_put_plain(i, 1, line, COLS - 2);
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

static int
view_help_scroll(struct view *v, int key)
{
	switch (key) {
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
		v->help_top = HELP_MAX; /* drawn as the last page */
		break;
	}
	return VIEW_DONE;
}

static int
view_help_ignore(struct view *v, int key)
{
	return VIEW_DONE;
}

/* Any other key leaves. */
static int
view_help_key(struct view *v, int key)
{
	v->help_top = 0;
	view_close(v);
	return VIEW_DONE;
}

static const struct view_action act_scroll = { "scroll", "scroll", NULL,
	view_help_scroll };
static const struct view_action act_resize = { "resize", NULL, NULL,
	view_help_ignore };

static const struct view_binding view_help_bindings[] = {
	{ KEY_UP, &act_scroll, false },
	{ KEY_DOWN, &act_scroll, false },
	{ 'k', &act_scroll, true },
	{ 'j', &act_scroll, true },
	{ KEY_PPAGE, &act_scroll, false },
	{ KEY_NPAGE, &act_scroll, false },
	{ ' ', &act_scroll, true },
	{ KEY_HOME, &act_scroll, false },
	{ 'g', &act_scroll, true },
	{ KEY_END, &act_scroll, false },
	{ 'G', &act_scroll, true },
	{ KEY_RESIZE, &act_resize, false },
	{ 0, NULL, false },
};

static const struct view_keys view_help_keys = { "Help", view_help_bindings };

static const struct view_keys *const view_help_tables[] = { &view_help_keys,
	NULL };

const struct view_screen view_screen_help = {
	.name = "help",
	.flags = VIEW_FULL | VIEW_MODAL,
	.keys = view_help_tables,
	.draw = view_help_draw,
	.key = view_help_key,
};
