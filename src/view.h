/*
 * view.h - the ncurses dashboard.  The only interface main needs; the view
 * files are the only ones that include <curses.h>.
 */
#ifndef MEMTOP_VIEW_H
#define MEMTOP_VIEW_H

#include <stdbool.h>

#include "app.h"

/* Whether the dashboard can run here: stdin and stdout a terminal, TERM
 * usable.  If not, *why (malloc'd) says what is wrong. */
bool view_terminal_usable(char **why);

/* Run the dashboard until q, a signal, or -n samples; returns the exit
 * code (0 after q, 128 + signal after SIGINT/SIGTERM/SIGHUP/SIGQUIT). */
int view_run(struct app *app);

#endif
