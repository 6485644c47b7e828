/*
 * spark.c - sparklines: U+2581..U+2588 in a UTF-8 locale, an ASCII ramp
 * elsewhere, scaled to each series' own range so a small trend shows.
 */
#include "config.h"

#include <string.h>

#include "model.h"
#include "spark.h"

static const char *const utf8_glyphs[9] = { " ", "\u2581", "\u2582", "\u2583",
	"\u2584", "\u2585", "\u2586", "\u2587", "\u2588" };
static const char *const ascii_glyphs[9] = { " ", "_", ".", "-", ":", "=", "+",
	"*", "#" };

size_t
spark_levels(
    const uint64_t *v, size_t n, uint8_t *level, uint64_t *lo, uint64_t *hi)
{
	uint64_t min = UINT64_MAX, max = 0;
	size_t i, present = 0;

	for (i = 0; i < n; i++) {
		if (v[i] == HISTORY_NONE)
			continue;
		present++;
		if (v[i] < min)
			min = v[i];
		if (v[i] > max)
			max = v[i];
	}
	if (present == 0)
		min = max = 0;
	for (i = 0; i < n; i++) {
		if (v[i] == HISTORY_NONE)
			level[i] = 0;
		else if (max == min)
			level[i] = 1;
		else
			level[i] =
			    (uint8_t)(1 + (v[i] - min) * 7 / (max - min));
	}
	*lo = min;
	*hi = max;
	return present;
}

const char *
spark_glyph(uint8_t level, bool utf8)
{
	if (level > 8)
		level = 8;
	return utf8 ? utf8_glyphs[level] : ascii_glyphs[level];
}

char *
spark_render(const uint64_t *v, size_t n, size_t width, bool utf8, char *buf,
    size_t size)
{
	uint8_t level[MODEL_HISTORY];
	uint64_t lo, hi;
	size_t i, o = 0, pad;

	if (size == 0)
		return buf;
	if (n > width)
		v += n - width, n = width;
	if (n > MODEL_HISTORY)
		v += n - MODEL_HISTORY, n = MODEL_HISTORY;
	spark_levels(v, n, level, &lo, &hi);
	pad = width > n ? width - n : 0;
	for (i = 0; i < pad + n; i++) {
		const char *g =
		    i < pad ? " " : spark_glyph(level[i - pad], utf8);
		size_t len = strlen(g);

		if (o + len + 1 > size)
			break;
		memcpy(buf + o, g, len);
		o += len;
	}
	buf[o] = '\0';
	return buf;
}

const char *
spark_chart_cell(unsigned eighths, unsigned row, bool utf8)
{
	unsigned base = row * 8;

	if (eighths <= base)
		return " ";
	if (eighths - base >= 8)
		return utf8 ? utf8_glyphs[8] : "#";
	return spark_glyph((uint8_t)(eighths - base), utf8);
}
