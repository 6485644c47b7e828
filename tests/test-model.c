/*
 * test-model.c - identity across samples, history, deltas, rates, groups.
 */
#include "config.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "tap.h"

static struct snapshot *snap;
static double now;

static void
begin(void)
{
	snapshot_clear(snap);
	now += 1.0;
	snap->mono = now;
	snap->wall = 1700000000 + now;
}

static void
add(uint64_t start, uint64_t end, const char *perms, const char *path,
    uint64_t rss)
{
	struct region r;

	memset(&r, 0, sizeof r);
	r.start = start;
	r.end = end;
	memcpy(r.perms, perms, 4);
	r.kb[SF_SIZE] = (end - start) / 1024;
	r.kb[SF_RSS] = rss;
	r.kb[SF_PSS] = rss;
	r.kb[SF_PRIVATE_DIRTY] = rss / 2;
	r.present = (1u << SF_SIZE) | (1u << SF_RSS) | (1u << SF_PSS) |
	    (1u << SF_PRIVATE_DIRTY);
	snapshot_add_region(snap, &r, path, strlen(path));
}

static const struct tracked_region *
at(const struct model *m, uint64_t start)
{
	size_t i;

	for (i = 0; i < model_nregions(m); i++) {
		const struct tracked_region *t = model_region(m, i);

		if (t->start == start && t->state != TR_GONE)
			return t;
	}
	return NULL;
}

static void
test_heap_growth(void)
{
	struct model *m = model_new();
	const struct tracked_region *t;
	uint64_t id = 0, h[MODEL_HISTORY];
	int k, same = 1, rising = 1;
	size_t n, i;

	for (k = 0; k < 5; k++) {
		begin();
		add(0x400000, 0x401000, "r-xp", "/bin/app", 4);
		add(0x500000, 0x600000 + (uint64_t)k * 0x10000, "rw-p",
		    "[heap]", 1024 + (uint64_t)k * 64);
		model_ingest(m, snap);
		t = at(m, 0x500000);
		if (k == 0)
			id = t->id;
		else if (t == NULL || t->id != id)
			same = 0;
	}
	t = at(m, 0x500000);
	ok(same && model_nregions(m) == 2, "a brk heap stays one region");
	ok(t->events & TR_EVENT_GREW, "and is marked grown");
	ok(t->cls == RC_BRK_HEAP && t->state == TR_LIVE,
	    "class brk-heap, live");
	n = model_region_history(m, t, SERIES_RSS, h, MODEL_HISTORY);
	for (i = 1; i < n; i++)
		rising &= h[i] > h[i - 1];
	ok(n == 5 && rising && h[4] == 1024 + 4 * 64, "its history rises");
	ok(fabs(model_region_rate(m, t, SERIES_RSS) - 64) < 1e-6,
	    "its rate is 64 kB/s");
	is_u64((uint64_t)tracked_delta_prev(t, SF_RSS), 64, "delta since prev");
	is_u64(
	    (uint64_t)tracked_delta_base(t, SF_RSS), 256, "delta since base");
	model_free(m);
}

static void
test_move_split_merge(void)
{
	struct model *m = model_new();
	const struct tracked_region *t, *u;
	uint64_t id;

	begin();
	add(0x10000, 0x20000, "rw-p", "/data/f", 10);
	add(0x30000, 0x34000, "rw-p", "", 4);
	add(0x34000, 0x38000, "rw-p", "", 4);
	add(0x50000, 0x60000, "rw-p", "", 8);
	model_ingest(m, snap);
	id = at(m, 0x50000)->id;

	begin();
	add(0x10000, 0x18000, "rw-p", "/data/f", 5); /* split in two */
	add(0x18000, 0x20000, "r--p", "/data/f", 5);
	add(0x30000, 0x38000, "rw-p", "", 8);  /* two merged */
	add(0x48000, 0x60000, "rw-p", "", 12); /* grew downwards */
	model_ingest(m, snap);

	t = at(m, 0x10000);
	u = at(m, 0x18000);
	ok(t && u && (t->events & TR_EVENT_SPLIT) && u->state == TR_NEW &&
	        t->state == TR_LIVE,
	    "a split: the first part keeps identity");
	t = at(m, 0x30000);
	ok(t && (t->events & TR_EVENT_MERGED) && t->end == 0x38000,
	    "a merge: the one at the start survives, marked merged");
	ok(at(m, 0x34000) == NULL, "the merged neighbour is gone");
	t = at(m, 0x48000);
	ok(t && t->id == id && (t->events & TR_EVENT_MOVED) &&
	        (t->events & TR_EVENT_GREW),
	    "a mapping grown downwards keeps "
	    "its identity");
	model_free(m);
}

static void
test_states_ttl(void)
{
	struct model *m = model_new();
	const struct tracked_region *t;
	uint64_t hist[MODEL_HISTORY];
	size_t n, i;
	int k, still = 1;

	begin();
	add(0x1000, 0x2000, "rw-p", "", 4);
	model_ingest(m, snap);
	ok(at(m, 0x1000)->state == TR_LIVE, "first sample: live, not new");

	begin();
	add(0x1000, 0x2000, "rw-p", "", 4);
	add(0x9000, 0xa000, "rw-p", "", 4);
	model_ingest(m, snap);
	t = at(m, 0x9000);
	ok(t && t->state == TR_NEW, "a region appearing later is new");
	n = model_region_history(m, t, SERIES_RSS, hist, MODEL_HISTORY);
	ok(n == 2 && hist[0] == HISTORY_NONE && hist[1] == 4,
	    "its history is empty before it appeared");
	is_u64((uint64_t)tracked_delta_base(t, SF_RSS), 4,
	    "born after the baseline: all of it is delta");

	begin();
	add(0x1000, 0x2000, "rw-p", "", 4);
	add(0x9000, 0xa000, "rw-p", "", 4);
	model_ingest(m, snap);
	ok(at(m, 0x9000)->state == TR_LIVE, "new becomes live");

	for (k = 0; k < MODEL_GONE_TTL; k++) {
		begin();
		add(0x1000, 0x2000, "rw-p", "", 4);
		model_ingest(m, snap);
		still &= model_nregions(m) == 2 &&
		    model_region(m, 1)->state == TR_GONE;
	}
	ok(still, "a vanished region shows as gone for %d samples",
	    MODEL_GONE_TTL);
	is_u64(
	    model_totals(m)->kb[SF_RSS], 4, "gone regions are not in totals");
	begin();
	add(0x1000, 0x2000, "rw-p", "", 4);
	model_ingest(m, snap);
	is_u64(model_nregions(m), 1, "and is dropped after that");
	for (i = 0; i < model_nregions(m); i++)
		ok(model_region(m, i)->id == 1, "the survivor keeps id 1");
	model_free(m);
}

static void
test_rate_baseline_totals(void)
{
	static const uint64_t ys[] = { 0, 100, 50, 150, 100, 200 };
	struct model *m = model_new();
	const struct tracked_region *t;
	double rate;
	size_t k;

	for (k = 0; k < 6; k++) {
		begin();
		add(0x1000, 0x100000, "rw-p", "", ys[k]);
		add(0x200000, 0x300000, "rw-p", "/lib/x.so", 1000);
		model_ingest(m, snap);
	}
	t = at(m, 0x1000);
	rate = model_region_rate(m, t, SERIES_RSS);
	ok(fabs(rate - 550.0 / 17.5) < 1e-6,
	    "least-squares rate %.4f (first-last would say 40)", rate);
	ok(fabs(rate - 40) > 1, "not the first-last slope");
	ok(fabs(model_totals_rate(m, SERIES_RSS) - 550.0 / 17.5) < 1e-6,
	    "totals rate likewise");
	is_u64(model_totals(m)->kb[SF_RSS], 1200, "totals are the sum");
	is_u64(model_totals(m)->kb[SF_PRIVATE_DIRTY], 600, "every counter");

	model_mark_baseline(m);
	begin();
	add(0x1000, 0x100000, "rw-p", "", 260);
	add(0x200000, 0x300000, "rw-p", "/lib/x.so", 1000);
	model_ingest(m, snap);
	t = at(m, 0x1000);
	is_u64(
	    (uint64_t)tracked_delta_base(t, SF_RSS), 60, "m: delta from now");
	is_u64(model_totals(m)->kb[SF_RSS] - model_totals(m)->base_kb[SF_RSS],
	    60, "m: totals' delta from now");
	ok(model_baseline_seq(m) == 5, "baseline at the marked sample");
	begin();
	add(0x1000, 0x100000, "rw-p", "", 260);
	add(0x180000, 0x190000, "rw-p", "", 30); /* born after */
	add(0x200000, 0x300000, "rw-p", "/lib/x.so", 1000);
	model_ingest(m, snap);
	model_reset_baseline(m);
	t = at(m, 0x1000);
	is_u64((uint64_t)tracked_delta_base(t, SF_RSS), 260,
	    "M: delta from the first sample");
	is_u64((uint64_t)tracked_delta_base(at(m, 0x180000), SF_RSS), 30,
	    "M: a region born after the first sample counts whole");
	is_u64(model_totals(m)->base_kb[SF_RSS], 1000,
	    "M: totals' base is the first sample's");
	is_u64(model_baseline_seq(m), 0, "baseline back at sample 0");
	model_free(m);
}

/* Totals always equal the sum over the regions that are not gone. */
static void
test_totals_sum(void)
{
	struct model *m = model_new();
	uint64_t sum[SF_COUNT];
	int k, f, good = 1;
	size_t i;

	for (k = 0; k < 8; k++) {
		begin();
		add(0x1000, 0x2000, "rw-p", "", 4 + (uint64_t)k);
		if (k % 3 != 2)
			add(0x3000, 0x5000, "rw-p", "", 8);
		if (k >= 4)
			add(0x10000, 0x20000, "r--p", "/x", 16 * (uint64_t)k);
		model_ingest(m, snap);
		memset(sum, 0, sizeof sum);
		for (i = 0; i < model_nregions(m); i++) {
			const struct tracked_region *t = model_region(m, i);

			for (f = 0; f < SF_COUNT && t->state != TR_GONE; f++)
				sum[f] += t->kb[f];
		}
		for (f = 0; f < SF_COUNT; f++)
			good &= sum[f] == model_totals(m)->kb[f];
		good &= model_totals(m)->prev_kb[SF_RSS] <= 200;
	}
	ok(good, "totals are the sum of the regions not gone, every sample");
	model_free(m);
}

/* mremap: growing in place, growing by moving the start, a changed perms,
 * and another file mapped where one was: identity by path and overlap. */
static void
test_mremap(void)
{
	struct model *m = model_new();
	const struct tracked_region *t;
	uint64_t file_id, named_id, shift_id, other_id;
	char buf[64];

	begin();
	add(0x100000, 0x200000, "r--p", "/data/big.bin", 100);
	add(0x300000, 0x380000, "rw-p", "[anon:pool]", 50);
	add(0x400000, 0x480000, "rw-p", "/data/log", 10);
	add(0x500000, 0x580000, "r--p", "/data/a", 10);
	model_ingest(m, snap);
	file_id = at(m, 0x100000)->id;
	named_id = at(m, 0x300000)->id;
	shift_id = at(m, 0x400000)->id;
	other_id = at(m, 0x500000)->id;

	begin();
	add(0x100000, 0x280000, "r--p", "/data/big.bin", 150); /* grown */
	add(0x300000, 0x3c0000, "rw-p", "[anon:pool]", 80);    /* grown */
	add(0x440000, 0x4c0000, "rw-p", "/data/log", 12);      /* shifted */
	add(0x500000, 0x580000, "r--p", "/data/b", 10);        /* replaced */
	model_ingest(m, snap);
	t = at(m, 0x100000);
	ok(t && t->id == file_id && (t->events & TR_EVENT_GREW) &&
	        t->end == 0x280000 && t->first_end == 0x200000,
	    "a file mapping grown by mremap keeps its identity");
	is_u64((uint64_t)tracked_delta_prev(t, SF_RSS), 50,
	    "and its delta counts the growth");
	t = at(m, 0x300000);
	model_class_label(m, t, buf, sizeof buf);
	ok(t && t->id == named_id && strcmp(buf, "anon:pool") == 0,
	    "a named anonymous mapping likewise (%s)", buf);
	t = at(m, 0x440000);
	ok(t && t->id == shift_id && (t->events & TR_EVENT_MOVED) &&
	        t->first_start == 0x400000,
	    "a moved start that still overlaps "
	    "keeps its identity");
	t = at(m, 0x500000);
	ok(t && t->id != other_id && t->state == TR_NEW,
	    "another file at the same address is a new region");
	ok(model_region_by_id(m, other_id) != NULL &&
	        model_region_by_id(m, other_id)->state == TR_GONE,
	    "and the one it replaced is gone");

	begin();
	add(0x100000, 0x280000, "r-xp", "/data/big.bin", 150); /* mprotect */
	model_ingest(m, snap);
	t = at(m, 0x100000);
	ok(t && t->id == file_id && t->cls == RC_CODE,
	    "new permissions: same region, class follows");
	model_free(m);
}

/* A thread stack stays one when its SP cannot be read for a sample. */
static void
test_sticky_stack(void)
{
	struct model *m = model_new();

	begin();
	add(0x10000, 0x20000, "rw-p", "", 8);
	add(0x30000, 0x40000, "rw-p", "", 8);
	snapshot_add_thread_sp(snap, 0x1f000);
	snapshot_add_thread_sp(snap, 0x3f000);
	model_ingest(m, snap);
	ok(at(m, 0x10000)->cls == RC_THREAD_STACK, "a stack by its SP");
	begin();
	add(0x10000, 0x20000, "rw-p", "", 8);
	add(0x30000, 0x40000, "rw-p", "", 8);
	add(0x50000, 0x60000, "rw-p", "", 8);
	snapshot_add_thread_sp(snap, 0x3f000);
	model_ingest(m, snap);
	ok(at(m, 0x10000)->cls == RC_THREAD_STACK,
	    "still a stack while its thread runs");
	ok(at(m, 0x50000)->cls == RC_ANON, "other anon stays anon");
	model_free(m);
}

/* The rate uses the snapshots' monotonic times and only the last
 * MODEL_RATE_WINDOW samples. */
static void
test_rate_window(void)
{
	struct model *m = model_new();
	const struct tracked_region *t;
	int k;

	begin();
	add(0x1000, 0x2000, "rw-p", "", 0);
	model_ingest(m, snap);
	ok(isnan(model_region_rate(m, at(m, 0x1000), SERIES_RSS)) &&
	        isnan(model_totals_rate(m, SERIES_RSS)),
	    "one sample: the rate is not known yet (NAN), not 0");
	now += 1.0; /* samples at t = 0, 2, 3 */
	begin();
	add(0x1000, 0x2000, "rw-p", "", 20);
	add(0x8000, 0x9000, "rw-p", "", 4);
	model_ingest(m, snap);
	ok(!isnan(model_totals_rate(m, SERIES_RSS)) &&
	        isnan(model_region_rate(m, at(m, 0x8000), SERIES_RSS)),
	    "two samples: the totals have a rate, a region seen once not yet");
	begin();
	add(0x1000, 0x2000, "rw-p", "", 30);
	model_ingest(m, snap);
	ok(fabs(model_region_rate(m, at(m, 0x1000), SERIES_RSS) - 10) < 1e-9,
	    "uneven sample times are taken into account");
	model_free(m);

	m = model_new();
	for (k = 0; k < MODEL_RATE_WINDOW + 10; k++) {
		begin();
		add(0x1000, 0x2000, "rw-p", "",
		    k < 10 ? (uint64_t)k * 1000 : 9000);
		model_ingest(m, snap);
	}
	t = at(m, 0x1000);
	ok(fabs(model_region_rate(m, t, SERIES_RSS)) < 1e-9,
	    "growth older than the window no longer counts");
	model_free(m);
}

/* Facts of the last snapshot, and history around a region's life. */
static void
test_info_history(void)
{
	struct model *m = model_new();
	const struct tracked_region *t;
	uint64_t h[8], id;
	size_t n;

	begin();
	snap->info.pid = 4242;
	snap->state = TARGET_ALIVE;
	snap->sample_ms = 1.5;
	add(0x1000, 0x2000, "rw-p", "", 4);
	model_ingest(m, snap);
	begin();
	snap->info.pid = 4242;
	snap->state = TARGET_EXITED;
	snap->torn = 2;
	add(0x1000, 0x2000, "rw-p", "", 4);
	add(0x3000, 0x4000, "rw-p", "", 7);
	model_ingest(m, snap);
	id = at(m, 0x3000)->id;
	ok(model_info(m)->pid == 4242 && model_torn(m) == 2 &&
	        model_target_state(m) == TARGET_EXITED &&
	        model_last_sample_ms(m) == 1.5,
	    "info and state come from the "
	    "snapshot");
	begin();
	snap->info.pid = 4343;
	snap->state = TARGET_ALIVE;
	snap->torn = 0;
	add(0x1000, 0x2000, "rw-p", "", 4);
	model_ingest(m, snap);
	ok(model_info(m)->pid == 4343 &&
	        model_target_state(m) == TARGET_ALIVE && model_torn(m) == 0,
	    "from the last one");
	ok(model_first_wall(m) == 1700000000 + now - 2 &&
	        model_last_wall(m) == 1700000000 + now,
	    "first and last wall time");
	ok(model_samples(m) == 3 &&
	        model_sample_time(m, 1) == 1700000000 + now - 1,
	    "sample times");
	t = model_region_by_id(m, id);
	n = model_region_history(m, t, SERIES_RSS, h, 8);
	ok(n == 3 && h[0] == HISTORY_NONE && h[1] == 7 && h[2] == HISTORY_NONE,
	    "history: none before it came and after it went");
	n = model_region_history(m, t, SERIES_RSS, h, 2);
	ok(n == 2 && h[0] == 7, "history: the latest samples when cut");
	model_free(m);
}

static void
test_groups(void)
{
	struct model *m = model_new();
	const struct region_group *g;
	size_t n, i;
	int found_lib = 0, found_anon = 0;

	begin();
	add(0x1000, 0x2000, "r-xp", "/lib/libz.so", 10);
	add(0x2000, 0x3000, "r--p", "/lib/libz.so", 20);
	add(0x3000, 0x4000, "rw-p", "/lib/libz.so", 30);
	add(0x10000, 0x20000, "rw-p", "", 100);
	add(0x30000, 0x40000, "rw-p", "", 200);
	add(0x50000, 0x60000, "rw-p", "[heap]", 400);
	model_ingest(m, snap);

	n = model_groups(m, GROUP_FILE, &g);
	for (i = 0; i < n; i++) {
		size_t len;
		const char *p = model_path(m, g[i].path_id, &len);

		if (len == 12 && memcmp(p, "/lib/libz.so", 12) == 0 &&
		    g[i].nregions == 3 && g[i].kb[SF_RSS] == 60)
			found_lib = 1;
		if (g[i].path_id == 0 && strcmp(g[i].label, "anon") == 0 &&
		    g[i].nregions == 2 && g[i].kb[SF_RSS] == 300)
			found_anon = 1;
	}
	ok(found_lib, "by file: one library's mappings together");
	ok(found_anon, "by file: anonymous regions by class");
	ok(n >= 2 && g[0].kb[SF_RSS] >= g[1].kb[SF_RSS], "sorted by RSS");
	n = model_groups(m, GROUP_CLASS, &g);
	ok(n == 5, "by class: code rodata data anon brk-heap (%zu)", n);
	ok(strcmp(g[0].label, "brk-heap") == 0 &&
	        model_group_has(m, &g[0], at(m, 0x50000)) &&
	        !model_group_has(m, &g[0], at(m, 0x1000)),
	    "membership");
	model_free(m);

	/* Named anonymous memory: a group per name; rates and history. */
	m = model_new();
	for (i = 0; i < 3; i++) {
		begin();
		add(0x1000, 0x2000, "rw-p", "[anon:a]", 10 + 10 * i);
		add(0x3000, 0x4000, "rw-p", "[anon:b]", 5);
		add(0x5000, 0x6000, "rw-p", "[anon:a]", 10 + 10 * i);
		model_ingest(m, snap);
	}
	n = model_groups(m, GROUP_CLASS, &g);
	ok(n == 2 && strcmp(g[0].label, "anon:a") == 0 &&
	        strcmp(g[1].label, "anon:b") == 0 && g[0].nregions == 2 &&
	        g[0].kb[SF_RSS] == 60,
	    "by class: one group per anon name");
	ok(fabs(g[0].rate_kb_s - 20) < 1e-9 && fabs(g[1].rate_kb_s) < 1e-9,
	    "group rates (%.2f)", g[0].rate_kb_s);
	ok(g[0].hist[SERIES_RSS].v[0] == 20 &&
	        g[0].hist[SERIES_RSS].v[2] == 60 && g[0].prev_kb[SF_RSS] == 40,
	    "group history and previous value");
	ok(model_group_has(m, &g[1], at(m, 0x3000)) &&
	        !model_group_has(m, &g[1], at(m, 0x1000)),
	    "membership by name");
	model_free(m);
}

/* The regions of sample k: one steady, one that changes now and then, one
 * that comes and goes.  Returns whether they are those of sample k - 1. */
static bool
kept_sample(uint64_t k)
{
	bool with_c = k >= 50 && k < 120;
	bool had_c = k >= 51 && k < 121;
	uint64_t b = k < 200 ? k / 7 : 200 / 7 + (k >= 260);

	begin();
	add(0x1000, 0x3000, "rw-p", "", 8);
	add(0x5000, 0x9000, "rw-p", "[heap]", 4 + 4 * b);
	if (with_c)
		add(0x20000, 0x21000, "r--p", "/lib/libc.so", 4);
	return k > 0 && with_c == had_c &&
	    (k < 200 ? k / 7 == (k - 1) / 7 : k != 260);
}

static bool
same_model(struct model *a, struct model *b)
{
	size_t i;
	int s;

	if (model_samples(a) != model_samples(b) ||
	    model_nregions(a) != model_nregions(b))
		return false;
	for (i = 0; i < model_nregions(a); i++) {
		const struct tracked_region *x = model_region(a, i);
		const struct tracked_region *y = model_region(b, i);
		uint64_t ha[MODEL_HISTORY], hb[MODEL_HISTORY];

		if (x->id != y->id || x->state != y->state ||
		    x->cls != y->cls || x->events != y->events ||
		    x->start != y->start || x->end != y->end ||
		    x->path_id != y->path_id || x->last_seq != y->last_seq ||
		    x->changed_seq != y->changed_seq ||
		    x->low_kb != y->low_kb || x->low_mono != y->low_mono ||
		    memcmp(x->kb, y->kb, sizeof x->kb) != 0 ||
		    memcmp(x->prev_kb, y->prev_kb, sizeof x->prev_kb) != 0)
			return false;
		for (s = 0; s < SERIES_COUNT; s++) {
			size_t na = model_region_history(
			    a, x, (enum series)s, ha, MODEL_HISTORY);
			size_t nb = model_region_history(
			    b, y, (enum series)s, hb, MODEL_HISTORY);

			if (na != nb || memcmp(ha, hb, na * sizeof *ha) != 0)
				return false;
		}
	}
	return memcmp(model_totals(a), model_totals(b),
	           sizeof *model_totals(a)) == 0;
}

/* every: settle each that many samples, or 0: at the end alone (and where
 * a sample that changes settles first: the runs of kept samples are then
 * 60 and 139 long, more than two runs of the series logs). */
static void
test_kept(uint64_t every)
{
	struct model *full = model_new(), *kept = model_new();
	uint64_t k, nkept = 0;
	bool good = true;

	for (k = 0; k < 400; k++) {
		bool same = kept_sample(k);

		model_ingest(full, snap);
		if (same) {
			model_ingest_kept(kept, snap);
			nkept++;
		} else
			model_ingest(kept, snap);
		/* A jump's end now and then; the rest wait for the next. */
		if ((every > 0 && k % every == 0) || k == 399) {
			model_settle(kept);
			good = good && same_model(full, kept);
		}
	}
	ok(good && nkept > 300,
	    "samples that keep every region, taken by model_ingest_kept() "
	    "(%llu of 400) and settled %s, give the model model_ingest() "
	    "gives",
	    (unsigned long long)nkept,
	    every > 0 ? "now and then" : "only where a sample changes");
	model_free(full);
	model_free(kept);
}

/* Region i's RSS at sample k: a quarter of them move every few samples,
 * the rest stay. */
static uint64_t
carry_rss(uint64_t k, uint64_t i)
{
	return i % 4 == 0 ? 4 + k / (1 + i % 7) % 17 : 8 + i;
}

/* Sample k of 40 regions: most steady, a quarter whose counters move, one
 * that grows and shrinks, one that comes and goes, one whose file changes
 * (a path of the same length), one that moves.  Returns its RSS total;
 * *size its Size total (kB). */
static uint64_t
carry_sample(uint64_t k, uint64_t *size)
{
	uint64_t i, total = 0;

	*size = 0;

	begin();
	for (i = 0; i < 40; i++) {
		uint64_t start = 0x100000 + i * 0x10000, end = start + 0x4000;
		const char *path = i % 3 == 0 ? "" : "/lib/libz.so";

		if (i == 7 && k / 5 % 2 == 1)
			continue;
		if (i == 3)
			end += k / 3 % 4 * 0x1000;
		if (i == 11 && k / 9 % 2 == 1)
			start += 0x1000;
		if (i == 10)
			path = k / 11 % 2 ? "/lib/liba.so" : "/lib/libb.so";
		add(start, end, "rw-p", path, carry_rss(k, i));
		total += carry_rss(k, i);
		*size += (end - start) / 1024;
	}
	return total;
}

/* Whether the regions that stay where they are show what they were fed:
 * the window's history, the previous value, the last change. */
static bool
carry_histories(const struct model *m, uint64_t k)
{
	uint64_t i, h[MODEL_HISTORY], j, n, changed;

	for (i = 0; i < 40; i++) {
		const struct tracked_region *t = at(m, 0x100000 + i * 0x10000);

		if (i == 3 || i == 7 || i == 10 || i == 11)
			continue;
		n = model_region_history(m, t, SERIES_RSS, h, MODEL_HISTORY);
		if (t == NULL ||
		    n != (k + 1 < MODEL_HISTORY ? k + 1 : MODEL_HISTORY))
			return false;
		for (j = 0; j < n; j++)
			if (h[j] != carry_rss(k + 1 - n + j, i))
				return false;
		for (changed = k; changed > 0; changed--)
			if (carry_rss(changed - 1, i) != carry_rss(k, i))
				break;
		if (t->prev_kb[0] != carry_rss(k - 1, i) ||
		    t->changed_seq != changed)
			return false;
	}
	return true;
}

static void
test_carry(void)
{
	struct model *m = model_new();
	size_t carried = 0;
	uint64_t k;
	bool totals = true, hist = true;

	for (k = 0; k < 300; k++) {
		uint64_t size, total = carry_sample(k, &size);

		model_ingest(m, snap);
		carried += model_carried(m);
		totals = totals && model_totals(m)->kb[SF_RSS] == total &&
		    model_totals(m)->kb[SF_SIZE] == size;
		if (k == 1 || k == 130 || k == 299)
			hist = hist && carry_histories(m, k);
	}
	ok(hist,
	    "regions that keep their values show the history they were "
	    "fed, within the window and past it");
	ok(totals, "the totals (RSS, Size) are every sample's sums");
	ok(carried > 300 * 25,
	    "regions as their tracked regions had them are carried on (%zu)",
	    carried);
	model_free(m);
}

static bool
keep_all(const struct model *m, const struct tracked_region *r, const void *c)
{
	(void)m;
	(void)r;
	(void)c;
	return true;
}

/* Whether the groups by as model_groups() hands them out (summed by the
 * ingests once the grouping is followed, moved by what changed) are those
 * of a walk over every region: members, counters, earlier values, this
 * sample's RSS in the history, label, class (of a class), order. */
static bool
groups_as_walked(struct model *m, enum group_by by)
{
	static struct region_group a[64];
	const struct region_group *g;
	size_t n = model_groups(m, by, &g), i;
	size_t h = (model_samples(m) - 1) % MODEL_HISTORY;

	if (n > 64)
		return false;
	memcpy(a, g, n * sizeof *g);
	if (model_groups_of(m, by, keep_all, NULL, &g) != n)
		return false;
	for (i = 0; i < n; i++)
		if (a[i].key != g[i].key || a[i].nregions != g[i].nregions ||
		    (by == GROUP_CLASS && a[i].cls != g[i].cls) ||
		    a[i].path_id != g[i].path_id ||
		    a[i].hist[SERIES_RSS].v[h] != g[i].hist[SERIES_RSS].v[h] ||
		    strcmp(a[i].label, g[i].label) != 0 ||
		    memcmp(a[i].kb, g[i].kb, sizeof a[i].kb) != 0 ||
		    memcmp(a[i].base_kb, g[i].base_kb, sizeof a[i].kb) != 0 ||
		    memcmp(a[i].prev_kb, g[i].prev_kb, sizeof a[i].kb) != 0 ||
		    memcmp(a[i].first_kb, g[i].first_kb, sizeof a[i].kb) != 0)
			return false;
	return true;
}

static void
test_group_sums(void)
{
	struct model *m = model_new();
	uint64_t k, size, kept = 0;
	bool good = true;
	size_t i;
	int by;

	for (k = 0; k < 300; k++) {
		/* Now and then a sample the same as the last. */
		bool same = k % 10 == 4 || k % 10 == 5;
		uint64_t j = same ? k - k % 10 + 3 : k;
		static const char *const names[] = { "", "[anon:x]",
			"[anon:y]" };

		carry_sample(j, &size);
		/* One whose path changes where it is; one that becomes a
		 * thread's stack, its values the same. */
		add(0x8000000, 0x8001000, "rw-p", names[j / 13 % 3], 4 + j % 3);
		add(0x9000000, 0x9010000, "rw-p", "", 8);
		if (j >= 57)
			snapshot_add_thread_sp(snap, 0x900f000);
		/* Then many groups at once: the groupings' tables grow. */
		for (i = 0; j >= 150 && i < 40; i++) {
			char path[32];

			snprintf(path, sizeof path,
			    i % 2 ? "/lib/f%02zu.so" : "[anon:n%02zu]", i);
			add(0xa000000 + i * 0x10000, 0xa001000 + i * 0x10000,
			    "rw-p", path, 4);
		}
		if (same) {
			model_ingest_kept(m, snap);
			model_settle(m); /* for the walk: what the view sees */
			kept++;
		} else
			model_ingest(m, snap);
		if (k == 100)
			model_mark_baseline(m);
		if (k == 200)
			model_reset_baseline(m);
		for (by = 0; by < GROUP_COUNT; by++)
			good = good && groups_as_walked(m, (enum group_by)by);
	}
	ok(good && kept == 60,
	    "groups summed as the ingest goes are a walk's over every "
	    "region: samples that come, change, are kept; baselines");
	model_free(m);
}

static void
test_many(void)
{
	struct model *m = model_new();
	int k;
	uint64_t i;

	for (k = 0; k < 2; k++) {
		begin();
		for (i = 0; i < 65000; i++)
			add(0x10000000 + i * 0x2000,
			    0x10000000 + i * 0x2000 + 0x1000,
			    (i & 1) ? "r--p" : "rw-p",
			    (i % 3) ? "" : "/lib/libbig.so", 4);
		model_ingest(m, snap);
	}
	ok(model_nregions(m) == 65000 &&
	        model_totals(m)->kb[SF_RSS] == 65000 * 4,
	    "65,000 regions, twice, all matched");
	ok(model_region(m, 64999)->id == 65000, "identities kept");
	model_free(m);
}

/* The totals' facts series: what the kernel cannot reclaim, per sample. */
static void
test_facts_series(void)
{
	struct model *m = model_new();
	double t[8], kb[8];
	size_t n;
	int i;

	memset(&snap->info, 0, sizeof snap->info);
	for (i = 0; i < 5; i++) {
		begin();
		add(0x1000, 0x2000, "rw-p", "", 4);
		snap->regions[0].kb[SF_ANONYMOUS] = 3;
		snap->info.has_status = ((uint64_t)1 << ST_RSS_ANON) |
		    ((uint64_t)1 << ST_RSS_SHMEM) | ((uint64_t)1 << ST_VM_SWAP);
		snap->info.status[ST_RSS_ANON] = 1000 + 100 * (uint64_t)i;
		snap->info.status[ST_RSS_SHMEM] = 10;
		snap->info.status[ST_VM_SWAP] = 1;
		snap->info.cg.version = i == 2 ? CGROUP_NONE : CGROUP_V1;
		snap->info.cg.limit.has_usage = 1;
		snap->info.cg.limit.unreclaimable = (2048 + 1024 * i) * 1024ull;
		snap->info.cg.limit.swap = 4096;
		if (i == 4) /* no status: smaps' Anonymous + Swap */
			snap->info.has_status = 0;
		model_ingest(m, snap);
	}
	n = model_totals_series(m, TS_UNRECLAIMABLE, 60, t, kb, 8);
	ok(n == 5 && kb[0] == 1011 && kb[3] == 1311 && kb[4] == 3 &&
	        t[4] == now && t[0] == now - 4,
	    "the process: RssAnon + RssShmem + VmSwap, at monotonic times");
	n = model_totals_series(m, TS_CG_UNRECLAIMABLE, 60, t, kb, 8);
	ok(n == 4 && kb[0] == 2048 && kb[2] == 5120 && t[2] == now - 1,
	    "the cgroup's, without the sample that had none");
	n = model_totals_series(m, TS_CG_SWAP, 60, t, kb, 8);
	ok(n == 4 && kb[1] == 4, "the cgroup's swap");
	n = model_totals_series(m, TS_CG_UNRECLAIMABLE, 1.5, t, kb, 8);
	ok(n == 2 && t[0] == now - 1, "only the window asked for");
	n = model_totals_series(m, TS_UNRECLAIMABLE, 60, t, kb, 2);
	ok(n == 2 && t[1] == now, "the newest when cut");
	memset(&snap->info, 0, sizeof snap->info);
	model_free(m);
}

/* A sample of n regions, the last few of them new each time. */
static void
ahead_sample(uint64_t n, uint64_t k)
{
	uint64_t i;

	begin();
	for (i = 0; i < n; i++)
		add(0x10000000 + i * 0x2000, 0x10000000 + i * 0x2000 + 0x1000,
		    "rw-p", (i % 5) ? "" : "/lib/libahead.so", 4 + (i + k) % 3);
}

struct ahead_job {
	struct pool_ahead *ahead; /* taken once, as the parser's hook is */
	bool stop;
	unsigned calls;
};

/* The smaps parser's part: the pool made ahead as a read goes. */
static void *
ahead_thread(void *arg)
{
	struct ahead_job *j = arg;
	size_t n = 0;

	while (!__atomic_load_n(&j->stop, __ATOMIC_RELAXED)) {
		model_pool_ahead(j->ahead, n);
		n = (n + 700) % 9000;
		j->calls++;
	}
	return NULL;
}

static void
test_ahead(void)
{
	struct model *plain = model_new(), *m = model_new();
	struct ahead_job job = { .ahead = model_ahead(m) };
	pthread_t th;
	bool good = true;
	uint64_t k;

	model_pool_ahead(model_ahead(m), 5000);
	ok(model_pool_spare(m) == 5,
	    "5,000 regions to come: 5 chunks of 1,024 made ahead (%zu)",
	    model_pool_spare(m));
	ahead_sample(5000, 0);
	model_ingest(plain, snap);
	model_ingest(m, snap);
	ok(model_pool_spare(m) == 0 && same_model(plain, m),
	    "the ingest takes them, and its model is the one without");
	model_pool_ahead(model_ahead(m), 5000);
	model_pool_ahead(model_ahead(m), 5120);
	ok(model_pool_spare(m) == 0,
	    "none made while the pool has room for the regions read");
	model_pool_ahead(model_ahead(m), 5121);
	ok(model_pool_spare(m) == 1, "one when they outgrow it");

	/* Made ahead on another thread while samples grow, shrink and the
	 * model starts anew. */
	if (pthread_create(&th, NULL, ahead_thread, &job) != 0) {
		ok(false, "a thread for the parser's part");
		return;
	}
	for (k = 1; k < 60; k++) {
		ahead_sample(2000 + (k * 997) % 7000, k);
		if (k % 20 == 0) {
			model_reset(plain);
			model_reset(m);
		}
		model_ingest(plain, snap);
		model_ingest(m, snap);
		good = good && same_model(plain, m);
	}
	__atomic_store_n(&job.stop, true, __ATOMIC_RELAXED);
	pthread_join(th, NULL);
	ok(good && job.calls > 0,
	    "chunks made ahead on another thread during 59 ingests and two "
	    "resets: every sample's model is the one without (%u calls)",
	    job.calls);
	model_free(plain);
	model_free(m);
}

int
main(void)
{
	snap = snapshot_new();
	test_heap_growth();
	test_move_split_merge();
	test_states_ttl();
	test_rate_baseline_totals();
	test_totals_sum();
	test_mremap();
	test_sticky_stack();
	test_rate_window();
	test_info_history();
	test_groups();
	test_facts_series();
	test_many();
	test_kept(37);
	test_kept(0);
	test_group_sums();
	test_carry();
	test_ahead();
	snapshot_free(snap);
	return tap_done();
}
