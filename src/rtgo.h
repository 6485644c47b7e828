/*
 * rtgo.h - pure parsers of what a Go program exposes about its runtime:
 * (buf, len) in, struct rt_figures out, no I/O.  Never trust the input: each
 * survives any bytes (fuzz/fuzz-runtime.c).
 *
 *   pprof    /debug/pprof/heap?debug=1: the "# runtime.MemStats" block that
 *            ends the text ("# HeapAlloc = 123", "# Stack = inuse / sys",
 *            "# PauseNs = [...]")
 *   expvar   /debug/vars: JSON whose top-level "memstats" object holds
 *            runtime.MemStats by field name
 *   prom     Prometheus text: go_memstats_*_bytes (client_golang), or where
 *            those are missing go_memory_classes_*_bytes (runtime/metrics)
 */
#ifndef MEMTOP_RTGO_H
#define MEMTOP_RTGO_H

#include <stddef.h>

#include "rtfig.h"

/* Each: 0 with f->status OK and the source set, or -EINVAL with
 * RT_ST_ERROR and a one-line reason.  f->mono and f->wall are left 0. */
int rtgo_parse_pprof(const char *buf, size_t len, struct rt_figures *f);
int rtgo_parse_expvar(const char *buf, size_t len, struct rt_figures *f);
int rtgo_parse_prom(const char *buf, size_t len, struct rt_figures *f);

/* Whichever of the three the body is (by its content, not its URL); a body
 * that is none of them (an HTML page, a binary profile, empty) gives a reason
 * that says what to ask for instead. */
int rtgo_parse(const char *buf, size_t len, struct rt_figures *f);

#endif
