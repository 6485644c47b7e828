/*
 * test-view.c - the dashboard's screens drawn headless: ncurses on newterm()
 * over /dev/null at a fixed size, a model fed with constructed snapshots,
 * keys applied with view_key(), and the rows read back from stdscr.
 */
#include "config.h"

#include <curses.h>
#include <fcntl.h>
#include <locale.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include "batch.h"
#include "fit.h"
#include "proc-parse.h"
#include "session.h"
#include "spark.h"
#include "tap.h"
#include "util.h"
#include "view-int.h"

#define K 1024ull

static struct snapshot *snap;
static double now;
static struct app app;
static struct view v;

static void
begin(void)
{
	snapshot_clear(snap);
	now += 1.0;
	snap->seq++;
	snap->mono = now;
	snap->wall = 1700000000 + now;
	snap->sample_ms = 1.5;
	snap->info.pid = 4242;
	snprintf(snap->info.comm, sizeof snap->info.comm, "leaky");
	/* The target's command line holds an escape sequence. */
	snap->info.cmdline_len = (uint32_t)snprintf(snap->info.cmdline,
	    sizeof snap->info.cmdline, "leaky --serve \033[2J");
	snap->info.age_s = 3600 + now;
	snap->info.mem_available_kb = 8 * K * K;
	snap->info.mem_total_kb = 16 * K * K;
	snap->info.has_cgroup = 1;
	snap->info.cg_current = 12 * K * K;
	snap->info.cg_max = 16 * K * K;
	snap->info.cg_oom_kills = 2;
	snprintf(snap->info.cgroup_path, sizeof snap->info.cgroup_path,
	    "/svc.slice");
}

/* The cgroup's facts as the live source gives them (v1, limit 16M of its
 * own): what cannot be reclaimed follows the leak, unreclaimable_kb. */
static void
cgroup_facts(uint64_t unreclaimable_kb)
{
	struct cgroup_facts *cg = &snap->info.cg;

	memset(cg, 0, sizeof *cg);
	cg->version = CGROUP_V1;
	snprintf(cg->path, sizeof cg->path, "/svc.slice");
	parse_cgroup_owner(cg->path, strlen(cg->path), &cg->owner);
	cg->v[CG_CURRENT] = snap->info.cg_current;
	cg->v[CG_MAX] = snap->info.cg_max;
	cg->v[CG_ANON] = unreclaimable_kb * K;
	cg->v[CG_FILE] = snap->info.cg_current - unreclaimable_kb * K;
	cg->has = (1u << CG_CURRENT) | (1u << CG_MAX) | (1u << CG_ANON) |
	    (1u << CG_FILE);
	cg->limit.max = snap->info.cg_max;
	cg->limit.current = snap->info.cg_current;
	cg->limit.unreclaimable = unreclaimable_kb * K;
	cg->limit.swap_max = CG_UNLIMITED;
	cg->limit.has_usage = 1;
	cg->oom_kills = 2;
}

static void
add(uint64_t start, uint64_t end, const char *perms, const char *path,
    uint64_t rss, uint64_t swap)
{
	struct region r;

	memset(&r, 0, sizeof r);
	r.start = start;
	r.end = end;
	memcpy(r.perms, perms, 4);
	if (path[0] == '/')
		r.inode = 1000 + start / 4096;
	r.kb[SF_SIZE] = (end - start) / 1024;
	r.kb[SF_RSS] = rss;
	r.kb[SF_PSS] = rss;
	r.kb[SF_PRIVATE_DIRTY] = perms[1] == 'w' ? rss : 0;
	r.kb[SF_ANONYMOUS] = path[0] == '/' ? 0 : rss;
	r.kb[SF_SWAP] = swap;
	r.present = (1u << SF_SIZE) | (1u << SF_RSS) | (1u << SF_PSS) |
	    (1u << SF_PRIVATE_DIRTY) | (1u << SF_ANONYMOUS) | (1u << SF_SWAP);
	r.has_vmflags = 1;
	r.vmflags = 0x3;
	snapshot_add_region(snap, &r, path, strlen(path));
}

/*
 * One sample of a small service: k counts samples.  The anonymous mapping
 * at 0x7f0000000000 leaks 64 kB a second; a new mapping appears at k == 7
 * and the one at 0x7f2000000000 is unmapped then.
 */
static void
build(int k)
{
	uint64_t leak = 1000 + 64 * (uint64_t)k;

	begin();
	add(0x400000, 0x500000, "r-xp", "/usr/bin/leaky", 900, 0);
	add(0x600000, 0x900000 + (uint64_t)k * 0x1000, "rw-p", "[heap]", 3000,
	    0);
	add(0x7f0000000000, 0x7f0040000000, "rw-p", "", leak, 0);
	if (k < 7)
		add(0x7f2000000000, 0x7f2000100000, "rw-p", "", 300, 0);
	else
		add(0x7f3000000000, 0x7f3000010000, "rw-p", "", 40, 0);
	add(0x7f4000000000, 0x7f4000200000, "rw-s", "/dev/shm/cache", 2048, 0);
	add(0x7f5000000000, 0x7f5000004000, "---p", "", 0, 0);
	add(0x7f6000000000, 0x7f6000300000, "r-xp", "/usr/lib/libc.so.6", 1200,
	    0);
	add(0x7f7000000000, 0x7f7000001000, "r--p", "/tmp/evil\033[31mred.bin",
	    4, 0);
	add(0x7f7000001000, 0x7f7000002000, "r--p", "/tmp/\xe2\x80\xaetxt.exe",
	    4, 0);
	add(0x7ffd00000000, 0x7ffd00021000, "rw-p", "[stack]", 100, 12);
	cgroup_facts(leak + 3000 + 300 + 100);
}

/* Sample k as the dashboard takes it: into the model, then the header. */
static void
sample(int k)
{
	build(k);
	model_ingest(app.model, snap);
	v.rebuild = true;
}

/* Screen line y as UTF-8 text, trailing blanks dropped. */
static const char *
row(int y)
{
	static char out[4096];
	wchar_t w[1024];
	size_t n;

	out[0] = '\0';
	if (y < 0 || y >= LINES || mvinnwstr(y, 0, w, COLS) == ERR)
		return out;
	n = wcstombs(out, w, sizeof out - 1);
	if (n == (size_t)-1)
		n = 0;
	out[n] = '\0';
	while (n > 0 && out[n - 1] == ' ')
		out[--n] = '\0';
	return out;
}

/* The first line showing needle, from line `from`; -1 if none. */
static int
find(const char *needle, int from)
{
	int y;

	for (y = from; y < LINES; y++) {
		if (strstr(row(y), needle) != NULL)
			return y;
	}
	return -1;
}

/* The table line under the cursor (drawn reversed without colours). */
static int
cursor_line(void)
{
	int y;

	for (y = TABLE_TOP; y < LINES - 1; y++) {
		if (mvinch(y, 0) & A_REVERSE)
			return y;
	}
	return -1;
}

static void
keys(const char *s)
{
	for (; *s != '\0'; s++)
		view_key(&v, *s == '\n' ? '\r' : (unsigned char)*s);
	view_draw(&v);
}

static void
dump(void)
{
	int y;

	for (y = 0; y < LINES; y++)
		diag("%2d|%s", y, row(y));
}

/* A message in the footer lasts seconds: a golden screen shows none. */
static void
quiet(void)
{
	view_put_status_clear(&v.status);
	view_draw(&v);
}

/*
 * The whole screen against tests/golden/NAME.txt, line by line (trailing
 * blanks dropped).  MEMTOP_GOLDEN_UPDATE=1 in the environment writes the
 * file instead, in the source tree: review the diff, commit it.
 */
static void
golden(const char *name)
{
	const char *dir = getenv("srcdir");
	char path[4096], want[512];
	bool same = true;
	FILE *f;
	int y;

	/* A message lasts seconds: under load it would be gone, or not. */
	quiet();
	snprintf(
	    path, sizeof path, "%s/tests/golden/%s.txt", dir ? dir : ".", name);
	if (getenv("MEMTOP_GOLDEN_UPDATE") != NULL) {
		f = fopen(path, "w");
		for (y = 0; f != NULL && y < LINES; y++)
			fprintf(f, "%s\n", row(y));
		ok(f != NULL && fclose(f) == 0, "golden %s written", path);
		return;
	}
	if ((f = fopen(path, "r")) == NULL) {
		ok(0,
		    "golden %s: no such file (MEMTOP_GOLDEN_UPDATE=1 writes "
		    "it)",
		    path);
		return;
	}
	for (y = 0; y < LINES; y++) {
		const char *got = row(y);

		if (fgets(want, sizeof want, f) == NULL)
			want[0] = '\0';
		want[strcspn(want, "\n")] = '\0';
		if (strcmp(want, got) != 0) {
			if (same)
				diag("%s differs from line %d:", name, y);
			diag("want %2d|%s", y, want);
			diag("got  %2d|%s", y, got);
			same = false;
		}
	}
	if (fgets(want, sizeof want, f) != NULL)
		same = false;
	fclose(f);
	ok(same, "the screen is as tests/golden/%s.txt shows", name);
}

static void
screen_size(int lines, int cols)
{
	resizeterm(lines, cols);
	view_draw(&v);
}

/* A model of a test's own for a while: model_enter() gives the one to go
 * back to, model_leave() goes back to it at 120x40. */
static struct model *
model_enter(void)
{
	struct model *old = app.model;

	app.model = model_new();
	return old;
}

static void
model_leave(struct model *old)
{
	model_free(app.model);
	app.model = old;
	v.rebuild = true;
	screen_size(40, 120);
}

/* The column of the first row of the table, as text: rows from TABLE_TOP. */
static int
rows_containing(const char *needle)
{
	int y, n = 0;

	for (y = TABLE_TOP; y < LINES - 1; y++)
		n += strstr(row(y), needle) != NULL;
	return n;
}

static void
test_table(void)
{
	int y, y2;
	bool ok_all;
	char want[32];

	screen_size(40, 160);
	golden("regions-160x40");
	ok(strstr(row(0), "pid 4242") && strstr(row(0), "leaky"),
	    "the header names the pid and the command");
	ok(strstr(row(1), "leaky --serve \\e[2J") != NULL,
	    "the command line's escape sequence is shown as text");
	fmt_rate(model_totals_rate(app.model, SERIES_RSS), want, sizeof want);
	if (!ok(strstr(row(2), "RSS     8.5M") && strstr(row(2), want),
	        "the RSS total shows its size and growth rate"))
		dump();
	ok(find("MemAvailable 8.0G", 0) >= 0, "MemAvailable is in the header");
	ok(strstr(row(3), "Anon") && strstr(row(3), "4.5M") &&
	        strstr(row(3), "\u2588") && strstr(row(3), "K/s"),
	    "the anonymous total with its sparkline and rate");
	if (!ok(strstr(row(4), "cgroup 12M of 16M (75%), OOM in ~") &&
	            strstr(row(4), "OOM kills +2 since start") &&
	            strstr(row(4), "[/svc.slice]"),
	        "the cgroup line: usage, limit, the OOM projection, the OOM "
	        "kills since start, the path"))
		dump();

	y = find("[heap]", TABLE_TOP);
	ok(y > 0 && strstr(row(y), " brk-heap ") &&
	        strstr(row(y), "000000600000-"),
	    "the heap row: class and range");
	ok(find(" code ", TABLE_TOP) > 0 && find(" shm ", TABLE_TOP) > 0 &&
	        find(" stack ", TABLE_TOP) > 0 &&
	        find(" guard ", TABLE_TOP) > 0,
	    "code, shm, stack and guard rows are labelled");
	y = find("evil", TABLE_TOP);
	ok(y > 0 && strstr(row(y), "/tmp/evil\\e[31mred.bin"),
	    "a path's escape sequence is shown as text");
	ok(find("/tmp/\\u202etxt.exe", TABLE_TOP) > 0,
	    "a right-to-left override in a path is shown as \\u202e");
	for (ok_all = true, y = 0; y < LINES; y++)
		ok_all &= strchr(row(y), '\033') == NULL;
	ok(ok_all, "no raw escape byte reaches the screen");

	/* Sorted by RSS, biggest first: the heap (3000 kB) leads. */
	ok(strstr(row(TABLE_TOP), "[heap]") != NULL &&
	        strstr(row(TABLE_TOP + 1), "/dev/shm/cache") != NULL,
	    "sorted by RSS, the biggest region comes first");
	y = find("7f0000000000-", TABLE_TOP);
	ok(y > 0 &&
	        strstr(row(y),
	            "\u2581\u2582\u2583\u2584\u2585\u2586"
	            "\u2587\u2588") &&
	        strstr(row(y), "+64K/s"),
	    "the leaking region's sparkline rises and its rate is 64 kB/s");
	ok(y > 0 && strstr(row(y), "+448K") != NULL,
	    "its delta since the first sample");
	y = find("7f3000000000-", TABLE_TOP);
	ok(y > 0 && row(y)[0] == '+', "a new region is marked +");
	y = find("7f2000000000-", TABLE_TOP);
	ok(y > 0 && row(y)[0] == '-', "a gone region is marked -");

	keys("<");
	ok(strstr(row(TABLE_TOP - 2), "sort Size") != NULL &&
	        strstr(row(TABLE_TOP), "7f0000000000-") != NULL,
	    "< sorts by Size: the 1 GiB mapping first");
	keys("I");
	ok(strstr(row(TABLE_TOP), "7f7000000000-") != NULL ||
	        strstr(row(TABLE_TOP), "7f5000000000-") != NULL,
	    "I inverts: a 4 kB or 16 kB mapping first");
	keys("I>");
	if (!ok(strstr(row(TABLE_TOP - 2), "sort RSS") != NULL,
	        "> goes back to RSS"))
		dump();
	keys("<<<<<");
	ok(strstr(row(TABLE_TOP - 2), "sort Address") != NULL &&
	        strstr(row(TABLE_TOP), "000000400000-") != NULL,
	    "sorted by Address: the lowest first");
	keys("I");
	if (!ok(strstr(row(TABLE_TOP), "7ffd00000000-") != NULL,
	        "I on Address: the highest first"))
		dump();
	keys("I>>>>>");
	keys(">>>>>");
	{
		/* By rate: the rows that do not grow tie, in address order,
		 * however the fit rounds their zero. */
		unsigned long prev = 0, a;
		bool in_order = true;
		int n = 0;

		for (y = TABLE_TOP + 1; y < TABLE_TOP + 7; y++) {
			if (sscanf(row(y) + 1, " %lx-", &a) != 1)
				continue;
			in_order &= a > prev;
			prev = a;
			n++;
		}
		if (!ok(strstr(row(TABLE_TOP - 2), "sort Rate") != NULL &&
		            n >= 5 && in_order,
		        "sorted by Rate, the rows at 0 "
		        "stay in address order"))
			dump();
	}
	keys("<<<<<");

	/* The cursor follows its region when the order changes. */
	keys("/libc\n");
	y = cursor_line();
	ok(y > 0 && strstr(row(y), "libc.so.6"), "/ search moves to libc");
	y2 = y;
	sample(8);
	sample(9);
	view_draw(&v);
	y = cursor_line();
	ok(y > 0 && strstr(row(y), "libc.so.6"),
	    "after new samples the cursor is still on libc");
	keys("I");
	y = cursor_line();
	ok(y > 0 && y != y2 && strstr(row(y), "libc.so.6"),
	    "sorted the other way, the cursor is still on libc");
	keys("I");
	y = find("7f3000000000-", TABLE_TOP);
	ok(y > 0 && row(y)[0] == '+',
	    "two samples later the new region is still marked +");
	keys("\\shm\n");
	ok(rows_containing("shm") == 1 && find("[heap]", TABLE_TOP) < 0,
	    "\\ filter narrows the table to the matching region");
	keys("\\(\n");
	ok(strstr(row(LINES - 1), "bad pattern") != NULL,
	    "a bad pattern shows an error in the status line");
	ok(rows_containing("shm") == 1, "and the filter stays as it was");
	keys("\\\n");
	ok(find("[heap]", TABLE_TOP) > 0, "an empty filter shows all again");
	(void)y2;

	/* Baseline: m makes every delta 0, the next sample counts again. */
	keys("m");
	y = find("7f0000000000-", TABLE_TOP);
	ok(y > 0 && strstr(row(y), "+64K/s") && strstr(row(y), " 0 "),
	    "m: the leak's delta is 0 from now");
	sample(10);
	view_draw(&v);
	y = find("7f0000000000-", TABLE_TOP);
	ok(y > 0 && strstr(row(y), "+64K") != NULL,
	    "one sample later it is +64K");
	keys("M");
	y = find("7f0000000000-", TABLE_TOP);
	ok(y > 0 && strstr(row(y), "+640K") != NULL,
	    "M: the delta counts from the first sample again");
}

static void
test_detail(void)
{
	int y;

	keys("/\\[heap\n");
	y = cursor_line();
	keys("\n");
	quiet();
	golden("detail-heap");
	ok(find("VmFlags: rd wr", 0) > 0 && find("Private_Dirty", 0) > 0,
	    "Enter opens the detail: counters and VmFlags");
	ok(find("identity: appeared as 600000-900000, grew", 0) > 0,
	    "the detail tells the heap grew since it appeared");
	ok(find("RSS over the last", 0) > 0, "the chart shows RSS");
	{
		/* The heap's RSS is flat: one line at its level, with its
		 * value, no block of bars. */
		int t = find("RSS over the last", 0), axis = find("now", t + 1);
		int lines = 0, at = -1, k;

		for (k = t + 1; t > 0 && k < axis; k++) {
			if (strstr(row(k), "\u2500") != NULL) {
				lines++;
				at = k;
			}
		}
		if (!ok(t > 0 && strstr(row(t), "flat at 2.9M, 0/s") &&
		            lines == 1 &&
		            strncmp(row(at), "   2.9M ", 8) == 0 &&
		            find("\u2588", t) < 0 && find("\u2584", t) < 0,
		        "a flat series: a line at its level, labelled 2.9M, "
		        "and "
		        "no block"))
			dump();
	}
	view_key(&v, KEY_DOWN);
	view_draw(&v);
	ok(strstr(row(HEADER_ROWS), "7f4000000000-7f4000200000 rw-s") != NULL,
	    "Down in the detail shows the next region of the table");
	view_key(&v, KEY_UP);
	view_draw(&v);
	ok(strstr(row(HEADER_ROWS), "600000-") != NULL, "Up comes back");
	keys("\t");
	ok(find("PSS over the last", 0) > 0, "Tab: the chart shows PSS");
	keys("s");
	ok(find("Swap over the last", 0) > 0 ||
	        find("swap over the last", 0) > 0,
	    "s: the chart shows swap");
	keys("\033");
	ok(find("Rate", 0) > 0 && cursor_line() == y &&
	        strstr(row(y), "[heap]"),
	    "Esc: back on the table, same row");

	/* The leak's chart climbs from the bottom left to the top right. */
	keys("<"); /* by size: the 1 GiB leak first */
	view_key(&v, KEY_HOME);
	keys("\nr");
	y = find("RSS over the last", 0);
	if (!ok(y > 0 && strstr(row(y), "+64K/s") &&
	            strstr(row(y), "from 1000K to 1.6M"),
	        "the leak's chart: its rate and range, in units"))
		dump();
	if (y > 0) {
		int axis = find("now", y + 1), top = y + 1, bottom = axis - 1;
		cchar_t cc;
		wchar_t wc[CCHARW_MAX + 1];
		attr_t at;
		short pair;
		int x, first = -1;

		for (x = 0; x < COLS && axis > 0; x++) {
			mvin_wch(bottom, x, &cc);
			getcchar(&cc, wc, &at, &pair, NULL);
			if (first < 0 && wc[0] != L' ' && x >= 8)
				first = x;
		}
		mvin_wch(top, COLS - 2, &cc);
		getcchar(&cc, wc, &at, &pair, NULL);
		ok(axis > 0 && first > 0 && wc[0] == 0x2588 &&
		        strstr(row(top), "1.6M") &&
		        strstr(row(bottom), "1000K") &&
		        strstr(row(top + (bottom - top) / 2), "1.3M"),
		    "the newest bar fills the chart; the scale in units at its "
		    "top, middle and bottom");
		mvin_wch(top, first, &cc);
		getcchar(&cc, wc, &at, &pair, NULL);
		ok(first > 0 && wc[0] == L' ', "the oldest bar is low");
		ok(axis > 0 && strstr(row(axis), "-10s"),
		    "the time axis spans the samples shown");
	}
	keys("\033>");
}

static void
test_groups(void)
{
	int y;

	keys("g");
	quiet();
	golden("groups-by-class");
	ok(find("[By class]", 0) > 0, "g: grouped by class");
	y = find("anon ", TABLE_TOP);
	ok(y > 0 && strstr(row(y), " 2 ") != NULL,
	    "the anon group counts its two live members");
	keys("/^anon$\n");
	ok(cursor_line() == y, "/ searches the group names");
	keys("\n");
	quiet();
	golden("group-members");
	if (!ok(find("By class >", 0) > 0 &&
	            rows_containing("7f0000000000-") == 1,
	        "Enter on a group lists its members"))
		dump();
	keys("\033");
	ok(find("[By class]", 0) > 0, "Esc goes back to the groups");
	/* Groups sort by the same columns, and the filter narrows them. */
	keys("<");
	y = TABLE_TOP;
	ok(strstr(row(TABLE_TOP - 2), "sort Size") && strstr(row(y), "anon "),
	    "< in the group view: by Size, the anon group (1 GiB) first");
	keys("I");
	ok(!strstr(row(y), "anon "), "I inverts the groups too");
	keys("I>");
	keys("\\libc\n");
	ok(rows_containing(" code ") == 1 && rows_containing("anon ") == 0 &&
	        strstr(row(TABLE_TOP - 2), "1 group"),
	    "a filter narrows the groups to what it matches");
	keys("\\\n");
	keys("gg");
	ok(find("[Regions]", 0) > 0, "g twice more: back to regions");
}

/* The region table opens with the cursor on the top suspect, the leak,
 * although sorted by RSS it is the third row. */
static void
test_cursor_on_suspect(void)
{
	int y;

	screen_size(40, 170);
	y = cursor_line();
	if (!ok(y > TABLE_TOP && strstr(row(y), "7f0000000000-") != NULL,
	        "the table opens with the cursor on the leak, the top suspect"))
		dump();
	ok(strstr(row(5), "leak suspect: anon 7f00") &&
	        strstr(row(5), "+64K/s for ") && strstr(row(5), "steady"),
	    "the header names it: %s", row(5));
}

/* L: the ranking; g by class; Enter on a group lists its members. */
static void
test_suspects(void)
{
	int y;

	screen_size(40, 120);
	keys("L");
	golden("suspects-120x40");
	y = TABLE_TOP;
	if (!ok(strstr(row(y), "7f0000000000-7f0040000000") &&
	            strstr(row(y), "+64K/s") && strstr(row(y), "steady") &&
	            strstr(row(y), "anon"),
	        "L: the leak ranks first, at 64 kB/s, steady"))
		dump();
	ok(strstr(row(y), " 1 ") == row(y) || strncmp(row(y), "  1", 3) == 0,
	    "ranked 1");
	ok(find("confidence 0.", TABLE_TOP) > 0 &&
	        find("kept 1.00", TABLE_TOP) > 0,
	    "under the table: why it ranks there");
	ok(find("heap", TABLE_TOP) < 0,
	    "the heap, whose range grew but whose RSS did not, is no "
	    "suspect");
	screen_size(24, 80);
	golden("suspects-80x24");
	ok(strstr(row(TABLE_TOP), "7f0000000000-") &&
	        strstr(row(TABLE_TOP), "+64K/s"),
	    "at 80 columns the range still shows");
	screen_size(40, 120);
	keys("g");
	ok(strstr(row(HEADER_ROWS), "[By class]") &&
	        strstr(row(TABLE_TOP), "anon") &&
	        strstr(row(TABLE_TOP), "region"),
	    "g: by class, anon first");
	keys("\n");
	if (!ok(find("By class > anon", 0) > 0 &&
	            rows_containing("+64K/s") == 1 &&
	            rows_containing(" 1.0G ") == 1,
	        "Enter on the group: its members in the table"))
		dump();
	keys("\033\033");
	ok(find("[By class]", 0) > 0, "Esc: the groups");
	keys("gg");
	keys("L\n");
	if (!ok(find("identity: appeared as 7f0000000000-7f0040000000", 0) > 0,
	        "L, Enter on the leak: its detail"))
		dump();
	keys("\033");
	ok(find("Leak suspects", 0) > 0, "Esc: back to the ranking");
	keys("\033");
	ok(find("[Regions]", 0) > 0, "Esc again: the table");
}

/* D: what changed since the baseline, then since an m. */
static void
test_diff(void)
{
	int y;

	screen_size(40, 120);
	keys("M");
	keys("D");
	golden("diff-120x40");
	y = find("7f0000000000-", TABLE_TOP);
	if (!ok(y == TABLE_TOP && strstr(row(y), "grew") &&
	            strstr(row(y), "+640K"),
	        "D: the leak grew most since the first sample, first"))
		dump();
	y = find("7f3000000000-", TABLE_TOP);
	ok(y > 0 && strncmp(row(y), "new", 3) == 0 && strstr(row(y), "+40K"),
	    "the region mapped since is new");
	y = find("7f2000000000-", TABLE_TOP);
	ok(y > 0 && strncmp(row(y), "gone", 4) == 0 && strstr(row(y), "-300K"),
	    "the region unmapped since is gone");
	ok(strstr(row(HEADER_ROWS), "1 new") &&
	        strstr(row(HEADER_ROWS), "since the first sample at"),
	    "the tab line counts them: %s", row(HEADER_ROWS));
	ok(find("the process: RSS +", TABLE_TOP) > 0,
	    "and the process's change");
	screen_size(40, 100);
	view_draw(&v);
	ok(strstr(row(HEADER_ROWS), "0 shrank") &&
	        strstr(row(HEADER_ROWS), "(10s)  1 new 1 gone"),
	    "at 100 columns the tab line keeps its counts: %s",
	    row(HEADER_ROWS));
	screen_size(40, 120);
	view_draw(&v);
	keys("m");
	ok(find("nothing changed since the baseline", TABLE_TOP) > 0,
	    "m in the diff: nothing changed since now");
	sample(11);
	sample(12);
	view_draw(&v);
	y = find("7f0000000000-", TABLE_TOP);
	if (!ok(y == TABLE_TOP && strstr(row(y), "+128K") &&
	            strstr(row(HEADER_ROWS), "since m at") &&
	            find("exact", TABLE_TOP) > 0,
	        "two samples later: the leak +128K since m, exactly"))
		dump();
	keys("g");
	golden("diff-by-class");
	ok(strstr(row(TABLE_TOP), "grew") && strstr(row(TABLE_TOP), "anon"),
	    "g: by class, anon grew");
	keys("gg\033");
	ok(find("[Regions]", 0) > 0, "Esc: the table");
}

static void
test_sizes(void)
{
	int y;
	bool fits = true;

	screen_size(24, 80);
	quiet();
	golden("regions-80x24");
	y = TABLE_TOP - 1;
	ok(strstr(row(y), "Start") && strstr(row(y), "Class") &&
	        strstr(row(y), "RSS") && strstr(row(y), "Rate") &&
	        strstr(row(y), "Path") && !strstr(row(y), "Trend"),
	    "at 80 columns: the start address, class, RSS, rate and path; "
	    "the trend goes first");
	{
		const char *r = row(y), *p = strstr(r, "Path");

		ok(p != NULL && p - r <= 80 - 24,
		    "at 80 columns the path keeps 24 columns");
	}
	view_put_status_clear(&v.status); /* the key hints, not a message */
	screen_size(24, 80);
	{
		const char *f = row(LINES - 1);
		size_t n = strlen(f);

		while (n > 0 && f[n - 1] == ' ')
			n--;
		ok(n >= 14 && strncmp(f + n - 14, "m Mark  q Quit", 14) == 0,
		    "at 80 columns the footer keeps whole key hints, and q "
		    "Quit last");
	}
	keys(">");
	y = TABLE_TOP - 1;
	ok(strstr(row(TABLE_TOP - 2), "sort PSS") && strstr(row(y), "PSS"),
	    "at 80 columns, sorted by PSS: the PSS column stays");
	keys("<");
	/* The OOM projection at every width, shortened, never dropped. */
	for (int w = 120; w >= 40; w -= 20) {
		screen_size(24, w);
		if (!ok((strstr(row(4), "OOM in ~") ||
		            strstr(row(4), "OOM ~")) &&
		            strstr(row(4), "12M") &&
		            strlen(row(4)) <= (size_t)w,
		        "at %d columns the header keeps the OOM projection", w))
			dump();
	}
	screen_size(10, 40);
	quiet();
	golden("regions-40x10");
	ok(strstr(row(1), "cg 12M/16M OOM ~"),
	    "at 40x10 the projection takes the totals' line");
	y = TABLE_TOP - 1;
	for (int i = 0; i < LINES; i++)
		fits &= (int)strlen(row(i)) <= 40 * 3;
	ok(strstr(row(0), "pid 4242") && strstr(row(y), "Start") &&
	        strstr(row(y), "Class") && strstr(row(y), "RSS") &&
	        strstr(row(y), "Rate") && !strstr(row(y), "Trend") && fits,
	    "at 40x10: start, class, RSS and rate stay, the trend goes");
	ok(find("[heap]", TABLE_TOP) > 0 || find("heap", TABLE_TOP) > 0,
	    "at 40x10 rows are still listed");
	screen_size(5, 20);
	golden("too-small");
	ok(find("too small", 0) >= 0 && find("20x5, needs 40x10", 0) >= 0,
	    "at 20x5 it says the terminal is too small, and what it needs");
	screen_size(40, 120);
	ok(find("Rate", 0) > 0 && find("Trend", 0) > 0,
	    "back at 120x40 the full table");
	keys("?");
	golden("help-120x40");
	ok(find("memtop - keys", 0) == 0 && find("F10", 0) > 0 &&
	        find("F6", 0) > 0 && find("Delta is", 0) > 0,
	    "? shows the keys");
	keys("x");
	ok(find("Rate", 0) > 0, "any key leaves the help");
	screen_size(12, 60);
	keys("?");
	ok(find("F10", 0) > 0 && find("Delta is", 0) < 0 &&
	        strstr(row(LINES - 1), "scroll"),
	    "a short help says it scrolls");
	keys("jjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjj");
	ok(find("Delta is", 0) > 0 && find("F10", 0) < 0,
	    "j scrolls to its end");
	keys("q");
	ok(find("Rate", 0) > 0 && !v.quit, "q leaves the help, not memtop");
	screen_size(40, 120);
}

/* The heading line's words, as a set: "Start Class RSS Rate Path". */
static bool
heading_has(const char *word)
{
	const char *h = row(TABLE_TOP - 1), *p;
	size_t n = strlen(word);

	for (p = strstr(h, word); p != NULL; p = strstr(p + 1, word)) {
		if ((p == h || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return true;
	}
	return false;
}

/*
 * The region table at each width from 40 to 250 columns, against its
 * golden screen: what stays is decided by width, and in every one the
 * identity (the start address at least) and the sort column stay, the
 * trend only where the address is whole, and every line fits.
 */
static void
test_widths(void)
{
	static const struct {
		int cols, lines;
	} sizes[] = { { 40, 24 }, { 60, 15 }, { 80, 24 }, { 100, 30 },
		{ 120, 30 }, { 160, 40 }, { 250, 40 } };
	size_t i;
	int y, cols;
	bool fits = true, ident = true, sorted = true, trend = true,
	     figures = true;
	char name[64];

	keys("\033"); /* the region table, sorted by RSS */
	for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		screen_size(sizes[i].lines, sizes[i].cols);
		quiet();
		snprintf(name, sizeof name, "width-%dx%d", sizes[i].cols,
		    sizes[i].lines);
		golden(name);
		for (y = 0; y < LINES; y++)
			fits &= fit_width(row(y)) <= COLS;
		ident &= (heading_has("Start") || heading_has("Address")) &&
		    heading_has("RSS") && heading_has("Rate") &&
		    heading_has("Class");
		trend &= !heading_has("Trend") || heading_has("Address") ||
		    COLS < 120;
		/* The figures of the header: RSS's size and rate, at any
		 * width; the cgroup's usage and limit where it has a line. */
		figures &= strstr(row(HEADER_ROWS >= 5 ? 2 : 1), "RSS") &&
		    strstr(row(HEADER_ROWS >= 5 ? 2 : 1), "+") &&
		    (HEADER_ROWS < 5 ||
		        (strstr(row(4), "12M") && strstr(row(4), "16M")));
		if (!ident || !fits)
			dump();
	}
	ok(fits,
	    "at 40, 60, 80, 100, 120, 160 and 250 columns every line "
	    "fits its width");
	ok(ident,
	    "and every width shows the start address (or the range), the "
	    "class, RSS and the rate");
	ok(trend,
	    "the trend is shown only where the whole range is, from "
	    "120 columns");
	ok(figures,
	    "the header keeps RSS and its rate, the cgroup's usage "
	    "and limit");
	/* The sort column stays at every width, however far down the
	 * claims it comes. */
	keys(">>>"); /* Swap */
	for (cols = 40; cols <= 250; cols += 7) {
		screen_size(24, cols);
		sorted &= heading_has("Swap") &&
		    (heading_has("Start") || heading_has("Address"));
	}
	ok(sorted,
	    "sorted by Swap, the Swap column stays from 40 to 250 "
	    "columns, beside the address");
	keys("<<<");
	screen_size(40, 120);
}

/* A group of 210,001 regions: its count is shown whole, the column
 * sized for it.  (The count is set in the view's copy of the groups: a
 * model of 210,001 real regions would take most of a gigabyte.) */
static void
test_group_count(void)
{
	size_t i;
	int y;

	keys("g");
	for (i = 0; i < v.ngroups; i++) {
		if (strcmp(v.gbuf[i].label, "anon") == 0)
			v.gbuf[i].nregions = 210001;
	}
	screen_size(24, 80);
	y = find("anon ", TABLE_TOP);
	if (!ok(y > 0 && strstr(row(y), " 210001 ") != NULL &&
	            strstr(row(TABLE_TOP - 1), " Count ") != NULL,
	        "by class, 210,001 anonymous regions: the count is whole "
	        "(210001), under its heading"))
		dump();
	screen_size(10, 40);
	y = find("anon", TABLE_TOP);
	ok(y > 0 && strstr(row(y), "210001") != NULL, "and at 40 columns too");
	keys("gg");
	screen_size(40, 120);
}

/* A process whose last mapping is the kernel's [vsyscall]: its addresses
 * keep 12 digits, the vsyscall's cut at its front, and at 40 columns the
 * class is still there. */
static void
test_vsyscall(void)
{
	struct model *old = model_enter();
	int y;

	build(3);
	add(0xffffffffff600000, 0xffffffffff601000, "--xp", "[vsyscall]", 0, 0);
	model_ingest(app.model, snap);
	v.rebuild = true;
	screen_size(24, 120);
	y = find("[vsyscall]", TABLE_TOP);
	if (!ok(y > 0 &&
	            strstr(row(y), "\u2026fffff600000-\u2026fffff601000") &&
	            find("000000600000-000000903000", TABLE_TOP) > 0,
	        "[vsyscall] does not widen every address: 12 digits, its own "
	        "cut at the front"))
		dump();
	screen_size(24, 40);
	ok(heading_has("Start") && heading_has("Class") && heading_has("RSS") &&
	        heading_has("Rate"),
	    "and at 40 columns the class stays beside the start");
	model_leave(old);
}

static void
test_ascii(void)
{
	int y;

	v.utf8 = false;
	view_draw(&v);
	y = find("[heap]", TABLE_TOP);
	ok(find("\u2588", 0) < 0 && y > 0, "without UTF-8: no block glyphs");
	y = find("7f0000000000", TABLE_TOP);
	if (y < 0)
		y = find("+64K/s", TABLE_TOP);
	ok(y > 0 && strstr(row(y), "#") != NULL, "the ASCII ramp instead");
	v.utf8 = true;
}

/* An exec: the header tells of it for a while, not for one sample only. */
static void
test_exec(void)
{
	build(8);
	snap->state = TARGET_EXECED;
	model_ingest(app.model, snap);
	sample(9);
	sample(10);
	view_draw(&v);
	if (!ok(strstr(row(0), "ran exec at ") != NULL,
	        "two samples after an exec the header still says so"))
		dump();
}

/* -P --follow: a sample of the process that replaced an OOM-killed one. */
static void
test_restart(void)
{
	struct target_restart *r = &snap->info.restart;

	build(11);
	memset(r, 0, sizeof *r);
	r->count = 1;
	r->old_pid = 4100;
	r->old_state = TARGET_EXITED;
	r->how.known = 1;
	r->how.reason = END_OOM_KILLED;
	r->how.scope = END_SCOPE_CGROUP;
	r->how.limit_bytes = 16 << 20;
	snprintf(r->how.cgroup, sizeof r->how.cgroup, "/svc.slice");
	r->ended_wall = snap->wall - 2;
	r->switched_wall = snap->wall - 1;
	model_ingest(app.model, snap);
	v.rebuild = true;
	view_draw(&v);
	if (!ok(strstr(row(0),
	            "restarted: pid 4100 OOM-killed (cgroup /svc.slice: "
	            "limit 16M) at ") &&
	            strstr(row(0), ", now pid 4242"),
	        "the header says the process was restarted, how the old "
	        "one ended, and the new pid"))
		dump();
	memset(r, 0, sizeof *r);
	sample(12);
}

static void
test_end(void)
{
	pump_end(app.pump, NULL, 0);
	v.rebuild = true;
	view_draw(&v);
	ok(strstr(row(0), "process 4242 exited") != NULL,
	    "when the target exits the header says so");
	ok(find("[heap]", TABLE_TOP) > 0, "and the last regions stay");
}

/*
 * A live source that gives one sample, then blocks (a target in D state)
 * until told to end the stream: its PID now names another process.
 */
static volatile int fake_release;
static int fake_calls;

static int
fake_next(struct source *src, struct snapshot *out, char **cause)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };

	if (fake_calls++ == 0) {
		snapshot_copy(out, snap);
		out->seq = 0;
		return 0;
	}
	while (!fake_release)
		nanosleep(&ts, NULL);
	out->state = TARGET_REUSED;
	return 1;
}

static void
fake_close(struct source *src)
{
}

static const struct source_ops fake_ops = { "fake", fake_next, fake_close };

/* A source whose first read blocks for 20 s: a target stuck in D state. */
static int
stuck_next(struct source *src, struct snapshot *out, char **cause)
{
	struct timespec ts = { 20, 0 };

	nanosleep(&ts, NULL);
	return 1;
}

static const struct source_ops stuck_ops = { "stuck", stuck_next, fake_close };

static bool
wait_sample(struct sampler *sp, double secs)
{
	struct pollfd pfd = { sampler_fd(sp), POLLIN, 0 };

	return poll(&pfd, 1, (int)(secs * 1000)) == 1;
}

/* q right after a read blocked: memtop quits within a second all the same,
 * leaving the stuck read behind (it ends with the process). */
static void
test_stuck_stop(void)
{
	struct source src = { &stuck_ops, NULL };
	struct sampler *sp = sampler_start(&src, 0.1);
	double t0 = clock_mono();
	bool joined;

	while (sampler_busy(sp) == 0 && clock_mono() - t0 < 5) {
		struct timespec ts = { 0, 1000 * 1000 };

		nanosleep(&ts, NULL);
	}
	t0 = clock_mono();
	joined = sampler_stop(sp);
	ok(!joined && clock_mono() - t0 < 1.0,
	    "a read blocked for a moment "
	    "only: the sampler still stops within a second (%.2fs)",
	    clock_mono() - t0);
}

static void *
send_term(void *arg)
{
	struct timespec ts = { 1, 600 * 1000 * 1000 };

	nanosleep(&ts, NULL);
	kill(getpid(), SIGTERM);
	return arg;
}

/* Batch mode's app around src, sampled every 0.1 s; pc as given. */
static void
batch_app(struct app *a, struct source *src, struct pump_config *pc)
{
	a->pid = pc->pid = 4242;
	a->source = src;
	a->interval = 0.1;
	a->model = pc->model = model_new();
	a->sampler = pc->sampler = sampler_start(src, 0.1);
	a->pump = pump_new(pc);
}

/* memtop -b on a target whose read blocks: stderr says the sample is late,
 * and SIGTERM still stops it at once. */
static void
test_batch_stuck(void)
{
	struct source src = { &stuck_ops, NULL };
	struct batch_opts bo = { BATCH_TEXT, FIELD_RSS, true, NULL, NULL };
	struct app a = { 0 };
	struct pump_config pc = { .stop_on_record_error = true };
	char path[] = "/tmp/memtop-test-XXXXXX", said[512] = "";
	int fd = mkstemp(path), saved = dup(2), code;
	double t0 = clock_mono();
	pthread_t killer;
	ssize_t n;

	batch_app(&a, &src, &pc);
	dup2(fd, 2);
	pthread_create(&killer, NULL, send_term, NULL);
	code = batch_run(&a, &bo);
	pthread_join(killer, NULL);
	dup2(saved, 2);
	close(saved);
	n = pread(fd, said, sizeof said - 1, 0);
	said[n > 0 ? n : 0] = '\0';
	close(fd);
	unlink(path);
	ok(clock_mono() - t0 < 3.0 && code == EXIT_OK,
	    "batch, a read blocked for good: SIGTERM 1.6 s in stops it "
	    "without waiting for the read (%.2fs, exit %d)",
	    clock_mono() - t0, code);
	if (!ok(strstr(said, "process 4242: sample late") != NULL,
	        "and stderr said the sample was late"))
		diag("stderr: %s", said);
	ok(!sampler_stop(a.sampler) && pump_samples(a.pump) == 0,
	    "the stuck source is left to the thread; nothing was sampled");
	pump_free(a.pump);
	signal(SIGTERM, SIG_DFL);
	model_free(a.model);
}

/* A source whose first read takes 2.5 s, then returns a sample. */
static int
slow_next(struct source *src, struct snapshot *out, char **cause)
{
	struct timespec ts = { 2, 500 * 1000 * 1000 };

	nanosleep(&ts, NULL);
	snapshot_copy(out, snap);
	out->seq = 0;
	out->sample_ms = 3.0; /* the read's own cost, not the wait */
	return 0;
}

static const struct source_ops slow_ops = { "slow", slow_next, fake_close };

/* memtop -b on a sample that comes late: stderr says it is late, then how
 * long it was waited for, the two agreeing (not the read's 3 ms). */
static void
test_batch_late(void)
{
	struct source src = { &slow_ops, NULL };
	struct batch_opts bo = { BATCH_TEXT, FIELD_RSS, true, NULL, NULL };
	struct app a = { 0 };
	struct pump_config pc = { .max_samples = 1 };
	char path[] = "/tmp/memtop-test-XXXXXX", said[1024] = "", *p;
	int fd = mkstemp(path), saved = dup(2), out = dup(1), null;
	double waited = -1;
	ssize_t n;

	batch_app(&a, &src, &pc);
	dup2(fd, 2);
	null = open("/dev/null", O_WRONLY);
	fflush(stdout);
	dup2(null, 1);
	batch_run(&a, &bo);
	fflush(stdout);
	dup2(out, 1);
	dup2(saved, 2);
	close(saved);
	close(out);
	close(null);
	n = pread(fd, said, sizeof said - 1, 0);
	said[n > 0 ? n : 0] = '\0';
	close(fd);
	unlink(path);
	if ((p = strstr(said, "the late sample came after ")) != NULL)
		waited =
		    strtod(p + strlen("the late sample came after "), NULL);
	if (!ok(strstr(said, "sample late") != NULL && waited >= 2.0 &&
	            waited < 4.0,
	        "a sample 2.5 s late: stderr says it is late, then that it "
	        "came after %.1f s (the wait, not the read's 3 ms)",
	        waited))
		diag("stderr: %s", said);
	sampler_stop(a.sampler);
	pump_free(a.pump);
	model_free(a.model);
}

static void
test_live(void)
{
	struct source src = { &fake_ops, NULL };
	struct model *old = app.model;
	struct pump *oldp = app.pump;
	struct pump_config pc = { .pid = 4242 };
	double t0;

	app.model = model_new();
	build(0);
	app.sampler = sampler_start(&src, 0.1);
	app.interval = 0.1;
	pc.model = app.model;
	pc.sampler = app.sampler;
	app.pump = pump_new(&pc);
	v.rebuild = true;
	ok(wait_sample(app.sampler, 5), "the sampler gives a first sample");
	view_pump(&v);
	view_draw(&v);
	if (!ok(find("[heap]", TABLE_TOP) > 0, "live: its regions are listed"))
		dump();
	t0 = clock_mono();
	while (!sampler_late(app.sampler) && clock_mono() - t0 < 5) {
		struct timespec ts = { 0, 50 * 1000 * 1000 };

		nanosleep(&ts, NULL);
	}
	view_draw(&v);
	if (!ok(strstr(row(0), "sample late (") != NULL,
	        "a stuck sample: the header says the sample is late"))
		dump();
	keys("g");
	ok(find("[By class]", 0) > 0, "and keys still work meanwhile");
	keys("gg");
	fake_release = 1;
	ok(wait_sample(app.sampler, 5), "the source ends");
	view_pump(&v);
	view_draw(&v);
	ok(pump_ended(app.pump) &&
	        strstr(row(0), "PID now belongs to another process"),
	    "the header says the PID was reused");
	ok(find("[heap]", TABLE_TOP) > 0, "and the last regions stay");
	ok(sampler_stop(app.sampler), "the sampler stops");
	app.sampler = NULL;
	pump_free(app.pump);
	app.pump = oldp;
	model_free(app.model);
	app.model = old;
	v.rebuild = true;
}

/* R: the runtime figures' URL, typed in the footer, applied to a live
 * source (this process) while its sampler runs; a refused URL changes
 * nothing and says why. */
static void
test_runtime_key(void)
{
	struct model *old = app.model;
	struct pump *oldp = app.pump;
	struct pump_config pc = { .pid = 4242 };
	struct source *src;
	char *cause = NULL;
	int err = 0, i;
	long n;
	double t0;
	const char *url = "http://127.0.0.1:1/debug/vars";

	keys("R");
	ok(view_prompt_active(&v) && strstr(row(LINES - 1), "Runtime URL:"),
	    "R: a prompt for the runtime URL, empty without one");
	keys("http://192.0.2.1:6060/debug/vars\n");
	if (!ok(!view_prompt_active(&v) && pump_runtime_url(app.pump) == NULL &&
	            strstr(row(LINES - 1),
	                "runtime URL: 192.0.2.1 is not a loopback address"),
	        "R, a host not on loopback: refused in the footer, nothing "
	        "changed"))
		dump();
	src = source_live_open(getpid(), &cause, &err);
	if (!ok(src != NULL, "a live source on this process")) {
		diag("%s", cause ? cause : "?");
		free(cause);
		return;
	}
	app.model = model_new();
	app.sampler = sampler_start(src, 0.05);
	pc.model = app.model;
	pc.sampler = app.sampler;
	app.pump = pump_new(&pc);
	keys("R");
	keys(url);
	keys("\n");
	ok(pump_runtime_url(app.pump) != NULL &&
	        strcmp(pump_runtime_url(app.pump), url) == 0 &&
	        strstr(row(LINES - 1), "runtime figures from http://127"),
	    "R, a loopback URL: read from the next sample, the footer says so");
	ok(wait_sample(app.sampler, 5), "samples go on with the fetcher");
	view_pump(&v);
	ok(model_info(app.model)->rt.source != RT_SRC_NONE ||
	        model_info(app.model)->rt.status == RT_ST_PENDING,
	    "the sample carries the endpoint's reading (pending or an error)");
	keys("R");
	ok(strstr(row(LINES - 1), url) != NULL,
	    "R again: the prompt holds the current URL");
	for (i = 0; i < (int)strlen(url); i++)
		view_key(&v, KEY_BACKSPACE);
	keys("\n");
	ok(pump_runtime_url(app.pump) == NULL &&
	        strstr(row(LINES - 1), "runtime figures no longer read"),
	    "R, emptied: the figures are no longer read");
	/* Swaps while the sampler runs: each one under the source's lock. */
	for (i = 0; i < 20; i++) {
		keys("R");
		keys(i % 2 ? "\n" : "127.0.0.1:1/x\n");
	}
	n = pump_samples(app.pump);
	t0 = clock_mono();
	while (pump_samples(app.pump) < n + 3 && clock_mono() - t0 < 5) {
		wait_sample(app.sampler, 1);
		view_pump(&v);
	}
	ok(pump_samples(app.pump) >= n + 3,
	    "and the sampler samples on through the swaps");
	ok(sampler_stop(app.sampler), "the sampler stops");
	app.sampler = NULL;
	source_close(src);
	pump_free(app.pump);
	app.pump = oldp;
	model_free(app.model);
	app.model = old;
	v.rebuild = true;
	view_pump(&v);
	quiet();
}

/* 65,000 regions: moving the cursor must not sort again. */
static void
test_big(void)
{
	struct model *old = app.model;
	double t0;
	int i;
	uint64_t a;

	app.model = model_new();
	begin();
	for (i = 0, a = 0x10000000; i < 65000; i++, a += 0x2000)
		add(a, a + 0x1000, "rw-p", "", (uint64_t)(i % 97), 0);
	model_ingest(app.model, snap);
	v.rebuild = true;
	view_draw(&v);
	ok(strstr(row(TABLE_TOP - 2), "65000 shown") != NULL,
	    "65,000 regions are listed");
	t0 = clock_mono();
	for (i = 0; i < 300; i++) {
		view_key(&v, KEY_NPAGE);
		view_draw(&v);
	}
	ok(!v.rebuild && clock_mono() - t0 < 3.0,
	    "300 page-downs and redraws over 65,000 rows in under 3 s "
	    "(%.2f s)",
	    clock_mono() - t0);
	model_free(app.model);
	app.model = old;
	v.rebuild = true;
}

/* A deleted file with a long path, at 80 columns: the path gives way to
 * " (deleted)". */
static void
test_deleted(void)
{
	struct model *old = model_enter();
	int y;

	begin();
	add(0x10000, 0x11000, "r--p",
	    "/srv/app/releases/2026-12-01/lib/"
	    "plugins/cache/by-tenant/eu-west/acme-corporation-limited/"
	    "shards/0042/index-of-everything.bin",
	    4, 0);
	snap->regions[snap->nregions - 1].deleted = 1;
	model_ingest(app.model, snap);
	v.rebuild = true;
	screen_size(24, 80);
	y = find("thing.bin", TABLE_TOP);
	if (!ok(y > 0 && strstr(row(y), "thing.bin (deleted)") != NULL,
	        "at 80 columns a long deleted path is cut, its (deleted) "
	        "stays"))
		dump();
	/* The detail shows the whole path, wrapped. */
	keys("/everything\n\n");
	if (!ok(find("/srv/app/releases/2026-12-01", 0) > 0 &&
	            find("shards/0042/index-of-everything.bin", 0) > 0 &&
	            find("the file is deleted", 0) >= 0,
	        "the detail shows a long path whole, on lines of its own"))
		dump();
	keys("\033");
	model_leave(old);
}

/* F6: the sort menu, and Enter chooses. */
static void
test_sort_menu(void)
{
	view_key(&v, KEY_F(6));
	view_draw(&v);
	golden("sort-menu");
	view_key(&v, KEY_DOWN);
	keys("\n");
	ok(strstr(row(TABLE_TOP - 2), "sort PSS") != NULL,
	    "F6, Down, Enter: sorted by the next column");
	keys("<");
	quiet();
}

/* The dashboard over a recording of ten samples of the same service, with
 * the baseline moved (m) at the fifth. */
static void
test_replay(void)
{
	char dir[] = "/tmp/memtop-view-XXXXXX", path[64], *cause = NULL;
	struct model *old = app.model;
	struct pump *oldp = app.pump;
	struct pump_config pc = { .pid = 4242 };
	struct recorder *rec;
	struct player *pl;
	int err = 0, k, y;

	if (mkdtemp(dir) == NULL) {
		ok(0, "a directory for the recording");
		return;
	}
	snprintf(path, sizeof path, "%s/rec.mt", dir);
	rec = recorder_open(path, 1, 0, &cause, NULL);
	for (k = 0; rec != NULL && k < 10; k++) {
		build(k);
		recorder_write(rec, snap, &cause);
		if (k == 4)
			recorder_mark(rec, false, &cause);
	}
	if (rec != NULL)
		recorder_close(rec, TARGET_EXITED, &cause);
	pl = player_open(path, PLAYER_TIMED, &cause, &err);
	if (!ok(pl != NULL, "the recording opens for replay")) {
		diag("%s", cause ? cause : "?");
		free(cause);
		return;
	}
	player_play(pl, false); /* no clock in a golden screen */
	app.model = model_new();
	app.player = pl;
	pc.model = app.model;
	pc.player = pl;
	app.pump = pump_new(&pc);
	v.overlay = &view_overlay_replay; /* as view_init() sets it */
	view_pump(&v);
	v.rebuild = true;
	view_key(&v, KEY_RIGHT);
	view_key(&v, KEY_RIGHT);
	view_pump(&v);
	quiet();
	golden("replay-paused");
	ok(strstr(row(0), "REPLAY 1x paused  sample 3/10") != NULL,
	    "Right twice: the third sample of ten, paused");
	ok(strstr(row(LINES - 1), "Step") != NULL &&
	        strstr(row(LINES - 1), "Pause") == NULL &&
	        strstr(row(LINES - 1), "Interval") == NULL,
	    "the footer of a replay shows its keys, and no live key");
	view_key(&v, '?');
	view_draw(&v);
	ok(find("Left Right", 0) > 0 && find("sample less often", 0) < 0 &&
	        find("End ", 0) > 0,
	    "and so does its help");
	view_key(&v, 'x');
	view_key(&v, KEY_END);
	view_pump(&v);
	view_draw(&v);
	y = find(" 1.0G ", TABLE_TOP);
	if (!ok(strstr(row(0), "sample 10/10") && y > 0 &&
	            strstr(row(y), "+320K") != NULL,
	        "End: the last sample, the leak's delta since the recorded m"))
		dump();
	view_key(&v, KEY_HOME);
	view_pump(&v);
	view_draw(&v);
	y = find(" 1.0G ", TABLE_TOP);
	ok(strstr(row(0), "sample 1/10") && y > 0 && strstr(row(y), " 0 "),
	    "Home: the first sample again, the model started over");
	keys("t+5\n");
	view_pump(&v);
	view_draw(&v);
	ok(strstr(row(0), "sample 6/10") != NULL, "t +5: five seconds in");
	keys("R");
	ok(!view_prompt_active(&v) && find("Runtime URL", 0) < 0,
	    "R in a replay: not bound (a recording holds its figures)");
	pump_free(app.pump);
	player_free(pl);
	model_free(app.model);
	app.pump = oldp;
	app.player = NULL;
	app.model = old;
	v.overlay = &view_overlay_live;
	v.rebuild = true;
	unlink(path);
	rmdir(dir);
	quiet();
	ok(strstr(row(LINES - 1), "Pause") != NULL &&
	        strstr(row(LINES - 1), "Step") == NULL,
	    "live again: the footer shows live keys, no replay key");
}

/* Add the keys of a help line ("  ? h F1       this help") to set. */
static void
help_keys(const char *line, char *set, size_t size)
{
	const char *p = line + 2, *end = strstr(p, "  ");
	char key[64];
	size_t n;

	if (line[0] != ' ' || end == NULL)
		return; /* a section's title */
	while (p < end) {
		n = strcspn(p, " ");
		if (n > 0 && n < sizeof key) {
			snprintf(key, sizeof key, " %.*s ", (int)n, p);
			if (strstr(set, key) == NULL &&
			    strlen(set) + n + 2 < size)
				snprintf(set + strlen(set), size - strlen(set),
				    "%.*s ", (int)n, p);
		}
		p += n + 1;
	}
}

/* The keys of the man page's KEYS section: the bold words of its tag
 * lines (".BR ? \", \" h \", \" F1"), troff's escapes undone. */
static void
man_keys(char *set, size_t size)
{
	const char *dir = getenv("srcdir");
	char path[4096], line[512];
	bool in = false, tag = false;
	FILE *f;

	snprintf(path, sizeof path, "%s/doc/memtop.1", dir ? dir : ".");
	set[0] = ' ';
	set[1] = '\0';
	if ((f = fopen(path, "r")) == NULL)
		return;
	while (fgets(line, sizeof line, f) != NULL) {
		char *p, *w, word[64];
		int arg = 0;
		size_t o;

		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, ".SH ", 4) == 0)
			in = strcmp(line, ".SH KEYS") == 0;
		if (!in)
			continue;
		if (strcmp(line, ".TP") == 0) {
			tag = true;
			continue;
		}
		if (!tag)
			continue;
		tag = false;
		/* ".B X" or ".BR X ", " Y": the arguments, bold ones even. */
		for (p = strchr(line, ' '); p != NULL && *p != '\0'; arg++) {
			p += strspn(p, " ");
			if (*p == '"') {
				w = strchr(p + 1, '"');
				p = w != NULL ? w + 1 : p + strlen(p);
				continue;
			}
			for (o = 0;
			     *p != '\0' && *p != ' ' && o + 1 < sizeof word;
			     p++) {
				if (p[0] == '\\' &&
				    (p[1] == '-' || p[1] == 'e'))
					word[o++] = *++p == 'e' ? '\\' : '-';
				else
					word[o++] = *p;
			}
			word[o] = '\0';
			if (o > 0 && (line[2] == ' ' || arg % 2 == 0) &&
			    strlen(set) + o + 2 < size)
				snprintf(set + strlen(set), size - strlen(set),
				    "%s ", word);
		}
	}
	fclose(f);
}

/* Every key that ? lists, on every screen it is pressed on, live and in a
 * replay, is in the man page's KEYS, and each key there is one ? lists. */
static void
test_man_keys(void)
{
	static const struct view_screen *const screens[] = {
		&view_screen_regions, &view_screen_groups, &view_screen_detail
	};
	static const struct view_screen *const overlays[] = {
		&view_overlay_live, &view_overlay_replay
	};
	static char text[96 * 160];
	char help[2048] = " ", man[2048], key[64];
	const struct view_screen *old = v.overlay;
	size_t s, o, i, n;
	bool all = true;
	const char *p;

	for (o = 0; o < 2; o++) {
		v.overlay = overlays[o];
		for (s = 0; s < sizeof screens / sizeof screens[0]; s++) {
			n = view_keys_help(&v, screens[s], text, 160, 96);
			for (i = 0; i < n; i++)
				help_keys(text + i * 160, help, sizeof help);
		}
	}
	v.overlay = old;
	man_keys(man, sizeof man);
	for (p = help + 1; *p != '\0'; p += strcspn(p, " ") + 1) {
		snprintf(key, sizeof key, " %.*s ", (int)strcspn(p, " "), p);
		if (strstr(man, key) == NULL) {
			diag("? lists%sbut the man page's KEYS do not", key);
			all = false;
		}
	}
	for (p = man + 1; *p != '\0'; p += strcspn(p, " ") + 1) {
		snprintf(key, sizeof key, " %.*s ", (int)strcspn(p, " "), p);
		if (strstr(help, key) == NULL) {
			diag("the man page's KEYS list%sbut ? does not", key);
			all = false;
		}
	}
	if (!ok(all && strlen(help) > 40,
	        "the keys ? lists on every screen, live and in a replay, are "
	        "the man page's KEYS, no more, no fewer"))
		diag("?:%s\nman:%s", help, man);
}

/* Whether every word the header's lines show is a word of a header fact
 * or a total's title (field.h), the man page's HEADER; figures, trends,
 * the target's own text (comm, the command line, the cgroup's path and
 * unit), a region's class and
 * punctuation aside.  Says the first that is not. */
static bool
header_words_known(void)
{
	const struct header_fact *h;
	size_t nf = field_header_facts(&h), i;
	char known[2048] = " ", word[128];
	int y, id;

	for (i = 0; i < nf; i++)
		snprintf(known + strlen(known), sizeof known - strlen(known),
		    "%s ", h[i].words);
	for (id = 0; id < FIELD_COUNT; id++) {
		if (field_get(id)->flags & FIELD_HEADER)
			snprintf(known + strlen(known),
			    sizeof known - strlen(known), "%s ",
			    field_get(id)->title);
	}
	for (y = 0; y < HEADER_ROWS; y++) {
		const char *p = row(y);

		while (*p != '\0') {
			size_t n;

			p += strspn(p, " ");
			n = strcspn(p, " ");
			snprintf(word, sizeof word, " %.*s", (int)n, p);
			p += n;
			if (y == 1 && strcmp(word, " cmd") != 0)
				break; /* the command line: the target's */
			/* Punctuation around a word: "(75%)", "limit,". */
			while (strlen(word) > 1 &&
			    strchr(",;:()", word[strlen(word) - 1]))
				word[strlen(word) - 1] = '\0';
			if (strcspn(word, "0123456789") < strlen(word) ||
			    word[1] == '[' || word[1] == '(' ||
			    strspn(word + 1,
			        "abcdefghijklmnopqrstuvwxyz"
			        "ABCDEFGHIJKLMNOPQRSTUVWXYZ") == 0 ||
			    strcmp(word + 1, "leaky") == 0 ||
			    strcmp(word + 1, "svc.slice") == 0 ||
			    region_class_lookup(word + 1) >= 0)
				continue;
			/* The last word of a line the width cut may be the
			 * start of one. */
			if (p[strspn(p, " ")] != '\0' ||
			    fit_width(row(y)) < COLS)
				strcat(word, " ");
			if (strstr(known, word) == NULL) {
				diag("the header shows \"%s\" on line %d: no "
				     "header fact has it",
				    word, y);
				return false;
			}
		}
	}
	return true;
}

/* Every word the header writes, wide and narrow, with a cgroup limit and
 * without, is the man page's (the facts HEADER is made from). */
static void
test_header_words(void)
{
	bool all = true;
	int cols;

	for (cols = 40; cols <= 250; cols += 30) {
		screen_size(24, cols);
		all &= header_words_known();
	}
	build(20);
	snap->info.cg_max = UINT64_MAX;
	snap->info.cg_oom_kills = 0;
	model_ingest(app.model, snap);
	v.rebuild = true;
	for (cols = 40; cols <= 250; cols += 30) {
		screen_size(24, cols);
		all &= header_words_known();
	}
	if (!ok(all,
	        "every word of the header, from 40 to 250 columns, with "
	        "a cgroup limit and without, is in its man page HEADER"))
		dump();
	sample(21);
	screen_size(40, 120);
}

/* The help and the footer are made from the key tables: bind g's action
 * to G instead, and both say G. */
static void
test_rebind(void)
{
	const struct view_keys *chain[16];
	const struct view_action *group = NULL;
	size_t i, n;

	screen_size(40, 120);
	quiet();
	n = view_keys_chain(&v, v.screen, chain, 16);
	for (i = 0; i < n && group == NULL; i++)
		group = view_keys_action(&v, chain[i], 'g');
	if (!ok(group != NULL && strcmp(group->name, "group") == 0,
	        "g is bound to the action named group"))
		return;
	ok(strstr(row(LINES - 1), " g Group ") != NULL &&
	        strstr(row(LINES - 1), " G Group ") == NULL,
	    "the footer says g Group");
	view_bind(&v, chain[i - 1], 'g', NULL);
	view_bind(&v, chain[i - 1], 'G', group);
	quiet();
	ok(strstr(row(LINES - 1), " G Group ") != NULL &&
	        strstr(row(LINES - 1), " g Group ") == NULL,
	    "bound to G instead: the footer says G Group");
	keys("?");
	ok(find("  G            regions / by class / by file object", 0) > 0 &&
	        find("  g            regions", 0) < 0,
	    "the help lists G for it, not g");
	golden("help-rebound");
	keys("x");
	keys("g");
	ok(find("[Regions]", 0) > 0, "g does nothing now");
	keys("G");
	ok(find("[By class]", 0) > 0, "G groups");
	keys("gg"); /* the groups' own g, back to the regions */
	view_bind(&v, chain[i - 1], 'G', NULL);
	view_bind(&v, chain[i - 1], 'g', group);
	quiet();
	ok(strstr(row(LINES - 1), " g Group ") != NULL,
	    "bound back: the footer says g again");
	keys("g");
	ok(find("[By class]", 0) > 0, "and g groups");
	keys("gg");
	quiet();
}

/* A Go program read with --runtime: its version on line 0, its heap on a
 * line of its own (the table one line lower), more in its heap's detail. */
static void
test_runtime_line(void)
{
	struct rt_figures *rt = &snap->info.rt;
	int k;

	model_reset(app.model);
	v.screen = &view_screen_regions;
	v.depth = 0;
	for (k = 0; k < 8; k++) {
		build(k);
		add(0xc000000000, 0xc004000000, "rw-p", "", 20000 + 2048 * k,
		    0);
		snap->info.runtime.probed = 1;
		snap->info.runtime.flags = RT_GO;
		strcpy(snap->info.runtime.go_version, "go1.22.1");
		rtfig_init(rt, RT_SRC_GO_PPROF, RT_ST_OK);
		rtfig_set(rt, RTF_GO_HEAP_ALLOC, (16 + 2 * (uint64_t)k) << 20);
		rtfig_set(rt, RTF_GO_HEAP_IDLE, 8 << 20);
		rtfig_set(rt, RTF_GO_HEAP_RELEASED, 4 << 20);
		rtfig_set(rt, RTF_GO_HEAP_SYS, 40 << 20);
		rt->mono = snap->mono;
		rt->wall = snap->wall;
		model_ingest(app.model, snap);
	}
	v.rebuild = true;
	screen_size(30, 120);
	if (!ok(strstr(row(0), "  leaky  go1.22.1  ") != NULL &&
	            strstr(row(5),
	                "Go heap: objects 30M, held free 4.0M, "
	                "released 4.0M; resident") != NULL &&
	            strstr(row(5), "growing: objects +2.0M/s") != NULL &&
	            strstr(row(6), "leak suspect: ") != NULL && TABLE_TOP == 9,
	        "a Go program: its version on line 0, its heap and what grows "
	        "on line 5, the leak suspect under it, the table below"))
		dump();
	screen_size(30, 40);
	ok(strlen(row(5)) <= 40 &&
	        strstr(row(5), "Go heap 30M/36M objs +2.0M/s"),
	    "at 40 columns the runtime line is shortened: %s", row(5));
	rtfig_fail(rt, RT_ST_NONE, "no hsperfdata");
	rt->source = RT_SRC_JVM_HSPERF;
	rt->mono += 1;
	model_ingest(app.model, snap);
	v.rebuild = true;
	screen_size(30, 120);
	ok(TABLE_TOP == 8 && strstr(row(5), "Java") == NULL,
	    "a JVM without hsperfdata: no runtime line");
}

int
main(void)
{
	struct pump_config pc = { 0 };
	FILE *out, *in;
	SCREEN *scr;
	int k;

	/* Times on the screen are local: golden screens are in UTC. */
	setenv("TZ", "UTC", 1);
	tzset();
	if (setlocale(LC_ALL, "C.UTF-8") == NULL &&
	    setlocale(LC_ALL, "en_US.UTF-8") == NULL) {
		printf("1..0 # SKIP no UTF-8 locale\n");
		return 0;
	}
	setenv("LINES", "40", 1);
	setenv("COLUMNS", "160", 1);
	out = fopen("/dev/null", "w");
	in = fopen("/dev/null", "r");
	if (out == NULL || in == NULL ||
	    (scr = newterm("vt100", out, in)) == NULL) {
		printf("1..0 # SKIP no vt100 terminfo\n");
		return 0;
	}
	snap = snapshot_new();
	app.pid = 4242;
	app.model = model_new();
	pc.model = app.model;
	pc.pid = app.pid;
	app.pump = pump_new(&pc);
	app.interval = 1;
	app.sort = FIELD_RSS;
	app.sort_desc = true;
	view_init(&v, &app);
	v.colors = false;
	for (k = 0; k < 8; k++)
		sample(k);

	test_cursor_on_suspect();
	test_table();
	test_detail();
	test_groups();
	test_suspects();
	test_diff();
	test_sizes();
	test_widths();
	test_group_count();
	test_vsyscall();
	test_ascii();
	test_big();
	test_deleted();
	test_sort_menu();
	test_replay();
	test_rebind();
	test_man_keys();
	test_header_words();
	test_live();
	test_runtime_key();
	test_exec();
	test_restart();
	test_end();
	test_stuck_stop();
	test_batch_stuck();
	test_runtime_line();
	test_batch_late();

	view_free(&v);
	endwin();
	delscreen(scr);
	fclose(out);
	fclose(in);
	pump_free(app.pump);
	model_free(app.model);
	snapshot_free(snap);
	return tap_done();
}
