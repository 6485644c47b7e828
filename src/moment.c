/*
 * moment.c - moments of a model and the difference between two.
 *
 * Regions are paired in one merge: by id (both sorted by id) when the
 * moments share a model, else walking both in address order as the model
 * matches regions.  Groups are made by sorting every region of both
 * moments by its group key and summing runs.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "moment.h"
#include "util.h"

/* Whether tracked region t belongs in a moment of the baseline. */
static bool
moment_at_baseline(const struct model *m, const struct tracked_region *t)
{
	uint64_t b = model_baseline_seq(m);

	return t->first_seq <= b && b <= t->last_seq;
}

static struct moment *
moment_make(const struct model *m, bool base)
{
	struct moment *mo = xcalloc(1, sizeof *mo);
	const struct model_totals *tot = model_totals(m);
	size_t i, n = model_nregions(m), k = 0, bytes = 0;
	uint64_t seq, ns = model_samples(m);
	int s;

	mo->model_serial = model_serial(m);
	mo->baseline = base;
	mo->mono = mo->wall = NAN;
	seq = base ? model_baseline_seq(m) : ns ? ns - 1 : 0;
	mo->seq = seq;
	if (ns > 0 && ns - seq <= MODEL_HISTORY) {
		mo->mono = model_sample_mono(m, seq);
		mo->wall = model_sample_time(m, seq);
	} else if (ns > 0 && seq == 0)
		mo->wall = model_first_wall(m);

	for (i = 0; i < n; i++) {
		const struct tracked_region *t = model_region(m, i);
		size_t len;

		if (base ? !moment_at_baseline(m, t) : t->state == TR_GONE)
			continue;
		model_path(m, t->path_id, &len);
		bytes += len;
		k++;
	}
	mo->regions = xcalloc(k ? k : 1, sizeof *mo->regions);
	mo->strings = xmalloc(bytes ? bytes : 1);
	for (i = 0; i < n; i++) {
		const struct tracked_region *t = model_region(m, i);
		struct moment_region *r;
		const char *p;
		size_t len;

		if (base ? !moment_at_baseline(m, t) : t->state == TR_GONE)
			continue;
		r = &mo->regions[mo->nregions++];
		r->id = t->id;
		r->start = t->start;
		r->end = t->end;
		r->cls = t->cls;
		memcpy(r->perms, t->perms, sizeof r->perms);
		r->deleted = t->deleted;
		for (s = 0; s < SERIES_COUNT; s++)
			r->kb[s] = base ? tracked_base(t, series_field(s)) :
			                  t->kb[series_field(s)];
		p = model_path(m, t->path_id, &len);
		r->path_off = (uint32_t)mo->strings_len;
		r->path_len = (uint32_t)len;
		memcpy(mo->strings + mo->strings_len, p, len);
		mo->strings_len += len;
	}
	for (s = 0; s < SERIES_COUNT; s++)
		mo->total_kb[s] = base ? tot->base_kb[series_field(s)] :
		                         tot->kb[series_field(s)];
	return mo;
}

struct moment *
moment_capture(const struct model *m)
{
	return moment_make(m, false);
}

struct moment *
moment_capture_baseline(const struct model *m)
{
	return moment_make(m, true);
}

void
moment_free(struct moment *mo)
{
	if (mo == NULL)
		return;
	free(mo->regions);
	free(mo->strings);
	free(mo);
}

const char *
moment_path(const struct moment *mo, const struct moment_region *r, size_t *len)
{
	*len = r->path_len;
	return r->path_len ? mo->strings + r->path_off : "";
}

const char *
moment_change_name(enum moment_change c)
{
	static const char *const names[] = { "new", "gone", "grew", "shrank",
		"same" };

	return c <= MOMENT_SAME ? names[c] : "?";
}

/* A pair of regions: indices into a and b, (size_t)-1 for none. */
struct moment_pair {
	size_t ia, ib;
};
#define MOMENT_NONE ((size_t)-1)

/* A region's id and index, to sort by id. */
struct moment_id {
	uint64_t id;
	size_t idx;
};

static int
moment_id_cmp(const void *pa, const void *pb)
{
	const struct moment_id *a = pa, *b = pb;

	return a->id < b->id ? -1 : a->id > b->id;
}

static struct moment_id *
moment_by_id(const struct moment *mo)
{
	struct moment_id *ix = xmalloc((mo->nregions + 1) * sizeof *ix);
	size_t i;

	for (i = 0; i < mo->nregions; i++) {
		ix[i].id = mo->regions[i].id;
		ix[i].idx = i;
	}
	qsort(ix, mo->nregions, sizeof *ix, moment_id_cmp);
	return ix;
}

/* Pair by tracked id: a merge of both sorted by id. */
static size_t
moment_pair_by_id(
    const struct moment *a, const struct moment *b, struct moment_pair *p)
{
	struct moment_id *xa = moment_by_id(a), *xb = moment_by_id(b);
	size_t i = 0, j = 0, n = 0;

	while (i < a->nregions || j < b->nregions) {
		uint64_t ida = i < a->nregions ? xa[i].id : 0;
		uint64_t idb = j < b->nregions ? xb[j].id : 0;

		if (j == b->nregions || (i < a->nregions && ida < idb))
			p[n++] =
			    (struct moment_pair){ xa[i++].idx, MOMENT_NONE };
		else if (i == a->nregions || idb < ida)
			p[n++] =
			    (struct moment_pair){ MOMENT_NONE, xb[j++].idx };
		else {
			p[n++] = (struct moment_pair){ xa[i].idx, xb[j].idx };
			i++;
			j++;
		}
	}
	free(xa);
	free(xb);
	return n;
}

static bool
moment_same_path(const struct moment *a, const struct moment_region *ra,
    const struct moment *b, const struct moment_region *rb)
{
	return ra->path_len == rb->path_len &&
	    memcmp(a->strings + ra->path_off, b->strings + rb->path_off,
	        ra->path_len) == 0;
}

/* Pair by the model's identity rule: the same path and start, else the
 * first region of the same path that overlaps. */
static size_t
moment_pair_by_range(
    const struct moment *a, const struct moment *b, struct moment_pair *p)
{
	uint8_t *used = xcalloc(a->nregions + 1, 1);
	size_t ib, j = 0, k, n = 0;

	for (ib = 0; ib < b->nregions; ib++) {
		const struct moment_region *rb = &b->regions[ib];
		size_t best = MOMENT_NONE;

		while (j < a->nregions && a->regions[j].end <= rb->start)
			j++;
		for (k = j; k < a->nregions && a->regions[k].start < rb->end;
		     k++) {
			const struct moment_region *ra = &a->regions[k];

			if (used[k] || ra->end <= rb->start ||
			    !moment_same_path(a, ra, b, rb))
				continue;
			if (ra->start == rb->start) {
				best = k;
				break;
			}
			if (best == MOMENT_NONE)
				best = k;
		}
		if (best != MOMENT_NONE)
			used[best] = 1;
		p[n++] = (struct moment_pair){ best, ib };
	}
	for (k = 0; k < a->nregions; k++)
		if (!used[k])
			p[n++] = (struct moment_pair){ k, MOMENT_NONE };
	free(used);
	return n;
}

/* Set the change and deltas of d from its counters. */
static void
moment_judge(struct moment_delta *d)
{
	int s;

	for (s = 0; s < SERIES_COUNT; s++)
		d->delta_kb[s] = (int64_t)d->b_kb[s] - (int64_t)d->a_kb[s];
	if (d->na == 0)
		d->change = MOMENT_NEW;
	else if (d->nb == 0)
		d->change = MOMENT_GONE;
	else {
		d->change = MOMENT_SAME;
		for (s = 0; s < SERIES_COUNT; s++)
			if (d->delta_kb[s] != 0) {
				d->change = d->delta_kb[s] > 0 ? MOMENT_GREW :
				                                 MOMENT_SHRANK;
				break;
			}
	}
}

static uint64_t
moment_size_of_change(const struct moment_delta *d)
{
	uint64_t big = 0;
	int s;

	for (s = 0; s < SERIES_COUNT; s++) {
		int64_t v = d->delta_kb[s];
		uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

		if (mag > big)
			big = mag;
	}
	return big;
}

static uint64_t
moment_delta_start(const struct moment_delta *d)
{
	return d->b != NULL ? d->b->start : d->a != NULL ? d->a->start : 0;
}

static int
moment_delta_cmp(const void *pa, const void *pb)
{
	const struct moment_delta *a = pa, *b = pb;
	uint64_t ca = moment_size_of_change(a), cb = moment_size_of_change(b);
	uint64_t sa = moment_delta_start(a), sb = moment_delta_start(b);
	size_t len;
	int c;

	if (ca != cb)
		return ca > cb ? -1 : 1;
	if (sa != sb)
		return sa < sb ? -1 : 1;
	if ((c = strcmp(a->label, b->label)) != 0)
		return c;
	len = a->path_len < b->path_len ? a->path_len : b->path_len;
	if ((c = memcmp(a->path, b->path, len)) != 0)
		return c;
	return a->path_len < b->path_len ? -1 : a->path_len > b->path_len;
}

/* Keep d when it changed (or with_same); count its kind. */
static void
moment_keep(
    struct moment_diff *df, const struct moment_delta *d, bool with_same)
{
	if (d->change == MOMENT_SAME && !with_same)
		return;
	df->d[df->n++] = *d;
	df->nnew += d->change == MOMENT_NEW;
	df->ngone += d->change == MOMENT_GONE;
	df->ngrew += d->change == MOMENT_GREW;
	df->nshrank += d->change == MOMENT_SHRANK;
}

static void
moment_diff_regions(struct moment_diff *df, const struct moment *a,
    const struct moment *b, bool with_same)
{
	struct moment_pair *p =
	    xmalloc((a->nregions + b->nregions + 1) * sizeof *p);
	size_t np, i;

	np = a->model_serial == b->model_serial ? moment_pair_by_id(a, b, p) :
	                                          moment_pair_by_range(a, b, p);
	df->d = xcalloc(np + 1, sizeof *df->d);
	for (i = 0; i < np; i++) {
		struct moment_delta d;
		const struct moment *mo = p[i].ib != MOMENT_NONE ? b : a;
		const struct moment_region *r;

		memset(&d, 0, sizeof d);
		if (p[i].ia != MOMENT_NONE) {
			d.a = &a->regions[p[i].ia];
			d.na = 1;
			memcpy(d.a_kb, d.a->kb, sizeof d.a_kb);
		}
		if (p[i].ib != MOMENT_NONE) {
			d.b = &b->regions[p[i].ib];
			d.nb = 1;
			memcpy(d.b_kb, d.b->kb, sizeof d.b_kb);
		}
		r = d.b != NULL ? d.b : d.a;
		d.cls = r->cls;
		d.path = moment_path(mo, r, &d.path_len);
		region_class_label(
		    r->cls, d.path, d.path_len, d.label, sizeof d.label);
		moment_judge(&d);
		moment_keep(df, &d, with_same);
	}
	free(p);
}

/* A region of one side, keyed by its group. */
struct moment_member {
	const struct moment *mo;
	const struct moment_region *r;
	bool by_path; /* grouped by its path; else by its class */
	int side;     /* 0: a, 1: b */
};

static int
moment_member_cmp(const void *pa, const void *pb)
{
	const struct moment_member *a = pa, *b = pb;
	size_t la, lb, len;
	const char *sa, *sb;
	int c;

	if (a->by_path != b->by_path)
		return a->by_path ? -1 : 1;
	if (!a->by_path && a->r->cls != b->r->cls)
		return a->r->cls < b->r->cls ? -1 : 1;
	/* By path, or anon:NAME by name; other classes have no key bytes. */
	la = a->by_path || a->r->cls == RC_ANON_NAMED ? a->r->path_len : 0;
	lb = b->by_path || b->r->cls == RC_ANON_NAMED ? b->r->path_len : 0;
	sa = moment_path(a->mo, a->r, &len);
	sb = moment_path(b->mo, b->r, &len);
	len = la < lb ? la : lb;
	if ((c = memcmp(sa, sb, len)) != 0)
		return c;
	if (la != lb)
		return la < lb ? -1 : 1;
	return a->side - b->side;
}

static void
moment_diff_groups(struct moment_diff *df, const struct moment *a,
    const struct moment *b, enum group_by by, bool with_same)
{
	size_t n = a->nregions + b->nregions, i, g;
	struct moment_member *mm = xmalloc((n + 1) * sizeof *mm);
	int s;

	for (i = 0; i < n; i++) {
		const struct moment *mo = i < a->nregions ? a : b;
		size_t j = i < a->nregions ? i : i - a->nregions;

		mm[i].mo = mo;
		mm[i].r = &mo->regions[j];
		mm[i].side = mo == a ? 0 : 1;
		mm[i].by_path = by == GROUP_FILE && mm[i].r->path_len > 0;
	}
	qsort(mm, n, sizeof *mm, moment_member_cmp);
	df->d = xcalloc(n + 1, sizeof *df->d);
	for (i = 0; i < n; i = g) {
		struct moment_delta d;
		struct moment_member probe;

		memset(&d, 0, sizeof d);
		/* The run of the same group: equal but for the side. */
		for (g = i; g < n; g++) {
			probe = mm[g];
			probe.side = mm[i].side;
			if (moment_member_cmp(&mm[i], &probe) != 0)
				break;
			for (s = 0; s < SERIES_COUNT; s++) {
				if (mm[g].side == 0)
					d.a_kb[s] += mm[g].r->kb[s];
				else
					d.b_kb[s] += mm[g].r->kb[s];
			}
			if (mm[g].side == 0)
				d.na++;
			else
				d.nb++;
		}
		d.cls = mm[i].r->cls;
		if (mm[i].by_path || mm[i].r->cls == RC_ANON_NAMED)
			d.path = moment_path(mm[i].mo, mm[i].r, &d.path_len);
		else
			d.path = "";
		if (!mm[i].by_path)
			region_class_label(
			    d.cls, d.path, d.path_len, d.label, sizeof d.label);
		moment_judge(&d);
		moment_keep(df, &d, with_same);
	}
	free(mm);
}

struct moment_diff *
moment_diff(const struct moment *a, const struct moment *b, enum group_by by,
    bool with_same)
{
	struct moment_diff *df = xcalloc(1, sizeof *df);
	int s;

	df->by = by;
	if (isfinite(a->mono) && isfinite(b->mono))
		df->span_s = b->mono - a->mono;
	else if (isfinite(a->wall) && isfinite(b->wall))
		df->span_s = b->wall - a->wall;
	else
		df->span_s = NAN;
	for (s = 0; s < SERIES_COUNT; s++)
		df->total_delta_kb[s] =
		    (int64_t)b->total_kb[s] - (int64_t)a->total_kb[s];
	if (by == GROUP_NONE)
		moment_diff_regions(df, a, b, with_same);
	else
		moment_diff_groups(df, a, b, by, with_same);
	if (df->n > 1)
		qsort(df->d, df->n, sizeof *df->d, moment_delta_cmp);
	return df;
}

void
moment_diff_free(struct moment_diff *d)
{
	if (d == NULL)
		return;
	free(d->d);
	free(d);
}

const struct moment_delta *
moment_diff_find(const struct moment_diff *d, uint64_t start)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		if (moment_delta_start(&d->d[i]) == start &&
		    (d->d[i].a != NULL || d->d[i].b != NULL))
			return &d->d[i];
	return NULL;
}
