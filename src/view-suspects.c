/*
 * view-suspects.c - the leak suspects (key L): the model's regions, or its
 * groups, ranked by sustained growth (suspect.h), each with its rate, its
 * growth since the start and since the baseline, its share of the process's
 * growth, its confidence, since when it grows and the time to the OOM limit
 * at its rate.  Also the header's line naming the top suspect, and the
 * region table's cursor put on it.
 */
#include "config.h"

#include <curses.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "report.h"
#include "util.h"
#include "view-int.h"

/* The columns, left to right; a narrow screen drops the highest drop
 * level first.  The name and the range or path take what is left. */
enum sus_col {
	SC_RANK,
	SC_CONF,
	SC_RATE,
	SC_START,
	SC_BASE,
	SC_SHARE,
	SC_GROWING,
	SC_OOM,
	SC_STEADY,
	SC_CLASS,
	SC_COUNT
};

static const struct sus_col_def {
	const char *title;
	int width;
	int drop; /* 0: never */
} sus_cols[SC_COUNT] = {
	[SC_RANK] = { "#", 3, 0 },
	[SC_CONF] = { "Conf", 4, 0 },
	[SC_RATE] = { "Rate", 7, 0 },
	[SC_START] = { "+Start", 7, 3 },
	[SC_BASE] = { "+Base", 7, 5 },
	[SC_SHARE] = { "Share", 5, 4 },
	[SC_GROWING] = { "Growing", 7, 2 },
	[SC_OOM] = { "OOM in", 7, 6 },
	[SC_STEADY] = { "Trend", 13, 1 },
	[SC_CLASS] = { "Class", 16, 0 },
};

#define SUS_TAIL_MIN 26 /* the range or path keeps this much */

/* Which columns fit in width: a bit per shown column. */
static unsigned
view_suspects_columns(int width, bool grouped)
{
	unsigned shown = (1u << SC_COUNT) - 1;
	int level, c, need;

	for (level = 7; level >= 0; level--) {
		need = grouped ? 24 : SUS_TAIL_MIN;
		for (c = 0; c < SC_COUNT; c++) {
			if (shown & (1u << c))
				need += sus_cols[c].width + 1;
		}
		if (need <= width || level == 0)
			break;
		for (c = 0; c < SC_COUNT; c++) {
			if (sus_cols[c].drop == level)
				shown &= ~(1u << c);
		}
	}
	return shown;
}

static struct suspect_ranking **
view_suspects_ranking(struct view *v, enum group_by by)
{
	return by == GROUP_NONE ? &v->ranking : &v->group_ranking;
}

/* The ranking by `by`: all of it, every call the same array for the same
 * sample (suspect_rank keeps it). */
static size_t
view_suspects_rank_by(
    struct view *v, enum group_by by, const struct suspect **out)
{
	struct suspect_ranking **sr = view_suspects_ranking(v, by);
	struct suspect_opts o;

	*out = NULL;
	if (model_samples(v->app->model) == 0)
		return 0;
	if (*sr == NULL)
		*sr = suspect_ranking_new();
	report_suspect_opts(v->app->model, by, 0, &o);
	return suspect_rank(*sr, v->app->model, &o, out);
}

size_t
view_suspects_rank(struct view *v, const struct suspect **out)
{
	return view_suspects_rank_by(v, GROUP_NONE, out);
}

void
view_suspects_free(struct view *v)
{
	suspect_ranking_free(v->ranking);
	suspect_ranking_free(v->group_ranking);
	v->ranking = v->group_ranking = NULL;
}

void
view_suspects_header(struct view *v, int y)
{
	const struct suspect *s, *top;
	size_t n = view_suspects_rank(v, &s);
	char line[512];
	int attr;

	move(y, 0);
	clrtoeol();
	top = suspect_top(s, n);
	if (top == NULL) {
		snprintf(line, sizeof line, "leak suspect: %s",
		    model_samples(v->app->model) < 4 ? "(too early to say)" :
		        n == 0                       ? "none: nothing grows" :
		                 "none yet: what grows does not grow "
		                 "steadily (L: the ranking)");
		view_put_plain(y, 0, line, COLS);
		return;
	}
	suspect_line(v->app->model, top, line, sizeof line, v->utf8);
	/* Once the target has ended, the header says how: no time to a
	 * limit any more. */
	if (isfinite(top->oom_s) && view_header_verdict(v) == NULL &&
	    strlen(line) + 30 < sizeof line) {
		char d[16];

		snprintf(line + strlen(line), sizeof line - strlen(line),
		    ", OOM in ~%s", fmt_duration(top->oom_s, d, sizeof d));
	}
	attr = v->colors ? COLOR_PAIR(PAIR_WARN) | A_BOLD : A_BOLD;
	attron(attr);
	/* suspect_line() escaped what came from the target. */
	view_put_plain(y, 0, line, COLS);
	attroff(attr);
}

void
view_suspects_place_cursor(struct view *v)
{
	const struct suspect *s, *top;
	size_t n, i;

	if (v->cursor_chosen || view_rows_grouped(v) || v->in_group)
		return;
	n = view_suspects_rank(v, &s);
	if ((top = suspect_top(s, n)) == NULL || top->id == v->cursor_key)
		return;
	for (i = 0; i < v->table.nrows; i++) {
		if (v->table.rows[i]->id == top->id) {
			v->cursor = i;
			v->cursor_key = top->id;
			return;
		}
	}
}

/* One cell's text. */
static void
view_suspects_cell(const struct suspect *s, enum sus_col c, size_t rank,
    char *buf, size_t size)
{
	char d[16];

	buf[0] = '\0';
	switch (c) {
	case SC_RANK:
		snprintf(buf, size, "%zu", rank + 1);
		break;
	case SC_CONF:
		snprintf(buf, size, "%.2f", s->confidence);
		break;
	case SC_RATE:
		fmt_rate(s->rate_kb_s, buf, size);
		break;
	case SC_START:
		fmt_kb_delta(s->growth_start_kb, buf, size);
		break;
	case SC_BASE:
		fmt_kb_delta(s->growth_base_kb, buf, size);
		break;
	case SC_SHARE:
		if (isfinite(s->share_process))
			snprintf(buf, size, "%.0f%%",
			    100 *
			        (s->share_process > 9.99 ? 9.99 :
			                                   s->share_process));
		else
			snprintf(buf, size, "-");
		break;
	case SC_GROWING:
		fmt_duration(s->growing_s, buf, size);
		break;
	case SC_OOM:
		snprintf(buf, size, "%s",
		    isfinite(s->oom_s) ? fmt_duration(s->oom_s, d, sizeof d) :
		                         "-");
		break;
	case SC_STEADY:
		snprintf(buf, size, "%s", suspect_steadiness_word(&s->trend));
		break;
	case SC_CLASS:
	case SC_COUNT:
		break;
	}
}

/* The tail of a row: a region's range (its path is drawn after it), a
 * group's file and count. */
static void
view_suspects_tail(struct view *v, const struct suspect *s, char *buf,
    size_t size, const char *path)
{
	/* 12 digits when they do (the table needs 16 for [vsyscall]). */
	int digits = s->end > UINT64_C(0x1000000000000) ? v->addr_digits : 12;

	if (s->by == GROUP_NONE)
		snprintf(buf, size, "%0*" PRIx64 "-%0*" PRIx64, digits,
		    s->start, digits, s->end);
	else
		snprintf(buf, size, "%s%s%zu region%s", path, *path ? "  " : "",
		    s->nregions, s->nregions == 1 ? "" : "s");
}

static void
view_suspects_tabs(struct view *v, size_t n, size_t nconf)
{
	char info[300];
	int x;

	snprintf(info, sizeof info, " Leak suspects  %s  %s  %s",
	    v->suspect_by == GROUP_NONE ? "[Regions]" : " Regions ",
	    v->suspect_by == GROUP_CLASS ? "[By class]" : " By class ",
	    v->suspect_by == GROUP_FILE ? "[By file]" : " By file ");
	x = view_put_plain(HEADER_ROWS, 0, info, COLS);
	snprintf(info, sizeof info,
	    "   %zu growing, %zu confident   (Esc: back)", n, nconf);
	view_put_plain(HEADER_ROWS, x, info, COLS - x);
}

static void
view_suspects_headings(struct view *v, unsigned shown)
{
	char buf[64];
	int x = 0, c;

	attron(v->colors ? COLOR_PAIR(PAIR_HEAD) : A_REVERSE);
	mvhline(HEADER_ROWS + 1, 0, ' ', COLS);
	for (c = 0; c < SC_COUNT && x < COLS; c++) {
		if (!(shown & (1u << c)))
			continue;
		snprintf(buf, sizeof buf,
		    c == SC_STEADY || c == SC_CLASS ? "%-*s" : "%*s",
		    sus_cols[c].width, sus_cols[c].title);
		x += view_put_plain(HEADER_ROWS + 1, x, buf, COLS - x) + 1;
	}
	if (x < COLS)
		view_put_plain(HEADER_ROWS + 1, x,
		    v->suspect_by == GROUP_NONE ? "Range, path" :
		                                  "File, regions",
		    COLS - x);
	attroff(v->colors ? COLOR_PAIR(PAIR_HEAD) : A_REVERSE);
}

static void
view_suspects_row(struct view *v, const struct suspect *s, size_t rank,
    unsigned shown, bool at_cursor, int y)
{
	char buf[64], label[160], path[600], tail[700];
	int x = 0, c, attr = 0;

	if (at_cursor)
		attr = v->colors ? COLOR_PAIR(PAIR_SEL) : A_REVERSE;
	else if (s->confidence >= SUSPECT_CONFIDENT)
		attr = v->colors ? COLOR_PAIR(PAIR_UP) | A_BOLD : A_BOLD;
	attron(attr);
	if (at_cursor)
		mvhline(y, 0, ' ', COLS);
	report_suspect_names(
	    v->app->model, s, label, sizeof label, path, sizeof path, v->utf8);
	for (c = 0; c < SC_COUNT && x < COLS; c++) {
		if (!(shown & (1u << c)))
			continue;
		if (c == SC_CLASS) {
			view_put_plain(y, x, label, sus_cols[c].width);
		} else {
			char cell[32];

			view_suspects_cell(
			    s, (enum sus_col)c, rank, cell, sizeof cell);
			snprintf(buf, sizeof buf,
			    c == SC_STEADY ? "%-*s" : "%*s", sus_cols[c].width,
			    cell);
			view_put_plain(y, x, buf, COLS - x);
		}
		x += sus_cols[c].width + 1;
	}
	if (x < COLS) {
		view_suspects_tail(v, s, tail, sizeof tail, path);
		x += view_put_plain(y, x, tail, COLS - x);
		if (s->by == GROUP_NONE && path[0] != '\0' && x + 1 < COLS)
			view_put_plain_tail(y, x + 1, path, COLS - x - 1);
	}
	attroff(attr);
}

/* Under the table: why the cursor's suspect is where it is. */
static void
view_suspects_why(struct view *v, const struct suspect *s, int y)
{
	const struct suspect_trend *t = &s->trend;
	char line[400], since[32], d[16], rate[16];
	time_t when = (time_t)s->since_wall;
	struct tm tm;

	if (s->since_wall > 0) {
		localtime_r(&when, &tm);
		strftime(since, sizeof since, "%H:%M:%S", &tm);
	} else
		snprintf(since, sizeof since, "?");
	snprintf(line, sizeof line,
	    "since %s (%s): %s over %u %s; confidence %.2f from "
	    "tau %.2f, spread %.2f, recent %.2f",
	    since, fmt_duration(s->growing_s, d, sizeof d),
	    fmt_rate(t->rate_kb_s, rate, sizeof rate), t->npoints,
	    t->cyclic ? "troughs" : "points", t->confidence, t->tau, t->spread,
	    t->recent);
	if (!t->cyclic)
		snprintf(line + strlen(line), sizeof line - strlen(line),
		    ", kept %.2f", t->kept);
	view_put_plain(y, 0, line, COLS);
	if (isfinite(s->share_cgroup) || isfinite(s->oom_s)) {
		line[0] = '\0';
		if (isfinite(s->share_cgroup))
			snprintf(line, sizeof line,
			    "share of the cgroup's growth %.0f%%  ",
			    100 * s->share_cgroup);
		if (isfinite(s->oom_s))
			snprintf(line + strlen(line),
			    sizeof line - strlen(line),
			    "at this rate alone the OOM limit is ~%s away",
			    fmt_duration(s->oom_s, d, sizeof d));
		view_put_plain(y + 1, 0, line, COLS);
	}
}

static void
view_suspects_draw(struct view *v)
{
	const struct suspect *s;
	size_t n = view_suspects_rank_by(v, v->suspect_by, &s), i, nconf = 0;
	int rows = LINES - TABLE_TOP - 3;
	unsigned shown;

	for (i = 0; i < n; i++)
		nconf += s[i].confidence >= SUSPECT_CONFIDENT;
	if (rows < 1)
		rows = 1;
	if (v->suspect_cursor >= n)
		v->suspect_cursor = n ? n - 1 : 0;
	view_rows_scroll(v->suspect_cursor, &v->suspect_top, (size_t)rows, n);
	shown = view_suspects_columns(COLS, v->suspect_by != GROUP_NONE);
	view_suspects_tabs(v, n, nconf);
	view_suspects_headings(v, shown);
	for (i = v->suspect_top; i < n && (int)(i - v->suspect_top) < rows; i++)
		view_suspects_row(v, &s[i], i, shown, i == v->suspect_cursor,
		    TABLE_TOP + (int)(i - v->suspect_top));
	if (n == 0) {
		view_put_plain(TABLE_TOP, 1,
		    model_samples(v->app->model) < 3 ?
		        "too early: a suspect needs a few samples" :
		        "nothing grows: no suspect",
		    COLS - 1);
		return;
	}
	view_suspects_why(v, &s[v->suspect_cursor], LINES - 3);
}

/* Actions. */

static int
view_suspects_move(struct view *v, int key)
{
	const struct suspect *s;
	size_t n = view_suspects_rank_by(v, v->suspect_by, &s);
	size_t page = LINES - TABLE_TOP - 3 > 1 ? LINES - TABLE_TOP - 3 : 1;

	v->suspect_cursor = view_rows_step(v->suspect_cursor, n, page, key);
	return VIEW_DONE;
}

static int
view_suspects_group(struct view *v, int key)
{
	v->suspect_by = (enum group_by)((v->suspect_by + 1) % GROUP_COUNT);
	v->suspect_cursor = v->suspect_top = 0;
	return VIEW_DONE;
}

/* Enter: a region's detail, or a group's members in the region table. */
static int
view_suspects_open(struct view *v, int key)
{
	const struct suspect *s;
	size_t n = view_suspects_rank_by(v, v->suspect_by, &s), i, ng;
	const struct region_group *g;

	if (v->suspect_cursor >= n)
		return VIEW_DONE;
	s = &s[v->suspect_cursor];
	if (s->by == GROUP_NONE) {
		v->detail_id = s->id;
		/* The detail follows the table's cursor: put it there. */
		v->cursor_key = s->id;
		v->cursor_chosen = true;
		v->rebuild = true;
		view_open(v, &view_screen_detail);
		return VIEW_DONE;
	}
	ng = model_groups(v->app->model, s->by, &g);
	for (i = 0; i < ng && g[i].key != s->key; i++)
		continue;
	if (i == ng)
		return VIEW_DONE;
	view_close(v);
	v->group_by = s->by;
	v->group = g[i];
	v->in_group = true;
	v->group_cursor = 0;
	v->cursor = v->top = 0;
	v->cursor_key = 0;
	v->screen = &view_screen_regions;
	return VIEW_REBUILD;
}

static int
view_suspects_back(struct view *v, int key)
{
	view_close(v);
	return VIEW_REBUILD;
}

static const struct view_action act_move = { "move", "move", NULL,
	view_suspects_move };
static const struct view_action act_open = { "open",
	"a region's detail, a group's members", "Open", view_suspects_open };
static const struct view_action act_group = { "group",
	"regions / by class / by file object", "Group", view_suspects_group };
static const struct view_action act_back = { "back", "back to the table",
	"Back", view_suspects_back };

static const struct view_binding view_suspects_bindings[] = {
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
	{ 'g', &act_group, false },
	{ 27, &act_back, false },
	{ 'L', &act_back, true },
	{ KEY_BACKSPACE, &act_back, true },
	{ 127, &act_back, true },
	{ 8, &act_back, true },
	{ 0, NULL, false },
};

static const struct view_keys view_keys_suspects = { "Leak suspects",
	view_suspects_bindings };

static const struct view_keys *const view_suspects_tables[] = {
	&view_keys_suspects, NULL
};

const struct view_screen view_screen_suspects = {
	.name = "suspects",
	.keys = view_suspects_tables,
	.draw = view_suspects_draw,
};
