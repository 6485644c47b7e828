/*
 * table.c - sorting and filtering of the region list.
 */
#include "config.h"

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
};

static int
cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

static int
table_cmp(const void *pa, const void *pb, void *arg)
{
	const struct table_sort *k = arg;
	struct field_row a = { k->m, *(const struct tracked_region *const *)pa,
		NULL, 0 };
	struct field_row b = { k->m, *(const struct tracked_region *const *)pb,
		NULL, 0 };
	int c = field_compare(k->col, &a, &b);

	if (c != 0)
		return c * k->sign;
	/* Ties by address, then id: equal rows keep their order. */
	c = cmp_u64(a.r->start, b.r->start);
	return c != 0 ? c : cmp_u64(a.r->id, b.r->id);
}

void
table_build(struct table *t, const struct model *m, enum field_id col,
    bool descending, const struct rx *filter, const struct region_group *group)
{
	struct table_sort k = { m, col, descending ? -1 : 1 };
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
	if (col >= FIELD_COUNT)
		k.col = FIELD_RSS;
	if (t->nrows > 1)
		qsort_r(t->rows, t->nrows, sizeof *t->rows, table_cmp, &k);
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
	struct table_sort k = { m, col, descending ? -1 : 1 };
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
	t->rows = NULL;
	t->nrows = t->cap = 0;
}
