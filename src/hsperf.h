/*
 * hsperf.h - HotSpot's performance counters, read from the memory-mapped file
 * the JVM keeps at /tmp/hsperfdata_USER/PID (what jstat reads): never
 * attaching, never signalling the JVM.
 *
 * The file is the PerfData format, version 2.0: a 32-byte prologue (magic
 * 0xcafec0c0 in big-endian order, a byte order, a version, an "accessible"
 * flag the JVM sets once it is initialised, the bytes used, the offset and
 * count of the entries), then entries, each with its own length, the offset
 * of a NUL-terminated name ("sun.gc.generation.1.space.0.used"), a type
 * ('J' a 64-bit value, 'B' a byte vector: a string), units, variability and
 * the offset of its data.  The JVM updates values in place without a lock
 * and appends entries while running; a file can also be truncated, another
 * user's or written by a hostile process: hsperf_parse() trusts no length or
 * offset (fuzz/fuzz-runtime.c).
 */
#ifndef MEMTOP_HSPERF_H
#define MEMTOP_HSPERF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rtfig.h"

#define HSPERF_GENS       4 /* sun.gc.generation.0 .. 3 */
#define HSPERF_SPACES     4 /* sun.gc.generation.N.space.0 .. 3 */
#define HSPERF_COLLECTORS 4 /* sun.gc.collector.0 .. 3 */
#define HSPERF_NAME_MAX   48
#define HSPERF_NONE       (-1) /* a counter the file does not have */

/* Larger files are refused (the JVM's default is 32 or 64 kB). */
#define HSPERF_FILE_MAX (8u << 20)

struct hsperf_space {
	char name[HSPERF_NAME_MAX]; /* "eden", "s0", "space" */
	int64_t capacity, used, max;
};

struct hsperf_gen {
	char name[HSPERF_NAME_MAX]; /* "young", "old" */
	int64_t capacity, max;
	struct hsperf_space space[HSPERF_SPACES];
};

struct hsperf_collector {
	char name[HSPERF_NAME_MAX]; /* "G1 young collection pauses" */
	int64_t invocations, ticks;
};

/* What one read of the file holds.  Counters are HSPERF_NONE when absent
 * (or negative in the file); names are target bytes: escape them. */
struct hsperf {
	bool big_endian;
	int major, minor;
	uint32_t used;        /* prologue: bytes the JVM has used */
	uint32_t num_entries; /* prologue: entries it says it has */
	uint32_t entries;     /* entries read before the end or a bad one */
	bool torn;            /* stopped at a malformed entry */
	int64_t mod_time_stamp;

	int64_t frequency; /* sun.os.hrt.frequency: ticks per second */
	int64_t ticks;     /* sun.os.hrt.ticks */
	struct hsperf_gen gen[HSPERF_GENS];
	struct hsperf_collector coll[HSPERF_COLLECTORS];
	int64_t meta_capacity, meta_used, meta_max;
	int64_t class_capacity, class_used, class_max;
	int64_t code;                 /* sun.ci.nmethodSize */
	int64_t threads;              /* java.threads.live */
	char policy[HSPERF_NAME_MAX]; /* sun.gc.policy.name */
};

/* One entry, as hsperf_each() hands it over: data points into the buffer,
 * data_len bytes, all inside the entry. */
struct hsperf_entry {
	const char *name; /* NUL-terminated, inside the buffer */
	char type;        /* 'J', 'B', 'I', ... */
	uint8_t units; /* 1 none, 2 bytes, 3 ticks, 4 events, 5 string, 6 Hz */
	uint8_t variability;    /* 1 constant, 2 monotonic, 3 variable */
	uint32_t vector_length; /* 0 for a scalar */
	const uint8_t *data;
	size_t data_len;
	int64_t value; /* a 'J' scalar, in host order; 0 otherwise */
};

/*
 * Walk the entries of a PerfData buffer, calling fn on each well-formed one
 * (fn returns non-zero to stop).  Fills the prologue fields of h (the rest is
 * left as it is).  Returns 0, or -1 with *why a static one-line reason: not
 * PerfData (magic), a version other than 2, a byte order neither 0 nor 1, a
 * prologue that does not fit, or an "accessible" flag still 0 (-EAGAIN then:
 * the JVM is starting; try again).  A malformed entry ends the walk and sets
 * h->torn; the entries before it were handed over.
 */
int hsperf_each(const void *buf, size_t len, struct hsperf *h,
    int (*fn)(const struct hsperf_entry *e, void *arg), void *arg,
    const char **why);

/* hsperf_each() collecting the counters memtop shows into *h.  Same
 * returns. */
int hsperf_parse(
    const void *buf, size_t len, struct hsperf *h, const char **why);

/* The figures of a parsed file: source jvm-hsperf, status OK when it had the
 * heap's counters, else ERROR with the reason. */
void hsperf_figures(const struct hsperf *h, struct rt_figures *f);

/* From /proc/PID/status: the PID in the target's own PID namespace (the last
 * NSpid field, or Pid where there is no NSpid) and its effective UID (as
 * this reader sees it).  0, or -EINVAL when either is missing. */
int hsperf_status_ids(const char *buf, size_t len, long *nspid, long *euid);

/*
 * Read the hsperfdata of the process whose /proc/PID directory is open as
 * procfd: /tmp as its mount namespace sees it (through /proc/PID/root, no
 * symlink followed), the file named after its namespace PID in the
 * hsperfdata_* directory owned by its effective UID.  Fills f (and h when not
 * NULL, for per-generation detail).  A JVM still starting (accessible 0) or
 * appending an entry mid-read is read again, twice at most, 5 ms apart.
 *
 * hint, when not NULL, is a buffer of hint_size bytes with the directory name
 * found last time ("" at first), tried before scanning /tmp and updated.
 * Without a hint every call lists the target's /tmp: call it for JVMs (a
 * libjvm.so mapping), keep the hint, and it costs ~0.2 ms a sample.
 *
 * Returns 0 with f->status OK; -ENOENT with RT_ST_NONE and a reason when
 * there is nothing to read (no file: -XX:-UsePerfData, not a HotSpot JVM, no
 * /tmp, a JVM still starting); another -errno with RT_ST_ERROR and a reason
 * (another user's file, a file not regular or too large, a malformed file).
 */
int hsperf_read(int procfd, struct hsperf *h, struct rt_figures *f, char *hint,
    size_t hint_size);

#endif
