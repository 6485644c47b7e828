/*
 * moment.h - what changed: a compact copy of the model at one sample (per
 * region its identity, range, class, path and counters) and the difference
 * between two such moments, region by region or group by group.
 *
 * A moment owns all its memory and outlives the model it came from, so the
 * diff screen can keep one (the baseline, a moment the user marked) and a
 * replay can diff two moments of a recording.  Pure: no curses, no I/O.
 */
#ifndef MEMTOP_MOMENT_H
#define MEMTOP_MOMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"

/* One region at the moment: the counters of the model's series (RSS, PSS,
 * Swap, Private_Dirty), in kB. */
struct moment_region {
	uint64_t id; /* tracked region id in the model it came from */
	uint64_t start, end;
	uint32_t path_off, path_len; /* moment_path() */
	enum region_class cls;
	char perms[5];
	uint8_t deleted;
	uint64_t kb[SERIES_COUNT];
};

struct moment {
	uint64_t model_serial; /* model_serial() of its model */
	uint64_t seq;          /* the model's sample number */
	double mono, wall;     /* the sample's times; NAN when unknown */
	bool baseline;         /* taken from the baseline counters */
	struct moment_region *regions; /* sorted by start */
	size_t nregions;
	char *strings; /* path bytes */
	size_t strings_len;
	uint64_t total_kb[SERIES_COUNT]; /* the process, all regions */
};

/* The model's last sample: its regions that are not gone. */
struct moment *moment_capture(const struct model *m);
/*
 * The model's baseline (model_mark_baseline(), or the first sample): the
 * regions present then, with their baseline counters.  Regions that were
 * there and have since been dropped (gone for more than MODEL_GONE_TTL
 * samples) are missing, and ranges are today's: for an exact baseline,
 * capture a moment when it is marked.  Times are NAN once the baseline is
 * older than the model's history (the wall time is kept for sample 0).
 */
struct moment *moment_capture_baseline(const struct model *m);
void moment_free(struct moment *mo);
/* Path bytes of a region of mo (len 0: anonymous). */
const char *moment_path(
    const struct moment *mo, const struct moment_region *r, size_t *len);

enum moment_change {
	MOMENT_NEW,    /* only in the later moment */
	MOMENT_GONE,   /* only in the earlier one */
	MOMENT_GREW,   /* in both, RSS up (or the first counter that moved) */
	MOMENT_SHRANK, /* in both, down */
	MOMENT_SAME    /* no counter moved (listed on request) */
};
const char *moment_change_name(enum moment_change c);

/* One line of a diff: a region, or a group of regions. */
struct moment_delta {
	enum moment_change change;
	/* Regions: the region in each moment (NULL when new or gone). */
	const struct moment_region *a, *b;
	/* Groups: the class (GROUP_CLASS, or anonymous memory by file), its
	 * label ("anon:pool"), or the file's path (borrowed from a moment);
	 * regions: the region's own class, label and path. */
	enum region_class cls;
	char label[128];
	const char *path;
	size_t path_len;
	size_t na, nb;               /* members in each moment */
	uint64_t a_kb[SERIES_COUNT]; /* counters in each moment */
	uint64_t b_kb[SERIES_COUNT];
	int64_t delta_kb[SERIES_COUNT]; /* b - a */
};

struct moment_diff {
	enum group_by by;
	double span_s;          /* b's time - a's; NAN when unknown */
	struct moment_delta *d; /* by the size of the change, biggest
	                               first: the largest |delta| of any
	                               counter, then address or label */
	size_t n;
	size_t nnew, ngone, ngrew, nshrank;
	int64_t total_delta_kb[SERIES_COUNT]; /* the process's */
};

/*
 * What changed from moment a to moment b (a the earlier), by region
 * (GROUP_NONE) or by group (GROUP_CLASS, GROUP_FILE: as model_groups()
 * groups).  Regions are paired by tracked id when both moments come from
 * one model, else by the model's identity rule (same path and start, else
 * the first of the same path that overlaps).  Unchanged lines are left out
 * unless with_same.  The diff borrows both moments: free it first.
 */
struct moment_diff *moment_diff(const struct moment *a, const struct moment *b,
    enum group_by by, bool with_same);
void moment_diff_free(struct moment_diff *d);
/* The line of a region diff whose region starts at start (in the later
 * moment, or the earlier when it is gone), or NULL. */
const struct moment_delta *moment_diff_find(
    const struct moment_diff *d, uint64_t start);

#endif
