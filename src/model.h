/*
 * model.h - tracked regions across samples: identity, history, deltas, rates.
 *
 * The model ingests snapshots in order and keeps, for every region it has
 * seen, a tracked_region that survives brk growth, mremap and splits/merges
 * (DESIGN.md "Identity across samples").  All time comes from the snapshots,
 * so a replay gives the same numbers as the live run.  No curses here.
 */
#ifndef MEMTOP_MODEL_H
#define MEMTOP_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "classify.h"
#include "snapshot.h"

#define MODEL_HISTORY     120 /* samples of history kept per region */
#define MODEL_GONE_TTL    10  /* samples a gone region stays visible */
#define MODEL_RATE_WINDOW 30  /* samples in the least-squares rate window */

/* Series kept in the history rings: the first SERIES_COUNT per region,
 * per group and for the totals, the rest for the totals only. */
enum series {
	SERIES_RSS,
	SERIES_PSS,
	SERIES_SWAP,
	SERIES_PRIVATE_DIRTY,
	SERIES_COUNT,
	SERIES_ANON = SERIES_COUNT, /* Anonymous: */
	SERIES_TOTAL_COUNT
};
const char *series_name(enum series s);
/* The smaps field a series follows. */
enum smaps_field series_field(enum series s);

enum tracked_state { TR_NEW, TR_LIVE, TR_GONE };
const char *tracked_state_name(enum tracked_state s);

/* Ring of the last MODEL_HISTORY values, indexed by model sample number:
 * the totals' and the groups' series. */
struct history {
	uint32_t v[MODEL_HISTORY]; /* kB; saturates at UINT32_MAX */
};

/*
 * A region's series, change-coded (model.c): the value at the first sample
 * kept, then per later sample a run of unchanged samples or a change, as
 * bytes.  A steady region's series costs its 16 bytes; one that changes
 * every sample about 2 bytes a sample.  Read it with model_region_history()
 * or model_region_ring().
 */
struct series_log {
	union {
		uint8_t in[8]; /* len <= 8: the bytes themselves */
		uint8_t *heap; /* else malloc'd */
	} b;
	uint32_t first; /* kB at the first sample kept */
	uint16_t len;   /* bytes of changes */
	uint16_t tail;  /* offset of the last change's first byte */
};

/* What happened to a tracked region's range over its life. */
#define TR_EVENT_GREW   0x01 /* end moved up (brk, mremap) */
#define TR_EVENT_SHRANK 0x02
#define TR_EVENT_MOVED  0x04 /* start changed, same path overlapping */
#define TR_EVENT_MERGED 0x08 /* absorbed a neighbour */
#define TR_EVENT_SPLIT  0x10 /* a part of it became another region */

/*
 * The counters a region keeps at its previous sample, at the baseline and at
 * its first sample: the series' (SERIES_TOTAL_COUNT of them) and Size, the
 * ones the outputs show deltas of.  Read them with tracked_prev(), tracked_base()
 * and tracked_first(), which give the current value for other counters.
 */
#define TRACKED_KEPT (SERIES_TOTAL_COUNT + 1)

/* About 420 bytes a region (model.h's users read it, model.c writes it). */
struct tracked_region {
	uint64_t id; /* unique for the model's life, from 1 */
	uint64_t start, end;
	uint64_t offset, inode;
	uint64_t vmflags;
	uint64_t first_seq;   /* model sample it first appeared in */
	uint64_t last_seq;    /* last model sample it was present in */
	uint64_t changed_seq; /* last sample a series changed in */
	uint64_t first_start, first_end; /* range when it appeared */
	double first_time;               /* wall clock when it appeared */
	/* Its last low point: the lowest RSS since it appeared, moved to
	 * the latest sample that came back within MODEL_LOW_SLACK() of it.
	 * A region whose RSS is above low_kb has been growing since
	 * low_mono/low_wall (the leak suspects' "since"). */
	uint64_t low_kb;
	double low_mono, low_wall;
	uint32_t dev_major, dev_minor;
	uint32_t path_id; /* model_path(); 0 = anonymous */
	uint32_t present; /* smaps fields seen in the last sample */
	uint32_t events;  /* TR_EVENT_* bits */
	enum region_class cls;
	enum region_class builtin; /* before the user rules (stays a thread
	                              stack across a sample without an SP) */
	struct class_why why;      /* classify_explain() says it in words */
	enum tracked_state state;
	char perms[5];
	uint8_t deleted;
	uint8_t has_vmflags;
	uint32_t
	    kb[SF_COUNT]; /* counters at the last sample seen (saturated) */
	uint32_t prev_kb[TRACKED_KEPT];  /* at the sample before (0 when new) */
	uint32_t base_kb[TRACKED_KEPT];  /* at the baseline (0 if born after) */
	uint32_t first_kb[TRACKED_KEPT]; /* at the first sample (0 if after) */
	struct series_log hist[SERIES_COUNT];
};

/* All a region's class label (model_class_label()) and path depend on, as
 * one number: regions of equal keys have equal labels and paths. */
static inline uint64_t
tracked_label_key(const struct tracked_region *r)
{
	return (uint64_t)r->path_id << 32 | (uint64_t)r->cls;
}

/* Index into prev_kb/base_kb/first_kb of a counter, -1 if not kept. */
static inline int
tracked_kept(enum smaps_field f)
{
	switch (f) {
	case SF_RSS:
		return 0;
	case SF_PSS:
		return 1;
	case SF_SWAP:
		return 2;
	case SF_PRIVATE_DIRTY:
		return 3;
	case SF_ANONYMOUS:
		return 4;
	case SF_SIZE:
		return 5;
	default:
		return -1;
	}
}

/* A counter at the previous sample, the baseline, the first sample (the
 * current value for a counter not kept: no change). */
static inline uint64_t
tracked_prev(const struct tracked_region *r, enum smaps_field f)
{
	int k = tracked_kept(f);

	return k >= 0 ? r->prev_kb[k] : r->kb[f];
}
static inline uint64_t
tracked_base(const struct tracked_region *r, enum smaps_field f)
{
	int k = tracked_kept(f);

	return k >= 0 ? r->base_kb[k] : r->kb[f];
}
static inline uint64_t
tracked_first(const struct tracked_region *r, enum smaps_field f)
{
	int k = tracked_kept(f);

	return k >= 0 ? r->first_kb[k] : r->kb[f];
}
/* How close to its low a region's RSS must come to be "at its low" again:
 * a page, plus 1/1024 of the low (noise of big file mappings). */
#define MODEL_LOW_SLACK(low_kb) (4 + (low_kb) / 1024)

/*
 * Series of the totals alone, from each sample's facts rather than its
 * regions: what the kernel cannot reclaim, which the OOM projection follows
 * (oom.h).  kB; a sample without the figure holds TOTALS_ABSENT.
 */
enum totals_series {
	TS_UNRECLAIMABLE,    /* the process: RssAnon + RssShmem + VmSwap */
	TS_CG_UNRECLAIMABLE, /* the cgroup whose limit binds: anon + shmem */
	                     /* + unreclaimable kernel (cgroup_limit) */
	TS_CG_SWAP,          /* that cgroup's swap in use */
	/* The runtime's own figures (snapshot_info.rt), at the samples that
	 * brought a new reading (absent at the others): */
	TS_RT_USED,      /* JVM heap used; Go HeapAlloc */
	TS_RT_COMMITTED, /* JVM heap committed; Go HeapSys - HeapReleased */
	TS_RT_OLD,       /* JVM old generation used */
	TS_RT_IDLE,      /* Go HeapIdle */
	TS_RT_RELEASED,  /* Go HeapReleased */
	TS_COUNT
};
#define TOTALS_ABSENT UINT32_MAX

/* Totals over the regions that are not gone, per sample. */
struct model_totals {
	uint64_t kb[SF_COUNT];
	uint64_t base_kb[SF_COUNT];
	uint64_t prev_kb[SF_COUNT];
	size_t nregions; /* not gone */
	struct history hist[SERIES_TOTAL_COUNT];
	struct history facts[TS_COUNT];
};

/* An aggregate of regions: by class, or by file object (path). */
enum group_by { GROUP_NONE, GROUP_CLASS, GROUP_FILE, GROUP_COUNT };
const char *group_by_name(enum group_by g);

struct region_group {
	enum group_by by;
	uint64_t key;          /* what members share (model.c) */
	enum region_class cls; /* GROUP_CLASS */
	uint32_t path_id;      /* GROUP_FILE (0: anonymous, by class) */
	char label[128];       /* class name, or "" for files: use path */
	size_t nregions;       /* members not gone */
	uint64_t kb[SF_COUNT];
	uint64_t base_kb[SF_COUNT];
	uint64_t prev_kb[SF_COUNT];
	uint64_t first_kb[SF_COUNT]; /* members' first_kb */
	double rate_kb_s;            /* of SF_RSS; NAN: not known yet */
	struct history hist[SERIES_COUNT];
};

struct model;

struct model *model_new(void);
void model_free(struct model *m);
/* Forget every sample: m is then as model_new() made it (a replay that
 * jumps starts it again; pointers into it are no longer valid). */
void model_reset(struct model *m);
/* A number no other model of this process had: tracked region ids mean the
 * same region only between two states of the same model. */
uint64_t model_serial(const struct model *m);
/* A number that moves whenever what the regions show may have moved (a
 * sample, a baseline, a settle): with model_serial(), what a table built
 * from m may keep. */
uint64_t model_version(const struct model *m);

/*
 * Ingest the next snapshot.  Classifies its regions, matches them to tracked
 * regions, updates history, ages out gone regions.  Memory comes from
 * xmalloc(), which exits when there is none: nothing here fails.
 */
void model_ingest(struct model *m, const struct snapshot *s);
/*
 * The pool made ready ahead of an ingest, on another thread: the smaps
 * parser calls model_pool_ahead(model_ahead(m), n) once it has n regions of
 * the sample it reads, and the chunks of tracked regions that those would
 * need beyond the last sample's are made and faulted in there, beside the
 * kernel's read, rather than in the ingest (a first sample at 60,000
 * mappings: 6,000 page faults).  Safe against whatever the model's thread
 * does meanwhile; model_ahead(m) lives as long as m.
 */
struct pool_ahead *model_ahead(struct model *m);
void model_pool_ahead(void *ahead, size_t n);
/* Chunks of the pool made ahead and not taken yet. */
size_t model_pool_spare(const struct model *m);
/* How many regions the last model_ingest() found as their tracked regions
 * had them, every field (a steady process's most): those only repeat
 * their values. */
size_t model_carried(const struct model *m);

/*
 * Ingest the next snapshot when its regions are those of the last one
 * ingested, every field the same (a replay's delta frame that kept them
 * all, player_step.kept, and the same threads, command line and runtime):
 * the sample's time, facts and totals now, the tracked regions' unchanged
 * samples at model_settle(), in one step each.  Anything else is
 * model_ingest().
 */
void model_ingest_kept(struct model *m, const struct snapshot *s);
/* Bring the tracked regions up to the last sample (model_ingest_kept()).
 * Before anything reads them; model_ingest() and the baseline calls do it
 * themselves. */
void model_settle(struct model *m);

/* Number of samples ingested so far; the latest is model_samples() - 1. */
uint64_t model_samples(const struct model *m);
/* Wall/monotonic time of sample seq (must be within the history window). */
double model_sample_time(const struct model *m, uint64_t seq);
double model_sample_mono(const struct model *m, uint64_t seq);

/* Facts from the last snapshot (pid, comm, status, cgroup...). */
const struct snapshot_info *model_info(const struct model *m);
enum target_state model_target_state(const struct model *m);
/* Wall time of the last sample that saw an exec, or 0. */
double model_exec_wall(const struct model *m);
double model_last_sample_ms(const struct model *m);
/* The counters of the last sample that were carried from the last full
 * one (snapshot.stale: 0 when it read smaps whole), and that one's wall
 * time. */
uint32_t model_stale(const struct model *m);
double model_full_wall(const struct model *m);
double model_last_wall(const struct model *m);
double model_first_wall(const struct model *m);
uint32_t model_torn(const struct model *m);

/* Tracked regions, sorted by start address; gone ones included. */
size_t model_nregions(const struct model *m);
const struct tracked_region *model_region(const struct model *m, size_t i);
/* model_region(m, i)->start, from the model's list: a pass over every
 * region's start reads 24 bytes a region, not the region. */
uint64_t model_region_start(const struct model *m, size_t i);
/* Find by id; NULL once dropped. */
const struct tracked_region *model_region_by_id(
    const struct model *m, uint64_t id);

/* Interned path bytes of a path_id (0 -> "", len 0). */
const char *model_path(const struct model *m, uint32_t path_id, size_t *len);
/* Display label of a region's class ("heap", "anon:NAME"). */
size_t model_class_label(const struct model *m, const struct tracked_region *r,
    char *buf, size_t size);

const struct model_totals *model_totals(const struct model *m);

/*
 * History of one series, oldest first, into out[0..max): returns the count
 * n <= min(max, MODEL_HISTORY, samples); slots before the region appeared
 * (or after it went) read HISTORY_NONE.
 */
#define HISTORY_NONE UINT64_MAX
size_t model_history(const struct model *m, const struct history *h,
    uint64_t first_seq, uint64_t last_seq, uint64_t *out, size_t max);
/* The same of a region's series (its first_seq and last_seq). */
size_t model_region_history(const struct model *m,
    const struct tracked_region *r, enum series s, uint64_t *out, size_t max);
/* A region's series as a ring: out->v[seq % MODEL_HISTORY] for the samples
 * it was present in within the window (the other slots are left alone). */
void model_region_ring(const struct model *m, const struct tracked_region *r,
    enum series s, struct history *out);
/* The snapshots' monotonic times of the same samples, out[i] the time of
 * model_history()'s out[i]: the same count for the same max.  Taken as
 * recorded: a damaged recording may hold times that go backwards. */
size_t model_history_mono(const struct model *m, double *out, size_t max);

/* Growth rate of a series in kB/s: least squares over the rate window.
 * NAN when it is not known yet: the region (or the process) has been seen
 * in fewer than two samples (fmt_rate() writes "\u2013", JSON null).  A
 * consumer tests isnan() (or compares, which is false for NAN). */
double model_region_rate(
    const struct model *m, const struct tracked_region *r, enum series s);
double model_totals_rate(const struct model *m, enum series s);

/*
 * A totals series over the last window_s seconds (at most MODEL_HISTORY
 * samples), oldest first: each sample's CLOCK_MONOTONIC time into t[] and
 * its value (kB) into kb[]; samples without the figure are left out.
 * Returns the number written (<= max).
 */
size_t model_totals_series(const struct model *m, enum totals_series s,
    double window_s, double *t, double *kb, size_t max);

/* Deltas in kB (signed) of a counter. */
int64_t tracked_delta_prev(const struct tracked_region *r, enum smaps_field f);
int64_t tracked_delta_base(const struct tracked_region *r, enum smaps_field f);

/* Baseline: m sets it to now, M returns it to the first sample. */
void model_mark_baseline(struct model *m);
void model_reset_baseline(struct model *m);
uint64_t model_baseline_seq(const struct model *m);

/*
 * Aggregate the current regions.  Returns the number of groups written to
 * *out (a model-owned array valid until the next ingest or group call), sorted
 * by RSS descending; gone regions are not counted.
 */
size_t model_groups(
    struct model *m, enum group_by by, const struct region_group **out);
/* The same over the regions keep() says yes to (not kept for the next
 * call: the filter may change). */
typedef bool (*region_pred)(
    const struct model *m, const struct tracked_region *r, const void *ctx);
size_t model_groups_of(struct model *m, enum group_by by, region_pred keep,
    const void *ctx, const struct region_group **out);
/* Whether tracked region r belongs to group g. */
bool model_group_has(const struct model *m, const struct region_group *g,
    const struct tracked_region *r);

#endif
