/*
 * session-codec.c - encoding snapshots for session files, and decoding them
 * without trusting a byte: every count is checked against the bytes left,
 * every index against the table, every range against its neighbours.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "proc-parse.h"
#include "session-codec.h"
#include "util.h"

bool
codec_time_ok(double t)
{
	return t >= 0 && t < 1e11;
}

/* ---- writing ---- */

static void
buf_need(struct buf *b, size_t n)
{
	if (b->len + n <= b->cap)
		return;
	b->cap = (b->cap + n) * 2;
	b->p = xrealloc(b->p, b->cap);
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
}

void
buf_free(struct buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

void
buf_u8(struct buf *b, uint8_t v)
{
	buf_need(b, 1);
	b->p[b->len++] = v;
}

void
buf_u16(struct buf *b, uint16_t v)
{
	buf_u8(b, (uint8_t)v);
	buf_u8(b, (uint8_t)(v >> 8));
}

void
buf_u32(struct buf *b, uint32_t v)
{
	buf_u16(b, (uint16_t)v);
	buf_u16(b, (uint16_t)(v >> 16));
}

void
buf_varint(struct buf *b, uint64_t v)
{
	buf_need(b, 10);
	b->len += varint_put(b->p + b->len, v);
}

void
buf_zigzag(struct buf *b, int64_t v)
{
	buf_varint(b, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

void
buf_f64(struct buf *b, double v)
{
	uint64_t u;

	memcpy(&u, &v, sizeof u);
	buf_u32(b, (uint32_t)u);
	buf_u32(b, (uint32_t)(u >> 32));
}

void
buf_raw(struct buf *b, const void *p, size_t len)
{
	buf_need(b, len);
	if (len > 0)
		memcpy(b->p + b->len, p, len);
	b->len += len;
}

void
buf_bytes(struct buf *b, const void *p, size_t len)
{
	buf_varint(b, len);
	buf_raw(b, p, len);
}

/* ---- reading ---- */

size_t
rd_left(const struct rd *r)
{
	return r->err ? 0 : (size_t)(r->end - r->p);
}

uint8_t
rd_u8(struct rd *r)
{
	if (r->err || r->p >= r->end) {
		r->err = 1;
		return 0;
	}
	return *r->p++;
}

uint16_t
rd_u16(struct rd *r)
{
	uint16_t lo = rd_u8(r);

	return (uint16_t)(lo | (uint16_t)(rd_u8(r) << 8));
}

uint32_t
rd_u32(struct rd *r)
{
	uint32_t lo = rd_u16(r);

	return lo | ((uint32_t)rd_u16(r) << 16);
}

uint64_t
rd_varint_long(struct rd *r)
{
	uint64_t v = 0;
	int shift;

	for (shift = 0; shift < 64; shift += 7) {
		uint8_t c = rd_u8(r);

		v |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80))
			return v;
	}
	r->err = 1; /* longer than ten bytes */
	return 0;
}

int64_t
rd_zigzag(struct rd *r)
{
	uint64_t u = rd_varint(r);

	return (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
}

double
rd_f64(struct rd *r)
{
	uint64_t u = rd_u32(r);
	double v;

	u |= (uint64_t)rd_u32(r) << 32;
	memcpy(&v, &u, sizeof v);
	return v;
}

const uint8_t *
rd_bytes(struct rd *r, size_t *len)
{
	uint64_t n = rd_varint(r);
	const uint8_t *p = r->p;

	if (r->err || n > (uint64_t)(r->end - r->p)) {
		r->err = 1;
		*len = 0;
		return NULL;
	}
	r->p += n;
	*len = (size_t)n;
	return p;
}

void
rd_str(struct rd *r, char *dst, size_t size)
{
	size_t len;
	const uint8_t *p = rd_bytes(r, &len);

	if (len >= size)
		len = size - 1;
	if (p != NULL && len > 0)
		memcpy(dst, p, len);
	dst[len] = '\0';
}

/* ---- CRC-32 (IEEE 802.3, as zlib computes it) ---- */

/* CRC-32 (IEEE 802.3, as zlib's crc32()) eight bytes a step: table k
 * gives the CRC of a byte followed by k zero bytes.  A byte a step was 3 %
 * of a recording's first sample at 60,000 regions. */
static uint32_t crc32_table[8][256];
static pthread_once_t crc32_once = PTHREAD_ONCE_INIT;

static void
crc32_init(void)
{
	uint32_t c, n, k;

	for (n = 0; n < 256; n++) {
		for (c = n, k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
		crc32_table[0][n] = c;
	}
	for (n = 0; n < 256; n++) {
		for (k = 1; k < 8; k++) {
			c = crc32_table[k - 1][n];
			crc32_table[k][n] = (c >> 8) ^ crc32_table[0][c & 0xff];
		}
	}
}

static inline uint32_t
crc32_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

uint32_t
crc32_update(uint32_t crc, const void *data, size_t len)
{
	const uint32_t(*t)[256] = crc32_table;
	const uint8_t *p = data;
	uint32_t one, two;

	pthread_once(&crc32_once, crc32_init);
	crc = ~crc;
	for (; len >= 8; p += 8, len -= 8) {
		one = crc32_le32(p) ^ crc;
		two = crc32_le32(p + 4);
		crc = t[7][one & 0xff] ^ t[6][(one >> 8) & 0xff] ^
		    t[5][(one >> 16) & 0xff] ^ t[4][one >> 24] ^
		    t[3][two & 0xff] ^ t[2][(two >> 8) & 0xff] ^
		    t[1][(two >> 16) & 0xff] ^ t[0][two >> 24];
	}
	for (; len > 0; p++, len--)
		crc = t[0][(crc ^ *p) & 0xff] ^ (crc >> 8);
	return ~crc;
}

/* ---- the string table ---- */

void
strtab_reset(struct strtab *t)
{
	t->n = 0;
	t->arena_len = 0;
	if (t->hash != NULL)
		memset(t->hash, 0, t->hash_cap * sizeof *t->hash);
}

void
strtab_free(struct strtab *t)
{
	free(t->hash);
	free(t->off);
	free(t->len);
	free(t->placed);
	free(t->arena);
	memset(t, 0, sizeof *t);
}

static uint32_t
strtab_add(struct strtab *t, const char *p, size_t len)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 256;
		t->off = xrealloc(t->off, t->cap * sizeof *t->off);
		t->len = xrealloc(t->len, t->cap * sizeof *t->len);
		t->placed = xrealloc(t->placed, t->cap * sizeof *t->placed);
	}
	if (t->arena == NULL || t->arena_len + len > t->arena_cap) {
		t->arena_cap = (t->arena_cap + len) * 2 + 64;
		t->arena = xrealloc(t->arena, t->arena_cap);
	}
	if (len > 0)
		memcpy(t->arena + t->arena_len, p, len);
	t->off[t->n] = (uint32_t)t->arena_len;
	t->len[t->n] = (uint32_t)len;
	t->placed[t->n] = 0;
	t->arena_len += len;
	return (uint32_t)t->n++;
}

/* Writer: the index of p, or the table size (= "new, bytes follow"). */
static uint32_t
strtab_find(struct strtab *t, const char *p, size_t len, bool *is_new)
{
	size_t k, i;
	uint32_t id;

	if (t->hash_cap < (t->n + 1) * 2) {
		free(t->hash);
		t->hash_cap = t->hash_cap ? t->hash_cap * 4 : 1024;
		t->hash = xcalloc(t->hash_cap, sizeof *t->hash);
		for (i = 0; i < t->n; i++) {
			k = hash_bytes(t->arena + t->off[i], t->len[i]) &
			    (t->hash_cap - 1);
			while (t->hash[k] != 0)
				k = (k + 1) & (t->hash_cap - 1);
			t->hash[k] = (uint32_t)i + 1;
		}
	}
	k = hash_bytes(p, len) & (t->hash_cap - 1);
	while ((id = t->hash[k]) != 0) {
		if (t->len[id - 1] == len &&
		    memcmp(t->arena + t->off[id - 1], p, len) == 0) {
			*is_new = false;
			return id - 1;
		}
		k = (k + 1) & (t->hash_cap - 1);
	}
	*is_new = true;
	id = strtab_add(t, p, len);
	t->hash[k] = id + 1;
	return id;
}

/* ---- extension records ---- */

void
codec_facts_encode(struct buf *b, const struct codec_fact *tab, const void *obj,
    const void *prev)
{
	const struct codec_fact *f;
	uint8_t head[20];
	size_t at, len, hl;

	for (f = tab; f->tag != 0; f++) {
		at = b->len;
		f->encode(b, obj);
		len = b->len - at;
		if (prev != NULL) {
			/* prev's value after obj's, compared, then dropped */
			f->encode(b, prev);
			if (b->len - at - len == len &&
			    memcmp(b->p + at, b->p + at + len, len) == 0) {
				b->len = at;
				continue;
			}
			b->len = at + len;
		} else if (len == 0)
			continue;
		/* The tag and length go before the value. */
		hl = varint_put(head, f->tag);
		hl += varint_put(head + hl, len);
		buf_need(b, hl);
		memmove(b->p + at + hl, b->p + at, len);
		memcpy(b->p + at, head, hl);
		b->len += hl;
	}
}

int
codec_facts_decode(struct rd *r, const struct codec_fact *tab, void *obj,
    bool carry, const char **why)
{
	const struct codec_fact *f;
	uint64_t tag, len;
	struct rd v;

	for (f = tab; !carry && f->tag != 0; f++)
		f->clear(obj);
	while (rd_left(r) > 0) {
		tag = rd_varint(r);
		len = rd_varint(r);
		if (r->err || tag == 0 || len > rd_left(r)) {
			*why = "a damaged extension record";
			return -1;
		}
		v.p = r->p;
		v.end = r->p + len;
		v.err = 0;
		r->p += len;
		for (f = tab; f->tag != 0 && f->tag != tag; f++)
			continue;
		if (f->tag == 0)
			continue; /* a fact of a newer memtop */
		if (len == 0)
			f->clear(obj);
		else if (f->decode(&v, obj) != 0 || v.err) {
			f->clear(obj);
			*why = f->name;
			return -1;
		}
	}
	return r->err ? -1 : 0;
}

/* ---- the facts: one row per fact, in tables by what carries them ---- */

static void
hdr_clock_ticks_encode(struct buf *b, const void *obj)
{
	const struct session_header *h = obj;

	if (h->clock_ticks != 0)
		buf_varint(b, h->clock_ticks);
}

static int
hdr_clock_ticks_decode(struct rd *r, void *obj)
{
	struct session_header *h = obj;
	uint64_t v = rd_varint(r);

	h->clock_ticks = v <= UINT32_MAX ? (uint32_t)v : 0;
	return v == 0 || v > UINT32_MAX ? -1 : 0;
}

static void
hdr_clock_ticks_clear(void *obj)
{
	((struct session_header *)obj)->clock_ticks = 0;
}

static void
hdr_boot_id_encode(struct buf *b, const void *obj)
{
	const struct session_header *h = obj;
	size_t len = strnlen(h->boot_id, sizeof h->boot_id);

	if (len > 0)
		buf_bytes(b, h->boot_id, len);
}

static int
hdr_boot_id_decode(struct rd *r, void *obj)
{
	struct session_header *h = obj;

	rd_str(r, h->boot_id, sizeof h->boot_id);
	return 0;
}

static void
hdr_boot_id_clear(void *obj)
{
	((struct session_header *)obj)->boot_id[0] = '\0';
}

static void
hdr_recreated_encode(struct buf *b, const void *obj)
{
	const struct session_header *h = obj;

	if (h->recreated_at > 0) {
		buf_f64(b, h->recreated_at);
		buf_varint(b, h->lost_samples);
	}
}

static int
hdr_recreated_decode(struct rd *r, void *obj)
{
	struct session_header *h = obj;

	h->recreated_at = rd_f64(r);
	h->lost_samples = rd_varint(r);
	return codec_time_ok(h->recreated_at) ? 0 : -1;
}

static void
hdr_recreated_clear(void *obj)
{
	struct session_header *h = obj;

	h->recreated_at = 0;
	h->lost_samples = 0;
}

static void
hdr_self_adj_encode(struct buf *b, const void *obj)
{
	const struct session_header *h = obj;

	if (h->has_self_adj) {
		buf_zigzag(b, h->self_adj_before);
		buf_zigzag(b, h->self_adj_after);
		buf_zigzag(b, h->self_adj_err);
	}
}

static int
hdr_self_adj_decode(struct rd *r, void *obj)
{
	struct session_header *h = obj;
	int64_t before = rd_zigzag(r), after = rd_zigzag(r), err = rd_zigzag(r);

	if (before < -1000 || before > 1000 || after < -1000 || after > 1000 ||
	    err > 0 || err < -4095)
		return -1;
	h->self_adj_before = (int32_t)before;
	h->self_adj_after = (int32_t)after;
	h->self_adj_err = (int32_t)err;
	h->has_self_adj = 1;
	return 0;
}

static void
hdr_self_adj_clear(void *obj)
{
	struct session_header *h = obj;

	h->has_self_adj = 0;
	h->self_adj_before = h->self_adj_after = h->self_adj_err = 0;
}

/* Header facts.  Tags: 1 clock ticks, 2 boot id, 3 recreated, 4 the
 * recorder's own oom_score_adj. */
static const struct codec_fact header_facts[] = {
	{ 1, "a damaged clock-ticks record", hdr_clock_ticks_encode,
	    hdr_clock_ticks_decode, hdr_clock_ticks_clear },
	{ 2, "a damaged boot-id record", hdr_boot_id_encode, hdr_boot_id_decode,
	    hdr_boot_id_clear },
	{ 3, "a damaged recreated record", hdr_recreated_encode,
	    hdr_recreated_decode, hdr_recreated_clear },
	{ 4, "a damaged oom_score_adj record", hdr_self_adj_encode,
	    hdr_self_adj_decode, hdr_self_adj_clear },
	{ 0, NULL, NULL, NULL, NULL },
};

/*
 * Sample facts: the target's memory cgroup, in records by how often they
 * change (who it is; its limits; its usage and memory.stat; its events;
 * its pressure), so that a delta frame carries only the figures that
 * moved; the program's runtime (exe-probe.c); the runtime's own figures.
 *
 * A cgroup record holds a mask of enum cg_field bits (of its own group)
 * and a varint per set bit, in bit order; bits this memtop does not know
 * are read and dropped.
 */
#define CG_BIT(x) ((uint64_t)1 << (x))
#define CG_LIMIT_FIELDS                                             \
	(CG_BIT(CG_MAX) | CG_BIT(CG_HIGH) | CG_BIT(CG_SOFT_LIMIT) | \
	    CG_BIT(CG_SWAP_MAX) | CG_BIT(CG_MEMSW_MAX) |            \
	    CG_BIT(CG_OOM_KILL_DISABLE))
#define CG_EVENT_FIELDS                                                 \
	(CG_BIT(CG_EV_HIGH) | CG_BIT(CG_EV_MAX) | CG_BIT(CG_EV_OOM) |   \
	    CG_BIT(CG_EV_OOM_KILL) | CG_BIT(CG_EV_OOM_GROUP_KILL) |     \
	    CG_BIT(CG_EV_LOCAL_OOM) | CG_BIT(CG_EV_LOCAL_OOM_KILL) |    \
	    CG_BIT(CG_EV_LOCAL_OOM_GROUP_KILL) | CG_BIT(CG_UNDER_OOM) | \
	    CG_BIT(CG_NPROCS))
#define CG_ALL_FIELDS   (CG_BIT(CG_COUNT) - 1)
#define CG_USAGE_FIELDS (CG_ALL_FIELDS & ~CG_LIMIT_FIELDS & ~CG_EVENT_FIELDS)

static const struct cgroup_facts *
snap_cg(const void *obj)
{
	return &((const struct snapshot *)obj)->info.cg;
}

static struct cgroup_facts *
snap_cg_mut(void *obj)
{
	return &((struct snapshot *)obj)->info.cg;
}

static void
cg_fields_encode(struct buf *b, const struct cgroup_facts *f, uint64_t mask)
{
	uint64_t has = f->has & mask;
	int x;

	buf_varint(b, has);
	for (x = 0; x < CG_COUNT; x++) {
		if (has >> x & 1)
			buf_varint(b, f->v[x]);
	}
}

static void
cg_fields_decode(struct rd *r, struct cgroup_facts *f, uint64_t mask)
{
	uint64_t has = rd_varint(r), v;
	int x;

	f->has &= ~mask;
	for (x = 0; x < 64; x++) {
		if (!(has >> x & 1))
			continue;
		v = rd_varint(r);
		if (x < CG_COUNT && (mask >> x & 1)) {
			f->v[x] = v;
			f->has |= CG_BIT(x);
		}
	}
}

static void
cg_fields_clear(struct cgroup_facts *f, uint64_t mask)
{
	int x;

	f->has &= ~mask;
	for (x = 0; x < CG_COUNT; x++) {
		if (mask >> x & 1)
			f->v[x] = 0;
	}
}

/* Tag 1: which cgroup (its version and path; the owner is read again from
 * the path). */
static void
smp_cgroup_encode(struct buf *b, const void *obj)
{
	const struct cgroup_facts *f = snap_cg(obj);

	if (f->version == CGROUP_NONE)
		return;
	buf_u8(b, f->version);
	buf_bytes(b, f->path, strnlen(f->path, sizeof f->path));
}

static int
smp_cgroup_decode(struct rd *r, void *obj)
{
	struct cgroup_facts *f = snap_cg_mut(obj);
	uint8_t version = rd_u8(r);

	if (version != CGROUP_V1 && version != CGROUP_V2)
		return -1;
	f->version = version;
	rd_str(r, f->path, sizeof f->path);
	parse_cgroup_owner(f->path, strlen(f->path), &f->owner);
	return 0;
}

static void
smp_cgroup_clear(void *obj)
{
	struct cgroup_facts *f = snap_cg_mut(obj);

	f->version = CGROUP_NONE;
	f->path[0] = '\0';
	memset(&f->owner, 0, sizeof f->owner);
}

/* Tag 2: the limits, and the one that binds. */
static void
smp_cg_limits_encode(struct buf *b, const void *obj)
{
	const struct cgroup_facts *f = snap_cg(obj);

	if (f->version == CGROUP_NONE)
		return;
	cg_fields_encode(b, f, CG_LIMIT_FIELDS);
	buf_varint(b, f->limit.max);
	buf_varint(b, f->limit.up);
	buf_varint(b, f->limit.swap_max);
	buf_u8(b, f->limit.at_high);
}

static int
smp_cg_limits_decode(struct rd *r, void *obj)
{
	struct cgroup_facts *f = snap_cg_mut(obj);
	uint64_t up;

	cg_fields_decode(r, f, CG_LIMIT_FIELDS);
	f->limit.max = rd_varint(r);
	up = rd_varint(r);
	f->limit.up = up > UINT16_MAX ? UINT16_MAX : (uint16_t)up;
	f->limit.swap_max = rd_varint(r);
	f->limit.at_high = rd_u8(r) != 0;
	return 0;
}

static void
smp_cg_limits_clear(void *obj)
{
	struct cgroup_facts *f = snap_cg_mut(obj);

	cg_fields_clear(f, CG_LIMIT_FIELDS);
	f->limit.max = CG_UNLIMITED;
	f->limit.up = 0;
	f->limit.swap_max = CG_UNLIMITED;
	f->limit.at_high = 0;
}

/* Tag 3: usage and memory.stat (every sample), and the binding cgroup's. */
static void
smp_cg_usage_encode(struct buf *b, const void *obj)
{
	const struct cgroup_facts *f = snap_cg(obj);

	if (f->version == CGROUP_NONE)
		return;
	cg_fields_encode(b, f, CG_USAGE_FIELDS);
	buf_u8(b, f->limit.has_usage);
	buf_varint(b, f->limit.current);
	buf_varint(b, f->limit.unreclaimable);
	buf_varint(b, f->limit.swap);
}

static int
smp_cg_usage_decode(struct rd *r, void *obj)
{
	struct cgroup_facts *f = snap_cg_mut(obj);

	cg_fields_decode(r, f, CG_USAGE_FIELDS);
	f->limit.has_usage = rd_u8(r) != 0;
	f->limit.current = rd_varint(r);
	f->limit.unreclaimable = rd_varint(r);
	f->limit.swap = rd_varint(r);
	return 0;
}

static void
smp_cg_usage_clear(void *obj)
{
	struct cgroup_facts *f = snap_cg_mut(obj);

	cg_fields_clear(f, CG_USAGE_FIELDS);
	f->limit.has_usage = 0;
	f->limit.current = f->limit.unreclaimable = f->limit.swap = 0;
}

/* Tag 4: events and OOM kills since memtop began to watch. */
static void
smp_cg_events_encode(struct buf *b, const void *obj)
{
	const struct cgroup_facts *f = snap_cg(obj);

	if (f->version == CGROUP_NONE)
		return;
	cg_fields_encode(b, f, CG_EVENT_FIELDS);
	buf_varint(b, f->oom_kills);
}

static int
smp_cg_events_decode(struct rd *r, void *obj)
{
	struct cgroup_facts *f = snap_cg_mut(obj);

	cg_fields_decode(r, f, CG_EVENT_FIELDS);
	f->oom_kills = rd_varint(r);
	return 0;
}

static void
smp_cg_events_clear(void *obj)
{
	struct cgroup_facts *f = snap_cg_mut(obj);

	cg_fields_clear(f, CG_EVENT_FIELDS);
	f->oom_kills = 0;
}

static void
psi_line_encode(struct buf *b, const struct psi_line *l)
{
	buf_u8(b, l->present);
	if (l->present) {
		buf_f64(b, l->avg10);
		buf_f64(b, l->avg60);
		buf_f64(b, l->avg300);
		buf_varint(b, l->total);
	}
}

/* A share of time: 0 to 100 (NaN fails). */
static bool
psi_pct_ok(double v)
{
	return v >= 0 && v <= 100;
}

static int
psi_line_decode(struct rd *r, struct psi_line *l)
{
	memset(l, 0, sizeof *l);
	l->present = rd_u8(r) != 0;
	if (!l->present)
		return 0;
	l->avg10 = rd_f64(r);
	l->avg60 = rd_f64(r);
	l->avg300 = rd_f64(r);
	l->total = rd_varint(r);
	if (!psi_pct_ok(l->avg10) || !psi_pct_ok(l->avg60) ||
	    !psi_pct_ok(l->avg300)) {
		memset(l, 0, sizeof *l);
		return -1;
	}
	return 0;
}

/* A tick of the adaptive sampler (live-fast.h): which counters were
 * carried from the last full sample, and that one's time. */
static void
smp_partial_encode(struct buf *b, const void *obj)
{
	const struct snapshot *s = obj;

	if (s->stale != 0) {
		buf_varint(b, s->stale);
		buf_f64(b, s->full_wall);
	}
}

static int
smp_partial_decode(struct rd *r, void *obj)
{
	struct snapshot *s = obj;
	uint64_t v = rd_varint(r);

	s->stale = (uint32_t)(v & (((uint64_t)1 << SF_COUNT) - 1));
	s->full_wall = rd_f64(r);
	if (s->stale == 0 || !codec_time_ok(s->full_wall)) {
		s->stale = 0;
		s->full_wall = 0;
		return -1;
	}
	return 0;
}

static void
smp_partial_clear(void *obj)
{
	struct snapshot *s = obj;

	s->stale = 0;
	s->full_wall = 0;
}

/* Tag 5: memory pressure (PSI), the cgroup's or the system's. */
static void
smp_psi_encode(struct buf *b, const void *obj)
{
	const struct psi *p = &snap_cg(obj)->psi;

	if (p->scope == PSI_NONE)
		return;
	buf_u8(b, p->scope);
	psi_line_encode(b, &p->some);
	psi_line_encode(b, &p->full);
}

static int
smp_psi_decode(struct rd *r, void *obj)
{
	struct psi *p = &snap_cg_mut(obj)->psi;
	uint8_t scope = rd_u8(r);

	if (scope != PSI_CGROUP && scope != PSI_SYSTEM)
		return -1;
	p->scope = scope;
	return psi_line_decode(r, &p->some) == 0 &&
	        psi_line_decode(r, &p->full) == 0 ?
	    0 :
	    -1;
}

static void
smp_psi_clear(void *obj)
{
	memset(&snap_cg_mut(obj)->psi, 0, sizeof(struct psi));
}

/* Tag 6: the program's runtime, as exe-probe.c found it (the classifier
 * reads it: without it a replay would class a Go heap as anon). */
static void
smp_runtime_encode(struct buf *b, const void *obj)
{
	const struct runtime_facts *rt =
	    &((const struct snapshot *)obj)->info.runtime;

	if (!rt->probed && rt->flags == 0)
		return;
	buf_u8(b, rt->probed);
	buf_u8(b, rt->flags);
	buf_u8(b, rt->go_major);
	buf_u8(b, rt->go_minor);
	buf_u8(b, rt->py_major);
	buf_u8(b, rt->py_minor);
	buf_bytes(
	    b, rt->go_version, strnlen(rt->go_version, sizeof rt->go_version));
}

static int
smp_runtime_decode(struct rd *r, void *obj)
{
	struct runtime_facts *rt = &((struct snapshot *)obj)->info.runtime;

	rt->probed = rd_u8(r) != 0;
	rt->flags = rd_u8(r);
	rt->go_major = rd_u8(r);
	rt->go_minor = rd_u8(r);
	rt->py_major = rd_u8(r);
	rt->py_minor = rd_u8(r);
	rd_str(r, rt->go_version, sizeof rt->go_version);
	return 0;
}

static void
smp_runtime_clear(void *obj)
{
	memset(&((struct snapshot *)obj)->info.runtime, 0,
	    sizeof(struct runtime_facts));
}

/* Tag 7: the runtime's own figures (rtfig.h): source, status, a mask of
 * enum rt_field bits and a varint per set bit, and when they were read.
 * A Go reading that has not changed since the last sample costs nothing. */
static void
smp_rtfig_encode(struct buf *b, const void *obj)
{
	const struct rt_figures *f = &((const struct snapshot *)obj)->info.rt;
	int k;

	if (f->source == RT_SRC_NONE && f->status == RT_ST_OK)
		return;
	buf_u8(b, (uint8_t)f->source);
	buf_u8(b, (uint8_t)f->status);
	buf_varint(b, f->have);
	for (k = 0; k < RTF_COUNT; k++) {
		if (f->have >> k & 1)
			buf_varint(b, f->v[k]);
	}
	buf_f64(b, f->mono);
	buf_f64(b, f->wall);
	buf_f64(b, f->read_secs);
}

static int
smp_rtfig_decode(struct rd *r, void *obj)
{
	struct rt_figures *f = &((struct snapshot *)obj)->info.rt;
	uint8_t src = rd_u8(r), st = rd_u8(r);
	uint64_t have = rd_varint(r), v;
	int k;

	f->source = src <= RT_SRC_GO_PROM ? (enum rt_source)src : RT_SRC_NONE;
	f->status = st <= RT_ST_ERROR ? (enum rt_status)st : RT_ST_ERROR;
	f->have = 0;
	memset(f->v, 0, sizeof f->v);
	for (k = 0; k < 64; k++) {
		if (!(have >> k & 1))
			continue;
		v = rd_varint(r);
		if (k < RTF_COUNT) {
			f->v[k] = v;
			f->have |= (uint64_t)1 << k;
		}
	}
	f->mono = rd_f64(r);
	f->wall = rd_f64(r);
	f->read_secs = rd_f64(r);
	return codec_time_ok(f->mono) && codec_time_ok(f->wall) &&
	        codec_time_ok(f->read_secs) ?
	    0 :
	    -1;
}

static void
smp_rtfig_clear(void *obj)
{
	struct rt_figures *f = &((struct snapshot *)obj)->info.rt;
	char detail[RTFIG_DETAIL_MAX], reason[RTFIG_REASON_MAX];

	/* The words are tag 8's. */
	memcpy(detail, f->detail, sizeof detail);
	memcpy(reason, f->reason, sizeof reason);
	rtfig_init(f, RT_SRC_NONE, RT_ST_OK);
	memcpy(f->detail, detail, sizeof detail);
	memcpy(f->reason, reason, sizeof reason);
}

/* Tag 8: the figures' words: the JVM's collector, why there are none. */
static void
smp_rtwords_encode(struct buf *b, const void *obj)
{
	const struct rt_figures *f = &((const struct snapshot *)obj)->info.rt;
	size_t d = strnlen(f->detail, sizeof f->detail),
	       w = strnlen(f->reason, sizeof f->reason);

	if (d == 0 && w == 0)
		return;
	buf_bytes(b, f->detail, d);
	buf_bytes(b, f->reason, w);
}

static int
smp_rtwords_decode(struct rd *r, void *obj)
{
	struct rt_figures *f = &((struct snapshot *)obj)->info.rt;

	rd_str(r, f->detail, sizeof f->detail);
	rd_str(r, f->reason, sizeof f->reason);
	return 0;
}

static void
smp_rtwords_clear(void *obj)
{
	struct rt_figures *f = &((struct snapshot *)obj)->info.rt;

	f->detail[0] = '\0';
	f->reason[0] = '\0';
}

/* Sample facts, over struct snapshot, in key and delta frames.  Tags: 1
 * cgroup, 2 cgroup limits, 3 cgroup usage, 4 cgroup events, 5 pressure, 6
 * runtime, 7 runtime figures, 8 runtime words, 16 restart (restart.c; 9 to
 * 15 are left to the target's own facts); from 32 on the sampler's: 32 a
 * partial sample. */
static const struct codec_fact sample_facts[] = {
	{ 1, "a damaged cgroup record", smp_cgroup_encode, smp_cgroup_decode,
	    smp_cgroup_clear },
	{ 2, "a damaged cgroup-limits record", smp_cg_limits_encode,
	    smp_cg_limits_decode, smp_cg_limits_clear },
	{ 3, "a damaged cgroup-usage record", smp_cg_usage_encode,
	    smp_cg_usage_decode, smp_cg_usage_clear },
	{ 4, "a damaged cgroup-events record", smp_cg_events_encode,
	    smp_cg_events_decode, smp_cg_events_clear },
	{ 5, "a damaged pressure record", smp_psi_encode, smp_psi_decode,
	    smp_psi_clear },
	{ 6, "a damaged runtime record", smp_runtime_encode, smp_runtime_decode,
	    smp_runtime_clear },
	{ 7, "a damaged runtime-figures record", smp_rtfig_encode,
	    smp_rtfig_decode, smp_rtfig_clear },
	{ 8, "a damaged runtime-words record", smp_rtwords_encode,
	    smp_rtwords_decode, smp_rtwords_clear },
	{ 16, "a damaged restart record", restart_fact_encode,
	    restart_fact_decode, restart_fact_clear },
	{ 32, "a damaged partial-sample record", smp_partial_encode,
	    smp_partial_decode, smp_partial_clear },
	{ 0, NULL, NULL, NULL, NULL },
};

static void
end_samples_encode(struct buf *b, const void *obj)
{
	const struct session_end *e = obj;

	if (e->samples > 0) {
		buf_varint(b, e->samples);
		buf_varint(b, e->last_seq);
	}
}

static int
end_samples_decode(struct rd *r, void *obj)
{
	struct session_end *e = obj;

	e->samples = rd_varint(r);
	e->last_seq = rd_varint(r);
	return 0;
}

static void
end_samples_clear(void *obj)
{
	struct session_end *e = obj;

	e->samples = 0;
	e->last_seq = 0;
}

void
codec_verdict_encode(struct buf *b, const struct end_verdict *v)
{
	buf_u8(b, v->reason);
	buf_u8(b, v->scope);
	buf_u8(b, (uint8_t)((v->likely ? 1 : 0) | (v->core_dumped ? 2 : 0)));
	buf_zigzag(b, v->status);
	buf_zigzag(b, v->signal);
	buf_varint(b, v->evidence);
	buf_varint(b, v->cg_kills);
	buf_varint(b, v->vm_kills);
	buf_varint(b, v->limit_bytes);
	buf_bytes(b, v->cgroup, strnlen(v->cgroup, sizeof v->cgroup));
	buf_f64(b, v->wall);
}

int
codec_verdict_decode(struct rd *r, struct end_verdict *v)
{
	uint8_t reason = rd_u8(r), scope = rd_u8(r), flags = rd_u8(r);
	int64_t status = rd_zigzag(r), sig = rd_zigzag(r);

	memset(v, 0, sizeof *v);
	v->reason = reason <= END_OOM_KILLED ? reason : END_UNKNOWN;
	v->scope = scope <= END_SCOPE_SYSTEM ? scope : END_SCOPE_UNKNOWN;
	v->likely = flags & 1;
	v->core_dumped = (flags & 2) != 0;
	v->status = status >= 0 && status <= 255 ? (int)status : 0;
	v->signal = sig >= 0 && sig < 128 ? (int)sig : 0;
	v->evidence = (uint32_t)rd_varint(r);
	v->cg_kills = rd_varint(r);
	v->vm_kills = rd_varint(r);
	v->limit_bytes = rd_varint(r);
	rd_str(r, v->cgroup, sizeof v->cgroup);
	v->wall = rd_f64(r);
	v->known = 1;
	return codec_time_ok(v->wall) ? 0 : -1;
}

/* Tag 2: how the target ended (verdict.h), and the evidence. */
static void
end_verdict_encode(struct buf *b, const void *obj)
{
	const struct end_verdict *v =
	    &((const struct session_end *)obj)->verdict;

	if (v->known)
		codec_verdict_encode(b, v);
}

static int
end_verdict_decode(struct rd *r, void *obj)
{
	return codec_verdict_decode(r, &((struct session_end *)obj)->verdict);
}

static void
end_verdict_clear(void *obj)
{
	memset(&((struct session_end *)obj)->verdict, 0,
	    sizeof(struct end_verdict));
}

/* END frame facts.  Tags: 1 samples, 2 verdict. */
static const struct codec_fact end_facts[] = {
	{ 1, "a damaged samples record", end_samples_encode, end_samples_decode,
	    end_samples_clear },
	{ 2, "a damaged verdict record", end_verdict_encode, end_verdict_decode,
	    end_verdict_clear },
	{ 0, NULL, NULL, NULL, NULL },
};

/* Mark and INDEX frames: no facts yet; their records are skipped. */
static const struct codec_fact no_facts[] = {
	{ 0, NULL, NULL, NULL, NULL },
};

/* ---- the header block ---- */

void
codec_encode_header(struct buf *b, const struct session_header *h)
{
	size_t at, len;

	buf_raw(b, SESSION_MAGIC, 8);
	buf_u16(b, SESSION_MAJOR);
	buf_u16(b, SESSION_MINOR);
	buf_u32(b, 0); /* flags: none */
	buf_u32(b, 0); /* the length, set below */
	at = b->len;
	buf_varint(b, h->page_size);
	buf_varint(b, (uint64_t)h->pid);
	buf_varint(b, h->start_time);
	buf_f64(b, h->interval);
	buf_f64(b, h->created);
	buf_bytes(b, h->kernel, strnlen(h->kernel, sizeof h->kernel));
	buf_bytes(b, h->host, strnlen(h->host, sizeof h->host));
	buf_bytes(b, h->version, strnlen(h->version, sizeof h->version));
	buf_bytes(b, h->cmdline, strnlen(h->cmdline, sizeof h->cmdline));
	codec_facts_encode(b, header_facts, h, NULL);
	len = b->len - at;
	b->p[at - 4] = (uint8_t)len;
	b->p[at - 3] = (uint8_t)(len >> 8);
	b->p[at - 2] = (uint8_t)(len >> 16);
	b->p[at - 1] = (uint8_t)(len >> 24);
	buf_u32(b, crc32_update(0, b->p + at, len));
}

int
codec_decode_header(const uint8_t *p, size_t len, const char *name,
    struct session_header *h, size_t *used, char **cause)
{
	struct rd r = { p, p + len, 0 };
	const uint8_t *payload;
	const char *why = NULL;
	uint32_t hlen, crc;

	memset(h, 0, sizeof *h);
	if (len == 0) {
		*cause =
		    xasprintf("%s is empty: not a memtop session file", name);
		return -EBADMSG;
	}
	if (len < 8 || memcmp(p, SESSION_MAGIC, 8) != 0) {
		*cause = xasprintf("%s is not a memtop session file", name);
		return -EBADMSG;
	}
	r.p += 8;
	h->major = rd_u16(&r);
	h->minor = rd_u16(&r);
	h->flags = rd_u32(&r); /* none defined in 1.x: ignored */
	hlen = rd_u32(&r);
	if (!r.err && h->major > SESSION_MAJOR) {
		*cause = xasprintf(
		    "%s was made by a newer memtop (format "
		    "%u.%u); this is memtop %s, which reads format %d.%d",
		    name, h->major, h->minor, PACKAGE_VERSION, SESSION_MAJOR,
		    SESSION_MINOR);
		return -EPROTONOSUPPORT;
	}
	if (r.err || h->major == 0 || hlen > rd_left(&r) ||
	    rd_left(&r) - hlen < 4) {
		*cause = xasprintf("%s: the header is cut short or damaged "
		                   "(offset 8)",
		    name);
		return -EBADMSG;
	}
	payload = r.p;
	r.p += hlen;
	crc = rd_u32(&r);
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
	crc = crc32_update(0, payload, hlen);
#endif
	if (crc != crc32_update(0, payload, hlen)) {
		*cause = xasprintf("%s: the header is damaged (checksum "
		                   "mismatch at offset %u)",
		    name, SESSION_HEAD + hlen);
		return -EBADMSG;
	}
	*used = (size_t)(r.p - p);
	r.p = payload;
	r.end = payload + hlen;
	h->page_size = (uint32_t)rd_varint(&r);
	h->pid = (int)rd_varint(&r);
	h->start_time = rd_varint(&r);
	h->interval = rd_f64(&r);
	h->created = rd_f64(&r);
	rd_str(&r, h->kernel, sizeof h->kernel);
	rd_str(&r, h->host, sizeof h->host);
	rd_str(&r, h->version, sizeof h->version);
	rd_str(&r, h->cmdline, sizeof h->cmdline);
	if (!r.err &&
	    (!codec_time_ok(h->interval) || !codec_time_ok(h->created)))
		why = "an impossible interval or start time";
	if (r.err || why != NULL ||
	    codec_facts_decode(&r, header_facts, h, false, &why)) {
		*cause = xasprintf("%s: the header is damaged (offset %d%s%s)",
		    name, SESSION_HEAD, why ? ": " : "", why ? why : "");
		return -EBADMSG;
	}
	return 0;
}

/* ---- frames ---- */

static uint32_t
le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

void
codec_frame(
    struct buf *b, enum frame_type type, const void *payload, size_t len)
{
	size_t at = b->len;
	uint32_t crc;

	buf_u32(b, SESSION_SYNC);
	buf_u8(b, (uint8_t)type);
	buf_u32(b, (uint32_t)len);
	crc = crc32_update(0, b->p + at + 4, 5);
	crc = crc32_update(crc, payload, len);
	buf_u32(b, crc);
	buf_raw(b, payload, len);
}

int
codec_frame_check(const uint8_t *p, size_t avail, uint8_t *type, uint32_t *len)
{
	uint32_t crc;

	if (avail < FRAME_HEAD)
		return 1; /* cut short */
	if (le32(p) != SESSION_SYNC)
		return -1;
	*type = p[4];
	*len = le32(p + 5);
	if (*type == 0 || *len > FRAME_MAX)
		return -1;
	if (*len > avail - FRAME_HEAD)
		return 1; /* cut short (or a bad length) */
	crc = crc32_update(0, p + 4, 5);
	crc = crc32_update(crc, p + FRAME_HEAD, *len);
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
	crc = le32(p + 9); /* let the fuzzer reach the decoders */
#endif
	return crc == le32(p + 9) ? 0 : -1;
}

/* ---- snapshots ---- */

/* The smallest a region can be encoded: gap, size, offset, inode, major,
 * minor (a byte each), perms (4), flags, path index, present mask. */
#define REGION_MIN_BYTES 13

#define STR_(x) #x
#define STR(x)  STR_(x)
#define TOO_MANY_REGIONS                                              \
	"more regions in one sample than a recording may hold (" STR( \
	    SESSION_MAX_REGIONS) ")"
#define TOO_MANY_THREADS                                              \
	"more threads in one sample than a recording may hold (" STR( \
	    SESSION_MAX_THREADS) ")"
#define IMPOSSIBLE_TIME                                                     \
	"an impossible time or sample cost (not finite, negative, or past " \
	"the year 5000)"

static void
encode_head(struct buf *b, const struct snapshot *s)
{
	buf_varint(b, s->seq);
	buf_f64(b, s->mono);
	buf_f64(b, s->wall);
	buf_f64(b, s->sample_ms);
	buf_f64(b, s->sample_cpu_ms);
	buf_u8(b, (uint8_t)s->state);
	buf_varint(b, s->torn);
}

static void
encode_info(struct buf *b, const struct snapshot_info *in, bool names)
{
	int f;

	buf_u8(b, names ? 1 : 0);
	buf_varint(b, (uint64_t)in->pid);
	buf_varint(b, in->start_time);
	if (names) {
		buf_bytes(b, in->comm, strnlen(in->comm, sizeof in->comm));
		buf_bytes(b, in->cmdline, in->cmdline_len);
		buf_u8(b, in->cmdline_truncated);
	}
	buf_u8(b, (uint8_t)in->state_char);
	buf_zigzag(b, in->oom_score_adj);
	buf_f64(b, in->age_s);
	buf_varint(b, in->has_status);
	for (f = 0; f < ST_COUNT; f++) {
		if (in->has_status & (1ULL << f))
			buf_varint(b, in->status[f]);
	}
	buf_varint(b, in->mem_available_kb);
	buf_varint(b, in->mem_total_kb);
	buf_u8(b, in->has_cgroup);
	if (in->has_cgroup) {
		buf_varint(b, in->cg_current);
		buf_varint(b, in->cg_max);
		buf_varint(b, in->cg_oom_kills);
		buf_bytes(b, in->cgroup_path,
		    strnlen(in->cgroup_path, sizeof in->cgroup_path));
	}
}

static void
encode_threads(struct buf *b, const struct snapshot *s)
{
	size_t i, n = s->nthreads;

	/* Past the cap, the stack pointers of the threads after it are left
	 * out: they only tell thread stacks apart. */
	if (n > SESSION_MAX_THREADS)
		n = SESSION_MAX_THREADS;
	buf_varint(b, n);
	for (i = 0; i < n; i++)
		buf_varint(b, s->thread_sp[i]);
}

static void
encode_region(struct buf *b, struct strtab *t, const struct snapshot *s,
    const struct region *r, uint64_t prev_end)
{
	const char *path = region_path(s, r);
	uint64_t left;
	uint32_t id;
	bool is_new;
	uint8_t *p;

	/* Room for the numbers before the path, each a varint's most, then
	 * for those after it: written in place, not a call a number. */
	buf_need(b, 10 * 8 + 5);
	p = b->p + b->len;
	p += varint_put(p, r->start - prev_end);
	p += varint_put(p, r->end - r->start);
	p += varint_put(p, r->offset);
	p += varint_put(p, r->inode);
	p += varint_put(p, r->dev_major);
	p += varint_put(p, r->dev_minor);
	memcpy(p, r->perms, 4);
	p += 4;
	*p++ = (uint8_t)((r->deleted ? 1 : 0) | (r->has_vmflags ? 2 : 0));
	id = strtab_find(t, path, r->path_len, &is_new);
	p += varint_put(p, id);
	b->len = (size_t)(p - b->p);
	if (is_new)
		buf_bytes(b, path, r->path_len);
	buf_need(b, 10 * (2 + SF_COUNT));
	p = b->p + b->len;
	p += varint_put(p, r->present);
	if (r->has_vmflags)
		p += varint_put(p, r->vmflags);
	/* The present fields in order, lowest bit first. */
	for (left = r->present & ((1ULL << SF_COUNT) - 1); left != 0;
	     left &= left - 1)
		p += varint_put(p, r->kb[__builtin_ctzll(left)]);
	b->len = (size_t)(p - b->p);
}

void
codec_encode_key(struct buf *b, struct strtab *t, const struct snapshot *s)
{
	uint64_t prev_end = 0;
	size_t i;

	strtab_reset(t);
	encode_head(b, s);
	encode_info(b, &s->info, true);
	encode_threads(b, s);
	buf_varint(b, s->nregions);
	for (i = 0; i < s->nregions; i++) {
		encode_region(b, t, s, &s->regions[i], prev_end);
		prev_end = s->regions[i].end;
	}
	codec_facts_encode(b, sample_facts, s, NULL);
}

enum { OP_KEEP, OP_DROP, OP_CHANGE, OP_NEW };

static bool
same_mapping(const struct snapshot *a, const struct region *ra,
    const struct snapshot *b, const struct region *rb)
{
	return ra->start == rb->start && ra->end == rb->end &&
	    ra->offset == rb->offset && ra->inode == rb->inode &&
	    ra->dev_major == rb->dev_major && ra->dev_minor == rb->dev_minor &&
	    memcmp(ra->perms, rb->perms, 4) == 0 &&
	    ra->deleted == rb->deleted && ra->path_len == rb->path_len &&
	    memcmp(region_path(a, ra), region_path(b, rb), ra->path_len) == 0;
}

static bool
same_counters(const struct region *a, const struct region *b)
{
	return a->present == b->present && a->vmflags == b->vmflags &&
	    a->has_vmflags == b->has_vmflags &&
	    memcmp(a->kb, b->kb, sizeof a->kb) == 0;
}

/* One op (with a count for KEEP and DROP runs) into the op stream. */
struct ops {
	struct buf *b;
	size_t count_at, nops;
	int run_op;
	uint64_t run;
};

static void
ops_flush(struct ops *o)
{
	if (o->run == 0)
		return;
	buf_u8(o->b, (uint8_t)o->run_op);
	buf_varint(o->b, o->run);
	o->nops++;
	o->run = 0;
}

static void
ops_run(struct ops *o, int op)
{
	if (o->run > 0 && o->run_op != op)
		ops_flush(o);
	o->run_op = op;
	o->run++;
}

void
codec_encode_delta(struct buf *b, struct strtab *t, const struct snapshot *prev,
    const struct snapshot *s)
{
	struct ops o = { b, 0, 0, 0, 0 };
	struct buf ops = { NULL, 0, 0 };
	size_t i = 0, j = 0;
	uint64_t prev_end = 0;
	bool names;

	names = strcmp(prev->info.comm, s->info.comm) != 0 ||
	    prev->info.cmdline_len != s->info.cmdline_len ||
	    prev->info.cmdline_truncated != s->info.cmdline_truncated ||
	    memcmp(prev->info.cmdline, s->info.cmdline, s->info.cmdline_len);
	encode_head(b, s);
	encode_info(b, &s->info, names);
	encode_threads(b, s);

	o.b = &ops;
	while (i < prev->nregions || j < s->nregions) {
		const struct region *p =
		    i < prev->nregions ? &prev->regions[i] : NULL;
		const struct region *c =
		    j < s->nregions ? &s->regions[j] : NULL;

		if (p != NULL && c != NULL && same_mapping(prev, p, s, c)) {
			if (same_counters(p, c)) {
				ops_run(&o, OP_KEEP);
			} else {
				uint64_t mask = 0;
				uint8_t extra = 0;
				int f;

				ops_flush(&o);
				for (f = 0; f < SF_COUNT; f++) {
					if (p->kb[f] != c->kb[f])
						mask |= 1ULL << f;
				}
				if (p->present != c->present)
					extra |= 1;
				if (p->vmflags != c->vmflags ||
				    p->has_vmflags != c->has_vmflags)
					extra |= 2;
				buf_u8(&ops, OP_CHANGE);
				buf_varint(&ops, mask);
				for (f = 0; f < SF_COUNT; f++) {
					if (mask & (1ULL << f))
						buf_zigzag(&ops,
						    (int64_t)c->kb[f] -
						        (int64_t)p->kb[f]);
				}
				buf_u8(&ops, extra);
				if (extra & 1)
					buf_varint(&ops, c->present);
				if (extra & 2) {
					buf_u8(&ops, c->has_vmflags);
					buf_varint(&ops, c->vmflags);
				}
				o.nops++;
			}
			prev_end = c->end;
			i++;
			j++;
		} else if (p != NULL && (c == NULL || p->start <= c->start)) {
			ops_run(&o, OP_DROP);
			i++;
		} else {
			ops_flush(&o);
			buf_u8(&ops, OP_NEW);
			encode_region(&ops, t, s, c, prev_end);
			prev_end = c->end;
			o.nops++;
			j++;
		}
	}
	ops_flush(&o);
	buf_varint(b, o.nops);
	buf_raw(b, ops.p, ops.len);
	buf_free(&ops);
	codec_facts_encode(b, sample_facts, s, prev);
}

static int
decode_head(struct rd *r, struct snapshot *out)
{
	uint8_t state;

	out->seq = rd_varint(r);
	out->mono = rd_f64(r);
	out->wall = rd_f64(r);
	out->sample_ms = rd_f64(r);
	out->sample_cpu_ms = rd_f64(r);
	state = rd_u8(r);
	out->torn = (uint32_t)rd_varint(r);
	if (state > TARGET_DENIED)
		return -1;
	if (!codec_time_ok(out->mono) || !codec_time_ok(out->wall) ||
	    !codec_time_ok(out->sample_ms) ||
	    !codec_time_ok(out->sample_cpu_ms))
		return -2;
	out->state = (enum target_state)state;
	return r->err ? -1 : 0;
}

/* prev: the info to keep the names from when the frame has none. */
static int
decode_info(
    struct rd *r, struct snapshot_info *in, const struct snapshot_info *prev)
{
	const uint8_t *p;
	uint8_t names;
	size_t len;
	int f;

	names = rd_u8(r);
	if (names > 1 || (!names && prev == NULL))
		return -1;
	if (!names)
		*in = *prev;
	in->pid = (int)rd_varint(r);
	in->start_time = rd_varint(r);
	if (names) {
		rd_str(r, in->comm, sizeof in->comm);
		p = rd_bytes(r, &len);
		if (len >= sizeof in->cmdline)
			len = sizeof in->cmdline - 1;
		if (p != NULL && len > 0)
			memcpy(in->cmdline, p, len);
		in->cmdline[len] = '\0';
		in->cmdline_len = (uint32_t)len;
		in->cmdline_truncated = rd_u8(r) != 0;
	}
	in->state_char = (char)rd_u8(r);
	in->oom_score_adj = (int32_t)rd_zigzag(r);
	in->age_s = rd_f64(r);
	if (!codec_time_ok(in->age_s))
		return -2;
	in->has_status = rd_varint(r) & ((1ULL << ST_COUNT) - 1);
	for (f = 0; f < ST_COUNT; f++) {
		if (in->has_status & (1ULL << f))
			in->status[f] = rd_varint(r);
	}
	in->mem_available_kb = rd_varint(r);
	in->mem_total_kb = rd_varint(r);
	in->has_cgroup = rd_u8(r) != 0;
	if (in->has_cgroup) {
		in->cg_current = rd_varint(r);
		in->cg_max = rd_varint(r);
		in->cg_oom_kills = rd_varint(r);
		rd_str(r, in->cgroup_path, sizeof in->cgroup_path);
	}
	return r->err ? -1 : 0;
}

static int
decode_threads(struct rd *r, struct snapshot *out)
{
	uint64_t n = rd_varint(r), i;

	if (n > rd_left(r)) /* a varint is at least one byte */
		return -1;
	if (n > SESSION_MAX_THREADS)
		return -3;
	for (i = 0; i < n; i++) {
		if (snapshot_add_thread_sp(out, rd_varint(r)) != 0)
			return -1;
	}
	return r->err ? -1 : 0;
}

/*
 * Append r to out with the path of len bytes at off in out->strings (put
 * there for an earlier region), instead of a copy for each region: a
 * recording can name one long path from any number of regions at a few
 * bytes each, and must not cost that many copies.
 */
static struct region *
add_region_at(
    struct snapshot *out, const struct region *r, uint32_t off, uint32_t len)
{
	struct region *nr = snapshot_add_region(out, r, NULL, 0);

	if (nr == NULL)
		return NULL;
	out->strings_len--; /* the NUL of the empty path it added */
	nr->path_off = off;
	nr->path_len = len;
	return nr;
}

/* The part key and delta frames share: head, info (with the names of prev
 * when the frame has none), threads.  0, or -1 with *why. */
static int
decode_sample_head(struct rd *r, struct snapshot *out,
    const struct snapshot_info *prev, const char **why)
{
	int rc = decode_head(r, out);

	if (rc == 0)
		rc = decode_info(r, &out->info, prev);
	if (rc == 0)
		rc = decode_threads(r, out);
	if (rc != 0)
		*why = rc == -2 ? IMPOSSIBLE_TIME :
		    rc == -3    ? TOO_MANY_THREADS :
		                  "a damaged sample header";
	return rc != 0 ? -1 : 0;
}

/* The counters whose bits are set in bits, as varints, into kb: a one-byte
 * value (a steady region's most) read inline, the reader's state written
 * back once. */
static void
rd_counters(struct rd *r, uint32_t bits, uint32_t *kb)
{
	const uint8_t *p = r->p;

	if (r->err != 0)
		return;
	for (; bits != 0; bits &= bits - 1) {
		uint64_t v;

		if (p < r->end && *p < 0x80)
			v = *p++;
		else {
			struct rd q = { p, r->end, 0 };

			v = rd_varint_long(&q);
			p = q.p;
			if (q.err) {
				r->err = 1;
				return;
			}
		}
		kb[__builtin_ctz(bits)] = region_kb_sat(v);
	}
	r->p = p;
}

/* One full region; *prev_end is the end of the one before it. */
static int
decode_region(struct rd *r, struct strtab *t, struct snapshot *out,
    uint64_t *prev_end, const char **why)
{
	struct region reg, *nr;
	uint64_t gap, size, id;
	const uint8_t *p;
	uint8_t flags;
	size_t len;
	int f;

	memset(&reg, 0, sizeof reg);
	gap = rd_varint(r);
	size = rd_varint(r);
	reg.offset = rd_varint(r);
	reg.inode = rd_varint(r);
	reg.dev_major = (uint32_t)rd_varint(r);
	reg.dev_minor = (uint32_t)rd_varint(r);
	for (f = 0; f < 4; f++)
		reg.perms[f] = (char)rd_u8(r);
	flags = rd_u8(r);
	id = rd_varint(r);
	if (r->err) {
		*why = "a region is cut short";
		return -1;
	}
	if (gap > UINT64_MAX - *prev_end || size == 0 ||
	    size > UINT64_MAX - *prev_end - gap) {
		*why = "a region's range is impossible";
		return -1;
	}
	reg.start = *prev_end + gap;
	reg.end = reg.start + size;
	reg.deleted = flags & 1;
	reg.has_vmflags = (flags & 2) ? 1 : 0;
	if (id > t->n) {
		*why = "a path index is out of range";
		return -1;
	}
	if (id == t->n) {
		p = rd_bytes(r, &len);
		if (r->err || len > UINT32_MAX / 4) {
			*why = "a path is cut short";
			return -1;
		}
		strtab_add(t, (const char *)p, len);
	}
	reg.present = rd_varint(r) & ((1ULL << SF_COUNT) - 1);
	if (reg.has_vmflags)
		reg.vmflags = rd_varint(r);
	rd_counters(r, reg.present, reg.kb);
	if (r->err) {
		*why = "a region's counters are cut short";
		return -1;
	}
	if (out->nregions >= SESSION_MAX_REGIONS) {
		*why = TOO_MANY_REGIONS;
		return -1;
	}
	/* Each path once per sample: its bytes go in with the first region
	 * that has it (in this key frame's chain), later ones point there. */
	if (t->placed[id] != 0 &&
	    t->placed[id] - 1 + (uint64_t)t->len[id] < out->strings_len)
		nr = add_region_at(out, &reg, t->placed[id] - 1, t->len[id]);
	else if ((nr = snapshot_add_region(
	              out, &reg, t->arena + t->off[id], t->len[id])) != NULL)
		t->placed[id] = nr->path_off + 1;
	if (nr == NULL) {
		*why = "out of memory";
		return -1;
	}
	*prev_end = reg.end;
	return 0;
}

int
codec_decode_key(const uint8_t *p, size_t len, struct strtab *t,
    struct snapshot *out, const char **why)
{
	struct rd r = { p, p + len, 0 };
	uint64_t n, i, prev_end = 0;

	snapshot_clear(out);
	strtab_reset(t);
	if (decode_sample_head(&r, out, NULL, why) != 0)
		return -EBADMSG;
	n = rd_varint(&r);
	if (r.err || n > rd_left(&r) / REGION_MIN_BYTES) {
		*why = "an impossible region count";
		return -EBADMSG;
	}
	if (n > SESSION_MAX_REGIONS) {
		*why = TOO_MANY_REGIONS;
		return -EBADMSG;
	}
	for (i = 0; i < n; i++) {
		if (decode_region(&r, t, out, &prev_end, why) != 0)
			return -EBADMSG;
	}
	return codec_facts_decode(&r, sample_facts, out, false, why) == 0 ?
	    0 :
	    -EBADMSG;
}

int
codec_decode_delta(const uint8_t *p, size_t len, struct strtab *t,
    const struct snapshot *prev, struct snapshot *out, const char **why)
{
	struct rd r = { p, p + len, 0 };
	uint64_t nops, k, prev_end = 0;
	size_t i = 0;

	/* out starts as prev: the facts no record changes stand, and the
	 * paths of the regions it keeps are where they were. */
	if (snapshot_copy(out, prev) != 0) {
		*why = "out of memory";
		return -EBADMSG;
	}
	out->nregions = 0;
	out->nthreads = 0;
	out->torn = 0;
	if (decode_sample_head(&r, out, &prev->info, why) != 0)
		return -EBADMSG;
	nops = rd_varint(&r);
	if (r.err || nops > rd_left(&r)) {
		*why = "an impossible change count";
		return -EBADMSG;
	}
	for (k = 0; k < nops; k++) {
		uint8_t op = rd_u8(&r);
		uint64_t n, mask;
		struct region reg;
		int f;

		switch (op) {
		case OP_KEEP:
		case OP_DROP:
			n = rd_varint(&r);
			if (r.err || n == 0 || n > prev->nregions - i) {
				*why = "a run longer than the regions left";
				return -EBADMSG;
			}
			for (; op == OP_KEEP && n > 0; n--, i++) {
				const struct region *pr = &prev->regions[i];

				if (pr->start < prev_end ||
				    add_region_at(out, pr, pr->path_off,
				        pr->path_len) == NULL) {
					*why = "regions out of order";
					return -EBADMSG;
				}
				prev_end = pr->end;
			}
			i += n;
			break;
		case OP_CHANGE:
			if (i >= prev->nregions) {
				*why = "a change past the last region";
				return -EBADMSG;
			}
			reg = prev->regions[i];
			mask = rd_varint(&r);
			for (f = 0; f < SF_COUNT; f++) {
				if (mask & (1ULL << f))
					reg.kb[f] = region_kb_sat(reg.kb[f] +
					    (uint64_t)rd_zigzag(&r));
			}
			{
				uint8_t extra = rd_u8(&r);

				if (extra & 1)
					reg.present = rd_varint(&r) &
					    ((1ULL << SF_COUNT) - 1);
				if (extra & 2) {
					reg.has_vmflags = rd_u8(&r) != 0;
					reg.vmflags = rd_varint(&r);
				}
			}
			if (r.err || reg.start < prev_end ||
			    add_region_at(out, &reg, reg.path_off,
			        reg.path_len) == NULL) {
				*why = "a damaged change";
				return -EBADMSG;
			}
			prev_end = reg.end;
			i++;
			break;
		case OP_NEW:
			if (decode_region(&r, t, out, &prev_end, why) != 0)
				return -EBADMSG;
			break;
		default:
			*why = "an unknown change";
			return -EBADMSG;
		}
	}
	if (i != prev->nregions) {
		*why = "changes that do not cover the regions";
		return -EBADMSG;
	}
	return codec_facts_decode(&r, sample_facts, out, true, why) == 0 ?
	    0 :
	    -EBADMSG;
}

int
codec_decode_delta_kept(const uint8_t *p, size_t len, struct snapshot *cur,
    struct snapshot *scratch, const char **why)
{
	struct rd r = { p, p + len, 0 };
	struct runtime_facts runtime;
	uint64_t nops, k, kept = 0, i;
	bool same;

	scratch->info = cur->info;
	scratch->nthreads = 0;
	scratch->torn = 0;
	if (decode_sample_head(&r, scratch, &cur->info, why) != 0)
		return -EBADMSG;
	nops = rd_varint(&r);
	if (r.err || nops > rd_left(&r))
		return 0; /* codec_decode_delta() says why */
	for (k = 0; k < nops; k++) {
		uint64_t n;

		if (rd_u8(&r) != OP_KEEP)
			return 0;
		n = rd_varint(&r);
		if (r.err || n == 0 || n > cur->nregions - kept)
			return 0;
		kept += n;
	}
	if (kept != cur->nregions)
		return 0;
	/* Whether what classifies the regions stayed: the threads' stack
	 * pointers, the command line (a JVM's options), the runtime. */
	same = scratch->nthreads == cur->nthreads &&
	    (cur->nthreads == 0 ||
	        memcmp(scratch->thread_sp, cur->thread_sp,
	            cur->nthreads * sizeof *cur->thread_sp) == 0) &&
	    scratch->info.cmdline_len == cur->info.cmdline_len &&
	    memcmp(scratch->info.cmdline, cur->info.cmdline,
	        sizeof cur->info.cmdline) == 0;
	runtime = cur->info.runtime;
	/* The head as codec_decode_delta() gives it; the facts on cur, as
	 * it decodes them on its copy of the sample before. */
	cur->seq = scratch->seq;
	cur->mono = scratch->mono;
	cur->wall = scratch->wall;
	cur->sample_ms = scratch->sample_ms;
	cur->sample_cpu_ms = scratch->sample_cpu_ms;
	cur->state = scratch->state;
	cur->torn = scratch->torn;
	cur->info = scratch->info;
	cur->nthreads = 0;
	for (i = 0; i < scratch->nthreads; i++)
		if (snapshot_add_thread_sp(cur, scratch->thread_sp[i]) != 0) {
			*why = "out of memory";
			return -EBADMSG;
		}
	if (codec_facts_decode(&r, sample_facts, cur, true, why) != 0)
		return -EBADMSG;
	return same &&
	        memcmp(&runtime, &cur->info.runtime, sizeof runtime) == 0 ?
	    1 :
	    2;
}

int
codec_peek_time(const uint8_t *p, size_t len, uint64_t *seq, double *wall)
{
	struct rd r = { p, p + len, 0 };

	*seq = rd_varint(&r);
	(void)rd_f64(&r);
	*wall = rd_f64(&r);
	if (r.err)
		return -1;
	return codec_time_ok(*wall) ? 0 : -2;
}

/* ---- checkpoints ---- */

/* The raw bytes of s's checkpoint, handed to fn a piece of about 64 kB at
 * a time (so that no buffer holds them all: 2.5 MB at 60,000 mappings). */
static void
checkpoint_pieces(struct strtab *t, const struct snapshot *s,
    void (*fn)(void *, const uint8_t *, size_t), void *ctx)
{
	struct buf piece = { NULL, 0, 0 };
	uint64_t prev_end = 0;
	size_t i;

	buf_varint(&piece, t->n);
	for (i = 0; i < t->n; i++) {
		buf_bytes(&piece, t->arena + t->off[i], t->len[i]);
		if (piece.len >= 65536) {
			fn(ctx, piece.p, piece.len);
			buf_reset(&piece);
		}
	}
	encode_head(&piece, s);
	encode_info(&piece, &s->info, true);
	encode_threads(&piece, s);
	buf_varint(&piece, s->nregions);
	for (i = 0; i < s->nregions; i++) {
		encode_region(&piece, t, s, &s->regions[i], prev_end);
		prev_end = s->regions[i].end;
		if (piece.len >= 65536) {
			fn(ctx, piece.p, piece.len);
			buf_reset(&piece);
		}
	}
	codec_facts_encode(&piece, sample_facts, s, NULL);
	fn(ctx, piece.p, piece.len);
	buf_free(&piece);
}

static void
checkpoint_count(void *ctx, const uint8_t *p, size_t len)
{
	(void)p;
	*(size_t *)ctx += len;
}

static void
checkpoint_append(void *ctx, const uint8_t *p, size_t len)
{
	buf_raw(ctx, p, len);
}

void
codec_encode_checkpoint(
    struct buf *raw, struct strtab *t, const struct snapshot *s)
{
	checkpoint_pieces(t, s, checkpoint_append, raw);
}

struct checkpoint_z {
	ZSTD_CCtx *z;
	struct buf *b;
	int err;
};

static void
checkpoint_compress(void *ctx, const uint8_t *p, size_t len)
{
	struct checkpoint_z *c = ctx;
	ZSTD_inBuffer in = { p, len, 0 };

	while (c->err == 0 && in.pos < in.size) {
		ZSTD_outBuffer out;
		size_t rc;

		buf_need(c->b, ZSTD_CStreamOutSize());
		out.dst = c->b->p + c->b->len;
		out.size = c->b->cap - c->b->len;
		out.pos = 0;
		rc = ZSTD_compressStream2(c->z, &out, &in, ZSTD_e_continue);
		c->b->len += out.pos;
		if (ZSTD_isError(rc))
			c->err = -EIO;
	}
}

int
codec_pack_checkpoint(
    struct buf *b, struct strtab *t, const struct snapshot *s, void *z)
{
	struct checkpoint_z c = { z, b, 0 };
	size_t raw_len = 0, rc;

	/* The size first: the zstd frame says it, and readers check. */
	checkpoint_pieces(t, s, checkpoint_count, &raw_len);
	buf_varint(b, s->seq);
	buf_f64(b, s->wall);
	buf_varint(b, raw_len);
	if (ZSTD_isError(ZSTD_CCtx_reset(z, ZSTD_reset_session_only)) ||
	    ZSTD_isError(
	        ZSTD_CCtx_setParameter(z, ZSTD_c_compressionLevel, 1)) ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(z, ZSTD_c_windowLog, 17)) ||
	    ZSTD_isError(ZSTD_CCtx_setPledgedSrcSize(z, raw_len)))
		return -EIO;
	checkpoint_pieces(t, s, checkpoint_compress, &c);
	do {
		ZSTD_inBuffer in = { NULL, 0, 0 };
		ZSTD_outBuffer out;

		buf_need(b, ZSTD_CStreamOutSize());
		out.dst = b->p + b->len;
		out.size = b->cap - b->len;
		out.pos = 0;
		rc = ZSTD_compressStream2(z, &out, &in, ZSTD_e_end);
		b->len += out.pos;
		if (ZSTD_isError(rc))
			return -EIO;
	} while (rc != 0 && c.err == 0);
	return c.err;
}

int
codec_peek_checkpoint(const uint8_t *p, size_t len, uint64_t *seq, double *wall)
{
	struct rd r = { p, p + len, 0 };

	*seq = rd_varint(&r);
	*wall = rd_f64(&r);
	if (r.err)
		return -1;
	return codec_time_ok(*wall) ? 0 : -2;
}

int
codec_decode_checkpoint(const uint8_t *p, size_t len, struct buf *raw,
    struct strtab *t, struct snapshot *out, const char **why)
{
	struct rd r = { p, p + len, 0 }, q;
	uint64_t seq, n, i, prev_end = 0, raw_len;
	unsigned long long have;
	const uint8_t *path;
	size_t plen, got;
	double wall;

	seq = rd_varint(&r);
	wall = rd_f64(&r);
	raw_len = rd_varint(&r);
	(void)seq;
	(void)wall;
	if (r.err || raw_len > FRAME_MAX ||
	    raw_len > 1024 * (uint64_t)rd_left(&r) + 65536) {
		*why = "an impossible checkpoint size";
		return -EBADMSG;
	}
	have = ZSTD_getFrameContentSize(r.p, rd_left(&r));
	if (have != raw_len) {
		*why = "a checkpoint whose size does not match";
		return -EBADMSG;
	}
	buf_reset(raw);
	buf_need(raw, (size_t)raw_len + 1);
	got = ZSTD_decompress(raw->p, (size_t)raw_len, r.p, rd_left(&r));
	if (ZSTD_isError(got) || got != raw_len) {
		*why = "a checkpoint that does not decompress";
		return -EBADMSG;
	}
	raw->len = got;
	q.p = raw->p;
	q.end = raw->p + raw->len;
	q.err = 0;
	snapshot_clear(out);
	strtab_reset(t);
	n = rd_varint(&q);
	if (q.err || n > rd_left(&q)) {
		*why = "an impossible path count";
		return -EBADMSG;
	}
	for (i = 0; i < n; i++) {
		if ((path = rd_bytes(&q, &plen)) == NULL) {
			*why = "a path is cut short";
			return -EBADMSG;
		}
		strtab_add(t, (const char *)path, plen);
	}
	if (decode_sample_head(&q, out, NULL, why) != 0)
		return -EBADMSG;
	n = rd_varint(&q);
	if (q.err || n > rd_left(&q) / REGION_MIN_BYTES) {
		*why = "an impossible region count";
		return -EBADMSG;
	}
	if (n > SESSION_MAX_REGIONS) {
		*why = TOO_MANY_REGIONS;
		return -EBADMSG;
	}
	for (i = 0; i < n; i++)
		if (decode_region(&q, t, out, &prev_end, why) != 0)
			return -EBADMSG;
	return codec_facts_decode(&q, sample_facts, out, false, why) == 0 ?
	    0 :
	    -EBADMSG;
}

/* ---- END, INDEX and mark frames ---- */

void
codec_encode_end(struct buf *b, const struct session_end *e)
{
	buf_u8(b, (uint8_t)e->final);
	buf_f64(b, e->time);
	codec_facts_encode(b, end_facts, e, NULL);
}

int
codec_decode_end(
    const uint8_t *p, size_t len, struct session_end *e, const char **why)
{
	struct rd r = { p, p + len, 0 };
	uint8_t final;

	memset(e, 0, sizeof *e);
	final = rd_u8(&r);
	e->final = !r.err && final <= TARGET_DENIED ? (enum target_state)
	                                                  final :
	                                              TARGET_EXITED;
	e->time = rd_f64(&r);
	if (r.err) {
		e->time = 0; /* a cut END still says the recording ended */
		return 0;
	}
	if (!codec_time_ok(e->time)) {
		e->time = 0;
		*why = IMPOSSIBLE_TIME;
		return -EBADMSG;
	}
	return codec_facts_decode(&r, end_facts, e, false, why) == 0 ? 0 :
	                                                               -EBADMSG;
}

void
codec_encode_index(struct buf *b, const struct codec_key *keys, size_t nkeys)
{
	size_t i;

	buf_varint(b, nkeys);
	for (i = 0; i < nkeys; i++) {
		buf_varint(b, keys[i].off);
		buf_varint(b, keys[i].seq);
		buf_f64(b, keys[i].wall);
	}
	codec_facts_encode(b, no_facts, NULL, NULL);
}

int
codec_decode_index(const uint8_t *p, size_t len, struct codec_key *keys,
    size_t max, size_t *n, const char **why)
{
	struct rd r = { p, p + len, 0 };
	struct codec_key k;
	uint64_t count, i;

	*n = 0;
	count = rd_varint(&r);
	if (r.err || count > rd_left(&r) / 10) { /* an entry: 10 bytes+ */
		*why = "an impossible key frame count";
		return -EBADMSG;
	}
	for (i = 0; i < count; i++) {
		k.off = rd_varint(&r);
		k.seq = rd_varint(&r);
		k.wall = rd_f64(&r);
		if (i < max && !r.err)
			keys[i] = k;
	}
	*n = (size_t)count;
	if (r.err) {
		*why = "an index cut short";
		return -EBADMSG;
	}
	return codec_facts_decode(&r, no_facts, NULL, false, why) == 0 ?
	    0 :
	    -EBADMSG;
}

void
codec_encode_mark(struct buf *b, enum session_mark kind)
{
	buf_u8(b, (uint8_t)kind);
	codec_facts_encode(b, no_facts, NULL, NULL);
}

int
codec_decode_mark(
    const uint8_t *p, size_t len, unsigned *kind, const char **why)
{
	struct rd r = { p, p + len, 0 };

	*kind = rd_u8(&r);
	if (r.err) {
		*why = "an empty mark";
		return -EBADMSG;
	}
	return codec_facts_decode(&r, no_facts, NULL, false, why) == 0 ?
	    0 :
	    -EBADMSG;
}
