/*
 * view-int.h - what the view files share.  Curses lives only here and in
 * src/view*.c.
 */
#ifndef MEMTOP_VIEW_INT_H
#define MEMTOP_VIEW_INT_H

#include <curses.h>
#include <stdbool.h>

#include "app.h"
#include "model.h"
#include "field.h"
#include "table.h"

enum view_screen { SCR_TABLE, SCR_DETAIL, SCR_HELP, SCR_SORT };

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

/* Lines above the table: 5, or 2 on a short screen (under 18 lines). */
#define HEADER_ROWS (LINES >= 18 ? 5 : 2)

struct view {
	struct app *app;
	enum view_screen screen, back; /* back: where help/sort return */
	enum group_by group_by;        /* g cycles */
	bool in_group;                 /* drilled into one group */
	struct region_group group;     /* copy of the drilled group */
	enum field_id sort;
	bool desc;
	struct rx *filter, *search;
	char filter_text[256], search_text[256];
	size_t cursor, top;  /* row under the cursor, first shown */
	uint64_t cursor_key; /* region id or group key under it */
	size_t group_cursor; /* cursor to restore out of a group */
	uint64_t detail_id;
	enum series series;      /* detail chart */
	enum field_id sort_menu; /* highlighted entry in SCR_SORT */
	int help_top;            /* first help line shown */
	int trend_w;             /* the table's trend, as laid out */
	int addr_digits;         /* hex digits of an address: 12 or 16 */
	char status[512];
	double status_until;
	int prompt; /* 0, '/' or '\\' while typing */
	char input[256];
	size_t input_len;
	bool utf8, colors, quit, rebuild;
	struct table table;
	const struct region_group *groups; /* gbuf, as shown */
	size_t ngroups;
	struct region_group *gbuf; /* filtered and sorted copy */
	size_t gcap;
};

/*
 * The screen as data: view_init() borrows app, view_draw() paints stdscr from the model, view_key() applies
 * one key.  view_run() drives them; tests/test-view.c drives them headless
 * on a newterm() screen.
 */
void view_init(struct view *v, struct app *app);
void view_free(struct view *v);
/* Colour pairs; after initscr() or newterm(). */
void view_init_colors(struct view *v);
void view_draw(struct view *v);
void view_key(struct view *v, int ch);
/* Run the pump once: what the sampler or the player has ready goes into
 * the model; at the end of the source the header says why, and the last
 * data stays. */
void view_pump(struct view *v);

/* view-table.c: the region and group tables. */
#define TABLE_TOP   (HEADER_ROWS + 2) /* screen line of the first row */
#define NEW_SAMPLES 5 /* a new region is marked for this many samples */
bool view_region_new(const struct view *v, const struct tracked_region *r);
bool view_grouped(const struct view *v);
size_t view_nrows(const struct view *v);
/* Region id (or group key) of row i; 0 past the end. */
uint64_t view_row_key(const struct view *v, size_t i);
/* Rebuild the rows from the model, keeping the cursor on its region. */
void view_rebuild(struct view *v);
void view_draw_table(struct view *v);
/* Move to the next (dir 1) or previous (-1) row matching the search. */
void view_search_next(struct view *v, int dir, bool include_current);
void view_enter(struct view *v);
void view_back(struct view *v);

/* view-help.c */
void view_draw_help(struct view *v);
void view_help_key(struct view *v, int ch);
void view_draw_sort_menu(struct view *v);

/* Draw text from the target (or anything) at y,x in at most `cols` screen
 * columns, escaped; `tail` keeps the end (paths) with a leading ellipsis.
 * Returns the columns used. */
int view_put(struct view *v, int y, int x, const char *s, size_t len, int cols,
    bool tail);
/* Text from the target on whole lines from y, wrapped, escaped, in at most
 * maxlines (the last keeps the end).  Returns the lines used. */
int view_put_wrapped(
    struct view *v, int y, const char *s, size_t len, int maxlines);
/* Same for text of our own (already safe, may hold UTF-8 glyphs). */
int view_put_plain(int y, int x, const char *s, int cols);

void view_set_status(struct view *v, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

void view_draw_header(struct view *v);

bool view_replaying(const struct view *v);
bool view_replay_key(struct view *v, int ch);
/* Go to the time typed at the t prompt. */
void view_replay_goto_time(struct view *v, const char *spec);
/* "REPLAY 4x > 12/300 10:26:42" */
void view_replay_status(struct view *v, char *buf, size_t size);
void view_draw_detail(struct view *v);
bool view_detail_key(struct view *v, int ch);

#endif
