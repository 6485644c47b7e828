/*
 * sample-cost.c - bench/run's probe of what one sample costs memtop, in
 * process (no start-up), beside the kernel's own cost of making smaps: a
 * raw read() of /proc/PID/smaps into a buffer, nothing parsed.  Each round
 * runs, interleaved: the raw read; a full sample (the live source reading
 * and parsing all of smaps, and the model's ingest); the same printed as
 * JSON to /dev/null (what -b --format json adds); and, where the kernel
 * has the fast path, an adaptive tick (live-fast.c) with its ingest.
 * Prints one JSON object: the medians (wall and CPU ms), the medians of
 * each round's ratio to its raw read ("_paired"), and how many regions the
 * last full sample's ingest carried on unchanged (model_carried()).
 *
 * usage: sample-cost -p PID [-n ROUNDS] [-t]   (-t: ticks alone, to profile)
 *        sample-cost -p PID -r   one raw read alone: its wall ms (bench/run
 *                                times whole processes beside it)
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "batch.h"
#include "model.h"
#include "source.h"
#include "util.h"

#define MAXR 256

struct cost {
	double wall[MAXR], cpu[MAXR];
	size_t n;
};

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(const double *v, size_t n)
{
	double s[MAXR];

	if (n == 0)
		return 0;
	memcpy(s, v, n * sizeof *s);
	qsort(s, n, sizeof *s, cmp_double);
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

static void
cost_add(struct cost *c, double w0, double c0)
{
	if (c->n < MAXR) {
		c->wall[c->n] = (clock_mono() - w0) * 1000;
		c->cpu[c->n++] = (clock_cpu() - c0) * 1000;
	}
}

/* The kernel's cost: read() the whole file, 256 kB at a time. */
static void
raw_read(int pid, struct cost *c)
{
	static char buf[256 * 1024];
	char path[64];
	double w0 = clock_mono(), c0 = clock_cpu();
	int fd;

	snprintf(path, sizeof path, "/proc/%d/smaps", pid);
	if ((fd = open(path, O_RDONLY)) < 0)
		exit(1);
	while (read(fd, buf, sizeof buf) > 0)
		continue;
	close(fd);
	cost_add(c, w0, c0);
}

/* One sample of src into m: -1 at the end.  With prev (the sample m
 * took last), one with the same regions is taken as the pump takes it. */
static int
one_sample(struct source *src, struct model *m, struct snapshot *s,
    const struct snapshot *prev, struct cost *c, struct cost *ingest)
{
	double w0 = clock_mono(), c0 = clock_cpu(), w1, c1;
	char *cause = NULL;

	if (source_next(src, s, &cause) != SOURCE_SAMPLE) {
		free(cause);
		return -1;
	}
	w1 = clock_mono();
	c1 = clock_cpu();
	if (prev != NULL && snapshot_same_regions(prev, s)) {
		model_ingest_kept(m, s);
		model_settle(m);
	} else
		model_ingest(m, s);
	cost_add(c, w0, c0);
	if (ingest != NULL)
		cost_add(ingest, w1, c1);
	return 0;
}

static void
put(const char *name, const struct cost *c, bool comma)
{
	printf("\"%s_ms\": %.3f, \"%s_cpu_ms\": %.3f%s", name,
	    median(c->wall, c->n), name, median(c->cpu, c->n),
	    comma ? ", " : "");
}

/* The median over rounds of (a + b) / raw in each round: the costs of one
 * round were measured side by side, so a slow spell of the machine moves
 * both alike and the ratio less than the medians. */
static void
put_paired(const char *name, const struct cost *a, const struct cost *b,
    const struct cost *raw, bool comma)
{
	double r[MAXR];
	size_t i, n = a->n < raw->n ? a->n : raw->n;

	for (i = 0; i < n; i++)
		r[i] =
		    (a->wall[i] + (b != NULL ? b->wall[i] : 0)) / raw->wall[i];
	printf("\"%s_paired\": %.3f%s", name, median(r, n), comma ? ", " : "");
}

int
main(int argc, char **argv)
{
	static struct cost raw, full, json, tick, ingest;
	struct batch_opts bo = { BATCH_JSON, FIELD_RSS, true, NULL, NULL };
	struct source *fsrc, *asrc = NULL;
	struct model *fm = model_new(), *am = model_new();
	struct snapshot *s = snapshot_new();
	/* The adaptive source's samples, two as the pump keeps them. */
	struct snapshot *as[2] = { snapshot_new(), snapshot_new() };
	char *cause = NULL;
	long rounds = 9, i;
	bool only_ticks = false, only_raw = false;
	int pid = 0, c, err;
	FILE *null = fopen("/dev/null", "w");

	while ((c = getopt(argc, argv, "p:n:tr")) != -1) {
		if (c == 't')
			only_ticks = true;
		else if (c == 'r')
			only_raw = true;
		else if (c == 'p')
			pid = atoi(optarg);
		else if (c == 'n')
			rounds = strtol(optarg, NULL, 10);
		else
			return 2;
	}
	if (pid <= 0 || rounds < 1 || rounds > MAXR || null == NULL) {
		fprintf(stderr,
		    "usage: sample-cost -p PID [-n ROUNDS] [-t]\n"
		    "       sample-cost -p PID -r\n");
		return 2;
	}
	if (only_raw) {
		raw_read(pid, &raw);
		printf("%.3f\n", raw.wall[0]);
		goto out;
	}
	if ((fsrc = source_live_open(pid, &cause, &err)) == NULL) {
		fprintf(stderr, "sample-cost: %s\n", cause);
		return 1;
	}
	source_live_set_mode(fsrc, LIVE_FULL);
	if ((asrc = source_live_open(pid, &cause, &err)) != NULL &&
	    source_live_set_mode(asrc, LIVE_ADAPTIVE) != LIVE_ADAPTIVE) {
		source_close(asrc);
		asrc = NULL;
	}
	/* The first samples meet every region: not the steady cost. */
	for (i = 0; i < 2; i++) {
		struct cost w = { { 0 }, { 0 }, 0 };

		if (one_sample(fsrc, fm, s, NULL, &w, NULL) != 0 ||
		    (asrc != NULL &&
		        one_sample(
		            asrc, am, as[i % 2], as[!(i % 2)], &w, NULL) != 0))
			return 1;
		raw_read(pid, &w);
	}
	for (i = 0; i < rounds; i++) {
		double w0, c0;

		if (only_ticks) /* for a profiler: ticks alone */
			goto tick;
		raw_read(pid, &raw);
		if (one_sample(fsrc, fm, s, NULL, &full, &ingest) != 0)
			return 1;
		w0 = clock_mono();
		c0 = clock_cpu();
		batch_print(null, fm, &bo, 1);
		cost_add(&json, w0, c0);
	tick:
		if (asrc != NULL &&
		    one_sample(
		        asrc, am, as[i % 2], as[!(i % 2)], &tick, NULL) != 0)
			return 1;
	}
	printf("{\"regions\": %zu, \"carried\": %zu, ", model_nregions(fm),
	    model_carried(fm));
	put("raw", &raw, true);
	put("full", &full, true);
	put("ingest", &ingest, true);
	put("json", &json, true);
	put_paired("full", &full, NULL, &raw, true);
	put_paired("json", &full, &json, &raw, asrc != NULL);
	if (asrc != NULL) {
		put("tick", &tick, true);
		put_paired("tick", &tick, NULL, &raw, false);
	}
	printf("}\n");
	source_close(fsrc);
	source_close(asrc);
out:
	snapshot_free(s);
	snapshot_free(as[0]);
	snapshot_free(as[1]);
	model_free(fm);
	model_free(am);
	fclose(null);
	return 0;
}
