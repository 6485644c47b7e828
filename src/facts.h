/*
 * facts.h - the facts of a sample beside its regions, said the same way by
 * every output: the memory cgroup and the limit that binds, the OOM
 * projection, the program's runtime and the runtime's own figures, and how
 * the target ended.  Text lines (batch, --info), JSON members, CSV cells,
 * and the dashboard header's lines shortened to a width.  No curses: the
 * view and batch.c call these.
 *
 * Everything comes from the model and the verdict, never from the clock,
 * so a replay prints what the live run printed.  Strings from the target
 * (paths, the JVM's words) are escaped here.
 */
#ifndef MEMTOP_FACTS_H
#define MEMTOP_FACTS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "model.h"
#include "oom.h"
#include "rtfig.h"
#include "verdict.h"

/* What one sample's outputs say beside the regions, worked out once. */
struct facts {
	struct oom_projection oom;
	struct rt_rates rates;          /* the runtime's figures, per second */
	uint64_t rt_resident_kb;        /* RSS of the runtime's heap regions */
	char limit_cgroup[CG_PATH_MAX]; /* whose limit binds (raw), or "" */
};

/* The facts of the model's last sample. */
void facts_get(const struct model *m, struct facts *fx);

/* Rates (bytes/s) of the runtime's figures the model keeps a series of:
 * the JVM's heap used, committed and old generation; Go's HeapAlloc,
 * HeapIdle and HeapReleased; fitted over the last RTFACTS_WINDOW_S. */
#define RTFACTS_WINDOW_S 30.0
void facts_rt_rates(const struct model *m, struct rt_rates *out);

/* "go1.22.1", "JVM", "CPython 3.11", or "" when the program runs none of
 * them (as far as memtop knows).  Returns buf. */
char *facts_runtime_name(
    const struct snapshot_info *in, char *buf, size_t size);

/* Whether the runtime's figures make a line of their own: a JVM's when it
 * could read them (a JVM without hsperfdata says nothing), a Go endpoint's
 * always (the user asked for it: its errors are news). */
bool facts_rt_shown(const struct rt_figures *f);

/* ---- batch ---- */

/* The text lines after the totals: the cgroup, the projection and what it
 * assumes, pressure, the runtime. */
void facts_text(FILE *f, const struct model *m, const struct facts *fx);
/* "ended: OOM-killed (cgroup /x: limit 96M), 01:49:23 (evidence: ...)" */
void facts_text_end(FILE *f, const struct end_verdict *v);
/* The one line of how the target ended, without "ended: ": verdict and
 * local time.  Escaped.  Returns buf. */
char *facts_end_line(const struct end_verdict *v, char *buf, size_t size);

/* JSON members after the totals: , "cgroup": {...}, "oom": {...},
 * "runtime": {...}, "program": {...} (each when there is one). */
void facts_json(FILE *f, const struct model *m, const struct facts *fx);
/* The final JSON record of a target that ended:
 * {"time": T, "pid": P, "comm": C, "state": S, "end": {...}}. */
void facts_json_end(FILE *f, const struct model *m, const struct end_verdict *v,
    enum target_state st);

/* The CSV columns (",oom_eta_s,..."), and one row's cells (",41.2,...");
 * v, when not NULL, fills the end columns. */
void facts_csv_head(FILE *f);
void facts_csv_cells(FILE *f, const struct model *m, const struct facts *fx,
    const struct end_verdict *v);

/* ---- the dashboard's header ---- */

/*
 * The cgroup/OOM line at most width columns wide, the longest form that
 * fits: "cgroup 68M of 96M (71%), OOM in ~41s at +2.2M/s  OOM kills +1
 * since start  pod 0f3a... [/kubepods/...]" down to "cg 68M/96M OOM ~41s"
 * at 40 columns; mem_shown: MemAvailable is on the line above already.  Raw bytes of the path: escape when drawing.  Returns
 * 1 when the line is a warning (the limit near, an OOM soon, pressure), 0
 * otherwise, -1 when there is nothing to say.
 */
int facts_header_limit(const struct model *m, const struct facts *fx, int width,
    bool mem_shown, char *buf, size_t size);
/* Once the target has ended, the line says how instead: "ended:
 * OOM-killed (cgroup /x: limit 96M), 01:49:23" down to "OOM-killed: limit
 * 96M".  Escaped.  Returns 1 (a warning) for an OOM kill, else 0. */
int facts_header_end(
    const struct end_verdict *v, int width, char *buf, size_t size);
/* The runtime line at most width columns: "Java heap: used 412M of
 * committed 1.0G; resident 1.0G; old gen +3.1M/s" down to "Java heap
 * 412M/1.0G old +3.1M/s".  False when there is none to show. */
bool facts_header_runtime(const struct model *m, const struct facts *fx,
    int width, char *buf, size_t size);

/* The lines of the runtime's figures for the detail of its heap region
 * (each at most width bytes, into out[i * width]); the reason alone when
 * there are none.  Returns the count (<= max). */
size_t facts_rt_detail(const struct snapshot_info *in,
    const struct rt_rates *rates, char *out, size_t width, size_t max);

/* ---- --info ---- */

/* What grew most in the last window_s seconds of the model's samples: the
 * classes and regions with their rates, a few lines under a title. */
void facts_final_window(FILE *f, struct model *m, double window_s);

#endif
