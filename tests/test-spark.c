/*
 * test-spark.c - sparklines and chart cells.
 */
#include "config.h"

#include <string.h>

#include "model.h"
#include "spark.h"
#include "tap.h"

int
main(void)
{
	uint64_t rising[] = { 10, 20, 30, 40, 50, 60, 70, 80 };
	uint64_t flat[] = { 5, 5, 5 };
	uint64_t gaps[] = { HISTORY_NONE, HISTORY_NONE, 100, 200 };
	uint64_t small[] = { 1000000, 1000001, 1000002 };
	uint8_t level[8];
	uint64_t lo, hi;
	char buf[128];

	spark_render(rising, 8, 8, true, buf, sizeof buf);
	is_str(buf, "\u2581\u2582\u2583\u2584\u2585\u2586\u2587\u2588",
	    "a rising series climbs the eight blocks");
	spark_render(rising, 8, 8, false, buf, sizeof buf);
	is_str(buf, "_.-:=+*#", "the ASCII ramp outside UTF-8");
	spark_render(flat, 3, 5, true, buf, sizeof buf);
	is_str(buf, "  \u2581\u2581\u2581", "a flat series, right-aligned");
	spark_render(gaps, 4, 4, false, buf, sizeof buf);
	is_str(buf, "  _#", "gaps before a region appeared are blank");
	spark_render(small, 3, 3, false, buf, sizeof buf);
	is_str(buf, "_:#", "scaled per line: a 2 kB trend on 1 GB shows");
	spark_render(rising, 8, 3, false, buf, sizeof buf);
	is_str(buf, "_:#", "only the last `width` values, rescaled");
	ok(spark_levels(gaps, 4, level, &lo, &hi) == 2 && lo == 100 &&
	        hi == 200,
	    "levels report the scale");
	is_str(spark_chart_cell(20, 0, true), "\u2588", "full bottom row");
	is_str(spark_chart_cell(20, 2, true), "\u2584", "partial top row");
	is_str(spark_chart_cell(20, 3, true), " ", "empty above");
	is_str(spark_chart_cell(8, 0, false), "#", "ASCII full cell");
	return tap_done();
}
