/*
 * demo.h - the bundled demo workload: a process that owns a region of every
 * major class and leaks at a known rate, so that something moves.
 */
#ifndef MEMTOP_DEMO_H
#define MEMTOP_DEMO_H

#define DEMO_LEAK_KB_S 64	/* default leak rate into its "leaky" region */

/* Runs until killed.  leak_kb_s: how fast to leak (0: none).  Prints its PID
 * and what it owns on stdout when ready.  Returns an exit code. */
int demo_main(double leak_kb_s, const char *hostile_path);

#endif
