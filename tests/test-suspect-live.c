/*
 * test-suspect-live.c - leak suspects and what changed on live processes,
 * through the core alone (source_live_open, model_ingest, the ranking):
 *   - the suspects' demo workload sampled every 0.5 s for 10 s: the steady
 *     leak is the top suspect, with high confidence; the warm-up and the
 *     sawtooth rank below it;
 *   - a sleeping python3: no confident suspect;
 *   - two moments of a process that grew one region and mapped another in
 *     between, live and from a recording of it: the new region is new, the
 *     leak grew by what it touched.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "demo.h"
#include "moment.h"
#include "record.h"
#include "replay.h"
#include "source.h"
#include "suspect.h"
#include "tap.h"
#include "util.h"

#define INTERVAL 0.5

static void
sleep_until(double t)
{
	double d = t - clock_mono();

	if (d > 0) {
		struct timespec ts = { (time_t)d,
			(long)((d - (double)(time_t)d) * 1e9) };

		nanosleep(&ts, NULL);
	}
}

/* Sample pid n times every INTERVAL into m, calling each(m, i, ctx) after
 * each sample when not NULL; returns the samples taken. */
static int
sample(int pid, struct model *m, int n,
    void (*each)(struct model *m, int i, void *ctx), void *ctx)
{
	struct snapshot *s = snapshot_new();
	struct source *src;
	char *cause = NULL;
	int err = 0, i;
	double next = clock_mono();

	src = source_live_open(pid, &cause, &err);
	if (src == NULL) {
		diag("source_live_open: %s", cause ? cause : "?");
		free(cause);
		snapshot_free(s);
		return 0;
	}
	for (i = 0; i < n; i++) {
		if (source_next(src, s, &cause) != SOURCE_SAMPLE)
			break;
		model_ingest(m, s);
		if (each != NULL)
			each(m, i, ctx);
		next += INTERVAL;
		if (i + 1 < n)
			sleep_until(next);
	}
	source_close(src);
	snapshot_free(s);
	return i;
}

/* Start the suspects' demo workload, or a python3 that sleeps once it has
 * said "ready"; *out reads its standard output.  Its pid, or -1. */
static pid_t
spawn(bool demo, FILE **out)
{
	struct demo_opts o = { 0, 0, false, false, true };
	int fds[2];
	pid_t pid;

	if (pipe(fds) != 0 || (pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		close(fds[0]);
		dup2(fds[1], STDOUT_FILENO);
		if (demo)
			_exit(demo_main(&o));
		execlp("python3", "python3", "-c",
		    "import time; print('ready', flush=True); time.sleep(60)",
		    (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	*out = fdopen(fds[0], "r");
	return pid;
}

/* "  NAME         0xSTART-0xEND ..." from the demo's output. */
static int
parse_range(const char *line, const char *name, uint64_t *start)
{
	char word[32];
	unsigned long long a, b;

	if (sscanf(line, " %31s %llx-%llx", word, &a, &b) == 3 &&
	    strcmp(word, name) == 0) {
		*start = a;
		return 1;
	}
	return 0;
}

/* Rank of the suspect starting at start, or -1. */
static long
rank_of(const struct suspect *s, size_t n, uint64_t start)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i].start == start)
			return (long)i;
	return -1;
}

/* What the ranking said along the way. */
struct watch {
	struct suspect_ranking *sr;
	uint64_t warm, leak, saw;
	int warm_seen;      /* the warm-up listed while it grew */
	int leak_confident; /* the first sample the leak was the top */
	int upset;          /* a sample the warm-up or sawtooth led it */
};

static void
watch_each(struct model *m, int i, void *ctx)
{
	struct watch *w = ctx;
	struct suspect_opts so;
	const struct suspect *s;
	long rl, rw, rs;
	size_t n;

	suspect_opts_init(&so);
	so.max = 0;
	n = suspect_rank(w->sr, m, &so, &s);
	rl = rank_of(s, n, w->leak);
	rw = rank_of(s, n, w->warm);
	rs = rank_of(s, n, w->saw);
	if (rw >= 0 && i < 6)
		w->warm_seen = 1;
	if (suspect_top(s, n) != NULL && rl == 0 && w->leak_confident < 0)
		w->leak_confident = i;
	if (w->leak_confident >= 0 && w->upset < 0 &&
	    ((rw >= 0 && (rw < rl || s[rw].confidence >= SUSPECT_CONFIDENT)) ||
	        (rs >= 0 &&
	            (rs < rl || s[rs].confidence >= SUSPECT_CONFIDENT))))
		w->upset = i;
}

static void
test_three_regions(void)
{
	struct model *m = model_new();
	struct suspect_ranking *sr = suspect_ranking_new();
	struct suspect_opts so;
	const struct suspect *s, *top;
	struct watch watch = { 0 };
	uint64_t warm = 0, leak = 0, saw = 0;
	char line[256], hex[32], full[32];
	int status, got;
	long rl, rw, rs;
	pid_t pid;
	FILE *out;
	size_t n, i;

	if ((pid = spawn(true, &out)) < 0)
		return;
	while (fgets(line, sizeof line, out) != NULL)
		if (parse_range(line, "warmup", &warm) ||
		    parse_range(line, "leak", &leak))
			continue;
		else if (parse_range(line, "sawtooth", &saw))
			break;
	ok(warm && leak && saw, "the workload prints its three ranges");

	watch.sr = sr;
	watch.warm = warm;
	watch.leak = leak;
	watch.saw = saw;
	watch.leak_confident = watch.upset = -1;
	got = sample(pid, m, 21, watch_each, &watch);
	ok(got == 21, "sampled every %.1f s for 10 s (%d samples)", INTERVAL,
	    got);
	suspect_opts_init(&so);
	so.max = 0;
	n = suspect_rank(sr, m, &so, &s);
	for (i = 0; i < n && i < 5; i++)
		diag("%zu: %s %" PRIx64 " %.1f kB/s, confidence %.2f%s", i,
		    s[i].label, s[i].start, s[i].rate_kb_s, s[i].confidence,
		    s[i].trend.cyclic ? ", cyclic" : "");
	top = suspect_top(s, n);
	rl = rank_of(s, n, leak);
	rw = rank_of(s, n, warm);
	rs = rank_of(s, n, saw);
	ok(top != NULL && top->start == leak,
	    "the steady leak is the top suspect");
	ok(rl == 0 && s[0].confidence >= 0.8, "with high confidence (%.2f)",
	    rl == 0 ? s[0].confidence : 0);
	ok(rl == 0 && fabs(s[0].rate_kb_s - DEMO_SUSPECT_KB_S) < 0.15 * 512,
	    "at its rate, 512 kB/s (%.1f)", rl == 0 ? s[0].rate_kb_s : 0);
	ok((rw < 0 || rw > rl) && (rs < 0 || rs > rl),
	    "the warm-up (rank %ld) and the sawtooth (rank %ld) below it", rw,
	    rs);
	ok((rw < 0 || s[rw].confidence < SUSPECT_CONFIDENT) &&
	        (rs < 0 || s[rs].confidence < SUSPECT_CONFIDENT),
	    "neither is confident");
	ok(watch.warm_seen, "the warm-up was listed while it grew");
	ok(watch.leak_confident >= 0 && watch.upset < 0,
	    "from the sample the leak led (%.1f s) neither came first or "
	    "confident (upset at sample %d)",
	    watch.leak_confident * INTERVAL, watch.upset);
	if (top != NULL) {
		suspect_line(m, top, line, sizeof line, false);
		snprintf(full, sizeof full, "%" PRIx64, leak);
		snprintf(hex, sizeof hex, " %.4s", full);
		ok(strstr(line, hex) != NULL && strstr(line, "/s for ") &&
		        strstr(line, "steady"),
		    "the header line: %s", line);
	} else
		ok(0, "the header line");
	kill(pid, SIGTERM);
	waitpid(pid, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "the workload ends on SIGTERM");
	fclose(out);
	suspect_ranking_free(sr);
	model_free(m);
}

static void
test_no_growth(void)
{
	struct model *m = model_new();
	struct suspect_ranking *sr = suspect_ranking_new();
	struct suspect_opts so;
	const struct suspect *s;
	char line[64] = "";
	int status;
	pid_t pid;
	FILE *out;
	size_t n;

	if (system("python3 -c '' 2>/dev/null") != 0) {
		ok(1, "# SKIP python3 is not installed");
		suspect_ranking_free(sr);
		model_free(m);
		return;
	}
	if ((pid = spawn(false, &out)) < 0)
		return;
	if (fgets(line, sizeof line, out) == NULL)
		diag("python3 said nothing");
	sample(pid, m, 13, NULL, NULL);
	suspect_opts_init(&so);
	n = suspect_rank(sr, m, &so, &s);
	if (n > 0)
		diag("first: %s %.1f kB/s, confidence %.2f", s[0].label,
		    s[0].rate_kb_s, s[0].confidence);
	ok(model_samples(m) == 13 && suspect_top(s, n) == NULL,
	    "a sleeping python3: no confident suspect");
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	fclose(out);
	suspect_ranking_free(sr);
	model_free(m);
}

/* Anonymous rw memory of len bytes, a read-only page after it so that it
 * merges with nothing (as the demo does). */
static char *
child_map(size_t len)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	char *p = mmap(NULL, len + page, PROT_READ,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED || mprotect(p, len, PROT_READ | PROT_WRITE) != 0)
		_exit(2);
	madvise(p, len, MADV_NOHUGEPAGE);
	return p;
}

/* The child of the diff test: 'g' touches 1 MB more of its leak, 'm' maps
 * and fills 2 MB more; each answers with an address. */
static void
diff_child(int cmd, int reply)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), done = 0, k;
	char *leak = child_map(64 << 20), *p = leak, c;

	if (write(reply, &p, sizeof p) != sizeof p)
		_exit(2);
	while (read(cmd, &c, 1) == 1) {
		if (c == 'g') {
			for (k = 0; k < (1 << 20); k += page)
				leak[done + k] = 1;
			done += 1 << 20;
			p = leak;
		} else {
			p = child_map(2 << 20);
			memset(p, 1, 2 << 20);
		}
		if (write(reply, &p, sizeof p) != sizeof p)
			_exit(2);
	}
	_exit(0);
}

/* Send a command, wait for its answer. */
static uint64_t
ask(int cmd, int reply, char c)
{
	char *p = NULL;

	if (write(cmd, &c, 1) != 1 || read(reply, &p, sizeof p) != sizeof p)
		return 0;
	return (uint64_t)(uintptr_t)p;
}

/* The leak grew by 2 MB and a 2 MB region is new, from a to b. */
static void
check_diff(const struct moment *a, const struct moment *b, uint64_t leak,
    uint64_t fresh, const char *how)
{
	struct moment_diff *d = moment_diff(a, b, GROUP_NONE, false);
	const struct moment_delta *x = moment_diff_find(d, leak);
	const struct moment_delta *y = moment_diff_find(d, fresh);
	int64_t dl = x ? x->delta_kb[SERIES_RSS] : 0;
	int64_t dn = y ? y->delta_kb[SERIES_RSS] : 0;

	ok(x != NULL && x->change == MOMENT_GREW && dl >= 2048 &&
	        dl <= 2048 + 64 && x->delta_kb[SERIES_PRIVATE_DIRTY] >= 2048,
	    "%s: the leak grew by its 2 MB (%" PRId64 " kB)", how, dl);
	ok(y != NULL && y->change == MOMENT_NEW && y->a == NULL && dn >= 2048 &&
	        dn <= 2048 + 64,
	    "%s: the region mapped in between is new (%" PRId64 " kB)", how,
	    dn);
	ok(d->n >= 2 && d->d[0].b && d->d[1].b &&
	        (d->d[0].b->start == leak || d->d[0].b->start == fresh) &&
	        (d->d[1].b->start == leak || d->d[1].b->start == fresh),
	    "%s: they lead the list", how);
	moment_diff_free(d);
	d = moment_diff(a, b, GROUP_CLASS, false);
	if (!ok(d->n >= 1 && strcmp(d->d[0].label, "anon") == 0 &&
	            d->d[0].delta_kb[SERIES_RSS] >= 4096 &&
	            d->d[0].nb > d->d[0].na,
	        "%s: by class, anon grew by both, with more regions", how))
		for (size_t i = 0; i < d->n; i++)
			diag("%s %s %zu -> %zu regions, %+" PRId64 " kB",
			    moment_change_name(d->d[i].change), d->d[i].label,
			    d->d[i].na, d->d[i].nb,
			    d->d[i].delta_kb[SERIES_RSS]);
	moment_diff_free(d);
}

static void
test_diff(void)
{
	struct model *m = model_new(), *r1 = model_new(), *r2 = model_new();
	struct snapshot *s = snapshot_new();
	struct moment *a, *b, *ra = NULL, *rb = NULL, *rc = NULL;
	struct recorder *rec;
	struct source *src;
	char dir[] = "/tmp/memtop-suspect-XXXXXX", path[64], *cause = NULL;
	int cmd[2], reply[2], status, err = 0, i;
	uint64_t leak, fresh;
	pid_t pid;

	if (pipe(cmd) != 0 || pipe(reply) != 0)
		return;
	pid = fork();
	if (pid == 0) {
		close(cmd[1]);
		close(reply[0]);
		diff_child(cmd[0], reply[1]);
	}
	close(cmd[0]);
	close(reply[1]);
	if (read(reply[0], &leak, sizeof leak) != sizeof leak)
		leak = 0;
	ask(cmd[1], reply[0], 'g');

	if (mkdtemp(dir) == NULL)
		return;
	snprintf(path, sizeof path, "%s/rec.memtop", dir);
	rec = recorder_open(path, INTERVAL, 0, &cause, NULL);
	ok(rec != NULL, "a recording of it");
	src = source_live_open(pid, &cause, &err);
	if (src == NULL || rec == NULL) {
		diag("%s", cause ? cause : "?");
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		return;
	}
	source_next(src, s, &cause);
	model_ingest(m, s);
	recorder_write(rec, s, &cause);
	a = moment_capture(m);
	ask(cmd[1], reply[0], 'g');
	ask(cmd[1], reply[0], 'g');
	fresh = ask(cmd[1], reply[0], 'm');
	source_next(src, s, &cause);
	model_ingest(m, s);
	recorder_write(rec, s, &cause);
	b = moment_capture(m);
	check_diff(a, b, leak, fresh, "live");
	source_close(src);
	recorder_close(rec, TARGET_ALIVE, &cause);

	/* The recording: played into one model, and each moment read
	 * alone into a model of its own (paired by address then). */
	src = source_replay_open(path, &cause, &err);
	for (i = 0; src != NULL && source_next(src, s, &cause) == SOURCE_SAMPLE;
	     i++) {
		model_ingest(r1, s);
		if (i == 0)
			ra = moment_capture(r1);
		else if (i == 1)
			rb = moment_capture(r1);
	}
	ok(i == 2 && ra && rb, "the recording replays its two samples");
	if (ra && rb)
		check_diff(ra, rb, leak, fresh, "replayed");
	if (src != NULL && replay_read(src, 1, s, &cause) == 0) {
		model_ingest(r2, s);
		rc = moment_capture(r2);
	}
	if (ra && rc)
		check_diff(ra, rc, leak, fresh, "from two models");
	source_close(src);
	unlink(path);
	rmdir(dir);

	close(cmd[1]);
	waitpid(pid, &status, 0);
	close(reply[0]);
	moment_free(a);
	moment_free(b);
	moment_free(ra);
	moment_free(rb);
	moment_free(rc);
	snapshot_free(s);
	model_free(m);
	model_free(r1);
	model_free(r2);
}

int
main(void)
{
	signal(SIGPIPE, SIG_IGN);
	/* These check Private_Dirty deltas too, which the adaptive sampler's
	 * ticks carry from its last full read: smaps whole, every sample. */
	setenv("MEMTOP_SAMPLER", "full", 1);
	test_diff();
	test_no_growth();
	test_three_regions();
	return tap_done();
}
