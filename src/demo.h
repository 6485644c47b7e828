/*
 * demo.h - the bundled demo workload: a process that owns a region of every
 * major class and leaks at a known rate, so that something moves.  Also the
 * test suite's and the benchmark's target.
 */
#ifndef MEMTOP_DEMO_H
#define MEMTOP_DEMO_H

#include <stdbool.h>

#define DEMO_LEAK_KB_S 64 /* default leak rate into its "leak" region */

struct demo_opts {
	double leak_kb_s; /* how fast to leak (0: none) */
	long extra_maps;  /* that many more small separate mappings */
	bool hostile;     /* map files whose names hold escapes etc. */
	bool churn;       /* keep mapping and unmapping regions */
};

/* Runs until SIGTERM/SIGINT (then removes its files and exits 0).  Prints
 * "memtop demo: pid N" and then what it owns on stdout when ready. */
int demo_main(const struct demo_opts *o);

#endif
