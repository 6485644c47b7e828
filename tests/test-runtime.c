/*
 * test-runtime.c - the runtime figures: the PerfData parser on files saved
 * from real JVMs (checked against what jstat printed for the same file), on
 * hand-made files in both byte orders and on damaged ones; the reader over
 * /proc/self with planted files; the Go parsers on bodies saved from a real
 * Go 1.19 program and from client_golang 1.14, and on hostile ones; the
 * URL rule; the summary line.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hsperf.h"
#include "rtfetch.h"
#include "rtfig.h"
#include "rtgo.h"
#include "tap.h"
#include "util.h"

/* A value in kB as jstat prints it ("30644.0"). */
static const char *
kb1(uint64_t bytes)
{
	static char buf[4][32];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof buf[i], "%.1f", (double)bytes / 1024);
	return buf[i];
}

/* Seconds as jstat prints a GC time ("0.004"). */
static const char *
secs3(uint64_t ns)
{
	static char buf[32];

	snprintf(buf, sizeof buf, "%.3f", (double)ns / 1e9);
	return buf;
}

static void
parse_fixture(const char *name, struct hsperf *h, struct rt_figures *f)
{
	const char *why;
	size_t len;
	char *buf = fixture_slurp(name, &len);

	ok(hsperf_parse(buf, len, h, &why) == 0, "%s parses", name);
	hsperf_figures(h, f);
	ok(f->status == RT_ST_OK && !h->torn, "%s: figures, %u entries", name,
	    h->entries);
	free(buf);
}

/* The files were saved from stopped JVMs (OpenJDK 17) and `jstat -gc PID`
 * run on each at the time; the figures must print as jstat printed. */
static void
test_hsperf_fixtures(void)
{
	struct rt_figures f;
	struct hsperf h;

	/* S1U 112.1 EC 35840.0 EU 16384.0 OC 225280.0 OU 30644.0 MC 320.0
	 * MU 78.0 CCSC 128.0 CCSU 3.3 YGC 1 YGCT 0.004 FGC 0 */
	parse_fixture("hsperf-g1-jdk17.bin", &h, &f);
	is_str(kb1(f.v[RTF_JVM_OLD_USED]), "30644.0", "G1: OU as jstat's");
	is_str(kb1(f.v[RTF_JVM_OLD_COMMITTED]), "225280.0", "G1: OC");
	is_str(kb1(f.v[RTF_JVM_EDEN_USED]), "16384.0", "G1: EU");
	is_str(kb1(f.v[RTF_JVM_EDEN_COMMITTED]), "35840.0", "G1: EC");
	is_str(kb1(f.v[RTF_JVM_SURVIVOR_USED]), "112.1", "G1: S0U + S1U");
	is_str(kb1(f.v[RTF_JVM_METASPACE_USED]), "78.0", "G1: MU");
	is_str(kb1(f.v[RTF_JVM_METASPACE_COMMITTED]), "320.0", "G1: MC");
	is_str(kb1(f.v[RTF_JVM_CLASS_USED]), "3.3", "G1: CCSU");
	is_str(kb1(f.v[RTF_JVM_CLASS_COMMITTED]), "128.0", "G1: CCSC");
	is_u64(f.v[RTF_JVM_YOUNG_GCS], 1, "G1: YGC");
	is_str(secs3(f.v[RTF_JVM_YOUNG_GC_NS]), "0.004", "G1: YGCT");
	is_u64(f.v[RTF_JVM_FULL_GCS], 0, "G1: FGC");
	is_u64(f.v[RTF_JVM_THREADS], 6, "G1: java.threads.live");
	is_str(f.detail, "GarbageFirst", "G1: the collector's name");
	is_u64(f.v[RTF_JVM_HEAP_USED],
	    f.v[RTF_JVM_EDEN_USED] + f.v[RTF_JVM_SURVIVOR_USED] +
	        f.v[RTF_JVM_OLD_USED],
	    "G1: heap used is eden + survivors + old");
	is_u64(f.v[RTF_JVM_HEAP_MAX] >> 20, 256,
	    "G1: max heap 256M (-Xmx256m), not twice that");
	is_str(h.coll[0].name, "G1 young collection pauses",
	    "G1: collector 0's name");

	/* S0C 10752.0 S0U 10751.6 EC 65536.0 EU 27832.2 OC 175104.0 OU 984.7
	 * YGC 2 YGCT 0.015 */
	parse_fixture("hsperf-parallel-jdk17.bin", &h, &f);
	is_str(kb1(f.v[RTF_JVM_OLD_USED]), "984.7", "Parallel: OU");
	is_str(kb1(f.v[RTF_JVM_OLD_COMMITTED]), "175104.0", "Parallel: OC");
	is_str(kb1(f.v[RTF_JVM_EDEN_USED]), "27832.2", "Parallel: EU");
	is_str(kb1(f.v[RTF_JVM_EDEN_COMMITTED]), "65536.0", "Parallel: EC");
	is_str(kb1(f.v[RTF_JVM_SURVIVOR_USED]), "10751.6", "Parallel: S0U+S1U");
	is_str(kb1(f.v[RTF_JVM_SURVIVOR_COMMITTED]), "21504.0",
	    "Parallel: S0C+S1C");
	is_u64(f.v[RTF_JVM_YOUNG_GCS], 2, "Parallel: YGC");
	is_str(secs3(f.v[RTF_JVM_YOUNG_GC_NS]), "0.015", "Parallel: YGCT");
	ok(!rtfig_has(&f, RTF_JVM_CONC_GCS),
	    "Parallel: no concurrent collector (jstat prints -)");
	is_u64(f.v[RTF_JVM_HEAP_MAX] >> 20, 256,
	    "Parallel: max heap is young max + old max");
}

/* A hand-made PerfData file. */
struct pd {
	uint8_t b[8192];
	size_t len;
	bool big;
	uint32_t n;
};

static void
pd_u32(uint8_t *p, uint32_t v, bool big)
{
	int i;

	for (i = 0; i < 4; i++)
		p[big ? i : 3 - i] = (uint8_t)(v >> (8 * (3 - i)));
}

static void
pd_begin(struct pd *d, bool big)
{
	memset(d, 0, sizeof *d);
	memcpy(d->b, "\xca\xfe\xc0\xc0", 4);
	d->big = big;
	d->b[4] = big ? 0 : 1;
	d->b[5] = 2;
	d->b[7] = 1; /* accessible */
	pd_u32(d->b + 24, 32, big);
	d->len = 32;
}

/* An entry: name, then data aligned to 8 in the entry. */
static void
pd_entry(struct pd *d, const char *name, char type, uint32_t vec,
    const void *data, size_t dlen)
{
	size_t off = d->len, nlen = strlen(name) + 1, doff, elen;

	doff = (20 + nlen + 7) & ~(size_t)7;
	elen = (doff + dlen + 7) & ~(size_t)7;
	pd_u32(d->b + off, (uint32_t)elen, d->big);
	pd_u32(d->b + off + 4, 20, d->big);
	pd_u32(d->b + off + 8, vec, d->big);
	d->b[off + 12] = (uint8_t)type;
	d->b[off + 13] = 1;
	d->b[off + 14] = type == 'J' ? 2 : 5;
	d->b[off + 15] = 3;
	pd_u32(d->b + off + 16, (uint32_t)doff, d->big);
	memcpy(d->b + off + 20, name, nlen);
	memcpy(d->b + off + doff, data, dlen);
	d->len += elen;
	d->n++;
}

static void
pd_long(struct pd *d, const char *name, int64_t v)
{
	uint8_t b[8];
	int i;

	for (i = 0; i < 8; i++)
		b[d->big ? i : 7 - i] = (uint8_t)((uint64_t)v >> (8 * (7 - i)));
	pd_entry(d, name, 'J', 0, b, 8);
}

static void
pd_string(struct pd *d, const char *name, const char *s)
{
	pd_entry(d, name, 'B', (uint32_t)strlen(s) + 1, s, strlen(s) + 1);
}

static void
pd_end(struct pd *d)
{
	pd_u32(d->b + 8, (uint32_t)d->len, d->big);
	pd_u32(d->b + 28, d->n, d->big);
}

static void
pd_sample(struct pd *d, bool big)
{
	pd_begin(d, big);
	pd_long(d, "sun.os.hrt.frequency", 1000000); /* microsecond ticks */
	pd_long(d, "sun.os.hrt.ticks", 5000000);
	pd_string(d, "sun.gc.policy.name", "Copy:MSC");
	pd_long(d, "sun.gc.generation.0.capacity", 10 << 20);
	pd_long(d, "sun.gc.generation.0.maxCapacity", 20 << 20);
	pd_long(d, "sun.gc.generation.0.space.0.used", 3 << 20);
	pd_long(d, "sun.gc.generation.0.space.0.capacity", 8 << 20);
	pd_long(d, "sun.gc.generation.0.space.1.used", 1 << 20);
	pd_long(d, "sun.gc.generation.1.capacity", 30 << 20);
	pd_long(d, "sun.gc.generation.1.maxCapacity", 60 << 20);
	pd_long(d, "sun.gc.generation.1.space.0.used", 12 << 20);
	pd_long(d, "sun.gc.generation.1.space.0.capacity", 30 << 20);
	pd_long(d, "sun.gc.collector.0.invocations", 7);
	pd_long(d, "sun.gc.collector.0.time", 2500);       /* 2.5 ms */
	pd_long(d, "sun.gc.collector.1.invocations", -5);  /* hostile */
	pd_long(d, "sun.gc.generation.9.space.0.used", 1); /* out of range */
	pd_long(d, "sun.gc.generation.0.space.77.used", 1);
	pd_long(d, "java.threads.live", 42);
	pd_end(d);
}

static void
test_hsperf_made(void)
{
	struct rt_figures f, g;
	struct hsperf h;
	const char *why;
	struct pd d;
	int big;

	for (big = 0; big < 2; big++) {
		const char *o = big ? "big-endian" : "little-endian";

		pd_sample(&d, big);
		ok(hsperf_parse(d.b, d.len, &h, &why) == 0 && !h.torn &&
		        h.entries == d.n,
		    "%s: every entry read", o);
		hsperf_figures(&h, &f);
		is_u64(f.v[RTF_JVM_HEAP_USED], 16 << 20, "%s: heap used", o);
		is_u64(f.v[RTF_JVM_HEAP_COMMITTED], 40 << 20,
		    "%s: heap committed", o);
		is_u64(f.v[RTF_JVM_HEAP_MAX], 80 << 20, "%s: heap max", o);
		is_u64(f.v[RTF_JVM_YOUNG_GC_NS], 2500000,
		    "%s: 2500 ticks at 1 MHz are 2.5 ms", o);
		is_u64(
		    f.v[RTF_JVM_CLOCK_NS], 5000000000ull, "%s: JVM clock", o);
		ok(!rtfig_has(&f, RTF_JVM_FULL_GCS),
		    "%s: a negative counter is unknown", o);
		is_u64(f.v[RTF_JVM_THREADS], 42, "%s: threads", o);
		is_str(f.detail, "Copy:MSC", "%s: string entry", o);
		if (big)
			ok(memcmp(&f.v, &g.v, sizeof f.v) == 0 &&
			        f.have == g.have,
			    "both byte orders give the same figures");
		g = f;
	}
}

/* Damage: every answer is an error with a reason or partial figures, never
 * a read outside the buffer (the sanitizer build checks that). */
static void
test_hsperf_damaged(void)
{
	struct rt_figures f;
	struct hsperf h;
	const char *why;
	struct pd d;
	size_t len, n, i, bad = 0;
	char *buf;
	int rc;

	pd_sample(&d, false);
	d.b[7] = 0;
	ok(hsperf_parse(d.b, d.len, &h, &why) == -EAGAIN &&
	        strstr(why, "starting") != NULL,
	    "accessible 0: try again, the JVM is starting");
	pd_sample(&d, false);
	d.b[1] ^= 1;
	rc = hsperf_parse(d.b, d.len, &h, &why);
	ok(rc < 0 && strstr(why, "magic"), "bad magic: %s", why ? why : "");
	pd_sample(&d, false);
	d.b[5] = 1;
	rc = hsperf_parse(d.b, d.len, &h, &why);
	ok(rc < 0 && strstr(why, "version"), "version 1: %s", why ? why : "");
	pd_sample(&d, false);
	d.b[4] = 7;
	rc = hsperf_parse(d.b, d.len, &h, &why);
	ok(rc < 0 && strstr(why, "byte order"), "byte order 7: %s",
	    why ? why : "");
	pd_sample(&d, false);
	pd_u32(d.b + 24, 1u << 30, false);
	rc = hsperf_parse(d.b, d.len, &h, &why);
	ok(rc < 0 && strstr(why, "outside"), "entries past the end: %s",
	    why ? why : "");
	pd_sample(&d, false);
	pd_u32(d.b + 28, 0xffffffffu, false);
	ok(hsperf_parse(d.b, d.len, &h, &why) == 0 && h.entries == d.n &&
	        h.torn,
	    "4 billion entries claimed: the real ones read, then torn");
	/* The third entry's length 0 (being appended): two read, torn. */
	pd_sample(&d, false);
	n = 32;
	for (i = 0; i < 2; i++)
		n += d.b[n] | d.b[n + 1] << 8;
	memset(d.b + n, 0, 4);
	ok(hsperf_parse(d.b, d.len, &h, &why) == 0 && h.entries == 2 && h.torn,
	    "an entry of length 0 ends the walk: %u read", h.entries);
	hsperf_figures(&h, &f);
	ok(f.status == RT_ST_ERROR && strstr(f.reason, "without heap"),
	    "and no heap counters is a reason: %s", f.reason);
	/* A name offset past the entry, a data offset past it. */
	pd_sample(&d, false);
	pd_u32(d.b + 32 + 4, 5000, false);
	ok(hsperf_parse(d.b, d.len, &h, &why) == 0 && h.entries == 0 && h.torn,
	    "a name offset outside its entry: nothing read");
	pd_sample(&d, false);
	pd_u32(d.b + 32 + 16, 0xfffffff0u, false);
	ok(hsperf_parse(d.b, d.len, &h, &why) == 0 && h.entries == 0 && h.torn,
	    "a data offset outside its entry: nothing read");
	pd_sample(&d, false);
	pd_u32(d.b + 32 + 8, 0x10000000u, false);
	ok(hsperf_parse(d.b, d.len, &h, &why) == 0 && h.entries == 0 && h.torn,
	    "a vector longer than its entry: nothing read");

	/* Every truncation of a real file, every bit of its first 4 kB. */
	buf = fixture_slurp("hsperf-g1-jdk17.bin", &len);
	for (n = 0; n <= len; n += n < 2048 ? 1 : 97) {
		char *cut = malloc(n + 1); /* exactly n: ASan sees past it */

		memcpy(cut, buf, n);
		rc = hsperf_parse(cut, n, &h, &why);
		if (rc == 0)
			hsperf_figures(&h, &f);
		if (rc == 0 && h.entries > h.num_entries)
			bad++;
		if (rc < 0 && why == NULL)
			bad++;
		free(cut);
	}
	ok(bad == 0,
	    "every truncation: an error with a reason, or fewer "
	    "entries");
	bad = 0;
	for (i = 0; i < 4096 * 8; i++) {
		buf[i / 8] ^= (char)(1 << (i % 8));
		rc = hsperf_parse(buf, len, &h, &why);
		if (rc == 0) {
			hsperf_figures(&h, &f);
			rtfig_summary(&f, NULL, 0, (char[200]){ 0 }, 200);
		} else if (why == NULL)
			bad++;
		buf[i / 8] ^= (char)(1 << (i % 8));
	}
	ok(bad == 0, "every bit of the first 4 kB flipped: no crash, reasons");
	free(buf);
}

static void
test_status_ids(void)
{
	static const char st[] = "Name:\tjava\nPid:\t4242\nPPid:\t1\n"
	                         "TracerPid:\t0\nUid:\t1000\t1001\t1000\t1000\n"
	                         "NSpid:\t4242\t7\n";
	static const char old[] = "Name:\tjava\nPid:\t99\nUid:\t0\t0\t0\t0\n";
	long pid = 0, uid = 0;

	ok(hsperf_status_ids(st, sizeof st - 1, &pid, &uid) == 0 && pid == 7 &&
	        uid == 1001,
	    "status: the namespace's PID (last NSpid) and effective UID");
	ok(hsperf_status_ids(old, sizeof old - 1, &pid, &uid) == 0 &&
	        pid == 99 && uid == 0,
	    "status without NSpid: Pid");
	ok(hsperf_status_ids("Name:\tx\n", 8, &pid, &uid) == -EINVAL,
	    "status without either: -EINVAL");
}

/* Plant files at /tmp/hsperfdata_USER/<our pid> and read them through
 * /proc/self, as memtop reads a JVM's. */
static void
test_hsperf_reader(void)
{
	struct passwd *pw = getpwuid(geteuid());
	char dir[256], path[300], hint[64] = "";
	struct rt_figures f;
	struct pd d;
	int procfd, fd;
	bool made_dir;

	if (pw == NULL) {
		ok(1, "# SKIP no user name for the effective UID");
		return;
	}
	snprintf(dir, sizeof dir, "/tmp/hsperfdata_%s", pw->pw_name);
	snprintf(path, sizeof path, "%s/%d", dir, (int)getpid());
	made_dir = mkdir(dir, 0755) == 0;
	procfd = open("/proc/self", O_RDONLY | O_DIRECTORY);

	unlink(path);
	ok(hsperf_read(procfd, NULL, &f, hint, sizeof hint) == -ENOENT &&
	        f.status == RT_ST_NONE && strstr(f.reason, "no hsperfdata"),
	    "no file: none, %s", f.reason);

	pd_sample(&d, false);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ok(fd >= 0 && write(fd, d.b, d.len) == (ssize_t)d.len, "planted %s",
	    path);
	close(fd);
	ok(hsperf_read(procfd, NULL, &f, hint, sizeof hint) == 0 &&
	        f.status == RT_ST_OK && f.v[RTF_JVM_OLD_USED] == 12 << 20,
	    "a file: read through /proc/self/root, by NSpid");
	ok(strcmp(hint, strrchr(dir, '/') + 1) == 0, "the hint names %s", hint);
	ok(f.read_secs >= 0 && f.read_secs < 1 && f.mono > 0,
	    "the reading carries its time");

	d.b[7] = 0;
	fd = open(path, O_WRONLY | O_TRUNC);
	ok(fd >= 0 && write(fd, d.b, d.len) == (ssize_t)d.len, "not ready");
	close(fd);
	ok(hsperf_read(procfd, NULL, &f, hint, sizeof hint) == -ENOENT &&
	        f.status == RT_ST_NONE && strstr(f.reason, "starting"),
	    "accessible 0: read three times, then none: %s", f.reason);

	unlink(path);
	ok(mkfifo(path, 0600) == 0, "a FIFO in its place");
	ok(hsperf_read(procfd, NULL, &f, hint, sizeof hint) < 0 &&
	        f.status == RT_ST_ERROR && strstr(f.reason, "FIFO"),
	    "a FIFO: not opened for reading, %s", f.reason);

	unlink(path);
	ok(symlink("/etc/passwd", path) == 0, "a symlink in its place");
	ok(hsperf_read(procfd, NULL, &f, hint, sizeof hint) == -ENOENT &&
	        f.status == RT_ST_NONE,
	    "a symlink: not followed (%s)", f.reason);

	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ok(fd >= 0 && ftruncate(fd, HSPERF_FILE_MAX + 1) == 0,
	    "a file of 8 MiB + 1");
	close(fd);
	ok(hsperf_read(procfd, NULL, &f, hint, sizeof hint) < 0 &&
	        strstr(f.reason, "larger than"),
	    "too large: %s", f.reason);

	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ok(fd >= 0 && write(fd, d.b, d.len) == (ssize_t)d.len, "planted");
	close(fd);
	if (geteuid() == 0 && chown(path, 65534, 65534) == 0)
		ok(hsperf_read(procfd, NULL, &f, hint, sizeof hint) ==
		            -ENOENT &&
		        strstr(f.reason, "another user"),
		    "a file owned by another UID is not ours: %s", f.reason);
	else
		ok(1, "# SKIP chown needs root");
	unlink(path);
	if (made_dir)
		rmdir(dir);
	close(procfd);
}

static void
test_go_fixtures(void)
{
	struct rt_figures f;
	size_t len;
	char *buf;

	buf = fixture_slurp("go-pprof-heap.txt", &len);
	ok(rtgo_parse(buf, len, &f) == 0 && f.source == RT_SRC_GO_PPROF,
	    "pprof heap?debug=1 from Go 1.19: detected");
	is_u64(f.v[RTF_GO_HEAP_ALLOC], 4176544, "pprof: HeapAlloc");
	is_u64(f.v[RTF_GO_HEAP_IDLE], 3170304, "pprof: HeapIdle");
	is_u64(f.v[RTF_GO_HEAP_RELEASED], 2965504, "pprof: HeapReleased");
	is_u64(f.v[RTF_GO_HEAP_INUSE], 4857856, "pprof: HeapInuse");
	is_u64(f.v[RTF_GO_STACK_INUSE], 360448, "pprof: Stack = inuse / sys");
	is_u64(f.v[RTF_GO_NUM_GC], 1, "pprof: NumGC");
	is_u64(f.v[RTF_GO_LAST_PAUSE_NS], 122557, "pprof: PauseNs[0]");
	free(buf);

	buf = fixture_slurp("go-expvar.json", &len);
	ok(rtgo_parse(buf, len, &f) == 0 && f.source == RT_SRC_GO_EXPVAR,
	    "expvar /debug/vars from Go 1.19: detected");
	is_u64(f.v[RTF_GO_HEAP_ALLOC], 4230568, "expvar: HeapAlloc");
	is_u64(f.v[RTF_GO_HEAP_IDLE], 3096576, "expvar: HeapIdle");
	is_u64(f.v[RTF_GO_HEAP_RELEASED], 2965504, "expvar: HeapReleased");
	is_u64(f.v[RTF_GO_HEAP_SYS], 8028160, "expvar: HeapSys");
	is_u64(f.v[RTF_GO_SYS], 18658568, "expvar: Sys");
	is_u64(f.v[RTF_GO_PAUSE_TOTAL_NS], 122557, "expvar: PauseTotalNs");
	is_u64(f.v[RTF_GO_LAST_PAUSE_NS], 122557, "expvar: last pause");
	is_u64(f.v[RTF_GO_LAST_GC_UNIX_NS], 1796272358972484258ull,
	    "expvar: LastGC");
	free(buf);

	buf = fixture_slurp("go-prom-memstats.txt", &len);
	ok(rtgo_parse(buf, len, &f) == 0 && f.source == RT_SRC_GO_PROM,
	    "client_golang 1.14 /metrics: detected");
	is_u64(f.v[RTF_GO_HEAP_ALLOC], 5592600,
	    "prom: go_memstats_heap_alloc_bytes 5.5926e+06");
	is_u64(f.v[RTF_GO_NUM_GC], 2, "prom: go_gc_duration_seconds_count");
	ok(rtfig_has(&f, RTF_GO_HEAP_SYS) && rtfig_has(&f, RTF_GO_HEAP_IDLE),
	    "prom: HeapSys and HeapIdle");
	free(buf);

	buf = fixture_slurp("go-prom-runtime-metrics.txt", &len);
	ok(rtgo_parse(buf, len, &f) == 0 && f.source == RT_SRC_GO_PROM,
	    "client_golang runtime/metrics collection: detected");
	is_u64(f.v[RTF_GO_HEAP_ALLOC], 5589984,
	    "prom: go_memory_classes_heap_objects_bytes is HeapAlloc");
	is_u64(f.v[RTF_GO_HEAP_IDLE], 114688 + 1376256,
	    "prom: HeapIdle is heap free + released");
	is_u64(f.v[RTF_GO_HEAP_RELEASED], 1376256, "prom: HeapReleased");
	free(buf);
}

static int
parse_str(const char *s, struct rt_figures *f)
{
	return rtgo_parse(s, strlen(s), f);
}

static void
test_go_hostile(void)
{
	static const char nested[] =
	    "{\"a\": \"x\\\"}{\", \"b\": [1, {\"c\": []}, \"]\"], "
	    "\"memstats\": {\"HeapAlloc\": 12, \"HeapIdle\": -4, "
	    "\"HeapInuse\": 1.5, \"HeapSys\": 1e3, \"NumGC\": 300, "
	    "\"PauseNs\": [" /* (300+255)%256 = 43 */
	    "0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,"
	    "24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,4343,"
	    "44], \"HeapReleased\": 99999999999999999999}}";
	static const char prom[] =
	    "# HELP go_memstats_heap_alloc_bytes x\n"
	    "go_memstats_heap_alloc_bytes{job=\"a}b\\\"c\"} 1.5e+06 17000\r\n"
	    "go_memstats_heap_alloc_bytes 7\n"
	    "go_memstats_heap_idle_bytes NaN\n"
	    "go_memstats_heap_inuse_bytes -3\n"
	    "go_memstats_sys_bytes +Inf\n"
	    "go_memstats_heap_released_bytes 1e300\n"
	    "go_memstats_heap_sys_bytes{broken 5\n"
	    "go_gc_duration_seconds_sum 0.25\n"
	    "go_memstats_last_gc_time_seconds 1.7e9";
	struct rt_figures f;
	size_t n, bad = 0;
	char cut[sizeof nested];

	ok(parse_str(nested, &f) == 0,
	    "expvar: strings with quotes and "
	    "brackets, nested values skipped");
	is_u64(f.v[RTF_GO_HEAP_ALLOC], 12, "expvar: HeapAlloc past them");
	ok(!rtfig_has(&f, RTF_GO_HEAP_IDLE) &&
	        !rtfig_has(&f, RTF_GO_HEAP_INUSE) &&
	        !rtfig_has(&f, RTF_GO_HEAP_SYS) &&
	        !rtfig_has(&f, RTF_GO_HEAP_RELEASED),
	    "expvar: negative, fractional, exponent, 2^64+ numbers unknown");
	is_u64(f.v[RTF_GO_LAST_PAUSE_NS], 4343,
	    "expvar: NumGC 300: the last pause is PauseNs[43]");
	for (n = 0; n < sizeof nested - 1; n++) {
		memcpy(cut, nested, n);
		if (rtgo_parse_expvar(cut, n, &f) == 0 ||
		    f.status != RT_ST_ERROR || f.reason[0] == '\0')
			bad++;
	}
	ok(bad == 0, "expvar cut at every byte: an error with a reason");

	ok(parse_str(prom, &f) == 0, "prom: labels, CRLF, timestamps");
	is_u64(f.v[RTF_GO_HEAP_ALLOC], 1500000,
	    "prom: the first sample of a name wins (labels with } and \\\")");
	ok(!rtfig_has(&f, RTF_GO_HEAP_IDLE) &&
	        !rtfig_has(&f, RTF_GO_HEAP_INUSE) &&
	        !rtfig_has(&f, RTF_GO_SYS) &&
	        !rtfig_has(&f, RTF_GO_HEAP_RELEASED) &&
	        !rtfig_has(&f, RTF_GO_HEAP_SYS),
	    "prom: NaN, negative, +Inf, 1e300, a broken line: unknown");
	is_u64(f.v[RTF_GO_PAUSE_TOTAL_NS], 250000000, "prom: seconds to ns");
	is_u64(f.v[RTF_GO_LAST_GC_UNIX_NS], 1700000000000000000ull,
	    "prom: last GC time, without a newline at the end");

	ok(parse_str("<html><body>pprof</body></html>", &f) < 0 &&
	        strstr(f.reason, "HTML"),
	    "an HTML page: %s", f.reason);
	ok(rtgo_parse("\x1f\x8b\x08\x00", 4, &f) < 0 &&
	        strstr(f.reason, "debug=1"),
	    "a gzip profile: %s", f.reason);
	ok(parse_str("  \n", &f) < 0 && strstr(f.reason, "empty"),
	    "an empty body: %s", f.reason);
	ok(parse_str("hello\x1b[2Jworld", &f) < 0 && f.status == RT_ST_ERROR,
	    "garbage: %s", f.reason);
	ok(parse_str("heap profile: 1: 2 [3: 4] @ heap/1024\n", &f) < 0 &&
	        strstr(f.reason, "MemStats"),
	    "a pprof text without its MemStats: %s", f.reason);
	ok(parse_str("{\"cmdline\": []}", &f) < 0 &&
	        strstr(f.reason, "memstats"),
	    "expvar without memstats: %s", f.reason);
	ok(parse_str("\n# runtime.MemStats\n# HeapAlloc = 5\n# NumGC = 0\n"
	             "# PauseNs = [9 9]\n",
	       &f) == 0 &&
	        f.v[RTF_GO_HEAP_ALLOC] == 5 &&
	        !rtfig_has(&f, RTF_GO_LAST_PAUSE_NS),
	    "pprof: no GC yet, no last pause");
}

static void
test_url_rule(void)
{
	static const struct {
		const char *url;
		bool any, pass;
	} cases[] = {
		{ "http://127.0.0.1:6060/debug/vars", false, true },
		{ "http://127.8.9.10/x", false, true },
		{ "http://localhost:6060/debug/pprof/heap?debug=1", false,
		    true },
		{ "http://[::1]:6060/metrics", false, true },
		{ "http://[::ffff:127.0.0.1]/x", false, true },
		{ "127.0.0.1:6060/debug/vars", false, true },
		{ "https://127.0.0.1/x", false, true },
		{ "unix:/run/app.sock:/debug/vars", false, true },
		{ "unix:/run/a:b/app.sock:/debug/vars", false, true },
		{ "http://10.0.0.5:6060/debug/vars", false, false },
		{ "http://10.0.0.5:6060/debug/vars", true, true },
		{ "http://example.com/", false, false },
		{ "http://localhost.example.com/", false, false },
		{ "http://[::2]/", false, false },
		{ "http://0.0.0.0/", false, false },
		{ "ftp://127.0.0.1/", false, false },
		{ "file:///etc/passwd", true, false },
		{ "unix:relative.sock:/x", false, false },
		{ "unix:/run/app.sock", false, false },
	};
	char why[200];
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int rc = rtfetch_check_url(
		    cases[i].url, cases[i].any, why, sizeof why);

		ok((rc == 0) == cases[i].pass, "%s%s: %s", cases[i].url,
		    cases[i].any ? " (any host)" : "",
		    rc == 0 ? "fetched" : why);
	}
}

static void
figures_go(struct rt_figures *f, double t, uint64_t alloc, uint64_t idle,
    uint64_t released)
{
	rtfig_init(f, RT_SRC_GO_EXPVAR, RT_ST_OK);
	f->mono = t;
	rtfig_set(f, RTF_GO_HEAP_ALLOC, alloc);
	rtfig_set(f, RTF_GO_HEAP_IDLE, idle);
	rtfig_set(f, RTF_GO_HEAP_RELEASED, released);
	rtfig_set(f, RTF_GO_HEAP_SYS, alloc + idle);
}

static void
test_summary(void)
{
	struct rt_figures a, b;
	struct rt_rates r;
	uint64_t used, held;
	char s[256];

	rtfig_init(&a, RT_SRC_JVM_HSPERF, RT_ST_OK);
	a.mono = 10;
	rtfig_set(&a, RTF_JVM_HEAP_USED, 412ull << 20);
	rtfig_set(&a, RTF_JVM_HEAP_COMMITTED, 1ull << 30);
	rtfig_set(&a, RTF_JVM_OLD_USED, 300ull << 20);
	b = a;
	b.mono = 20;
	rtfig_set(&b, RTF_JVM_OLD_USED, (300ull << 20) + 31 * 1048576);
	rtfig_rates(&a, &b, &r);
	is_str(rtfig_summary(&a, &r, 1 << 20, s, sizeof s),
	    "Java heap: used 412M of committed 1.0G; resident 1.0G; "
	    "old gen +3.1M/s",
	    "the JVM's line");
	ok(rtfig_heap(&a, &used, &held) && used == 412ull << 20 &&
	        held == 1ull << 30,
	    "the JVM's heap used and held");

	figures_go(&a, 0, 100 << 20, 50 << 20, 10 << 20);
	figures_go(&b, 10, 120 << 20, 50 << 20, 10 << 20);
	rtfig_rates(&a, &b, &r);
	ok(rtfig_go_growth(&r, RTFIG_GROWTH_MIN_BPS) == RT_GROW_OBJECTS,
	    "Go: HeapAlloc grows: objects");
	is_str(rtfig_summary(&b, &r, 200 << 10, s, sizeof s),
	    "Go heap: objects 120M, held free 40M, released 10M; "
	    "resident 200M; growing: objects +2.0M/s",
	    "Go's line, objects growing");
	figures_go(&b, 10, 100 << 20, 150 << 20, 10 << 20);
	rtfig_rates(&a, &b, &r);
	ok(rtfig_go_growth(&r, RTFIG_GROWTH_MIN_BPS) == RT_GROW_HELD_FREE,
	    "Go: HeapIdle - HeapReleased grows: held free");
	ok(strstr(rtfig_summary(&b, &r, 0, s, sizeof s),
	       "growing: held free +10M/s") != NULL,
	    "%s", s);
	figures_go(&b, 10, 100 << 20, 150 << 20, 110 << 20);
	rtfig_rates(&a, &b, &r);
	ok(rtfig_go_growth(&r, RTFIG_GROWTH_MIN_BPS) == RT_GROW_NONE,
	    "Go: idle grows but is released: nothing held grows");
	figures_go(&b, 10, 150 << 20, 150 << 20, 10 << 20);
	rtfig_rates(&a, &b, &r);
	ok(rtfig_go_growth(&r, RTFIG_GROWTH_MIN_BPS) == RT_GROW_BOTH &&
	        strstr(rtfig_summary(&b, &r, 0, s, sizeof s),
	            "growing: objects +5.0M/s, held free +10M/s") != NULL,
	    "both: %s", s);
	b.source = RT_SRC_GO_PPROF;
	rtfig_rates(&a, &b, &r);
	ok(r.have == 0, "no rates across two sources");

	rtfig_init(&a, RT_SRC_GO_PPROF, RT_ST_OK);
	rtfig_fail(&a, RT_ST_ERROR, "HTTP 500: \x1b[2Jboom\n");
	is_str(rtfig_summary(&a, NULL, 0, s, sizeof s),
	    "Go runtime: HTTP 500:  [2Jboom ",
	    "a reason is one line without control bytes");
	rtfig_init(&a, RT_SRC_JVM_HSPERF, RT_ST_NONE);
	rtfig_fail(&a, RT_ST_NONE, "no hsperfdata");
	is_str(rtfig_summary(&a, NULL, 0, s, sizeof s),
	    "Java runtime: no hsperfdata", "none says why");
	is_str(rtfig_summary(&a, NULL, 0, s, 8), "Java ru", "cut to size");
}

int
main(void)
{
	test_hsperf_fixtures();
	test_hsperf_made();
	test_hsperf_damaged();
	test_status_ids();
	test_hsperf_reader();
	test_go_fixtures();
	test_go_hostile();
	test_url_rule();
	test_summary();
	return tap_done();
}
