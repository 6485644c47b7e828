/*
 * model.c - tracked regions across samples.
 *
 * Tracked regions live in one pool array (slots reused, no malloc per
 * region); `ord` lists them sorted by start address, with a compact copy of
 * what matching needs (range, path, gone) so that the walk does not touch
 * the big tracked structs.  Each ingest walks the new snapshot and the old
 * order together once (both sorted), so matching is O(n), and builds the
 * next order.  Paths are interned once into an arena.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "classify-rules.h"
#include "model.h"
#include "util.h"

struct path_ref {
	uint32_t off, len;
};

/* A tracked region's place in address order. */
struct ord_entry {
	uint64_t start, end; /* its range after the last ingest */
	uint32_t slot;       /* in the pool */
	uint32_t path_id;
	uint8_t gone;
	uint8_t matched; /* during an ingest: continued by a new one */
};

struct model {
	struct tracked_region *pool; /* slots; free ones chained by id */
	size_t pool_len, pool_cap;
	uint32_t *free_slots;
	size_t nfree, free_cap;
	struct ord_entry *ord;        /* sorted by start, gone ones too */
	struct ord_entry *live, *tmp; /* scratch for the next order */
	size_t norder, order_cap;
	uint8_t *cls;          /* per snapshot region */
	struct class_why *why; /* and why it has its class */
	size_t cls_cap;
	uint32_t *path_ids; /* per snapshot region */

	char *paths; /* interned path bytes */
	size_t paths_len, paths_cap;
	struct path_ref *refs; /* path id -> bytes; id 0 = "" */
	size_t nrefs, refs_cap;
	uint32_t *hash; /* open addressing: path ids */
	size_t hash_cap;

	uint64_t serial; /* model_serial() */
	uint64_t nsamples, next_id, baseline_seq;
	double mono[MODEL_HISTORY], wall[MODEL_HISTORY];
	double first_wall;
	struct snapshot_info info;
	enum target_state state;
	double exec_wall; /* wall time of the last exec seen, or 0 */
	double last_ms;
	uint32_t torn;
	struct model_totals tot;
	uint64_t first_tot_kb[SF_COUNT];

	struct region_group *groups; /* cache of model_groups() */
	size_t ngroups, groups_cap;
	enum group_by groups_by;
	uint64_t groups_seq; /* nsamples when computed, 0 never */
};

static const enum smaps_field series_fields[SERIES_TOTAL_COUNT] = { SF_RSS,
	SF_PSS, SF_SWAP, SF_PRIVATE_DIRTY, SF_ANONYMOUS };

const char *
series_name(enum series s)
{
	static const char *const names[SERIES_TOTAL_COUNT] = { "RSS", "PSS",
		"Swap", "Private dirty", "Anon" };

	return s < SERIES_TOTAL_COUNT ? names[s] : "?";
}

enum smaps_field
series_field(enum series s)
{
	return series_fields[s < SERIES_TOTAL_COUNT ? s : 0];
}

const char *
tracked_state_name(enum tracked_state s)
{
	return s == TR_NEW ? "new" : s == TR_GONE ? "gone" : "live";
}

const char *
group_by_name(enum group_by g)
{
	return g == GROUP_CLASS ? "class" : g == GROUP_FILE ? "file" : "region";
}

/* *m (all zero) as a new model. */
static void
model_init(struct model *m)
{
	static uint64_t serials;

	m->serial = __atomic_add_fetch(&serials, 1, __ATOMIC_RELAXED);
	m->next_id = 1;
	m->refs_cap = 1024;
	m->refs = xcalloc(m->refs_cap, sizeof *m->refs);
	m->nrefs = 1; /* id 0: no path */
	m->hash_cap = 2048;
	m->hash = xcalloc(m->hash_cap, sizeof *m->hash);
}

/* Free what *m holds, not m. */
static void
model_release(struct model *m)
{
	free(m->pool);
	free(m->free_slots);
	free(m->ord);
	free(m->live);
	free(m->tmp);
	free(m->cls);
	free(m->why);
	free(m->path_ids);
	free(m->paths);
	free(m->refs);
	free(m->hash);
	free(m->groups);
}

struct model *
model_new(void)
{
	struct model *m = xcalloc(1, sizeof *m);

	model_init(m);
	return m;
}

void
model_free(struct model *m)
{
	if (m == NULL)
		return;
	model_release(m);
	free(m);
}

void
model_reset(struct model *m)
{
	model_release(m);
	memset(m, 0, sizeof *m);
	model_init(m);
}

uint64_t
model_serial(const struct model *m)
{
	return m->serial;
}

static void
path_rehash(struct model *m)
{
	size_t i, cap = m->hash_cap * 2;
	uint32_t *h = xcalloc(cap, sizeof *h);

	for (i = 1; i < m->nrefs; i++) {
		size_t k =
		    hash_bytes(m->paths + m->refs[i].off, m->refs[i].len) &
		    (cap - 1);

		while (h[k] != 0)
			k = (k + 1) & (cap - 1);
		h[k] = (uint32_t)i;
	}
	free(m->hash);
	m->hash = h;
	m->hash_cap = cap;
}

/* The id of these path bytes, interning them on first sight. */
static uint32_t
path_intern(struct model *m, const char *p, size_t len)
{
	size_t k;
	uint32_t id;

	if (len == 0)
		return 0;
	k = hash_bytes(p, len) & (m->hash_cap - 1);
	while ((id = m->hash[k]) != 0) {
		if (m->refs[id].len == len &&
		    memcmp(m->paths + m->refs[id].off, p, len) == 0)
			return id;
		k = (k + 1) & (m->hash_cap - 1);
	}
	if (m->nrefs == m->refs_cap) {
		m->refs_cap *= 2;
		m->refs = xrealloc(m->refs, m->refs_cap * sizeof *m->refs);
	}
	if (m->paths_len + len > m->paths_cap) {
		m->paths_cap = (m->paths_cap + len) * 2;
		m->paths = xrealloc(m->paths, m->paths_cap);
	}
	memcpy(m->paths + m->paths_len, p, len);
	id = (uint32_t)m->nrefs++;
	m->refs[id].off = (uint32_t)m->paths_len;
	m->refs[id].len = (uint32_t)len;
	m->paths_len += len;
	m->hash[k] = id;
	if (m->nrefs * 2 > m->hash_cap)
		path_rehash(m);
	return id;
}

const char *
model_path(const struct model *m, uint32_t path_id, size_t *len)
{
	if (path_id == 0 || path_id >= m->nrefs) {
		*len = 0;
		return "";
	}
	*len = m->refs[path_id].len;
	return m->paths + m->refs[path_id].off;
}

size_t
model_class_label(const struct model *m, const struct tracked_region *r,
    char *buf, size_t size)
{
	size_t len;
	const char *p = model_path(m, r->path_id, &len);

	return region_class_label(r->cls, p, len, buf, size);
}

static uint32_t
slot_alloc(struct model *m)
{
	if (m->nfree > 0)
		return m->free_slots[--m->nfree];
	if (m->pool_len == m->pool_cap) {
		m->pool_cap = m->pool_cap ? m->pool_cap * 2 : 256;
		m->pool = xrealloc(m->pool, m->pool_cap * sizeof *m->pool);
	}
	return (uint32_t)m->pool_len++;
}

static void
slot_free(struct model *m, uint32_t slot)
{
	if (m->nfree == m->free_cap) {
		m->free_cap = m->free_cap ? m->free_cap * 2 : 256;
		m->free_slots = xrealloc(
		    m->free_slots, m->free_cap * sizeof *m->free_slots);
	}
	m->free_slots[m->nfree++] = slot;
	m->pool[slot].id = 0;
}

static inline uint32_t
sat32(uint64_t v)
{
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

/* Region i of s is tracked by t, whose built-in class tracked_update()
 * has set: its class is what the first user rule matching it says, else
 * that; and why, unless a stack kept its class without a reason now. */
static void
model_classify(struct model *m, struct tracked_region *t,
    const struct snapshot *s, size_t i)
{
	const struct classify_rules *rules = classify_rules_installed();
	int k = classify_rules_match(rules, s, i, t->builtin);

	if (t->builtin == m->cls[i])
		t->why = m->why[i];
	if (k >= 0) {
		t->cls = (enum region_class)classify_rules_class(rules, k);
		t->why.how = CW_RULE;
		t->why.reason = CR_NONE;
		t->why.arg = (uint32_t)k;
	} else
		t->cls = t->builtin;
}

/* Record the region's counters for sample seq. */
static void
tracked_update(struct tracked_region *t, const struct region *r,
    enum region_class c, uint64_t seq)
{
	int s;

	memcpy(t->prev_kb, t->kb, sizeof t->kb);
	memcpy(t->kb, r->kb, sizeof t->kb);
	if (r->start != t->start)
		t->events |= TR_EVENT_MOVED;
	if (r->end - r->start > t->end - t->start)
		t->events |= TR_EVENT_GREW;
	else if (r->end - r->start < t->end - t->start)
		t->events |= TR_EVENT_SHRANK;
	t->start = r->start;
	t->end = r->end;
	t->offset = r->offset;
	t->inode = r->inode;
	t->dev_major = r->dev_major;
	t->dev_minor = r->dev_minor;
	memcpy(t->perms, r->perms, sizeof t->perms);
	t->deleted = r->deleted;
	/* A thread stack whose thread was running (no SP this sample) or has
	 * gone to glibc's stack cache is still a stack: no flicker to anon.
	 * The user's rules refine what this says (model_classify). */
	if (!(t->builtin == RC_THREAD_STACK && c == RC_ANON))
		t->builtin = c;
	t->present = r->present;
	t->vmflags = r->vmflags;
	t->has_vmflags = r->has_vmflags;
	t->last_seq = seq;
	for (s = 0; s < SERIES_COUNT; s++)
		t->hist[s].v[seq % MODEL_HISTORY] =
		    sat32(r->kb[series_fields[s]]);
}

/* Move the region's low point (model.h) with this sample's RSS. */
static void
tracked_track_low(struct tracked_region *t, double mono, double wall)
{
	uint64_t rss = t->kb[SF_RSS];

	if (rss > t->low_kb + MODEL_LOW_SLACK(t->low_kb))
		return;
	if (rss < t->low_kb)
		t->low_kb = rss;
	t->low_mono = mono;
	t->low_wall = wall;
}

static void
tracked_init(struct model *m, struct tracked_region *t, const struct region *r,
    enum region_class c, uint32_t path_id, uint64_t seq, double wall)
{
	memset(t, 0, sizeof *t);
	t->id = m->next_id++;
	t->path_id = path_id;
	t->start = t->first_start = r->start;
	t->end = t->first_end = r->end;
	t->first_seq = seq;
	t->first_time = wall;
	t->state = seq == 0 ? TR_LIVE : TR_NEW;
	tracked_update(t, r, c, seq);
	t->events = 0;
	/* Born now, it grew from nothing; there from the first sample, it
	 * has no previous one to differ from. */
	memset(t->prev_kb, 0, sizeof t->prev_kb);
	if (seq == 0) {
		memcpy(t->prev_kb, r->kb, sizeof t->prev_kb);
		memcpy(t->base_kb, r->kb, sizeof t->base_kb);
		memcpy(t->first_kb, r->kb, sizeof t->first_kb);
	}
	t->low_kb = r->kb[SF_RSS];
}

static void
ensure_capacity(struct model *m, size_t nnew, size_t nold)
{
	size_t want = nnew + nold + 1;

	if (want > m->order_cap) {
		m->order_cap = want + want / 2;
		m->ord = xrealloc(m->ord, m->order_cap * sizeof *m->ord);
		m->live = xrealloc(m->live, m->order_cap * sizeof *m->live);
		m->tmp = xrealloc(m->tmp, m->order_cap * sizeof *m->tmp);
	}
	/* Room for every region being new, so the pool grows once. */
	if (nnew > m->nfree && m->pool_len + (nnew - m->nfree) > m->pool_cap) {
		m->pool_cap = m->pool_len + (nnew - m->nfree);
		m->pool_cap += m->pool_cap / 4;
		m->pool = xrealloc(m->pool, m->pool_cap * sizeof *m->pool);
	}
	if (nnew > m->cls_cap) {
		m->cls_cap = nnew + nnew / 2;
		m->cls = xrealloc(m->cls, m->cls_cap);
		m->why = xrealloc(m->why, m->cls_cap * sizeof *m->why);
		m->path_ids =
		    xrealloc(m->path_ids, m->cls_cap * sizeof *m->path_ids);
	}
}

/*
 * The old tracked region (position in ord) that new region r continues: the
 * same path and start, else the first of the same path that overlaps.  *j is
 * the first old position that may still overlap (advanced here).  Reads only
 * the compact ord entries; flags splits and merges on the tracked regions.
 */
static long
match_old(struct model *m, const struct region *r, uint32_t path_id, size_t *j)
{
	const struct ord_entry *o;
	long best = -1;
	size_t k;

	while (*j < m->norder) {
		o = &m->ord[*j];
		if (!o->gone && o->end > r->start)
			break;
		(*j)++;
	}
	for (k = *j; k < m->norder; k++) {
		o = &m->ord[k];
		if (o->start >= r->end)
			break;
		if (o->gone || o->path_id != path_id || o->end <= r->start)
			continue;
		if (o->matched) {
			/* Part of it already went on: it was split. */
			m->pool[o->slot].events |= TR_EVENT_SPLIT;
			continue;
		}
		if (o->start == r->start) {
			best = (long)k;
			break;
		}
		if (best < 0)
			best = (long)k;
	}
	if (best >= 0) {
		/* Others of the same path inside r were merged into it. */
		for (k = *j; k < m->norder; k++) {
			o = &m->ord[k];
			if (o->start >= r->end)
				break;
			if ((long)k != best && !o->matched && !o->gone &&
			    o->path_id == path_id && o->start >= r->start &&
			    o->end <= r->end)
				m->pool[m->ord[best].slot].events |=
				    TR_EVENT_MERGED;
		}
	}
	return best;
}

/* The runtime's figures (bytes) into the TS_RT_* series at ring slot h
 * (kB), when the sample brought a new reading; absent otherwise. */
static void
totals_runtime(
    struct model_totals *tot, const struct rt_figures *f, bool fresh, size_t h)
{
	uint64_t v[TS_COUNT];
	uint64_t have = 0;
	int k;

	if (fresh && f->status == RT_ST_OK && rtfig_is_jvm(f->source)) {
		static const int from[][2] = {
			{ TS_RT_USED, RTF_JVM_HEAP_USED },
			{ TS_RT_COMMITTED, RTF_JVM_HEAP_COMMITTED },
			{ TS_RT_OLD, RTF_JVM_OLD_USED },
		};
		for (k = 0; k < 3; k++) {
			if (rtfig_has(f, (enum rt_field)from[k][1])) {
				v[from[k][0]] = f->v[from[k][1]];
				have |= 1u << from[k][0];
			}
		}
	} else if (fresh && f->status == RT_ST_OK && rtfig_is_go(f->source)) {
		if (rtfig_has(f, RTF_GO_HEAP_ALLOC)) {
			v[TS_RT_USED] = f->v[RTF_GO_HEAP_ALLOC];
			have |= 1u << TS_RT_USED;
		}
		if (rtfig_has(f, RTF_GO_HEAP_SYS) &&
		    rtfig_has(f, RTF_GO_HEAP_RELEASED)) {
			v[TS_RT_COMMITTED] =
			    f->v[RTF_GO_HEAP_SYS] > f->v[RTF_GO_HEAP_RELEASED] ?
			    f->v[RTF_GO_HEAP_SYS] - f->v[RTF_GO_HEAP_RELEASED] :
			    0;
			have |= 1u << TS_RT_COMMITTED;
		}
		if (rtfig_has(f, RTF_GO_HEAP_IDLE)) {
			v[TS_RT_IDLE] = f->v[RTF_GO_HEAP_IDLE];
			have |= 1u << TS_RT_IDLE;
		}
		if (rtfig_has(f, RTF_GO_HEAP_RELEASED)) {
			v[TS_RT_RELEASED] = f->v[RTF_GO_HEAP_RELEASED];
			have |= 1u << TS_RT_RELEASED;
		}
	}
	for (k = TS_RT_USED; k <= TS_RT_RELEASED; k++)
		tot->facts[k].v[h] =
		    have >> k & 1 ? sat32(v[k] / 1024) : TOTALS_ABSENT;
}

/* What the kernel cannot reclaim (kB; TOTALS_ABSENT for unknown), into
 * the totals' facts series at ring slot h: the process's from
 * /proc/PID/status (smaps' Anonymous + Swap without it), the binding
 * cgroup's from the source's cgroup facts. */
static void
totals_facts(struct model_totals *tot, const struct snapshot *s, size_t h)
{
	const struct snapshot_info *in = &s->info;
	const uint64_t want = ((uint64_t)1 << ST_RSS_ANON) |
	    ((uint64_t)1 << ST_RSS_SHMEM) | ((uint64_t)1 << ST_VM_SWAP);
	const struct cgroup_limit *l = &in->cg.limit;
	uint32_t v;

	if ((in->has_status & want) == want)
		v = sat32(in->status[ST_RSS_ANON] + in->status[ST_RSS_SHMEM] +
		    in->status[ST_VM_SWAP]);
	else
		v = sat32(tot->kb[SF_ANONYMOUS] + tot->kb[SF_SWAP]);
	tot->facts[TS_UNRECLAIMABLE].v[h] = v;
	tot->facts[TS_CG_UNRECLAIMABLE].v[h] =
	    in->cg.version != CGROUP_NONE && l->has_usage ?
	    sat32(l->unreclaimable / 1024) :
	    TOTALS_ABSENT;
	tot->facts[TS_CG_SWAP].v[h] =
	    in->cg.version != CGROUP_NONE && l->has_usage ?
	    sat32(l->swap / 1024) :
	    TOTALS_ABSENT;
}

void
model_ingest(struct model *m, const struct snapshot *s)
{
	uint64_t seq = m->nsamples;
	size_t i, j = 0, n = 0, k, ngone = 0, a = 0, b = 0, o = 0;
	struct model_totals *tot = &m->tot;
	struct ord_entry *swap;
	int f, sr;

	ensure_capacity(m, s->nregions, m->norder);
	classify_builtin_why(s, m->cls, m->why);
	for (k = 0; k < m->norder; k++)
		m->ord[k].matched = 0;
	m->mono[seq % MODEL_HISTORY] = s->mono;
	m->wall[seq % MODEL_HISTORY] = s->wall;
	if (seq == 0)
		m->first_wall = s->wall;

	/* Pass 1: match every new region to the region it continues. */
	for (i = 0; i < s->nregions; i++) {
		const struct region *r = &s->regions[i];
		struct ord_entry *e = &m->live[n++];
		long old;

		m->path_ids[i] = path_intern(m, region_path(s, r), r->path_len);
		old = match_old(m, r, m->path_ids[i], &j);
		if (old >= 0) {
			struct tracked_region *t = &m->pool[m->ord[old].slot];

			m->ord[old].matched = 1;
			if (t->state == TR_NEW)
				t->state = TR_LIVE;
			tracked_update(t, r, (enum region_class)m->cls[i], seq);
			e->slot = m->ord[old].slot;
		} else {
			e->slot = slot_alloc(m);
			tracked_init(m, &m->pool[e->slot], r,
			    (enum region_class)m->cls[i], m->path_ids[i], seq,
			    s->wall);
		}
		model_classify(m, &m->pool[e->slot], s, i);
		tracked_track_low(&m->pool[e->slot], s->mono, s->wall);
		e->start = r->start;
		e->end = r->end;
		e->path_id = m->path_ids[i];
		e->gone = 0;
	}

	/* Pass 2: unmatched old regions are gone (or merged into another);
	 * the long gone are dropped.  Collected in place in ord (ngone <= k),
	 * then merged with the live ones by start. */
	for (k = 0; k < m->norder; k++) {
		struct ord_entry *e = &m->ord[k];
		struct tracked_region *t = &m->pool[e->slot];

		if (e->matched)
			continue;
		t->state = TR_GONE;
		if (seq - t->last_seq > MODEL_GONE_TTL) {
			slot_free(m, e->slot);
			continue;
		}
		e->gone = 1;
		m->ord[ngone++] = *e;
	}
	while (a < n || b < ngone) {
		if (b == ngone ||
		    (a < n && m->live[a].start <= m->ord[b].start))
			m->tmp[o++] = m->live[a++];
		else
			m->tmp[o++] = m->ord[b++];
	}
	swap = m->ord;
	m->ord = m->tmp;
	m->tmp = swap;
	m->norder = o;

	/* Totals over the regions that are present: exactly this snapshot's
	 * (Size from the ranges, in case smaps gave none). */
	memcpy(tot->prev_kb, tot->kb, sizeof tot->kb);
	memset(tot->kb, 0, sizeof tot->kb);
	tot->nregions = s->nregions;
	for (i = 0; i < s->nregions; i++) {
		const struct region *r = &s->regions[i];

		for (f = 0; f < SF_COUNT; f++)
			tot->kb[f] += r->kb[f];
	}
	tot->kb[SF_SIZE] = 0;
	for (i = 0; i < s->nregions; i++)
		tot->kb[SF_SIZE] +=
		    (s->regions[i].end - s->regions[i].start) / 1024;
	for (sr = 0; sr < SERIES_TOTAL_COUNT; sr++)
		tot->hist[sr].v[seq % MODEL_HISTORY] =
		    sat32(tot->kb[series_fields[sr]]);
	totals_facts(tot, s, seq % MODEL_HISTORY);
	totals_runtime(tot, &s->info.rt,
	    seq == 0 || s->info.rt.mono != m->info.rt.mono ||
	        s->info.rt.source != m->info.rt.source,
	    seq % MODEL_HISTORY);
	if (seq == 0) {
		memcpy(tot->base_kb, tot->kb, sizeof tot->kb);
		memcpy(m->first_tot_kb, tot->kb, sizeof tot->kb);
		memcpy(tot->prev_kb, tot->kb, sizeof tot->kb);
	}

	m->info = s->info;
	m->state = s->state;
	if (s->state == TARGET_EXECED)
		m->exec_wall = s->wall;
	m->last_ms = s->sample_ms;
	m->torn = s->torn;
	m->nsamples++;
	m->groups_seq = 0;
}

uint64_t
model_samples(const struct model *m)
{
	return m->nsamples;
}

double
model_sample_time(const struct model *m, uint64_t seq)
{
	return m->wall[seq % MODEL_HISTORY];
}

double
model_sample_mono(const struct model *m, uint64_t seq)
{
	return m->mono[seq % MODEL_HISTORY];
}

const struct snapshot_info *
model_info(const struct model *m)
{
	return &m->info;
}

enum target_state
model_target_state(const struct model *m)
{
	return m->state;
}

double
model_exec_wall(const struct model *m)
{
	return m->exec_wall;
}

double
model_last_sample_ms(const struct model *m)
{
	return m->last_ms;
}

double
model_last_wall(const struct model *m)
{
	return m->nsamples ? m->wall[(m->nsamples - 1) % MODEL_HISTORY] : 0;
}

double
model_first_wall(const struct model *m)
{
	return m->first_wall;
}

uint32_t
model_torn(const struct model *m)
{
	return m->torn;
}

size_t
model_nregions(const struct model *m)
{
	return m->norder;
}

const struct tracked_region *
model_region(const struct model *m, size_t i)
{
	return i < m->norder ? &m->pool[m->ord[i].slot] : NULL;
}

const struct tracked_region *
model_region_by_id(const struct model *m, uint64_t id)
{
	size_t k;

	for (k = 0; k < m->norder; k++) {
		if (m->pool[m->ord[k].slot].id == id)
			return &m->pool[m->ord[k].slot];
	}
	return NULL;
}

const struct model_totals *
model_totals(const struct model *m)
{
	return &m->tot;
}

size_t
model_history(const struct model *m, const struct history *h,
    uint64_t first_seq, uint64_t last_seq, uint64_t *out, size_t max)
{
	uint64_t latest, from, seq;
	size_t n = 0, want;

	if (m->nsamples == 0 || max == 0)
		return 0;
	latest = m->nsamples - 1;
	want = max < MODEL_HISTORY ? max : MODEL_HISTORY;
	if (want > m->nsamples)
		want = (size_t)m->nsamples;
	from = latest + 1 - want;
	for (seq = from; seq <= latest; seq++) {
		if (seq < first_seq || seq > last_seq)
			out[n++] = HISTORY_NONE;
		else
			out[n++] = h->v[seq % MODEL_HISTORY];
	}
	return n;
}

size_t
model_history_mono(const struct model *m, double *out, size_t max)
{
	uint64_t from, seq;
	size_t n = 0, want;

	if (m->nsamples == 0 || max == 0)
		return 0;
	want = max < MODEL_HISTORY ? max : MODEL_HISTORY;
	if (want > m->nsamples)
		want = (size_t)m->nsamples;
	from = m->nsamples - want;
	for (seq = from; seq < m->nsamples; seq++)
		out[n++] = m->mono[seq % MODEL_HISTORY];
	return n;
}

/* Least-squares slope (kB/s) of h over the rate window within [first,last];
 * NAN when there are not two samples of it with different times. */
static double
history_rate(const struct model *m, const struct history *h, uint64_t first_seq,
    uint64_t last_seq)
{
	double sx = 0, sy = 0, sxx = 0, sxy = 0, n = 0, t0, den;
	uint64_t latest, from, seq;

	if (m->nsamples < 2)
		return NAN;
	latest = m->nsamples - 1;
	if (last_seq < latest)
		latest = last_seq;
	from = latest + 1 >= MODEL_RATE_WINDOW ?
	    latest + 1 - MODEL_RATE_WINDOW :
	    0;
	if (from < first_seq)
		from = first_seq;
	if (m->nsamples > MODEL_HISTORY && from < m->nsamples - MODEL_HISTORY)
		from = m->nsamples - MODEL_HISTORY;
	if (latest <= from)
		return NAN;
	t0 = m->mono[latest % MODEL_HISTORY];
	for (seq = from; seq <= latest; seq++) {
		double x = m->mono[seq % MODEL_HISTORY] - t0;
		double y = h->v[seq % MODEL_HISTORY];

		sx += x;
		sy += y;
		sxx += x * x;
		sxy += x * y;
		n++;
	}
	den = n * sxx - sx * sx;
	if (n < 2 || den <= 1e-12)
		return NAN;
	return (n * sxy - sx * sy) / den;
}

double
model_region_rate(
    const struct model *m, const struct tracked_region *r, enum series s)
{
	return history_rate(m, &r->hist[s], r->first_seq, r->last_seq);
}

double
model_totals_rate(const struct model *m, enum series s)
{
	return history_rate(m, &m->tot.hist[s], 0, UINT64_MAX);
}

size_t
model_totals_series(const struct model *m, enum totals_series s,
    double window_s, double *t, double *kb, size_t max)
{
	uint64_t latest, from, seq;
	double now;
	size_t n = 0;

	if (m->nsamples == 0 || s >= TS_COUNT)
		return 0;
	latest = m->nsamples - 1;
	from = m->nsamples > MODEL_HISTORY ? m->nsamples - MODEL_HISTORY : 0;
	if (max < latest + 1 - from)
		from = latest + 1 - max; /* the newest */
	now = m->mono[latest % MODEL_HISTORY];
	for (seq = from; seq <= latest && n < max; seq++) {
		uint32_t v = m->tot.facts[s].v[seq % MODEL_HISTORY];
		double when = m->mono[seq % MODEL_HISTORY];

		if (v == TOTALS_ABSENT || now - when > window_s)
			continue;
		t[n] = when;
		kb[n++] = v;
	}
	return n;
}

int64_t
tracked_delta_prev(const struct tracked_region *r, enum smaps_field f)
{
	return (int64_t)r->kb[f] - (int64_t)r->prev_kb[f];
}

int64_t
tracked_delta_base(const struct tracked_region *r, enum smaps_field f)
{
	return (int64_t)r->kb[f] - (int64_t)r->base_kb[f];
}

void
model_mark_baseline(struct model *m)
{
	size_t k;

	for (k = 0; k < m->norder; k++) {
		struct tracked_region *t = &m->pool[m->ord[k].slot];

		memcpy(t->base_kb, t->kb, sizeof t->kb);
	}
	memcpy(m->tot.base_kb, m->tot.kb, sizeof m->tot.kb);
	m->baseline_seq = m->nsamples ? m->nsamples - 1 : 0;
	m->groups_seq = 0;
}

void
model_reset_baseline(struct model *m)
{
	size_t k;

	for (k = 0; k < m->norder; k++) {
		struct tracked_region *t = &m->pool[m->ord[k].slot];

		memcpy(t->base_kb, t->first_kb, sizeof t->kb);
	}
	memcpy(m->tot.base_kb, m->first_tot_kb, sizeof m->tot.kb);
	m->baseline_seq = 0;
	m->groups_seq = 0;
}

uint64_t
model_baseline_seq(const struct model *m)
{
	return m->baseline_seq;
}

static uint64_t
group_key(enum group_by by, const struct tracked_region *r)
{
	if (by == GROUP_FILE && r->path_id != 0)
		return r->path_id;
	if (r->cls == RC_ANON_NAMED)
		return ((uint64_t)r->cls << 32) | r->path_id;
	return ((uint64_t)(r->cls + 1) << 40);
}

bool
model_group_has(const struct model *m, const struct region_group *g,
    const struct tracked_region *r)
{
	(void)m;
	return group_key(g->by, r) == g->key;
}

static int
group_cmp(const void *pa, const void *pb)
{
	const struct region_group *a = pa, *b = pb;

	if (a->kb[SF_RSS] != b->kb[SF_RSS])
		return a->kb[SF_RSS] > b->kb[SF_RSS] ? -1 : 1;
	return a->key < b->key ? -1 : a->key > b->key;
}

/* dst[from, to) += src[from, to), saturating (a loop that vectorises). */
static void
hist_add(uint32_t *dst, const uint32_t *src, size_t from, size_t to)
{
	size_t h;

	for (h = from; h < to; h++) {
		uint32_t v = dst[h] + src[h];

		dst[h] = v < dst[h] ? UINT32_MAX : v;
	}
}

/* Add member t's history to its group, for the samples it was present in. */
static void
group_add_history(const struct model *m, struct region_group *gr,
    const struct tracked_region *t)
{
	uint64_t latest = m->nsamples - 1, lo, hi;
	size_t a, b;
	int s;

	lo = latest + 1 >= MODEL_HISTORY ? latest + 1 - MODEL_HISTORY : 0;
	if (lo < t->first_seq)
		lo = t->first_seq;
	hi = t->last_seq < latest ? t->last_seq : latest;
	if (hi < lo)
		return;
	a = (size_t)(lo % MODEL_HISTORY);
	b = (size_t)(hi % MODEL_HISTORY) + 1;
	for (s = 0; s < SERIES_COUNT; s++) {
		if (a < b)
			hist_add(gr->hist[s].v, t->hist[s].v, a, b);
		else { /* wraps around the ring */
			hist_add(gr->hist[s].v, t->hist[s].v, a, MODEL_HISTORY);
			hist_add(gr->hist[s].v, t->hist[s].v, 0, b);
		}
	}
}

size_t
model_groups(struct model *m, enum group_by by, const struct region_group **out)
{
	return model_groups_of(m, by, NULL, NULL, out);
}

size_t
model_groups_of(struct model *m, enum group_by by, region_pred keep,
    const void *ctx, const struct region_group **out)
{
	size_t k, g, cap = 64, *slot_of = NULL;
	uint64_t *keys;
	int f;

	if (keep == NULL && m->groups_seq == m->nsamples &&
	    m->groups_by == by) {
		*out = m->groups;
		return m->ngroups;
	}
	m->ngroups = 0;
	while (cap < m->norder * 2)
		cap *= 2;
	keys = xcalloc(cap, sizeof *keys);
	slot_of = xcalloc(cap, sizeof *slot_of);
	for (k = 0; k < m->norder; k++) {
		const struct tracked_region *t = &m->pool[m->ord[k].slot];
		uint64_t key = group_key(by, t);
		size_t pos = (size_t)(key * 0x9e3779b97f4a7c15ULL) & (cap - 1);
		struct region_group *gr;

		if (t->state == TR_GONE || (keep != NULL && !keep(m, t, ctx)))
			continue;
		while (keys[pos] != 0 && keys[pos] != key)
			pos = (pos + 1) & (cap - 1);
		if (keys[pos] == 0) {
			keys[pos] = key;
			if (m->ngroups == m->groups_cap) {
				m->groups_cap =
				    m->groups_cap ? m->groups_cap * 2 : 64;
				m->groups = xrealloc(m->groups,
				    m->groups_cap * sizeof *m->groups);
			}
			slot_of[pos] = m->ngroups;
			gr = &m->groups[m->ngroups++];
			memset(gr, 0, sizeof *gr);
			gr->by = by;
			gr->key = key;
			gr->cls = t->cls;
			gr->path_id = by == GROUP_FILE ? t->path_id : 0;
			if (gr->path_id == 0)
				model_class_label(
				    m, t, gr->label, sizeof gr->label);
		}
		gr = &m->groups[slot_of[pos]];
		gr->nregions++;
		for (f = 0; f < SF_COUNT; f++) {
			gr->kb[f] += t->kb[f];
			gr->base_kb[f] += t->base_kb[f];
			gr->prev_kb[f] += t->prev_kb[f];
			gr->first_kb[f] += t->first_kb[f];
		}
		group_add_history(m, gr, t);
	}
	for (g = 0; g < m->ngroups; g++)
		m->groups[g].rate_kb_s = history_rate(
		    m, &m->groups[g].hist[SERIES_RSS], 0, UINT64_MAX);
	free(keys);
	free(slot_of);
	if (m->ngroups > 1)
		qsort(m->groups, m->ngroups, sizeof *m->groups, group_cmp);
	/* Only the whole process's groups are kept for the next call. */
	m->groups_seq = keep == NULL ? m->nsamples : 0;
	m->groups_by = by;
	*out = m->groups;
	return m->ngroups;
}
