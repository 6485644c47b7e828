/*
 * model.c - tracked regions across samples.
 *
 * Tracked regions live in a pool of fixed chunks (slots reused, no malloc
 * per region, no copy when it grows, and only as many chunks as regions
 * live); `ord` lists them sorted by start address, with a compact copy of
 * what matching needs (range, path, gone) so that the walk does not touch
 * the big tracked structs.  Each ingest walks the new snapshot and the old
 * order together once (both sorted), so matching is O(n), and builds the
 * next order.  Paths are interned once into an arena.
 *
 * A region's history is change-coded (struct series_log): a steady region
 * costs a few bytes a series whatever the window.  The groups' histories
 * are kept up to date at each ingest for the groupings asked for (one hash
 * lookup per region), not summed again from the regions at each call; a
 * region's rate is computed only when asked, and is 0 at once for a region
 * that has not changed within the rate window.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
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
	uint32_t slot : 30;  /* in the pool */
	uint32_t gone : 1;
	uint32_t matched : 1; /* during an ingest: continued by a new one */
	uint32_t path_id;
};

#define POOL_CHUNK_BITS 10 /* 1,024 regions a chunk */
#define POOL_CHUNK      ((size_t)1 << POOL_CHUNK_BITS)

/* What a group's members add up to in one sample (sums that a member's
 * leaving takes away from wrap, and come out exact). */
struct group_sums {
	uint64_t nregions;
	uint64_t kb[SF_COUNT];
	uint64_t base_kb[TRACKED_KEPT], prev_kb[TRACKED_KEPT],
	    first_kb[TRACKED_KEPT];
};

/* A grouping's groups as the ingests go, from the first model_groups()
 * call of that grouping on: the sums of the members of sample sums_seq - 1
 * (0: none yet), which the ingest moves by the regions that came, went or
 * changed, and model_groups() takes without a walk over every region; and
 * the histories of those sums. */
struct group_hist {
	uint64_t key;
	uint64_t last_seq; /* last sample a member was present in */
	struct history hist[SERIES_COUNT];
	struct group_sums sums;
	enum region_class cls; /* of a member: the one that came first */
	uint32_t path_id;      /* of a member */
};
struct group_track {
	bool on;
	struct group_hist *g;
	size_t n, cap;
	uint32_t *hash; /* open addressing: index + 1, 0 empty */
	size_t hash_cap;
	uint64_t sums_seq;
};
/* The ingest's way with the groups' sums: none followed; moved by what
 * moves; or made again from every region. */
enum group_mode { GROUPS_OFF, GROUPS_MOVE, GROUPS_ANEW };

/* Chunks of the pool made ahead of an ingest on another thread
 * (model_pool_ahead()).  All under the lock: what the last ingest left
 * (the regions of its sample, slots free without a new chunk), and chunks
 * made since, spare or taken by the pool. */
struct pool_ahead {
	pthread_mutex_t lock;
	size_t live, room;
	struct tracked_region **spare;
	size_t nspare, spare_cap, taken;
};

struct model {
	struct tracked_region *
	    *chunks; /* the pool: slot s at chunks[s >> 10] */
	size_t pool_len, nchunks;
	struct pool_ahead *ahead; /* for the model's life */
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
	uint32_t stale;   /* of the last sample */
	double full_wall; /* of the last full sample */
	struct model_totals tot;
	uint64_t first_tot_kb[SF_COUNT];

	struct region_group *groups; /* cache of model_groups() */
	struct group_sums *sums;     /* of groups, as they are made */
	size_t ngroups, groups_cap;
	enum group_by groups_by;
	uint64_t groups_seq; /* nsamples when computed, 0 never */
	struct group_track track[GROUP_COUNT];
	uint32_t *scratch; /* group_track index -> groups index */
	size_t scratch_cap;
	/* Samples taken by model_ingest_kept() that the tracked regions do
	 * not show yet (model_settle()). */
	uint64_t pending;
	size_t carried;   /* model_carried() */
	uint64_t version; /* model_version() */
};

static inline struct tracked_region *
pool_at(const struct model *m, uint32_t slot)
{
	return &m->chunks[slot >> POOL_CHUNK_BITS][slot & (POOL_CHUNK - 1)];
}

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

static struct pool_ahead *
pool_ahead_new(void)
{
	struct pool_ahead *a = xcalloc(1, sizeof *a);

	pthread_mutex_init(&a->lock, NULL);
	return a;
}

static void
pool_ahead_free(struct pool_ahead *a)
{
	size_t i;

	for (i = 0; i < a->nspare; i++)
		free(a->spare[i]);
	free(a->spare);
	pthread_mutex_destroy(&a->lock);
	free(a);
}

/* What the pool holds after an ingest (or a reset): the regions of the
 * sample, and the slots free without a new chunk. */
static void
pool_ahead_publish(struct model *m, size_t live)
{
	struct pool_ahead *a = m->ahead;

	pthread_mutex_lock(&a->lock);
	a->live = live;
	a->room = m->nchunks * POOL_CHUNK - m->pool_len + m->nfree;
	a->taken = 0;
	pthread_mutex_unlock(&a->lock);
}

/* A new chunk of the pool; with touch, its pages faulted in now, each by
 * a write (the zeroed memory of calloc() is only mapped). */
static struct tracked_region *
chunk_new(bool touch)
{
	struct tracked_region *c = xcalloc(POOL_CHUNK, sizeof *c);
	size_t i, size = POOL_CHUNK * sizeof *c;

	if (touch)
		for (i = 0; i < size; i += 4096)
			((volatile char *)c)[i] = 0;
	return c;
}

/* A chunk made ahead, or NULL. */
static struct tracked_region *
pool_ahead_take(struct pool_ahead *a)
{
	struct tracked_region *c = NULL;

	pthread_mutex_lock(&a->lock);
	if (a->nspare > 0) {
		c = a->spare[--a->nspare];
		a->taken++;
	}
	pthread_mutex_unlock(&a->lock);
	return c;
}

struct pool_ahead *
model_ahead(struct model *m)
{
	return m->ahead;
}

size_t
model_pool_spare(const struct model *m)
{
	size_t n;

	pthread_mutex_lock(&m->ahead->lock);
	n = m->ahead->nspare;
	pthread_mutex_unlock(&m->ahead->lock);
	return n;
}

void
model_pool_ahead(void *arg, size_t n)
{
	struct pool_ahead *a = arg;
	struct tracked_region *c;

	pthread_mutex_lock(&a->lock);
	while (n > a->live + a->room + (a->nspare + a->taken) * POOL_CHUNK) {
		pthread_mutex_unlock(&a->lock);
		c = chunk_new(true);
		pthread_mutex_lock(&a->lock);
		if (a->nspare == a->spare_cap) {
			a->spare_cap = a->spare_cap ? a->spare_cap * 2 : 16;
			a->spare =
			    xrealloc(a->spare, a->spare_cap * sizeof *a->spare);
		}
		a->spare[a->nspare++] = c;
	}
	pthread_mutex_unlock(&a->lock);
}

/* Free what *m holds, not m. */
static void series_log_free(struct series_log *l);

/* What the model's samples filled: the series logs, the groups, the
 * paths.  The pool's chunks and the per-sample arrays are model_release()'s
 * (model_reset() keeps them). */
static void
model_release_content(struct model *m)
{
	size_t i;
	int s;

	/* A series log takes heap bytes only from a region's second sample
	 * on: after one sample (memtop -b -n 1) no tracked region is read
	 * again here, a cache miss or two each. */
	for (i = 0; m->nsamples > 1 && i < m->pool_len; i++) {
		struct tracked_region *t = pool_at(m, (uint32_t)i);

		for (s = 0; s < SERIES_COUNT; s++)
			series_log_free(&t->hist[s]);
	}
	for (i = 0; i < GROUP_COUNT; i++) {
		free(m->track[i].g);
		free(m->track[i].hash);
	}
	free(m->scratch);
	free(m->sums);
	free(m->paths);
	free(m->refs);
	free(m->hash);
	free(m->groups);
}

static void
model_release(struct model *m)
{
	size_t i;

	model_release_content(m);
	for (i = 0; i < m->nchunks; i++)
		free(m->chunks[i]);
	free(m->chunks);
	pool_ahead_free(m->ahead);
	free(m->free_slots);
	free(m->ord);
	free(m->live);
	free(m->tmp);
	free(m->cls);
	free(m->why);
	free(m->path_ids);
}

struct model *
model_new(void)
{
	struct model *m = xcalloc(1, sizeof *m);

	model_init(m);
	m->ahead = pool_ahead_new();
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
	struct model keep = *m;

	/* A replay's jump resets the model and fills it again at once: the
	 * pool's chunks and the per-sample arrays stay, emptied (at 60k
	 * regions 25 MB that would be given back and faulted in again); the
	 * rest goes, as model_free() lets it. */
	model_release_content(m);
	memset(m, 0, sizeof *m);
	m->chunks = keep.chunks;
	m->nchunks = keep.nchunks;
	m->ahead = keep.ahead;
	m->free_slots = keep.free_slots;
	m->free_cap = keep.free_cap;
	m->ord = keep.ord;
	m->live = keep.live;
	m->tmp = keep.tmp;
	m->order_cap = keep.order_cap;
	m->cls = keep.cls;
	m->why = keep.why;
	m->path_ids = keep.path_ids;
	m->cls_cap = keep.cls_cap;
	model_init(m);
	/* Every slot free again: the pool's chunks are room. */
	pool_ahead_publish(m, 0);
}

uint64_t
model_version(const struct model *m)
{
	return m->version;
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

/* A free slot: one let go, else the next of the pool (a new chunk when
 * the last is full, made ahead if one was; slots never move). */
static uint32_t
slot_alloc(struct model *m)
{
	struct tracked_region *c;

	if (m->nfree > 0)
		return m->free_slots[--m->nfree];
	if (m->pool_len == m->nchunks * POOL_CHUNK) {
		if ((c = pool_ahead_take(m->ahead)) == NULL)
			c = chunk_new(false);
		m->chunks =
		    xrealloc(m->chunks, (m->nchunks + 1) * sizeof *m->chunks);
		m->chunks[m->nchunks++] = c;
	}
	return (uint32_t)m->pool_len++;
}

static void
slot_free(struct model *m, uint32_t slot)
{
	int s;

	if (m->nfree == m->free_cap) {
		m->free_cap = m->free_cap ? m->free_cap * 2 : 256;
		m->free_slots = xrealloc(
		    m->free_slots, m->free_cap * sizeof *m->free_slots);
	}
	m->free_slots[m->nfree++] = slot;
	pool_at(m, slot)->id = 0;
	for (s = 0; s < SERIES_COUNT; s++)
		series_log_free(&pool_at(m, slot)->hist[s]);
}

static inline uint32_t
sat32(uint64_t v)
{
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

/* ---- change-coded series (struct series_log) ----
 *
 * After the first value, one token per change or run, a token's first byte
 * saying which: 0..63 a run of that many plus one unchanged samples; from
 * 64 on, a change: the zigzag of (new - old), as a varint whose first byte
 * carries 6 bits and the flag 0x40 (then 7 bits a byte, high bit: more).
 */
#define LOG_RUN_MAX 64

static inline uint8_t *
series_log_bytes(struct series_log *l)
{
	return l->len <= sizeof l->b.in ? l->b.in : l->b.heap;
}

static inline const uint8_t *
series_log_cbytes(const struct series_log *l)
{
	return l->len <= sizeof l->b.in ? l->b.in : l->b.heap;
}

static void
series_log_free(struct series_log *l)
{
	if (l->len > sizeof l->b.in)
		free(l->b.heap);
	memset(l, 0, sizeof *l);
}

/* Heap bytes for a log of len bytes: a power of two from 16. */
static size_t
series_log_cap(size_t len)
{
	size_t c = 16;

	while (c < len)
		c *= 2;
	return c;
}

/* Make room for len bytes (len > l->len); returns the bytes. */
static uint8_t *
series_log_grow(struct series_log *l, size_t len)
{
	size_t old = l->len;

	if (len > UINT16_MAX)
		return NULL;
	if (len > sizeof l->b.in) {
		if (old <= sizeof l->b.in) {
			uint8_t *h = xmalloc(series_log_cap(len));

			memcpy(h, l->b.in, old);
			l->b.heap = h;
		} else if (series_log_cap(len) != series_log_cap(old))
			l->b.heap = xrealloc(l->b.heap, series_log_cap(len));
	}
	l->len = (uint16_t)len;
	return series_log_bytes(l);
}

/* Drop the bytes [at, at + n) (n <= len), going inline when they fit. */
static void
series_log_cut(struct series_log *l, size_t at, size_t n)
{
	uint8_t *p = series_log_bytes(l);
	size_t len = l->len - n;

	memmove(p + at, p + at + n, l->len - at - n);
	if (l->len > sizeof l->b.in && len <= sizeof l->b.in) {
		uint8_t tmp[sizeof l->b.in];

		memcpy(tmp, p, len);
		free(l->b.heap);
		memcpy(l->b.in, tmp, len);
	} else if (l->len > sizeof l->b.in &&
	    series_log_cap(len) < series_log_cap(l->len))
		l->b.heap = xrealloc(l->b.heap, series_log_cap(len));
	l->len = (uint16_t)len;
}

/* Decode the token at p[*i]: the run length (>0, *delta 0) or 0 with the
 * change in *delta. */
static inline unsigned
series_log_token(const uint8_t *p, size_t *i, int64_t *delta)
{
	uint8_t c = p[(*i)++];
	uint64_t z;
	int sh = 6;

	if (c < LOG_RUN_MAX) {
		*delta = 0;
		return (unsigned)c + 1;
	}
	z = c & 0x3f;
	if (c & 0x80) {
		do {
			c = p[(*i)++];
			z |= (uint64_t)(c & 0x7f) << sh;
			sh += 7;
		} while (c & 0x80);
	}
	*delta = (int64_t)(z >> 1) ^ -(int64_t)(z & 1);
	return 0;
}

/* Append the next sample's value (old: the sample before's). */
static void
series_log_push(struct series_log *l, uint32_t old, uint32_t v)
{
	uint8_t *p, tok[12];
	size_t n = 0;

	if (v == old) {
		p = series_log_bytes(l);
		if (l->len > 0 && p[l->tail] < LOG_RUN_MAX - 1) {
			p[l->tail]++;
			return;
		}
		tok[n++] = 0;
	} else {
		int64_t d = (int64_t)v - (int64_t)old;
		uint64_t z = ((uint64_t)d << 1) ^ (uint64_t)(d >> 63);

		tok[n] = (uint8_t)(0x40 | (z & 0x3f));
		z >>= 6;
		while (z != 0) {
			tok[n++] |= 0x80;
			tok[n] = (uint8_t)(z & 0x7f);
			z >>= 7;
		}
		n++;
	}
	if ((p = series_log_grow(l, (size_t)l->len + n)) == NULL)
		return; /* cannot be: a window holds ~1.5 kB at most */
	memcpy(p + l->len - n, tok, n);
	l->tail = (uint16_t)(l->len - n);
}

/* Forget the first sample kept: the next becomes the first. */
static void
series_log_pop(struct series_log *l)
{
	uint8_t *p = series_log_bytes(l);
	size_t n = 0;
	int64_t d;

	if (l->len == 0)
		return;
	if (p[0] < LOG_RUN_MAX) {
		if (p[0] > 0) {
			p[0]--;
			return;
		}
		n = 1;
	} else {
		series_log_token(p, &n, &d);
		l->first = (uint32_t)((int64_t)l->first + d);
	}
	series_log_cut(l, 0, n);
	l->tail = l->len == 0 ? 0 : (uint16_t)(l->tail - n);
}

/* Append n samples of the value the log ends with (as n pushes would):
 * the last run grows, then whole runs of LOG_RUN_MAX and the rest. */
static inline void
series_log_repeat(struct series_log *l, uint64_t n)
{
	uint8_t *p = series_log_bytes(l);
	size_t len = l->len, k;

	if (len > 0 && p[l->tail] < LOG_RUN_MAX - 1) {
		uint64_t room = LOG_RUN_MAX - 1 - p[l->tail];
		uint64_t add = n < room ? n : room;

		p[l->tail] = (uint8_t)(p[l->tail] + add);
		n -= add;
	}
	if (n == 0)
		return;
	k = (size_t)((n - 1) / LOG_RUN_MAX + 1);
	if ((p = series_log_grow(l, len + k)) == NULL)
		return; /* cannot be: a window holds ~1.5 kB at most */
	l->tail = (uint16_t)(len + k - 1);
	for (; len < l->tail; len++) /* a few: a loop, not a memset() call */
		p[len] = LOG_RUN_MAX - 1;
	p[len] = (uint8_t)((n - 1) % LOG_RUN_MAX);
}

/* Forget the first n samples kept (as n pops would). */
static inline void
series_log_pop_n(struct series_log *l, uint64_t n)
{
	while (n > 0 && l->len > 0) {
		uint8_t *p = series_log_bytes(l);

		if (p[0] < LOG_RUN_MAX && p[0] > 0) {
			uint64_t have = p[0];

			if (n <= have) {
				p[0] = (uint8_t)(p[0] - n);
				return;
			}
			p[0] = 0;
			n -= have;
		}
		series_log_pop(l);
		n--;
	}
}

/* The first sample a region's logs hold. */
static inline uint64_t
tracked_log_seq(const struct tracked_region *t)
{
	return t->last_seq + 1 - t->first_seq > MODEL_HISTORY ?
	    t->last_seq + 1 - MODEL_HISTORY :
	    t->first_seq;
}

/* Call fn for each sample of the log from seq0 on: (seq, value). */
#define SERIES_LOG_EACH(l, seq0, SEQ, VAL, BODY)                        \
	do {                                                            \
		const uint8_t *p_ = series_log_cbytes(l);               \
		size_t i_ = 0;                                          \
		uint64_t SEQ = (seq0);                                  \
		uint32_t VAL = (l)->first;                              \
		BODY;                                                   \
		while (i_ < (l)->len) {                                 \
			int64_t d_;                                     \
			unsigned run_ = series_log_token(p_, &i_, &d_); \
                                                                        \
			if (run_ == 0) {                                \
				VAL = (uint32_t)((int64_t)VAL + d_);    \
				SEQ++;                                  \
				BODY;                                   \
			} else                                          \
				while (run_-- > 0) {                    \
					SEQ++;                          \
					BODY;                           \
				}                                       \
		}                                                       \
	} while (0)

void
model_region_ring(const struct model *m, const struct tracked_region *r,
    enum series s, struct history *out)
{
	(void)m;
	if (s >= SERIES_COUNT)
		return;
	SERIES_LOG_EACH(&r->hist[s], tracked_log_seq(r), seq, v,
	    out->v[seq % MODEL_HISTORY] = v);
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

/* The counters kept in prev/base/first, by their index. */
static const enum smaps_field kept_fields[TRACKED_KEPT] = { SF_RSS, SF_PSS,
	SF_SWAP, SF_PRIVATE_DIRTY, SF_ANONYMOUS, SF_SIZE };

/* The built-in class c, this sample's.  A thread stack whose thread was
 * running (no SP this sample) or has gone to glibc's stack cache is still
 * a stack: no flicker to anon.  The user's rules refine what this says
 * (model_classify). */
static inline void
tracked_set_builtin(struct tracked_region *t, enum region_class c)
{
	if (!(t->builtin == RC_THREAD_STACK && c == RC_ANON))
		t->builtin = c;
}

/* Record the region's counters for sample seq (fresh: its first). */
static void
tracked_update(struct tracked_region *t, const struct region *r,
    enum region_class c, uint64_t seq, bool fresh)
{
	int s, k;

	for (k = 0; k < TRACKED_KEPT; k++)
		t->prev_kb[k] = t->kb[kept_fields[k]];
	for (s = 0; s < SERIES_COUNT; s++) {
		uint32_t v = r->kb[series_fields[s]];

		if (fresh) {
			t->hist[s].first = v;
			continue;
		}
		if (v != t->kb[series_fields[s]])
			t->changed_seq = seq;
		series_log_push(&t->hist[s], t->kb[series_fields[s]], v);
		/* The window: MODEL_HISTORY samples up to this one. */
		if (seq + 1 - t->first_seq > MODEL_HISTORY)
			series_log_pop(&t->hist[s]);
	}
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
	tracked_set_builtin(t, c);
	t->present = r->present;
	t->vmflags = r->vmflags;
	t->has_vmflags = r->has_vmflags;
	t->last_seq = seq;
}

/* n more samples of the values t holds, the last of them seq: what n
 * tracked_update()s of a region as it was would do to its counters and
 * series (a region the ingest carries on; model_settle()'s kept
 * samples), the window kept to MODEL_HISTORY samples. */
static void
tracked_repeat(struct tracked_region *t, uint64_t n, uint64_t seq)
{
	uint64_t held = t->last_seq + 1 - t->first_seq, pops;
	int s, k;

	pops = (held + n > MODEL_HISTORY ? held + n - MODEL_HISTORY : 0) -
	    (held > MODEL_HISTORY ? held - MODEL_HISTORY : 0);
	for (k = 0; k < TRACKED_KEPT; k++)
		t->prev_kb[k] = t->kb[kept_fields[k]];
	for (s = 0; s < SERIES_COUNT; s++) {
		series_log_repeat(&t->hist[s], n);
		series_log_pop_n(&t->hist[s], pops);
	}
	t->last_seq = seq;
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
	int k;

	/* slot_alloc()'s slots hold no series (slot_free() and model_reset()
	 * free them): written before it is read, a new chunk's page is
	 * faulted in once, where a read would map the zero page and the
	 * write then copy it (a second fault, and a TLB flush on the CPUs
	 * of memtop's other threads). */
	memset(t, 0, sizeof *t);
	t->id = m->next_id++;
	t->path_id = path_id;
	t->start = t->first_start = r->start;
	t->end = t->first_end = r->end;
	t->first_seq = seq;
	t->changed_seq = seq;
	t->first_time = wall;
	t->state = seq == 0 ? TR_LIVE : TR_NEW;
	tracked_update(t, r, c, seq, true);
	t->events = 0;
	/* Born now, it grew from nothing; there from the first sample, it
	 * has no previous one to differ from. */
	memset(t->prev_kb, 0, sizeof t->prev_kb);
	if (seq == 0) {
		for (k = 0; k < TRACKED_KEPT; k++)
			t->prev_kb[k] = t->base_kb[k] = t->first_kb[k] =
			    r->kb[kept_fields[k]];
	}
	t->low_kb = r->kb[SF_RSS];
}

static void
ensure_capacity(struct model *m, size_t nnew, size_t nold)
{
	size_t want = nnew + nold + 1;

	if (want > m->order_cap) {
		m->order_cap = want + want / 8;
		m->ord = xrealloc(m->ord, m->order_cap * sizeof *m->ord);
		m->live = xrealloc(m->live, m->order_cap * sizeof *m->live);
		m->tmp = xrealloc(m->tmp, m->order_cap * sizeof *m->tmp);
	}
	if (nnew > m->cls_cap) {
		m->cls_cap = nnew + nnew / 8;
		m->cls = xrealloc(m->cls, m->cls_cap);
		m->why = xrealloc(m->why, m->cls_cap * sizeof *m->why);
		m->path_ids =
		    xrealloc(m->path_ids, m->cls_cap * sizeof *m->path_ids);
	}
}

/* How far ahead of the match pool_prefetch() asks for a tracked region. */
#define MATCH_AHEAD 6

/* Ask the cache for the tracked region of old position k, which the
 * ingest will soon meet: at 60,000 regions the pool is 25 MB, and the
 * smaps read before has evicted it (a tenth of the ingest's time). */
static inline void
pool_prefetch(const struct model *m, size_t k)
{
	const char *t;
	size_t at;

	if (k >= m->norder)
		return;
	t = (const char *)pool_at(m, m->ord[k].slot);
	for (at = 0; at < sizeof(struct tracked_region); at += 64)
		__builtin_prefetch(t + at, 1);
}

/* Move j, the first old position (in ord) that may still overlap, up to
 * new region r. */
static void
match_skip(const struct model *m, const struct region *r, size_t *j)
{
	while (
	    *j < m->norder && (m->ord[*j].gone || m->ord[*j].end <= r->start))
		(*j)++;
}

/*
 * The old tracked region (position in ord) that new region r continues: the
 * same path and start, else the first of the same path that overlaps, from
 * j (match_skip()) on.  Reads only the compact ord entries; flags splits and
 * merges on the tracked regions.
 */
static long
match_old(struct model *m, const struct region *r, uint32_t path_id, size_t j)
{
	const struct ord_entry *o;
	long best = -1;
	size_t k;

	for (k = j; k < m->norder; k++) {
		o = &m->ord[k];
		if (o->start >= r->end)
			break;
		if (o->gone || o->path_id != path_id || o->end <= r->start)
			continue;
		if (o->matched) {
			/* Part of it already went on: it was split. */
			pool_at(m, o->slot)->events |= TR_EVENT_SPLIT;
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
		for (k = j; k < m->norder; k++) {
			o = &m->ord[k];
			if (o->start >= r->end)
				break;
			if ((long)k != best && !o->matched && !o->gone &&
			    o->path_id == path_id && o->start >= r->start &&
			    o->end <= r->end)
				pool_at(m, m->ord[best].slot)->events |=
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

/* What moves the groups' sums outside an ingest. */
enum group_sums_move {
	SUMS_KEPT,          /* a sample the same as the last */
	SUMS_BASELINE,      /* model_mark_baseline() */
	SUMS_FIRST_BASELINE /* model_reset_baseline() */
};

static enum group_mode group_track_begin(struct model *m, uint64_t seq);
static void group_track_sums_move(struct model *m, enum group_sums_move how);
static bool tracked_prev_is_now(const struct tracked_region *t);
static void group_track_put(struct model *m, const struct tracked_region *t,
    uint64_t sign, enum region_class cls);
static void group_track_end(struct model *m, uint64_t seq);

/* The sample s's totals history and facts, once its regions are in: the
 * model's sample count moves on.  (model_ingest(), model_ingest_kept().) */
static void
model_take_sample(struct model *m, const struct snapshot *s)
{
	struct model_totals *tot = &m->tot;
	uint64_t seq = m->nsamples;
	size_t h = seq % MODEL_HISTORY;
	int sr;

	for (sr = 0; sr < SERIES_TOTAL_COUNT; sr++)
		tot->hist[sr].v[h] = sat32(tot->kb[series_fields[sr]]);
	totals_facts(tot, s, h);
	totals_runtime(tot, &s->info.rt,
	    seq == 0 || s->info.rt.mono != m->info.rt.mono ||
	        s->info.rt.source != m->info.rt.source,
	    h);
	m->info = s->info;
	m->state = s->state;
	if (s->state == TARGET_EXECED)
		m->exec_wall = s->wall;
	m->last_ms = s->sample_ms;
	m->torn = s->torn;
	m->stale = s->stale;
	m->full_wall = s->stale != 0 ? s->full_wall : s->wall;
	m->nsamples++;
	m->groups_seq = 0;
	m->version++;
}

/* A region's part of the totals, its counters kb and its range for Size
 * (smaps' Size saturates, a range does not), added (sign 1) or taken away
 * (sign -1: unsigned arithmetic wraps, and the sums come out exact). */
static inline void
totals_part(uint64_t *tot, const uint32_t *kb, uint64_t start, uint64_t end,
    uint64_t sign)
{
	int f;

	for (f = 0; f < SF_COUNT; f++)
		tot[f] += sign * kb[f];
	tot[SF_SIZE] += sign * ((end - start) / 1024 - kb[SF_SIZE]);
}

#define TOTALS_ADD  ((uint64_t)1)
#define TOTALS_TAKE ((uint64_t)-1)

/* Whether r is as t last took it: every field (the path is the match's). */
static inline bool
tracked_same(const struct tracked_region *t, const struct region *r)
{
	return t->start == r->start && t->end == r->end &&
	    t->offset == r->offset && t->inode == r->inode &&
	    t->dev_major == r->dev_major && t->dev_minor == r->dev_minor &&
	    t->present == r->present && t->vmflags == r->vmflags &&
	    t->has_vmflags == r->has_vmflags && t->deleted == r->deleted &&
	    memcmp(t->perms, r->perms, sizeof t->perms) == 0 &&
	    memcmp(t->kb, r->kb, sizeof t->kb) == 0;
}

/* The id of r's path: that of the old region the match starts from when
 * the bytes are the same (a steady process's usual case: no hashing), else
 * path_intern()'s. */
static uint32_t
path_of(
    struct model *m, const struct snapshot *s, const struct region *r, size_t j)
{
	const struct path_ref *ref;

	if (j < m->norder) {
		ref = &m->refs[m->ord[j].path_id];
		if (ref->len == r->path_len &&
		    (r->path_len == 0 ||
		        memcmp(m->paths + ref->off, region_path(s, r),
		            r->path_len) == 0))
			return m->ord[j].path_id;
	}
	return path_intern(m, region_path(s, r), r->path_len);
}

void
model_ingest(struct model *m, const struct snapshot *s)
{
	uint64_t seq = m->nsamples;
	size_t i, j = 0, n = 0, k, ngone = 0, a = 0, b = 0, o = 0, carried = 0;
	struct model_totals *tot = &m->tot;
	struct ord_entry *swap;
	enum group_mode groups;

	model_settle(m);
	ensure_capacity(m, s->nregions, m->norder);
	classify_builtin_why(s, m->cls, m->why);
	for (k = 0; k < m->norder; k++)
		m->ord[k].matched = 0;
	m->mono[seq % MODEL_HISTORY] = s->mono;
	m->wall[seq % MODEL_HISTORY] = s->wall;
	if (seq == 0)
		m->first_wall = s->wall;
	/* The totals move by what changed: a region that came or changed
	 * adds its part and takes away its old one, a region that went takes
	 * its part away; a region carried on has nothing to do. */
	memcpy(tot->prev_kb, tot->kb, sizeof tot->kb);
	groups = group_track_begin(m, seq);

	/* Pass 1: match every new region to the region it continues; the
	 * totals and the groups' sums on the way.  One its tracked region
	 * took as it is now (most of a steady process's) only repeats its
	 * counters, and, carried on again, leaves its group's sums. */
	for (i = 0; i < s->nregions; i++) {
		const struct region *r = &s->regions[i];
		struct ord_entry *e = &m->live[n++];
		struct tracked_region *t;
		enum region_class was = RC_ANON; /* its class until now */
		bool same, stays = false; /* its part of the groups' sums */
		long old;

		match_skip(m, r, &j);
		pool_prefetch(m, j + MATCH_AHEAD);
		m->path_ids[i] = path_of(m, s, r, j);
		old = match_old(m, r, m->path_ids[i], j);
		if (old >= 0) {
			t = pool_at(m, m->ord[old].slot);
			m->ord[old].matched = 1;
			if (t->state == TR_NEW)
				t->state = TR_LIVE;
			same = tracked_same(t, r);
			was = t->cls;
			if (groups == GROUPS_MOVE) {
				stays = same && tracked_prev_is_now(t);
				if (!stays)
					group_track_put(
					    m, t, (uint64_t)-1, was);
			}
			if (same) {
				tracked_repeat(t, 1, seq);
				tracked_set_builtin(
				    t, (enum region_class)m->cls[i]);
				carried++;
			} else {
				totals_part(tot->kb, t->kb, t->start, t->end,
				    TOTALS_TAKE);
				totals_part(tot->kb, r->kb, r->start, r->end,
				    TOTALS_ADD);
				tracked_update(t, r,
				    (enum region_class)m->cls[i], seq, false);
			}
			e->slot = m->ord[old].slot;
		} else {
			totals_part(
			    tot->kb, r->kb, r->start, r->end, TOTALS_ADD);
			e->slot = slot_alloc(m);
			t = pool_at(m, e->slot);
			tracked_init(m, t, r, (enum region_class)m->cls[i],
			    m->path_ids[i], seq, s->wall);
		}
		model_classify(m, t, s, i);
		tracked_track_low(t, s->mono, s->wall);
		if (groups != GROUPS_OFF && !stays)
			group_track_put(m, t, 1, t->cls);
		else if (stays && t->cls != was) {
			/* The same values, in a group of another class. */
			group_track_put(m, t, (uint64_t)-1, was);
			group_track_put(m, t, 1, t->cls);
		}
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
		struct tracked_region *t = pool_at(m, e->slot);

		if (e->matched)
			continue;
		if (!e->gone) { /* present at the last sample */
			totals_part(
			    tot->kb, t->kb, t->start, t->end, TOTALS_TAKE);
			if (groups == GROUPS_MOVE)
				group_track_put(m, t, (uint64_t)-1, t->cls);
		}
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

	/* Totals over the regions that are present: exactly this snapshot's. */
	tot->nregions = s->nregions;
	if (seq == 0) {
		memcpy(tot->base_kb, tot->kb, sizeof tot->kb);
		memcpy(m->first_tot_kb, tot->kb, sizeof tot->kb);
		memcpy(tot->prev_kb, tot->kb, sizeof tot->kb);
	}
	model_take_sample(m, s);
	group_track_end(m, seq);
	m->carried = carried;
	pool_ahead_publish(m, s->nregions);
}

size_t
model_carried(const struct model *m)
{
	return m->carried;
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

uint32_t
model_stale(const struct model *m)
{
	return m->stale;
}

double
model_full_wall(const struct model *m)
{
	return m->full_wall;
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
	return i < m->norder ? pool_at(m, m->ord[i].slot) : NULL;
}

uint64_t
model_region_start(const struct model *m, size_t i)
{
	return i < m->norder ? m->ord[i].start : 0;
}

const struct tracked_region *
model_region_by_id(const struct model *m, uint64_t id)
{
	size_t k;

	for (k = 0; k < m->norder; k++) {
		if (pool_at(m, m->ord[k].slot)->id == id)
			return pool_at(m, m->ord[k].slot);
	}
	return NULL;
}

const struct model_totals *
model_totals(const struct model *m)
{
	return &m->tot;
}

/* The window of a history read of max samples: [*from, latest]; 0 when
 * there is none. */
static size_t
history_window(const struct model *m, size_t max, uint64_t *from)
{
	size_t want;

	if (m->nsamples == 0 || max == 0)
		return 0;
	want = max < MODEL_HISTORY ? max : MODEL_HISTORY;
	if (want > m->nsamples)
		want = (size_t)m->nsamples;
	*from = m->nsamples - want;
	return want;
}

size_t
model_history(const struct model *m, const struct history *h,
    uint64_t first_seq, uint64_t last_seq, uint64_t *out, size_t max)
{
	uint64_t from, seq;
	size_t n = 0, want = history_window(m, max, &from);

	for (seq = from; n < want; seq++) {
		if (seq < first_seq || seq > last_seq)
			out[n++] = HISTORY_NONE;
		else
			out[n++] = h->v[seq % MODEL_HISTORY];
	}
	return n;
}

size_t
model_region_history(const struct model *m, const struct tracked_region *r,
    enum series s, uint64_t *out, size_t max)
{
	uint64_t from, log_seq = tracked_log_seq(r);
	size_t n, want = history_window(m, max, &from);

	if (want == 0 || s >= SERIES_COUNT)
		return 0;
	for (n = 0; n < want; n++)
		out[n] = HISTORY_NONE;
	SERIES_LOG_EACH(&r->hist[s], log_seq, seq, v,
	    if (seq >= from && seq < from + want) out[seq - from] = v);
	return want;
}

size_t
model_history_mono(const struct model *m, double *out, size_t max)
{
	uint64_t from, seq;
	size_t n = 0, want = history_window(m, max, &from);

	for (seq = from; n < want; seq++)
		out[n++] = m->mono[seq % MODEL_HISTORY];
	return n;
}

/* The samples of the rate window within [first_seq, last_seq]: [*from,
 * *latest]; false when fewer than two (the rate is not known: NAN). */
static bool
rate_window(const struct model *m, uint64_t first_seq, uint64_t last_seq,
    uint64_t *from, uint64_t *latest)
{
	if (m->nsamples < 2)
		return false;
	*latest = m->nsamples - 1;
	if (last_seq < *latest)
		*latest = last_seq;
	*from = *latest + 1 >= MODEL_RATE_WINDOW ?
	    *latest + 1 - MODEL_RATE_WINDOW :
	    0;
	if (*from < first_seq)
		*from = first_seq;
	if (m->nsamples > MODEL_HISTORY && *from < m->nsamples - MODEL_HISTORY)
		*from = m->nsamples - MODEL_HISTORY;
	return *latest > *from;
}

/* Least-squares slope (kB/s) of the values v[seq % MODEL_HISTORY] over
 * samples [from, latest]. */
static double
ring_rate(
    const struct model *m, const uint32_t *v, uint64_t from, uint64_t latest)
{
	double sx = 0, sy = 0, sxx = 0, sxy = 0, n = 0, t0, den;
	uint64_t seq;

	t0 = m->mono[latest % MODEL_HISTORY];
	for (seq = from; seq <= latest; seq++) {
		double x = m->mono[seq % MODEL_HISTORY] - t0;
		double y = v[seq % MODEL_HISTORY];

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

/* Least-squares slope (kB/s) of h over the rate window within [first,last];
 * NAN when there are not two samples of it with different times. */
static double
history_rate(const struct model *m, const struct history *h, uint64_t first_seq,
    uint64_t last_seq)
{
	uint64_t from, latest;

	if (!rate_window(m, first_seq, last_seq, &from, &latest))
		return NAN;
	return ring_rate(m, h->v, from, latest);
}

double
model_region_rate(
    const struct model *m, const struct tracked_region *r, enum series s)
{
	struct history ring;
	uint64_t from, latest;

	if (s >= SERIES_COUNT ||
	    !rate_window(m, r->first_seq, r->last_seq, &from, &latest))
		return NAN;
	/* Steady over the window: flat, whatever the times. */
	if (r->changed_seq < from || r->changed_seq == r->first_seq)
		return 0;
	model_region_ring(m, r, s, &ring);
	return ring_rate(m, ring.v, from, latest);
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
	return (int64_t)r->kb[f] - (int64_t)tracked_prev(r, f);
}

int64_t
tracked_delta_base(const struct tracked_region *r, enum smaps_field f)
{
	return (int64_t)r->kb[f] - (int64_t)tracked_base(r, f);
}

void
model_mark_baseline(struct model *m)
{
	size_t k;
	int i;

	model_settle(m);
	for (k = 0; k < m->norder; k++) {
		struct tracked_region *t = pool_at(m, m->ord[k].slot);

		for (i = 0; i < TRACKED_KEPT; i++)
			t->base_kb[i] = t->kb[kept_fields[i]];
	}
	memcpy(m->tot.base_kb, m->tot.kb, sizeof m->tot.kb);
	group_track_sums_move(m, SUMS_BASELINE);
	m->baseline_seq = m->nsamples ? m->nsamples - 1 : 0;
	m->groups_seq = 0;
	m->version++;
}

void
model_reset_baseline(struct model *m)
{
	size_t k;

	model_settle(m);
	for (k = 0; k < m->norder; k++) {
		struct tracked_region *t = pool_at(m, m->ord[k].slot);

		memcpy(t->base_kb, t->first_kb, sizeof t->base_kb);
	}
	memcpy(m->tot.base_kb, m->first_tot_kb, sizeof m->tot.kb);
	group_track_sums_move(m, SUMS_FIRST_BASELINE);
	m->baseline_seq = 0;
	m->groups_seq = 0;
	m->version++;
}

uint64_t
model_baseline_seq(const struct model *m)
{
	return m->baseline_seq;
}

/* The group of a region of class cls and path path_id. */
static uint64_t
group_key_of(enum group_by by, enum region_class cls, uint32_t path_id)
{
	if (by == GROUP_FILE && path_id != 0)
		return path_id;
	if (cls == RC_ANON_NAMED)
		return ((uint64_t)cls << 32) | path_id;
	return ((uint64_t)(cls + 1) << 40);
}

static uint64_t
group_key(enum group_by by, const struct tracked_region *r)
{
	return group_key_of(by, r->cls, r->path_id);
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

/* ---- the groupings' histories, kept as the samples come ---- */

static inline size_t
key_hash(uint64_t key, size_t cap)
{
	return (size_t)(key * 0x9e3779b97f4a7c15ULL >> 17) & (cap - 1);
}

static void
group_track_rehash(struct group_track *gt, size_t cap)
{
	size_t i;

	free(gt->hash);
	gt->hash = xcalloc(cap, sizeof *gt->hash);
	gt->hash_cap = cap;
	for (i = 0; i < gt->n; i++) {
		size_t k = key_hash(gt->g[i].key, cap);

		while (gt->hash[k] != 0)
			k = (k + 1) & (cap - 1);
		gt->hash[k] = (uint32_t)i + 1;
	}
}

/* The index of the group of key, made (history empty) when new. */
static size_t
group_track_find(struct group_track *gt, uint64_t key, bool *made)
{
	size_t k;
	uint32_t i;

	if ((gt->n + 1) * 2 > gt->hash_cap)
		group_track_rehash(gt, gt->hash_cap ? gt->hash_cap * 2 : 64);
	k = key_hash(key, gt->hash_cap);
	while ((i = gt->hash[k]) != 0) {
		if (gt->g[i - 1].key == key) {
			*made = false;
			return i - 1;
		}
		k = (k + 1) & (gt->hash_cap - 1);
	}
	if (gt->n == gt->cap) {
		gt->cap = gt->cap ? gt->cap * 2 : 16;
		gt->g = xrealloc(gt->g, gt->cap * sizeof *gt->g);
	}
	memset(&gt->g[gt->n], 0, sizeof gt->g[gt->n]);
	gt->g[gt->n].key = key;
	gt->hash[k] = (uint32_t)(gt->n + 1);
	*made = true;
	return gt->n++;
}

/* Groups without a member for a whole window go (a file mapped once). */
static void
group_track_sweep(struct group_track *gt, uint64_t seq)
{
	size_t i, n = 0;

	for (i = 0; i < gt->n; i++)
		if (gt->g[i].last_seq + MODEL_HISTORY > seq)
			gt->g[n++] = gt->g[i];
	if (n != gt->n) {
		gt->n = n;
		group_track_rehash(gt, gt->hash_cap);
	}
}

/* Add member t to a group's sums (sign 1), or take it away (sign -1). */
static void
group_sums_add(
    struct group_sums *g, const struct tracked_region *t, uint64_t sign)
{
	int f, k;

	g->nregions += sign;
	for (f = 0; f < SF_COUNT; f++)
		g->kb[f] += sign * t->kb[f];
	for (k = 0; k < TRACKED_KEPT; k++) {
		g->base_kb[k] += sign * t->base_kb[k];
		g->prev_kb[k] += sign * t->prev_kb[k];
		g->first_kb[k] += sign * t->first_kb[k];
	}
}

/* Each followed grouping's sums of the last sample, where they are kept
 * (sums_seq), as what moves them outside an ingest moves them. */
static void
group_track_sums_move(struct model *m, enum group_sums_move how)
{
	size_t g;
	int by, k;

	for (by = 0; by < GROUP_COUNT; by++) {
		struct group_track *gt = &m->track[by];

		if (!gt->on || gt->sums_seq != m->nsamples)
			continue;
		for (g = 0; g < gt->n; g++) {
			struct group_sums *gs = &gt->g[g].sums;

			for (k = 0; k < TRACKED_KEPT; k++) {
				uint64_t v = how == SUMS_FIRST_BASELINE ?
				    gs->first_kb[k] :
				    gs->kb[kept_fields[k]];

				if (how == SUMS_KEPT)
					gs->prev_kb[k] = v;
				else
					gs->base_kb[k] = v;
			}
		}
	}
}

/* Sample seq begins.  Where every grouping followed has the last sample's
 * sums, the ingest moves them by the regions that come, go or change;
 * otherwise they are made again from every region. */
static enum group_mode
group_track_begin(struct model *m, uint64_t seq)
{
	enum group_mode mode = GROUPS_OFF;
	size_t g;
	int by;

	for (by = 0; by < GROUP_COUNT; by++) {
		struct group_track *gt = &m->track[by];

		if (!gt->on)
			continue;
		if (mode == GROUPS_OFF)
			mode = GROUPS_MOVE;
		if (seq == 0 || gt->sums_seq != seq)
			mode = GROUPS_ANEW;
	}
	for (by = 0; mode == GROUPS_ANEW && by < GROUP_COUNT; by++)
		for (g = 0; g < m->track[by].n; g++)
			memset(&m->track[by].g[g].sums, 0,
			    sizeof m->track[by].g[g].sums);
	return mode;
}

/* Whether t's earlier values are its values now (a region carried on a
 * second time): carried on again, its part of the sums stays. */
static bool
tracked_prev_is_now(const struct tracked_region *t)
{
	int k;

	for (k = 0; k < TRACKED_KEPT; k++)
		if (t->prev_kb[k] != t->kb[kept_fields[k]])
			return false;
	return true;
}

/* Add t's values to the sums of its group in each grouping followed (sign
 * 1), or take them away (sign -1), t taken as of class cls (its path is
 * its own: a region that continues another has the same). */
static void
group_track_put(struct model *m, const struct tracked_region *t, uint64_t sign,
    enum region_class cls)
{
	int by;

	for (by = 0; by < GROUP_COUNT; by++) {
		struct group_track *gt = &m->track[by];
		struct group_hist *gh;
		size_t g;
		bool made;

		if (!gt->on)
			continue;
		g = group_track_find(gt,
		    group_key_of((enum group_by)by, cls, t->path_id), &made);
		gh = &gt->g[g]; /* after the call: it may move g */
		if (gh->sums.nregions == 0) {
			gh->cls = cls;
			gh->path_id = t->path_id;
		}
		group_sums_add(&gh->sums, t, sign);
	}
}

/* Sample seq is in: each group's sums are its history's slot of seq; once
 * a window, groups long without members go. */
static void
group_track_end(struct model *m, uint64_t seq)
{
	size_t h = seq % MODEL_HISTORY, g;
	int by, s;

	for (by = 0; by < GROUP_COUNT; by++) {
		struct group_track *gt = &m->track[by];

		if (!gt->on)
			continue;
		for (g = 0; g < gt->n; g++) {
			struct group_hist *gh = &gt->g[g];

			for (s = 0; s < SERIES_COUNT; s++)
				gh->hist[s].v[h] =
				    sat32(gh->sums.kb[series_fields[s]]);
			if (gh->sums.nregions != 0)
				gh->last_seq = seq;
		}
		gt->sums_seq = seq + 1;
		if (seq % MODEL_HISTORY == MODEL_HISTORY - 1)
			group_track_sweep(gt, seq);
	}
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

/* Add member t's history to a group's, for the samples it was present in
 * within the window. */
static void
group_add_history(
    const struct model *m, struct history *gh, const struct tracked_region *t)
{
	uint64_t latest = m->nsamples - 1, lo, hi;
	struct history ring;
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
		model_region_ring(m, t, (enum series)s, &ring);
		if (a < b)
			hist_add(gh[s].v, ring.v, a, b);
		else { /* wraps around the ring */
			hist_add(gh[s].v, ring.v, a, MODEL_HISTORY);
			hist_add(gh[s].v, ring.v, 0, b);
		}
	}
}

/* Follow grouping by from now on: its groups' histories so far are summed
 * from the members' once. */
static void
group_track_start(struct model *m, enum group_by by)
{
	struct group_track *gt = &m->track[by];
	size_t k, i;

	gt->on = true;
	for (k = 0; k < m->norder; k++) {
		const struct tracked_region *t;
		struct group_hist *gh;
		bool made;

		if (m->ord[k].gone)
			continue;
		t = pool_at(m, m->ord[k].slot);
		i = group_track_find(gt, group_key(by, t), &made);
		gh = &gt->g[i]; /* after the call: it may move g */
		gh->last_seq = m->nsamples - 1;
		group_add_history(m, gh->hist, t);
	}
}

size_t
model_groups(struct model *m, enum group_by by, const struct region_group **out)
{
	return model_groups_of(m, by, NULL, NULL, out);
}

/* A new group of the list, of members of class cls and path path_id (a
 * file group's class: one member's), whose sums come later. */
static struct region_group *
group_new(struct model *m, enum group_by by, uint64_t key,
    enum region_class cls, uint32_t path_id, const struct history *hist)
{
	struct region_group *gr;
	const char *path;
	size_t len;

	if (m->ngroups == m->groups_cap) {
		m->groups_cap = m->groups_cap ? m->groups_cap * 2 : 64;
		m->groups =
		    xrealloc(m->groups, m->groups_cap * sizeof *m->groups);
		m->sums = xrealloc(m->sums, m->groups_cap * sizeof *m->sums);
	}
	memset(&m->sums[m->ngroups], 0, sizeof m->sums[m->ngroups]);
	gr = &m->groups[m->ngroups++];
	memset(gr, 0, sizeof *gr);
	gr->by = by;
	gr->key = key;
	gr->cls = cls;
	gr->path_id = by == GROUP_FILE ? path_id : 0;
	if (gr->path_id == 0) {
		path = model_path(m, path_id, &len);
		region_class_label(cls, path, len, gr->label, sizeof gr->label);
	}
	if (hist != NULL)
		memcpy(gr->hist, hist, sizeof gr->hist);
	return gr;
}

/* The list's groups from the members that keep() keeps (NULL: all), their
 * sums, and, for a filter's groups, their histories: a walk over every
 * region.  The histories of the whole process's come from gt. */
static void
groups_walk(struct model *m, struct group_track *gt, enum group_by by,
    region_pred keep, const void *ctx)
{
	size_t k, g, i;

	/* The tracked groups and the list's: scratch maps one to the other
	 * (a filter's groups are made here, their history summed now). */
	if (m->scratch_cap < gt->n + m->norder + 1) {
		m->scratch_cap = gt->n + m->norder + 1;
		m->scratch =
		    xrealloc(m->scratch, m->scratch_cap * sizeof *m->scratch);
	}
	for (g = 0; g < gt->n; g++)
		m->scratch[g] = UINT32_MAX;
	for (k = 0; k < m->norder; k++) {
		const struct tracked_region *t = pool_at(m, m->ord[k].slot);
		uint64_t key = group_key(by, t);
		bool made;

		if (t->state == TR_GONE || (keep != NULL && !keep(m, t, ctx)))
			continue;
		i = group_track_find(gt, key, &made);
		if (m->scratch_cap < gt->n) {
			m->scratch_cap = gt->n * 2;
			m->scratch = xrealloc(
			    m->scratch, m->scratch_cap * sizeof *m->scratch);
		}
		if (made)
			m->scratch[i] = UINT32_MAX;
		if (m->scratch[i] == UINT32_MAX) {
			m->scratch[i] = (uint32_t)m->ngroups;
			group_new(m, by, key, t->cls, t->path_id,
			    keep == NULL ? gt->g[i].hist : NULL);
		}
		group_sums_add(&m->sums[m->scratch[i]], t, 1);
		if (keep != NULL)
			group_add_history(m, m->groups[m->scratch[i]].hist, t);
	}
}

size_t
model_groups_of(struct model *m, enum group_by by, region_pred keep,
    const void *ctx, const struct region_group **out)
{
	struct group_track *gt = &m->track[by < GROUP_COUNT ? by : 0];
	size_t g;
	int f, k;

	if (keep == NULL && m->groups_seq == m->nsamples &&
	    m->groups_by == by) {
		*out = m->groups;
		return m->ngroups;
	}
	m->ngroups = 0;
	if (m->nsamples == 0) {
		*out = m->groups;
		return 0;
	}
	if (keep == NULL && gt->on && gt->sums_seq == m->nsamples) {
		/* The ingest summed the members as it had them. */
		for (g = 0; g < gt->n; g++) {
			const struct group_hist *gh = &gt->g[g];

			if (gh->sums.nregions == 0)
				continue;
			group_new(
			    m, by, gh->key, gh->cls, gh->path_id, gh->hist);
			m->sums[m->ngroups - 1] = gh->sums;
		}
	} else {
		if (keep == NULL && !gt->on)
			group_track_start(m, by);
		groups_walk(m, gt, by, keep, ctx);
	}
	for (g = 0; g < m->ngroups; g++) {
		struct region_group *gr = &m->groups[g];
		const struct group_sums *gs = &m->sums[g];

		gr->nregions = gs->nregions;
		memcpy(gr->kb, gs->kb, sizeof gr->kb);
		/* The kept counters' earlier values; the others' are the
		 * current ones (tracked_base()). */
		for (f = 0; f < SF_COUNT; f++) {
			if ((k = tracked_kept((enum smaps_field)f)) < 0) {
				gr->base_kb[f] = gr->prev_kb[f] =
				    gr->first_kb[f] = gr->kb[f];
				continue;
			}
			gr->base_kb[f] = gs->base_kb[k];
			gr->prev_kb[f] = gs->prev_kb[k];
			gr->first_kb[f] = gs->first_kb[k];
		}
		gr->rate_kb_s =
		    history_rate(m, &gr->hist[SERIES_RSS], 0, UINT64_MAX);
	}
	if (m->ngroups > 1)
		qsort(m->groups, m->ngroups, sizeof *m->groups, group_cmp);
	/* Only the whole process's groups are kept for the next call. */
	m->groups_seq = keep == NULL ? m->nsamples : 0;
	m->groups_by = by;
	*out = m->groups;
	return m->ngroups;
}

/* Groups' histories at a sample whose regions are the last one's: each
 * group that had members then has the same sums now, their earlier values
 * the last. */
static void
group_track_kept(struct model *m, uint64_t seq)
{
	size_t h = seq % MODEL_HISTORY, h0 = (seq - 1) % MODEL_HISTORY, g;
	int by, s;

	for (by = 0; by < GROUP_COUNT; by++) {
		struct group_track *gt = &m->track[by];

		if (!gt->on)
			continue;
		if (gt->sums_seq == seq)
			gt->sums_seq = seq + 1;
		for (g = 0; g < gt->n; g++) {
			struct group_hist *gh = &gt->g[g];
			bool had = gh->last_seq == seq - 1;

			for (s = 0; s < SERIES_COUNT; s++)
				gh->hist[s].v[h] = had ? gh->hist[s].v[h0] : 0;
			if (had)
				gh->last_seq = seq;
		}
		if (seq % MODEL_HISTORY == MODEL_HISTORY - 1)
			group_track_sweep(gt, seq);
	}
	group_track_sums_move(m, SUMS_KEPT);
}

void
model_ingest_kept(struct model *m, const struct snapshot *s)
{
	uint64_t seq = m->nsamples;
	struct model_totals *tot = &m->tot;
	size_t h = seq % MODEL_HISTORY;

	if (seq == 0 || s->nregions != tot->nregions) {
		model_ingest(m, s);
		return;
	}
	m->mono[h] = s->mono;
	m->wall[h] = s->wall;
	/* The same regions: the same totals. */
	memcpy(tot->prev_kb, tot->kb, sizeof tot->kb);
	model_take_sample(m, s);
	m->pending++;
	group_track_kept(m, seq);
}

void
model_settle(struct model *m)
{
	uint64_t n = m->pending, seq;
	size_t k, o = 0;
	double mono, wall;

	if (n == 0)
		return;
	m->pending = 0;
	m->version++;
	seq = m->nsamples - 1;
	mono = m->mono[seq % MODEL_HISTORY];
	wall = m->wall[seq % MODEL_HISTORY];
	for (k = 0; k < m->norder; k++) {
		struct ord_entry *e = &m->ord[k];
		struct tracked_region *t = pool_at(m, e->slot);

		if (e->gone) {
			/* As model_ingest() ages it out. */
			if (seq - t->last_seq > MODEL_GONE_TTL) {
				slot_free(m, e->slot);
				continue;
			}
			m->ord[o++] = *e;
			continue;
		}
		if (t->state == TR_NEW)
			t->state = TR_LIVE;
		/* n unchanged samples after last_seq. */
		tracked_repeat(t, n, seq);
		tracked_track_low(t, mono, wall);
		m->ord[o++] = *e;
	}
	m->norder = o;
}
