/*
 * suspect.h - leak suspects: which tracked regions (or groups of them) grow
 * steadily, how fast, since when, and how sure memtop is of it.
 *
 * Pure: reads the model's history rings, counters and low points; no curses,
 * no I/O.  The suspects screen, the header line, the batch "suspects" output
 * and the cursor placement all read the same ranking.
 *
 * The trend of a series (suspect_series()):
 *   - the usable samples: present (not HISTORY_NONE) and later in time than
 *     the one before (a damaged recording may go backwards: those are
 *     dropped, never divided by);
 *   - if the series gives back what it gains (fall episodes each at least
 *     its median single rise, and at least SUSPECT_MIN_TROUGHS of them: GC
 *     cycles, a sawtooth), its trend points are its troughs: it is judged on
 *     the growth across cycles, not on each rise;
 *   - otherwise its trend points are the samples since its last low (the
 *     same rule as the model's per-region low point) or its last trough,
 *     so a leak that began late in the window is measured from where it
 *     began; and what the window gave back counts against it: kept = the
 *     window's net growth / all its rises, on a 3-sample median (a slow GC
 *     cycle seen once or twice keeps a half or a third);
 *   - the rate is the Theil-Sen slope of the trend points (the median of
 *     the pairwise slopes: a few wild samples do not move it), over at
 *     most SUSPECT_PAIR_POINTS of them;
 *   - steadiness = tau+ x spread x recent, each 0..1: Kendall's tau of the
 *     trend points (how consistently later is higher), 1 - the largest
 *     excess of one step's share of the rise over its share of the time (a
 *     one-off step scores about 0, a steady rise across a gap 1), and
 *     the growth over the last third of the span against what the rate says
 *     (a warm-up that has stopped scores 0);
 *   - confidence = steadiness x (1 - exp(-(k - 2) / 4)) for k trend points
 *     x G / (G + SUSPECT_MIN_GROWTH_KB) for the growth G = rate x span
 *     (x kept when not judged across cycles).
 */
#ifndef MEMTOP_SUSPECT_H
#define MEMTOP_SUSPECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"

#define SUSPECT_CONFIDENT     0.6 /* from here a suspect is named */
#define SUSPECT_MIN_TROUGHS   3   /* troughs to judge across cycles */
#define SUSPECT_MIN_GROWTH_KB 64  /* growth that counts for half */
#define SUSPECT_MAX_POINTS    MODEL_HISTORY
/* Trend points the Theil-Sen slope and tau are taken over, evenly spread
 * (1,128 pairs rather than 7,140 for a full window). */
#define SUSPECT_PAIR_POINTS 48
/* Candidates analysed in full per ranking (by regions, and by groups):
 * those that grew the most over the window.  Bounds the cost when
 * thousands of regions grow at once. */
#define SUSPECT_FULL_MAX 512

/* The trend of one series. */
struct suspect_trend {
	double rate_kb_s;  /* Theil-Sen slope of the trend points */
	double tau;        /* Kendall's tau of the trend points, -1..1 */
	double spread;     /* 1 - largest rise's excess share, 0..1 */
	double recent;     /* last third's growth / rate's, 0..1 */
	double steadiness; /* tau+ x spread x recent */
	double kept;       /* net growth / all rises of the window, 0..1 (not
	                counted against a cyclic series) */
	double confidence; /* 0..1; 0 when it does not grow */
	double from_mono;  /* first trend point: growth seen since then */
	double to_mono;    /* last usable sample */
	double growth_kb;  /* rate x (to - from) */
	uint32_t npoints;  /* trend points (samples, or troughs) */
	uint32_t nusable;  /* usable samples in the series */
	uint32_t ntroughs; /* fall episodes' troughs found */
	bool cyclic;       /* judged on its troughs */
};

/*
 * The trend of y[0..n) at times t[0..n) (seconds; kB values, HISTORY_NONE
 * for absent samples).  Only the last SUSPECT_MAX_POINTS samples are read.
 * Never fails: too few samples give a zero trend.
 */
void suspect_series(
    const double *t, const uint64_t *y, size_t n, struct suspect_trend *out);

/* "steady", "uneven", "in bursts", or "across cycles" (cyclic). */
const char *suspect_steadiness_word(const struct suspect_trend *tr);

/* Seconds until headroom_kb is used up at rate_kb_s; NAN when the headroom
 * is unknown (NAN or < 0) or the rate is not positive. */
double suspect_time_to_limit(double rate_kb_s, double headroom_kb);

/* One suspect: a tracked region (by == GROUP_NONE) or a group. */
struct suspect {
	enum group_by by;
	uint64_t id;           /* GROUP_NONE: tracked region id */
	uint64_t key;          /* a group: region_group.key */
	enum region_class cls; /* the region's, or GROUP_CLASS's */
	uint32_t path_id;      /* model_path(); 0: anonymous or a class group */
	uint64_t start, end;   /* GROUP_NONE: its range now */
	size_t nregions;       /* 1 for a region */
	char label[128];       /* class label ("anon:leak", "heap") */
	struct suspect_trend trend;
	double rate_kb_s;        /* = trend.rate_kb_s */
	double confidence;       /* = trend.confidence */
	double score;            /* the ranking's key: rate x confidence */
	uint64_t rss_kb;         /* now */
	int64_t growth_start_kb; /* RSS since the first sample (born later:
	                            all of it) */
	int64_t growth_base_kb;  /* RSS since the baseline */
	double share_process;    /* rate / the process's rate: NAN when the
	                            process does not grow; above 1 when
	                            others shrink */
	double share_cgroup;     /* rate / suspect_opts.cgroup_rate_kb_s */
	double since_mono;       /* when it began to grow */
	double since_wall;
	double growing_s; /* since then, to the last sample */
	double oom_s;     /* suspect_time_to_limit(rate, headroom) */
};

struct suspect_opts {
	enum group_by by;   /* GROUP_NONE: regions; GROUP_CLASS, GROUP_FILE */
	size_t window;      /* samples read (0: all the model keeps) */
	size_t max;         /* at most that many suspects (0: all found) */
	double headroom_kb; /* room under the OOM limit (src/oom.c); NAN
	                       unknown */
	double cgroup_rate_kb_s; /* the cgroup's growth; NAN unknown */
};
/* Regions, the whole window, at most 10, no OOM or cgroup figures. */
void suspect_opts_init(struct suspect_opts *o);

/* The ranking's memory, reused from one call to the next. */
struct suspect_ranking;
struct suspect_ranking *suspect_ranking_new(void);
void suspect_ranking_free(struct suspect_ranking *sr);

/*
 * Rank the model's growing regions (or groups) by sustained growth:
 * confident suspects (confidence >= SUSPECT_CONFIDENT) first, then the
 * others, each tier by score (rate x confidence).  Only what grows is
 * listed: a positive rate and some confidence.  Gone regions are not.
 * *out is owned by sr, valid until its next call; called again for the
 * same model sample and options (max aside: the whole ranking is kept and
 * cut on return) it returns the same array without work.
 * By groups it calls model_groups(), which replaces the array an earlier
 * model_groups() call returned.
 */
size_t suspect_rank(struct suspect_ranking *sr, struct model *m,
    const struct suspect_opts *o, const struct suspect **out);
/* The trend of the process's RSS (model totals) at the last ranking. */
const struct suspect_trend *suspect_process_trend(
    const struct suspect_ranking *sr);
/* Regions that passed the prefilter, and were analysed in full, at the
 * last ranking (what it cost). */
size_t suspect_ncandidates(const struct suspect_ranking *sr);
size_t suspect_nanalysed(const struct suspect_ranking *sr);

/* The first suspect when it is confident, else NULL: where the region
 * table puts its cursor, what the header names. */
const struct suspect *suspect_top(const struct suspect *s, size_t n);

/*
 * The header line: "leak suspect: anon 7f93…  +64K/s for 3m05s, steady"
 * (an ASCII "..." when utf8 is false).  A region is named by its class
 * and its start address, or its file's base name; a group by its class or
 * file.  Bytes from the target are escaped (esc_text).  Returns the length
 * written (at most size - 1, NUL-terminated).
 */
size_t suspect_line(const struct model *m, const struct suspect *s, char *buf,
    size_t size, bool utf8);

#endif
