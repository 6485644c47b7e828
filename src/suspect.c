/*
 * suspect.c - leak suspects: the trend of a series (suspect.h says how it
 * is judged) and the ranking of a model's regions or groups by it.
 *
 * Cost: every region is looked at in O(1) (is it above its low point?);
 * those that are get an O(window) look at their history ring (did it grow
 * over the window?); at most SUSPECT_FULL_MAX of those get the full
 * analysis, O(window) plus a Theil-Sen over at most SUSPECT_PAIR_POINTS
 * points (their 1,128 pairs).  Scratch memory lives in the ranking.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suspect.h"
#include "util.h"

/* The slopes scratch: the Theil-Sen pairs, or a series' single rises. */
#define NPAIRS (SUSPECT_PAIR_POINTS * (SUSPECT_PAIR_POINTS - 1) / 2)
#if NPAIRS < SUSPECT_MAX_POINTS
#error "the slopes scratch must hold a series' rises"
#endif

/* Scratch of one analysis: the usable samples, the trend points, and the
 * pairwise slopes. */
struct suspect_work {
	double t[SUSPECT_MAX_POINTS], y[SUSPECT_MAX_POINTS];
	double pt[SUSPECT_MAX_POINTS], py[SUSPECT_MAX_POINTS];
	double slopes[NPAIRS];
};

/* A region or group that passed the prefilter. */
struct candidate {
	size_t idx;   /* model_region() index, or group index */
	double grown; /* kB grown over the window: who is analysed first */
};

struct suspect_ranking {
	struct suspect_work *w;
	uint64_t hist[MODEL_HISTORY];
	double mono[MODEL_HISTORY];
	struct suspect *s;
	size_t n, cap;
	struct candidate *c;
	double *grown; /* scratch: the candidates' growth */
	size_t ncand, cand_cap, nanalysed;
	struct suspect_trend proc;
	/* What the last result was computed for. */
	bool valid;
	uint64_t serial, samples, baseline;
	struct suspect_opts opts;
};

/* The k-th smallest of a[0..n) (k < n), reordering a so that a[0..k) are
 * no larger (Wirth's selection). */
static double
suspect_select(double *a, size_t n, size_t k)
{
	long l = 0, r = (long)n - 1, kk = (long)k;

	while (l < r) {
		double x = a[kk], tmp;
		long i = l, j = r;

		do {
			while (a[i] < x)
				i++;
			while (x < a[j])
				j--;
			if (i <= j) {
				tmp = a[i];
				a[i] = a[j];
				a[j] = tmp;
				i++;
				j--;
			}
		} while (i <= j);
		if (j < kk)
			l = i;
		if (kk < i)
			r = j;
	}
	return a[k];
}

/* The median of a[0..n), n > 0, reordering a. */
static double
suspect_median(double *a, size_t n)
{
	size_t k = n / 2, i;
	double hi, lo;

	hi = suspect_select(a, n, k);
	if (n % 2)
		return hi;
	/* a[0..k) now hold the k smallest: the largest of them. */
	lo = a[0];
	for (i = 1; i < k; i++)
		if (a[i] > lo)
			lo = a[i];
	return (lo + hi) / 2;
}

/* Copy the usable samples (present, finite time, later than the one kept
 * before) of the last SUSPECT_MAX_POINTS into w->t, w->y. */
static size_t
suspect_usable(
    struct suspect_work *w, const double *t, const uint64_t *y, size_t n)
{
	size_t i, k = 0;

	if (n > SUSPECT_MAX_POINTS) {
		t += n - SUSPECT_MAX_POINTS;
		y += n - SUSPECT_MAX_POINTS;
		n = SUSPECT_MAX_POINTS;
	}
	for (i = 0; i < n; i++) {
		if (y[i] == HISTORY_NONE || !isfinite(t[i]))
			continue;
		if (k > 0 && t[i] <= w->t[k - 1])
			continue;
		w->t[k] = t[i];
		w->y[k] = (double)y[i];
		k++;
	}
	return k;
}

/*
 * Troughs of the fall episodes of the usable samples: a run of steps that
 * do not rise, with at least one fall, whose fall is at least the median
 * single rise of the series (and more than the low slack): what a GC cycle
 * or a free gives back, not the jitter of a growing series.  The trough is
 * the first sample at the run's minimum; a run that reaches the last sample
 * is still falling and gives none.  Writes trough indices to idx (the
 * slopes scratch holds the rises meanwhile); returns how many.
 */
static size_t
suspect_troughs(struct suspect_work *w, size_t n, size_t *idx)
{
	double lo = w->y[0], need;
	size_t i, nt = 0, nr = 0;

	for (i = 1; i < n; i++) {
		if (w->y[i] < lo)
			lo = w->y[i];
		if (w->y[i] > w->y[i - 1])
			w->slopes[nr++] = w->y[i] - w->y[i - 1];
	}
	need = nr ? suspect_median(w->slopes, nr) : 0;
	if (need < MODEL_LOW_SLACK((uint64_t)lo))
		need = (double)MODEL_LOW_SLACK((uint64_t)lo);
	i = 0;
	while (i + 1 < n) {
		size_t start = i, low;

		if (w->y[i + 1] >= w->y[i]) {
			i++;
			continue;
		}
		low = i + 1;
		for (i++; i + 1 < n && w->y[i + 1] <= w->y[i]; i++)
			if (w->y[i + 1] < w->y[low])
				low = i + 1;
		if (w->y[start] - w->y[low] >= need && i + 1 < n)
			idx[nt++] = low;
	}
	return nt;
}

/* Index of the last low: scanning forward, the latest sample that came
 * back within MODEL_LOW_SLACK of the lowest so far (model.h's rule). */
static size_t
suspect_last_low(const struct suspect_work *w, size_t n)
{
	double low = w->y[0];
	size_t i, at = 0;

	for (i = 1; i < n; i++) {
		if (w->y[i] > low + (double)MODEL_LOW_SLACK((uint64_t)low))
			continue;
		if (w->y[i] < low)
			low = w->y[i];
		at = i;
	}
	return at;
}

/* Theil-Sen slope and Kendall's tau (tau-a) of the trend points. */
static void
suspect_theil_sen(struct suspect_work *w, size_t k, double *slope, double *tau)
{
	size_t i, j, m = 0;
	long conc = 0;

	for (i = 0; i < k; i++)
		for (j = i + 1; j < k; j++) {
			double dy = w->py[j] - w->py[i];

			w->slopes[m++] = dy / (w->pt[j] - w->pt[i]);
			conc += dy > 0 ? 1 : dy < 0 ? -1 : 0;
		}
	*slope = m ? suspect_median(w->slopes, m) : 0;
	*tau = m ? (double)conc / (double)m : 0;
}

/* The trend's value at time x: linear between the trend points. */
static double
suspect_at(const struct suspect_work *w, size_t k, double x)
{
	size_t i;

	if (x <= w->pt[0])
		return w->py[0];
	for (i = 1; i < k; i++)
		if (w->pt[i] >= x)
			return w->py[i - 1] +
			    (w->py[i] - w->py[i - 1]) * (x - w->pt[i - 1]) /
			    (w->pt[i] - w->pt[i - 1]);
	return w->py[k - 1];
}

static double
suspect_clamp01(double v)
{
	return v < 0 ? 0 : v > 1 ? 1 : v;
}

/* The window's net growth over all its rises, 0..1, on the series with
 * each sample replaced by the median of it and its neighbours (a single
 * wild sample is neither a rise nor a fall). */
static double
suspect_kept(const struct suspect_work *w, size_t n)
{
	double up = 0, prev = w->y[0], v = prev;
	size_t i;

	for (i = 1; i < n; i++) {
		v = w->y[i];
		if (i + 1 < n) {
			double a = w->y[i - 1], c = w->y[i + 1];
			double lo = a < c ? a : c, hi = a < c ? c : a;

			v = v < lo ? lo : v > hi ? hi : v;
		}
		if (v > prev)
			up += v - prev;
		prev = v;
	}
	return up > 0 ? suspect_clamp01((v - w->y[0]) / up) : 0;
}

static void
suspect_analyse(struct suspect_work *w, const double *t, const uint64_t *y,
    size_t n, struct suspect_trend *tr)
{
	size_t troughs[SUSPECT_MAX_POINTS];
	size_t nu, nt, k = 0, i, from;
	double rise = 0, maxexcess = 0, span, cut, expect;

	memset(tr, 0, sizeof *tr);
	nu = suspect_usable(w, t, y, n);
	tr->nusable = (uint32_t)nu;
	if (nu == 0)
		return;
	tr->from_mono = w->t[0];
	tr->to_mono = w->t[nu - 1];
	if (nu < 3)
		return;
	nt = suspect_troughs(w, nu, troughs);
	tr->ntroughs = (uint32_t)nt;
	tr->kept = suspect_kept(w, nu);
	if (nt >= SUSPECT_MIN_TROUGHS) {
		tr->cyclic = true;
		for (i = 0; i < nt; i++) {
			w->pt[k] = w->t[troughs[i]];
			w->py[k++] = w->y[troughs[i]];
		}
	} else {
		from = suspect_last_low(w, nu);
		if (nt > 0 && troughs[nt - 1] > from)
			from = troughs[nt - 1];
		for (i = from; i < nu; i++) {
			w->pt[k] = w->t[i];
			w->py[k++] = w->y[i];
		}
	}
	tr->npoints = (uint32_t)k;
	tr->from_mono = w->pt[0];
	if (k < 2)
		return;
	if (k > SUSPECT_PAIR_POINTS) {
		/* Evenly spread, the first and the last kept. */
		for (i = 0; i < SUSPECT_PAIR_POINTS; i++) {
			size_t j = i * (k - 1) / (SUSPECT_PAIR_POINTS - 1);

			w->pt[i] = w->pt[j];
			w->py[i] = w->py[j];
		}
		k = SUSPECT_PAIR_POINTS;
	}
	suspect_theil_sen(w, k, &tr->rate_kb_s, &tr->tau);
	span = w->pt[k - 1] - w->pt[0];
	for (i = 1; i < k; i++)
		if (w->py[i] > w->py[i - 1])
			rise += w->py[i] - w->py[i - 1];
	/* The largest share of the rise beyond the share of the time. */
	for (i = 1; i < k && rise > 0; i++) {
		double d = w->py[i] - w->py[i - 1];
		double excess = d / rise - (w->pt[i] - w->pt[i - 1]) / span;

		if (excess > maxexcess)
			maxexcess = excess;
	}
	tr->spread = rise > 0 ? suspect_clamp01(1 - maxexcess) : 0;
	cut = w->pt[k - 1] - span / 3;
	expect = tr->rate_kb_s * (w->pt[k - 1] - cut);
	tr->recent = expect > 0 ?
	    suspect_clamp01((w->py[k - 1] - suspect_at(w, k, cut)) / expect) :
	    0;
	tr->growth_kb = tr->rate_kb_s * (tr->to_mono - tr->from_mono);
	if (tr->rate_kb_s <= 0 || tr->growth_kb <= 0)
		return;
	tr->steadiness = suspect_clamp01(tr->tau) * tr->spread * tr->recent;
	tr->confidence = tr->steadiness *
	    (1 - exp(-((double)tr->npoints - 2) / 4)) * tr->growth_kb /
	    (tr->growth_kb + SUSPECT_MIN_GROWTH_KB);
	if (!tr->cyclic)
		tr->confidence *= tr->kept;
}

void
suspect_series(
    const double *t, const uint64_t *y, size_t n, struct suspect_trend *out)
{
	struct suspect_work *w = xmalloc(sizeof *w);

	suspect_analyse(w, t, y, n, out);
	free(w);
}

const char *
suspect_steadiness_word(const struct suspect_trend *tr)
{
	if (tr->cyclic)
		return "across cycles";
	if (tr->steadiness >= 0.75)
		return "steady";
	if (tr->steadiness >= 0.4)
		return "uneven";
	return "in bursts";
}

double
suspect_time_to_limit(double rate_kb_s, double headroom_kb)
{
	if (!(headroom_kb >= 0) || !(rate_kb_s > 0))
		return NAN;
	return headroom_kb / rate_kb_s;
}

void
suspect_opts_init(struct suspect_opts *o)
{
	memset(o, 0, sizeof *o);
	o->by = GROUP_NONE;
	o->window = 0;
	o->max = 10;
	o->headroom_kb = NAN;
	o->cgroup_rate_kb_s = NAN;
}

struct suspect_ranking *
suspect_ranking_new(void)
{
	struct suspect_ranking *sr = xcalloc(1, sizeof *sr);

	sr->w = xmalloc(sizeof *sr->w);
	return sr;
}

void
suspect_ranking_free(struct suspect_ranking *sr)
{
	if (sr == NULL)
		return;
	free(sr->w);
	free(sr->s);
	free(sr->c);
	free(sr->grown);
	free(sr);
}

const struct suspect_trend *
suspect_process_trend(const struct suspect_ranking *sr)
{
	return &sr->proc;
}

size_t
suspect_ncandidates(const struct suspect_ranking *sr)
{
	return sr->ncand;
}

size_t
suspect_nanalysed(const struct suspect_ranking *sr)
{
	return sr->nanalysed;
}

/*
 * The window's prefilter on the ring h over samples [from, to] of a window
 * whose first half ends before mid: whether the series grew over it (last
 * above first, or the low of its second half above the low of its first: a
 * sawtooth whose troughs rise), and by how much (*grown: last minus first,
 * or minus the window's low).  Reads the ring in place, and only the two
 * ends when they tell: this runs for every region above its low point.
 */
/* The lowest of the ring h over samples [from, to] (to >= from, at most
 * MODEL_HISTORY of them): one or two contiguous runs, no branch inside. */
static uint32_t
suspect_ring_min(const struct history *h, uint64_t from, uint64_t to)
{
	size_t a = (size_t)(from % MODEL_HISTORY);
	size_t n = (size_t)(to - from) + 1, i, end;
	uint32_t lo = UINT32_MAX;

	end = a + n < MODEL_HISTORY ? a + n : MODEL_HISTORY;
	for (i = a; i < end; i++)
		lo = h->v[i] < lo ? h->v[i] : lo;
	for (i = 0; i < n - (end - a); i++)
		lo = h->v[i] < lo ? h->v[i] : lo;
	return lo;
}

static bool
suspect_grew(const struct history *h, uint64_t from, uint64_t to, uint64_t mid,
    double *grown)
{
	uint32_t first, last, lo1, lo2;

	if (to < from)
		return false;
	first = h->v[from % MODEL_HISTORY];
	last = h->v[to % MODEL_HISTORY];
	if (last > first + MODEL_LOW_SLACK(first)) {
		*grown = (double)last - (double)first; /* enough to order */
		return true;
	}
	lo1 = mid > from ?
	    suspect_ring_min(h, from, mid - 1 < to ? mid - 1 : to) :
	    first;
	lo2 =
	    mid <= to ? suspect_ring_min(h, mid > from ? mid : from, to) : last;
	*grown = (double)last - (double)(lo1 < lo2 ? lo1 : lo2);
	return lo2 > lo1 + MODEL_LOW_SLACK(lo1);
}

static void
suspect_swap(struct candidate *a, struct candidate *b)
{
	struct candidate tmp = *a;

	*a = *b;
	*b = tmp;
}

static void
suspect_add_candidate(struct suspect_ranking *sr, size_t idx, double grown)
{
	if (sr->ncand == sr->cand_cap) {
		sr->cand_cap = sr->cand_cap ? sr->cand_cap * 2 : 256;
		sr->c = xrealloc(sr->c, sr->cand_cap * sizeof *sr->c);
		sr->grown =
		    xrealloc(sr->grown, sr->cand_cap * sizeof *sr->grown);
	}
	sr->c[sr->ncand].idx = idx;
	sr->c[sr->ncand].grown = grown;
	sr->ncand++;
}

/* How many candidates get the full analysis: when there are more than
 * SUSPECT_FULL_MAX, the SUSPECT_FULL_MAX that grew the most, moved to the
 * front (a selection, not a sort: their order does not matter). */
static size_t
suspect_to_analyse(struct suspect_ranking *sr)
{
	size_t i, k = 0;
	double cut;

	if (sr->ncand <= SUSPECT_FULL_MAX)
		return sr->ncand;
	for (i = 0; i < sr->ncand; i++)
		sr->grown[i] = sr->c[i].grown;
	cut =
	    suspect_select(sr->grown, sr->ncand, sr->ncand - SUSPECT_FULL_MAX);
	/* Those above the cut, then those at it, to the front. */
	for (i = 0; i < sr->ncand && k < SUSPECT_FULL_MAX; i++)
		if (sr->c[i].grown > cut)
			suspect_swap(&sr->c[k++], &sr->c[i]);
	for (i = k; i < sr->ncand && k < SUSPECT_FULL_MAX; i++)
		if (sr->c[i].grown == cut)
			suspect_swap(&sr->c[k++], &sr->c[i]);
	return SUSPECT_FULL_MAX;
}

static struct suspect *
suspect_push(struct suspect_ranking *sr)
{
	struct suspect *s;

	if (sr->n == sr->cap) {
		sr->cap = sr->cap ? sr->cap * 2 : 32;
		sr->s = xrealloc(sr->s, sr->cap * sizeof *sr->s);
	}
	s = &sr->s[sr->n++];
	memset(s, 0, sizeof *s);
	s->since_mono = NAN; /* suspect_fill() sets it unless known */
	return s;
}

/* The figures every suspect has, from its trend. */
static void
suspect_fill(struct suspect_ranking *sr, const struct model *m,
    const struct suspect_opts *o, struct suspect *s)
{
	double last_mono = model_sample_mono(m, model_samples(m) - 1);

	s->rate_kb_s = s->trend.rate_kb_s;
	s->confidence = s->trend.confidence;
	s->score = s->rate_kb_s * s->confidence;
	s->share_process =
	    sr->proc.rate_kb_s > 0 ? s->rate_kb_s / sr->proc.rate_kb_s : NAN;
	s->share_cgroup =
	    o->cgroup_rate_kb_s > 0 ? s->rate_kb_s / o->cgroup_rate_kb_s : NAN;
	s->oom_s = suspect_time_to_limit(s->rate_kb_s, o->headroom_kb);
	if (isnan(s->since_mono)) {
		s->since_mono = s->trend.from_mono;
		s->since_wall =
		    model_last_wall(m) - (last_mono - s->since_mono);
	}
	s->growing_s = last_mono - s->since_mono;
	if (s->growing_s < 0)
		s->growing_s = 0;
}

static void
suspect_rank_regions(struct suspect_ranking *sr, struct model *m,
    const struct suspect_opts *o, size_t window)
{
	size_t i, n = model_nregions(m), na;
	uint64_t latest = model_samples(m) - 1, from, mid;
	struct history ring;
	double grown;

	from = latest + 1 - window;
	mid = from + window / 2;
	for (i = 0; i < n; i++) {
		const struct tracked_region *t = model_region(m, i);

		if (t->state == TR_GONE ||
		    t->kb[SF_RSS] <= t->low_kb + MODEL_LOW_SLACK(t->low_kb))
			continue;
		/* Few regions are above their low point: their rings are
		 * decoded here, only theirs. */
		model_region_ring(m, t, SERIES_RSS, &ring);
		if (suspect_grew(&ring,
		        t->first_seq > from ? t->first_seq : from,
		        t->last_seq < latest ? t->last_seq : latest, mid,
		        &grown))
			suspect_add_candidate(sr, i, grown);
	}
	na = suspect_to_analyse(sr);
	sr->nanalysed = na;
	for (i = 0; i < na; i++) {
		const struct tracked_region *t = model_region(m, sr->c[i].idx);
		struct suspect_trend tr;
		struct suspect *s;
		size_t nh;

		nh = model_region_history(m, t, SERIES_RSS, sr->hist, window);
		suspect_analyse(sr->w, sr->mono, sr->hist, nh, &tr);
		if (!(tr.rate_kb_s > 0) || !(tr.confidence > 0))
			continue;
		s = suspect_push(sr);
		s->by = GROUP_NONE;
		s->trend = tr;
		s->id = t->id;
		s->cls = t->cls;
		s->path_id = t->path_id;
		s->start = t->start;
		s->end = t->end;
		s->nregions = 1;
		model_class_label(m, t, s->label, sizeof s->label);
		s->rss_kb = t->kb[SF_RSS];
		s->growth_start_kb =
		    (int64_t)t->kb[SF_RSS] - (int64_t)tracked_first(t, SF_RSS);
		s->growth_base_kb = tracked_delta_base(t, SF_RSS);
		/* Its low point reaches back beyond the window. */
		if (t->low_mono < tr.from_mono) {
			s->since_mono = t->low_mono;
			s->since_wall = t->low_wall;
		}
		suspect_fill(sr, m, o, s);
	}
}

static void
suspect_rank_groups(struct suspect_ranking *sr, struct model *m,
    const struct suspect_opts *o, size_t window)
{
	const struct region_group *g;
	uint64_t latest = model_samples(m) - 1, from;
	size_t i, n, na;
	double grown;

	from = latest + 1 - window;
	n = model_groups(m, o->by, &g);
	for (i = 0; i < n; i++)
		if (suspect_grew(&g[i].hist[SERIES_RSS], from, latest,
		        from + window / 2, &grown))
			suspect_add_candidate(sr, i, grown);
	na = suspect_to_analyse(sr);
	sr->nanalysed = na;
	for (i = 0; i < na; i++) {
		const struct region_group *gr = &g[sr->c[i].idx];
		struct suspect_trend tr;
		struct suspect *s;
		size_t nh;

		nh = model_history(
		    m, &gr->hist[SERIES_RSS], 0, UINT64_MAX, sr->hist, window);
		suspect_analyse(sr->w, sr->mono, sr->hist, nh, &tr);
		if (!(tr.rate_kb_s > 0) || !(tr.confidence > 0))
			continue;
		s = suspect_push(sr);
		s->by = o->by;
		s->trend = tr;
		s->key = gr->key;
		s->cls = gr->cls;
		s->path_id = gr->path_id;
		s->nregions = gr->nregions;
		snprintf(s->label, sizeof s->label, "%s",
		    gr->label[0] != '\0' ? gr->label : "file");
		s->rss_kb = gr->kb[SF_RSS];
		s->growth_start_kb =
		    (int64_t)gr->kb[SF_RSS] - (int64_t)gr->first_kb[SF_RSS];
		s->growth_base_kb =
		    (int64_t)gr->kb[SF_RSS] - (int64_t)gr->base_kb[SF_RSS];
		suspect_fill(sr, m, o, s);
	}
}

static int
suspect_cmp(const void *pa, const void *pb)
{
	const struct suspect *a = pa, *b = pb;
	bool ca = a->confidence >= SUSPECT_CONFIDENT;
	bool cb = b->confidence >= SUSPECT_CONFIDENT;

	if (ca != cb)
		return ca ? -1 : 1;
	if (a->score != b->score)
		return a->score > b->score ? -1 : 1;
	if (a->id != b->id)
		return a->id < b->id ? -1 : 1;
	return a->key < b->key ? -1 : a->key > b->key;
}

static bool
suspect_same_double(double a, double b)
{
	return memcmp(&a, &b, sizeof a) == 0;
}

static bool
suspect_cached(const struct suspect_ranking *sr, const struct model *m,
    const struct suspect_opts *o)
{
	return sr->valid && sr->serial == model_serial(m) &&
	    sr->samples == model_samples(m) &&
	    sr->baseline == model_baseline_seq(m) && sr->opts.by == o->by &&
	    sr->opts.window == o->window &&
	    suspect_same_double(sr->opts.headroom_kb, o->headroom_kb) &&
	    suspect_same_double(sr->opts.cgroup_rate_kb_s, o->cgroup_rate_kb_s);
}

size_t
suspect_rank(struct suspect_ranking *sr, struct model *m,
    const struct suspect_opts *o, const struct suspect **out)
{
	size_t window = o->window ? o->window : MODEL_HISTORY, nh, nm;

	if (suspect_cached(sr, m, o)) {
		*out = sr->s;
		return o->max != 0 && sr->n > o->max ? o->max : sr->n;
	}
	sr->n = 0;
	sr->ncand = 0;
	sr->nanalysed = 0;
	memset(&sr->proc, 0, sizeof sr->proc);
	if (window > MODEL_HISTORY)
		window = MODEL_HISTORY;
	if (window > model_samples(m))
		window = (size_t)model_samples(m);
	if (model_samples(m) >= 3) {
		nm = model_history_mono(m, sr->mono, window);
		nh = model_history(m, &model_totals(m)->hist[SERIES_RSS], 0,
		    UINT64_MAX, sr->hist, window);
		suspect_analyse(
		    sr->w, sr->mono, sr->hist, nh < nm ? nh : nm, &sr->proc);
		if (o->by == GROUP_NONE)
			suspect_rank_regions(sr, m, o, window);
		else
			suspect_rank_groups(sr, m, o, window);
	}
	if (sr->n > 1)
		qsort(sr->s, sr->n, sizeof *sr->s, suspect_cmp);
	sr->valid = true;
	sr->serial = model_serial(m);
	sr->samples = model_samples(m);
	sr->baseline = model_baseline_seq(m);
	sr->opts = *o;
	*out = sr->s;
	return o->max != 0 && sr->n > o->max ? o->max : sr->n;
}

const struct suspect *
suspect_top(const struct suspect *s, size_t n)
{
	return n > 0 && s[0].confidence >= SUSPECT_CONFIDENT ? &s[0] : NULL;
}

/* The escaped base name of path bytes p[0..len). */
static void
suspect_basename(const char *p, size_t len, char *out, size_t size, bool utf8)
{
	size_t i = len;

	while (i > 0 && p[i - 1] != '/')
		i--;
	if (i == len) /* ends with '/': the whole path */
		i = 0;
	esc_text(p + i, len - i, out, size, utf8);
}

size_t
suspect_line(const struct model *m, const struct suspect *s, char *buf,
    size_t size, bool utf8)
{
	char name[320], rate[32], dur[32], base[160];
	const char *path;
	size_t len;
	int w;

	if (size == 0)
		return 0;
	path = model_path(m, s->path_id, &len);
	if (s->by == GROUP_NONE && (len == 0 || path[0] == '[')) {
		/* Its whole start, as the table's Start column shows it
		 * (many regions share the first digits). */
		snprintf(name, sizeof name, "%s %012llx", s->label,
		    (unsigned long long)s->start);
	} else if (len > 0 && path[0] != '[') {
		suspect_basename(path, len, base, sizeof base, utf8);
		snprintf(name, sizeof name, "%s %s",
		    s->by == GROUP_NONE ? s->label : "file", base);
	} else if (len > 0) { /* a group of a pseudo-path: "[heap]" */
		esc_text(path, len, base, sizeof base, utf8);
		snprintf(name, sizeof name, "%s", base);
	} else
		snprintf(name, sizeof name, "%s%s",
		    s->by == GROUP_CLASS ? "class " : "", s->label);
	fmt_rate(s->rate_kb_s, rate, sizeof rate);
	fmt_duration(s->growing_s, dur, sizeof dur);
	w = snprintf(buf, size, "leak suspect: %s  %s for %s, %s", name, rate,
	    dur, suspect_steadiness_word(&s->trend));
	if (w < 0) {
		buf[0] = '\0';
		return 0;
	}
	return (size_t)w < size ? (size_t)w : size - 1;
}
