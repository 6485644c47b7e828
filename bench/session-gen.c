/*
 * session-gen.c - bench/run's probe of recordings: what an hour of a steady
 * target costs on disk, and what a seek in it costs.
 *
 * session-gen -p PID -o FILE [-n SAMPLES]: take one full sample of PID and
 * one tick (where the kernel has the adaptive sampler), and record SAMPLES
 * samples (default 3600) one second apart through the recorder, as memtop
 * -w would for a target that does not change (every 64th sample a full
 * read, the rest ticks, as the adaptive sampler at 1 s gives them).
 * Prints the file's size.  No hour passes: the times are the samples'.
 *
 * session-gen -s FILE [-n SEEKS]: open FILE as the replay dashboard does
 * (index it, then show its first sample) and jump to SEEKS moments spread
 * over it (as t and End do: the model is rebuilt from the first sample, the
 * baseline and the history window before the target), timing each from the
 * jump to the model showing the target.  Prints the time to open (index)
 * the file, to show its first sample, and the median and slowest seek, in
 * ms.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "model.h"
#include "player.h"
#include "pump.h"
#include "record.h"
#include "source.h"
#include "util.h"

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int
generate(int pid, const char *path, long n)
{
	struct snapshot *full = snapshot_new(), *tick = snapshot_new();
	struct source *src;
	struct recorder *rec;
	struct stat st;
	char *cause = NULL;
	double wall, mono;
	int err;
	long k;

	if ((src = source_live_open(pid, &cause, &err)) == NULL ||
	    source_next(src, full, &cause) != SOURCE_SAMPLE ||
	    source_next(src, tick, &cause) != SOURCE_SAMPLE) {
		fprintf(
		    stderr, "session-gen: %s\n", cause ? cause : "no sample");
		return 1;
	}
	unlink(path);
	if ((rec = recorder_open(path, 1, 0, &cause, &err)) == NULL) {
		fprintf(stderr, "session-gen: %s\n", cause);
		return 1;
	}
	wall = full->wall;
	mono = full->mono;
	for (k = 0; k < n; k++) {
		struct snapshot *s = k % 64 == 0 ? full : tick;

		/* Sample k at k seconds (full's own times move with it). */
		s->seq = (uint64_t)k;
		s->wall = wall + (double)k;
		s->mono = mono + (double)k;
		if (s->stale != 0)
			s->full_wall = wall + (double)(k / 64 * 64);
		if (recorder_write(rec, s, &cause) != 0) {
			fprintf(stderr, "session-gen: %s\n", cause);
			return 1;
		}
	}
	if (recorder_close(rec, TARGET_ALIVE, &cause) != 0 ||
	    stat(path, &st) != 0) {
		fprintf(stderr, "session-gen: %s\n", cause ? cause : path);
		return 1;
	}
	printf("{\"samples\": %ld, \"regions\": %zu, \"bytes\": %lld}\n", n,
	    full->nregions, (long long)st.st_size);
	source_close(src);
	snapshot_free(full);
	snapshot_free(tick);
	return 0;
}

static int
seek(const char *path, long n)
{
	struct pump_config pc;
	struct player *pl;
	struct model *m = model_new();
	struct pump *pump;
	double t0 = clock_mono(), open_ms, first_ms;
	double *ms = xcalloc((size_t)n, sizeof *ms);
	char *cause = NULL;
	size_t count;
	int err;
	long k;

	if ((pl = player_open(path, PLAYER_TIMED, &cause, &err)) == NULL) {
		fprintf(stderr, "session-gen: %s\n", cause);
		return 1;
	}
	open_ms = (clock_mono() - t0) * 1000;
	player_play(pl, false);
	memset(&pc, 0, sizeof pc);
	pc.model = m;
	pc.player = pl;
	pump = pump_new(&pc);
	count = player_count(pl);
	/* The dashboard shows the first sample when it opens the file. */
	while (player_position(pl) != 0 || model_samples(m) == 0)
		if (pump_step(pump) & PUMP_END)
			break;
	first_ms = (clock_mono() - t0) * 1000;
	for (k = 0; k < n; k++) {
		/* Spread over the file, the last one the end (End). */
		size_t to = k == n - 1 ? count - 1 :
		                         (size_t)((k * 7919 + 1) % (long)count);

		t0 = clock_mono();
		player_seek(pl, to);
		while (player_position(pl) != to || player_target(pl) != to)
			if (pump_step(pump) & PUMP_END)
				break;
		ms[k] = (clock_mono() - t0) * 1000;
	}
	qsort(ms, (size_t)n, sizeof *ms, cmp_double);
	printf("{\"samples\": %zu, \"open_ms\": %.3f, \"first_ms\": %.3f, "
	       "\"seek_ms\": %.3f, \"seek_max_ms\": %.3f}\n",
	    count, open_ms, first_ms, ms[n / 2], ms[n - 1]);
	pump_free(pump);
	player_free(pl);
	model_free(m);
	free(ms);
	return 0;
}

int
main(int argc, char **argv)
{
	const char *out = NULL, *in = NULL;
	long n = 0;
	int pid = 0, c;

	while ((c = getopt(argc, argv, "p:o:n:s:")) != -1) {
		if (c == 'p')
			pid = atoi(optarg);
		else if (c == 'o')
			out = optarg;
		else if (c == 's')
			in = optarg;
		else if (c == 'n')
			n = strtol(optarg, NULL, 10);
		else
			return 2;
	}
	if (in != NULL)
		return seek(in, n > 0 ? n : 9);
	if (pid > 0 && out != NULL)
		return generate(pid, out, n > 0 ? n : 3600);
	fprintf(stderr,
	    "usage: session-gen -p PID -o FILE [-n SAMPLES] | "
	    "-s FILE [-n SEEKS]\n");
	return 2;
}
