/*
 * view-put.c - text on the screen: escaped, fitted, wrapped; hints; the
 * footer's message.
 */
#include "config.h"

#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "util.h"
#include "view-put.h"

#define STATUS_SECONDS 4 /* how long a message stays */

void
view_put_status_set(struct view_status *st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(st->text, sizeof st->text, fmt, ap);
	va_end(ap);
	st->until = clock_mono() + STATUS_SECONDS;
}

bool
view_put_status_live(const struct view_status *st)
{
	return st->text[0] != '\0' && clock_mono() < st->until;
}

void
view_put_status_clear(struct view_status *st)
{
	st->text[0] = '\0';
	st->until = 0;
}

/* Columns a wide string takes, and how many of its chars fit in cols. */
static size_t
wide_fit(const wchar_t *w, size_t n, int cols, int *used)
{
	size_t i;
	int c = 0;

	for (i = 0; i < n; i++) {
		int cw = wcwidth(w[i]);

		if (cw < 0)
			cw = 1;
		if (c + cw > cols)
			break;
		c += cw;
	}
	*used = c;
	return i;
}

/*
 * Whether a wide char could move the cursor or reorder the line on some
 * terminal although esc_text passed it as valid UTF-8: non-printables,
 * bidi controls, zero-width format characters.
 */
static bool
wide_unsafe(wchar_t c)
{
	if (wcwidth(c) < 0)
		return true;
	return (c >= 0x200b && c <= 0x200f) || (c >= 0x202a && c <= 0x202e) ||
	    (c >= 0x2060 && c <= 0x206f) || c == 0xfeff ||
	    (c >= 0xfff9 && c <= 0xfffb);
}

/* s as wide chars into a malloc'd array (*n of them); NULL if s is not
 * valid in the locale.  With escape, unsafe chars become "\u202e". */
static wchar_t *
wide_from(const char *s, bool escape, size_t *n)
{
	size_t len = strlen(s), i, o;
	wchar_t *w, *e;

	w = xcalloc(len + 1, sizeof *w);
	if ((*n = mbstowcs(w, s, len + 1)) == (size_t)-1) {
		free(w);
		return NULL;
	}
	if (!escape)
		return w;
	for (i = 0, o = 0; i < *n; i++)
		o += wide_unsafe(w[i]) ? 8 : 1;
	if (o == *n)
		return w;
	e = xcalloc(o + 1, sizeof *e);
	for (i = 0, o = 0; i < *n; i++) {
		if (wide_unsafe(w[i]))
			o += (size_t)swprintf(
			    e + o, 9, L"\\u%04x", (unsigned)w[i]);
		else
			e[o++] = w[i];
	}
	free(w);
	*n = o;
	return e;
}

int
view_put_cut_mark(int y, int x)
{
	mvaddnwstr(y, x, MB_CUR_MAX > 1 ? L"\u2026" : L"<", 1);
	return 1;
}

static int
view_put_wide(int y, int x, const char *s, int cols, bool tail, bool escape)
{
	wchar_t *w;
	size_t n, k, from;
	int used, c, cw;

	if (cols <= 0)
		return 0;
	if ((w = wide_from(s, escape, &n)) == NULL) {
		mvaddnstr(y, x, s, cols); /* ASCII by construction */
		return cols;
	}
	k = wide_fit(w, n, cols, &used);
	if (k < n && tail && cols > 1) {
		/* Keep the end: the file name matters more than the dirs. */
		for (c = 0, from = n; from > 0; from--, c += cw) {
			cw = wcwidth(w[from - 1]);
			if (cw < 0)
				cw = 1;
			if (c + cw > cols - 1)
				break;
		}
		view_put_cut_mark(y, x);
		addnwstr(w + from, (int)(n - from));
		used = c + 1;
	} else if (k < n && escape && cols > 1) {
		/* Text from outside, cut: an ellipsis says so. */
		k = wide_fit(w, n, cols - 1, &used);
		mvaddnwstr(y, x, w, (int)k);
		addnwstr(MB_CUR_MAX > 1 ? L"\u2026" : L">", 1);
		used++;
	} else
		mvaddnwstr(y, x, w, (int)k);
	free(w);
	return used;
}

/* s escaped for the screen: in stack when it fits, else malloc'd (the
 * caller frees what is not stack). */
static char *
view_put_escape(bool utf8, const char *s, size_t len, char *stack, size_t size)
{
	size_t need = len * 4 + 1;
	char *buf = need > size ? xmalloc(need) : stack;

	esc_text(s, len, buf, need, utf8);
	return buf;
}

int
view_put(
    bool utf8, int y, int x, const char *s, size_t len, int cols, bool tail)
{
	char stackbuf[2048];
	char *buf = view_put_escape(utf8, s, len, stackbuf, sizeof stackbuf);
	int used;

	used = view_put_wide(y, x, buf, cols, tail, true);
	if (buf != stackbuf)
		free(buf);
	return used;
}

int
view_put_wrapped(bool utf8, int y, const char *s, size_t len, int maxlines)
{
	char stackbuf[2048];
	char *buf = view_put_escape(utf8, s, len, stackbuf, sizeof stackbuf);
	size_t n, at = 0, k;
	int nl = 0, used;
	wchar_t *w;

	if ((w = wide_from(buf, true, &n)) != NULL) {
		while (at < n && nl < maxlines) {
			k = wide_fit(w + at, n - at, COLS, &used);
			if (k == 0)
				break;
			/* The last line ends with the file name. */
			if (nl + 1 == maxlines && at + k < n) {
				view_put_cut_mark(y + nl, 0);
				at = n - (k > 1 ? k - 1 : k);
				addnwstr(w + at, (int)(n - at));
			} else
				mvaddnwstr(y + nl, 0, w + at, (int)k);
			at += k;
			nl++;
		}
		free(w);
	}
	if (buf != stackbuf)
		free(buf);
	return nl;
}

int
view_put_plain(int y, int x, const char *s, int cols)
{
	return view_put_wide(y, x, s, cols, false, false);
}

int
view_put_plain_tail(int y, int x, const char *s, int cols)
{
	return view_put_wide(y, x, s, cols, true, false);
}

/* The length of keys' items from the first that fit in cols, whole. */
static int
view_put_hints_fit(const char *keys, int n, int cols)
{
	const char *p;

	while (n > cols) {
		p = keys + n - 1;
		while (p > keys && !(p[0] == ' ' && p[-1] == ' '))
			p--;
		n = p > keys ? (int)(p - keys) - 1 : 0;
	}
	return n;
}

void
view_put_hints(int y, const char *keys)
{
	const char *last = NULL, *p;
	int len = (int)strlen(keys), n = view_put_hints_fit(keys, len, COLS);

	/* When some go, the last (Quit) stays: those before it go first. */
	for (p = keys; n < len && (p = strstr(p, "  ")) != NULL; p += 2)
		last = p + 2;
	if (last != NULL)
		n = view_put_hints_fit(keys, len, COLS - (int)strlen(last) - 2);
	attron(A_REVERSE);
	mvhline(y, 0, ' ', COLS);
	if (last != NULL && n > 0) {
		mvaddnstr(y, 0, keys, n);
		addstr("  ");
		addstr(last);
	} else
		mvaddnstr(y, 0, keys, n > 0 ? n : COLS);
	attroff(A_REVERSE);
}
