/*
 * view.c - the dashboard: the terminal, signals, the loop, drawing the
 * screens in turn and the keys.  The tables are in view-table.c, the header
 * in view-header.c, the detail in view-detail.c, help in view-help.c.
 */
#include "config.h"

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

#define MIN_COLS  40
#define MIN_LINES 10

static volatile sig_atomic_t view_signal, view_tstp, view_cont;
static int view_sigpipe[2] = { -1, -1 };

static void
view_on_signal(int sig)
{
	int saved = errno;
	char c = (char)sig;

	if (sig == SIGTSTP)
		view_tstp = 1;
	else if (sig == SIGCONT)
		view_cont = 1;
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
	raise(SIGTSTP); /* stops here until SIGCONT */
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
	del_curterm(cur_term); /* also clears cur_term */
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
		mvaddnwstr(y, x, MB_CUR_MAX > 1 ? L"\u2026" : L"<", 1);
		addnwstr(w + from, (int)(n - from));
		used = c + 1;
	} else
		mvaddnwstr(y, x, w, (int)k);
	free(w);
	return used;
}

/* s escaped for the screen: in stack when it fits, else malloc'd (the
 * caller frees what is not stack). */
static char *
view_escape(
    const struct view *v, const char *s, size_t len, char *stack, size_t size)
{
	size_t need = len * 4 + 1;
	char *buf = need > size ? xmalloc(need) : stack;

	esc_text(s, len, buf, need, v->utf8);
	return buf;
}

int
view_put(struct view *v, int y, int x, const char *s, size_t len, int cols,
    bool tail)
{
	char stackbuf[2048];
	char *buf = view_escape(v, s, len, stackbuf, sizeof stackbuf);
	int used;

	used = view_put_wide(y, x, buf, cols, tail, true);
	if (buf != stackbuf)
		free(buf);
	return used;
}

int
view_put_wrapped(struct view *v, int y, const char *s, size_t len, int maxlines)
{
	char stackbuf[2048];
	char *buf = view_escape(v, s, len, stackbuf, sizeof stackbuf);
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
				mvaddnwstr(y + nl, 0,
				    MB_CUR_MAX > 1 ? L"\u2026" : L"<", 1);
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

/* A line of key hints, items two spaces apart: those that fit, whole. */
static void
view_put_keys(int y, const char *keys)
{
	int n = (int)strlen(keys);

	while (n > COLS) {
		const char *p = keys + n - 1;

		while (p > keys && !(p[0] == ' ' && p[-1] == ' '))
			p--;
		n = p > keys ? (int)(p - keys) - 1 : COLS;
	}
	mvhline(y, 0, ' ', COLS);
	mvaddnstr(y, 0, keys, n);
}

static void
view_draw_footer(struct view *v)
{
	int y = LINES - 1;

	move(y, 0);
	clrtoeol();
	if (v->prompt) {
		mvprintw(y, 0, "%s ",
		    v->prompt == '/'     ? "Search:" :
		        v->prompt == 't' ? "Time:  " :
		                           "Filter:");
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
	view_put_keys(y,
	    v->screen == SCR_DETAIL ?
	        " Esc Back  Up Down Region  Tab Series  m Mark  space Pause  "
	        "? Help  q Quit" :
	        " ? Help  Enter Detail  / Search  \\ Filter  g Group  < > Sort "
	        " "
	        "m Mark  space Pause  + - Interval  q Quit");
	attroff(A_REVERSE);
}

void
view_draw(struct view *v)
{
	erase();
	if (COLS < MIN_COLS || LINES < MIN_LINES) {
		char msg[80];

		/* Two short lines, so that even a tiny screen reads them. */
		snprintf(msg, sizeof msg, "%dx%d, needs %dx%d", COLS, LINES,
		    MIN_COLS, MIN_LINES);
		mvaddnstr(LINES > 1 ? (LINES - 1) / 2 : 0, 0,
		    "terminal too small", COLS);
		if (LINES > 1)
			mvaddnstr((LINES - 1) / 2 + 1, 0, msg, COLS);
		refresh();
		return;
	}
	if (v->rebuild)
		view_rebuild(v);
	if (v->screen == SCR_HELP) {
		view_draw_help(v);
		refresh();
		return;
	}
	view_draw_header(v);
	switch (v->screen) {
	case SCR_TABLE:
		view_draw_table(v);
		break;
	case SCR_DETAIL:
		view_draw_detail(v);
		break;
	case SCR_HELP:
		break;
	case SCR_SORT:
		view_draw_sort_menu(v);
		break;
	}
	view_draw_footer(v);
	refresh();
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
		view_set_status(
		    v, "%s: %s", v->prompt == '/' ? "search" : "filter", err);
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

static const double intervals[] = { 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 300 };

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
view_set_sort(struct view *v, enum field_id c, bool desc)
{
	v->sort = c;
	v->desc = desc;
	v->rebuild = true;
	view_set_status(v, "sorted by %s, %s", field_get(c)->title,
	    desc ? "biggest first" : "smallest first");
}

void
view_key(struct view *v, int ch)
{
	int rows = LINES - HEADER_ROWS - 3;
	size_t n;

	/* Keys act on the rows as they are now (a sort or a sample before
	 * this key in the same batch has changed them). */
	if (v->rebuild && COLS >= MIN_COLS && LINES >= MIN_LINES)
		view_rebuild(v);
	n = view_nrows(v);
	if (v->prompt) {
		view_prompt_key(v, ch);
		return;
	}
	if (v->screen == SCR_HELP) {
		view_help_key(v, ch);
		return;
	}
	if (v->screen == SCR_SORT) {
		enum field_id first = field_next_column(FIELD_COUNT - 1, 1);
		enum field_id last = field_next_column(first, -1);

		if (ch == KEY_UP || ch == 'k')
			v->sort_menu = v->sort_menu != first ?
			    field_next_column(v->sort_menu, -1) :
			    first;
		else if (ch == KEY_DOWN || ch == 'j')
			v->sort_menu = v->sort_menu != last ?
			    field_next_column(v->sort_menu, 1) :
			    last;
		else if (ch == KEY_HOME || ch == KEY_PPAGE)
			v->sort_menu = first;
		else if (ch == KEY_END || ch == KEY_NPAGE)
			v->sort_menu = last;
		else if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
			view_set_sort(
			    v, v->sort_menu, field_get(v->sort_menu)->desc);
			v->screen = SCR_TABLE;
		} else if (ch == 27 || ch == 'q' || ch == KEY_F(6))
			v->screen = SCR_TABLE;
		else if (ch == KEY_F(10))
			v->quit = true;
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
		v->cursor =
		    v->cursor > (size_t)rows ? v->cursor - (size_t)rows : 0;
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
		if (v->screen != SCR_TABLE)
			break;
		v->group_by = (enum group_by)((v->group_by + 1) % GROUP_COUNT);
		v->in_group = false;
		v->cursor = 0;
		v->cursor_key = 0;
		v->top = 0;
		v->rebuild = true;
		break;
	case '<':
	case '>': {
		enum field_id c =
		    field_next_column(v->sort, ch == '>' ? 1 : -1);

		view_set_sort(v, c, field_get(c)->desc);
		break;
	}
	case KEY_F(6):
		v->sort_menu = v->sort;
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
		pump_mark(v->app->pump, false);
		v->rebuild = true;
		view_set_status(v, "baseline set: Delta counts from now");
		break;
	case 'M':
		pump_mark(v->app->pump, true);
		v->rebuild = true;
		view_set_status(v, "baseline: the first sample");
		break;
	case ' ':
		if (v->app->sampler != NULL && !pump_ended(v->app->pump)) {
			bool p = !sampler_paused(v->app->sampler);

			sampler_pause(v->app->sampler, p);
			view_set_status(v,
			    p ? "paused: space resumes" : "sampling resumed");
		}
		break;
	case '+':
	case '=':
		view_step_interval(v, 1);
		break;
	case '-':
		view_step_interval(v, -1);
		break;
	case 12: /* Ctrl-L */
		clearok(curscr, TRUE);
		break;
	case KEY_RESIZE:
		break;
	default:
		break;
	}
	if (!v->rebuild)
		v->cursor_key = view_row_key(v, v->cursor);
	/* In the detail, moving goes to the previous or next region. */
	if (v->screen == SCR_DETAIL && !view_grouped(v) && !v->rebuild &&
	    v->cursor < v->table.nrows)
		v->detail_id = v->table.rows[v->cursor]->id;
}

/* ------------------------------------------------------------------ */

void
view_pump(struct view *v)
{
	int what = pump_step(v->app->pump);

	if (what & PUMP_WARN)
		view_set_status(v, "%s", pump_warning(v->app->pump));
	if (what & (PUMP_SAMPLE | PUMP_END))
		v->rebuild = true;
	if (what & PUMP_LIMIT)
		v->quit = true;
}

void
view_init_colors(struct view *v)
{
	const char *no_color = getenv("NO_COLOR");

	/* no-color.org: set and not empty, no colour (bold and reverse
	 * still mark what colour would). */
	v->colors = has_colors() && (no_color == NULL || *no_color == '\0');
	if (!v->colors)
		return;
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

static SCREEN *view_screen;

static void
view_init_curses(struct view *v)
{
	/* newterm() rather than initscr(): delscreen() can then free it. */
	if ((view_screen = newterm(NULL, stdout, stdin)) == NULL)
		fatal(EXIT_TERMINAL, "cannot start the terminal '%s'",
		    getenv("TERM") ? getenv("TERM") : "");
	set_term(view_screen);
	cbreak();
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	view_init_colors(v);
}

void
view_init(struct view *v, struct app *app)
{
	memset(v, 0, sizeof *v);
	v->app = app;
	v->sort = app->sort;
	v->desc = app->sort_desc;
	v->utf8 = locale_is_utf8();
	v->series = SERIES_RSS;
	v->addr_digits = 12;
	v->rebuild = true;
	if (app->filter != NULL) {
		char *err = NULL;

		v->filter = rx_compile(app->filter, &err);
		if (v->filter == NULL) {
			view_set_status(v, "filter: %s", err);
			free(err);
		} else
			snprintf(v->filter_text, sizeof v->filter_text, "%s",
			    app->filter);
	}
}

void
view_free(struct view *v)
{
	rx_free(v->filter);
	rx_free(v->search);
	table_free(&v->table);
	free(v->gbuf);
	v->gbuf = NULL;
	v->groups = NULL;
	v->filter = v->search = NULL;
}

/* Read what the signal handler wrote, so poll() sleeps again. */
static void
view_drain_signals(void)
{
	char buf[64];

	while (read(view_sigpipe[0], buf, sizeof buf) > 0)
		continue;
}

int
view_run(struct app *app)
{
	struct view v;
	struct sigaction sa;
	int code = EXIT_OK, i;

	view_init(&v, app);
	if (pipe2(view_sigpipe, O_CLOEXEC | O_NONBLOCK) != 0)
		fatal(EXIT_FAILURE_GENERIC, "pipe: %s", strerror(errno));
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = view_on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
	sigaction(SIGTSTP, &sa, NULL); /* before initscr: ncurses leaves it */
	sigaction(SIGCONT, &sa, NULL); /* after a SIGSTOP from outside */
	fatal_set_hook(view_restore_terminal, view_sigpipe[1]);
	view_init_curses(&v);

	view_pump(&v); /* a replay shows its first sample at once */
	while (!v.quit && view_signal == 0) {
		struct pollfd pfd[3] = {
			{ STDIN_FILENO, POLLIN, 0 },
			{ view_sigpipe[0], POLLIN, 0 },
			{ pump_fd(app->pump), POLLIN, 0 },
		};
		int ch, timeout = pump_timeout(app->pump);

		if (view_tstp)
			view_suspend();
		if (view_cont) {
			/* Continued after a stop we did not make: the shell
			 * may have changed the modes and the screen. */
			view_cont = 0;
			reset_prog_mode();
			clearok(curscr, TRUE);
		}
		view_draw(&v);
		/* At most 250 ms asleep: a stuck sample never freezes keys,
		 * and "sample late" appears on time. */
		if (timeout < 0 || timeout > 250)
			timeout = 250;
		if (poll(pfd, 3, timeout) < 0 && errno != EINTR)
			break;
		if (pfd[1].revents & POLLIN)
			view_drain_signals();
		fatal_check(); /* the sampler's thread may have hit one */
		/* Keys first: they may look at rows of the model as drawn. */
		while (!v.quit && (ch = getch()) != ERR)
			view_key(&v, ch);
		view_pump(&v);
	}
	view_restore_terminal();
	fatal_set_hook(NULL, -1);
	delscreen(view_screen);
	view_screen = NULL;
	if (view_signal != 0)
		code = 128 + view_signal;
	view_free(&v);
	for (i = 0; i < 2; i++) {
		close(view_sigpipe[i]);
		view_sigpipe[i] = -1;
	}
	return code;
}
