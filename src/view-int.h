/*
 * view-int.h - what the view files share: the view's state, and the screen
 * ops and key tables every screen is made of.  Curses lives only here and
 * in src/view*.c.
 *
 * A screen (the region table, the groups, the detail, the help, the sort
 * menu; the live and replay overlays) is a const struct view_screen in a
 * file of its own: how it draws, the key tables it binds, what it does
 * with a key no table binds.  A key table maps keys to named actions; an
 * action returns what the view must do next (VIEW_REBUILD, VIEW_QUIT).
 * view.c only dispatches: a key goes to the overlay's tables, then the
 * screen's, then the ones of every screen (view.c's), and the help and the
 * footer are made from those same tables (view-keys.c), so they cannot say
 * other than what the keys do.  Adding a screen is one file with its ops
 * and key table (its extern below, and mk/view.am); an action of another
 * screen opens it with view_open(), and the help and footer follow.
 *
 * The files call each other one way: view.c -> the screens (view-table.c
 * -> view-detail.c) -> view-sort.c -> view-rows.c -> view-prompt.c,
 * view-keys.c -> view-put.c, the leaf.  A screen that opens another
 * refers to its ops object; nothing refers back.
 */
#ifndef MEMTOP_VIEW_INT_H
#define MEMTOP_VIEW_INT_H

#include <curses.h>
#include <stdbool.h>

#include "app.h"
#include "field.h"
#include "model.h"
#include "moment.h"
#include "suspect.h"
#include "table.h"
#include "view-put.h"

/* What an action did, as bits: what the view does next. */
#define VIEW_DONE    0x00 /* nothing more (it drew nothing itself) */
#define VIEW_REBUILD 0x01 /* the rows must be built again from the model */
#define VIEW_QUIT    0x02
#define VIEW_UNBOUND 0x04 /* (a screen's key()) the key is not its */

struct view;

/* Something a key does, by name: "sort-next", "detail", "quit". */
struct view_action {
	const char *name;
	const char *help; /* its line in the help, or NULL: not listed */
	const char *hint; /* its word in the footer ("Sort"), or NULL */
	int (*run)(struct view *v, int key);
};

struct view_binding {
	int key; /* a character, or a curses KEY_* code; 0 ends a table */
	const struct view_action *action;
	bool alias; /* another key for it: in the help, not the footer */
};

struct view_keys {
	const char *title; /* its section of the help */
	const struct view_binding *bindings;
};

/* Screen flags. */
#define VIEW_FULL  0x01 /* draws the whole screen: no header, no footer */
#define VIEW_MODAL 0x02 /* only its own keys: no overlay, no common keys */
#define VIEW_ROWS  0x04 /* shows the rows (the cursor follows its region) */
#define VIEW_OWN_HEADER \
	0x08 /* draws its own header: not the target's (no model) */
#define VIEW_HINTS_FIRST \
	0x10 /* an overlay whose keys lead the footer (a replay's) */

struct view_screen {
	const char *name;
	unsigned flags;
	const struct view_keys *const *keys; /* NULL-terminated, in order */
	/* Draw what lies between the header and the footer (VIEW_FULL: the
	 * whole screen).  NULL for an overlay. */
	void (*draw)(struct view *v);
	/* A key none of its tables binds: VIEW_* bits, VIEW_UNBOUND if it is
	 * not its either.  May be NULL. */
	int (*key)(struct view *v, int key);
	/* After each key it took (the cursor may have moved).  May be NULL. */
	void (*after_key)(struct view *v);
	/* An overlay's word on the target for the header ("PAUSED", "REPLAY
	 * 1x ..."), in buf or static; NULL when all is well. */
	const char *(*state)(struct view *v, char *buf, size_t size);
};

/* Lines above the table: 6 (the last names the leak suspect), or 2 on a
 * short screen (under 18 lines), and one more while the header shows the
 * runtime's figures (as the last
 * view_header_draw() laid it out: view-header.c). */
#define HEADER_ROWS  view_header_rows()
#define TABLE_TOP    (HEADER_ROWS + 2) /* screen line of the first row */
#define NEW_SAMPLES  5 /* a new region is marked for this many samples */
#define VIEW_DEPTH   8 /* screens open over each other */
#define VIEW_BINDS   16
#define VIEW_PATTERN 256 /* bytes of a pattern typed */

/* A line being typed in the footer (/, \, t). */
struct view_prompt {
	const char *label; /* "Search:", NULL when none is open */
	void (*done)(struct view *v, const char *text);
	char input[256];
	size_t len;
};

struct view {
	struct app *app;
	const struct view_screen *screen;
	const struct view_screen *stack[VIEW_DEPTH]; /* what back returns to */
	int depth;
	const struct view_screen *overlay; /* the source's: live or replay */
	/* The keys of every screen but the modal ones: the help key, shown
	 * first, and the others (quit...), shown last (view.c). */
	const struct view_keys *lead, *common;
	struct {
		const struct view_keys *table;
		int key;
		const struct view_action *action; /* NULL: unbound */
	} binds[VIEW_BINDS];                      /* view_bind() */
	size_t nbinds;

	/* The rows (view-rows.c). */
	enum group_by group_by;    /* g cycles */
	bool in_group;             /* drilled into one group */
	struct region_group group; /* copy of the drilled group */
	enum field_id sort;
	bool desc;
	struct rx *filter, *search;
	char filter_text[VIEW_PATTERN], search_text[VIEW_PATTERN];
	size_t cursor, top;  /* row under the cursor, first shown */
	uint64_t cursor_key; /* region id or group key under it */
	/* The region under the cursor when it was last placed, and the model
	 * serial and version it was placed at: while they hold (and its id
	 * is still cursor_key), a rebuild finds it by its address in the
	 * rows, not by reading every row's id (a cache miss a row at
	 * 60,000). */
	const struct tracked_region *cursor_row;
	uint64_t cursor_row_serial, cursor_row_version;
	size_t group_cursor; /* cursor to restore out of a group */
	struct table table;
	const struct region_group *groups; /* gbuf, as shown */
	size_t ngroups;
	struct region_group *gbuf; /* filtered and sorted copy */
	size_t gcap;
	int addr_digits; /* hex digits of an address: 12 or 16 */
	int trend_w;     /* the table's trend, as laid out */

	/* view-suspects.c: the ranking by regions (the header, the cursor
	 * and L) and by groups (L); L's rows and cursor. */
	struct suspect_ranking *ranking, *group_ranking;
	enum group_by suspect_by;
	size_t suspect_cursor, suspect_top;
	bool cursor_chosen; /* a key moved the cursor: no suspect moves it */
	/* The model at the last m (view-rows.c), for an exact diff; NULL:
	 * the model's own baseline (the first sample, or M). */
	struct moment *baseline;
	struct view_diff *diff;     /* view-diff.c */
	struct view_picker *picker; /* view-picker.c; NULL: no picker */

	uint64_t detail_id;      /* view-detail.c */
	enum series series;      /* the detail's chart */
	enum field_id sort_menu; /* view-sort.c: the highlighted entry */
	int help_top;            /* view-help.c: first line shown */

	struct view_prompt prompt;
	struct view_status status;
	bool utf8, colors, quit, rebuild;
};

/* Open screen s over the current one; back returns. */
static inline void
view_open(struct view *v, const struct view_screen *s)
{
	if (v->depth < VIEW_DEPTH)
		v->stack[v->depth++] = v->screen;
	v->screen = s;
}

/* Back to the screen under this one. */
static inline void
view_close(struct view *v)
{
	if (v->depth > 0)
		v->screen = v->stack[--v->depth];
}

/* The screen under the current one (the help's subject), or it. */
static inline const struct view_screen *
view_under(const struct view *v)
{
	return v->depth > 0 ? v->stack[v->depth - 1] : v->screen;
}

/* The screens. */
extern const struct view_screen view_screen_regions;  /* view-table.c */
extern const struct view_screen view_screen_groups;   /* view-table.c */
extern const struct view_screen view_screen_detail;   /* view-detail.c */
extern const struct view_screen view_screen_help;     /* view-help.c */
extern const struct view_screen view_screen_sort;     /* view-sort.c */
extern const struct view_screen view_screen_suspects; /* view-suspects.c */
extern const struct view_screen view_screen_diff;     /* view-diff.c */
extern const struct view_screen view_screen_picker;   /* view-picker.c */
extern const struct view_screen view_overlay_live;    /* view-live.c */
extern const struct view_screen view_overlay_replay;  /* view-replay.c */

/* view.c: the view as data.  view_init() borrows app; view_draw() paints
 * stdscr from the model; view_key() applies one key; view_pump() runs the
 * pump once.  view_run() drives them; tests/test-view.c drives them
 * headless on a newterm() screen. */
void view_init(struct view *v, struct app *app);
void view_free(struct view *v);
/* Colour pairs; after initscr() or newterm(). */
void view_init_colors(struct view *v);
void view_draw(struct view *v);
void view_key(struct view *v, int ch);
/* What the sampler or the player has ready goes into the model; at the
 * end of the source the header says why, and the last data stays. */
void view_pump(struct view *v);

/* view-keys.c: key tables. */
/* The action key has in table t for this view (with view_bind()'s
 * changes), or NULL. */
const struct view_action *view_keys_action(
    const struct view *v, const struct view_keys *t, int key);
/* Bind key in table t to action a (NULL: unbind it) for this view, over
 * the table's own binding: what a user's keymap (and a test) changes. */
void view_bind(struct view *v, const struct view_keys *t, int key,
    const struct view_action *a);
/* The tables a key on screen s is looked up in, in order (the overlay's,
 * s's, the common ones); NULL-terminated.  Returns the count. */
size_t view_keys_chain(const struct view *v, const struct view_screen *s,
    const struct view_keys **out, size_t max);
/* Run the action key has on the current screen: VIEW_* bits, or
 * VIEW_UNBOUND. */
int view_keys_run(struct view *v, int key);
/* "Up", "F10", "Ctrl-L", "space", "q". */
const char *view_keys_name(int key, char *buf, size_t size);
/* The footer of screen s: " ? Help  Enter Detail ..." (the bindings with a
 * hint that a key on s reaches). */
void view_keys_hints(
    const struct view *v, const struct view_screen *s, char *buf, size_t size);
/* The help of screen s: its lines, at most max of size width each, into
 * out[i * width]; a section's title is a line that does not start with a
 * blank.  Returns the count. */
size_t view_keys_help(const struct view *v, const struct view_screen *s,
    char *out, size_t width, size_t max);

/* view-prompt.c: a line typed in the footer; done gets it on Enter (not
 * on Esc). */
void view_prompt_open(struct view *v, const char *label,
    void (*done)(struct view *v, const char *text));
/* The open prompt's line as typed so far: text (cut to fit), to edit. */
void view_prompt_fill(struct view *v, const char *text);
bool view_prompt_active(const struct view *v);
void view_prompt_key(struct view *v, int ch);
void view_prompt_draw(struct view *v, int y);

/* view-rows.c: the rows of the tables, the cursor, search and filter;
 * their keys (moving, searching, marking). */
extern const struct view_keys view_keys_rows;
bool view_rows_grouped(const struct view *v);
size_t view_rows_count(const struct view *v);
/* Region id (or group key) of row i; 0 past the end. */
uint64_t view_rows_key(const struct view *v, size_t i);
/* A region that appeared in the last NEW_SAMPLES samples. */
bool view_rows_new(const struct view *v, const struct tracked_region *r);
/* Build the rows from the model, keeping the cursor on its region. */
void view_rows_rebuild(struct view *v);
/* After a key: the cursor's region is the one to follow. */
void view_rows_follow(struct view *v);
/* The cursor after a moving key (Up Down PgUp PgDn Home End, j k) over n
 * rows, page of them on screen; the first row shown (*top) that keeps it
 * in view; the next (dir 1) or previous match of match(ctx, row) from
 * cursor (or at it): false when none.  Every list of rows moves so. */
size_t view_rows_step(size_t cursor, size_t n, size_t page, int key);
void view_rows_scroll(size_t cursor, size_t *top, size_t rows, size_t n);
bool view_rows_seek(size_t n, size_t *cursor, int dir, bool include_current,
    bool (*match)(void *ctx, size_t i), void *ctx);
/* A pattern typed at a prompt into *rx and text (VIEW_PATTERN bytes):
 * false (and a status naming what, *rx as it was) if it does not
 * compile; an empty one clears *rx. */
bool view_rows_pattern(struct view *v, const char *what, const char *typed,
    struct rx **rx, char *text);
/* m (reset false) or M: the baseline, and the moment the diff compares
 * with; says so. */
void view_rows_set_baseline(struct view *v, bool reset);
/* Sort by field c (desc: biggest first), and say so. */
void view_rows_sort(struct view *v, enum field_id c, bool desc);

/* view-sort.c: the sort keys of the screens of rows (< > I F6). */
extern const struct view_keys view_keys_sorting;

/* view-header.c */
void view_header_draw(struct view *v);
/* How the target ended, when the header says it (a live target gone, a
 * recording at its last sample); else NULL. */
const struct end_verdict *view_header_verdict(struct view *v);
int view_header_rows(void);

/* view-suspects.c: the ranking of the regions now (*out owned by the
 * view, valid until the next call); the header's line at y; the cursor of
 * the region table onto the top suspect, unless a key moved it. */
size_t view_suspects_rank(struct view *v, const struct suspect **out);
void view_suspects_header(struct view *v, int y);
void view_suspects_place_cursor(struct view *v);
void view_suspects_free(struct view *v);

/* view-diff.c */
void view_diff_free(struct view *v);

/* view-picker.c: the process list over everything else; pids (npids > 0)
 * the only processes it shows (-p list, -P matches).  false with *err
 * (malloc'd) when the list cannot start.  The list ticks in
 * view_picker_pump() every interval, also while a dashboard Enter opened
 * is shown; view_picker_timeout() says when next (ms; -1: no picker). */
bool view_picker_start(
    struct view *v, const int *pids, size_t npids, char **err);
void view_picker_free(struct view *v);
void view_picker_pump(struct view *v);
int view_picker_timeout(const struct view *v);

#endif
