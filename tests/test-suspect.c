/*
 * test-suspect.c - leak suspects and what changed: the trend of synthetic
 * series (flat, steady, one step, a warm-up, a sawtooth, GC cycles whose
 * troughs rise, gaps, a region that vanishes, time going backwards), the
 * ranking of a synthetic model's regions and groups, the header line, and
 * the difference between two moments.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "moment.h"
#include "suspect.h"
#include "tap.h"

#define N  120
#define DT 0.5 /* seconds between samples */

static double ts[N];
static uint64_t ys[N];

/* Times 100, 100.5, ... */
static void
times(size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		ts[i] = 100 + DT * (double)i;
}

static struct suspect_trend
trend(size_t n)
{
	struct suspect_trend tr;

	suspect_series(ts, ys, n, &tr);
	diag("rate %.1f tau %.2f spread %.2f recent %.2f conf %.2f k %u%s",
	    tr.rate_kb_s, tr.tau, tr.spread, tr.recent, tr.confidence,
	    tr.npoints, tr.cyclic ? " cyclic" : "");
	return tr;
}

static void
test_flat_steady_step(void)
{
	struct suspect_trend tr;
	size_t i;

	times(20);
	for (i = 0; i < 20; i++)
		ys[i] = 1000;
	tr = trend(20);
	ok(tr.rate_kb_s == 0 && tr.confidence == 0, "flat: no growth");

	for (i = 0; i < 20; i++)
		ys[i] = 1000 + 256 * i; /* 512 kB/s */
	tr = trend(20);
	ok(fabs(tr.rate_kb_s - 512) < 1e-6, "steady: the rate, 512 kB/s");
	ok(tr.confidence >= 0.8 && tr.steadiness >= 0.75 && !tr.cyclic,
	    "steady: confident (%.2f)", tr.confidence);
	is_str(suspect_steadiness_word(&tr), "steady", "and called steady");
	ok(fabs(tr.from_mono - 100) < 1e-9 && fabs(tr.to_mono - 109.5) < 1e-9,
	    "it grows since the first sample");

	for (i = 0; i < 20; i++)
		ys[i] = i < 10 ? 1000 : 1000 + 48 * 1024;
	tr = trend(20);
	ok(tr.confidence < 0.1,
	    "one step of 48 MB mid-window: no confidence (%.2f)",
	    tr.confidence);

	/* A cache warm-up: 48 MB over 2 s, then flat. */
	for (i = 0; i < 20; i++)
		ys[i] = 1000 + 12 * 1024 * (i < 4 ? i : 4);
	tr = trend(20);
	ok(tr.rate_kb_s == 0 && tr.confidence == 0,
	    "a warm-up 10 s ago: no growth now (%.1f kB/s)", tr.rate_kb_s);
	tr = trend(7);
	ok(tr.confidence < 0.3, "a warm-up just over: little confidence (%.2f)",
	    tr.confidence);

	/* Too few samples. */
	for (i = 0; i < 2; i++)
		ys[i] = 1000 + 4096 * i;
	tr = trend(2);
	ok(tr.confidence == 0 && tr.nusable == 2,
	    "two samples: nothing to say");
}

/* A sawtooth (GC cycles): judged on its troughs. */
static void
test_cycles(void)
{
	struct suspect_trend tr;
	size_t i;

	/* +8 MB over 2 s, freed: 0, 2, 4, 6 MB, 0, ... */
	times(20);
	for (i = 0; i < 20; i++)
		ys[i] = 2048 * (i % 4);
	tr = trend(20);
	ok(tr.cyclic && tr.ntroughs >= 3,
	    "a sawtooth is judged on its troughs");
	ok(tr.confidence < 0.1 && tr.rate_kb_s < 1,
	    "flat troughs: no leak (%.1f kB/s, %.2f)", tr.rate_kb_s,
	    tr.confidence);
	is_str(suspect_steadiness_word(&tr), "across cycles", "the word");

	/* Only two cycles seen: the current rise alone is not enough. */
	tr = trend(7);
	ok(tr.confidence < 0.5, "two cycles: not confident (%.2f)",
	    tr.confidence);

	/* A slow cycle (30 samples) seen once: its second rise is no leak. */
	times(60);
	for (i = 0; i < 60; i++)
		ys[i] = 5000 + 100 * (i % 30);
	for (i = 35; i <= 59; i += 8) {
		tr = trend(i);
		if (!ok(tr.confidence < SUSPECT_CONFIDENT && !tr.cyclic,
		        "a slow cycle, %zu samples: the rise after a trough "
		        "is not trusted (kept %.2f, confidence %.2f)",
		        i, tr.kept, tr.confidence))
			break;
	}

	/* GC cycles whose troughs rise 1 MB a cycle: a leak of 512 kB/s. */
	times(80);
	for (i = 0; i < 80; i++)
		ys[i] = 10000 + 1024 * (i / 4) + 4096 * (i % 4);
	tr = trend(80);
	ok(tr.cyclic && fabs(tr.rate_kb_s - 512) < 1,
	    "rising troughs: the leak's rate across cycles (%.1f kB/s)",
	    tr.rate_kb_s);
	ok(tr.confidence >= SUSPECT_CONFIDENT,
	    "and confident after 20 cycles (%.2f)", tr.confidence);
	tr = trend(20);
	ok(tr.confidence > 0 && tr.confidence < SUSPECT_CONFIDENT,
	    "less so after 5 (%.2f)", tr.confidence);
}

/* Gaps, a region that vanishes, time going backwards, a wild sample. */
static void
test_damage(void)
{
	struct suspect_trend tr;
	size_t i;

	times(30);
	for (i = 0; i < 30; i++)
		ys[i] = 1000 + 256 * i;
	for (i = 10; i < 15; i++)
		ys[i] = HISTORY_NONE; /* absent a while */
	for (i = 15; i < 30; i++)
		ts[i] += 20; /* and 20 s passed unseen */
	for (i = 15; i < 30; i++)
		ys[i] = 1000 + (uint64_t)(512 * (ts[i] - 100));
	tr = trend(30);
	ok(fabs(tr.rate_kb_s - 512) < 1e-6 && tr.nusable == 25,
	    "gaps: absent samples skipped, time taken from the samples");

	times(30);
	for (i = 0; i < 30; i++)
		ys[i] = i < 20 ? 1000 + 256 * i : HISTORY_NONE;
	tr = trend(30);
	ok(fabs(tr.rate_kb_s - 512) < 1e-6 && tr.nusable == 20 &&
	        fabs(tr.to_mono - 109.5) < 1e-9,
	    "a region that vanished: judged on what was seen, up to then");

	times(30);
	for (i = 0; i < 30; i++)
		ys[i] = 1000 + 256 * i;
	ts[10] = 50;           /* a frame from the past */
	ts[20] = ts[19];       /* the same time twice */
	ts[25] = NAN;          /* garbage */
	ts[26] = ts[24] - 0.1; /* backwards again */
	tr = trend(30);
	ok(isfinite(tr.rate_kb_s) && fabs(tr.rate_kb_s - 512) < 1e-6 &&
	        tr.nusable == 26,
	    "time going backwards: those samples dropped, the rate holds "
	    "(%u usable)",
	    tr.nusable);
	for (i = 0; i < 30; i++)
		ts[i] = 100;
	tr = trend(30);
	ok(tr.nusable == 1 && tr.rate_kb_s == 0 && tr.confidence == 0,
	    "time standing still: one usable sample, no division by zero");

	times(30);
	for (i = 0; i < 30; i++)
		ys[i] = 1000 + 256 * i;
	ys[12] = 100000; /* one wild sample */
	tr = trend(30);
	ok(fabs(tr.rate_kb_s - 512) < 5 && tr.confidence >= 0.8,
	    "a wild sample barely moves the Theil-Sen rate (%.1f) or the "
	    "confidence (%.2f)",
	    tr.rate_kb_s, tr.confidence);

	/* A leak that began late in a long flat window. */
	times(N);
	for (i = 0; i < N; i++)
		ys[i] = i < 100 ? 5000 : 5000 + 256 * (i - 99);
	tr = trend(N);
	ok(fabs(tr.rate_kb_s - 512) < 1e-6 && fabs(tr.from_mono - 149.5) < 1e-9,
	    "a leak that began late: measured from its start");
	ok(tr.confidence >= SUSPECT_CONFIDENT, "and confident (%.2f)",
	    tr.confidence);
	ok(isnan(suspect_time_to_limit(512, NAN)) &&
	        isnan(suspect_time_to_limit(0, 1000)) &&
	        suspect_time_to_limit(512, 1024) == 2,
	    "time to the limit: headroom / rate, NAN when unknown");
}

/* A synthetic process, sample by sample. */
static struct snapshot *snap;
static double now;

static void
begin(void)
{
	snapshot_clear(snap);
	now += DT;
	snap->mono = now;
	snap->wall = 1700000000 + now;
}

static void
add(uint64_t start, uint64_t end, const char *path, uint64_t rss)
{
	struct region r;

	memset(&r, 0, sizeof r);
	r.start = start;
	r.end = end;
	memcpy(r.perms, "rw-p", 4);
	r.kb[SF_SIZE] = (end - start) / 1024;
	r.kb[SF_RSS] = rss;
	r.kb[SF_PSS] = rss;
	r.kb[SF_PRIVATE_DIRTY] = rss;
	r.present = (1u << SF_SIZE) | (1u << SF_RSS) | (1u << SF_PSS) |
	    (1u << SF_PRIVATE_DIRTY);
	snapshot_add_region(snap, &r, path, strlen(path));
}

#define LEAK  0x7f9300000000ULL
#define WARM  0x7f8000000000ULL
#define SAW   0x7f7000000000ULL
#define FLAT  0x7f6000000000ULL
#define BRIEF 0x7f5000000000ULL

/* Sample k of the three-region workload (and a flat library, and a
 * region that grows and then vanishes). */
static void
workload(struct model *m, int k)
{
	begin();
	add(0x400000, 0x500000, "/usr/lib/libz.so", 400);
	add(FLAT, FLAT + (64 << 20), "", 2048);
	add(SAW, SAW + (8 << 20), "[anon:saw]", 2048 * (uint64_t)(k % 4));
	add(WARM, WARM + (48 << 20), "[anon:warm]",
	    12 * 1024 * (uint64_t)(k < 4 ? k : 4));
	add(LEAK, LEAK + (1 << 30), "[anon:leak]", 100 + 256 * (uint64_t)k);
	if (k < 15)
		add(BRIEF, BRIEF + (1 << 20), "", 4 + 4 * (uint64_t)k);
	model_ingest(m, snap);
}

static const struct suspect *
find(const struct suspect *s, size_t n, const struct model *m, uint64_t start)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i].by == GROUP_NONE &&
		    model_region_by_id(m, s[i].id)->first_start == start)
			return &s[i];
	return NULL;
}

static void
test_model_low_point(void)
{
	struct model *m = model_new();
	const struct tracked_region *t = NULL;
	double mono[4];
	uint64_t h[4];
	size_t n;
	int k;

	now = 0;
	for (k = 0; k < 6; k++) {
		begin();
		add(LEAK, LEAK + (1 << 20), "",
		    k < 3 ? 100 + 100 * (uint64_t)k : 50);
		model_ingest(m, snap);
		t = model_region(m, 0);
		if (k == 2)
			ok(t->low_kb == 100 && t->low_mono == 0.5 &&
			        t->low_wall == 1700000000.5,
			    "a growing region: its low is where it began");
	}
	ok(t->low_kb == 50 && t->low_mono == 3.0,
	    "fallen to a new low and staying: the low follows");
	n = model_history_mono(m, mono, 4);
	model_region_history(m, t, SERIES_RSS, h, 4);
	ok(n == 4 && mono[0] == 1.5 && mono[3] == 3.0 && h[0] == 300 &&
	        model_sample_mono(m, 5) == 3.0,
	    "history times line up with the history");
	ok(model_serial(m) != 0, "a model has a serial");
	model_free(m);
}

static void
test_ranking(void)
{
	struct model *m = model_new();
	struct suspect_ranking *sr = suspect_ranking_new();
	struct suspect_opts o;
	const struct suspect *s, *leak, *saw, *warm, *top, *again;
	char line[256];
	uint64_t leak_id = 0;
	size_t n, i;
	int k;

	suspect_opts_init(&o);
	now = 0;
	for (k = 0; k < 3; k++)
		workload(m, k);
	n = suspect_rank(sr, m, &o, &s);
	ok(suspect_top(s, n) == NULL, "three samples: no confident suspect");

	for (; k < 21; k++)
		workload(m, k);
	model_mark_baseline(m);
	for (; k < 25; k++)
		workload(m, k);
	o.headroom_kb = 1024 * 1024;
	o.cgroup_rate_kb_s = 1024;
	n = suspect_rank(sr, m, &o, &s);
	for (i = 0; i < n; i++)
		diag("%zu: %s %.1f kB/s conf %.2f", i, s[i].label,
		    s[i].rate_kb_s, s[i].confidence);
	top = suspect_top(s, n);
	leak = find(s, n, m, LEAK);
	saw = find(s, n, m, SAW);
	warm = find(s, n, m, WARM);
	ok(top != NULL && top == leak, "the steady leak is the top suspect");
	ok(leak && leak->confidence >= 0.8 &&
	        fabs(leak->rate_kb_s - 512) < 1e-6,
	    "confident, at its rate");
	ok((saw == NULL || saw > leak) && (warm == NULL || warm > leak),
	    "the sawtooth and the warm-up rank below it");
	ok((saw == NULL || saw->confidence < 0.3) &&
	        (warm == NULL || warm->confidence < 0.3),
	    "and have no confidence");
	ok(find(s, n, m, BRIEF) == NULL, "a gone region is no suspect");
	ok(find(s, n, m, FLAT) == NULL && find(s, n, m, 0x400000) == NULL,
	    "nor a flat one");
	ok(leak && leak->growth_start_kb == 256 * 24 &&
	        leak->growth_base_kb == 256 * 4 &&
	        leak->rss_kb == 100 + 256 * 24,
	    "growth since the start and since the baseline");
	ok(leak && fabs(leak->since_mono - 0.5) < 1e-9 &&
	        fabs(leak->since_wall - 1700000000.5) < 1e-9 &&
	        fabs(leak->growing_s - 12) < 1e-9,
	    "growing since the first sample, for 12 s");
	ok(leak && fabs(leak->oom_s - 2048) < 1e-6 &&
	        fabs(leak->share_cgroup - 0.5) < 1e-9,
	    "time to the OOM limit, share of the cgroup's growth");
	ok(leak && leak->share_process > 0.9 && leak->share_process < 1.1,
	    "the process grows by the leak: a share of 1 (%.2f)",
	    leak ? leak->share_process : 0);
	ok(fabs(suspect_process_trend(sr)->rate_kb_s - 512) < 25,
	    "the process's trend, across the sawtooth's cycles (%.1f)",
	    suspect_process_trend(sr)->rate_kb_s);

	suspect_line(m, top, line, sizeof line, true);
	is_str(line,
	    "leak suspect: anon:leak 7f9300000000  +512K/s for 12s, steady",
	    "the header line: the region's whole start, as the table shows it");
	ok(suspect_line(m, top, line, 20, true) == 19 && strlen(line) == 19,
	    "cut to the buffer");

	leak_id = leak ? leak->id : 0;
	i = suspect_nanalysed(sr);
	n = suspect_rank(sr, m, &o, &again);
	ok(again == s && suspect_nanalysed(sr) == i,
	    "asked again for the same sample: the same ranking");
	o.max = 1;
	n = suspect_rank(sr, m, &o, &s);
	ok(n == 1 && s[0].id == leak_id && suspect_nanalysed(sr) == i,
	    "at most max");

	o.max = 0;
	o.by = GROUP_CLASS;
	n = suspect_rank(sr, m, &o, &s);
	ok(n >= 1 && strcmp(s[0].label, "anon:leak") == 0 &&
	        s[0].by == GROUP_CLASS && s[0].confidence >= 0.8,
	    "by class: anon:leak first");
	suspect_line(m, &s[0], line, sizeof line, true);
	is_str(line, "leak suspect: class anon:leak  +512K/s for 12s, steady",
	    "its line");
	model_free(m);
	suspect_ranking_free(sr);
}

/* A leak older than the history: since when, from its low point. */
static void
test_since_beyond_window(void)
{
	struct model *m = model_new();
	struct suspect_ranking *sr = suspect_ranking_new();
	struct suspect_opts o;
	const struct suspect *s;
	char line[128];
	size_t n;
	int k;

	suspect_opts_init(&o);
	now = 0;
	for (k = 0; k < 3 * MODEL_HISTORY; k++) {
		begin();
		add(LEAK, LEAK + (1 << 30), "", 1000 + 32 * (uint64_t)k);
		model_ingest(m, snap);
	}
	n = suspect_rank(sr, m, &o, &s);
	ok(n == 1 && fabs(s[0].rate_kb_s - 64) < 1e-6 &&
	        s[0].confidence >= SUSPECT_CONFIDENT,
	    "a leak of 64 kB/s over %d samples", 3 * MODEL_HISTORY);
	ok(n == 1 && fabs(s[0].since_mono - 0.5) < 1e-9 &&
	        fabs(s[0].growing_s - (3 * MODEL_HISTORY - 1) * DT) < 1e-9 &&
	        s[0].trend.from_mono > s[0].since_mono,
	    "growing since its first sample, before the window (%.1f s)",
	    n ? s[0].growing_s : 0);
	suspect_line(m, &s[0], line, sizeof line, true);
	ok(strstr(line, "+64K/s for 2m59s, steady") != NULL, "%s", line);
	model_free(m);
	suspect_ranking_free(sr);
}

/* A file suspect, the line's escaping; cost bounded with many growing. */
static void
test_files_and_many(void)
{
	struct model *m = model_new();
	struct suspect_ranking *sr = suspect_ranking_new();
	struct suspect_opts o;
	const struct suspect *s;
	char line[256];
	size_t n;
	int k, j;

	suspect_opts_init(&o);
	now = 0;
	for (k = 0; k < 20; k++) {
		begin();
		add(0x1000000, 0x9000000, "/var/cache/evil\033[2Jdb.bin",
		    100 + 100 * (uint64_t)k);
		for (j = 0; j < 2000; j++)
			add(0x10000000 + 0x100000 * (uint64_t)j,
			    0x10000000 + 0x100000 * (uint64_t)j + 0x80000, "",
			    10 + (uint64_t)(k * (j % 7 + 1)) * 4);
		model_ingest(m, snap);
	}
	n = suspect_rank(sr, m, &o, &s);
	ok(suspect_ncandidates(sr) == 2001 &&
	        suspect_nanalysed(sr) == SUSPECT_FULL_MAX,
	    "2001 growing regions: %d analysed in full", SUSPECT_FULL_MAX);
	ok(n == 10 && s[0].start == 0x1000000,
	    "the fastest steady one still first");
	suspect_line(m, &s[0], line, sizeof line, true);
	is_str(line,
	    "leak suspect: data evil\\e[2Jdb.bin  +200K/s for 9s, steady",
	    "a file's region is named by its escaped base name");
	o.by = GROUP_FILE;
	n = suspect_rank(sr, m, &o, &s);
	ok(n == 2 && s[0].path_id == 0 && strcmp(s[0].label, "anon") == 0 &&
	        s[1].path_id != 0,
	    "by file: the anonymous memory (faster), and the file");
	suspect_line(m, &s[1], line, sizeof line, true);
	is_str(line,
	    "leak suspect: file evil\\e[2Jdb.bin  +200K/s for 9s, steady",
	    "the file's line");
	suspect_line(m, &s[0], line, sizeof line, true);
	ok(strncmp(line, "leak suspect: anon  +", 21) == 0,
	    "anonymous memory's line: %s", line);
	model_free(m);
	suspect_ranking_free(sr);
}

static void
test_moments(void)
{
	struct model *m = model_new(), *m2 = model_new();
	struct moment *a = NULL, *b, *base, *c;
	struct moment_diff *d;
	const struct moment_delta *x;
	size_t i;
	int k, sorted = 1;

	now = 0;
	for (k = 0; k < 4; k++) {
		begin();
		add(0x1000, 0x100000, "/lib/a.so", 100);
		add(0x200000, 0x300000, "", 500 - 100 * (uint64_t)k);
		add(0x400000, 0x800000, "[anon:leak]",
		    1000 + 1000 * (uint64_t)k);
		add(0x900000, 0xa00000, "", 64);
		if (k >= 2)
			add(0xb00000, 0xc00000, "", 300); /* mapped between */
		model_ingest(m, snap);
		model_ingest(m2, snap);
		if (k == 1) {
			a = moment_capture(m);
			model_mark_baseline(m);
		}
	}
	/* A region gone at the last sample. */
	begin();
	add(0x1000, 0x100000, "/lib/a.so", 100);
	add(0x200000, 0x300000, "", 100);
	add(0x400000, 0x800000, "[anon:leak]", 5000);
	add(0xb00000, 0xc00000, "", 300);
	model_ingest(m, snap);
	model_ingest(m2, snap);
	b = moment_capture(m);
	ok(b->nregions == 4 && a->nregions == 4 && b->seq == 4 &&
	        b->wall == 1700000000 + now,
	    "a moment: the regions present, its time");

	d = moment_diff(a, b, GROUP_NONE, false);
	ok(d->n == 4 && d->nnew == 1 && d->ngone == 1 && d->ngrew == 1 &&
	        d->nshrank == 1,
	    "new, gone, grown, shrunk; the unchanged left out");
	x = moment_diff_find(d, 0x400000);
	ok(x && x->change == MOMENT_GREW && x->delta_kb[SERIES_RSS] == 3000 &&
	        x->delta_kb[SERIES_PSS] == 3000 &&
	        x->delta_kb[SERIES_PRIVATE_DIRTY] == 3000 &&
	        x->delta_kb[SERIES_SWAP] == 0 &&
	        strcmp(x->label, "anon:leak") == 0,
	    "the leak with its deltas");
	x = moment_diff_find(d, 0xb00000);
	ok(x && x->change == MOMENT_NEW && x->a == NULL &&
	        x->delta_kb[SERIES_RSS] == 300,
	    "the region mapped in between is new");
	x = moment_diff_find(d, 0x900000);
	ok(x && x->change == MOMENT_GONE && x->b == NULL &&
	        x->delta_kb[SERIES_RSS] == -64,
	    "the unmapped one is gone");
	for (i = 1; i < d->n; i++) {
		int64_t p = d->d[i - 1].delta_kb[SERIES_RSS];
		int64_t q = d->d[i].delta_kb[SERIES_RSS];

		sorted &= llabs(p) >= llabs(q);
	}
	ok(sorted && d->d[0].b->start == 0x400000,
	    "sorted by the size of the change");
	ok(d->total_delta_kb[SERIES_RSS] == 5500 - 2564 && d->span_s == 1.5,
	    "the process's change, over 1.5 s");
	moment_diff_free(d);

	d = moment_diff(a, b, GROUP_NONE, true);
	ok(d->n == 5 && moment_diff_find(d, 0x1000)->change == MOMENT_SAME,
	    "with the unchanged on request");
	moment_diff_free(d);

	base = moment_capture_baseline(m);
	d = moment_diff(base, b, GROUP_NONE, false);
	ok(base->baseline && base->seq == 1 && d->nnew == 1 && d->ngone == 1 &&
	        moment_diff_find(d, 0x400000)->delta_kb[SERIES_RSS] == 3000,
	    "the baseline's moment: the same changes");
	moment_diff_free(d);

	d = moment_diff(a, b, GROUP_CLASS, false);
	ok(d->n == 2 && strcmp(d->d[0].label, "anon:leak") == 0 &&
	        d->d[0].delta_kb[SERIES_RSS] == 3000 &&
	        strcmp(d->d[1].label, "anon") == 0 &&
	        d->d[1].delta_kb[SERIES_RSS] == -64 && d->d[1].na == 2 &&
	        d->d[1].nb == 2,
	    "by class: anon:leak grew, anon (one gone, one new, one shrunk)");
	ok(moment_diff_find(d, 0x400000) == NULL,
	    "no region's line in a group diff");
	moment_diff_free(d);
	d = moment_diff(a, b, GROUP_FILE, true);
	ok(d->n == 3 && d->d[2].path_len == 9 &&
	        memcmp(d->d[2].path, "/lib/a.so", 9) == 0 &&
	        d->d[2].change == MOMENT_SAME,
	    "by file: the library is one line");
	moment_diff_free(d);

	/* Another model of the same samples: paired by address and path. */
	c = moment_capture(m2);
	d = moment_diff(a, c, GROUP_NONE, false);
	ok(c->model_serial != a->model_serial && d->nnew == 1 &&
	        d->ngone == 1 && moment_diff_find(d, 0x400000)->a != NULL,
	    "across models: paired by address and path");
	moment_diff_free(d);

	moment_free(a);
	moment_free(b);
	moment_free(c);
	moment_free(base);
	model_free(m);
	model_free(m2);
}

int
main(void)
{
	snap = snapshot_new();
	test_flat_steady_step();
	test_cycles();
	test_damage();
	test_model_low_point();
	test_ranking();
	test_since_beyond_window();
	test_files_and_many();
	test_moments();
	snapshot_free(snap);
	return tap_done();
}
