/*
 * table.c - columns, sorting and filtering of the region list.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "table.h"
#include "util.h"

static const struct column_def {
	const char *name;
	const char *title;
	bool desc;
} columns[COL_COUNT] = {
	[COL_ADDR] = { "addr", "Address", false },
	[COL_PERMS] = { "perms", "Perm", false },
	[COL_CLASS] = { "class", "Class", false },
	[COL_PATH] = { "path", "Path", false },
	[COL_SIZE] = { "size", "Size", true },
	[COL_RSS] = { "rss", "RSS", true },
	[COL_PSS] = { "pss", "PSS", true },
	[COL_PDIRTY] = { "private_dirty", "PrivDirty", true },
	[COL_SWAP] = { "swap", "Swap", true },
	[COL_DELTA] = { "delta", "Delta", true },
	[COL_RATE] = { "rate", "Rate/s", true },
};

const char *
column_name(enum column c)
{
	return c < COL_COUNT ? columns[c].name : "?";
}

const char *
column_title(enum column c)
{
	return c < COL_COUNT ? columns[c].title : "?";
}

bool
column_desc_default(enum column c)
{
	return c < COL_COUNT && columns[c].desc;
}

int
column_lookup(const char *name)
{
	int c;

	for (c = 0; c < COL_COUNT; c++) {
		if (strcasecmp(name, columns[c].name) == 0 ||
		    strcasecmp(name, columns[c].title) == 0)
			return c;
	}
	if (strcasecmp(name, "pdirty") == 0 || strcasecmp(name, "dirty") == 0)
		return COL_PDIRTY;
	if (strcasecmp(name, "address") == 0 || strcasecmp(name, "start") == 0)
		return COL_ADDR;
	return -1;
}

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

/* qsort has no context argument: the sort key travels in these. */
static const struct model *sort_model;
static enum column sort_col;
static int sort_sign;

static int
cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

static int
cmp_bytes(const char *a, size_t alen, const char *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	return c != 0 ? c : cmp_u64(alen, blen);
}

/* What a region and a group both have, for the columns of numbers. */
struct sort_nums {
	const uint64_t *kb, *base_kb;
	uint64_t size_kb;
	double rate; /* only read for COL_RATE */
};

/* Compare by one of the columns of numbers; 0 on a tie, and for the
 * other columns. */
static int
cmp_nums(enum column col, const struct sort_nums *a, const struct sort_nums *b)
{
	int64_t da, db;
	double ra, rb;

	switch (col) {
	case COL_SIZE:
		return cmp_u64(a->size_kb, b->size_kb);
	case COL_RSS:
		return cmp_u64(a->kb[SF_RSS], b->kb[SF_RSS]);
	case COL_PSS:
		return cmp_u64(a->kb[SF_PSS], b->kb[SF_PSS]);
	case COL_PDIRTY:
		return cmp_u64(
		    a->kb[SF_PRIVATE_DIRTY], b->kb[SF_PRIVATE_DIRTY]);
	case COL_SWAP:
		return cmp_u64(a->kb[SF_SWAP], b->kb[SF_SWAP]);
	case COL_DELTA:
		da = (int64_t)a->kb[SF_RSS] - (int64_t)a->base_kb[SF_RSS];
		db = (int64_t)b->kb[SF_RSS] - (int64_t)b->base_kb[SF_RSS];
		return da < db ? -1 : da > db;
	case COL_RATE:
		/* To the 0.1 kB/s shown: a fit's rounding noise around 0 is
		 * a tie, and tied rows keep their order. */
		ra = round(a->rate * 10);
		rb = round(b->rate * 10);
		return ra < rb ? -1 : ra > rb;
	default:
		return 0;
	}
}

static int
table_cmp(const void *pa, const void *pb)
{
	const struct tracked_region *a =
	    *(const struct tracked_region *const *)pa;
	const struct tracked_region *b =
	    *(const struct tracked_region *const *)pb;
	char la[160], lb[160];
	const char *sa, *sb;
	size_t na, nb;
	int c = 0;

	switch (sort_col) {
	case COL_ADDR:
		c = cmp_u64(a->start, b->start);
		break;
	case COL_PERMS:
		c = strcmp(a->perms, b->perms);
		break;
	case COL_CLASS:
		na = model_class_label(sort_model, a, la, sizeof la);
		nb = model_class_label(sort_model, b, lb, sizeof lb);
		c = cmp_bytes(la, na, lb, nb);
		break;
	case COL_PATH:
		sa = model_path(sort_model, a->path_id, &na);
		sb = model_path(sort_model, b->path_id, &nb);
		c = cmp_bytes(sa, na, sb, nb);
		break;
	default: {
		struct sort_nums xa = { a->kb, a->base_kb,
			(a->end - a->start) / 1024, 0 };
		struct sort_nums xb = { b->kb, b->base_kb,
			(b->end - b->start) / 1024, 0 };

		if (sort_col == COL_RATE) {
			xa.rate = model_region_rate(sort_model, a, SERIES_RSS);
			xb.rate = model_region_rate(sort_model, b, SERIES_RSS);
		}
		c = cmp_nums(sort_col, &xa, &xb);
		break;
	}
	}
	if (c != 0)
		return c * sort_sign;
	/* Ties by address, then id: equal rows keep their order. */
	c = cmp_u64(a->start, b->start);
	return c != 0 ? c : cmp_u64(a->id, b->id);
}

void
table_build(struct table *t, const struct model *m, enum column col,
    bool descending, const struct rx *filter, const struct region_group *group)
{
	size_t i, n = model_nregions(m);

	if (t->cap < n) {
		t->cap = n + n / 4 + 16;
		t->rows = xrealloc(t->rows, t->cap * sizeof *t->rows);
	}
	t->nrows = 0;
	for (i = 0; i < n; i++) {
		const struct tracked_region *r = model_region(m, i);

		if (group != NULL && !model_group_has(m, group, r))
			continue;
		if (!table_row_matches(m, r, filter))
			continue;
		t->rows[t->nrows++] = r;
	}
	if (t->nrows < 2)
		return;
	sort_model = m;
	sort_col = col < COL_COUNT ? col : COL_RSS;
	sort_sign = descending ? -1 : 1;
	qsort(t->rows, t->nrows, sizeof *t->rows, table_cmp);
	sort_model = NULL;
}

static int
group_cmp_col(const void *pa, const void *pb)
{
	const struct region_group *a = pa, *b = pb;
	const char *sa, *sb;
	size_t na, nb;
	int c = 0;

	switch (sort_col) {
	case COL_CLASS:
	case COL_PATH:
		sa = a->path_id ? model_path(sort_model, a->path_id, &na) :
		                  a->label;
		sb = b->path_id ? model_path(sort_model, b->path_id, &nb) :
		                  b->label;
		if (a->path_id == 0)
			na = strlen(sa);
		if (b->path_id == 0)
			nb = strlen(sb);
		c = cmp_bytes(sa, na, sb, nb);
		break;
	case COL_ADDR:
	case COL_PERMS:
		/* Groups have none: by RSS, biggest first. */
		c = cmp_u64(a->kb[SF_RSS], b->kb[SF_RSS]);
		return c != 0 ? -c : cmp_u64(a->key, b->key);
	default: {
		struct sort_nums xa = { a->kb, a->base_kb, a->kb[SF_SIZE],
			a->rate_kb_s };
		struct sort_nums xb = { b->kb, b->base_kb, b->kb[SF_SIZE],
			b->rate_kb_s };

		c = cmp_nums(sort_col, &xa, &xb);
		break;
	}
	}
	if (c != 0)
		return c * sort_sign;
	return cmp_u64(a->key, b->key);
}

void
table_sort_groups(const struct model *m, struct region_group *g, size_t n,
    enum column col, bool descending)
{
	if (n < 2)
		return;
	sort_model = m;
	sort_col = col < COL_COUNT ? col : COL_RSS;
	sort_sign = descending ? -1 : 1;
	qsort(g, n, sizeof *g, group_cmp_col);
	sort_model = NULL;
}

void
table_free(struct table *t)
{
	free(t->rows);
	t->rows = NULL;
	t->nrows = t->cap = 0;
}
