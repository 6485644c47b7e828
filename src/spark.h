/*
 * spark.h - history -> sparkline and chart glyphs.  Pure: no curses.
 */
#ifndef MEMTOP_SPARK_H
#define MEMTOP_SPARK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Levels 1..8 of each value between the smallest and largest present one
 * (a flat series is all 1; HISTORY_NONE gaps are 0).  *lo and *hi get that
 * scale.  Returns how many values were present.
 */
size_t spark_levels(
    const uint64_t *v, size_t n, uint8_t *level, uint64_t *lo, uint64_t *hi);

/* The glyph of a level: U+2581..U+2588 in UTF-8 ("" for 0 is a space), or
 * one of the ASCII ramp "_.-:=+*#".  NUL-terminated, at most 4 bytes. */
const char *spark_glyph(uint8_t level, bool utf8);

/* A whole sparkline of the last `width` values into buf (UTF-8 or ASCII),
 * right-aligned (older samples missing -> spaces).  Returns buf. */
char *spark_render(const uint64_t *v, size_t n, size_t width, bool utf8,
    char *buf, size_t size);

/*
 * One row of a multi-row bar chart: the glyph for a column whose value
 * fills `eighths` eighths of the chart's height, on row `row` counted from
 * the bottom (0).  Full rows are U+2588 or '#'.
 */
const char *spark_chart_cell(unsigned eighths, unsigned row, bool utf8);

#endif
