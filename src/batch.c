/*
 * batch.c - the model as plain text, CSV or JSON Lines (memtop -b).
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "app.h"
#include "batch.h"
#include "facts.h"
#include "field.h"
#include "util.h"

int
batch_format_lookup(const char *name)
{
	if (strcasecmp(name, "text") == 0)
		return BATCH_TEXT;
	if (strcasecmp(name, "csv") == 0)
		return BATCH_CSV;
	if (strcasecmp(name, "json") == 0 || strcasecmp(name, "jsonl") == 0)
		return BATCH_JSON;
	if (strcasecmp(name, "suspects") == 0)
		return BATCH_SUSPECTS;
	return -1;
}

/* The columns of the table by class (text and JSON), after its count. */
static const enum field_id batch_class_fields[] = { FIELD_RSS, FIELD_PSS,
	FIELD_SWAP, FIELD_RATE };
#define BATCH_NCLASS (sizeof batch_class_fields / sizeof batch_class_fields[0])

/* Whether field id goes in an output of these flags; the tail fields (the
 * path) in the pass of their own, after the others. */
static bool
batch_has(enum field_id id, unsigned flag, bool tail)
{
	const struct field *f = field_get(id);

	return (f->flags & flag) && !(f->flags & FIELD_TAIL) == !tail;
}

/* The text table's width of a column. */
static int
batch_text_width(enum field_id id)
{
	const struct field *f = field_get(id);
	int w = f->width, t = (int)strlen(f->title);

	if (f->type == FT_RANGE)
		w = 33; /* two 16-digit addresses */
	return w > t ? w : t;
}

/* A heading of the text table: the field's title in capitals. */
static void
batch_text_title(FILE *f, enum field_id id, int w, const char *pre)
{
	const char *t = field_get(id)->title;
	char up[32];
	size_t i;

	for (i = 0; t[i] != '\0' && i + 1 < sizeof up; i++)
		up[i] = (char)toupper((unsigned char)t[i]);
	up[i] = '\0';
	fprintf(f, field_right(id) ? "%s%*s" : "%s%-*s", pre, w, up);
}

/* A cell of the text table, escaped, padded to w (never cut). */
static void
batch_text_cell(FILE *f, enum field_id id, const struct field_row *row, int w)
{
	char buf[256], esc[1024];

	field_format(id, row, buf, sizeof buf);
	esc_text(buf, strlen(buf), esc, sizeof esc, true);
	fprintf(f, field_right(id) ? " %*s" : " %-*s", w, esc);
}

/* Every byte of a long text field escaped: *cap grows as needed. */
static const char *
batch_escape(const struct field_value *v, char **buf, size_t *cap)
{
	if (4 * v->len + 1 > *cap) {
		*cap = 4 * v->len + 1;
		*buf = xrealloc(*buf, *cap);
	}
	esc_text(v->s, v->len, *buf, *cap, true);
	return *buf;
}

static void
batch_text(
    FILE *f, struct model *m, const struct facts *fx, const struct table *t)
{
	const struct snapshot_info *info = model_info(m);
	const struct model_totals *tot = model_totals(m);
	const struct region_group *groups;
	struct field_row row = { m, NULL, NULL, 16 };
	char when[32], esc[1024], a[16], rate[16], *path = NULL;
	size_t i, k, ng, path_cap = 0;
	time_t wall = (time_t)model_last_wall(m);
	struct tm tm;
	int id;

	localtime_r(&wall, &tm);
	strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
	esc_text(info->comm, strlen(info->comm), esc, sizeof esc, true);
	fprintf(f,
	    "memtop - %s  pid %d (%s)  %s  sample %.1f ms  "
	    "regions %zu",
	    when, info->pid, esc, target_state_name(model_target_state(m)),
	    model_last_sample_ms(m), tot->nregions);
	if (model_torn(m) > 0)
		fprintf(f, "  torn %u", model_torn(m));
	fputc('\n', f);
	esc_text(info->cmdline, info->cmdline_len, esc, sizeof esc, true);
	fprintf(f, "cmd: %s%s\n", esc, info->cmdline_truncated ? "..." : "");
	batch_restart_text(f, info);
	/* The header's totals; the first, RSS, with its rate. */
	for (k = 0, id = 0; id < FIELD_COUNT; id++) {
		const struct field *fd = field_get(id);

		if (!(fd->flags & FIELD_HEADER))
			continue;
		field_format(id, &row, a, sizeof a);
		fprintf(f, "%s%s %s", k ? "  " : "", fd->title, a);
		if (k++ == 0)
			fprintf(f, " (%s)",
			    fmt_rate(model_totals_rate(m, fd->series), rate,
			        sizeof rate));
	}
	fprintf(f, "  MemAvailable %s\n",
	    fmt_kb(info->mem_available_kb, a, sizeof a));
	facts_text(f, m, fx);
	batch_suspects_text(f, m);

	fprintf(f, "\n%-16s %7s", "CLASS", "REGIONS");
	for (k = 0; k < BATCH_NCLASS; k++)
		batch_text_title(f, batch_class_fields[k],
		    batch_text_width(batch_class_fields[k]), " ");
	fputc('\n', f);
	ng = model_groups(m, GROUP_CLASS, &groups);
	for (i = 0; i < ng; i++) {
		struct field_row g = { m, NULL, &groups[i], 16 };

		esc_text(groups[i].label, strlen(groups[i].label), esc,
		    sizeof esc, true);
		fprintf(f, "%-16s %7zu", esc, groups[i].nregions);
		for (k = 0; k < BATCH_NCLASS; k++)
			batch_text_cell(f, batch_class_fields[k], &g,
			    batch_text_width(batch_class_fields[k]));
		fputc('\n', f);
	}

	/* The region table: the columns of the registry, in its order. */
	fputs("\n ", f);
	for (id = 0; id < FIELD_COUNT; id++) {
		if (batch_has(id, FIELD_COLUMN, false))
			batch_text_title(f, id, batch_text_width(id), " ");
	}
	for (id = 0; id < FIELD_COUNT; id++) {
		if (batch_has(id, FIELD_COLUMN, true))
			batch_text_title(f, id, 0, "  ");
	}
	fputc('\n', f);
	for (i = 0; i < t->nrows; i++) {
		const struct tracked_region *r = t->rows[i];
		struct field_row rr = { m, r, NULL, 16 };
		struct field_value v;

		fputc(r->state == TR_NEW    ? '+' :
		        r->state == TR_GONE ? '-' :
		                              ' ',
		    f);
		for (id = 0; id < FIELD_COUNT; id++) {
			if (batch_has(id, FIELD_COLUMN, false))
				batch_text_cell(
				    f, id, &rr, batch_text_width(id));
		}
		/* The whole path, however long. */
		for (id = 0; id < FIELD_COUNT; id++) {
			if (batch_has(id, FIELD_COLUMN, true) &&
			    field_read(id, &rr, &v))
				fprintf(f, "  %s",
				    batch_escape(&v, &path, &path_cap));
		}
		fputs(r->deleted ? " (deleted)\n" : "\n", f);
	}
	fputc('\n', f);
	free(path);
}

/*
 * Output of the rows, which at 60,000 regions is most of what -b prints:
 * formatted by hand into a buffer written in large pieces (fprintf costs
 * about ten times as much a field), the same bytes as the printf formats.
 */
struct obuf {
	FILE *f;
	char *p;
	size_t len, cap;
};

static void
ob_flush(struct obuf *o)
{
	if (o->len > 0)
		fwrite(o->p, 1, o->len, o->f);
	o->len = 0;
}

/* Room for n bytes more (n at most 64, or cap). */
static inline char *
ob_room(struct obuf *o, size_t n)
{
	if (o->len + n > o->cap)
		ob_flush(o);
	return o->p + o->len;
}

static inline void
ob_raw(struct obuf *o, const char *s, size_t n)
{
	if (n > o->cap) { /* longer than the buffer: straight out */
		ob_flush(o);
		fwrite(s, 1, n, o->f);
		return;
	}
	memcpy(ob_room(o, n), s, n);
	o->len += n;
}

static inline void
ob_str(struct obuf *o, const char *s)
{
	ob_raw(o, s, strlen(s));
}

/* Two decimal digits a step: "00" to "99". */
static const char ob_pairs[] = "00010203040506070809"
                               "10111213141516171819"
                               "20212223242526272829"
                               "30313233343536373839"
                               "40414243444546474849"
                               "50515253545556575859"
                               "60616263646566676869"
                               "70717273747576777879"
                               "80818283848586878889"
                               "90919293949596979899";

/* Decimal digits of v, as %PRIu64: written where they go, two a step. */
static void
ob_u64(struct obuf *o, uint64_t v)
{
	char *p = ob_room(o, 20), *e;
	uint64_t t = v;
	size_t n = 1;

	while (t >= 10) {
		t /= 10;
		n++;
	}
	e = p + n;
	while (v >= 100) {
		const char *d = ob_pairs + v % 100 * 2;

		v /= 100;
		*--e = d[1];
		*--e = d[0];
	}
	if (v >= 10) {
		e[-1] = ob_pairs[v * 2 + 1];
		e[-2] = ob_pairs[v * 2];
	} else
		e[-1] = (char)('0' + v);
	o->len += n;
}

static void
ob_i64(struct obuf *o, int64_t v)
{
	if (v < 0) {
		*ob_room(o, 1) = '-';
		o->len++;
		ob_u64(o, (uint64_t)0 - (uint64_t)v);
	} else
		ob_u64(o, (uint64_t)v);
}

/* Two hex digits a step: "00" to "ff". */
static const char ob_hex_pairs[] = "000102030405060708090a0b0c0d0e0f"
                                   "101112131415161718191a1b1c1d1e1f"
                                   "202122232425262728292a2b2c2d2e2f"
                                   "303132333435363738393a3b3c3d3e3f"
                                   "404142434445464748494a4b4c4d4e4f"
                                   "505152535455565758595a5b5c5d5e5f"
                                   "606162636465666768696a6b6c6d6e6f"
                                   "707172737475767778797a7b7c7d7e7f"
                                   "808182838485868788898a8b8c8d8e8f"
                                   "909192939495969798999a9b9c9d9e9f"
                                   "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf"
                                   "b0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
                                   "c0c1c2c3c4c5c6c7c8c9cacbcccdcecf"
                                   "d0d1d2d3d4d5d6d7d8d9dadbdcdddedf"
                                   "e0e1e2e3e4e5e6e7e8e9eaebecedeeef"
                                   "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";

/* Hex digits of v, as %PRIx64, two a step; quoted for JSON. */
static void
ob_hex(struct obuf *o, uint64_t v, bool quote)
{
	size_t n = v != 0 ? (size_t)(67 - __builtin_clzll(v)) / 4 : 1;
	size_t w = quote ? n + 2 : n;
	char *p = ob_room(o, 18), *e = p + w;

	if (quote) {
		p[0] = '"';
		*--e = '"';
	}
	for (; n >= 2; n -= 2, v >>= 8) {
		e -= 2;
		memcpy(e, ob_hex_pairs + (v & 255) * 2, 2);
	}
	if (n == 1)
		e[-1] = ob_hex_pairs[(v & 15) * 2 + 1];
	o->len += w;
}

/* A rate as %.3f: the common 0 by hand, others by snprintf. */
static void
ob_rate(struct obuf *o, double d)
{
	char b[64];
	int n;

	if (d == 0 && !signbit(d)) {
		ob_raw(o, "0.000", 5);
		return;
	}
	n = snprintf(b, sizeof b, "%.3f", d);
	ob_raw(o, b, n > 0 && (size_t)n < sizeof b ? (size_t)n : 0);
}

/* Whether bytes need no escape in JSON nor quotes in CSV: printable ASCII
 * without " \ , and not starting with a space. */
static bool
ob_plain(const char *s, size_t n)
{
	/* Bit c of the 128: whether byte c may go as it is. */
	static const uint64_t plain[2] = {
		~(uint64_t)0 & ~((uint64_t)0xffffffff) & ~((uint64_t)1 << '"') &
		    ~((uint64_t)1 << ','),
		~((uint64_t)1 << ('\\' - 64)) & ~((uint64_t)1 << 63),
	};
	const unsigned char *u = (const unsigned char *)s;
	size_t i;

	if (n > 0 && s[0] == ' ')
		return false;
	for (i = 0; i < n; i++)
		if (u[i] >= 128 || !(plain[u[i] >> 6] >> (u[i] & 63) & 1))
			return false;
	return true;
}

static void
ob_text(struct obuf *o, const char *s, size_t n, bool json)
{
	if (n + 2 <= o->cap && ob_plain(s, n)) {
		char *p = ob_room(o, n + 2);

		if (json)
			*p++ = '"';
		memcpy(p, s, n);
		p += n;
		if (json)
			*p++ = '"';
		o->len = (size_t)(p - o->p);
		return;
	}
	ob_flush(o); /* the general escapers write to the FILE */
	if (json)
		json_put_string(o->f, s, n);
	else
		csv_put_field(o->f, s, n);
}

/* One value as CSV (json false) or JSON writes it, without its key.
 * Inline: a call a value was a tenth of a JSON row's instructions. */
static inline __attribute__((always_inline)) void
batch_put_value(struct obuf *o, enum field_type type,
    const struct field_value *v, bool json)
{
	switch (type) {
	case FT_RANGE:
	case FT_HEX:
		ob_hex(o, v->u, json);
		break;
	case FT_TEXT:
		ob_text(o, v->s, v->len, json);
		break;
	case FT_KB:
		ob_u64(o, v->u);
		break;
	case FT_DELTA:
		ob_i64(o, v->i);
		break;
	case FT_RATE:
		/* Not known yet: null, or an empty CSV field; never 0. */
		if (isfinite(v->d))
			ob_rate(o, v->d);
		else if (json)
			ob_raw(o, "null", 4);
		break;
	case FT_BOOL:
		ob_str(
		    o, json ? (v->u ? "true" : "false") : (v->u ? "1" : "0"));
		break;
	}
}

/* The fields of flag (FIELD_CSV or FIELD_JSON) in the order they are
 * written, tail last, and the text before each value: once per print. */
struct batch_cols {
	const struct field *f[FIELD_COUNT];
	char lead[FIELD_COUNT][48]; /* ", \"rss_kb\": " or "," */
	size_t lead_len[FIELD_COUNT];
	int n;
	int tail; /* the first of the tail fields (the path) */
	bool json;
};

static void
batch_cols(struct batch_cols *c, unsigned flag)
{
	int pass, id;

	memset(c, 0, sizeof *c);
	c->json = flag == FIELD_JSON;
	for (pass = 0; pass < 2; pass++) {
		if (pass == 1)
			c->tail = c->n;
		for (id = 0; id < FIELD_COUNT; id++) {
			if (!batch_has(id, flag, pass == 1))
				continue;
			snprintf(c->lead[c->n], sizeof c->lead[c->n],
			    c->json ? "%s\"%s\": " : "%s",
			    c->n ? (c->json ? ", " : ",") : "",
			    field_get(id)->key);
			c->lead_len[c->n] = strlen(c->lead[c->n]);
			c->f[c->n++] = field_get((enum field_id)id);
		}
	}
}

/* The fields [from, to) of c of one row. */
static void
batch_put_fields(struct obuf *o, const struct field_row *row,
    const struct batch_cols *c, int from, int to)
{
	struct field_value v;
	int k;

	for (k = from; k < to; k++) {
		const struct field *f = c->f[k];

		if (!field_read_of(f, row, &v))
			memset(&v, 0, sizeof v);
		/* The whole array in one fixed-size move, then on by the
		 * lead's length. */
		memcpy(ob_room(o, sizeof c->lead[k]), c->lead[k],
		    sizeof c->lead[k]);
		o->len += c->lead_len[k];
		batch_put_value(o, f->type, &v, c->json);
		if (f->type == FT_RANGE) {
			/* The end, as a field of its own. */
			ob_str(o, c->json ? ", \"end\": " : ",");
			ob_hex(o, v.u2, c->json);
		}
	}
}

/* One value straight to f (the totals' and the groups'). */
static void
batch_put_value_f(
    FILE *f, enum field_id id, const struct field_value *v, bool json)
{
	char buf[256];
	struct obuf o = { f, buf, 0, sizeof buf };

	batch_put_value(&o, field_get(id)->type, v, json);
	ob_flush(&o);
}

/* A buffer for o's rows on f. */
static void
ob_open(struct obuf *o, FILE *f)
{
	o->f = f;
	o->cap = 1 << 16;
	o->p = xmalloc(o->cap);
	o->len = 0;
}

static void
ob_close(struct obuf *o)
{
	ob_flush(o);
	free(o->p);
}

/* The CSV heading of one pass's columns, each after a comma; or, when
 * empty, as many empty cells. */
static void
batch_csv_columns(FILE *f, int pass, bool empty)
{
	int id;

	for (id = 0; id < FIELD_COUNT; id++) {
		if (!batch_has(id, FIELD_CSV, pass == 1))
			continue;
		if (empty)
			fputs(field_get(id)->type == FT_RANGE ? ",," : ",", f);
		else
			fprintf(f,
			    field_get(id)->type == FT_RANGE ? ",%s,end" : ",%s",
			    field_get(id)->key);
	}
}

/* CSV: time, pid and comm, the registry's columns, the sample's facts
 * (facts.h, the same on every row: made once), the path last. */
static void
batch_csv(FILE *f, const struct model *m, const struct facts *fx,
    const struct table *t, unsigned long n)
{
	const struct snapshot_info *info = model_info(m);
	struct obuf o;
	struct batch_cols cols;
	char head[64], *cells = NULL;
	size_t i, ncells = 0;
	FILE *mf;

	if (n == 0) {
		fputs("time,pid,comm", f);
		batch_csv_columns(f, 0, false);
		facts_csv_head(f);
		batch_csv_columns(f, 1, false);
		fputc('\n', f);
	}
	snprintf(head, sizeof head, "%.3f,%d,", model_last_wall(m), info->pid);
	if ((mf = open_memstream(&cells, &ncells)) == NULL)
		fatal(EXIT_FAILURE_GENERIC, "out of memory");
	facts_csv_cells(mf, m, fx, NULL);
	if (fclose(mf) != 0)
		fatal(EXIT_FAILURE_GENERIC, "out of memory");
	batch_cols(&cols, FIELD_CSV);
	ob_open(&o, f);
	for (i = 0; i < t->nrows; i++) {
		struct field_row row = { m, t->rows[i], NULL, 16 };

		ob_str(&o, head);
		ob_text(&o, info->comm, strlen(info->comm), false);
		ob_raw(&o, ",", 1);
		batch_put_fields(&o, &row, &cols, 0, cols.tail);
		ob_raw(&o, cells, ncells);
		batch_put_fields(&o, &row, &cols, cols.tail, cols.n);
		ob_raw(&o, "\n", 1);
	}
	ob_close(&o);
	free(cells);
}

static void
batch_json(
    FILE *f, struct model *m, const struct facts *fx, const struct table *t)
{
	const struct snapshot_info *info = model_info(m);
	const struct model_totals *tot = model_totals(m);
	const struct region_group *groups;
	struct field_row totals = { m, NULL, NULL, 16 };
	struct batch_cols cols;
	struct obuf o;
	struct field_value v;
	size_t i, k, ng;
	int id;

	fprintf(f,
	    "{\"time\": %.3f, \"pid\": %d, \"comm\": ", model_last_wall(m),
	    info->pid);
	json_put_string(f, info->comm, strlen(info->comm));
	fputs(", \"cmdline\": ", f);
	json_put_string(f, info->cmdline, info->cmdline_len);
	batch_restart_json(f, info);
	fprintf(f,
	    ", \"state\": \"%s\", \"sample_ms\": %.3f, \"full\": %s, "
	    "\"totals\": {",
	    target_state_name(model_target_state(m)), model_last_sample_ms(m),
	    model_stale(m) == 0 ? "true" : "false");
	for (id = 0; id < FIELD_COUNT; id++) {
		if (!(field_get(id)->flags & FIELD_TOTAL) ||
		    !field_read(id, &totals, &v))
			continue;
		fprintf(f, "\"%s\": ", field_get(id)->key);
		batch_put_value_f(f, id, &v, true);
		fputs(", ", f);
	}
	fprintf(f, "\"regions\": %zu, \"rate_kb_s\": ", tot->nregions);
	v.d = model_totals_rate(m, SERIES_RSS);
	batch_put_value_f(f, FIELD_RATE, &v, true);
	fputc('}', f);
	fprintf(f, ", \"torn\": %u", model_torn(m));
	if (info->mem_available_kb != 0)
		fprintf(f, ", \"mem_available_kb\": %" PRIu64,
		    info->mem_available_kb);
	facts_json(f, m, fx);

	fputs(", \"classes\": [", f);
	ng = model_groups(m, GROUP_CLASS, &groups);
	for (i = 0; i < ng; i++) {
		struct field_row g = { m, NULL, &groups[i], 16 };

		fputs(i ? ", {\"class\": " : "{\"class\": ", f);
		json_put_string(f, groups[i].label, strlen(groups[i].label));
		fprintf(f, ", \"regions\": %zu", groups[i].nregions);
		for (k = 0; k < BATCH_NCLASS; k++) {
			field_read(batch_class_fields[k], &g, &v);
			fprintf(f, ", \"%s\": ",
			    field_get(batch_class_fields[k])->key);
			batch_put_value_f(f, batch_class_fields[k], &v, true);
		}
		fputc('}', f);
	}

	fputc(']', f);
	batch_suspects_json(f, m);
	fputs(", \"regions\": [", f);
	batch_cols(&cols, FIELD_JSON);
	ob_open(&o, f);
	for (i = 0; i < t->nrows; i++) {
		struct field_row row = { m, t->rows[i], NULL, 16 };

		ob_raw(&o, i ? ", {" : "{", i ? 3 : 1);
		batch_put_fields(&o, &row, &cols, 0, cols.n);
		ob_raw(&o, "}", 1);
	}
	ob_close(&o);
	fputs("]}\n", f);
}

int
batch_print(
    FILE *f, struct model *m, const struct batch_opts *o, unsigned long n)
{
	struct table own, *tp = o->table != NULL ? o->table : &own;
	const struct table *t = tp;
	struct facts fx;

	if (o->table == NULL)
		memset(&own, 0, sizeof own);
	facts_get(m, &fx);
	table_build(tp, m, o->sort, o->descending, o->filter, NULL);
	switch (o->format) {
	case BATCH_TEXT:
		batch_text(f, m, &fx, t);
		break;
	case BATCH_CSV:
		batch_csv(f, m, &fx, t, n);
		break;
	case BATCH_JSON:
		batch_json(f, m, &fx, t);
		break;
	case BATCH_SUSPECTS:
		batch_suspects_print(f, m);
		break;
	}
	if (o->table == NULL)
		table_free(&own);
	if (fflush(f) != 0 || ferror(f))
		return errno ? -errno : -EIO;
	return 0;
}

int
batch_print_end(FILE *f, struct model *m, const struct batch_opts *o,
    const struct end_verdict *v, enum target_state st, unsigned long n)
{
	struct facts fx;

	if (!v->known || model_samples(m) == 0)
		return 0;
	switch (o->format) {
	case BATCH_TEXT:
	case BATCH_SUSPECTS:
		facts_text_end(f, v);
		break;
	case BATCH_CSV:
		/* A row of its own: the end columns, no region. */
		if (n == 0)
			return 0;
		facts_get(m, &fx);
		fprintf(f, "%.3f,%d,", v->wall, model_info(m)->pid);
		csv_put_field(
		    f, model_info(m)->comm, strlen(model_info(m)->comm));
		batch_csv_columns(f, 0, true);
		facts_csv_cells(f, m, &fx, v);
		batch_csv_columns(f, 1, true);
		fputc('\n', f);
		break;
	case BATCH_JSON:
		facts_json_end(f, m, v, st);
		break;
	}
	if (fflush(f) != 0 || ferror(f))
		return errno ? -errno : -EIO;
	return 0;
}

static volatile sig_atomic_t batch_stop;

static void
batch_on_signal(int sig)
{
	batch_stop = sig;
}

int
batch_run(struct app *app, const struct batch_opts *bo_in)
{
	struct batch_opts own = *bo_in, *bo = &own;
	struct table table;
	unsigned long printed = 0;
	struct sigaction sa;
	bool told = false;
	int what, wrc;
	double wall, late_since = 0;

	memset(&table, 0, sizeof table);
	own.table = &table;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = batch_on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	batch_stop = 0;
	while (!batch_stop) {
		/* A live sample is taken on the sampler's thread, so that a
		 * read stuck on a target in D state or a frozen cgroup leaves
		 * this loop free to say so and to stop on a signal (which may
		 * land on another thread: look again soon).  A recording is
		 * read as fast as it decodes. */
		struct pollfd pfd = { pump_fd(app->pump), POLLIN, 0 };
		int wait = pump_timeout(app->pump);

		if (pfd.fd >= 0)
			poll(&pfd, 1, 200);
		else if (wait > 0) /* --follow waiting for a successor */
			poll(NULL, 0, wait < 200 ? wait : 200);
		if (batch_stop)
			break;
		what = pump_step(app->pump);
		if ((what & (PUMP_WAIT | PUMP_SWITCH)) &&
		    pump_warning(app->pump) != NULL)
			error_print("%s", pump_warning(app->pump));
		if (what & PUMP_SAMPLE) {
			/* How long it was waited for, as the first message
			 * counted: from the start of its read. */
			if (told)
				error_print("process %d: the late sample came "
				            "after %.1f s",
				    app->pid, clock_mono() - late_since);
			told = false;
			wall = model_last_wall(app->model);
			if (app->quiet || (app->from > 0 && wall < app->from))
				wrc = 0;
			else if (app->to > 0 && wall > app->to)
				break;
			else
				wrc = batch_print(
				    stdout, app->model, bo, printed++);
			if (wrc == -EPIPE)
				break;
			/* -n with --from: the samples printed. */
			if (app->from > 0 && app->max_samples > 0 &&
			    (long)printed >= app->max_samples)
				break;
			if (wrc != 0)
				fatal(EXIT_FAILURE_GENERIC,
				    "writing output: %s", strerror(-wrc));
		}
		if (what & (PUMP_END | PUMP_LIMIT))
			break;
		if (!told && pump_sampler(app->pump) != NULL &&
		    sampler_late(pump_sampler(app->pump))) {
			double busy = sampler_busy(pump_sampler(app->pump));

			late_since = clock_mono() - busy;
			error_print(
			    "process %d: sample late: reading its /proc "
			    "files has taken %.0f s so far (a target in D "
			    "state or a frozen cgroup?); still waiting",
			    app->pid, busy);
			told = true;
		}
	}
	/* How the target ended: the last record (live, or as the recording
	 * says; not past --to, nor when -n stopped the run first). */
	if (pump_ended(app->pump) && !batch_stop && !app->quiet &&
	    (app->to <= 0 || pump_end_verdict(app->pump)->wall <= app->to))
		batch_print_end(stdout, app->model, bo,
		    pump_end_verdict(app->pump), pump_end_state(app->pump),
		    printed);
	table_free(&table);
	if (pump_ended(app->pump) && pump_end_cause(app->pump) != NULL)
		error_print("%s", pump_end_cause(app->pump));
	return pump_exit_code(app->pump);
}
