/*
 * view.c - the dashboard: loop, keys, header, the region and group tables,
 * help and the sort menu.  The detail screen is in view-detail.c.
 */
#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <term.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include "spark.h"
#include "util.h"
#include "view-int.h"
#include "view.h"

#define MIN_COLS 40
#define MIN_LINES 10
#define TREND_WIDTH 20

static volatile sig_atomic_t view_signal, view_tstp;
static int view_sigpipe[2] = { -1, -1 };

static void
view_on_signal(int sig)
{
	int saved = errno;
	char c = (char)sig;

	if (sig == SIGTSTP)
		view_tstp = 1;
	else
		view_signal = sig;
	if (write(view_sigpipe[1], &c, 1) < 0)
		errno = saved;
	errno = saved;
}

/* ^Z: give the terminal back, stop, and redraw when continued.  Done here,
 * in the loop, rather than in a handler, so it never races a redraw. */
static void
view_suspend(void)
{
	struct sigaction sa, old;

	view_tstp = 0;
	endwin();
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	sigaction(SIGTSTP, &sa, &old);
	raise(SIGTSTP);			/* stops here until SIGCONT */
	sigaction(SIGTSTP, &old, NULL);
	reset_prog_mode();
	clearok(curscr, TRUE);
	refresh();
}

static void
view_restore_terminal(void)
{
	if (!isendwin()) {
		curs_set(1);
		endwin();
	}
}

bool
view_terminal_usable(char **why)
{
	const char *term = getenv("TERM");
	int err = 0;

	if (!isatty(STDOUT_FILENO)) {
		*why = xstrdup("standard output is not a terminal");
		return false;
	}
	if (!isatty(STDIN_FILENO)) {
		*why = xstrdup("standard input is not a terminal");
		return false;
	}
	if (term == NULL || *term == '\0') {
		*why = xstrdup("TERM is not set");
		return false;
	}
	if (strcmp(term, "dumb") == 0) {
		*why = xstrdup("the terminal type 'dumb' cannot show the "
		    "dashboard");
		return false;
	}
	if (setupterm(NULL, STDOUT_FILENO, &err) != OK) {
		char esc[128];

		esc_text(term, strlen(term), esc, sizeof esc, false);
		*why = xasprintf("unknown terminal type '%s'", esc);
		return false;
	}
	return true;
}

void
view_set_status(struct view *v, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(v->status, sizeof v->status, fmt, ap);
	va_end(ap);
	v->status_until = clock_mono() + 4;
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

static int
view_put_wide(int y, int x, const char *s, int cols, bool tail)
{
	wchar_t wbuf[1024];
	size_t n, k, from = 0;
	int used;

	if (cols <= 0)
		return 0;
	n = mbstowcs(wbuf, s, sizeof wbuf / sizeof wbuf[0] - 1);
	if (n == (size_t)-1) {
		mvaddnstr(y, x, s, cols);
		return cols;
	}
	k = wide_fit(wbuf, n, cols, &used);
	if (k < n && tail && cols > 1) {
		/* Keep the end: the file name matters more than the dirs. */
		int c = 0;

		from = n;
		while (from > 0) {
			int cw = wcwidth(wbuf[from - 1]);

			if (c + (cw < 0 ? 1 : cw) > cols - 1)
				break;
			c += cw < 0 ? 1 : cw;
			from--;
		}
		mvaddnwstr(y, x, L"\u2026", 1);
		addnwstr(wbuf + from, (int)(n - from));
		return c + 1;
	}
	mvaddnwstr(y, x, wbuf, (int)k);
	return used;
}

int
view_put(struct view *v, int y, int x, const char *s, size_t len, int cols,
    bool tail)
{
	char stackbuf[2048], *buf = stackbuf;
	size_t need = len * 4 + 1;
	int used;

	if (need > sizeof stackbuf)
		buf = xmalloc(need);
	esc_text(s, len, buf, need, v->utf8);
	used = view_put_wide(y, x, buf, cols, tail);
	if (buf != stackbuf)
		free(buf);
	return used;
}

int
view_put_plain(int y, int x, const char *s, int cols)
{
	return view_put_wide(y, x, s, cols, false);
}

/* ------------------------------------------------------------------ */
/* Columns of the tables. */

enum vcol {
	VC_MARK, VC_NAME, VC_ADDR, VC_PERMS, VC_CLASS, VC_COUNT, VC_SIZE,
	VC_RSS, VC_PSS, VC_PDIRTY, VC_SWAP, VC_DELTA, VC_RATE, VC_TREND,
	VC_PATH, VC_N
};

static const struct vcol_def {
	const char *title;
	int width;
	bool right;
	enum column sort;		/* COL_COUNT: not a sort key */
	int drop;			/* dropped first when narrow: higher */
} vcols[VC_N] = {
	[VC_MARK] = { "", 1, false, COL_COUNT, 0 },
	[VC_NAME] = { "Group", 24, false, COL_PATH, 0 },
	[VC_ADDR] = { "Address", 25, false, COL_ADDR, 10 },
	[VC_PERMS] = { "Perm", 4, false, COL_PERMS, 9 },
	[VC_CLASS] = { "Class", 13, false, COL_CLASS, 0 },
	[VC_COUNT] = { "Count", 5, true, COL_COUNT, 4 },
	[VC_SIZE] = { "Size", 6, true, COL_SIZE, 5 },
	[VC_RSS] = { "RSS", 6, true, COL_RSS, 0 },
	[VC_PSS] = { "PSS", 6, true, COL_PSS, 8 },
	[VC_PDIRTY] = { "PrvDrt", 6, true, COL_PDIRTY, 6 },
	[VC_SWAP] = { "Swap", 6, true, COL_SWAP, 7 },
	[VC_DELTA] = { "Delta", 7, true, COL_DELTA, 3 },
	[VC_RATE] = { "Rate/s", 7, true, COL_RATE, 0 },
	[VC_TREND] = { "Trend", TREND_WIDTH, false, COL_COUNT, 2 },
	[VC_PATH] = { "Path", 0, false, COL_PATH, 0 },
};

static bool
view_grouped(const struct view *v)
{
	return v->group_by != GROUP_NONE && !v->in_group;
}

/* Which columns fit in `width`, widest-droppable first out. */
static void
view_columns(const struct view *v, int width, bool *show)
{
	int c, need, level;

	for (c = 0; c < VC_N; c++) {
		show[c] = true;
		if (view_grouped(v) && (c == VC_ADDR || c == VC_PERMS ||
		    c == VC_CLASS || c == VC_PATH))
			show[c] = false;
		if (!view_grouped(v) && (c == VC_NAME || c == VC_COUNT))
			show[c] = false;
	}
	for (level = 10; level > 0; level--) {
		need = view_grouped(v) ? 0 : 12;	/* the path's least */
		for (c = 0; c < VC_N; c++) {
			if (show[c])
				need += vcols[c].width + 1;
		}
		if (need <= width)
			return;
		for (c = 0; c < VC_N; c++) {
			if (vcols[c].drop == level)
				show[c] = false;
		}
	}
}

/* Text of one cell of a region row. */
static void
region_cell(struct view *v, const struct tracked_region *r, int c, char *buf,
    size_t size)
{
	const struct model *m = v->app->model;

	buf[0] = '\0';
	switch (c) {
	case VC_MARK:
		snprintf(buf, size, "%s", r->state == TR_NEW ? "+" :
		    r->state == TR_GONE ? "-" : " ");
		break;
	case VC_ADDR:
		snprintf(buf, size, "%012" PRIx64 "-%012" PRIx64, r->start,
		    r->end);
		break;
	case VC_PERMS:
		snprintf(buf, size, "%s", r->perms);
		break;
	case VC_SIZE:
		fmt_kb((r->end - r->start) / 1024, buf, size);
		break;
	case VC_RSS:
		fmt_kb(r->kb[SF_RSS], buf, size);
		break;
	case VC_PSS:
		fmt_kb(r->kb[SF_PSS], buf, size);
		break;
	case VC_PDIRTY:
		fmt_kb(r->kb[SF_PRIVATE_DIRTY], buf, size);
		break;
	case VC_SWAP:
		fmt_kb(r->kb[SF_SWAP], buf, size);
		break;
	case VC_DELTA:
		fmt_kb_delta(tracked_delta_base(r, SF_RSS), buf, size);
		break;
	case VC_RATE: {
		double rate = model_region_rate(m, r, SERIES_RSS);

		if (rate > -0.05 && rate < 0.05)
			snprintf(buf, size, "0");
		else
			snprintf(buf, size, "%+.1fK", rate);
		break;
	}
	case VC_TREND: {
		uint64_t h[MODEL_HISTORY];
		size_t n = model_history(m, &r->hist[SERIES_RSS], r->first_seq,
		    r->last_seq, h, TREND_WIDTH);

		spark_render(h, n, TREND_WIDTH, v->utf8, buf, size);
		break;
	}
	}
}

static void
group_cell(struct view *v, const struct region_group *g, int c, char *buf,
    size_t size)
{
	const struct model *m = v->app->model;

	buf[0] = '\0';
	switch (c) {
	case VC_COUNT:
		snprintf(buf, size, "%zu", g->nregions);
		break;
	case VC_SIZE:
		fmt_kb(g->kb[SF_SIZE], buf, size);
		break;
	case VC_RSS:
		fmt_kb(g->kb[SF_RSS], buf, size);
		break;
	case VC_PSS:
		fmt_kb(g->kb[SF_PSS], buf, size);
		break;
	case VC_PDIRTY:
		fmt_kb(g->kb[SF_PRIVATE_DIRTY], buf, size);
		break;
	case VC_SWAP:
		fmt_kb(g->kb[SF_SWAP], buf, size);
		break;
	case VC_DELTA:
		fmt_kb_delta((int64_t)g->kb[SF_RSS] - (int64_t)g->base_kb[SF_RSS],
		    buf, size);
		break;
	case VC_RATE:
		if (g->rate_kb_s > -0.05 && g->rate_kb_s < 0.05)
			snprintf(buf, size, "0");
		else
			snprintf(buf, size, "%+.1fK", g->rate_kb_s);
		break;
	case VC_TREND: {
		uint64_t h[MODEL_HISTORY];
		size_t n = model_history(m, &g->hist[SERIES_RSS], 0,
		    UINT64_MAX, h, TREND_WIDTH);

		spark_render(h, n, TREND_WIDTH, v->utf8, buf, size);
		break;
	}
	}
}

static size_t
view_nrows(const struct view *v)
{
	return view_grouped(v) ? v->ngroups : v->table.nrows;
}

static uint64_t
view_row_key(const struct view *v, size_t i)
{
	if (i >= view_nrows(v))
		return 0;
	return view_grouped(v) ? v->groups[i].key : v->table.rows[i]->id;
}

/* Rebuild the rows from the model, keeping the cursor on its region. */
static void
view_rebuild(struct view *v)
{
	struct model *m = v->app->model;
	size_t i, n;

	if (view_grouped(v)) {
		v->ngroups = model_groups(m, v->group_by, &v->groups);
	} else {
		table_build(&v->table, m, v->sort, v->desc, v->filter,
		    v->in_group ? &v->group : NULL);
	}
	n = view_nrows(v);
	for (i = 0; i < n && v->cursor_key != 0; i++) {
		if (view_row_key(v, i) == v->cursor_key) {
			v->cursor = i;
			break;
		}
	}
	if (v->cursor >= n)
		v->cursor = n ? n - 1 : 0;
	v->cursor_key = view_row_key(v, v->cursor);
	v->rebuild = false;
}

static void
view_draw_table(struct view *v)
{
	bool show[VC_N];
	int rows = LINES - HEADER_ROWS - 3, y, c, x, pathw, name_w;
	size_t i, n = view_nrows(v);
	char buf[256], info[400];

	view_columns(v, COLS, show);
	if (rows < 1)
		rows = 1;
	/* In the group view the name takes what the numbers leave. */
	name_w = COLS;
	for (c = 0; c < VC_N; c++) {
		if (show[c] && c != VC_NAME)
			name_w -= vcols[c].width + 1;
	}
	if (name_w > 60)
		name_w = 60;
	if (name_w < 12)
		name_w = 12;
	if (v->cursor < v->top)
		v->top = v->cursor;
	if (v->cursor >= v->top + (size_t)rows)
		v->top = v->cursor - (size_t)rows + 1;
	if (v->top + (size_t)rows > n)
		v->top = n > (size_t)rows ? n - (size_t)rows : 0;

	/* The tab line: what is shown, sorted how, filtered by what. */
	y = HEADER_ROWS;
	if (v->in_group) {
		const char *p;
		size_t len;
		char name[200];

		p = model_path(v->app->model, v->group.path_id, &len);
		esc_text(len ? p : v->group.label, len ? len : strlen(
		    v->group.label), name, sizeof name, v->utf8);
		snprintf(info, sizeof info, " %s > %s   (Esc: back)",
		    v->group_by == GROUP_CLASS ? "By class" : "By file", name);
	} else {
		snprintf(info, sizeof info, " %s%s%s%s%s",
		    v->group_by == GROUP_NONE ? "[Regions]" : " Regions ",
		    "  ", v->group_by == GROUP_CLASS ? "[By class]" :
		    " By class ", "  ", v->group_by == GROUP_FILE ?
		    "[By file]" : " By file ");
	}
	x = view_put_plain(y, 0, info, COLS);
	if (!view_grouped(v))
		snprintf(info, sizeof info, "   sort %s %s%s%s   %zu shown",
		    column_title(v->sort), v->desc ? (v->utf8 ? "\u2193" : "v") :
		    (v->utf8 ? "\u2191" : "^"), v->filter ? "   filter: " : "",
		    v->filter ? v->filter_text : "", n);
	else
		snprintf(info, sizeof info, "   %zu groups, sorted by RSS", n);
	view_put(v, y, x, info, strlen(info), COLS - x, false);

	/* Column headings, the sort column marked. */
	y++;
	if (v->colors)
		attron(COLOR_PAIR(PAIR_HEAD));
	else
		attron(A_REVERSE);
	move(y, 0);
	clrtoeol();
	for (x = 0, c = 0; c < VC_N; c++) {
		int w = vcols[c].width;

		if (!show[c])
			continue;
		if (c == VC_PATH)
			w = COLS - x;
		else if (c == VC_NAME)
			w = name_w;
		if (!view_grouped(v) && vcols[c].sort == v->sort &&
		    vcols[c].sort != COL_COUNT && c != VC_NAME)
			attron(A_BOLD);
		snprintf(buf, sizeof buf, vcols[c].right ? "%*s" : "%-*s", w,
		    vcols[c].title);
		view_put_plain(y, x, buf, w);
		attroff(A_BOLD);
		x += w + 1;
		if (x >= COLS)
			break;
	}
	if (v->colors)
		attroff(COLOR_PAIR(PAIR_HEAD));
	else
		attroff(A_REVERSE);

	for (i = v->top; i < n && (int)(i - v->top) < rows; i++) {
		const struct tracked_region *r = view_grouped(v) ? NULL :
		    v->table.rows[i];
		const struct region_group *g = view_grouped(v) ? &v->groups[i] :
		    NULL;
		int attr = 0;

		y = HEADER_ROWS + 2 + (int)(i - v->top);
		move(y, 0);
		clrtoeol();
		if (r != NULL && r->state == TR_NEW)
			attr = v->colors ? COLOR_PAIR(PAIR_NEW) : A_BOLD;
		else if (r != NULL && r->state == TR_GONE)
			attr = v->colors ? COLOR_PAIR(PAIR_GONE) : A_DIM;
		if (i == v->cursor)
			attr = v->colors ? COLOR_PAIR(PAIR_SEL) : A_REVERSE;
		attron(attr);
		if (i == v->cursor)
			mvhline(y, 0, ' ', COLS);
		for (x = 0, c = 0; c < VC_N && x < COLS; c++) {
			int w = vcols[c].width;

			if (!show[c])
				continue;
			pathw = COLS - x;
			if (c == VC_PATH && r != NULL) {
				size_t len;
				const char *p = model_path(v->app->model,
				    r->path_id, &len);

				x += view_put(v, y, x, p, len, pathw, true);
				if (r->deleted && x + 10 < COLS)
					view_put_plain(y, x, " (deleted)", COLS - x);
				break;
			}
			if (c == VC_CLASS && r != NULL) {
				char label[160];
				size_t len = model_class_label(v->app->model, r,
				    label, sizeof label);

				view_put(v, y, x, label, len, w, false);
			} else if (c == VC_NAME && g != NULL) {
				const char *p;
				size_t len;

				p = model_path(v->app->model, g->path_id, &len);
				if (len == 0) {
					p = g->label;
					len = strlen(p);
				}
				view_put(v, y, x, p, len, name_w, true);
				x += name_w + 1;
				continue;
			} else {
				if (r != NULL)
					region_cell(v, r, c, buf, sizeof buf);
				else
					group_cell(v, g, c, buf, sizeof buf);
				if (vcols[c].right) {
					char pad[64];

					snprintf(pad, sizeof pad, "%*s", w, buf);
					view_put_plain(y, x, pad, w);
				} else
					view_put_plain(y, x, buf, w);
			}
			x += w + 1;
		}
		attroff(attr);
	}
	if (n == 0)
		mvaddstr(HEADER_ROWS + 2, 1, v->filter ? "no region matches the "
		    "filter (\\ and Enter clears it)" : "no regions");
}

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
	"  Tab p s d    detail chart: RSS, PSS, swap, private dirty",
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

static void
view_draw_help(void)
{
	size_t i;

	for (i = 0; i < sizeof help_lines / sizeof help_lines[0]; i++) {
		if ((int)i + HEADER_ROWS >= LINES - 1)
			break;
		view_put_plain(HEADER_ROWS + (int)i, 1, help_lines[i], COLS - 2);
	}
}

static void
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

static void
view_draw_footer(struct view *v)
{
	int y = LINES - 1;

	move(y, 0);
	clrtoeol();
	if (v->prompt) {
		mvprintw(y, 0, "%s ", v->prompt == '/' ? "Search:" :
		    v->prompt == 't' ? "Time:  " : "Filter:");
		view_put(v, y, 8, v->input, v->input_len, COLS - 9, true);
		curs_set(1);
		return;
	}
	curs_set(0);
	if (v->status[0] != '\0' && clock_mono() < v->status_until) {
		if (v->colors)
			attron(COLOR_PAIR(PAIR_WARN));
		view_put(v, y, 0, v->status, strlen(v->status), COLS, false);
		if (v->colors)
			attroff(COLOR_PAIR(PAIR_WARN));
		return;
	}
	attron(A_REVERSE);
	view_put_plain(y, 0, v->screen == SCR_DETAIL ?
	    " Esc Back  Tab Series  m Mark  space Pause  ? Help  q Quit" :
	    " ? Help  Enter Detail  / Search  \\ Filter  g Group  < > Sort  "
	    "m Mark  space Pause  + - Interval  q Quit", COLS);
	attroff(A_REVERSE);
}

static void
view_draw(struct view *v)
{
	erase();
	if (COLS < MIN_COLS || LINES < MIN_LINES) {
		char msg[80];

		snprintf(msg, sizeof msg, "terminal too small: %dx%d, memtop "
		    "needs %dx%d", COLS, LINES, MIN_COLS, MIN_LINES);
		mvaddnstr(LINES / 2, 0, msg, COLS);
		refresh();
		return;
	}
	if (v->rebuild)
		view_rebuild(v);
	view_draw_header(v);
	switch (v->screen) {
	case SCR_TABLE:
		view_draw_table(v);
		break;
	case SCR_DETAIL:
		view_draw_detail(v);
		break;
	case SCR_HELP:
		view_draw_help();
		break;
	case SCR_SORT:
		view_draw_sort_menu(v);
		break;
	}
	view_draw_footer(v);
	refresh();
}

/* ------------------------------------------------------------------ */
/* Keys. */

static bool
view_row_matches(struct view *v, size_t i, const struct rx *rx)
{
	if (view_grouped(v)) {
		const struct region_group *g = &v->groups[i];
		size_t len;
		const char *p = model_path(v->app->model, g->path_id, &len);

		return rx_match(rx, g->label, strlen(g->label)) ||
		    (len > 0 && rx_match(rx, p, len));
	}
	return table_row_matches(v->app->model, v->table.rows[i], rx);
}

/* Move to the next (dir 1) or previous (-1) row matching the search. */
static void
view_search_next(struct view *v, int dir, bool include_current)
{
	size_t n = view_nrows(v), k, i;

	if (v->search == NULL) {
		view_set_status(v, "no search yet: press / to search");
		return;
	}
	for (k = include_current ? 0 : 1; k <= n && n > 0; k++) {
		i = dir > 0 ? (v->cursor + k) % n : (v->cursor + n - k % n) % n;
		if (view_row_matches(v, i, v->search)) {
			v->cursor = i;
			v->cursor_key = view_row_key(v, i);
			return;
		}
	}
	view_set_status(v, "no match for /%s", v->search_text);
}

static void
view_prompt_done(struct view *v)
{
	char *err = NULL;
	struct rx *rx = NULL;

	v->input[v->input_len] = '\0';
	if (v->prompt == 't') {
		v->prompt = 0;
		if (v->input_len > 0)
			view_replay_goto_time(v, v->input);
		return;
	}
	if (v->input_len > 0 && (rx = rx_compile(v->input, &err)) == NULL) {
		view_set_status(v, "%s: %s", v->prompt == '/' ? "search" :
		    "filter", err);
		free(err);
		v->prompt = 0;
		return;
	}
	if (v->prompt == '/') {
		rx_free(v->search);
		v->search = rx;
		snprintf(v->search_text, sizeof v->search_text, "%s", v->input);
		if (rx != NULL)
			view_search_next(v, 1, true);
	} else {
		rx_free(v->filter);
		v->filter = rx;
		snprintf(v->filter_text, sizeof v->filter_text, "%s", v->input);
		v->rebuild = true;
	}
	v->prompt = 0;
}

static void
view_prompt_key(struct view *v, int ch)
{
	if (ch == '\n' || ch == '\r' || ch == KEY_ENTER)
		view_prompt_done(v);
	else if (ch == 27)
		v->prompt = 0;
	else if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
		if (v->input_len > 0)
			v->input_len--;
	} else if (ch >= 32 && ch < 256 && ch != 127 &&
	    v->input_len + 1 < sizeof v->input)
		v->input[v->input_len++] = (char)ch;
}

static const double intervals[] = { 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60,
	300 };

static void
view_step_interval(struct view *v, int dir)
{
	struct sampler *sp = v->app->sampler;
	size_t i, n = sizeof intervals / sizeof intervals[0];
	double cur;

	if (sp == NULL)
		return;
	cur = sampler_interval(sp);
	for (i = 0; i < n && intervals[i] < cur - 1e-9; i++)
		continue;
	if (dir > 0 && i + 1 < n && intervals[i] <= cur + 1e-9)
		i++;
	else if (dir < 0 && i > 0)
		i--;
	if (i >= n)
		i = n - 1;
	sampler_set_interval(sp, intervals[i]);
	v->app->interval = intervals[i];
	view_set_status(v, "sampling every %gs", intervals[i]);
}

static void
view_enter(struct view *v)
{
	if (view_nrows(v) == 0)
		return;
	if (view_grouped(v)) {
		v->group = v->groups[v->cursor];
		v->in_group = true;
		v->group_cursor = v->cursor;
		v->cursor = 0;
		v->cursor_key = 0;
		v->top = 0;
		v->rebuild = true;
		return;
	}
	v->detail_id = v->table.rows[v->cursor]->id;
	v->screen = SCR_DETAIL;
}

static void
view_back(struct view *v)
{
	if (v->screen != SCR_TABLE) {
		v->screen = SCR_TABLE;
		return;
	}
	if (v->in_group) {
		v->in_group = false;
		v->cursor = v->group_cursor;
		v->cursor_key = v->group.key;
		v->rebuild = true;
	}
}

static void
view_set_sort(struct view *v, enum column c, bool desc)
{
	v->sort = c;
	v->desc = desc;
	v->rebuild = true;
	view_set_status(v, "sorted by %s, %s", column_title(c), desc ?
	    "biggest first" : "smallest first");
}

static void
view_key(struct view *v, int ch)
{
	int rows = LINES - HEADER_ROWS - 3;
	size_t n = view_nrows(v);

	if (v->prompt) {
		view_prompt_key(v, ch);
		return;
	}
	if (v->screen == SCR_HELP) {
		v->screen = v->back;
		return;
	}
	if (v->screen == SCR_SORT) {
		if (ch == KEY_UP || ch == 'k')
			v->sort_menu = v->sort_menu > 0 ? v->sort_menu - 1 : 0;
		else if (ch == KEY_DOWN || ch == 'j')
			v->sort_menu = v->sort_menu + 1 < COL_COUNT ?
			    v->sort_menu + 1 : v->sort_menu;
		else if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
			view_set_sort(v, (enum column)v->sort_menu,
			    column_desc_default((enum column)v->sort_menu));
			v->screen = SCR_TABLE;
		} else if (ch == 27 || ch == 'q' || ch == KEY_F(6))
			v->screen = SCR_TABLE;
		return;
	}
	if (v->screen == SCR_DETAIL && view_detail_key(v, ch))
		return;
	if (view_replaying(v) && view_replay_key(v, ch))
		return;

	switch (ch) {
	case 'q':
	case KEY_F(10):
		v->quit = true;
		break;
	case '?':
	case 'h':
	case KEY_F(1):
		v->back = v->screen;
		v->screen = SCR_HELP;
		break;
	case KEY_UP:
	case 'k':
		if (v->cursor > 0)
			v->cursor--;
		break;
	case KEY_DOWN:
	case 'j':
		if (v->cursor + 1 < n)
			v->cursor++;
		break;
	case KEY_PPAGE:
		v->cursor = v->cursor > (size_t)rows ? v->cursor - (size_t)rows :
		    0;
		break;
	case KEY_NPAGE:
		v->cursor += (size_t)rows;
		if (v->cursor >= n)
			v->cursor = n ? n - 1 : 0;
		break;
	case KEY_HOME:
		v->cursor = 0;
		break;
	case KEY_END:
		v->cursor = n ? n - 1 : 0;
		break;
	case '\n':
	case '\r':
	case KEY_ENTER:
		view_enter(v);
		break;
	case 27:
	case KEY_BACKSPACE:
	case 127:
	case 8:
		view_back(v);
		break;
	case 'g':
		v->group_by = (enum group_by)((v->group_by + 1) % GROUP_COUNT);
		v->in_group = false;
		v->cursor = 0;
		v->cursor_key = 0;
		v->top = 0;
		v->rebuild = true;
		break;
	case '<':
	case '>':
		view_set_sort(v, (enum column)((v->sort + (ch == '>' ? 1 :
		    COL_COUNT - 1)) % COL_COUNT), column_desc_default(
		    (enum column)((v->sort + (ch == '>' ? 1 : COL_COUNT - 1)) %
		    COL_COUNT)));
		break;
	case KEY_F(6):
		v->sort_menu = (int)v->sort;
		v->screen = SCR_SORT;
		break;
	case 'I':
		view_set_sort(v, v->sort, !v->desc);
		break;
	case '/':
	case '\\':
		v->prompt = ch;
		v->input_len = 0;
		break;
	case 'n':
		view_search_next(v, 1, false);
		break;
	case 'N':
		view_search_next(v, -1, false);
		break;
	case 'm':
		model_mark_baseline(v->app->model);
		v->rebuild = true;
		view_set_status(v, "baseline set: Delta counts from now");
		break;
	case 'M':
		model_reset_baseline(v->app->model);
		v->rebuild = true;
		view_set_status(v, "baseline: the first sample");
		break;
	case ' ':
		if (v->app->sampler != NULL && !v->app->ended) {
			bool p = !sampler_paused(v->app->sampler);

			sampler_pause(v->app->sampler, p);
			view_set_status(v, p ? "paused: space resumes" :
			    "sampling resumed");
		}
		break;
	case '+':
	case '=':
		view_step_interval(v, 1);
		break;
	case '-':
		view_step_interval(v, -1);
		break;
	case 12:	/* Ctrl-L */
		clearok(curscr, TRUE);
		break;
	case KEY_RESIZE:
		break;
	default:
		break;
	}
	if (!v->rebuild)
		v->cursor_key = view_row_key(v, v->cursor);
}

/* ------------------------------------------------------------------ */

static void
view_take_samples(struct view *v)
{
	static struct snapshot *snap;
	char *cause = NULL;
	int rc, err = 0;

	if (snap == NULL)
		snap = snapshot_new();
	while ((rc = sampler_take(v->app->sampler, &snap, &cause, &err)) != 0) {
		if (rc < 0) {
			app_end(v->app, cause, err,
			    sampler_end_state(v->app->sampler));
			v->rebuild = true;
			break;
		}
		if (app_ingest(v->app, snap, &cause) != 0) {
			view_set_status(v, "%s", cause);
			free(cause);
			cause = NULL;
		}
		v->rebuild = true;
	}
}

static void
view_init_curses(struct view *v)
{
	initscr();
	cbreak();
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	v->colors = has_colors();
	if (v->colors) {
		start_color();
		use_default_colors();
		init_pair(PAIR_HEAD, COLOR_BLACK, COLOR_CYAN);
		init_pair(PAIR_NEW, COLOR_GREEN, -1);
		init_pair(PAIR_GONE, COLOR_RED, -1);
		init_pair(PAIR_UP, COLOR_YELLOW, -1);
		init_pair(PAIR_DOWN, COLOR_CYAN, -1);
		init_pair(PAIR_BAR, COLOR_GREEN, -1);
		init_pair(PAIR_WARN, COLOR_YELLOW, -1);
		init_pair(PAIR_SEL, COLOR_BLACK, COLOR_CYAN);
	}
}

int
view_run(struct app *app)
{
	struct view v;
	struct sigaction sa;
	int code = EXIT_OK;

	memset(&v, 0, sizeof v);
	v.app = app;
	v.sort = app->sort;
	v.desc = app->sort_desc;
	v.utf8 = locale_is_utf8();
	v.series = SERIES_RSS;
	v.rebuild = true;
	if (app->filter != NULL) {
		v.filter = rx_compile(app->filter, NULL);
		snprintf(v.filter_text, sizeof v.filter_text, "%s", app->filter);
	}

	if (pipe2(view_sigpipe, O_CLOEXEC | O_NONBLOCK) != 0)
		fatal(EXIT_FAILURE_GENERIC, "pipe: %s", strerror(errno));
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = view_on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
	sigaction(SIGTSTP, &sa, NULL);	/* before initscr: ncurses leaves it */
	fatal_set_hook(view_restore_terminal);
	view_init_curses(&v);

	if (view_replaying(&v))
		view_replay_init(&v);
	while (!v.quit && view_signal == 0) {
		struct pollfd pfd[3] = {
			{ STDIN_FILENO, POLLIN, 0 },
			{ view_sigpipe[0], POLLIN, 0 },
			{ app->sampler ? sampler_fd(app->sampler) : -1, POLLIN, 0 },
		};
		int ch, timeout = 250;

		if (view_tstp)
			view_suspend();
		view_draw(&v);
		if (view_replaying(&v))
			timeout = view_replay_tick(&v);
		if (v.rebuild)
			continue;	/* a replay step: show it first */
		if (poll(pfd, 3, timeout) < 0 && errno != EINTR)
			break;
		/* Keys first: they may look at rows of the model as drawn. */
		while (!v.quit && (ch = getch()) != ERR)
			view_key(&v, ch);
		if (app->sampler != NULL && !app->ended &&
		    (pfd[2].revents & POLLIN))
			view_take_samples(&v);
		if (app->max_samples > 0 && app->samples >= app->max_samples &&
		    !view_replaying(&v))
			v.quit = true;
	}
	view_restore_terminal();
	fatal_set_hook(NULL);
	if (view_signal != 0)
		code = 128 + view_signal;
	if (view_replaying(&v))
		view_replay_free(&v);
	rx_free(v.filter);
	rx_free(v.search);
	table_free(&v.table);
	return code;
}
