/*
 * rtgo.c - the Go runtime's figures from its pprof heap text, its expvar
 * JSON or its Prometheus text.  Pure: no I/O, no allocation.  The JSON is
 * scanned, not built: memtop wants a dozen numbers of one object, so a small
 * scanner that skips every other value (by counting brackets outside
 * strings, without recursion) is enough, and a JSON library would add a
 * dependency for no gain.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rtgo.h"

/* runtime.MemStats field names, as pprof and expvar print them. */
static const struct {
	const char *name;
	enum rt_field field;
} rtgo_memstats[] = {
	{ "HeapAlloc", RTF_GO_HEAP_ALLOC },
	{ "HeapInuse", RTF_GO_HEAP_INUSE },
	{ "HeapIdle", RTF_GO_HEAP_IDLE },
	{ "HeapReleased", RTF_GO_HEAP_RELEASED },
	{ "HeapSys", RTF_GO_HEAP_SYS },
	{ "HeapObjects", RTF_GO_HEAP_OBJECTS },
	{ "StackInuse", RTF_GO_STACK_INUSE },
	{ "Sys", RTF_GO_SYS },
	{ "NextGC", RTF_GO_NEXT_GC },
	{ "NumGC", RTF_GO_NUM_GC },
	{ "PauseTotalNs", RTF_GO_PAUSE_TOTAL_NS },
	{ "LastGC", RTF_GO_LAST_GC_UNIX_NS },
};
#define RTGO_NMEMSTATS (sizeof rtgo_memstats / sizeof rtgo_memstats[0])

static int
rtgo_memstats_field(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < RTGO_NMEMSTATS; i++)
		if (strlen(rtgo_memstats[i].name) == len &&
		    memcmp(rtgo_memstats[i].name, name, len) == 0)
			return (int)rtgo_memstats[i].field;
	return -1;
}

/* A decimal unsigned integer at [*p, end): advances *p past its digits.
 * False (and *p unmoved) when there are none or it overflows. */
static bool
rtgo_u64(const char **p, const char *end, uint64_t *v)
{
	const char *s = *p;
	uint64_t n = 0;

	if (s >= end || *s < '0' || *s > '9')
		return false;
	while (s < end && *s >= '0' && *s <= '9') {
		unsigned d = (unsigned)(*s - '0');

		if (n > (UINT64_MAX - d) / 10)
			return false;
		n = n * 10 + d;
		s++;
	}
	*p = s;
	*v = n;
	return true;
}

static bool
rtgo_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* The k-th (0 first) number of a list "[1 2 3]" or "[1,2,3]" at [p, end). */
static bool
rtgo_list_item(const char *p, const char *end, uint64_t k, uint64_t *v)
{
	uint64_t i = 0, n;

	if (p >= end || *p != '[')
		return false;
	p++;
	for (;;) {
		while (p < end && (rtgo_is_space(*p) || *p == ','))
			p++;
		if (!rtgo_u64(&p, end, &n))
			return false;
		if (i++ == k) {
			*v = n;
			return true;
		}
	}
}

/* PauseNs[(NumGC+255)%256]: the last pause, once there was a GC. */
static void
rtgo_last_pause(struct rt_figures *f, const char *list, const char *end)
{
	uint64_t v;

	if (list == NULL || !rtfig_has(f, RTF_GO_NUM_GC) ||
	    f->v[RTF_GO_NUM_GC] == 0)
		return;
	if (rtgo_list_item(list, end, (f->v[RTF_GO_NUM_GC] + 255) % 256, &v))
		rtfig_set(f, RTF_GO_LAST_PAUSE_NS, v);
}

/* The last "# runtime.MemStats" line of buf, or NULL. */
static const char *
rtgo_pprof_block(const char *buf, size_t len)
{
	static const char mark[] = "# runtime.MemStats";
	const char *p = buf, *end = buf + len, *found = NULL;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl != NULL ? nl : end;
		size_t n = (size_t)(eol - p);

		if (n >= sizeof mark - 1 &&
		    memcmp(p, mark, sizeof mark - 1) == 0 &&
		    (n == sizeof mark - 1 || p[n - 1] == '\r'))
			found = p;
		p = eol + 1;
	}
	return found;
}

int
rtgo_parse_pprof(const char *buf, size_t len, struct rt_figures *f)
{
	const char *p, *end = buf + len, *pause = NULL, *pause_end = NULL;

	rtfig_init(f, RT_SRC_GO_PPROF, RT_ST_OK);
	p = rtgo_pprof_block(buf, len);
	if (p == NULL) {
		rtfig_fail(f, RT_ST_ERROR,
		    "pprof text without its "
		    "runtime.MemStats block (not ?debug=1, or cut off)");
		return -EINVAL;
	}
	/* "# Key = value" lines until the end. */
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl != NULL ? nl : end, *key, *q;
		uint64_t v;
		int k;

		q = p;
		p = eol + 1;
		if (eol - q < 2 || q[0] != '#' || q[1] != ' ')
			continue;
		key = q += 2;
		while (q < eol && *q != ' ')
			q++;
		k = rtgo_memstats_field(key, (size_t)(q - key));
		if (eol - q < 3 || memcmp(q, " = ", 3) != 0)
			continue;
		q += 3;
		if ((size_t)(q - 3 - key) == 7 &&
		    memcmp(key, "PauseNs", 7) == 0) {
			pause = q;
			pause_end = eol;
		} else if ((size_t)(q - 3 - key) == 5 &&
		    memcmp(key, "Stack", 5) == 0) {
			/* "# Stack = StackInuse / StackSys" */
			if (rtgo_u64(&q, eol, &v))
				rtfig_set(f, RTF_GO_STACK_INUSE, v);
		} else if (k >= 0 && rtgo_u64(&q, eol, &v) &&
		    (q == eol || (*q == '\r' && q + 1 == eol)))
			rtfig_set(f, (enum rt_field)k, v);
	}
	rtgo_last_pause(f, pause, pause_end);
	if (!rtfig_has(f, RTF_GO_HEAP_ALLOC)) {
		rtfig_fail(f, RT_ST_ERROR,
		    "pprof runtime.MemStats block "
		    "without HeapAlloc");
		return -EINVAL;
	}
	return 0;
}

/* The JSON scanner: a cursor over [p, end). */
struct rtgo_js {
	const char *p, *end, *start;
};

static void
rtgo_js_ws(struct rtgo_js *j)
{
	while (j->p < j->end && rtgo_is_space(*j->p))
		j->p++;
}

/* A string at the cursor: *s and *n its raw bytes between the quotes
 * (escapes left as they are). */
static bool
rtgo_js_string(struct rtgo_js *j, const char **s, size_t *n)
{
	const char *q;

	if (j->p >= j->end || *j->p != '"')
		return false;
	for (q = j->p + 1; q < j->end && *q != '"'; q++)
		if (*q == '\\' && ++q >= j->end)
			return false;
	if (q >= j->end)
		return false;
	*s = j->p + 1;
	*n = (size_t)(q - *s);
	j->p = q + 1;
	return true;
}

/* A scalar ends at a delimiter. */
static bool
rtgo_js_delim(char c)
{
	return c == ',' || c == '}' || c == ']' || c == ':' || rtgo_is_space(c);
}

/* Skip one value, however nested, without recursion. */
static bool
rtgo_js_skip(struct rtgo_js *j)
{
	size_t depth = 0;
	const char *s;
	size_t n;

	rtgo_js_ws(j);
	do {
		char c;

		if (j->p >= j->end)
			return false;
		c = *j->p;
		if (c == '"') {
			if (!rtgo_js_string(j, &s, &n))
				return false;
		} else if (c == '{' || c == '[') {
			depth++;
			j->p++;
		} else if (c == '}' || c == ']') {
			if (depth == 0)
				return false;
			depth--;
			j->p++;
		} else if (depth == 0) {
			s = j->p;
			while (j->p < j->end && !rtgo_js_delim(*j->p))
				j->p++;
			return j->p > s;
		} else
			j->p++;
	} while (depth > 0);
	return true;
}

/* Expect c (after blanks). */
static bool
rtgo_js_expect(struct rtgo_js *j, char c)
{
	rtgo_js_ws(j);
	if (j->p >= j->end || *j->p != c)
		return false;
	j->p++;
	return true;
}

/*
 * Walk the members of the object at the cursor, calling fn with each key
 * and the cursor at its value; fn must consume the value.  Ends past the
 * closing brace.
 */
static bool
rtgo_js_object(struct rtgo_js *j,
    bool (*fn)(struct rtgo_js *j, const char *key, size_t klen, void *arg),
    void *arg)
{
	const char *key;
	size_t klen;

	if (!rtgo_js_expect(j, '{'))
		return false;
	rtgo_js_ws(j);
	if (j->p < j->end && *j->p == '}') {
		j->p++;
		return true;
	}
	for (;;) {
		rtgo_js_ws(j);
		if (!rtgo_js_string(j, &key, &klen) || !rtgo_js_expect(j, ':'))
			return false;
		rtgo_js_ws(j);
		if (!fn(j, key, klen, arg))
			return false;
		rtgo_js_ws(j);
		if (j->p >= j->end)
			return false;
		if (*j->p == '}') {
			j->p++;
			return true;
		}
		if (*j->p++ != ',')
			return false;
	}
}

struct rtgo_expvar {
	struct rt_figures *f;
	const char *pause; /* the PauseNs array */
	bool memstats;
};

static bool
rtgo_expvar_memstat(struct rtgo_js *j, const char *key, size_t klen, void *arg)
{
	struct rtgo_expvar *x = arg;
	const char *q = j->p;
	uint64_t v;
	int k;

	if (klen == 7 && memcmp(key, "PauseNs", 7) == 0)
		x->pause = j->p;
	k = rtgo_memstats_field(key, klen);
	/* A plain unsigned integer: "12", not "-1", "1.5" or "1e3". */
	if (k >= 0 && rtgo_u64(&q, j->end, &v) &&
	    (q == j->end || rtgo_js_delim(*q)))
		rtfig_set(x->f, (enum rt_field)k, v);
	return rtgo_js_skip(j);
}

static bool
rtgo_expvar_top(struct rtgo_js *j, const char *key, size_t klen, void *arg)
{
	struct rtgo_expvar *x = arg;

	if (klen == 8 && memcmp(key, "memstats", 8) == 0 && j->p < j->end &&
	    *j->p == '{') {
		x->memstats = true;
		return rtgo_js_object(j, rtgo_expvar_memstat, x);
	}
	return rtgo_js_skip(j);
}

int
rtgo_parse_expvar(const char *buf, size_t len, struct rt_figures *f)
{
	struct rtgo_js j = { buf, buf + len, buf };
	struct rtgo_expvar x = { f, NULL, false };

	rtfig_init(f, RT_SRC_GO_EXPVAR, RT_ST_OK);
	if (!rtgo_js_object(&j, rtgo_expvar_top, &x)) {
		rtfig_init(f, RT_SRC_GO_EXPVAR, RT_ST_OK);
		rtfig_fail(f, RT_ST_ERROR,
		    "malformed or cut JSON at byte %zu "
		    "of %zu",
		    (size_t)(j.p - j.start), len);
		return -EINVAL;
	}
	rtgo_last_pause(f, x.pause, buf + len);
	if (!x.memstats || !rtfig_has(f, RTF_GO_HEAP_ALLOC)) {
		rtfig_fail(f, RT_ST_ERROR,
		    x.memstats ?
		        "expvar memstats without HeapAlloc" :
		        "expvar JSON without memstats (is expvar imported?)");
		return -EINVAL;
	}
	return 0;
}

/* Prometheus names: go_memstats_* first, runtime/metrics classes next. */
enum rtgo_prom_name {
	P_HEAP_ALLOC,
	P_HEAP_INUSE,
	P_HEAP_IDLE,
	P_HEAP_RELEASED,
	P_HEAP_SYS,
	P_HEAP_OBJECTS,
	P_STACK_INUSE,
	P_SYS,
	P_NEXT_GC,
	P_LAST_GC,
	P_GC_COUNT,
	P_GC_SUM,
	P_CLASS_OBJECTS,
	P_CLASS_UNUSED,
	P_CLASS_FREE,
	P_CLASS_RELEASED,
	P_CLASS_STACKS,
	P_CLASS_TOTAL,
	P_CYCLES,
	P_GOAL,
	P_OBJECTS,
	P_COUNT
};

static const char *const rtgo_prom_names[P_COUNT] = {
	[P_HEAP_ALLOC] = "go_memstats_heap_alloc_bytes",
	[P_HEAP_INUSE] = "go_memstats_heap_inuse_bytes",
	[P_HEAP_IDLE] = "go_memstats_heap_idle_bytes",
	[P_HEAP_RELEASED] = "go_memstats_heap_released_bytes",
	[P_HEAP_SYS] = "go_memstats_heap_sys_bytes",
	[P_HEAP_OBJECTS] = "go_memstats_heap_objects",
	[P_STACK_INUSE] = "go_memstats_stack_inuse_bytes",
	[P_SYS] = "go_memstats_sys_bytes",
	[P_NEXT_GC] = "go_memstats_next_gc_bytes",
	[P_LAST_GC] = "go_memstats_last_gc_time_seconds",
	[P_GC_COUNT] = "go_gc_duration_seconds_count",
	[P_GC_SUM] = "go_gc_duration_seconds_sum",
	[P_CLASS_OBJECTS] = "go_memory_classes_heap_objects_bytes",
	[P_CLASS_UNUSED] = "go_memory_classes_heap_unused_bytes",
	[P_CLASS_FREE] = "go_memory_classes_heap_free_bytes",
	[P_CLASS_RELEASED] = "go_memory_classes_heap_released_bytes",
	[P_CLASS_STACKS] = "go_memory_classes_heap_stacks_bytes",
	[P_CLASS_TOTAL] = "go_memory_classes_total_bytes",
	[P_CYCLES] = "go_gc_cycles_total_gc_cycles_total",
	[P_GOAL] = "go_gc_heap_goal_bytes",
	[P_OBJECTS] = "go_gc_heap_objects_objects",
};

static bool
rtgo_prom_name_char(char c, bool first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	    c == ':' || (!first && c >= '0' && c <= '9');
}

/* One sample line "name{labels} value [timestamp]" at [p, eol): its name
 * and value.  False for anything else. */
static bool
rtgo_prom_line(const char *p, const char *eol, const char **name, size_t *nlen,
    double *value)
{
	char num[48], *numend;
	const char *s;

	while (p < eol && (*p == ' ' || *p == '\t'))
		p++;
	if (p >= eol || !rtgo_prom_name_char(*p, true))
		return false;
	*name = p;
	while (p < eol && rtgo_prom_name_char(*p, false))
		p++;
	*nlen = (size_t)(p - *name);
	if (p < eol && *p == '{') {
		bool quoted = false;

		for (p++; p < eol && (quoted || *p != '}'); p++) {
			if (quoted && *p == '\\')
				p++;
			else if (*p == '"')
				quoted = !quoted;
		}
		if (p >= eol)
			return false;
		p++;
	}
	if (p >= eol || (*p != ' ' && *p != '\t'))
		return false;
	while (p < eol && (*p == ' ' || *p == '\t'))
		p++;
	s = p;
	while (p < eol && *p != ' ' && *p != '\t' && *p != '\r')
		p++;
	if (p == s || (size_t)(p - s) >= sizeof num)
		return false;
	memcpy(num, s, (size_t)(p - s));
	num[p - s] = '\0';
	*value = strtod(num, &numend);
	return *numend == '\0' && numend != num;
}

/* A value as unsigned, scaled: false for NaN, infinities, negatives and
 * values past 2^64. */
static bool
rtgo_prom_u64(double v, double scale, uint64_t *out)
{
	double r = floor(v * scale + 0.5);

	if (!isfinite(r) || r < 0 || r >= 18446744073709551616.0)
		return false;
	*out = (uint64_t)r;
	return true;
}

int
rtgo_parse_prom(const char *buf, size_t len, struct rt_figures *f)
{
	static const struct {
		enum rtgo_prom_name p;
		enum rt_field k;
		double scale;
	} direct[] = {
		{ P_HEAP_ALLOC, RTF_GO_HEAP_ALLOC, 1 },
		{ P_HEAP_INUSE, RTF_GO_HEAP_INUSE, 1 },
		{ P_HEAP_IDLE, RTF_GO_HEAP_IDLE, 1 },
		{ P_HEAP_RELEASED, RTF_GO_HEAP_RELEASED, 1 },
		{ P_HEAP_SYS, RTF_GO_HEAP_SYS, 1 },
		{ P_HEAP_OBJECTS, RTF_GO_HEAP_OBJECTS, 1 },
		{ P_STACK_INUSE, RTF_GO_STACK_INUSE, 1 },
		{ P_SYS, RTF_GO_SYS, 1 },
		{ P_NEXT_GC, RTF_GO_NEXT_GC, 1 },
		{ P_LAST_GC, RTF_GO_LAST_GC_UNIX_NS, 1e9 },
		{ P_GC_COUNT, RTF_GO_NUM_GC, 1 },
		{ P_GC_SUM, RTF_GO_PAUSE_TOTAL_NS, 1e9 },
		/* runtime/metrics, where client_golang gives no memstats */
		{ P_CLASS_OBJECTS, RTF_GO_HEAP_ALLOC, 1 },
		{ P_CLASS_RELEASED, RTF_GO_HEAP_RELEASED, 1 },
		{ P_CLASS_STACKS, RTF_GO_STACK_INUSE, 1 },
		{ P_CLASS_TOTAL, RTF_GO_SYS, 1 },
		{ P_CYCLES, RTF_GO_NUM_GC, 1 },
		{ P_GOAL, RTF_GO_NEXT_GC, 1 },
		{ P_OBJECTS, RTF_GO_HEAP_OBJECTS, 1 },
	};
	double val[P_COUNT];
	bool seen[P_COUNT] = { false };
	const char *p = buf, *end = buf + len;
	uint64_t u, a, b;
	size_t i;

	rtfig_init(f, RT_SRC_GO_PROM, RT_ST_OK);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl != NULL ? nl : end, *name;
		size_t nlen;
		double v;

		if (rtgo_prom_line(p, eol, &name, &nlen, &v)) {
			for (i = 0; i < P_COUNT; i++)
				if (!seen[i] &&
				    strlen(rtgo_prom_names[i]) == nlen &&
				    memcmp(rtgo_prom_names[i], name, nlen) ==
				        0) {
					/* The first sample of a name wins. */
					seen[i] = true;
					val[i] = v;
					break;
				}
		}
		p = eol + 1;
	}
	for (i = 0; i < sizeof direct / sizeof direct[0]; i++)
		if (seen[direct[i].p] && !rtfig_has(f, direct[i].k) &&
		    rtgo_prom_u64(val[direct[i].p], direct[i].scale, &u))
			rtfig_set(f, direct[i].k, u);
	/* Derived from the memory classes: in use is objects + unused,
	 * idle is free + released (as runtime.MemStats defines them). */
	if (seen[P_CLASS_OBJECTS] && seen[P_CLASS_UNUSED] &&
	    !rtfig_has(f, RTF_GO_HEAP_INUSE) &&
	    rtgo_prom_u64(val[P_CLASS_OBJECTS], 1, &a) &&
	    rtgo_prom_u64(val[P_CLASS_UNUSED], 1, &b) && a + b >= a)
		rtfig_set(f, RTF_GO_HEAP_INUSE, a + b);
	if (seen[P_CLASS_FREE] && seen[P_CLASS_RELEASED] &&
	    !rtfig_has(f, RTF_GO_HEAP_IDLE) &&
	    rtgo_prom_u64(val[P_CLASS_FREE], 1, &a) &&
	    rtgo_prom_u64(val[P_CLASS_RELEASED], 1, &b) && a + b >= a)
		rtfig_set(f, RTF_GO_HEAP_IDLE, a + b);
	if (!rtfig_has(f, RTF_GO_HEAP_ALLOC)) {
		rtfig_fail(f, RT_ST_ERROR,
		    "Prometheus text without "
		    "go_memstats_heap_alloc_bytes or "
		    "go_memory_classes_heap_objects_bytes");
		return -EINVAL;
	}
	return 0;
}

int
rtgo_parse(const char *buf, size_t len, struct rt_figures *f)
{
	const char *p = buf, *end = buf + len;

	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	while (p < end && rtgo_is_space(*p))
		p++;
	rtfig_init(f, RT_SRC_NONE, RT_ST_OK);
	if (p == end) {
		rtfig_fail(f, RT_ST_ERROR, "an empty body");
		return -EINVAL;
	}
	if (end - p >= 2 && (unsigned char)p[0] == 0x1f &&
	    (unsigned char)p[1] == 0x8b) {
		rtfig_fail(f, RT_ST_ERROR,
		    "a gzip body (a binary profile?): "
		    "ask for /debug/pprof/heap?debug=1");
		return -EINVAL;
	}
	if (*p == '{')
		return rtgo_parse_expvar(p, (size_t)(end - p), f);
	if (*p == '<') {
		rtfig_fail(f, RT_ST_ERROR,
		    "an HTML page, not runtime figures "
		    "(/debug/pprof/heap?debug=1, /debug/vars or /metrics)");
		return -EINVAL;
	}
	if (rtgo_pprof_block(p, (size_t)(end - p)) != NULL ||
	    (end - p >= 13 && memcmp(p, "heap profile:", 13) == 0))
		return rtgo_parse_pprof(p, (size_t)(end - p), f);
	if (rtgo_parse_prom(p, (size_t)(end - p), f) == 0)
		return 0;
	rtfig_init(f, RT_SRC_NONE, RT_ST_OK);
	rtfig_fail(f, RT_ST_ERROR,
	    "not Go runtime figures: neither pprof "
	    "heap?debug=1 text, expvar JSON nor Prometheus go_memstats_*");
	return -EINVAL;
}
