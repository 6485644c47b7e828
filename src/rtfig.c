/*
 * rtfig.c - the runtime figures: names, units, rates and the one-line
 * summary.  Pure: no I/O.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "rtfig.h"
#include "util.h"

const struct rt_field_info rtfig_fields[RTF_COUNT] = {
	[RTF_JVM_HEAP_USED] = { "heap_used", RTU_BYTES },
	[RTF_JVM_HEAP_COMMITTED] = { "heap_committed", RTU_BYTES },
	[RTF_JVM_HEAP_MAX] = { "heap_max", RTU_BYTES },
	[RTF_JVM_EDEN_USED] = { "eden_used", RTU_BYTES },
	[RTF_JVM_EDEN_COMMITTED] = { "eden_committed", RTU_BYTES },
	[RTF_JVM_SURVIVOR_USED] = { "survivor_used", RTU_BYTES },
	[RTF_JVM_SURVIVOR_COMMITTED] = { "survivor_committed", RTU_BYTES },
	[RTF_JVM_OLD_USED] = { "old_used", RTU_BYTES },
	[RTF_JVM_OLD_COMMITTED] = { "old_committed", RTU_BYTES },
	[RTF_JVM_OLD_MAX] = { "old_max", RTU_BYTES },
	[RTF_JVM_METASPACE_USED] = { "metaspace_used", RTU_BYTES },
	[RTF_JVM_METASPACE_COMMITTED] = { "metaspace_committed", RTU_BYTES },
	[RTF_JVM_CLASS_USED] = { "class_space_used", RTU_BYTES },
	[RTF_JVM_CLASS_COMMITTED] = { "class_space_committed", RTU_BYTES },
	[RTF_JVM_CODE] = { "code", RTU_BYTES },
	[RTF_JVM_YOUNG_GCS] = { "young_gcs", RTU_COUNT },
	[RTF_JVM_YOUNG_GC_NS] = { "young_gc_ns", RTU_NS },
	[RTF_JVM_FULL_GCS] = { "full_gcs", RTU_COUNT },
	[RTF_JVM_FULL_GC_NS] = { "full_gc_ns", RTU_NS },
	[RTF_JVM_CONC_GCS] = { "concurrent_gcs", RTU_COUNT },
	[RTF_JVM_CONC_GC_NS] = { "concurrent_gc_ns", RTU_NS },
	[RTF_JVM_THREADS] = { "threads", RTU_COUNT },
	[RTF_JVM_CLOCK_NS] = { "jvm_clock_ns", RTU_NS },
	[RTF_GO_HEAP_ALLOC] = { "heap_alloc", RTU_BYTES },
	[RTF_GO_HEAP_INUSE] = { "heap_inuse", RTU_BYTES },
	[RTF_GO_HEAP_IDLE] = { "heap_idle", RTU_BYTES },
	[RTF_GO_HEAP_RELEASED] = { "heap_released", RTU_BYTES },
	[RTF_GO_HEAP_SYS] = { "heap_sys", RTU_BYTES },
	[RTF_GO_HEAP_OBJECTS] = { "heap_objects", RTU_COUNT },
	[RTF_GO_STACK_INUSE] = { "stack_inuse", RTU_BYTES },
	[RTF_GO_SYS] = { "sys", RTU_BYTES },
	[RTF_GO_NEXT_GC] = { "next_gc", RTU_BYTES },
	[RTF_GO_NUM_GC] = { "num_gc", RTU_COUNT },
	[RTF_GO_PAUSE_TOTAL_NS] = { "pause_total_ns", RTU_NS },
	[RTF_GO_LAST_PAUSE_NS] = { "last_pause_ns", RTU_NS },
	[RTF_GO_LAST_GC_UNIX_NS] = { "last_gc_unix_ns", RTU_UNIX_NS },
};

/* The mask must hold every field. */
_Static_assert(RTF_COUNT <= 64, "rt_figures.have holds 64 fields");

void
rtfig_init(struct rt_figures *f, enum rt_source src, enum rt_status st)
{
	memset(f, 0, sizeof *f);
	f->source = src;
	f->status = st;
}

void
rtfig_set(struct rt_figures *f, enum rt_field k, uint64_t v)
{
	if ((unsigned)k >= RTF_COUNT)
		return;
	f->v[k] = v;
	f->have |= (uint64_t)1 << k;
}

bool
rtfig_has(const struct rt_figures *f, enum rt_field k)
{
	return (unsigned)k < RTF_COUNT && (f->have >> k & 1) != 0;
}

void
rtfig_fail(struct rt_figures *f, enum rt_status st, const char *fmt, ...)
{
	va_list ap;
	char *p;

	f->status = st;
	va_start(ap, fmt);
	vsnprintf(f->reason, sizeof f->reason, fmt, ap);
	va_end(ap);
	/* One line: a reason can quote what a server sent. */
	for (p = f->reason; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
}

const char *
rtfig_source_name(enum rt_source src)
{
	switch (src) {
	case RT_SRC_JVM_HSPERF:
		return "jvm-hsperf";
	case RT_SRC_GO_PPROF:
		return "go-pprof";
	case RT_SRC_GO_EXPVAR:
		return "go-expvar";
	case RT_SRC_GO_PROM:
		return "go-prom";
	case RT_SRC_NONE:
		break;
	}
	return "none";
}

const char *
rtfig_status_name(enum rt_status st)
{
	switch (st) {
	case RT_ST_OK:
		return "ok";
	case RT_ST_NONE:
		return "none";
	case RT_ST_PENDING:
		return "pending";
	case RT_ST_ERROR:
		break;
	}
	return "error";
}

bool
rtfig_is_go(enum rt_source src)
{
	return src == RT_SRC_GO_PPROF || src == RT_SRC_GO_EXPVAR ||
	    src == RT_SRC_GO_PROM;
}

bool
rtfig_is_jvm(enum rt_source src)
{
	return src == RT_SRC_JVM_HSPERF;
}

bool
rtfig_heap(const struct rt_figures *f, uint64_t *used, uint64_t *held)
{
	if (f->status != RT_ST_OK)
		return false;
	if (rtfig_is_jvm(f->source) && rtfig_has(f, RTF_JVM_HEAP_USED) &&
	    rtfig_has(f, RTF_JVM_HEAP_COMMITTED)) {
		*used = f->v[RTF_JVM_HEAP_USED];
		*held = f->v[RTF_JVM_HEAP_COMMITTED];
		return true;
	}
	if (rtfig_is_go(f->source) && rtfig_has(f, RTF_GO_HEAP_ALLOC) &&
	    rtfig_has(f, RTF_GO_HEAP_SYS) &&
	    rtfig_has(f, RTF_GO_HEAP_RELEASED)) {
		uint64_t sys = f->v[RTF_GO_HEAP_SYS];
		uint64_t rel = f->v[RTF_GO_HEAP_RELEASED];

		*used = f->v[RTF_GO_HEAP_ALLOC];
		*held = sys > rel ? sys - rel : 0;
		return true;
	}
	return false;
}

void
rtfig_rates(const struct rt_figures *a, const struct rt_figures *b,
    struct rt_rates *out)
{
	double dt = b->mono - a->mono;
	uint64_t both = a->have & b->have;
	int k;

	memset(out, 0, sizeof *out);
	if (a->status != RT_ST_OK || b->status != RT_ST_OK ||
	    a->source != b->source || !(dt > 0))
		return;
	for (k = 0; k < RTF_COUNT; k++) {
		if (!(both >> k & 1))
			continue;
		out->r[k] = ((double)b->v[k] - (double)a->v[k]) / dt;
		out->have |= (uint64_t)1 << k;
	}
}

static bool
rtfig_rate(const struct rt_rates *r, enum rt_field k, double *v)
{
	if (r == NULL || !(r->have >> k & 1))
		return false;
	*v = r->r[k];
	return true;
}

/* HeapIdle - HeapReleased: held by the Go heap, neither used nor returned. */
static bool
rtfig_go_held_free(const struct rt_figures *f, uint64_t *v)
{
	if (!rtfig_has(f, RTF_GO_HEAP_IDLE) ||
	    !rtfig_has(f, RTF_GO_HEAP_RELEASED))
		return false;
	*v = f->v[RTF_GO_HEAP_IDLE] > f->v[RTF_GO_HEAP_RELEASED] ?
	    f->v[RTF_GO_HEAP_IDLE] - f->v[RTF_GO_HEAP_RELEASED] :
	    0;
	return true;
}

enum rt_growth
rtfig_go_growth(const struct rt_rates *r, double min_bps)
{
	double alloc = 0, idle = 0, rel = 0;
	bool objects, held;

	objects = rtfig_rate(r, RTF_GO_HEAP_ALLOC, &alloc) && alloc >= min_bps;
	held = rtfig_rate(r, RTF_GO_HEAP_IDLE, &idle) &&
	    rtfig_rate(r, RTF_GO_HEAP_RELEASED, &rel) && idle - rel >= min_bps;
	if (objects && held)
		return RT_GROW_BOTH;
	return objects ? RT_GROW_OBJECTS :
	    held       ? RT_GROW_HELD_FREE :
	                 RT_GROW_NONE;
}

static const char *
rtfig_size(uint64_t bytes, char *buf, size_t size)
{
	return fmt_kb(bytes / 1024, buf, size);
}

/* "+3.1M/s" */
static const char *
rtfig_rate_text(double bps, char *buf, size_t size)
{
	return fmt_rate(bps / 1024, buf, size);
}

/* The figures of the summary: "used 412M of committed 1.0G". */
static void
rtfig_summary_figures(
    const struct rt_figures *f, char *buf, size_t size, size_t *at)
{
	char a[16], b[16];
	uint64_t held;

	if (rtfig_is_jvm(f->source)) {
		if (rtfig_has(f, RTF_JVM_HEAP_USED))
			str_catf(buf, size, at, " used %s",
			    rtfig_size(f->v[RTF_JVM_HEAP_USED], a, sizeof a));
		if (rtfig_has(f, RTF_JVM_HEAP_COMMITTED))
			str_catf(buf, size, at, " of committed %s",
			    rtfig_size(
			        f->v[RTF_JVM_HEAP_COMMITTED], b, sizeof b));
		return;
	}
	if (rtfig_has(f, RTF_GO_HEAP_ALLOC))
		str_catf(buf, size, at, " objects %s",
		    rtfig_size(f->v[RTF_GO_HEAP_ALLOC], a, sizeof a));
	if (rtfig_go_held_free(f, &held))
		str_catf(buf, size, at, ", held free %s, released %s",
		    rtfig_size(held, a, sizeof a),
		    rtfig_size(f->v[RTF_GO_HEAP_RELEASED], b, sizeof b));
}

/* The trend: "; old gen +3.1M/s", "; growing: held free +2.0M/s". */
static void
rtfig_summary_trend(const struct rt_figures *f, const struct rt_rates *rates,
    char *buf, size_t size, size_t *at)
{
	char a[24];
	enum rt_growth g;
	double r = 0, idle = 0, rel = 0;

	if (rtfig_is_jvm(f->source)) {
		if (rtfig_rate(rates, RTF_JVM_OLD_USED, &r) &&
		    (r >= RTFIG_GROWTH_MIN_BPS || r <= -RTFIG_GROWTH_MIN_BPS))
			str_catf(buf, size, at, "; old gen %s",
			    rtfig_rate_text(r, a, sizeof a));
		return;
	}
	g = rtfig_go_growth(rates, RTFIG_GROWTH_MIN_BPS);
	if (g == RT_GROW_NONE)
		return;
	str_catf(buf, size, at, "; growing:");
	if (g == RT_GROW_OBJECTS || g == RT_GROW_BOTH) {
		rtfig_rate(rates, RTF_GO_HEAP_ALLOC, &r);
		str_catf(buf, size, at, " objects %s",
		    rtfig_rate_text(r, a, sizeof a));
	}
	if (g == RT_GROW_HELD_FREE || g == RT_GROW_BOTH) {
		rtfig_rate(rates, RTF_GO_HEAP_IDLE, &idle);
		rtfig_rate(rates, RTF_GO_HEAP_RELEASED, &rel);
		str_catf(buf, size, at, "%s held free %s",
		    g == RT_GROW_BOTH ? "," : "",
		    rtfig_rate_text(idle - rel, a, sizeof a));
	}
}

char *
rtfig_summary(const struct rt_figures *f, const struct rt_rates *rates,
    uint64_t resident_kb, char *buf, size_t size)
{
	bool jvm = rtfig_is_jvm(f->source);
	char esc[RTFIG_REASON_MAX * 4], res[16];
	size_t at = 0;

	if (size == 0)
		return buf;
	buf[0] = '\0';
	if (f->status != RT_ST_OK) {
		esc_text(f->reason, strlen(f->reason), esc, sizeof esc, false);
		str_catf(buf, size, &at, "%s: %s",
		    rtfig_is_go(f->source) ? "Go runtime" :
		        jvm                ? "Java runtime" :
		                             "runtime",
		    f->status == RT_ST_PENDING && esc[0] == '\0' ? "waiting" :
		                                                   esc);
		return buf;
	}
	str_catf(buf, size, &at, "%s heap:", jvm ? "Java" : "Go");
	rtfig_summary_figures(f, buf, size, &at);
	if (resident_kb > 0)
		str_catf(buf, size, &at, "; resident %s",
		    fmt_kb(resident_kb, res, sizeof res));
	rtfig_summary_trend(f, rates, buf, size, &at);
	return buf;
}
