/*
 * view-prompt.c - a line typed in the footer (a search, a filter, a time):
 * its editing, its drawing, and the callback that takes it.
 */
#include "config.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "view-int.h"

void
view_prompt_open(struct view *v, const char *label,
    void (*done)(struct view *v, const char *text))
{
	v->prompt.label = label;
	v->prompt.done = done;
	v->prompt.len = 0;
	v->prompt.input[0] = '\0';
}

void
view_prompt_fill(struct view *v, const char *text)
{
	struct view_prompt *p = &v->prompt;

	snprintf(p->input, sizeof p->input, "%s", text);
	p->len = strlen(p->input);
}

bool
view_prompt_active(const struct view *v)
{
	return v->prompt.label != NULL;
}

void
view_prompt_key(struct view *v, int ch)
{
	struct view_prompt *p = &v->prompt;

	if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
		void (*done)(struct view *, const char *) = p->done;

		p->input[p->len] = '\0';
		p->label = NULL;
		done(v, p->input);
	} else if (ch == 27)
		p->label = NULL;
	else if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
		if (p->len > 0)
			p->len--;
	} else if (ch >= 32 && ch < 256 && ch != 127 &&
	    p->len + 1 < sizeof p->input)
		p->input[p->len++] = (char)ch;
}

/* The prompt on line y, the end of what is typed in view. */
void
view_prompt_draw(struct view *v, int y)
{
	int x;

	move(y, 0);
	clrtoeol();
	x = view_put_plain(y, 0, v->prompt.label, COLS);
	x += view_put_plain(y, x, " ", COLS - x);
	view_put(
	    v->utf8, y, x, v->prompt.input, v->prompt.len, COLS - x - 1, true);
	curs_set(1);
}
