/*
 * table.h - the rows of the region list: filter and sort by a field of the
 * registry (field.h); data only, shared by the batch printer and the view.
 */
#ifndef MEMTOP_TABLE_H
#define MEMTOP_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "field.h"
#include "model.h"
#include "rx.h"

struct table_key;

/* Rows of the region table: borrowed pointers into the model, valid until
 * the next model_ingest().  Zero it before the first table_build(); the
 * rest is the table's own (the sort keys, and the last order by region id,
 * so that rows that did not move are not sorted again). */
struct table {
	const struct tracked_region **rows;
	size_t nrows, cap;
	struct table_key *keys, *tmp;
	size_t keys_cap;
	char *arena; /* text keys */
	size_t arena_len, arena_cap;
	uint64_t *order_id; /* ids in the last order, and a hash of them */
	uint32_t *order_hash;
	size_t norder, order_cap, hash_cap;
	uint64_t serial;   /* the model they were of */
	bool sorted_again; /* the last build had to sort (for the tests) */
};

/*
 * Rebuild t from m: keep regions whose class label or path matches filter
 * (NULL: all; gone ones included) and, when group is not NULL, that belong to
 * it; sort by field col, ties by address (so equal rows never swap).  Any
 * number of tables and models may be in use at once.  Each row's sort key is
 * read once (never in the comparator); the rows start in the last build's
 * order, and are sorted only if that order no longer holds.
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
