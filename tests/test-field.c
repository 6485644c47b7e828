/*
 * test-field.c - the field registry: names, lookups, the sort cycle, values
 * of regions, groups and totals, two models sorted and printed at once, and
 * the man page's COLUMNS, which must list what the registry holds.
 */
#include "config.h"

#include <ctype.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "field.h"
#include "table.h"
#include "tap.h"
#include "util.h"

#define K 1024ull

static void
add(struct snapshot *s, uint64_t start, uint64_t end, const char *perms,
    const char *path, uint64_t rss)
{
	struct region r;

	memset(&r, 0, sizeof r);
	r.start = start;
	r.end = end;
	memcpy(r.perms, perms, 4);
	r.kb[SF_SIZE] = (end - start) / 1024;
	r.kb[SF_RSS] = rss;
	r.kb[SF_PSS] = rss / 2;
	r.kb[SF_PRIVATE_DIRTY] = perms[1] == 'w' ? rss : 0;
	r.kb[SF_ANONYMOUS] = path[0] == '/' ? 0 : rss;
	r.present = (1u << SF_SIZE) | (1u << SF_RSS) | (1u << SF_PSS);
	snapshot_add_region(s, &r, path, strlen(path));
}

/* A model of n regions; the one at i has RSS (i * mul) % 97 kB. */
static struct model *
model_of(size_t n, uint64_t mul)
{
	struct snapshot *s = snapshot_new();
	struct model *m = model_new();
	size_t i;
	int k;

	for (k = 0; k < 2; k++) {
		snapshot_clear(s);
		s->mono = k;
		s->wall = 1700000000 + k;
		s->info.pid = 7;
		for (i = 0; i < n; i++)
			add(s, 0x10000000 + i * 0x2000,
			    0x10000000 + i * 0x2000 + 0x1000, "rw-p",
			    i % 3 ? "" : "/lib/x.so", (i * mul) % 97 + k);
		model_ingest(m, s);
	}
	snapshot_free(s);
	return m;
}

static void
test_names(void)
{
	char buf[256];
	enum field_id c = FIELD_RSS;
	int i;

	ok(field_lookup("rss") == FIELD_RSS && field_lookup("RSS") == FIELD_RSS,
	    "-s takes a name or a title, any case");
	ok(field_lookup("private_dirty") == FIELD_PRIVATE_DIRTY &&
	        field_lookup("Dirty") == FIELD_PRIVATE_DIRTY &&
	        field_lookup("pdirty") == FIELD_PRIVATE_DIRTY &&
	        field_lookup("address") == FIELD_ADDR,
	    "and the aliases");
	ok(field_lookup("offset") == -1 && field_lookup("anon") == -1 &&
	        field_lookup("bogus") == -1,
	    "a field that is no column, or none, is no sort key");
	is_str(field_get(FIELD_PRIVATE_DIRTY)->title, "Dirty",
	    "private dirty has one title");
	field_column_names(buf, sizeof buf, " ");
	is_str(buf,
	    "addr perms class path size rss pss private_dirty swap "
	    "delta rate",
	    "the sort keys, in the order < and > cycle");
	for (i = 0; i < 5; i++)
		c = field_next_column(c, -1);
	ok(c == FIELD_ADDR, "< five times from rss reaches addr");
	ok(field_next_column(FIELD_RATE, 1) == FIELD_ADDR &&
	        field_next_column(FIELD_ADDR, -1) == FIELD_RATE,
	    "and the cycle wraps both ways");
}

static void
test_values(void)
{
	struct model *m = model_of(30, 5);
	const struct region_group *g;
	struct field_row r = { m, model_region(m, 3), NULL, 12 };
	struct field_row tot = { m, NULL, NULL, 12 };
	struct field_row grp = { m, NULL, NULL, 12 };
	struct field_value v;
	char buf[64];

	model_groups(m, GROUP_CLASS, &g);
	grp.g = g;
	field_format(FIELD_ADDR, &r, buf, sizeof buf);
	is_str(buf, "000010006000-000010007000", "an address range, 12 digits");
	ok(field_read(FIELD_RSS, &r, &v) && v.u == 16, "a region's RSS");
	ok(field_read(FIELD_DELTA_PREV, &r, &v) && v.i == 1,
	    "its change since the sample before");
	ok(field_read(FIELD_SIZE, &tot, &v) && v.u == 30 * 4,
	    "the totals' size");
	ok(field_read(FIELD_ANON, &tot, &v) &&
	        v.u == model_totals(m)->kb[SF_ANONYMOUS] && v.u > 0,
	    "the totals' anonymous memory");
	ok(!field_read(FIELD_ADDR, &grp, &v) && field_read(FIELD_RSS, &grp, &v),
	    "a group has no address, but an RSS");
	ok(field_read(FIELD_CLASS, &grp, &v) && v.len > 0,
	    "a group's class is its name");
	field_format(FIELD_RATE, &tot, buf, sizeof buf);
	is_str(buf, "+30K/s", "the totals' rate as a cell, per second");
	model_free(m);
}

/* Each column is as wide as the widest value it can hold, and its title:
 * a size, a change, a rate, whatever the figures (test-util checks that
 * the formatters keep to those widths). */
static void
test_widths(void)
{
	bool wide = true;
	int id;

	for (id = 0; id < FIELD_COUNT; id++) {
		const struct field *f = field_get(id);
		int need = f->type == FT_KB ? FMT_KB_WIDTH :
		    f->type == FT_DELTA     ? FMT_KB_WIDTH + 1 :
		    f->type == FT_RATE      ? FMT_RATE_WIDTH :
		                              0;

		if (!(f->flags & FIELD_COLUMN) || f->width == 0)
			continue;
		if (f->width < need || f->width < (int)strlen(f->title)) {
			diag(
			    "%s: %d columns, its values need %d, its title %zu",
			    f->name, f->width, need, strlen(f->title));
			wide = false;
		}
	}
	ok(wide, "every column is as wide as its widest value and its title");
}

struct sort_job {
	struct model *m;
	int ok;
};

/* Sort one model's table again and again: any shared sort state would
 * mix two models' rows up. */
static void *
sort_thread(void *arg)
{
	struct sort_job *j = arg;
	struct table t;
	int round;
	size_t i;

	memset(&t, 0, sizeof t);
	j->ok = 1;
	for (round = 0; round < 40; round++) {
		table_build(&t, j->m, round % 2 ? FIELD_RSS : FIELD_CLASS, true,
		    NULL, NULL);
		for (i = 0; i < t.nrows; i++)
			j->ok &= model_region_by_id(j->m, t.rows[i]->id) ==
			    t.rows[i];
		for (i = 1; round % 2 && i < t.nrows; i++)
			j->ok &=
			    t.rows[i - 1]->kb[SF_RSS] >= t.rows[i]->kb[SF_RSS];
	}
	table_free(&t);
	return NULL;
}

static void
test_two_models(void)
{
	struct sort_job a = { model_of(20000, 7), 0 };
	struct sort_job b = { model_of(15000, 11), 0 };
	pthread_t ta, tb;
	struct batch_opts bo = { BATCH_CSV, FIELD_RSS, true, NULL, NULL };
	char *one = NULL, *two = NULL, *again = NULL;
	size_t n1, n2, n3;
	FILE *f;

	pthread_create(&ta, NULL, sort_thread, &a);
	pthread_create(&tb, NULL, sort_thread, &b);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	ok(a.ok && b.ok, "two models' tables sorted at once, each its own");

	f = open_memstream(&one, &n1);
	batch_print(f, a.m, &bo, 0);
	fclose(f);
	f = open_memstream(&two, &n2);
	batch_print(f, b.m, &bo, 0);
	fclose(f);
	f = open_memstream(&again, &n3);
	batch_print(f, a.m, &bo, 0);
	fclose(f);
	ok(n1 == n3 && memcmp(one, again, n1) == 0 && n1 != n2,
	    "the batch printer keeps nothing of one model for the next");
	free(one);
	free(two);
	free(again);
	model_free(a.m);
	model_free(b.m);
}

/* The rows' numbers as the printf formats write them: every digit count
 * from 1 to 20 (decimal) and 1 to 16 (hex), both signs of a change. */
static void
test_numbers(void)
{
	static const uint64_t kb[] = { 0, 9, 10, 99, 100, 12345, 999999,
		1000000, 4294967295u };
	struct batch_opts bo = { BATCH_JSON, FIELD_ADDR, false, NULL, NULL };
	struct snapshot *s = snapshot_new();
	struct model *m = model_new();
	struct table t = { 0 };
	char *out = NULL, *row, want[96];
	size_t n = 0, i, bad = 0, nk = sizeof kb / sizeof kb[0];
	int k;
	FILE *f;

	for (k = 0; k < 2; k++) {
		snapshot_clear(s);
		s->mono = k;
		s->wall = 1700000000 + k;
		for (i = 0; i < 20; i++) {
			struct region r;

			memset(&r, 0, sizeof r);
			/* Addresses of 1 and 4 to 16 hex digits, offsets of
			 * 1 to 16. */
			r.start = i == 0 ? 0 :
			    i <= 13      ? (uint64_t)1 << (4 * i + 8) :
			                   ((uint64_t)1 << 60) + ((i - 13) << 40);
			r.end = r.start + 4096;
			r.offset = i < 16 ? ((uint64_t)1 << (4 * i)) - 1 :
			    i == 16       ? UINT64_MAX :
			                    i;
			memcpy(r.perms, "rw-p", 4);
			r.kb[SF_SIZE] = 4;
			r.kb[SF_RSS] = kb[(i + (size_t)k) % nk];
			r.present = (1u << SF_SIZE) | (1u << SF_RSS);
			snapshot_add_region(s, &r, "", 0);
		}
		model_ingest(m, s);
	}
	f = open_memstream(&out, &n);
	bo.table = &t;
	batch_print(f, m, &bo, 0);
	fclose(f);
	row = strstr(out, "\"regions\": [");
	for (i = 0; i < t.nrows && row != NULL; i++) {
		const struct tracked_region *r = t.rows[i];
		int64_t d = (int64_t)r->kb[SF_RSS] - (int64_t)r->prev_kb[0];
		char *end;

		row = strstr(row + 1, "{\"start\": ");
		if (row == NULL || (end = strchr(row, '}')) == NULL)
			break;
		*end = '\0';
		snprintf(want, sizeof want,
		    "{\"start\": \"%" PRIx64 "\", \"end\": \"%" PRIx64
		    "\", \"perms\": \"rw-p\", \"offset\": \"%" PRIx64 "\"",
		    r->start, r->end, r->offset);
		bad += strncmp(row, want, strlen(want)) != 0;
		snprintf(want, sizeof want, "\"rss_kb\": %" PRIu32 ",",
		    r->kb[SF_RSS]);
		bad += strstr(row, want) == NULL;
		snprintf(
		    want, sizeof want, "\"delta_rss_kb\": %" PRId64 ",", d);
		bad += strstr(row, want) == NULL;
		if (bad > 0)
			diag("row %zu: %s", i, row);
		*end = '}';
		row = end;
	}
	ok(i == 20 && bad == 0,
	    "JSON rows' addresses, offsets, sizes and changes are printf's");
	table_free(&t);
	free(out);
	model_free(m);
	snapshot_free(s);
}

/* A gone region and the one now at its start: by address, then by id
 * (the model lists the one present first). */
static void
test_same_start(void)
{
	struct snapshot *s = snapshot_new();
	struct model *m = model_new();
	struct table t = { 0 };
	size_t i;
	bool starts = true;
	int k;

	for (k = 0; k < 2; k++) {
		snapshot_clear(s);
		s->mono = k;
		s->wall = 1700000000 + k;
		add(s, 0x10000, 0x11000, "r--p", k ? "/lib/b.so" : "/lib/a.so",
		    4);
		add(s, 0x20000, 0x21000, "rw-p", "", 4);
		model_ingest(m, s);
	}
	for (i = 0; i < model_nregions(m); i++)
		starts &= model_region_start(m, i) == model_region(m, i)->start;
	ok(model_nregions(m) == 3 && starts,
	    "the model's list has each region's start");
	table_build(&t, m, FIELD_ADDR, false, NULL, NULL);
	ok(t.nrows == 3 && t.rows[0]->start == t.rows[1]->start &&
	        t.rows[0]->id < t.rows[1]->id && t.rows[0]->state == TR_GONE,
	    "by address, the gone region and the new one at its start by id");
	table_build(&t, m, FIELD_ADDR, true, NULL, NULL);
	ok(t.nrows == 3 && t.rows[0]->start == 0x20000 &&
	        t.rows[1]->start == 0x10000 && t.rows[2]->start == 0x10000 &&
	        t.rows[1]->id < t.rows[2]->id,
	    "by address, highest first: the two of one start still by id");
	table_build(&t, m, FIELD_RSS, true, NULL, NULL);
	ok(t.nrows == 3 && t.rows[0]->start == 0x10000 &&
	        t.rows[0]->id < t.rows[1]->id && t.rows[1]->start == 0x10000,
	    "and so in a tie of another key");
	table_free(&t);
	model_free(m);
	snapshot_free(s);
}

/* Text columns sort as their texts compare (field_compare()), equal texts
 * by address: labels of two paths alike ("[anon:x]" and "[anon:x" are
 * both "anon:x") included; and either way the two smallest values of a
 * column stay apart (RSS 0 and 1 kB; the first two texts in order). */
static void
test_text_sorts(void)
{
	static const char *const paths[] = { "", "/lib/b.so", "/lib/a.so",
		"[anon:x]", "[anon:x", "[heap]", "[anon:a]", "/usr/bin/t" };
	static const char *const perms[] = { "rw-p", "r--p", "r-xp", "---p" };
	static const enum field_id cols[] = { FIELD_PERMS, FIELD_CLASS,
		FIELD_PATH, FIELD_RSS };
	struct snapshot *s = snapshot_new();
	struct model *m = model_new();
	struct table t = { 0 };
	size_t i, bad = 0, c;
	int d;

	s->mono = 0;
	s->wall = 1700000000;
	for (i = 0; i < 400; i++)
		add(s, 0x10000 + i * 0x2000, 0x11000 + i * 0x2000,
		    perms[i * 7 % 4], paths[i * 5 % 8], i % 9);
	model_ingest(m, s);
	for (c = 0; c < 4; c++) {
		for (d = 0; d < 2; d++) {
			table_build(&t, m, cols[c], d, NULL, NULL);
			for (i = 1; i < t.nrows; i++) {
				struct field_row a = { m, t.rows[i - 1], NULL,
					12 };
				struct field_row b = { m, t.rows[i], NULL, 12 };
				int k = field_compare(cols[c], &a, &b);

				bad += t.nrows != 400 || (d ? -k : k) > 0 ||
				    (k == 0 && a.r->start > b.r->start);
			}
		}
	}
	ok(bad == 0,
	    "by permissions, class, path and RSS, either way: as the "
	    "values compare, equal ones by address");
	table_free(&t);
	model_free(m);
	snapshot_free(s);
}

/* doc/memtop.1's path in the source tree. */
static const char *
man_path(void)
{
	static char path[4096];
	const char *dir = getenv("srcdir");

	snprintf(path, sizeof path, "%s/doc/memtop.1", dir ? dir : ".");
	return path;
}

/* doc/memtop.1 from the source tree, or NULL. */
static char *
man_page(void)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f;

	if ((f = fopen(man_path(), "r")) == NULL)
		return NULL;
	buf = xmalloc(1 << 20);
	n = fread(buf, 1, (1 << 20) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Whether word appears in text as a whole word. */
static bool
has_word(const char *text, const char *word)
{
	size_t n = strlen(word);
	const char *p;

	for (p = strstr(text, word); p != NULL; p = strstr(p + 1, word)) {
		bool before = p == text ||
		    !(isalnum((unsigned char)p[-1]) || p[-1] == '_');
		bool after = !(isalnum((unsigned char)p[n]) || p[n] == '_');

		if (before && after)
			return true;
	}
	return false;
}

/*
 * The part of section `name` that field_man() makes, from its marker
 * line to the next section, against what field_man() makes now.
 * MEMTOP_MAN_UPDATE=1 writes it into doc/memtop.1 instead (review the
 * diff, commit it).  Returns the man page, updated or not.
 */
static char *
man_section_made(char *man, const char *name)
{
	char head[64], *sec, *from, *to, *made = NULL, *out;
	size_t n = 0;
	FILE *f;

	snprintf(head, sizeof head, "\n.SH %s\n", name);
	f = open_memstream(&made, &n);
	field_man(f, name);
	fclose(f);
	if ((sec = strstr(man, head)) == NULL ||
	    (from = strstr(sec, ".\\\" Made from src/field.c")) == NULL ||
	    ((to = strstr(sec + 1, "\n.SH ")) != NULL && from > to)) {
		ok(0, "doc/memtop.1 has a %s section with its made part", name);
		free(made);
		return man;
	}
	to = to != NULL ? to + 1 : from + strlen(from);
	if (getenv("MEMTOP_MAN_UPDATE") != NULL) {
		out = xasprintf("%.*s%s%s", (int)(from - man), man, made, to);
		f = fopen(man_path(), "w");
		ok(f != NULL && fputs(out, f) >= 0 && fclose(f) == 0,
		    "%s written into %s", name, man_path());
		free(man);
		free(made);
		return out;
	}
	if (!ok((size_t)(to - from) == n && memcmp(from, made, n) == 0,
	        "the man page's %s are those of the registry (src/field.c), "
	        "each with its meaning and its source",
	        name)) {
		diag("MEMTOP_MAN_UPDATE=1 tests/test-field rewrites them; it "
		     "would write:");
		fputs(made, stdout);
	}
	free(made);
	return man;
}

static void
test_man(void)
{
	char *man = man_page(), *sec, *end, *p, name[64], tags[4096];
	const struct header_fact *h;
	size_t i, n;
	bool all = true;
	int c, id;

	if (man == NULL) {
		ok(0, "doc/memtop.1 is there");
		return;
	}
	man = man_section_made(man, "COLUMNS");
	man = man_section_made(man, "HEADER");
	/* What it made names every column, key, total and header fact. */
	sec = strstr(man, "\n.SH COLUMNS\n");
	for (id = 0; sec != NULL && id < FIELD_COUNT; id++) {
		const struct field *f = field_get(id);

		if ((f->flags & (FIELD_CSV | FIELD_JSON | FIELD_TOTAL)) &&
		    !has_word(sec, f->key)) {
			diag("the man page does not name the key %s", f->key);
			all = false;
		}
		if ((f->flags & FIELD_COLUMN) && !has_word(sec, f->name))
			all = false;
	}
	sec = strstr(man, "\n.SH HEADER\n");
	n = field_header_facts(&h);
	for (i = 0; sec != NULL && i < n; i++)
		all &= strstr(sec, h[i].name) != NULL &&
		    strstr(sec, h[i].source) != NULL;
	for (id = 0; sec != NULL && id < FIELD_COUNT; id++) {
		if (field_get(id)->flags & FIELD_HEADER)
			all &= has_word(sec, field_get(id)->title);
	}
	ok(all && sec != NULL,
	    "COLUMNS names every column and key, HEADER every total and fact "
	    "with its source");

	/* Every built-in class has its entry in REGION CLASSES, as a bold
	 * word of a tag line (".B brk\\-heap", ".BR code \", \" rodata"). */
	sec = strstr(man, "\n.SH REGION CLASSES\n");
	end = sec != NULL ? strstr(sec + 1, "\n.SH ") : NULL;
	if (end != NULL)
		*end = '\0';
	/* The tag lines alone: the line after each ".TP". */
	for (i = 0, p = sec; p != NULL && (p = strstr(p, "\n.TP\n")) != NULL;
	     p += 4) {
		size_t k = strcspn(p + 5, "\n");

		if (i + k + 2 < sizeof tags) {
			memcpy(tags + i, p + 5, k);
			i += k;
			tags[i++] = '\n';
		}
	}
	tags[i] = '\0';
	sec = sec != NULL ? tags : NULL;
	for (all = sec != NULL, c = 0; sec != NULL && c < RC_COUNT; c++) {
		char want[80], *w = want;
		const char *q;

		snprintf(name, sizeof name, "%s",
		    c == RC_ANON_NAMED ? "anon:" : region_class_name(c));
		/* As troff writes it: each '-' as "\\-". */
		for (q = name; *q != '\0' && w < want + sizeof want - 3; q++) {
			if (*q == '-')
				*w++ = '\\';
			*w++ = *q;
		}
		*w = '\0';
		if (!has_word(sec, want)) {
			diag("REGION CLASSES lacks the class %s", name);
			all = false;
		}
	}
	ok(all,
	    "REGION CLASSES has an entry for every one of the %d built-in "
	    "classes",
	    RC_COUNT);
	free(man);
}

int
main(void)
{
	test_names();
	test_values();
	test_widths();
	test_two_models();
	test_numbers();
	test_same_start();
	test_text_sorts();
	test_man();
	return tap_done();
}
