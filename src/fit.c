/*
 * fit.c - one line of figures fitted to a width (fit.h).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "fit.h"
#include "util.h"

/* The bytes and columns of the character at s (at least one byte). */
static size_t
fit_char(const char *s, size_t len, int *cols)
{
	mbstate_t st;
	wchar_t wc;
	size_t n;
	int w;

	memset(&st, 0, sizeof st);
	n = mbrtowc(&wc, s, len, &st);
	if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
		*cols = 1;
		return 1;
	}
	w = wcwidth(wc);
	*cols = w < 0 ? 1 : w;
	return n;
}

int
fit_width(const char *s)
{
	size_t len = strlen(s), i = 0;
	int total = 0, w;

	while (i < len) {
		i += fit_char(s + i, len - i, &w);
		total += w;
	}
	return total;
}

/* Append len bytes of s to buf at *o (bounded by size, NUL-terminated). */
static void
fit_put(char *buf, size_t size, size_t *o, const char *s, size_t len)
{
	if (*o + 1 >= size)
		return;
	if (len > size - 1 - *o)
		len = size - 1 - *o;
	memcpy(buf + *o, s, len);
	*o += len;
	buf[*o] = '\0';
}

/*
 * Append s in at most cols columns: whole if it fits, else cut at its end
 * (or, front, at its front) with an ellipsis.  Returns the columns used.
 */
static int
fit_put_cut(char *buf, size_t size, size_t *o, const char *s, int cols,
    bool front, bool utf8)
{
	const char *dots = utf8 ? "\u2026" : front ? "<" : ">";
	size_t len = strlen(s), i = 0, k;
	int total = fit_width(s), used = 0, w;

	if (total <= cols) {
		fit_put(buf, size, o, s, len);
		return total;
	}
	if (cols <= 0)
		return 0;
	if (front) {
		/* Skip characters until what is left fits beside the dots. */
		while (i < len && total - used > cols - 1) {
			i += fit_char(s + i, len - i, &w);
			used += w;
		}
		fit_put(buf, size, o, dots, strlen(dots));
		fit_put(buf, size, o, s + i, len - i);
		return 1 + total - used;
	}
	while (i < len) {
		k = fit_char(s + i, len - i, &w);
		if (used + w > cols - 1)
			break;
		i += k;
		used += w;
	}
	fit_put(buf, size, o, s, i);
	fit_put(buf, size, o, dots, strlen(dots));
	return used + 1;
}

static int
fit_total(const struct fit_item *it, size_t n, int sepw)
{
	int total = 0, shown = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (it[i].x < 0)
			continue;
		total += it[i].width;
		shown++;
	}
	return total + (shown > 1 ? (shown - 1) * sepw : 0);
}

/* Whether an item shown whole is lighter than keep. */
static bool
fit_lighter_whole(const struct fit_item *it, size_t n, int keep)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (it[i].x >= 0 && it[i].cut == FIT_WHOLE && it[i].keep < keep)
			return true;
	}
	return false;
}

/* Shorten the items shown (x >= 0) until they fit: rounds of one step for
 * each, the lightest first; then cuts, the lightest first.  order lists
 * the items lightest first. */
static bool
fit_shorten(
    struct fit_item *it, size_t n, const size_t *order, int sepw, int cols)
{
	bool any = true;
	size_t k;
	int over;

	while (fit_total(it, n, sepw) > cols && any) {
		any = false;
		for (k = 0; k < n; k++) {
			struct fit_item *f = &it[order[k]];

			if (f->x < 0 || f->form_used + 1 >= FIT_FORMS ||
			    f->form[f->form_used + 1] == NULL)
				continue;
			f->form_used++;
			f->width = fit_width(f->form[f->form_used]);
			any = true;
			if (fit_total(it, n, sepw) <= cols)
				return true;
		}
	}
	/* Cut, the lightest first; never an item heavier than one shown
	 * whole (that one goes first). */
	for (k = 0; k < n; k++) {
		struct fit_item *f = &it[order[k]];

		if ((over = fit_total(it, n, sepw) - cols) <= 0)
			return true;
		if (f->x < 0 || f->cut == FIT_WHOLE || f->width <= f->min ||
		    fit_lighter_whole(it, n, f->keep))
			continue;
		f->width -= over < f->width - f->min ? over : f->width - f->min;
	}
	return fit_total(it, n, sepw) <= cols;
}

int
fit_line(struct fit_item *items, size_t n, const char *sep, int cols, bool utf8,
    char *buf, size_t size)
{
	size_t *order = xcalloc(n ? n : 1, sizeof *order), i, j, drop, o = 0;
	int sepw = fit_width(sep), x = 0;
	bool first = true;

	/* The lightest first; of two as heavy, the one further right. */
	for (i = 0; i < n; i++) {
		for (j = i; j > 0; j--) {
			const struct fit_item *a = &items[order[j - 1]];

			if (a->keep < items[i].keep)
				break;
			order[j] = order[j - 1];
		}
		order[j] = i;
	}
	for (drop = 0; drop <= n; drop++) {
		for (i = 0; i < n; i++) {
			items[i].x = items[i].form[0] != NULL ? 0 : -1;
			items[i].form_used = 0;
			items[i].width =
			    items[i].x < 0 ? 0 : fit_width(items[i].form[0]);
		}
		for (i = 0; i < drop; i++)
			items[order[i]].x = -1;
		if (fit_shorten(items, n, order, sepw, cols))
			break;
	}
	if (size > 0)
		buf[0] = '\0';
	for (i = 0; i < n; i++) {
		struct fit_item *f = &items[i];

		if (f->x < 0) {
			f->width = 0;
			continue;
		}
		if (!first) {
			fit_put(buf, size, &o, sep, strlen(sep));
			x += sepw;
		}
		first = false;
		f->x = x;
		f->width = fit_put_cut(buf, size, &o, f->form[f->form_used],
		    f->width, f->cut == FIT_CUT_FRONT, utf8);
		x += f->width;
	}
	free(order);
	return x;
}
