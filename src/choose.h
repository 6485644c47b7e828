/*
 * choose.h - what memtop watches, from -p and -P: one process (a
 * dashboard, a batch run), some (the picker on them), or all of them (the
 * picker; with -b, the process list).  No curses, no exit: main decides.
 */
#ifndef MEMTOP_CHOOSE_H
#define MEMTOP_CHOOSE_H

#include <stdbool.h>
#include <stddef.h>

#include "pick.h"
#include "rx.h"

enum choose_kind { CHOOSE_ONE, CHOOSE_SOME, CHOOSE_ALL };

struct choice {
	enum choose_kind kind;
	struct pick_proc proc; /* CHOOSE_ONE: its pid; by -P its identity */
	int *pids;             /* CHOOSE_SOME */
	size_t npids;
	struct rx *rx;    /* -P's pattern (--follow finds successors by it) */
	size_t nmatch;    /* -P: the processes that matched */
	bool took_oldest; /* -P: several matched, one was asked for */
};

/*
 * From -p LIST (pids_arg) or -P REGEX (pattern), or neither: fills *c.
 * With one_only (batch, --follow) several -P matches give the oldest.
 * 0, or the exit status (util.h) with *err (malloc'd): EXIT_USAGE for a
 * bad -p (a name gets "to pick by command line: -P NAME") or pattern, or
 * both given; EXIT_TARGET_GONE when no process matches -P.
 */
int choose_target(const char *pids_arg, const char *pattern, bool one_only,
    struct choice *c, char **err);
void choice_free(struct choice *c);

#endif
