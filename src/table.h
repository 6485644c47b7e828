/*
 * table.h - columns, sort and filter of the region list: data only, shared by
 * the batch printer and the view.
 */
#ifndef MEMTOP_TABLE_H
#define MEMTOP_TABLE_H

#include <stdbool.h>
#include <stddef.h>

#include "model.h"
#include "rx.h"

enum column {
	COL_ADDR,
	COL_PERMS,
	COL_CLASS,
	COL_PATH,
	COL_SIZE,
	COL_RSS,
	COL_PSS,
	COL_PDIRTY,
	COL_SWAP,
	COL_DELTA,
	COL_RATE,
	COL_COUNT
};

/* "rss", "pss", "private_dirty"...: the names -s and the view use. */
const char *column_name(enum column c);
/* Column heading ("RSS", "PrivDirty"). */
const char *column_title(enum column c);
/* -1 if unknown; accepts the name or the heading, any case. */
int column_lookup(const char *name);
/* Whether a column sorts biggest-first by default (sizes, rates). */
bool column_desc_default(enum column c);

/* Rows of the region table: borrowed pointers into the model, valid until
 * the next model_ingest(). */
struct table {
	const struct tracked_region **rows;
	size_t nrows, cap;
};

/*
 * Rebuild t from m: keep regions whose class label or path matches filter
 * (NULL: all; gone ones included) and, when group is not NULL, that belong to
 * it; sort by col, ties by address (so equal rows never swap).
 */
void table_build(struct table *t, const struct model *m, enum column col,
    bool descending, const struct rx *filter, const struct region_group *group);
/* Whether one region matches a pattern (class label or path). */
bool table_row_matches(
    const struct model *m, const struct tracked_region *r, const struct rx *rx);
/* table_row_matches() as a region_pred: ctx is the struct rx. */
bool table_keep(
    const struct model *m, const struct tracked_region *r, const void *ctx);
/* Sort groups by col (the columns a group has; others leave the order by
 * RSS), ties by their key. */
void table_sort_groups(const struct model *m, struct region_group *g, size_t n,
    enum column col, bool descending);
void table_free(struct table *t);

#endif
