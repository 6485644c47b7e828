/*
 * view.c - the dashboard: the terminal, signals, the loop, and the
 * dispatch: a frame is the header, the current screen and the footer; a
 * key goes to the action the key tables give it (view-keys.c).  The
 * screens are in files of their own (view-int.h).
 */
#include "config.h"

#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <term.h>
#include <time.h>
#include <unistd.h>

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

/* The keys of every screen but the modal ones. */

static int
view_quit(struct view *v, int key)
{
	return VIEW_QUIT;
}

static int
view_help(struct view *v, int key)
{
	v->help_top = 0;
	view_open(v, &view_screen_help);
	return VIEW_DONE;
}

static int
view_redraw(struct view *v, int key)
{
	clearok(curscr, TRUE);
	return VIEW_DONE;
}

static int
view_ignore(struct view *v, int key)
{
	return VIEW_DONE;
}

static const struct view_action act_help = { "help", "this help", "Help",
	view_help };
static const struct view_action act_quit = { "quit", "quit", "Quit",
	view_quit };
static const struct view_action act_redraw = { "redraw", "redraw", NULL,
	view_redraw };
static const struct view_action act_resize = { "resize", NULL, NULL,
	view_ignore };

static const struct view_binding view_lead_bindings[] = {
	{ '?', &act_help, false },
	{ 'h', &act_help, true },
	{ KEY_F(1), &act_help, true },
	{ 0, NULL, false },
};

static const struct view_binding view_global_bindings[] = {
	{ 'q', &act_quit, false },
	{ KEY_F(10), &act_quit, true },
	{ 12, &act_redraw, false }, /* Ctrl-L */
	{ KEY_RESIZE, &act_resize, false },
	{ 0, NULL, false },
};

static const struct view_keys view_keys_lead = { "Everywhere",
	view_lead_bindings };
static const struct view_keys view_keys_global = { "Everywhere",
	view_global_bindings };

/* The footer: a prompt, a message, or the keys of the screen. */
static void
view_draw_footer(struct view *v)
{
	char hints[1024];
	int y = LINES - 1;

	move(y, 0);
	clrtoeol();
	if (view_prompt_active(v)) {
		view_prompt_draw(v, y);
		return;
	}
	curs_set(0);
	if (view_put_status_live(&v->status)) {
		if (v->colors)
			attron(COLOR_PAIR(PAIR_WARN));
		view_put(v->utf8, y, 0, v->status.text, strlen(v->status.text),
		    COLS, false);
		if (v->colors)
			attroff(COLOR_PAIR(PAIR_WARN));
		return;
	}
	view_keys_hints(v, v->screen, hints, sizeof hints);
	view_put_hints(y, hints);
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
	if (v->rebuild && v->app->model != NULL)
		view_rows_rebuild(v);
	if (v->screen->flags & VIEW_FULL) {
		v->screen->draw(v);
		refresh();
		return;
	}
	if (!(v->screen->flags & VIEW_OWN_HEADER))
		view_header_draw(v);
	v->screen->draw(v);
	view_draw_footer(v);
	refresh();
}

void
view_key(struct view *v, int ch)
{
	int what;

	/* Keys act on the rows as they are now (a sort or a sample before
	 * this key in the same batch has changed them). */
	if (v->rebuild && v->app->model != NULL && COLS >= MIN_COLS &&
	    LINES >= MIN_LINES)
		view_rows_rebuild(v);
	if (view_prompt_active(v)) {
		view_prompt_key(v, ch);
		return;
	}
	what = view_keys_run(v, ch);
	if (what & VIEW_UNBOUND)
		return;
	if (what & VIEW_REBUILD)
		v->rebuild = true;
	if (what & VIEW_QUIT)
		v->quit = true;
	if (v->screen->after_key != NULL)
		v->screen->after_key(v);
}

void
view_pump(struct view *v)
{
	int what;

	view_picker_pump(v);
	if (v->app->pump == NULL)
		return;
	what = pump_step(v->app->pump);

	if ((what & PUMP_WARN) && pump_warning(v->app->pump) != NULL)
		view_put_status_set(
		    &v->status, "%s", pump_warning(v->app->pump));
	if (what & (PUMP_SAMPLE | PUMP_END | PUMP_WAIT | PUMP_SWITCH))
		v->rebuild = true;
	if (what & PUMP_SWITCH) /* a new process: as a new dashboard */
		v->cursor_chosen = false;
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
	v->screen = &view_screen_regions;
	v->overlay =
	    app->player != NULL ? &view_overlay_replay : &view_overlay_live;
	v->lead = &view_keys_lead;
	v->common = &view_keys_global;
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
			view_put_status_set(&v->status, "filter: %s", err);
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
	view_picker_free(v);
	view_suspects_free(v);
	view_diff_free(v);
	moment_free(v->baseline);
	v->baseline = NULL;
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
	char *err = NULL;

	view_init(&v, app);
	if (app->picker && !view_picker_start(&v, app->pids, app->npids, &err))
		fatal(EXIT_FAILURE_GENERIC, "the process list: %s", err);
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
		/* The target's pump: a dashboard's, or none (the picker's
		 * list alone). */
		struct pump *pump = v.app->pump;
		struct pollfd pfd[3] = {
			{ STDIN_FILENO, POLLIN, 0 },
			{ view_sigpipe[0], POLLIN, 0 },
			{ pump ? pump_fd(pump) : -1, POLLIN, 0 },
		};
		int ch, timeout = pump ? pump_timeout(pump) : -1;
		int tick = view_picker_timeout(&v);

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
		if (tick >= 0 && (timeout < 0 || tick < timeout))
			timeout = tick;
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
