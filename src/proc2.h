/*
 * proc2.h - libproc2's process table, loaded with dlopen() on first use.
 *
 * Only the process list (memtop without -p, -b without -p) and -P's
 * matching read it; linked, libproc2 brings libsystemd and five more
 * libraries (libgcrypt, liblzma, ...) to every start of memtop.
 */
#ifndef MEMTOP_PROC2_H
#define MEMTOP_PROC2_H

#include <stddef.h>

#include <libproc2/pids.h>

struct proc2 {
	__typeof__(procps_pids_new) *pids_new;
	__typeof__(procps_pids_unref) *pids_unref;
	__typeof__(procps_pids_reap) *pids_reap;
	__typeof__(procps_pids_select) *pids_select;
};

/* libproc2's entry points (loaded once, from any thread), or NULL with why
 * ("libproc2 is not installed (libproc2.so.0: apt-get install
 * libproc2-0)"). */
const struct proc2 *proc2_get(char *why, size_t size);

#endif
