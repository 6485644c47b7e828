/*
 * session-codec.c - encoding snapshots for session files, and decoding them
 * without trusting a byte: every count is checked against the bytes left,
 * every index against the table, every range against its neighbours.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "session-codec.h"
#include "util.h"

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
	while (v >= 0x80) {
		b->p[b->len++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	b->p[b->len++] = (uint8_t)v;
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
rd_varint(struct rd *r)
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

/* ---- CRC-32 (IEEE 802.3, as zlib computes it) ---- */

uint32_t
crc32_update(uint32_t crc, const void *data, size_t len)
{
	static uint32_t table[256];
	const uint8_t *p = data;
	size_t i;

	if (table[1] == 0) {
		uint32_t c, k, n;

		for (n = 0; n < 256; n++) {
			for (c = n, k = 0; k < 8; k++)
				c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
			table[n] = c;
		}
	}
	crc = ~crc;
	for (i = 0; i < len; i++)
		crc = table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
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
	}
	if (t->arena == NULL || t->arena_len + len > t->arena_cap) {
		t->arena_cap = (t->arena_cap + len) * 2 + 64;
		t->arena = xrealloc(t->arena, t->arena_cap);
	}
	if (len > 0)
		memcpy(t->arena + t->arena_len, p, len);
	t->off[t->n] = (uint32_t)t->arena_len;
	t->len[t->n] = (uint32_t)len;
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

/* ---- snapshots ---- */

/* The smallest a region can be encoded: gap, size, offset, inode, major,
 * minor (a byte each), perms (4), flags, path index, present mask. */
#define REGION_MIN_BYTES 13

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
	size_t i;

	buf_varint(b, s->nthreads);
	for (i = 0; i < s->nthreads; i++)
		buf_varint(b, s->thread_sp[i]);
}

static void
encode_region(struct buf *b, struct strtab *t, const struct snapshot *s,
    const struct region *r, uint64_t prev_end)
{
	const char *path = region_path(s, r);
	uint32_t id;
	bool is_new;
	int f;

	buf_varint(b, r->start - prev_end);
	buf_varint(b, r->end - r->start);
	buf_varint(b, r->offset);
	buf_varint(b, r->inode);
	buf_varint(b, r->dev_major);
	buf_varint(b, r->dev_minor);
	buf_raw(b, r->perms, 4);
	buf_u8(b, (uint8_t)((r->deleted ? 1 : 0) | (r->has_vmflags ? 2 : 0)));
	id = strtab_find(t, path, r->path_len, &is_new);
	buf_varint(b, id);
	if (is_new)
		buf_bytes(b, path, r->path_len);
	buf_varint(b, r->present);
	if (r->has_vmflags)
		buf_varint(b, r->vmflags);
	for (f = 0; f < SF_COUNT; f++) {
		if (r->present & (1ULL << f))
			buf_varint(b, r->kb[f]);
	}
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
						    (int64_t)(c->kb[f] -
						        p->kb[f]));
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
	out->state = (enum target_state)state;
	return r->err ? -1 : 0;
}

static void
copy_str(char *dst, size_t size, const uint8_t *p, size_t len)
{
	if (len >= size)
		len = size - 1;
	if (len > 0)
		memcpy(dst, p, len);
	dst[len] = '\0';
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
		p = rd_bytes(r, &len);
		copy_str(in->comm, sizeof in->comm, p, len);
		p = rd_bytes(r, &len);
		copy_str(in->cmdline, sizeof in->cmdline, p, len);
		in->cmdline_len =
		    (uint32_t)strnlen(in->cmdline, sizeof in->cmdline);
		if (len < sizeof in->cmdline)
			in->cmdline_len = (uint32_t)len;
		in->cmdline_truncated = rd_u8(r) != 0;
	}
	in->state_char = (char)rd_u8(r);
	in->oom_score_adj = (int32_t)rd_zigzag(r);
	in->age_s = rd_f64(r);
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
		p = rd_bytes(r, &len);
		copy_str(in->cgroup_path, sizeof in->cgroup_path, p, len);
	}
	return r->err ? -1 : 0;
}

static int
decode_threads(struct rd *r, struct snapshot *out)
{
	uint64_t n = rd_varint(r), i;

	if (n > rd_left(r)) /* a varint is at least one byte */
		return -1;
	for (i = 0; i < n; i++) {
		if (snapshot_add_thread_sp(out, rd_varint(r)) != 0)
			return -1;
	}
	return r->err ? -1 : 0;
}

/* One full region; *prev_end is the end of the one before it. */
static int
decode_region(struct rd *r, struct strtab *t, struct snapshot *out,
    uint64_t *prev_end, const char **why)
{
	struct region reg;
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
	for (f = 0; f < SF_COUNT; f++) {
		if (reg.present & (1ULL << f))
			reg.kb[f] = rd_varint(r);
	}
	if (r->err) {
		*why = "a region's counters are cut short";
		return -1;
	}
	if (snapshot_add_region(out, &reg, t->arena + t->off[id], t->len[id]) ==
	    NULL) {
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
	if (decode_head(&r, out) != 0 ||
	    decode_info(&r, &out->info, NULL) != 0 ||
	    decode_threads(&r, out) != 0) {
		*why = "a damaged sample header";
		return -EBADMSG;
	}
	n = rd_varint(&r);
	if (r.err || n > rd_left(&r) / REGION_MIN_BYTES) {
		*why = "an impossible region count";
		return -EBADMSG;
	}
	for (i = 0; i < n; i++) {
		if (decode_region(&r, t, out, &prev_end, why) != 0)
			return -EBADMSG;
	}
	if (rd_left(&r) != 0) {
		*why = "bytes left over after the last region";
		return -EBADMSG;
	}
	return 0;
}

int
codec_decode_delta(const uint8_t *p, size_t len, struct strtab *t,
    const struct snapshot *prev, struct snapshot *out, const char **why)
{
	struct rd r = { p, p + len, 0 };
	uint64_t nops, k, prev_end = 0;
	size_t i = 0;

	snapshot_clear(out);
	if (decode_head(&r, out) != 0 ||
	    decode_info(&r, &out->info, &prev->info) != 0 ||
	    decode_threads(&r, out) != 0) {
		*why = "a damaged sample header";
		return -EBADMSG;
	}
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
				    snapshot_add_region(out, pr,
				        region_path(prev, pr),
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
					reg.kb[f] += (uint64_t)rd_zigzag(&r);
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
			    snapshot_add_region(out, &reg,
			        region_path(prev, &prev->regions[i]),
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
	if (i != prev->nregions || rd_left(&r) != 0) {
		*why = "changes that do not cover the regions";
		return -EBADMSG;
	}
	return 0;
}

int
codec_peek_time(const uint8_t *p, size_t len, uint64_t *seq, double *wall)
{
	struct rd r = { p, p + len, 0 };

	*seq = rd_varint(&r);
	(void)rd_f64(&r);
	*wall = rd_f64(&r);
	return r.err ? -1 : 0;
}
