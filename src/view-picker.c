/*
 * view-picker.c - the process picker (memtop with no -p): the machine's
 * processes from the process list (proclist.h), sorted by PSS, each with
 * its growth and sparkline, container or unit, cgroup OOM projection and
 * oom_score; sort, filter, search; Enter opens the region dashboard of one
 * (a live source, sampler, model and pump of its own), Esc comes back to
 * the list, which went on sampling.
 */
#include "config.h"

#include <curses.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgwatch.h"
#include "proclist.h"
#include "report.h"
#include "spark.h"
#include "util.h"
#include "view-int.h"

#define PICK_TOP    3 /* first row of the list */
#define PICK_TREND  8 /* samples in a row's sparkline */
#define PICK_CMDMIN 24

/* The picker's columns: its own (the mark, the trend, the cgroup's OOM
 * projection) around the process list's. */
enum pick_col {
	PK_MARK,
	PK_PID,
	PK_USER,
	PK_RSS,
	PK_PSS,
	PK_SWAP,
	PK_ANON,
	PK_RATE,
	PK_TREND,
	PK_OOM,
	PK_CGOOM,
	PK_CONTAINER,
	PK_CMD,
	PK_COUNT
};

static const struct pick_col_def {
	const char *title;
	int width;
	int drop;              /* dropped first when narrow: higher; 0 never */
	enum proclist_col col; /* what it sorts by */
	bool right;
} pick_cols[PK_COUNT] = {
	[PK_MARK] = { "", 1, 0, PCOL_COUNT, false },
	[PK_PID] = { "PID", 7, 0, PCOL_PID, true },
	[PK_USER] = { "User", 8, 0, PCOL_USER, false },
	[PK_RSS] = { "RSS", 6, 0, PCOL_RSS, true },
	[PK_PSS] = { "PSS", 6, 0, PCOL_PSS, true },
	[PK_SWAP] = { "Swap", 6, 3, PCOL_SWAP, true },
	[PK_ANON] = { "Anon", 6, 4, PCOL_ANON, true },
	[PK_RATE] = { "Rate", 7, 0, PCOL_RATE, true },
	[PK_TREND] = { "Trend", PICK_TREND, 1, PCOL_COUNT, false },
	[PK_OOM] = { "OOM", 4, 2, PCOL_OOM, true },
	[PK_CGOOM] = { "CgOOM", 7, 5, PCOL_COUNT, true },
	[PK_CONTAINER] = { "Container", 16, 6, PCOL_CGROUP, false },
	[PK_CMD] = { "Command", 0, 0, PCOL_CMDLINE, false },
};

struct view_picker {
	struct app *base; /* main's: the options */
	struct proclist *list;
	struct proclist_view rows;
	struct cgwatch *cg;
	int *only; /* -p list, -P matches: the PIDs shown; NULL: all */
	size_t nonly;
	enum proclist_col sort, sort_menu;
	bool desc;
	struct rx *filter, *search;
	char filter_text[VIEW_PATTERN], search_text[VIEW_PATTERN];
	size_t cursor, top;
	int cursor_pid;
	double next_tick;
	int tick_err;
	/* The dashboard of the process Enter opened, over the list. */
	struct app target;
	bool open;
};

static const struct view_screen view_screen_picker_sort;

static bool
view_picker_only(const struct view_picker *pk, int pid)
{
	size_t i;

	if (pk->only == NULL)
		return true;
	for (i = 0; i < pk->nonly; i++) {
		if (pk->only[i] == pid)
			return true;
	}
	return false;
}

/* The rows again from the list: filtered, restricted, sorted; the cursor
 * kept on its process. */
static void
view_picker_rebuild(struct view_picker *pk)
{
	size_t i, k;

	proclist_view_build(
	    &pk->rows, pk->list, pk->sort, pk->desc, pk->filter);
	for (i = 0, k = 0; i < pk->rows.nrows; i++) {
		if (view_picker_only(pk, pk->rows.rows[i]->pid))
			pk->rows.rows[k++] = pk->rows.rows[i];
	}
	pk->rows.nrows = k;
	for (i = 0; i < k && pk->cursor_pid != 0; i++) {
		if (pk->rows.rows[i]->pid == pk->cursor_pid) {
			pk->cursor = i;
			break;
		}
	}
	if (pk->cursor >= k)
		pk->cursor = k ? k - 1 : 0;
	pk->cursor_pid = k ? pk->rows.rows[pk->cursor]->pid : 0;
}

static int
view_picker_page(void)
{
	return LINES - PICK_TOP - 2 > 1 ? LINES - PICK_TOP - 2 : 1;
}

/* One tick of the list: the rows on screen get their PSS read. */
static void
view_picker_tick(struct view_picker *pk)
{
	int want[256];
	size_t n = 0, i;

	for (i = pk->top; i < pk->rows.nrows && n < 256 &&
	     (int)(i - pk->top) < view_picker_page();
	     i++)
		want[n++] = pk->rows.rows[i]->pid;
	for (i = 0; i < pk->nonly && n < 256; i++)
		want[n++] = pk->only[i];
	proclist_want_pss(pk->list, want, n);
	pk->tick_err = proclist_update(pk->list);
	cgwatch_sweep(pk->cg, proclist_last_tick(pk->list)->seq);
	view_picker_rebuild(pk);
}

bool
view_picker_start(struct view *v, const int *pids, size_t npids, char **err)
{
	struct view_picker *pk = xcalloc(1, sizeof *pk);

	if ((pk->list = proclist_new(err)) == NULL) {
		free(pk);
		return false;
	}
	proclist_set_namer(pk->list, report_cgroup_name, NULL);
	if (npids > 0) {
		pk->only = xmalloc(npids * sizeof *pk->only);
		memcpy(pk->only, pids, npids * sizeof *pk->only);
		pk->nonly = npids;
	}
	pk->base = v->app;
	pk->cg = cgwatch_new();
	pk->sort = v->app->list_sort >= 0 && v->app->list_sort < PCOL_COUNT ?
	    (enum proclist_col)v->app->list_sort :
	    PCOL_PSS;
	pk->desc = proclist_col_desc_default(pk->sort);
	pk->sort_menu = PCOL_PSS;
	if (v->filter != NULL) { /* -f: the list's filter too */
		char *e = NULL;

		pk->filter = rx_compile(v->filter_text, &e);
		free(e);
		snprintf(pk->filter_text, sizeof pk->filter_text, "%s",
		    v->filter_text);
	}
	v->picker = pk;
	v->screen = &view_screen_picker;
	v->overlay = NULL;
	view_picker_tick(pk);
	pk->next_tick = clock_mono() + v->app->interval;
	return true;
}

/* Close the dashboard of the process Enter opened. */
static void
view_picker_close_target(struct view *v)
{
	struct view_picker *pk = v->picker;
	struct app *t = &pk->target;

	if (!pk->open)
		return;
	if (t->sampler != NULL && !sampler_stop(t->sampler))
		t->source = NULL; /* still in the stuck thread's hands */
	pump_free(t->pump);
	source_close(t->source);
	model_free(t->model);
	memset(t, 0, sizeof *t);
	pk->open = false;
	v->app = pk->base;
	v->overlay = NULL;
	view_suspects_free(v);
	view_diff_free(v);
	moment_free(v->baseline);
	v->baseline = NULL;
	table_free(&v->table);
}

void
view_picker_free(struct view *v)
{
	struct view_picker *pk = v->picker;

	if (pk == NULL)
		return;
	view_picker_close_target(v);
	proclist_view_free(&pk->rows);
	proclist_free(pk->list);
	cgwatch_free(pk->cg);
	rx_free(pk->filter);
	rx_free(pk->search);
	free(pk->only);
	free(pk);
	v->picker = NULL;
}

void
view_picker_pump(struct view *v)
{
	struct view_picker *pk = v->picker;
	double now = clock_mono();

	if (pk == NULL || now < pk->next_tick)
		return;
	view_picker_tick(pk);
	pk->next_tick = now + pk->base->interval;
}

int
view_picker_timeout(const struct view *v)
{
	double left;

	if (v->picker == NULL)
		return -1;
	left = v->picker->next_tick - clock_mono();
	return left <= 0 ? 0 : (int)(left * 1000) + 1;
}

/* Which columns fit, but for those in `empty`: a bit per shown column. */
static unsigned
view_picker_columns(int width, unsigned empty)
{
	unsigned shown = ((1u << PK_COUNT) - 1) & ~empty;
	int level, c, need;

	for (level = 6; level > 0; level--) {
		need = PICK_CMDMIN;
		for (c = 0; c < PK_COUNT; c++) {
			if ((shown & (1u << c)) && c != PK_CMD)
				need += pick_cols[c].width + 1;
		}
		if (need <= width)
			break;
		for (c = 0; c < PK_COUNT; c++) {
			if (pick_cols[c].drop == level)
				shown &= ~(1u << c);
		}
	}
	return shown;
}

/* "4m10s" until the cgroup's OOM, "-" when it does not grow, "..." too
 * early to tell, "" when it has no limit. */
static void
view_picker_cgoom(
    struct view *v, const struct proc_entry *e, char *buf, size_t size)
{
	struct view_picker *pk = v->picker;
	const struct proclist_tick *t = proclist_last_tick(pk->list);
	const struct oom_projection *p;

	buf[0] = '\0';
	p = cgwatch_project(pk->cg, e->pid, e->cgroup, t->seq, t->mono);
	if (p == NULL)
		return;
	if (p->status == OOM_ETA)
		fmt_duration(p->eta_s, buf, size);
	else if (p->status == OOM_TOO_SHORT)
		snprintf(buf, size, "...");
	else
		snprintf(buf, size, "-");
}

/* A size, or "-" when it is not known. */
static void
view_picker_kb(bool known, uint64_t kb, char *buf, size_t size)
{
	if (known)
		fmt_kb(kb, buf, size);
	else
		snprintf(buf, size, "-");
}

static void
view_picker_cell(
    struct view *v, const struct proc_entry *e, int c, char *buf, size_t size)
{
	struct view_picker *pk = v->picker;
	uint64_t h[PICK_TREND];
	size_t n;
	bool mem = e->mem_known && e->access != PROC_ACCESS_HIDDEN;

	buf[0] = '\0';
	switch (c) {
	case PK_MARK:
		snprintf(buf, size, "%s",
		    e->access == PROC_ACCESS_HIDDEN       ? "?" :
		        e->access == PROC_ACCESS_NO_SMAPS ? "!" :
		                                            " ");
		break;
	case PK_PID:
		snprintf(buf, size, "%d", e->pid);
		break;
	case PK_USER:
		esc_text(e->user, strlen(e->user), buf, size, v->utf8);
		break;
	case PK_RSS:
		view_picker_kb(mem, e->rss_kb, buf, size);
		break;
	case PK_PSS:
		if (e->pss_known)
			fmt_kb(e->pss_kb, buf, size);
		else
			snprintf(buf, size, "-");
		break;
	case PK_SWAP:
		view_picker_kb(mem, e->swap_kb, buf, size);
		break;
	case PK_ANON:
		view_picker_kb(mem, e->anon_kb, buf, size);
		break;
	case PK_RATE:
		fmt_rate(e->rate_kb_s, buf, size);
		break;
	case PK_TREND:
		n = proclist_history(pk->list, e, h, PICK_TREND);
		spark_render(h, n, PICK_TREND, v->utf8, buf, size);
		break;
	case PK_OOM:
		if (e->oom_known)
			snprintf(buf, size, "%d", e->oom_score);
		break;
	case PK_CGOOM:
		view_picker_cgoom(v, e, buf, size);
		break;
	case PK_CONTAINER:
		if (e->container != NULL)
			esc_text(e->container, strlen(e->container), buf, size,
			    v->utf8);
		break;
	}
}

/* Line 0 and 1: what the list is, what it cost; sort and filter. */
static void
view_picker_header(struct view *v)
{
	struct view_picker *pk = v->picker;
	const struct proclist_tick *t = proclist_last_tick(pk->list);
	size_t i, nokay = 0;
	char buf[512], marks[64];
	int x;

	for (i = 0; i < proclist_count(pk->list); i++)
		nokay += proclist_at(pk->list, i)->access != PROC_ACCESS_FULL;
	attron(A_BOLD);
	mvaddstr(0, 0, "memtop");
	attroff(A_BOLD);
	/* The marks' legend, for the marks there are. */
	marks[0] = '\0';
	if (nokay > t->nhidden)
		snprintf(marks, sizeof marks, "%zu unreadable: !",
		    nokay - t->nhidden);
	if (t->nhidden > 0)
		snprintf(marks + strlen(marks), sizeof marks - strlen(marks),
		    "%s%zu hidden: ?", marks[0] ? ", " : "", t->nhidden);
	snprintf(buf, sizeof buf,
	    "  %zu processes%s%s%s%s  every %gs  tick %.1f ms, CPU %.1f ms, "
	    "%zu PSS read",
	    t->nprocs, pk->only ? " (as asked)" : "", marks[0] ? "  (" : "",
	    marks, marks[0] ? ")" : "", pk->base->interval, t->wall_ms,
	    t->cpu_ms, t->nrollup);
	x = 6 + view_put_plain(0, 6, buf, COLS - 6);
	if (pk->tick_err != 0 && x < COLS)
		view_put_plain(0, x, "  /proc cannot be listed", COLS - x);
	snprintf(buf, sizeof buf, " Processes   sort %s %s%s%s   %zu shown%s",
	    proclist_col_title(pk->sort),
	    pk->desc ? (v->utf8 ? "\u2193" : "v") : (v->utf8 ? "\u2191" : "^"),
	    pk->filter ? "   filter: " : "", pk->filter ? pk->filter_text : "",
	    pk->rows.nrows,
	    t->hidepid ? "   (/proc is hidepid: others' may be missing)" : "");
	view_put(v->utf8, 1, 0, buf, strlen(buf), COLS, false);
}

static void
view_picker_headings(struct view *v, unsigned shown)
{
	struct view_picker *pk = v->picker;
	char buf[64];
	int x = 0, c;

	attron(v->colors ? COLOR_PAIR(PAIR_HEAD) : A_REVERSE);
	mvhline(2, 0, ' ', COLS);
	for (c = 0; c < PK_COUNT && x < COLS; c++) {
		int w = pick_cols[c].width;

		if (!(shown & (1u << c)))
			continue;
		if (c == PK_CMD)
			w = COLS - x;
		snprintf(buf, sizeof buf, pick_cols[c].right ? "%*s" : "%-*s",
		    w > 60 ? 60 : w, pick_cols[c].title);
		if (pick_cols[c].col == pk->sort)
			attron(A_BOLD);
		view_put_plain(2, x, buf, COLS - x);
		attroff(A_BOLD);
		x += w + 1;
	}
	attroff(v->colors ? COLOR_PAIR(PAIR_HEAD) : A_REVERSE);
}

/* The command line from x to the screen's edge.  One too long for it
 * loses its program's directory first ("…/memtop --demo"): the program's
 * name and its arguments tell processes apart, a build tree's path does
 * not. */
static void
view_picker_command(struct view *v, const struct proc_entry *e, int y, int x)
{
	const char *cmd = e->cmdline_len ? e->cmdline : e->comm;
	size_t len = e->cmdline_len ? e->cmdline_len : strlen(e->comm);
	const char *end = memchr(cmd, ' ', len), *base = cmd, *p;

	for (p = cmd; p < (end ? end : cmd + len); p++) {
		if (*p == '/')
			base = p;
	}
	if (len > (size_t)(COLS - x) && base > cmd && COLS - x > 8) {
		x += view_put_cut_mark(y, x);
		len -= (size_t)(base - cmd);
		cmd = base;
	}
	view_put(v->utf8, y, x, cmd, len, COLS - x, false);
}

static void
view_picker_row(struct view *v, const struct proc_entry *e, unsigned shown,
    bool at_cursor, int y)
{
	char buf[512], pad[520];
	int x = 0, c, attr = 0;

	if (at_cursor)
		attr = v->colors ? COLOR_PAIR(PAIR_SEL) : A_REVERSE;
	else if (e->access != PROC_ACCESS_FULL)
		attr = A_DIM;
	attron(attr);
	if (at_cursor)
		mvhline(y, 0, ' ', COLS);
	for (c = 0; c < PK_COUNT && x < COLS; c++) {
		int w = pick_cols[c].width, hot = 0;

		if (!(shown & (1u << c)))
			continue;
		if (c == PK_CMD) {
			view_picker_command(v, e, y, x);
			break;
		}
		view_picker_cell(v, e, c, buf, sizeof buf);
		snprintf(pad, sizeof pad, pick_cols[c].right ? "%*s" : "%-*s",
		    w, buf);
		if (v->colors && !at_cursor &&
		    (c == PK_RATE || c == PK_TREND) && e->rate_kb_s >= 1.0)
			hot = COLOR_PAIR(PAIR_UP) | A_BOLD;
		attron(hot);
		view_put_plain(y, x, pad, w);
		attroff(hot);
		if (hot)
			attron(attr);
		x += w + 1;
	}
	attroff(attr);
}

/* Under the list: the cursor's process in full, and why a figure is
 * missing. */
static void
view_picker_note(struct view *v, const struct proc_entry *e, int y)
{
	char buf[512];
	const char *why = proclist_why(e);

	snprintf(buf, sizeof buf, "pid %d %s%s%s%s", e->pid,
	    e->container ? "in " : "", e->container ? e->container : "",
	    e->container ? "  " : "",
	    why ? why : (e->cgroup[0] ? e->cgroup : ""));
	view_put(v->utf8, y, 0, buf, strlen(buf), COLS, false);
}

/* The columns no row on screen has a value in (no container, no cgroup
 * with a limit): left out, the command gets their room. */
static unsigned
view_picker_empty(struct view *v, int rows)
{
	struct view_picker *pk = v->picker;
	unsigned empty = (1u << PK_CONTAINER) | (1u << PK_CGOOM);
	char buf[32];
	size_t i;

	for (i = pk->top;
	     i < pk->rows.nrows && (int)(i - pk->top) < rows && empty != 0;
	     i++) {
		const struct proc_entry *e = pk->rows.rows[i];

		if (e->container != NULL)
			empty &= ~(1u << PK_CONTAINER);
		view_picker_cgoom(v, e, buf, sizeof buf);
		if (buf[0] != '\0')
			empty &= ~(1u << PK_CGOOM);
	}
	return empty;
}

static void
view_picker_draw(struct view *v)
{
	struct view_picker *pk = v->picker;
	int rows = view_picker_page();
	unsigned shown;
	size_t i;

	/* Back from a dashboard (Esc): close it, the list is current. */
	if (pk->open)
		view_picker_close_target(v);
	view_rows_scroll(pk->cursor, &pk->top, (size_t)rows, pk->rows.nrows);
	shown = view_picker_columns(COLS, view_picker_empty(v, rows));
	view_picker_header(v);
	view_picker_headings(v, shown);
	for (i = pk->top; i < pk->rows.nrows && (int)(i - pk->top) < rows; i++)
		view_picker_row(v, pk->rows.rows[i], shown, i == pk->cursor,
		    PICK_TOP + (int)(i - pk->top));
	if (pk->rows.nrows == 0)
		view_put_plain(PICK_TOP, 1,
		    pk->filter ? "no process matches the filter (\\ and "
		                 "Enter clears it)" :
		                 "no process",
		    COLS - 1);
	else
		view_picker_note(v, pk->rows.rows[pk->cursor], LINES - 2);
}

/* Enter: the region dashboard of the process under the cursor. */
static int
view_picker_open(struct view *v, int key)
{
	struct view_picker *pk = v->picker;
	const struct proc_entry *e;
	struct app *t = &pk->target;
	struct pump_config pc;
	char *cause = NULL;
	int err = 0;

	view_picker_close_target(v);
	if (pk->rows.nrows == 0)
		return VIEW_DONE;
	e = pk->rows.rows[pk->cursor];
	*t = *pk->base;
	t->pid = e->pid;
	t->source = source_live_open(e->pid, &cause, &err);
	if (t->source == NULL) {
		view_put_status_set(&v->status, "%s",
		    cause ? cause : "cannot read that process");
		free(cause);
		memset(t, 0, sizeof *t);
		return VIEW_DONE;
	}
	oom_self_protect(e->pid, &t->self_oom);
	t->model = model_new();
	t->sampler = pump_sampler_start(t->source, t->interval, t->model);
	memset(&pc, 0, sizeof pc);
	pc.model = t->model;
	pc.sampler = t->sampler;
	pc.pid = t->pid;
	t->pump = pump_new(&pc);
	pk->open = true;
	/* The dashboard starts as a new one would. */
	v->app = t;
	v->overlay = &view_overlay_live;
	v->group_by = GROUP_NONE;
	v->in_group = false;
	v->cursor = v->top = 0;
	v->cursor_key = 0;
	v->cursor_chosen = false;
	v->rebuild = true;
	view_open(v, &view_screen_regions);
	return VIEW_DONE;
}

static int
view_picker_move(struct view *v, int key)
{
	struct view_picker *pk = v->picker;
	size_t n = pk->rows.nrows;

	pk->cursor =
	    view_rows_step(pk->cursor, n, (size_t)view_picker_page(), key);
	pk->cursor_pid = n ? pk->rows.rows[pk->cursor]->pid : 0;
	return VIEW_DONE;
}

static void
view_picker_sort(struct view *v, enum proclist_col c, bool desc)
{
	struct view_picker *pk = v->picker;

	pk->sort = c;
	pk->desc = desc;
	view_picker_rebuild(pk);
	view_put_status_set(&v->status, "sorted by %s, %s",
	    proclist_col_title(c), desc ? "biggest first" : "smallest first");
}

static int
view_picker_sort_step(struct view *v, int key)
{
	int c = (int)v->picker->sort + (key == '>' ? 1 : -1);

	c = (c + PCOL_COUNT) % PCOL_COUNT;
	view_picker_sort(v, (enum proclist_col)c, proclist_col_desc_default(c));
	return VIEW_DONE;
}

static int
view_picker_invert(struct view *v, int key)
{
	view_picker_sort(v, v->picker->sort, !v->picker->desc);
	return VIEW_DONE;
}

static int
view_picker_sort_open(struct view *v, int key)
{
	v->picker->sort_menu = v->picker->sort;
	view_open(v, &view_screen_picker_sort);
	return VIEW_DONE;
}

static bool
view_picker_search_match(void *ctx, size_t i)
{
	struct view_picker *pk = ctx;

	return proclist_matches(pk->rows.rows[i], pk->search);
}

/* The next (dir 1) or previous row matching the search. */
static void
view_picker_search_next(struct view *v, int dir, bool include_current)
{
	struct view_picker *pk = v->picker;

	if (pk->search == NULL) {
		view_put_status_set(
		    &v->status, "no search yet: press / to search");
		return;
	}
	if (view_rows_seek(pk->rows.nrows, &pk->cursor, dir, include_current,
	        view_picker_search_match, pk)) {
		pk->cursor_pid = pk->rows.rows[pk->cursor]->pid;
		view_put_status_clear(&v->status);
		return;
	}
	view_put_status_set(&v->status, "no match for /%s", pk->search_text);
}

static void
view_picker_search_done(struct view *v, const char *typed)
{
	struct view_picker *pk = v->picker;

	if (view_rows_pattern(
	        v, "search", typed, &pk->search, pk->search_text) &&
	    pk->search != NULL)
		view_picker_search_next(v, 1, true);
}

static void
view_picker_filter_done(struct view *v, const char *typed)
{
	struct view_picker *pk = v->picker;

	if (view_rows_pattern(v, "filter", typed, &pk->filter, pk->filter_text))
		view_picker_rebuild(pk);
}

static int
view_picker_search(struct view *v, int key)
{
	view_prompt_open(v, "Search:", view_picker_search_done);
	return VIEW_DONE;
}

static int
view_picker_filter(struct view *v, int key)
{
	view_prompt_open(v, "Filter:", view_picker_filter_done);
	return VIEW_DONE;
}

static int
view_picker_next_match(struct view *v, int key)
{
	view_picker_search_next(v, key == 'N' ? -1 : 1, false);
	return VIEW_DONE;
}

static const struct view_action act_move = { "move", "move", NULL,
	view_picker_move };
static const struct view_action act_open = { "open",
	"the region dashboard of this process (Esc comes back)", "Regions",
	view_picker_open };
static const struct view_action act_sort_step = { "sort-step",
	"sort by the previous / next column", "Sort", view_picker_sort_step };
static const struct view_action act_sort_menu = { "sort-menu",
	"choose the sort column", NULL, view_picker_sort_open };
static const struct view_action act_invert = { "sort-invert",
	"invert the order", NULL, view_picker_invert };
static const struct view_action act_search = { "search",
	"search (pcre2 on the command line and container)", "Search",
	view_picker_search };
static const struct view_action act_next_match = { "search-next",
	"the next / previous match", NULL, view_picker_next_match };
static const struct view_action act_filter = { "filter",
	"filter (pcre2 on the command line and container; empty clears)",
	"Filter", view_picker_filter };

static const struct view_binding view_picker_bindings[] = {
	{ KEY_UP, &act_move, false },
	{ KEY_DOWN, &act_move, false },
	{ 'k', &act_move, true },
	{ 'j', &act_move, true },
	{ KEY_PPAGE, &act_move, false },
	{ KEY_NPAGE, &act_move, false },
	{ KEY_HOME, &act_move, false },
	{ KEY_END, &act_move, false },
	{ '\r', &act_open, false },
	{ '\n', &act_open, true },
	{ KEY_ENTER, &act_open, true },
	{ '<', &act_sort_step, false },
	{ '>', &act_sort_step, false },
	{ KEY_F(6), &act_sort_menu, false },
	{ 'I', &act_invert, false },
	{ '/', &act_search, false },
	{ 'n', &act_next_match, false },
	{ 'N', &act_next_match, false },
	{ '\\', &act_filter, false },
	{ 0, NULL, false },
};

static const struct view_keys view_keys_picker = { "Processes",
	view_picker_bindings };

static const struct view_keys *const view_picker_tables[] = { &view_keys_picker,
	NULL };

const struct view_screen view_screen_picker = {
	.name = "picker",
	.flags = VIEW_OWN_HEADER,
	.keys = view_picker_tables,
	.draw = view_picker_draw,
};

/* F6: the columns to sort by; Enter chooses. */

static void
view_picker_sort_draw(struct view *v)
{
	int y = 1, c;

	view_put_plain(0, 1,
	    "Sort the processes by (Enter chooses, Esc cancels):", COLS - 2);
	for (c = 0; c < PCOL_COUNT && y < LINES - 1; c++, y++) {
		if (c == (int)v->picker->sort_menu)
			attron(A_REVERSE);
		mvprintw(y, 3, " %-10s ", proclist_col_title(c));
		attroff(A_REVERSE);
		if (c == (int)v->picker->sort)
			addstr(v->picker->desc ? " (current, descending)" :
			                         " (current, ascending)");
	}
}

static int
view_picker_sort_move(struct view *v, int key)
{
	struct view_picker *pk = v->picker;

	if ((key == KEY_UP || key == 'k') && pk->sort_menu > 0)
		pk->sort_menu--;
	else if ((key == KEY_DOWN || key == 'j') &&
	    pk->sort_menu + 1 < PCOL_COUNT)
		pk->sort_menu++;
	return VIEW_DONE;
}

static int
view_picker_sort_choose(struct view *v, int key)
{
	struct view_picker *pk = v->picker;

	view_close(v);
	view_picker_sort(
	    v, pk->sort_menu, proclist_col_desc_default(pk->sort_menu));
	return VIEW_DONE;
}

static int
view_picker_sort_cancel(struct view *v, int key)
{
	view_close(v);
	return VIEW_DONE;
}

static const struct view_action act_menu_move = { "move", "move", NULL,
	view_picker_sort_move };
static const struct view_action act_menu_choose = { "choose",
	"sort by this column", "Sort", view_picker_sort_choose };
static const struct view_action act_menu_cancel = { "cancel", "cancel",
	"Cancel", view_picker_sort_cancel };

static const struct view_binding view_picker_sort_bindings[] = {
	{ KEY_UP, &act_menu_move, false },
	{ KEY_DOWN, &act_menu_move, false },
	{ 'k', &act_menu_move, true },
	{ 'j', &act_menu_move, true },
	{ '\r', &act_menu_choose, false },
	{ '\n', &act_menu_choose, true },
	{ KEY_ENTER, &act_menu_choose, true },
	{ 27, &act_menu_cancel, false },
	{ 'q', &act_menu_cancel, true },
	{ KEY_F(6), &act_menu_cancel, true },
	{ 0, NULL, false },
};

static const struct view_keys view_keys_picker_sort = { "Sort menu",
	view_picker_sort_bindings };

static const struct view_keys *const view_picker_sort_tables[] = {
	&view_keys_picker_sort, NULL
};

static const struct view_screen view_screen_picker_sort = {
	.name = "picker-sort",
	.flags = VIEW_MODAL | VIEW_OWN_HEADER,
	.keys = view_picker_sort_tables,
	.draw = view_picker_sort_draw,
};
