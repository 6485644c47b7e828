/*
 * table.h - the rows of the region list: filter and sort by a field of the
 * registry (field.h); data only, shared by the batch printer and the view.
 */
#ifndef MEMTOP_TABLE_H
#define MEMTOP_TABLE_H

#include <stdbool.h>
#include <stddef.h>

#include "field.h"
#include "model.h"
#include "rx.h"

/* Rows of the region table: borrowed pointers into the model, valid until
 * the next model_ingest().  Zero it before the first table_build(). */
struct table {
	const struct tracked_region **rows;
	size_t nrows, cap;
};

/*
 * Rebuild t from m: keep regions whose class label or path matches filter
 * (NULL: all; gone ones included) and, when group is not NULL, that belong to
 * it; sort by field col, ties by address (so equal rows never swap).  Any
 * number of tables and models may be in use at once.
 */
void table_build(struct table *t, const struct model *m, enum field_id col,
    bool descending, const struct rx *filter, const struct region_group *group);
/* Whether one region matches a pattern (class label or path). */
bool table_row_matches(
    const struct model *m, const struct tracked_region *r, const struct rx *rx);
/* table_row_matches() as a region_pred: ctx is the struct rx. */
bool table_keep(
    const struct model *m, const struct tracked_region *r, const void *ctx);
/* Sort groups by field col, ties by their key; by a field groups do not
 * have (the address), by RSS biggest first. */
void table_sort_groups(const struct model *m, struct region_group *g, size_t n,
    enum field_id col, bool descending);
void table_free(struct table *t);

#endif
