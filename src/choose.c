/*
 * choose.c - -p and -P to what memtop watches.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "choose.h"
#include "proc2.h"
#include "util.h"

/* Whether arg looks like a name rather than numbers and commas. */
static bool
choose_is_name(const char *arg)
{
	for (; *arg != '\0'; arg++) {
		if (isalpha((unsigned char)*arg) || *arg == '_' ||
		    *arg == '/' || *arg == '.')
			return true;
	}
	return false;
}

static int
choose_by_pids(const char *arg, struct choice *c, char **err)
{
	char *why = NULL, *end;
	long one;

	/* One number: that process, or none (the source says so: exit 3
	 * for a PID no process has, even beyond the kernel's limit). */
	errno = 0;
	one = strtol(arg, &end, 10);
	if (*arg >= '0' && *arg <= '9' && *end == '\0' && errno == 0 &&
	    one > 0 && one <= INT_MAX) {
		c->kind = CHOOSE_ONE;
		c->proc.pid = (int)one;
		if (pick_proc_of(c->proc.pid, &c->proc) != 0)
			c->proc.start_time = 0;
		return 0;
	}

	if (pick_parse_pids(arg, &c->pids, &c->npids, &why) != 0) {
		if (choose_is_name(arg)) {
			char esc[256];

			esc_text(arg, strlen(arg), esc, sizeof esc, true);
			*err =
			    xasprintf("-p: '%s' is not a process ID; to pick "
			              "a process by its command line: -P '%s'",
			        esc, esc);
			free(why);
		} else
			*err = why;
		return EXIT_USAGE;
	}
	if (c->npids == 1) {
		c->kind = CHOOSE_ONE;
		c->proc.pid = c->pids[0];
		if (pick_proc_of(c->proc.pid, &c->proc) != 0)
			c->proc.start_time = 0; /* the source will say */
		free(c->pids);
		c->pids = NULL;
		c->npids = 0;
	} else
		c->kind = CHOOSE_SOME;
	return 0;
}

static int
choose_by_name(const char *pattern, bool one_only, struct choice *c, char **err)
{
	struct pick_proc *found = NULL;
	char *why = NULL, esc[256];
	int n;
	size_t i;

	if ((c->rx = rx_compile(pattern, &why)) == NULL) {
		*err = xasprintf("-P: %s", why);
		free(why);
		return EXIT_USAGE;
	}
	esc_text(pattern, strlen(pattern), esc, sizeof esc, true);
	n = pick_by_name(c->rx, 0, &found);
	if (n < 0) {
		char lib[160];

		if (proc2_get(lib, sizeof lib) != NULL)
			snprintf(lib, sizeof lib, "%s", strerror(-n));
		*err = xasprintf("-P: the processes cannot be listed: %s", lib);
		return EXIT_FAILURE_GENERIC;
	}
	if (n == 0) {
		*err = xasprintf(
		    "-P '%s': no process's command line matches", esc);
		return EXIT_TARGET_GONE;
	}
	c->nmatch = (size_t)n;
	if (n == 1 || one_only) {
		/* Oldest first: the service, not the last worker it forked. */
		c->kind = CHOOSE_ONE;
		c->proc = found[0];
		c->took_oldest = n > 1;
	} else {
		c->kind = CHOOSE_SOME;
		c->pids = xmalloc((size_t)n * sizeof *c->pids);
		for (i = 0; i < (size_t)n; i++)
			c->pids[i] = found[i].pid;
		c->npids = (size_t)n;
	}
	free(found);
	return 0;
}

int
choose_target(const char *pids_arg, const char *pattern, bool one_only,
    struct choice *c, char **err)
{
	memset(c, 0, sizeof *c);
	c->kind = CHOOSE_ALL;
	if (pids_arg != NULL && pattern != NULL) {
		*err = xstrdup("-p and -P: give one or the other");
		return EXIT_USAGE;
	}
	if (pids_arg != NULL)
		return choose_by_pids(pids_arg, c, err);
	if (pattern != NULL)
		return choose_by_name(pattern, one_only, c, err);
	return 0;
}

void
choice_free(struct choice *c)
{
	free(c->pids);
	rx_free(c->rx);
	memset(c, 0, sizeof *c);
}
