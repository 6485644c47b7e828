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
 * rest is the table's own (the sort keys, their sort buffer, the text keys'
 * arena and the filter's memo). */
struct table {
	const struct tracked_region **rows;
	size_t nrows, cap;
	struct table_key *keys, *tmp;
	size_t keys_cap;
	char *arena; /* text keys */
	size_t arena_len, arena_cap;
	/* The filter's verdict by (path, class) during a build. */
	uint64_t *memo_key;
	bool *memo_val;
	size_t memo_cap, memo_used;
	/* Every row of the model sorted, before the filter and the group:
	 * what a new filter starts from while the model and the order stay
	 * (all_serial, all_version, all_col, all_desc). */
	struct table_key *all;
	size_t nall, all_cap;
	uint64_t all_serial, all_version;
	enum field_id all_col;
	bool all_desc, all_ok;
	uint64_t serial;   /* the model they were of */
	bool sorted_again; /* the last build had to sort (for the tests) */
};

/*
 * Rebuild t from m: keep regions whose class label or path matches filter
 * (NULL: all; gone ones included) and, when group is not NULL, that belong to
 * it; sort by field col, ties by address (so equal rows never swap).  Any
 * number of tables and models may be in use at once.  Each row's sort key is
 * read once (never in the comparator), in the model's (address) order;
 * number keys are radix-sorted (stable, so ties stay by address), and rows
 * already in order are not sorted.  A filter runs once per (class, path).
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
