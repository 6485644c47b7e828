/*
 * view.h - the ncurses dashboard.  The only interface main needs.
 */
#ifndef MEMTOP_VIEW_H
#define MEMTOP_VIEW_H

#include <stdbool.h>

#include "app.h"

/* Whether the dashboard can run here: stdout a tty, TERM usable.  If not,
 * *why (malloc'd) says what is wrong. */
bool view_terminal_usable(char **why);

/* Run the dashboard until q (or -n samples, or a fatal signal); returns the
 * exit code. */
int view_run(struct app *app);

#endif
