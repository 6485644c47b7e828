/*
 * field.c - the registry: one entry per field, read by every output.
 */
#include "config.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "field.h"
#include "util.h"

/* Readers: false when the row has no such field. */

static bool
get_range(
    const struct field *f, const struct field_row *row, struct field_value *v)
{
	if (row->r == NULL)
		return false;
	v->u = row->r->start;
	v->u2 = row->r->end;
	return true;
}

static bool
get_perms(
    const struct field *f, const struct field_row *row, struct field_value *v)
{
	if (row->r == NULL)
		return false;
	v->s = row->r->perms;
	v->len = strlen(row->r->perms);
	return true;
}

static bool
get_offset(
    const struct field *f, const struct field_row *row, struct field_value *v)
{
	if (row->r == NULL)
		return false;
	v->u = row->r->offset;
	return true;
}

/* A group's name: its file's path, or its label (a class). */
static bool
get_group_name(const struct field_row *row, struct field_value *v)
{
	const struct region_group *g = row->g;

	if (g->path_id != 0) {
		v->s = model_path(row->m, g->path_id, &v->len);
		return true;
	}
	v->s = g->label;
	v->len = strlen(g->label);
	return true;
}

static bool
get_class(
    const struct field *f, const struct field_row *row, struct field_value *v)
{
	if (row->g != NULL)
		return get_group_name(row, v);
	if (row->r == NULL)
		return false;
	v->len = model_class_label(row->m, row->r, v->buf, sizeof v->buf);
	v->s = v->buf;
	return true;
}

static bool
get_state(
    const struct field *f, const struct field_row *row, struct field_value *v)
{
	if (row->r == NULL)
		return false;
	v->s = tracked_state_name(row->r->state);
	v->len = strlen(v->s);
	return true;
}

static bool
get_path(
    const struct field *f, const struct field_row *row, struct field_value *v)
{
	if (row->g != NULL)
		return get_group_name(row, v);
	if (row->r == NULL)
		return false;
	v->s = model_path(row->m, row->r->path_id, &v->len);
	return true;
}

/* A counter of a region, a group or the totals: now, at the baseline and
 * at the sample before. */
static uint64_t
row_kb(const struct field_row *row, enum smaps_field f, uint64_t *base,
    uint64_t *prev)
{
	const struct model_totals *t;

	if (row->r != NULL) {
		*base = tracked_base(row->r, f);
		*prev = tracked_prev(row->r, f);
		return row->r->kb[f];
	}
	if (row->g != NULL) {
		*base = row->g->base_kb[f];
		*prev = row->g->prev_kb[f];
		return row->g->kb[f];
	}
	t = model_totals(row->m);
	*base = t->base_kb[f];
	*prev = t->prev_kb[f];
	return t->kb[f];
}

static bool
get_size(
    const struct field *f, const struct field_row *row, struct field_value *v)
{
	uint64_t base, prev;

	/* A region's from its range, in case smaps gave no Size. */
	if (row->r != NULL)
		v->u = (row->r->end - row->r->start) / 1024;
	else
		v->u = row_kb(row, SF_SIZE, &base, &prev);
	return true;
}

static bool
get_kb(
    const struct field *f, const struct field_row *row, struct field_value *v)
{
	uint64_t base, prev;

	v->u = row_kb(row, f->sf, &base, &prev);
	return true;
}

static bool
get_delta_prev(
    const struct field *f, const struct field_row *row, struct field_value *v)
{
	uint64_t base, prev, kb = row_kb(row, f->sf, &base, &prev);

	v->i = (int64_t)kb - (int64_t)prev;
	return true;
}

static bool
get_delta_base(
    const struct field *f, const struct field_row *row, struct field_value *v)
{
	uint64_t base, prev, kb = row_kb(row, f->sf, &base, &prev);

	v->i = (int64_t)kb - (int64_t)base;
	return true;
}

static bool
get_rate(
    const struct field *f, const struct field_row *row, struct field_value *v)
{
	if (row->r != NULL)
		v->d = model_region_rate(row->m, row->r, f->series);
	else if (row->g != NULL)
		v->d = row->g->rate_kb_s; /* of RSS */
	else
		v->d = model_totals_rate(row->m, f->series);
	return true;
}

static bool
get_target(
    const struct field *f, const struct field_row *row, struct field_value *v)
{
	v->s = target_state_name(model_target_state(row->m));
	v->len = strlen(v->s);
	return true;
}

static bool
get_deleted(
    const struct field *f, const struct field_row *row, struct field_value *v)
{
	if (row->r == NULL)
		return false;
	v->u = row->r->deleted != 0;
	return true;
}

/* Comparators. */

static int
cmp_u64(const struct field_value *a, const struct field_value *b)
{
	return a->u < b->u ? -1 : a->u > b->u;
}

static int
cmp_i64(const struct field_value *a, const struct field_value *b)
{
	return a->i < b->i ? -1 : a->i > b->i;
}

/* To the 0.1 kB/s shown: a fit's rounding noise around 0 is a tie, and
 * tied rows keep their order. */
static int
cmp_rate(const struct field_value *a, const struct field_value *b)
{
	double ra = round(a->d * 10), rb = round(b->d * 10);

	return ra < rb ? -1 : ra > rb;
}

static int
cmp_text(const struct field_value *a, const struct field_value *b)
{
	int c = memcmp(a->s, b->s, a->len < b->len ? a->len : b->len);

	return c != 0 ? c : a->len < b->len ? -1 : a->len > b->len;
}

#define COL  FIELD_COLUMN
#define CSV  FIELD_CSV
#define JSON FIELD_JSON

/*
 * The registry.  width and drop are the dashboard's: the cell's columns (0:
 * what the line has left), and which columns a narrow table gives up first
 * (the highest drop; 0 never).  series is the history a header total shows.
 */
static const struct field fields[FIELD_COUNT] = {
	[FIELD_ADDR] = { .name = "addr",
	    .title = "Address",
	    .key = "start",
	    .unit = "",
	    .alias = "address start",
	    .type = FT_RANGE,
	    .width = 25,
	    .drop = 10,
	    .flags = COL | CSV | JSON,
	    .get = get_range,
	    .cmp = cmp_u64 },
	[FIELD_PERMS] = { .name = "perms",
	    .title = "Perm",
	    .key = "perms",
	    .unit = "",
	    .type = FT_TEXT,
	    .width = 4,
	    .drop = 9,
	    .flags = COL | CSV | JSON,
	    .get = get_perms,
	    .cmp = cmp_text },
	[FIELD_OFFSET] = { .name = "offset",
	    .title = "Offset",
	    .key = "offset",
	    .unit = "",
	    .type = FT_HEX,
	    .width = 8,
	    .flags = CSV | JSON,
	    .get = get_offset,
	    .cmp = cmp_u64 },
	[FIELD_CLASS] = { .name = "class",
	    .title = "Class",
	    .key = "class",
	    .unit = "",
	    .type = FT_TEXT,
	    .width = 13,
	    .flags = COL | CSV | JSON,
	    .get = get_class,
	    .cmp = cmp_text },
	[FIELD_STATE] = { .name = "state",
	    .title = "State",
	    .key = "state",
	    .unit = "",
	    .type = FT_TEXT,
	    .width = 4,
	    .flags = CSV | JSON,
	    .get = get_state,
	    .cmp = cmp_text },
	[FIELD_PATH] = { .name = "path",
	    .title = "Path",
	    .key = "path",
	    .unit = "",
	    .type = FT_TEXT,
	    .width = 0,
	    .flags = COL | CSV | JSON | FIELD_TAIL,
	    .get = get_path,
	    .cmp = cmp_text },
	[FIELD_SIZE] = { .name = "size",
	    .title = "Size",
	    .key = "size_kb",
	    .unit = "kB",
	    .type = FT_KB,
	    .width = 6,
	    .drop = 5,
	    .desc = true,
	    .flags = COL | CSV | JSON | FIELD_TOTAL,
	    .sf = SF_SIZE,
	    .get = get_size,
	    .cmp = cmp_u64 },
	[FIELD_RSS] = { .name = "rss",
	    .title = "RSS",
	    .key = "rss_kb",
	    .unit = "kB",
	    .type = FT_KB,
	    .width = 6,
	    .desc = true,
	    .flags = COL | CSV | JSON | FIELD_TOTAL | FIELD_HEADER,
	    .sf = SF_RSS,
	    .series = SERIES_RSS,
	    .get = get_kb,
	    .cmp = cmp_u64 },
	[FIELD_PSS] = { .name = "pss",
	    .title = "PSS",
	    .key = "pss_kb",
	    .unit = "kB",
	    .type = FT_KB,
	    .width = 6,
	    .drop = 8,
	    .desc = true,
	    .flags = COL | CSV | JSON | FIELD_TOTAL | FIELD_HEADER,
	    .sf = SF_PSS,
	    .series = SERIES_PSS,
	    .get = get_kb,
	    .cmp = cmp_u64 },
	[FIELD_PRIVATE_DIRTY] = { .name = "private_dirty",
	    .title = "Dirty",
	    .key = "private_dirty_kb",
	    .unit = "kB",
	    .alias = "pdirty privdirty",
	    .type = FT_KB,
	    .width = 6,
	    .drop = 6,
	    .desc = true,
	    .flags = COL | CSV | JSON | FIELD_TOTAL | FIELD_HEADER,
	    .sf = SF_PRIVATE_DIRTY,
	    .series = SERIES_PRIVATE_DIRTY,
	    .get = get_kb,
	    .cmp = cmp_u64 },
	[FIELD_SWAP] = { .name = "swap",
	    .title = "Swap",
	    .key = "swap_kb",
	    .unit = "kB",
	    .type = FT_KB,
	    .width = 6,
	    .drop = 7,
	    .desc = true,
	    .flags = COL | CSV | JSON | FIELD_TOTAL | FIELD_HEADER,
	    .sf = SF_SWAP,
	    .series = SERIES_SWAP,
	    .get = get_kb,
	    .cmp = cmp_u64 },
	/* In the header and the totals only: a column would be this entry
	 * with COL | CSV | JSON. */
	[FIELD_ANON] = { .name = "anon",
	    .title = "Anon",
	    .key = "anon_kb",
	    .unit = "kB",
	    .type = FT_KB,
	    .width = 6,
	    .drop = 6,
	    .desc = true,
	    .flags = FIELD_TOTAL | FIELD_HEADER,
	    .sf = SF_ANONYMOUS,
	    .series = SERIES_ANON,
	    .get = get_kb,
	    .cmp = cmp_u64 },
	[FIELD_DELTA_PREV] = { .name = "delta_prev",
	    .title = "+Prev",
	    .key = "delta_rss_kb",
	    .unit = "kB",
	    .type = FT_DELTA,
	    .width = 7,
	    .desc = true,
	    .flags = CSV | JSON,
	    .sf = SF_RSS,
	    .get = get_delta_prev,
	    .cmp = cmp_i64 },
	[FIELD_DELTA] = { .name = "delta",
	    .title = "Delta",
	    .key = "delta_base_rss_kb",
	    .unit = "kB",
	    .type = FT_DELTA,
	    .width = 7,
	    .drop = 3,
	    .desc = true,
	    .flags = COL | CSV | JSON,
	    .sf = SF_RSS,
	    .get = get_delta_base,
	    .cmp = cmp_i64 },
	[FIELD_RATE] = { .name = "rate",
	    .title = "Rate/s",
	    .key = "rate_kb_s",
	    .unit = "kB/s",
	    .type = FT_RATE,
	    .width = 7,
	    .desc = true,
	    .flags = COL | CSV | JSON,
	    .sf = SF_RSS,
	    .series = SERIES_RSS,
	    .get = get_rate,
	    .cmp = cmp_rate },
	/* The process's state at the sample, on each CSV row. */
	[FIELD_TARGET] = { .name = "target",
	    .title = "Target",
	    .key = "target",
	    .unit = "",
	    .type = FT_TEXT,
	    .width = 8,
	    .flags = CSV,
	    .get = get_target,
	    .cmp = cmp_text },
	[FIELD_DELETED] = { .name = "deleted",
	    .title = "Deleted",
	    .key = "deleted",
	    .unit = "",
	    .type = FT_BOOL,
	    .width = 1,
	    .flags = CSV | JSON,
	    .get = get_deleted,
	    .cmp = cmp_u64 },
};

const struct field *
field_get(enum field_id id)
{
	return &fields[id < FIELD_COUNT ? id : FIELD_RSS];
}

/* Whether name is one of the space-separated words of list. */
static bool
field_alias(const char *list, const char *name)
{
	size_t n = strlen(name);

	while (list != NULL && *list != '\0') {
		size_t w = strcspn(list, " ");

		if (w == n && strncasecmp(list, name, n) == 0)
			return true;
		list += w;
		list += strspn(list, " ");
	}
	return false;
}

int
field_lookup(const char *name)
{
	int id;

	for (id = 0; id < FIELD_COUNT; id++) {
		const struct field *f = &fields[id];

		if (!(f->flags & FIELD_COLUMN))
			continue;
		if (strcasecmp(name, f->name) == 0 ||
		    strcasecmp(name, f->title) == 0 ||
		    field_alias(f->alias, name))
			return id;
	}
	return -1;
}

enum field_id
field_next_column(enum field_id id, int dir)
{
	int i = (int)id, k;

	for (k = 0; k < FIELD_COUNT; k++) {
		i = (i + (dir > 0 ? 1 : FIELD_COUNT - 1)) % FIELD_COUNT;
		if (fields[i].flags & FIELD_COLUMN)
			return (enum field_id)i;
	}
	return id;
}

size_t
field_column_names(char *buf, size_t size, const char *sep)
{
	size_t o = 0;
	int id;

	if (size > 0)
		buf[0] = '\0';
	for (id = 0; id < FIELD_COUNT && o < size; id++) {
		if (fields[id].flags & FIELD_COLUMN)
			o += (size_t)snprintf(buf + o, size - o, "%s%s",
			    o ? sep : "", fields[id].name);
	}
	return o < size ? o : size - 1;
}

bool
field_read(enum field_id id, const struct field_row *row, struct field_value *v)
{
	const struct field *f = field_get(id);

	v->s = "";
	v->len = 0;
	return f->get(f, row, v);
}

int
field_compare(
    enum field_id id, const struct field_row *a, const struct field_row *b)
{
	struct field_value va, vb;
	bool ha = field_read(id, a, &va), hb = field_read(id, b, &vb);

	if (!ha || !hb)
		return ha == hb ? 0 : ha ? -1 : 1;
	return field_get(id)->cmp(&va, &vb);
}

bool
field_right(enum field_id id)
{
	enum field_type t = field_get(id)->type;

	return t == FT_KB || t == FT_DELTA || t == FT_RATE;
}

size_t
field_format(
    enum field_id id, const struct field_row *row, char *buf, size_t size)
{
	const struct field *f = field_get(id);
	struct field_value v;
	int digits = row->addr_digits > 0 ? row->addr_digits : 12;

	if (size == 0)
		return 0;
	buf[0] = '\0';
	if (!field_read(id, row, &v))
		return 0;
	switch (f->type) {
	case FT_RANGE:
		snprintf(buf, size, "%0*" PRIx64 "-%0*" PRIx64, digits, v.u,
		    digits, v.u2);
		break;
	case FT_HEX:
		snprintf(buf, size, "%" PRIx64, v.u);
		break;
	case FT_TEXT:
		if (v.len >= size)
			v.len = size - 1;
		memcpy(buf, v.s, v.len);
		buf[v.len] = '\0';
		break;
	case FT_KB:
		fmt_kb(v.u, buf, size);
		break;
	case FT_DELTA:
		fmt_kb_delta(v.i, buf, size);
		break;
	case FT_RATE:
		fmt_rate(v.d, buf, size);
		break;
	case FT_BOOL:
		snprintf(buf, size, "%s", v.u ? "yes" : "no");
		break;
	}
	return strlen(buf);
}
