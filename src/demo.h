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
	bool suspects;    /* the leak suspects' workload instead (below) */
};

/* --demo-suspects: three anonymous regions, named where the kernel allows
 * (warmup, leak, sawtooth): a warm-up of DEMO_WARMUP_MB over its first
 * DEMO_WARMUP_S seconds that then stays flat, a steady leak of
 * DEMO_SUSPECT_KB_S, and a sawtooth that grows DEMO_SAW_MB over
 * DEMO_SAW_S seconds and frees it (MADV_DONTNEED), again and again. */
#define DEMO_WARMUP_MB    48
#define DEMO_WARMUP_S     2.0
#define DEMO_SUSPECT_KB_S 512
#define DEMO_SAW_MB       8
#define DEMO_SAW_S        2.0

/* Runs until SIGTERM/SIGINT (then removes its files and exits 0).  Prints
 * "memtop demo: pid N" and then what it owns on stdout when ready. */
int demo_main(const struct demo_opts *o);

#endif
