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

/* The distinct text keys of a build, where they are in the arena. */
struct text_ref {
	uint32_t off, len;
};

struct text_sort {
	const struct text_ref *d;
	const char *arena;
};

/* qsort_r of indices into the distinct texts, as key_cmp() compares. */
static int
text_index_cmp(const void *pa, const void *pb, void *arg)
{
	const struct text_sort *ts = arg;
	const struct text_ref *a = &ts->d[*(const uint32_t *)pa];
	const struct text_ref *b = &ts->d[*(const uint32_t *)pb];
	int c = memcmp(ts->arena + a->off, ts->arena + b->off,
	    a->len < b->len ? a->len : b->len);

	return c != 0 ? c : a->len < b->len ? -1 : a->len > b->len;
}

/* The rows with a key first, those without it after (they sort last),
 * each in the order they came; tmp has room for n.  Returns how many have
 * one. */
static size_t
table_keyed_first(struct table_key *k, struct table_key *tmp, size_t n)
{
	size_t i, nh = 0, no = 0;

	for (i = 0; i < n; i++) {
		if (k[i].has)
			k[nh++] = k[i];
		else
			tmp[no++] = k[i];
	}
	memcpy(k + nh, tmp, no * sizeof *k);
	return nh;
}

/* A number key as one unsigned order, the direction folded in: then rows
 * compare by (u, start, id) with no call, as field_compare() and the
 * address would.  Every value keeps its own place (rows without a key are
 * set apart before: a value reserved for them made the two smallest keys
 * one, 0 and 1 alike in a sort biggest first). */
static void
table_key_fold(struct table_key *k, size_t n, enum key_kind kind, int sign)
{
	size_t i;

	for (i = 0; i < n; i++) {
		uint64_t u;

		if (kind == KEY_U64)
			u = k[i].k.u;
		else if (kind == KEY_I64)
			u = (uint64_t)k[i].k.i ^ ((uint64_t)1 << 63);
		else /* a rate in tenths, whole: as an int64 */
			u = (uint64_t)(int64_t)k[i].k.d ^ ((uint64_t)1 << 63);
		k[i].k.u = sign < 0 ? ~u : u;
	}
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

/* Text keys as numbers, for the radix sort: each row's key becomes the
 * rank of its text among the distinct ones (a table has few: permissions,
 * classes, paths), which order as key_cmp() orders the texts, equal texts
 * one rank.  The texts are in the arena, or by_id the keys are the
 * field's text ids (rows of one id have one text) and an id's text is
 * read from its first row. */
static void
table_text_rank(struct table *t, const struct model *m, enum field_id col,
    bool by_id, struct table_key *k, size_t n)
{
	size_t cap = 64, i, nd = 0;
	uint32_t *slot, *which, *pos;
	uint64_t *ids = NULL;
	struct text_ref *d;
	struct text_sort ts;

	while (cap < 2 * n)
		cap *= 2;
	slot = xcalloc(cap, sizeof *slot); /* a distinct key's index + 1 */
	which = xmalloc((n + 1) * sizeof *which);
	d = xmalloc((n + 1) * sizeof *d);
	if (by_id)
		ids = xmalloc((n + 1) * sizeof *ids);
	for (i = 0; i < n; i++) {
		/* An id, or a text: the key is one of the two. */
		uint64_t id = by_id ? k[i].k.u : 0;
		uint32_t len = by_id ? 0 : k[i].k.t.len;
		const char *p = by_id ? NULL : t->arena + k[i].k.t.off;
		size_t h;

		if (!k[i].has)
			continue;
		h = by_id ? (size_t)(id * 0x9e3779b97f4a7c15ULL >> 32) :
		            hash_bytes(p, len);
		for (h &= cap - 1; slot[h] != 0; h = (h + 1) & (cap - 1)) {
			const struct text_ref *e = &d[slot[h] - 1];

			if (by_id ? ids[slot[h] - 1] == id :
			            e->len == len &&
			            memcmp(t->arena + e->off, p, len) == 0)
				break;
		}
		if (slot[h] == 0 && by_id) {
			struct table_key text;

			table_key_read(t, m, col, KEY_TEXT, k[i].r, &text);
			d[nd].off = text.has ? text.k.t.off : 0;
			d[nd].len = text.has ? text.k.t.len : 0;
			ids[nd] = id;
			slot[h] = (uint32_t)++nd;
		} else if (slot[h] == 0) {
			d[nd].off = k[i].k.t.off;
			d[nd].len = len;
			slot[h] = (uint32_t)++nd;
		}
		which[i] = slot[h] - 1;
	}
	/* The distinct texts in order; slot is then the rank of each, equal
	 * texts (of two ids) the first's. */
	pos = xmalloc((nd + 1) * sizeof *pos);
	for (i = 0; i < nd; i++)
		pos[i] = (uint32_t)i;
	ts.d = d;
	ts.arena = t->arena;
	qsort_r(pos, nd, sizeof *pos, text_index_cmp, &ts);
	for (i = 0; i < nd; i++)
		slot[pos[i]] =
		    i > 0 && text_index_cmp(&pos[i - 1], &pos[i], &ts) == 0 ?
		    slot[pos[i - 1]] :
		    (uint32_t)i;
	for (i = 0; i < n; i++)
		if (k[i].has)
			k[i].k.u = slot[which[i]];
	free(pos);
	free(slot);
	free(which);
	free(ids);
	free(d);
}

/* Stable LSD radix sort of folded keys by k.u, a byte at a time, skipping
 * the bytes every key shares (the high bytes of kB counts).  The rows come
 * in (start, id) order, so ties stay by address, then id. */
static void
table_sort_radix(struct table_key *k, struct table_key *tmp, size_t n)
{
	struct table_key *from = k, *to = tmp, *swap;
	uint64_t all_or = 0, all_and = UINT64_MAX, differ;
	size_t i, count[256];
	int shift;

	for (i = 0; i < n; i++) {
		all_or |= k[i].k.u;
		all_and &= k[i].k.u;
	}
	differ = all_or ^ all_and;
	for (shift = 0; shift < 64; shift += 8) {
		size_t sum = 0;

		if ((differ >> shift & 0xff) == 0)
			continue;
		memset(count, 0, sizeof count);
		for (i = 0; i < n; i++)
			count[from[i].k.u >> shift & 0xff]++;
		for (i = 0; i < 256; i++) {
			size_t c = count[i];

			count[i] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++)
			to[count[from[i].k.u >> shift & 0xff]++] = from[i];
		swap = from;
		from = to;
		to = swap;
	}
	if (from != k)
		memcpy(k, from, n * sizeof *k);
}

/* Row i among the rows [run, i) of the same start (a gone region and the
 * one now there) by id, as the sort breaks ties: the model lists them by
 * start only. */
static void
table_tie_by_id(struct table_key *k, size_t run, size_t i)
{
	struct table_key x = k[i];
	size_t j;

	for (j = i; j > run && k[j - 1].r->id > x.r->id; j--)
		k[j] = k[j - 1];
	k[j] = x;
}

/* Whether a row passes the filter, remembered by (class, path) for the
 * build: the label and the path are all the filter reads. */
static bool
table_filter_memo(struct table *t, const struct model *m,
    const struct tracked_region *r, const struct rx *filter)
{
	uint64_t key = tracked_label_key(r) + 1;
	size_t h =
	    (size_t)(key * 0x9e3779b97f4a7c15ULL >> 32) & (t->memo_cap - 1);
	bool match;

	for (; t->memo_key[h] != 0; h = (h + 1) & (t->memo_cap - 1))
		if (t->memo_key[h] == key)
			return t->memo_val[h];
	match = table_row_matches(m, r, filter);
	t->memo_key[h] = key;
	t->memo_val[h] = match;
	t->memo_used++;
	return match;
}

/* Every row of m sorted by col into t->all (ties by address). */
static void
table_sort_all(
    struct table *t, const struct model *m, enum field_id col, bool descending)
{
	size_t i, n = model_nregions(m), nk = 0, nh, run = 0;
	enum key_kind kind = key_kind(col);
	int sign = descending ? -1 : 1;
	const struct field *f = field_get(col);
	bool desc = false, by_start = f->flags & FIELD_START;
	bool by_id = kind == KEY_TEXT && f->text_id != NULL;
	uint64_t start, prev = 0;

	if (t->keys_cap < n + 1) {
		t->keys_cap = n + n / 4 + 16;
		t->keys = xrealloc(t->keys, t->keys_cap * sizeof *t->keys);
		t->tmp = xrealloc(t->tmp, t->keys_cap * sizeof *t->tmp);
	}
	t->arena_len = 0;
	/* The rows in the model's order: by start, then id.  The starts come
	 * from the model's list: a region is read for its key alone (at
	 * 60,000 regions, reading each one's start too was a second cache
	 * miss a row, half of a sort's time). */
	for (i = 0; i < n; i++) {
		start = model_region_start(m, i);
		if (by_start) { /* the key is the start: the region unread */
			t->keys[nk].r = model_region(m, i);
			t->keys[nk].k.u = start;
			t->keys[nk].has = true;
		} else if (by_id) {
			struct field_row row = { m, model_region(m, i), NULL,
				0 };

			t->keys[nk].r = row.r;
			t->keys[nk].has = f->text_id(f, &row, &t->keys[nk].k.u);
		} else
			table_key_read(
			    t, m, col, kind, model_region(m, i), &t->keys[nk]);
		if (i == 0 || start != prev)
			run = nk;
		else
			table_tie_by_id(t->keys, run, nk);
		prev = start;
		nk++;
	}
	if (by_id) { /* the ids as their texts' ranks: number keys */
		table_text_rank(t, m, col, true, t->keys, nk);
		kind = KEY_U64;
	}
	/* Rows already in order (ties are, by start and id): no sort. */
	for (i = 1; i < nk && !desc; i++)
		desc = key_cmp(&t->keys[i - 1], &t->keys[i], kind, t->arena) *
		        sign >
		    0;
	t->sorted_again = desc;
	if (desc) {
		if (kind == KEY_TEXT) {
			table_text_rank(t, m, col, false, t->keys, nk);
			kind = KEY_U64;
		}
		nh = table_keyed_first(t->keys, t->tmp, nk);
		table_key_fold(t->keys, nh, kind, sign);
		table_sort_radix(t->keys, t->tmp, nh);
	}
	if (t->all_cap < nk + 1) {
		t->all_cap = t->keys_cap;
		t->all = xrealloc(t->all, t->all_cap * sizeof *t->all);
	}
	memcpy(t->all, t->keys, nk * sizeof *t->keys);
	t->nall = nk;
	t->all_serial = model_serial(m);
	t->all_version = model_version(m);
	t->all_col = col;
	t->all_desc = descending;
	t->all_ok = true;
}

void
table_build(struct table *t, const struct model *m, enum field_id col,
    bool descending, const struct rx *filter, const struct region_group *group)
{
	size_t i, n = model_nregions(m), nk = 0;

	if (col >= FIELD_COUNT)
		col = FIELD_RSS;
	if (t->cap < n) {
		t->cap = n + n / 4 + 16;
		t->rows = xrealloc(t->rows, t->cap * sizeof *t->rows);
	}
	if (filter != NULL) {
		/* Room for every row: never more than half full. */
		size_t cap = 64;

		while (cap < 2 * n)
			cap *= 2;
		if (cap > t->memo_cap) {
			free(t->memo_key);
			free(t->memo_val);
			t->memo_key = xmalloc(cap * sizeof *t->memo_key);
			t->memo_val = xmalloc(cap * sizeof *t->memo_val);
			t->memo_cap = cap;
		}
		memset(t->memo_key, 0, t->memo_cap * sizeof *t->memo_key);
		t->memo_used = 0;
	}
	/* A new filter or group over the same sample and order: no key read,
	 * no sort. */
	if (!t->all_ok || t->all_serial != model_serial(m) ||
	    t->all_version != model_version(m) || t->all_col != col ||
	    t->all_desc != descending || t->nall != n)
		table_sort_all(t, m, col, descending);
	else
		t->sorted_again = false;
	t->serial = model_serial(m);
	for (i = 0; i < t->nall; i++) {
		const struct tracked_region *r = t->all[i].r;

		if (group != NULL && !model_group_has(m, group, r))
			continue;
		if (filter != NULL && !table_filter_memo(t, m, r, filter))
			continue;
		t->rows[nk++] = r;
	}
	t->nrows = nk;
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
	free(t->memo_key);
	free(t->memo_val);
	free(t->all);
	memset(t, 0, sizeof *t);
}
