/*
 * test-field.c - the field registry: names, lookups, the sort cycle, values
 * of regions, groups and totals, two models sorted and printed at once, and
 * the man page's COLUMNS, which must list what the registry holds.
 */
#include "config.h"

#include <ctype.h>
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
	is_str(buf, "+30.0K", "the totals' rate as a cell");
	model_free(m);
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

/* doc/memtop.1 from the source tree, or NULL. */
static char *
man_page(void)
{
	const char *dir = getenv("srcdir");
	char path[4096];
	char *buf = NULL;
	size_t n = 0;
	FILE *f;

	snprintf(path, sizeof path, "%s/doc/memtop.1", dir ? dir : ".");
	if ((f = fopen(path, "r")) == NULL)
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

static void
test_man(void)
{
	char *man = man_page(), *sec, *end, *p, want[128];
	bool same = true, keys = true;
	int id, at = 0;

	if (man == NULL || (sec = strstr(man, "\n.SH COLUMNS\n")) == NULL) {
		ok(0, "doc/memtop.1 has a COLUMNS section");
		free(man);
		return;
	}
	sec += 1;
	if ((end = strstr(sec + 4, "\n.SH ")) != NULL)
		*end = '\0';
	/* Each column of the registry, in its order, as ".TP" and then
	 * '.BR name " (Title, unit)"'. */
	p = sec;
	for (id = 0; id < FIELD_COUNT; id++) {
		const struct field *f = field_get(id);

		if (!(f->flags & FIELD_COLUMN))
			continue;
		snprintf(want, sizeof want, ".TP\n.BR %s \" (%s%s%s)\"\n",
		    f->name, f->title, f->unit[0] ? ", " : "", f->unit);
		if ((p = strstr(p, want)) == NULL) {
			diag("the man page lacks, or misplaces: %s", want);
			same = false;
			break;
		}
		at++;
	}
	for (p = sec, id = 0; (p = strstr(p, ".TP\n")) != NULL; p++)
		id++;
	ok(same && id == at,
	    "the man page lists the registry's %d columns, in its order, with "
	    "their titles and units, and no others",
	    at);
	for (id = 0; id < FIELD_COUNT; id++) {
		const struct field *f = field_get(id);

		if ((f->flags & (FIELD_CSV | FIELD_JSON | FIELD_TOTAL)) &&
		    !has_word(sec, f->key)) {
			diag("the man page does not name the key %s", f->key);
			keys = false;
		}
		if ((f->flags & FIELD_HEADER) && !has_word(sec, f->title)) {
			diag("the man page does not name the total %s",
			    f->title);
			keys = false;
		}
	}
	ok(keys && has_word(sec, "end"),
	    "and every CSV and JSON key, and every total of the header");
	free(man);
}

int
main(void)
{
	test_names();
	test_values();
	test_two_models();
	test_man();
	return tap_done();
}
