/*
 * rtfig.h - the runtime's own figures for one sample: what the JVM (its
 * hsperfdata) or a Go program (its pprof, expvar or Prometheus endpoint) says
 * about its heap, beside what the kernel says about its regions.
 *
 * One flat, fixed-size value: a source, a status with a one-line reason, and
 * an array of unsigned 64-bit values indexed by enum rt_field with a bit mask
 * of those known.  Encoding it is a loop over the set bits; rtfig_fields[]
 * gives each value its stable key and unit.  The values are raw, each with
 * the time it was read: rates are for the model to fit (rtfig_rates() is the
 * two-point difference, for tests and a first display).
 */
#ifndef MEMTOP_RTFIG_H
#define MEMTOP_RTFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Where the figures came from.  Stable numbers: they are recorded. */
enum rt_source {
	RT_SRC_NONE = 0,
	RT_SRC_JVM_HSPERF = 1, /* /tmp/hsperfdata_USER/PID */
	RT_SRC_GO_PPROF = 2,   /* /debug/pprof/heap?debug=1 */
	RT_SRC_GO_EXPVAR = 3,  /* /debug/vars */
	RT_SRC_GO_PROM = 4     /* Prometheus text: go_memstats_* */
};

/* Stable numbers: they are recorded. */
enum rt_status {
	RT_ST_OK = 0,      /* the values are the runtime's, read at mono */
	RT_ST_NONE = 1,    /* nothing to read, quietly (no hsperfdata) */
	RT_ST_PENDING = 2, /* no reading has finished yet */
	RT_ST_ERROR = 3    /* a read or parse failed: reason says why */
};

/*
 * The values.  Append only: the numbers are recorded.  Bytes unless the key
 * ends in _ns (nanoseconds) or is a count.  The JVM's come from these
 * hsperfdata counters (jstat -gc reads the same):
 *   heap_*       every sun.gc.generation.N: used is the sum of its spaces'
 *                used, committed the sum of the generations' capacity
 *   eden_*       generation.0.space.0 (jstat EC, EU)
 *   survivor_*   generation.0.space.1 + .space.2 (S0C+S1C, S0U+S1U)
 *   old_*        generation.1.space.0 (OC, OU); old_max generation.1.maxCapacity
 *   metaspace_*  sun.gc.metaspace.{used,capacity} (MU, MC)
 *   class_*      sun.gc.compressedclassspace.{used,capacity} (CCSU, CCSC)
 *   code         sun.ci.nmethodSize: compiled code in the code cache
 *   *_gcs, *_gc_ns  sun.gc.collector.{0,1,2}.{invocations,time} (YGC,
 *                YGCT, FGC, FGCT, CGC, CGCT), ticks / sun.os.hrt.frequency
 *   threads      java.threads.live
 *   jvm_clock_ns sun.os.hrt.ticks: the JVM's clock when it last updated
 * The Go ones are runtime.MemStats fields of the same name; last_pause_ns is
 * PauseNs[(NumGC+255)%256], last_gc_unix_ns LastGC.
 */
enum rt_field {
	RTF_JVM_HEAP_USED,
	RTF_JVM_HEAP_COMMITTED,
	RTF_JVM_HEAP_MAX,
	RTF_JVM_EDEN_USED,
	RTF_JVM_EDEN_COMMITTED,
	RTF_JVM_SURVIVOR_USED,
	RTF_JVM_SURVIVOR_COMMITTED,
	RTF_JVM_OLD_USED,
	RTF_JVM_OLD_COMMITTED,
	RTF_JVM_OLD_MAX,
	RTF_JVM_METASPACE_USED,
	RTF_JVM_METASPACE_COMMITTED,
	RTF_JVM_CLASS_USED,
	RTF_JVM_CLASS_COMMITTED,
	RTF_JVM_CODE,
	RTF_JVM_YOUNG_GCS,
	RTF_JVM_YOUNG_GC_NS,
	RTF_JVM_FULL_GCS,
	RTF_JVM_FULL_GC_NS,
	RTF_JVM_CONC_GCS,
	RTF_JVM_CONC_GC_NS,
	RTF_JVM_THREADS,
	RTF_JVM_CLOCK_NS,
	RTF_GO_HEAP_ALLOC,
	RTF_GO_HEAP_INUSE,
	RTF_GO_HEAP_IDLE,
	RTF_GO_HEAP_RELEASED,
	RTF_GO_HEAP_SYS,
	RTF_GO_HEAP_OBJECTS,
	RTF_GO_STACK_INUSE,
	RTF_GO_SYS,
	RTF_GO_NEXT_GC,
	RTF_GO_NUM_GC,
	RTF_GO_PAUSE_TOTAL_NS,
	RTF_GO_LAST_PAUSE_NS,
	RTF_GO_LAST_GC_UNIX_NS,
	RTF_COUNT
};

enum rt_unit { RTU_BYTES, RTU_COUNT, RTU_NS, RTU_UNIX_NS };

struct rt_field_info {
	const char *key; /* "old_used", "heap_alloc": batch and JSON keys */
	enum rt_unit unit;
};
extern const struct rt_field_info rtfig_fields[RTF_COUNT];

#define RTFIG_DETAIL_MAX 48
#define RTFIG_REASON_MAX 160

struct rt_figures {
	enum rt_source source;
	enum rt_status status;
	uint64_t have; /* bit (1 << field) when v[field] is known */
	uint64_t v[RTF_COUNT];
	double mono; /* clock_mono() when the reading finished */
	double wall; /* clock_wall() then */
	double
	    read_secs; /* what the read took (a fetch: the HTTP round trip) */
	/* The JVM's collector (sun.gc.policy.name, e.g. "GarbageFirst"), or
	 * ""; target bytes, escape before display. */
	char detail[RTFIG_DETAIL_MAX];
	/* Why status is not OK, one line ("no hsperfdata (-XX:-UsePerfData or
	 * not a HotSpot JVM)", "timed out after 2.0 s"); "" when OK. */
	char reason[RTFIG_REASON_MAX];
};

/* The per-second rates of each field, as the model fits them (or as
 * rtfig_rates() derives them from two readings). */
struct rt_rates {
	uint64_t have;
	double r[RTF_COUNT];
};

/* Empty figures of source src with status st (values unknown). */
void rtfig_init(struct rt_figures *f, enum rt_source src, enum rt_status st);
/* Set a value and its bit. */
void rtfig_set(struct rt_figures *f, enum rt_field k, uint64_t v);
bool rtfig_has(const struct rt_figures *f, enum rt_field k);
/* Set status and the one-line reason (printf; control bytes replaced). */
void rtfig_fail(struct rt_figures *f, enum rt_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* "jvm-hsperf", "go-pprof", "go-expvar", "go-prom", "none". */
const char *rtfig_source_name(enum rt_source src);
/* "ok", "none", "pending", "error". */
const char *rtfig_status_name(enum rt_status st);
/* Whether the source is a Go or a JVM one. */
bool rtfig_is_go(enum rt_source src);
bool rtfig_is_jvm(enum rt_source src);

/* The heap the runtime says it uses and holds: the JVM's used and committed
 * heap; Go's HeapAlloc and HeapSys - HeapReleased (what it holds from the
 * OS for the heap).  False when unknown. */
bool rtfig_heap(const struct rt_figures *f, uint64_t *used, uint64_t *held);

/* Rates per second of every field both readings know, from a to b (b later,
 * same source, both OK); out->have = 0 otherwise. */
void rtfig_rates(const struct rt_figures *a, const struct rt_figures *b,
    struct rt_rates *out);

/* Below this many bytes/s a figure is said to be flat. */
#define RTFIG_GROWTH_MIN_BPS (16.0 * 1024)

/* What grows in a Go heap: its objects (HeapAlloc: a leak), or memory it
 * holds but has not used nor given back (HeapIdle - HeapReleased:
 * fragmentation, a pool, a scavenger behind), both, or neither. */
enum rt_growth {
	RT_GROW_NONE,
	RT_GROW_OBJECTS,
	RT_GROW_HELD_FREE,
	RT_GROW_BOTH
};
enum rt_growth rtfig_go_growth(const struct rt_rates *r, double min_bps);

/*
 * The one-line summary the header shows, e.g.
 *   "Java heap: used 412M of committed 1.0G; resident 1.0G; old gen +3.1M/s"
 *   "Go heap: objects 120M, held free 310M, released 40M; resident 480M;
 *    growing: held free +2.0M/s"
 *   "Go runtime: timed out after 2.0 s"
 * rates may be NULL (no rate shown); resident_kb is the resident size of the
 * runtime's heap regions as the kernel counts them, 0 when unknown.  The
 * detail and reason are escaped.  Returns buf.
 */
char *rtfig_summary(const struct rt_figures *f, const struct rt_rates *rates,
    uint64_t resident_kb, char *buf, size_t size);

#endif
