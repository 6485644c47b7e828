/*
 * proclist-tick.c - bench/run's probe of the process list: runs N ticks of
 * one proclist, D seconds apart (or with -s, one per line read on stdin,
 * until EOF: the caller interleaves them with what it compares), and prints
 * one JSON line per tick with its cost (wall and CPU ms) and what it read.
 *
 * usage: proclist-tick [-n TICKS] [-d SECONDS] [-t TOP] [-s]
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "proclist.h"
#include "util.h"

int
main(int argc, char **argv)
{
	const struct proclist_tick *t;
	struct proclist *l;
	long ticks = 10, top = PROCLIST_TOP_DEFAULT;
	double delay = 0.5;
	char *err = NULL;
	bool on_stdin = false;
	char line[64];
	long i;
	int c;

	while ((c = getopt(argc, argv, "n:d:t:s")) != -1) {
		switch (c) {
		case 'n':
			ticks = strtol(optarg, NULL, 10);
			break;
		case 'd':
			delay = strtod(optarg, NULL);
			break;
		case 't':
			top = strtol(optarg, NULL, 10);
			break;
		case 's':
			on_stdin = true;
			break;
		default:
			fprintf(stderr,
			    "usage: %s [-n TICKS] [-d SECONDS] "
			    "[-t TOP] [-s]\n",
			    argv[0]);
			return 2;
		}
	}
	l = proclist_new(&err);
	if (l == NULL) {
		fprintf(stderr, "proclist-tick: %s\n", err);
		free(err);
		return 1;
	}
	proclist_set_top(l, (size_t)top);
	for (i = 0; on_stdin || i < ticks; i++) {
		if (on_stdin && fgets(line, sizeof line, stdin) == NULL)
			break;
		if (!on_stdin && i > 0 && delay > 0) {
			struct timespec ts;

			ts.tv_sec = (time_t)delay;
			ts.tv_nsec = (long)((delay - (double)ts.tv_sec) * 1e9);
			nanosleep(&ts, NULL);
		}
		if (proclist_update(l) != 0) {
			fprintf(stderr, "proclist-tick: cannot list /proc\n");
			proclist_free(l);
			return 1;
		}
		t = proclist_last_tick(l);
		printf("{\"tick\": %llu, \"wall_ms\": %.3f, \"cpu_ms\": %.3f, "
		       "\"nprocs\": %zu, \"nnew\": %zu, \"ngone\": %zu, "
		       "\"nstatus\": %zu, \"nrollup\": %zu, \"nunpinned\": "
		       "%zu, \"nkthreads\": %zu, \"nhidden\": %zu, "
		       "\"nstatm\": %zu, \"nfailed\": %zu}\n",
		    (unsigned long long)t->seq, t->wall_ms, t->cpu_ms,
		    t->nprocs, t->nnew, t->ngone, t->nstatus, t->nrollup,
		    t->nunpinned, t->nkthreads, t->nhidden, t->nstatm,
		    t->nfailed);
		fflush(stdout);
	}
	proclist_free(l);
	return 0;
}
