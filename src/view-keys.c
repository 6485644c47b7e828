/*
 * view-keys.c - key tables: which action a key has on a screen, and the
 * footer and the help made from the same tables.
 */
#include "config.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "view-int.h"

#define KEYS_MAX 64 /* bindings of one table */

const struct view_action *
view_keys_action(const struct view *v, const struct view_keys *t, int key)
{
	const struct view_binding *b;
	size_t i;

	for (i = 0; i < v->nbinds; i++) {
		if (v->binds[i].table == t && v->binds[i].key == key)
			return v->binds[i].action;
	}
	for (b = t->bindings; b->key != 0; b++) {
		if (b->key == key)
			return b->action;
	}
	return NULL;
}

void
view_bind(struct view *v, const struct view_keys *t, int key,
    const struct view_action *a)
{
	size_t i;

	for (i = 0; i < v->nbinds; i++) {
		if (v->binds[i].table == t && v->binds[i].key == key)
			break;
	}
	if (i == VIEW_BINDS)
		return;
	v->binds[i].table = t;
	v->binds[i].key = key;
	v->binds[i].action = a;
	if (i == v->nbinds)
		v->nbinds++;
}

/* The bindings table t has for this view, in order: its own as bound now,
 * then keys bound to it by view_bind() that it had not. */
static size_t
view_keys_list(const struct view *v, const struct view_keys *t,
    struct view_binding *out, size_t max)
{
	const struct view_binding *b;
	size_t n = 0, i;

	for (b = t->bindings; b->key != 0 && n < max; b++) {
		out[n] = *b;
		out[n].action = view_keys_action(v, t, b->key);
		if (out[n].action != NULL)
			n++;
	}
	for (i = 0; i < v->nbinds && n < max; i++) {
		if (v->binds[i].table != t || v->binds[i].action == NULL)
			continue;
		for (b = t->bindings; b->key != 0; b++) {
			if (b->key == v->binds[i].key)
				break;
		}
		if (b->key == 0) {
			out[n].key = v->binds[i].key;
			out[n].action = v->binds[i].action;
			out[n].alias = false;
			n++;
		}
	}
	return n;
}

size_t
view_keys_chain(const struct view *v, const struct view_screen *s,
    const struct view_keys **out, size_t max)
{
	const struct view_keys *const *k;
	size_t n = 0;

	if (!(s->flags & VIEW_MODAL) && v->overlay != NULL)
		for (k = v->overlay->keys; k && *k && n + 1 < max; k++)
			out[n++] = *k;
	for (k = s->keys; k && *k && n + 1 < max; k++)
		out[n++] = *k;
	if (!(s->flags & VIEW_MODAL) && n + 3 < max) {
		out[n++] = v->lead;
		out[n++] = v->common;
	}
	out[n] = NULL;
	return n;
}

/* Whether a key on screen s reaches table t (no table before it in the
 * chain binds the key). */
static bool
view_keys_reaches(const struct view *v, const struct view_screen *s,
    const struct view_keys *t, int key)
{
	const struct view_keys *chain[16];
	size_t i, n = view_keys_chain(v, s, chain, 16);

	for (i = 0; i < n; i++) {
		if (view_keys_action(v, chain[i], key) != NULL)
			return chain[i] == t;
	}
	return false;
}

int
view_keys_run(struct view *v, int key)
{
	const struct view_keys *chain[16];
	const struct view_action *a;
	size_t i, n = view_keys_chain(v, v->screen, chain, 16);

	for (i = 0; i < n; i++) {
		if ((a = view_keys_action(v, chain[i], key)) != NULL)
			return a->run(v, key);
	}
	if (v->screen->key != NULL)
		return v->screen->key(v, key);
	return VIEW_UNBOUND;
}

const char *
view_keys_name(int key, char *buf, size_t size)
{
	static const struct {
		int key;
		const char *name;
	} names[] = {
		{ KEY_UP, "Up" },
		{ KEY_DOWN, "Down" },
		{ KEY_LEFT, "Left" },
		{ KEY_RIGHT, "Right" },
		{ KEY_PPAGE, "PgUp" },
		{ KEY_NPAGE, "PgDn" },
		{ KEY_HOME, "Home" },
		{ KEY_END, "End" },
		{ KEY_ENTER, "Enter" },
		{ '\r', "Enter" },
		{ '\n', "Enter" },
		{ 27, "Esc" },
		{ KEY_BACKSPACE, "Backspace" },
		{ 127, "Backspace" },
		{ 8, "Backspace" },
		{ '\t', "Tab" },
		{ ' ', "space" },
		{ KEY_RESIZE, "resize" },
	};
	size_t i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (names[i].key == key)
			return names[i].name;
	}
	if (key >= KEY_F(1) && key <= KEY_F(24))
		snprintf(buf, size, "F%d", key - KEY_F(0));
	else if (key > 0 && key < 32)
		snprintf(buf, size, "Ctrl-%c", key + '@');
	else if (key > 32 && key < 127)
		snprintf(buf, size, "%c", key);
	else
		snprintf(buf, size, "key %d", key);
	return buf;
}

/* Append the name of key to list (space-separated), unless it is there. */
static void
view_keys_add_name(char *list, size_t size, int key)
{
	char buf[32], pad[40];
	const char *name = view_keys_name(key, buf, sizeof buf);
	size_t n = strlen(list);

	snprintf(pad, sizeof pad, " %s ", name);
	if (n > 0) {
		char have[600];

		snprintf(have, sizeof have, " %s ", list);
		if (strstr(have, pad) != NULL)
			return;
	}
	snprintf(list + n, size - n, "%s%s", n ? " " : "", name);
}

/* The tables of screen s in the order its footer and help show them: the
 * help key first, the screen's own, the overlay's, the others. */
static size_t
view_keys_shown(const struct view *v, const struct view_screen *s,
    const struct view_keys **out, size_t max)
{
	const struct view_keys *const *k;
	size_t n = 0;

	if (!(s->flags & VIEW_MODAL))
		out[n++] = v->lead;
	for (k = s->keys; k && *k && n + 1 < max; k++)
		out[n++] = *k;
	if (!(s->flags & VIEW_MODAL)) {
		if (v->overlay != NULL)
			for (k = v->overlay->keys; k && *k && n + 1 < max; k++)
				out[n++] = *k;
		out[n++] = v->common;
	}
	out[n] = NULL;
	return n;
}

/* Group the bindings of t that a key on s reaches by what `by` says of
 * their action (its hint or its help): calls line() with each group's keys
 * and text, in the order of the first binding of each. */
static void
view_keys_groups(const struct view *v, const struct view_screen *s,
    const struct view_keys *t, bool hints,
    void (*line)(void *ctx, const char *keys, const char *text), void *ctx)
{
	struct view_binding b[KEYS_MAX];
	size_t n = view_keys_list(v, t, b, KEYS_MAX), i, j;
	bool done[KEYS_MAX] = { false };
	char keys[512];

	for (i = 0; i < n; i++) {
		const char *text =
		    hints ? b[i].action->hint : b[i].action->help;

		if (done[i] || text == NULL ||
		    !view_keys_reaches(v, s, t, b[i].key))
			continue;
		keys[0] = '\0';
		for (j = i; j < n; j++) {
			const char *tj =
			    hints ? b[j].action->hint : b[j].action->help;

			if (done[j] || tj == NULL || strcmp(tj, text) != 0 ||
			    !view_keys_reaches(v, s, t, b[j].key) ||
			    (hints && b[j].alias))
				continue;
			done[j] = true;
			view_keys_add_name(keys, sizeof keys, b[j].key);
		}
		if (keys[0] != '\0')
			line(ctx, keys, text);
	}
}

struct view_keys_out {
	char *buf;
	size_t size, width, n, max;
};

static void
view_keys_hint(void *ctx, const char *keys, const char *text)
{
	struct view_keys_out *o = ctx;

	if (o->n < o->size)
		o->n += (size_t)snprintf(
		    o->buf + o->n, o->size - o->n, " %s %s ", keys, text);
}

void
view_keys_hints(
    const struct view *v, const struct view_screen *s, char *buf, size_t size)
{
	const struct view_keys *t[16];
	struct view_keys_out o = { buf, size, 0, 0, 0 };
	size_t i, n = view_keys_shown(v, s, t, 16);

	buf[0] = '\0';
	/* A replay's keys (Play, Step, Speed) right after the help key: a
	 * narrow footer loses the screen's last keys first, and keeps its
	 * last item, Quit (view_put_hints()). */
	if (!(s->flags & VIEW_MODAL) && v->overlay != NULL &&
	    (v->overlay->flags & VIEW_HINTS_FIRST) && n > 2) {
		size_t own = 0, ov = 0;

		while (s->keys != NULL && s->keys[own] != NULL)
			own++;
		while (v->overlay->keys != NULL && v->overlay->keys[ov] != NULL)
			ov++;
		if (1 + own + ov < n) {
			const struct view_keys *mine[16];

			memcpy(mine, t + 1, own * sizeof t[0]);
			memmove(t + 1, t + 1 + own, ov * sizeof t[0]);
			memcpy(t + 1 + ov, mine, own * sizeof t[0]);
		}
	}
	for (i = 0; i < n; i++)
		view_keys_groups(v, s, t[i], true, view_keys_hint, &o);
	/* Items two spaces apart: " ? Help  Enter Detail ... q Quit". */
	if (o.n > 0 && o.n <= size && buf[o.n - 1] == ' ')
		buf[o.n - 1] = '\0';
}

static void
view_keys_put(struct view_keys_out *o, const char *text)
{
	if (o->n < o->max)
		snprintf(o->buf + o->n++ * o->width, o->width, "%s", text);
}

static void
view_keys_help_line(void *ctx, const char *keys, const char *text)
{
	struct view_keys_out *o = ctx;
	char line[640];

	snprintf(line, sizeof line, "  %-12s %s%s", keys,
	    strlen(keys) < 12 ? "" : " ", text);
	view_keys_put(o, line);
}

size_t
view_keys_help(const struct view *v, const struct view_screen *s, char *out,
    size_t width, size_t max)
{
	const struct view_keys *t[16];
	struct view_keys_out o = { out, 0, width, 0, max };
	const char *title = NULL;
	size_t i, n = view_keys_shown(v, s, t, 16), before;

	/* The help key and the common keys first: they hold everywhere. */
	if (n > 1 && !(s->flags & VIEW_MODAL)) {
		const struct view_keys *global = t[n - 1];

		memmove(t + 2, t + 1, (n - 2) * sizeof t[0]);
		t[1] = global;
	}
	for (i = 0; i < n; i++) {
		bool new_title = title == NULL || strcmp(title, t[i]->title);

		before = o.n;
		if (new_title)
			view_keys_put(&o, t[i]->title);
		view_keys_groups(v, s, t[i], false, view_keys_help_line, &o);
		if (new_title && o.n == before + 1)
			o.n = before; /* a title with no key under it */
		else if (new_title)
			title = t[i]->title;
	}
	return o.n;
}
