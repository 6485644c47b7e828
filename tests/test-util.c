/*
 * test-util.c - escaping of target bytes, formatting, table helpers.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <time.h>

#include "app.h"
#include "table.h"
#include "tap.h"
#include "util.h"

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

	ok(column_lookup("rss") == COL_RSS && column_lookup("RSS") == COL_RSS,
	    "column names match in any case");
	ok(column_lookup("private_dirty") == COL_PDIRTY, "private_dirty");
	ok(column_lookup("bogus") == -1, "unknown column refused");
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
	ok(app_parse_time("+10s", first, last) == first + 10 &&
	        app_parse_time("-30s", first, last) == last - 30 &&
	        app_parse_time("-0", first, last) == last,
	    "+DURATION from the start, -DURATION from the end");
	ok(app_parse_time("1700000123.5", first, last) == 1700000123.5,
	    "unix seconds");
	ok(app_parse_time("22:15:00", first, last) == first + 100 &&
	        app_parse_time("22:15", first, last) == first + 100,
	    "HH:MM:SS and HH:MM on the day of the first sample");
	ok(app_parse_time("2023-11-14 22:15:00", first, last) == first + 100 &&
	        app_parse_time("2023-11-14 22:15", first, last) == first + 100,
	    "a local date and time");
	ok(app_parse_time("soon", first, last) < 0 &&
	        app_parse_time("22:15 tomorrow", first, last) < 0 &&
	        app_parse_time("nan", first, last) < 0 &&
	        app_parse_time("inf", first, last) < 0 &&
	        app_parse_time("", first, last) < 0,
	    "anything else refused");
}

int
main(void)
{
	test_esc();
	test_json_csv();
	test_fmt();
	test_columns_rx();
	test_times();
	return tap_done();
}
