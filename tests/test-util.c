/*
 * test-util.c - escaping of target bytes, formatting, table helpers.
 */
#include "config.h"

#include <locale.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fit.h"
#include "table.h"
#include "tap.h"
#include "util.h"
#include "worker.h"

static char *
json_of(const char *s, size_t len)
{
	static char out[4096];
	FILE *f = fmemopen(out, sizeof out, "w");

	json_put_string(f, s, len);
	fclose(f);
	return out;
}

static char *
csv_of(const char *s, size_t len)
{
	static char out[4096];
	FILE *f = fmemopen(out, sizeof out, "w");

	csv_put_field(f, s, len);
	fclose(f);
	return out;
}

static void
test_esc(void)
{
	char out[256];
	const char evil[] = "a\033[31mb\x07\n\\\xff\xc3\xa9\x9b";
	size_t n;

	esc_text(evil, sizeof evil - 1, out, sizeof out, true);
	is_str(out, "a\\e[31mb\\x07\\n\\\\\\xff\xc3\xa9\\x9b",
	    "escapes ESC, BEL, newline, backslash, bad UTF-8; keeps é");
	esc_text(evil, sizeof evil - 1, out, sizeof out, false);
	ok(strstr(out, "\\xc3\\xa9") != NULL, "ASCII mode escapes UTF-8 too");
	ok(strchr(out, 0x1b) == NULL && strchr(out, 0x07) == NULL,
	    "no control byte survives");
	esc_text("\xc2\x9b"
	         "2J",
	    4, out, sizeof out, true);
	is_str(out, "\\xc2\\x9b2J", "C1 control CSI (U+009B) is escaped");
	esc_text("a\xe2\x80\xae"
	         "b\xe2\x80\x8b"
	         "c\xf3\xa0\x80\x81\xe2\x80\xa8"
	         "d",
	    17, out, sizeof out, true);
	is_str(out, "a\\u202eb\\u200bc\\U0e0001\\u2028d",
	    "bidi, zero-width, tag and line-separator characters are shown "
	    "as \\uXXXX, not passed");
	is_str(json_of("a\xe2\x80\xae"
	               "b\xf3\xa0\x80\x81",
	           9),
	    "\"a\\u202eb\\udb40\\udc01\"",
	    "and as JSON escapes in JSON (a tag as its surrogate pair)");
	is_str(csv_of("\xe2\x80\xae", 3), "\\u202e", "and escaped in CSV");
	n = esc_text("\033\033\033\033", 4, out, 6, true);
	ok(n == 4 && strcmp(out, "\\e\\e") == 0,
	    "truncation never cuts an escape in half");
	n = esc_text("abc", 3, out, 1, true);
	ok(n == 0 && out[0] == '\0', "size 1 gives an empty string");
}

static void
test_json_csv(void)
{
	is_str(json_of("a\"b\\c\n\x01\xff\xe2\x82\xac", 11),
	    "\"a\\\"b\\\\c\\n\\u0001\\udcff\xe2\x82\xac\"",
	    "JSON string is valid whatever the bytes");
	is_str(json_of("\xff\xfe|\xc3\xbf\xc3\xbe|\xc2\x85", 10),
	    "\"\\udcff\\udcfe|\xc3\xbf\xc3\xbe|\\u0085\"",
	    "JSON: a byte that is not UTF-8 (\\udcXX) is never taken for the "
	    "character of that number; a C1 control is its code point");
	is_str(csv_of("plain", 5), "plain", "plain CSV field unquoted");
	is_str(csv_of("a,b \"q\"", 7), "\"a,b \"\"q\"\"\"",
	    "comma and quote are quoted and doubled");
	is_str(csv_of("two\nlines", 9), "two\\nlines",
	    "a newline in a path does not break the row");
}

static void
test_fmt(void)
{
	char b[32];

	is_str(fmt_kb(0, b, sizeof b), "0K", "0 kB");
	is_str(fmt_kb(512, b, sizeof b), "512K", "512 kB");
	is_str(fmt_kb(1536, b, sizeof b), "1.5M", "1536 kB is 1.5M");
	is_str(fmt_kb(200 * 1024, b, sizeof b), "200M", "200 MiB");
	is_str(fmt_kb(3ULL << 20, b, sizeof b), "3.0G", "3 GiB");
	is_str(fmt_kb_delta(-2048, b, sizeof b), "-2.0M", "negative delta");
	is_str(fmt_kb_delta(64, b, sizeof b), "+64K", "positive delta");
	is_str(fmt_duration(3725, b, sizeof b), "1h02m", "duration 1h02m");
	is_str(fmt_duration(42, b, sizeof b), "42s", "duration 42s");
	ok(parse_duration("10m") == 600, "10m is 600 s");
	ok(parse_duration("2h") == 7200, "2h is 7200 s");
	ok(parse_duration("0.5") == 0.5, "0.5 is half a second");
	ok(parse_duration("-1") < 0 && parse_duration("x") < 0 &&
	        parse_duration("5mm") < 0 && parse_duration("") < 0,
	    "bad durations are refused");
}

static void
test_columns_rx(void)
{
	char *err = NULL;
	struct rx *rx;

	ok(field_lookup("rss") == FIELD_RSS && field_lookup("RSS") == FIELD_RSS,
	    "column names match in any case");
	ok(field_lookup("private_dirty") == FIELD_PRIVATE_DIRTY,
	    "private_dirty");
	ok(field_lookup("bogus") == -1, "unknown column refused");
	rx = rx_compile("lib(c|m)\\.so", &err);
	ok(rx != NULL && rx_match(rx, "/usr/lib/libc.so.6", 18) &&
	        !rx_match(rx, "/usr/lib/libz.so", 16),
	    "pcre2 pattern matches");
	rx_free(rx);
	rx = rx_compile("heap", &err);
	ok(rx != NULL && rx_match(rx, "HEAP", 4),
	    "lower-case pattern ignores case");
	rx_free(rx);
	rx = rx_compile("Heap", &err);
	ok(rx != NULL && !rx_match(rx, "heap", 4), "upper case makes it exact");
	rx_free(rx);
	rx = rx_compile("(unclosed", &err);
	ok(rx == NULL && err != NULL && strstr(err, "offset") != NULL,
	    "a bad pattern gives a message with its offset");
	free(err);
}

/* Times for --from, --to and the replay's t, around a recording that runs
 * from 2023-11-14 22:13:20 to 22:23:20 UTC. */
static void
test_times(void)
{
	const double first = 1700000000, last = 1700000600;

	setenv("TZ", "UTC", 1);
	tzset();
	ok(parse_time("+10s", first, last) == first + 10 &&
	        parse_time("-30s", first, last) == last - 30 &&
	        parse_time("-0", first, last) == last,
	    "+DURATION from the start, -DURATION from the end");
	ok(parse_time("1700000123.5", first, last) == 1700000123.5,
	    "unix seconds");
	ok(parse_time("22:15:00", first, last) == first + 100 &&
	        parse_time("22:15", first, last) == first + 100,
	    "HH:MM:SS and HH:MM on the day of the first sample");
	ok(parse_time("2023-11-14 22:15:00", first, last) == first + 100 &&
	        parse_time("2023-11-14 22:15", first, last) == first + 100,
	    "a local date and time");
	ok(parse_time("soon", first, last) < 0 &&
	        parse_time("22:15 tomorrow", first, last) < 0 &&
	        parse_time("nan", first, last) < 0 &&
	        parse_time("inf", first, last) < 0 &&
	        parse_time("", first, last) < 0,
	    "anything else refused");
}

static void
test_rates(void)
{
	char buf[32];
	double r;
	uint64_t kb;
	bool fits = true, fits_kb = true, fits_delta = true;

	is_str(fmt_rate(0.01, buf, sizeof buf), "0/s", "a still rate: 0/s");
	is_str(fmt_rate(NAN, buf, sizeof buf), fmt_none(),
	    "a rate not known yet: a dash, never 0");
	is_str(fmt_rate(INFINITY, buf, sizeof buf), fmt_none(),
	    "an infinite rate is no rate");
	ok(!locale_is_utf8() || strcmp(fmt_none(), "\u2013") == 0,
	    "in a UTF-8 locale, an en dash");
	is_str(fmt_rate(64, buf, sizeof buf), "+64K/s", "64 kB/s");
	is_str(fmt_rate(0.3, buf, sizeof buf), "+0.3K/s", "0.3 kB/s");
	is_str(fmt_rate(-1536, buf, sizeof buf), "-1.5M/s", "-1.5 MB/s");
	is_str(fmt_rate(16384, buf, sizeof buf), "+16M/s", "16 MB/s");
	is_str(fmt_rate(15945.8, buf, sizeof buf), "+16M/s",
	    "15945.8 kB/s reads +16M/s, as sizes read");
	is_str(fmt_rate(999.7, buf, sizeof buf), "+1.0M/s",
	    "999.7 kB/s is 1.0M/s, not 1000K/s");
	for (r = 0.03; r < 1e22; r *= 1.07) {
		if (strlen(fmt_rate(-r, buf, sizeof buf)) > FMT_RATE_WIDTH) {
			diag("%g kB/s: %s", -r, buf);
			fits = false;
		}
	}
	ok(fits, "every rate fits FMT_RATE_WIDTH (%d) columns", FMT_RATE_WIDTH);
	is_str(fmt_kb(1048064, buf, sizeof buf), "1.0G",
	    "1023.5M and up is 1.0G, not 1024M");
	is_str(fmt_kb(UINT64_MAX, buf, sizeof buf), "16Z",
	    "the largest size has a unit");
	for (kb = 1; kb < UINT64_MAX / 3; kb = kb * 3 + 1) {
		int k;

		for (k = -2; k <= 2; k++) {
			uint64_t x = kb + (uint64_t)k;

			fits_kb &=
			    strlen(fmt_kb(x, buf, sizeof buf)) <= FMT_KB_WIDTH;
			fits_delta &= strlen(fmt_kb_delta(-(int64_t)(x / 2),
			                  buf, sizeof buf)) <= FMT_KB_WIDTH + 1;
		}
	}
	ok(fits_kb && fits_delta,
	    "every size fits FMT_KB_WIDTH (%d), every change one more",
	    FMT_KB_WIDTH);
}

/* fatal() on a thread of its own while the view's hook is set: the hook
 * (which restores the terminal) must run on the thread that set it. */
static pthread_t hook_owner;
static int hook_out = -1;

static void
hook_where(void)
{
	const char *where =
	    pthread_equal(pthread_self(), hook_owner) ? "owner" : "other";

	if (write(hook_out, where, strlen(where)) < 0)
		_exit(99);
}

static void *
fatal_thread(void *arg)
{
	fatal(7, "out of memory on the sampler's thread");
	return arg;
}

static void
test_fatal_thread(void)
{
	int out[2], err[2], wake[2], status = 0;
	char said[256] = "", why[512] = "";
	ssize_t n;
	pid_t pid;

	if (pipe(out) != 0 || pipe(err) != 0 || pipe(wake) != 0) {
		ok(0, "pipes");
		return;
	}
	if ((pid = fork()) == 0) {
		struct pollfd pfd = { wake[0], POLLIN, 0 };
		pthread_t t;

		dup2(err[1], 2);
		hook_out = out[1];
		hook_owner = pthread_self();
		fatal_set_hook(hook_where, wake[1]);
		pthread_create(&t, NULL, fatal_thread, NULL);
		/* The loop of the hook's thread: woken, it checks. */
		if (poll(&pfd, 1, 10000) == 1)
			fatal_check();
		_exit(98);
	}
	close(out[1]);
	close(err[1]);
	waitpid(pid, &status, 0);
	n = read(out[0], said, sizeof said - 1);
	said[n > 0 ? n : 0] = '\0';
	n = read(err[0], why, sizeof why - 1);
	why[n > 0 ? n : 0] = '\0';
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 7 &&
	        strcmp(said, "owner") == 0,
	    "fatal() on another thread: the hook runs on its own thread, "
	    "and the exit code is fatal's (hook on %s, status %d)",
	    said, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	ok(strstr(why, "memtop: out of memory on the sampler's thread") != NULL,
	    "and the message is said");
	close(out[0]);
	close(err[0]);
	close(wake[0]);
	close(wake[1]);
}

/* A header line at every width from 10 to 80: words shorten before any
 * figure goes, the heavier figures stay longest, a path is cut at its
 * front, and the line never passes the width. */
/* hidepid's mode, from lines of /proc/self/mountinfo. */
static void
test_hidepid(void)
{
	ok(proc_hidepid_parse("66 48 0:40 / /proc rw,relatime - proc proc "
	                      "rw,hidepid=noaccess\n") == 1 &&
	        proc_hidepid_parse("66 48 0:40 / /proc rw - proc proc "
	                           "rw,hidepid=1\n") == 1,
	    "hidepid=1 (noaccess): files hidden");
	ok(proc_hidepid_parse("66 48 0:40 / /proc rw - proc proc "
	                      "rw,hidepid=invisible,subset=pid\n") == 2 &&
	        proc_hidepid_parse(
	            "6 4 0:4 / /proc rw - proc proc rw,hidepid=ptraceable\n") ==
	            4,
	    "hidepid=2 (invisible) and 4 (ptraceable): processes hidden");
	ok(proc_hidepid_parse("48 46 0:21 / /proc rw - proc proc rw\n") == 0 &&
	        proc_hidepid_parse("9 4 0:7 / /mnt rw - proc proc "
	                           "rw,hidepid=2\n") == 0,
	    "no hidepid, or a proc mounted elsewhere: nothing hidden");
}

static void
test_fit(void)
{
	struct fit_item it[4];
	char line[256];
	bool fits = true, order = true;
	int cols, w, prev_shown = 4;

	memset(it, 0, sizeof it);
	it[0] = (struct fit_item){ .form = { "cgroup 12M of 16M (75%)",
		                       "cg 12M of 16M", "cg 12M/16M" },
		.keep = 90 };
	it[1] = (struct fit_item){ .form = { "limit in ~2m12s at +31K/s",
		                       "limit in ~2m12s", "full ~2m12s" },
		.keep = 80 };
	it[2] =
	    (struct fit_item){ .form = { "OOM kills 2", "OOM 2" }, .keep = 50 };
	it[3] = (struct fit_item){ .form = { "[/svc.slice/app.service]" },
		.keep = 10,
		.cut = FIT_CUT_FRONT,
		.min = 8 };
	w = fit_line(it, 4, "  ", 200, true, line, sizeof line);
	is_str(line,
	    "cgroup 12M of 16M (75%)  limit in ~2m12s at +31K/s  OOM kills 2  "
	    "[/svc.slice/app.service]",
	    "wide: every item in its longest form");
	ok(w == fit_width(line) && it[2].x == 52 && it[3].width == 24,
	    "the columns of the line and of each item");
	fit_line(it, 4, "  ", 60, true, line, sizeof line);
	is_str(line,
	    "cg 12M of 16M  full ~2m12s  OOM 2  [/svc.slice/app.service]",
	    "60: words shorten, a round at a time, the lightest first");
	fit_line(it, 4, "  ", 50, true, line, sizeof line);
	is_str(line, "cg 12M/16M  full ~2m12s  OOM 2  \u2026lice/app.service]",
	    "50: every word at its shortest, then the path cut at its front");
	fit_line(it, 4, "  ", 35, true, line, sizeof line);
	is_str(line, "cg 12M of 16M  full ~2m12s  OOM 2",
	    "35: the path goes, the figures stay and grow back");
	fit_line(it, 4, "  ", 27, false, line, sizeof line);
	is_str(line, "cg 12M of 16M  full ~2m12s",
	    "27: the OOM kills go (the lightest figure) and the rest grow "
	    "back");
	for (cols = 80; cols >= 10; cols--) {
		int shown = 0, i;

		w = fit_line(it, 4, "  ", cols, true, line, sizeof line);
		fits &= w <= cols && w == fit_width(line);
		for (i = 0; i < 4; i++)
			shown += it[i].x >= 0;
		/* What goes at a width stays gone when narrower, lightest
		 * first. */
		order &= shown <= prev_shown && (shown == 0 || it[0].x >= 0) &&
		    (it[2].x < 0 || it[1].x >= 0);
		prev_shown = shown;
	}
	ok(fits, "from 80 to 10 columns the line fits its width");
	ok(order, "and the figures go lightest first, never to come back");
	it[0].cut = FIT_CUT_END;
	it[0].min = 6;
	fit_line(it, 1, "  ", 8, false, line, sizeof line);
	is_str(line, "cg 12M/>", "an item that may be cut at its end");
}

struct job {
	unsigned n;
	pthread_t who;
	bool slow;
};

static void
job_run(void *arg)
{
	struct job *j = arg;

	if (j->slow) {
		struct timespec ts = { 0, 50 * 1000 * 1000 };

		nanosleep(&ts, NULL);
	}
	j->who = pthread_self();
	j->n++;
}

static void
test_worker(void)
{
	struct worker *w = worker_new();
	struct job j = { 0 };
	bool there = true;
	unsigned i;

	for (i = 0; i < 1000; i++) {
		worker_run(w, job_run, &j);
		worker_wait(w);
		there = there && !pthread_equal(j.who, pthread_self());
		if (j.n != i + 1)
			break;
	}
	ok(i == 1000 && there,
	    "1,000 jobs run on the worker's thread, each done once waited for");
	j.slow = true;
	worker_run(w, job_run, &j);
	worker_run(w, job_run, &j);
	worker_free(w);
	ok(j.n == 1002, "a job waits for the one before; the end for the last");
}

int
main(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	test_esc();
	test_json_csv();
	test_fmt();
	test_columns_rx();
	test_times();
	test_rates();
	test_fit();
	test_hidepid();
	test_worker();
	/* Without a UTF-8 locale, what is not known is an ASCII dash. */
	if (setlocale(LC_ALL, "C.UTF-8") != NULL) {
		char buf[16];

		setlocale(LC_ALL, "C");
		is_str(fmt_rate(NAN, buf, sizeof buf), "-",
		    "in the C locale a rate not known yet is -");
	}
	test_fatal_thread();
	return tap_done();
}
