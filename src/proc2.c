/*
 * proc2.c - libproc2's process table, loaded with dlopen() on first use.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>

#include "dynlib.h"
#include "proc2.h"

static struct proc2 proc2;
static pthread_once_t proc2_once = PTHREAD_ONCE_INIT;
static char proc2_why[160]; /* "" once loaded */

static void
proc2_load(void)
{
	static const char *const sonames[] = { "libproc2.so.0" };
	static const struct dynlib_sym syms[] = {
#define PROC2_SYM(f) DYNLIB_SYM(struct proc2, f, "procps_" #f)
		PROC2_SYM(pids_new),
		PROC2_SYM(pids_unref),
		PROC2_SYM(pids_reap),
		PROC2_SYM(pids_select),
#undef PROC2_SYM
	};
	static const struct dynlib lib = { "libproc2", sonames,
		sizeof sonames / sizeof sonames[0], "libproc2-0", "4.0", syms,
		sizeof syms / sizeof syms[0] };

	(void)dynlib_load(&lib, &proc2, proc2_why, sizeof proc2_why);
}

const struct proc2 *
proc2_get(char *why, size_t size)
{
	pthread_once(&proc2_once, proc2_load);
	if (proc2_why[0] == '\0')
		return &proc2;
	if (size > 0)
		snprintf(why, size, "%s", proc2_why);
	return NULL;
}
