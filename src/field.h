/*
 * field.h - the one registry of what memtop says about a region, a group of
 * regions and the process's totals, in the manner of htop's Process_fields:
 * each field's name (-s, and what the man page lists), title (the table's
 * heading, the header, the sort menu), key in CSV and JSON, unit, width,
 * default order, how to read it and how to compare it.  The dashboard's
 * table, the header, the text/CSV/JSON output and -s all read it, so adding
 * a column is one entry in field.c.  No curses.
 */
#ifndef MEMTOP_FIELD_H
#define MEMTOP_FIELD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "model.h"

/* In the order the outputs list them; the sort keys (< > F6) cycle in it. */
enum field_id {
	FIELD_ADDR,
	FIELD_PERMS,
	FIELD_OFFSET,
	FIELD_CLASS,
	FIELD_STATE,
	FIELD_PATH,
	FIELD_SIZE,
	FIELD_RSS,
	FIELD_PSS,
	FIELD_PRIVATE_DIRTY,
	FIELD_SWAP,
	FIELD_ANON,
	FIELD_DELTA_PREV,
	FIELD_DELTA,
	FIELD_RATE,
	FIELD_TARGET,
	FIELD_DELETED,
	FIELD_COUNT
};

/* What a value is, which says how it is shown, written and compared. */
enum field_type {
	FT_RANGE, /* an address range: u..u2 ("start" and "end" in CSV/JSON) */
	FT_HEX,   /* a number shown in hex (u) */
	FT_TEXT,  /* bytes (s, len), maybe the target's: escape to print */
	FT_KB,    /* a size in kB (u) */
	FT_DELTA, /* a signed change in kB (i) */
	FT_RATE,  /* kB/s (d); NAN: not known yet */
	FT_BOOL   /* u is 0 or 1 */
};

/* Where a field appears (struct field.flags). */
#define FIELD_COLUMN 0x01 /* a column of the region table and a sort key */
#define FIELD_CSV    0x02 /* a column of --format csv */
#define FIELD_JSON   0x04 /* a key of each region in --format json */
#define FIELD_TOTAL  0x08 /* a key of the totals in --format json */
#define FIELD_HEADER 0x10 /* a total in the header, with trend and rate */
#define FIELD_TAIL   0x20 /* text of any length: shown and written last */
/* A region's value is its start: a sort takes it from the model's list. */
#define FIELD_START 0x40

/*
 * One row of any output: a tracked region (r), a group of regions (g), or
 * the process's totals (neither).  The pointers are borrowed from m.
 */
struct field_row {
	const struct model *m;
	const struct tracked_region *r;
	const struct region_group *g;
	int addr_digits; /* hex digits of an address shown: 12 or 16 (one
	                    that needs more is cut at its front) */
};

/* A field's value in one row.  s points into the model or into buf. */
struct field_value {
	uint64_t u, u2;
	int64_t i;
	double d;
	const char *s;
	size_t len;
	char buf[160];
};

struct field {
	const char *name;   /* "rss": -s and the man page's COLUMNS */
	const char *title;  /* "RSS": headings, the header, the sort menu */
	const char *key;    /* "rss_kb": CSV and JSON ("start" for a range) */
	const char *unit;   /* "kB", "kB/s", or "" */
	const char *alias;  /* other names -s takes, space-separated, or NULL */
	const char *doc;    /* what it means (the man page's COLUMNS) */
	const char *source; /* where its value comes from */
	enum field_type type;
	int width;      /* columns of a cell: its widest value; 0: the rest */
	bool desc;      /* sorts biggest first by default */
	unsigned flags; /* FIELD_COLUMN ... */
	enum smaps_field sf; /* the counter it reads, where it reads one */
	enum series series;  /* its history: of a FIELD_HEADER total, a rate */
	/* Read the field of a row: false when the row has none (the address
	 * of a group).  v->s may point into v->buf. */
	bool (*get)(const struct field *f, const struct field_row *row,
	    struct field_value *v);
	/* Compare two values read by get: <0, 0 or >0. */
	int (*cmp)(const struct field_value *a, const struct field_value *b);
	/* A text field's value of a region as a number (NULL: none): rows of
	 * equal ids have equal texts, so a sort reads the text once an id.
	 * False when the row has none, as get. */
	bool (*text_id)(
	    const struct field *f, const struct field_row *row, uint64_t *id);
};

const struct field *field_get(enum field_id id);
/* The field -s NAME means: its name, title or an alias, any case, of a
 * FIELD_COLUMN field; -1 if none. */
int field_lookup(const char *name);
/* The next (dir 1) or previous (-1) sort key after id, wrapping. */
enum field_id field_next_column(enum field_id id, int dir);
/* "addr, perms, class, ...": the names -s takes, for usage and errors. */
size_t field_column_names(char *buf, size_t size, const char *sep);

/* Read a field; false when the row has none. */
bool field_read(
    enum field_id id, const struct field_row *row, struct field_value *v);
/* The same for a field already looked up (a loop over many rows). */
static inline bool
field_read_of(
    const struct field *f, const struct field_row *row, struct field_value *v)
{
	v->s = "";
	v->len = 0;
	return f->get(f, row, v);
}
/* Compare two rows by a field (rows without it come after those with). */
int field_compare(
    enum field_id id, const struct field_row *a, const struct field_row *b);
/* The value as a table cell shows it: "12.3M", "+64.0K/s", "rw-p"; text
 * fields raw (escape them).  Returns the length; "" when the row has none. */
size_t field_format(
    enum field_id id, const struct field_row *row, char *buf, size_t size);
/* Whether a field is shown right-aligned (numbers). */
bool field_right(enum field_id id);

/*
 * What the dashboard's header shows besides the registry's totals
 * (FIELD_HEADER): a figure, or a word of state.  The man page's HEADER
 * section is made from these and the totals (field_man()), and a test
 * checks that every word the header writes is one of theirs.
 */
struct header_fact {
	const char *name;   /* its entry in the man page: "MemAvailable" */
	const char *words;  /* every word it writes, in any of its forms,
	                       space-separated: "MemAvailable of avail" */
	const char *doc;    /* what it says */
	const char *source; /* where it comes from */
};
/* The header's facts in the order of its lines; their count. */
size_t field_header_facts(const struct header_fact **out);

/* The body of the man page's section `name` ("COLUMNS" or "HEADER") as
 * troff, made from the registry: every column, CSV and JSON key, total
 * and header fact with what it means and where it comes from.  The test
 * of the man page compares doc/memtop.1 with it (and rewrites it). */
void field_man(FILE *f, const char *name);

#endif
