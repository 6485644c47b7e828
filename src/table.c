/*
 * table.c - sorting and filtering of the region list.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "table.h"
#include "util.h"

bool
table_row_matches(
    const struct model *m, const struct tracked_region *r, const struct rx *rx)
{
	char label[160];
	const char *path;
	size_t len;

	if (rx == NULL)
		return true;
	len = model_class_label(m, r, label, sizeof label);
	if (rx_match(rx, label, len))
		return true;
	path = model_path(m, r->path_id, &len);
	return len > 0 && rx_match(rx, path, len);
}

bool
table_keep(
    const struct model *m, const struct tracked_region *r, const void *ctx)
{
	return table_row_matches(m, r, ctx);
}

/* The sort key, passed to qsort_r: nothing global, so two tables of two
 * models sort at once. */
struct table_sort {
	const struct model *m;
	enum field_id col;
	int sign;
	const char *arena;
};

/* How a field's values compare (field.c's comparators, by type). */
enum key_kind { KEY_U64, KEY_I64, KEY_RATE, KEY_TEXT };

/* A row and its key, read once per build. */
struct table_key {
	const struct tracked_region *r;
	union {
		uint64_t u;
		int64_t i;
		double d;
		struct {
			uint32_t off, len;
		} t;
	} k;
	bool has;
};

static int
cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

static enum key_kind
key_kind(enum field_id col)
{
	switch (field_get(col)->type) {
	case FT_DELTA:
		return KEY_I64;
	case FT_RATE:
		return KEY_RATE;
	case FT_TEXT:
		return KEY_TEXT;
	default:
		return KEY_U64;
	}
}

/* The comparison field_compare() makes, on keys read before. */
static int
key_cmp(const struct table_key *a, const struct table_key *b,
    enum key_kind kind, const char *arena)
{
	int c;

	if (!a->has || !b->has)
		return a->has == b->has ? 0 : a->has ? -1 : 1;
	switch (kind) {
	case KEY_U64:
		return cmp_u64(a->k.u, b->k.u);
	case KEY_I64:
		return a->k.i < b->k.i ? -1 : a->k.i > b->k.i;
	case KEY_RATE:
		return a->k.d < b->k.d ? -1 : a->k.d > b->k.d;
	case KEY_TEXT:
		c = memcmp(arena + a->k.t.off, arena + b->k.t.off,
		    a->k.t.len < b->k.t.len ? a->k.t.len : b->k.t.len);
		return c != 0               ? c :
		    a->k.t.len < b->k.t.len ? -1 :
		                              a->k.t.len > b->k.t.len;
	}
	return 0;
}

struct table_key_sort {
	enum key_kind kind;
	int sign;
	const char *arena;
};

static int
table_key_order(const struct table_key *a, const struct table_key *b,
    const struct table_key_sort *k)
{
	int c = key_cmp(a, b, k->kind, k->arena);

	if (c != 0)
		return c * k->sign;
	/* Ties by address, then id: equal rows keep their order. */
	c = cmp_u64(a->r->start, b->r->start);
	return c != 0 ? c : cmp_u64(a->r->id, b->r->id);
}

static int
table_key_cmp(const void *pa, const void *pb, void *arg)
{
	return table_key_order(pa, pb, arg);
}

/* A number key as one unsigned order, the direction folded in: then rows
 * compare by (u, start, id) with no call, as table_key_order() would. */
static void
table_key_fold(struct table_key *k, size_t n, enum key_kind kind, int sign)
{
	size_t i;

	for (i = 0; i < n; i++) {
		uint64_t u;

		if (!k[i].has) {
			k[i].k.u = UINT64_MAX; /* rows without it come last */
			continue;
		}
		if (kind == KEY_U64)
			u = k[i].k.u;
		else if (kind == KEY_I64)
			u = (uint64_t)k[i].k.i ^ ((uint64_t)1 << 63);
		else /* a rate in tenths, whole: as an int64 */
			u = (uint64_t)(int64_t)k[i].k.d ^ ((uint64_t)1 << 63);
		if (sign < 0)
			u = ~u;
		k[i].k.u = u == UINT64_MAX ? UINT64_MAX - 1 : u;
	}
}

static inline bool
key_before(const struct table_key *a, const struct table_key *b)
{
	if (a->k.u != b->k.u)
		return a->k.u < b->k.u;
	if (a->r->start != b->r->start)
		return a->r->start < b->r->start;
	return a->r->id < b->r->id;
}

/* Bottom-up merge sort of folded keys (stable, n log n, no calls). */
static void
table_sort_folded(struct table_key *k, struct table_key *tmp, size_t n)
{
	struct table_key *from = k, *to = tmp, *swap;
	size_t w, lo;

	for (w = 1; w < n; w *= 2) {
		for (lo = 0; lo < n; lo += 2 * w) {
			size_t mid = lo + w < n ? lo + w : n;
			size_t hi = lo + 2 * w < n ? lo + 2 * w : n;
			size_t a = lo, b = mid, o = lo;

			while (a < mid && b < hi)
				to[o++] = key_before(&from[b], &from[a]) ?
				    from[b++] :
				    from[a++];
			while (a < mid)
				to[o++] = from[a++];
			while (b < hi)
				to[o++] = from[b++];
		}
		swap = from;
		from = to;
		to = swap;
	}
	if (from != k)
		memcpy(k, from, n * sizeof *k);
}

/* Row r's key for col into *k (text into the arena). */
static void
table_key_read(struct table *t, const struct model *m, enum field_id col,
    enum key_kind kind, const struct tracked_region *r, struct table_key *k)
{
	struct field_row row = { m, r, NULL, 0 };
	struct field_value v;

	k->r = r;
	k->has = field_read(col, &row, &v);
	if (!k->has)
		return;
	switch (kind) {
	case KEY_U64:
		k->k.u = v.u;
		break;
	case KEY_I64:
		k->k.i = v.i;
		break;
	case KEY_RATE:
		/* To the 0.1 kB/s shown, as field.c compares rates. */
		k->k.d = round(v.d * 10);
		break;
	case KEY_TEXT:
		if (t->arena_len + v.len > t->arena_cap) {
			t->arena_cap = (t->arena_len + v.len) * 2 + 4096;
			t->arena = xrealloc(t->arena, t->arena_cap);
		}
		memcpy(t->arena + t->arena_len, v.s, v.len);
		k->k.t.off = (uint32_t)t->arena_len;
		k->k.t.len = (uint32_t)v.len;
		t->arena_len += v.len;
		break;
	}
}

static inline size_t
id_hash(uint64_t id, size_t cap)
{
	return (size_t)(id * 0x9e3779b97f4a7c15ULL >> 20) & (cap - 1);
}

/* Where region id stood in the last order, SIZE_MAX if nowhere. */
static size_t
table_last_pos(const struct table *t, uint64_t id)
{
	size_t h;
	uint32_t p;

	if (t->hash_cap == 0)
		return SIZE_MAX;
	for (h = id_hash(id, t->hash_cap); (p = t->order_hash[h]) != 0;
	     h = (h + 1) & (t->hash_cap - 1))
		if (t->order_id[p - 1] == id)
			return p - 1;
	return SIZE_MAX;
}

/* Remember the order just built, by id. */
static void
table_keep_order(struct table *t)
{
	size_t i, cap = 64;

	while (cap < t->nrows * 2)
		cap *= 2;
	if (t->nrows > t->order_cap) {
		t->order_cap = t->nrows + t->nrows / 4;
		t->order_id =
		    xrealloc(t->order_id, t->order_cap * sizeof *t->order_id);
	}
	if (cap != t->hash_cap) {
		free(t->order_hash);
		t->order_hash = xcalloc(cap, sizeof *t->order_hash);
		t->hash_cap = cap;
	} else
		memset(t->order_hash, 0, cap * sizeof *t->order_hash);
	for (i = 0; i < t->nrows; i++) {
		size_t h = id_hash(t->rows[i]->id, cap);

		t->order_id[i] = t->rows[i]->id;
		while (t->order_hash[h] != 0)
			h = (h + 1) & (cap - 1);
		t->order_hash[h] = (uint32_t)i + 1;
	}
	t->norder = t->nrows;
}

void
table_build(struct table *t, const struct model *m, enum field_id col,
    bool descending, const struct rx *filter, const struct region_group *group)
{
	size_t i, n = model_nregions(m), nk = 0, nnew = 0, desc = 0;
	struct table_key_sort ks;
	enum key_kind kind;

	if (col >= FIELD_COUNT)
		col = FIELD_RSS;
	kind = key_kind(col);
	if (t->cap < n) {
		t->cap = n + n / 4 + 16;
		t->rows = xrealloc(t->rows, t->cap * sizeof *t->rows);
	}
	if (t->serial != model_serial(m))
		t->norder = t->hash_cap = 0; /* another model: no last order */
	if (t->keys_cap < n + t->norder + 1) {
		t->keys_cap = n + t->norder + n / 4 + 16;
		t->keys = xrealloc(t->keys, t->keys_cap * sizeof *t->keys);
		t->tmp = xrealloc(t->tmp, t->keys_cap * sizeof *t->tmp);
	}
	t->serial = model_serial(m);
	t->arena_len = 0;
	/* The rows in the last build's order (by id), new ones after. */
	for (i = 0; i < t->norder; i++)
		t->tmp[i].r = NULL;
	for (i = 0; i < n; i++) {
		const struct tracked_region *r = model_region(m, i);
		struct table_key k;
		size_t at;

		if (group != NULL && !model_group_has(m, group, r))
			continue;
		if (!table_row_matches(m, r, filter))
			continue;
		table_key_read(t, m, col, kind, r, &k);
		at = table_last_pos(t, r->id);
		if (at < t->norder && t->tmp[at].r == NULL)
			t->tmp[at] = k;
		else
			t->keys[t->norder + nnew++] = k; /* after the old */
	}
	for (i = 0; i < t->norder; i++)
		if (t->tmp[i].r != NULL)
			t->keys[nk++] = t->tmp[i];
	memmove(t->keys + nk, t->keys + t->norder, nnew * sizeof *t->keys);
	nk += nnew;
	ks.kind = kind;
	ks.sign = descending ? -1 : 1;
	ks.arena = t->arena;
	/* Unchanged rows in the same order: no sort. */
	for (i = 1; i < nk; i++)
		if (table_key_order(&t->keys[i - 1], &t->keys[i], &ks) > 0)
			desc++;
	t->sorted_again = desc > 0;
	if (desc > 0 && kind == KEY_TEXT)
		qsort_r(t->keys, nk, sizeof *t->keys, table_key_cmp, &ks);
	else if (desc > 0) {
		table_key_fold(t->keys, nk, kind, ks.sign);
		table_sort_folded(t->keys, t->tmp, nk);
	}
	for (i = 0; i < nk; i++)
		t->rows[i] = t->keys[i].r;
	t->nrows = nk;
	table_keep_order(t);
}

static int
group_cmp(const void *pa, const void *pb, void *arg)
{
	const struct table_sort *k = arg;
	struct field_row a = { k->m, NULL, pa, 0 }, b = { k->m, NULL, pb, 0 };
	int c = field_compare(k->col, &a, &b);

	if (c != 0)
		return c * k->sign;
	return cmp_u64(a.g->key, b.g->key);
}

void
table_sort_groups(const struct model *m, struct region_group *g, size_t n,
    enum field_id col, bool descending)
{
	struct table_sort k = { m, col, descending ? -1 : 1, NULL };
	struct field_row row = { m, NULL, g, 0 };
	struct field_value v;

	if (n < 2)
		return;
	if (col >= FIELD_COUNT || !field_read(col, &row, &v)) {
		/* Groups have no address or permissions: by RSS. */
		k.col = FIELD_RSS;
		k.sign = -1;
	}
	qsort_r(g, n, sizeof *g, group_cmp, &k);
}

void
table_free(struct table *t)
{
	free(t->rows);
	free(t->keys);
	free(t->tmp);
	free(t->arena);
	free(t->order_id);
	free(t->order_hash);
	memset(t, 0, sizeof *t);
}
