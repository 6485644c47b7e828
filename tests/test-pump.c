/*
 * test-pump.c - the sample loop and the player without a terminal: two
 * pumps over two players of one recording at once, jumps that start the
 * model again in place, the recorded baseline, -n, the end of a live
 * target, and a recording that cannot be written.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "pump.h"
#include "session.h"
#include "tap.h"
#include "util.h"

#define SAMPLES 12

static char dir[] = "/tmp/memtop-pump-XXXXXX";
static char path[64];

/* Sample k of a target whose one mapping grows by 8 kB a sample. */
static void
sample(struct snapshot *s, int k)
{
	struct region r;
	const char *heap = "[heap]";

	snapshot_clear(s);
	s->seq = (uint64_t)k;
	s->mono = k;
	s->wall = 1700000000 + k;
	s->info.pid = 77;
	memset(&r, 0, sizeof r);
	r.start = 0x600000;
	r.end = 0x700000;
	memcpy(r.perms, "rw-p", 4);
	r.kb[SF_SIZE] = 1024;
	r.kb[SF_RSS] = 100 + 8 * (uint64_t)k;
	r.present = (1u << SF_SIZE) | (1u << SF_RSS);
	snapshot_add_region(s, &r, heap, strlen(heap));
}

/* A recording of SAMPLES samples, m pressed after the fifth. */
static bool
record(void)
{
	struct snapshot *s = snapshot_new();
	struct recorder *rec;
	char *cause = NULL;
	int k;

	snprintf(path, sizeof path, "%s/rec.mt", dir);
	if ((rec = recorder_open(path, 1, 0, &cause, NULL)) == NULL) {
		diag("%s", cause);
		free(cause);
		snapshot_free(s);
		return false;
	}
	for (k = 0; k < SAMPLES; k++) {
		sample(s, k);
		recorder_write(rec, s, &cause);
		if (k == 4)
			recorder_mark(rec, false, &cause);
	}
	recorder_close(rec, TARGET_EXITED, &cause);
	snapshot_free(s);
	return true;
}

static uint64_t
rss(const struct model *m)
{
	return model_nregions(m) ? model_region(m, 0)->kb[SF_RSS] : 0;
}

static int64_t
delta(const struct model *m)
{
	return model_nregions(m) ?
	    tracked_delta_base(model_region(m, 0), SF_RSS) :
	    -1;
}

/* Step a timed player's pump until it has nothing (a jump is one step). */
static int
settle(struct pump *p)
{
	int what, all = 0, n;

	for (n = 0; n < 50 && (what = pump_step(p)) != 0; n++)
		all |= what;
	return all;
}

/* Batch: every sample in order, the recorded baseline, then the end. */
static void
test_once(void)
{
	struct model *m = model_new();
	char *cause = NULL;
	int err = 0, what = 0, n = 0;
	struct player *pl = player_open(path, PLAYER_ONCE, &cause, &err);
	struct pump_config pc = { .model = m, .player = pl };
	struct pump *p;

	if (!ok(pl != NULL, "the recording opens")) {
		model_free(m);
		return;
	}
	p = pump_new(&pc);
	while (!((what = pump_step(p)) & PUMP_END))
		n += (what & PUMP_SAMPLE) != 0;
	ok(n == SAMPLES && rss(m) == 100 + 8 * (SAMPLES - 1),
	    "one sample a step, all %d of them", n);
	ok(delta(m) == 8 * (SAMPLES - 5),
	    "the baseline is where m was pressed live (delta %lld)",
	    (long long)delta(m));
	ok(pump_ended(p) && pump_end_cause(p) == NULL &&
	        pump_end_state(p) == TARGET_EXITED &&
	        pump_exit_code(p) == EXIT_OK,
	    "then the end: how the target ended, exit 0");
	ok(pump_step(p) == 0, "and nothing after it");
	pump_free(p);
	player_free(pl);
	model_free(m);
}

/* -n bounds a pump. */
static void
test_limit(void)
{
	struct model *m = model_new();
	char *cause = NULL;
	int err = 0, n = 0, what = 0;
	struct player *pl = player_open(path, PLAYER_ONCE, &cause, &err);
	struct pump_config pc = { .model = m, .player = pl, .max_samples = 3 };
	struct pump *p = pump_new(&pc);

	while (n < 10 && !((what = pump_step(p)) & PUMP_LIMIT))
		n++;
	ok((what & PUMP_SAMPLE) && pump_samples(p) == 3 && !pump_ended(p),
	    "-n 3: the third sample says the limit is reached");
	pump_free(p);
	player_free(pl);
	model_free(m);
}

/* Two timed players and their pumps at once: each its own model, jumps
 * rebuild it in place. */
static void
test_two(void)
{
	struct model *ma = model_new(), *mb = model_new();
	char *cause = NULL;
	int err = 0;
	struct player *a = player_open(path, PLAYER_TIMED, &cause, &err);
	struct player *b = player_open(path, PLAYER_TIMED, &cause, &err);
	struct pump_config ca = { .model = ma, .player = a };
	struct pump_config cb = { .model = mb, .player = b };
	struct pump *pa = pump_new(&ca), *pb = pump_new(&cb);

	player_play(a, false);
	player_play(b, false);
	settle(pa);
	settle(pb);
	ok(player_position(a) == 0 && player_position(b) == 0 &&
	        rss(ma) == 100 && rss(mb) == 100,
	    "two players: both on the first sample");
	player_seek(a, SAMPLES - 1);
	player_step(b, 2);
	ok(player_target(a) == SAMPLES - 1 && player_position(a) == 0,
	    "a jump asked for is made by the pump, not at once");
	ok((settle(pa) & PUMP_SAMPLE) && (settle(pb) & PUMP_SAMPLE),
	    "each pump takes its player's samples");
	ok(player_position(a) == SAMPLES - 1 && player_position(b) == 2 &&
	        rss(ma) == 100 + 8 * (SAMPLES - 1) && rss(mb) == 116,
	    "each model shows its own player's sample");
	ok(delta(ma) == 8 * (SAMPLES - 5) && delta(mb) == 16,
	    "with the baseline recorded as of that sample");
	ok(model_samples(ma) == SAMPLES && model_samples(mb) == 3,
	    "a jump ingests the window before it, into the same model");
	player_step(a, -1);
	settle(pa);
	ok(player_position(a) == SAMPLES - 2 && !player_playing(a) &&
	        rss(ma) == 100 + 8 * (SAMPLES - 2),
	    "a step back: paused, one sample before");
	ok(player_seek_time(a, "+3") == 0 && (settle(pa) & PUMP_SAMPLE) &&
	        player_position(a) == 3,
	    "a time: +3 s is the fourth sample");
	ok(player_seek_time(a, "soon") < 0, "a time that is none is refused");
	player_faster(b, 1);
	player_faster(b, 1);
	ok(player_speed(b) == 4 && player_speed(a) == 1,
	    "speed is each player's own");
	player_seek(b, SAMPLES - 1);
	settle(pb);
	player_play(b, true);
	ok(settle(pb) == 0 && !pump_ended(pb) && player_timeout(b) > 0,
	    "at the end a timed player waits for more, it does not end");
	pump_free(pa);
	pump_free(pb);
	player_free(a);
	player_free(b);
	model_free(ma);
	model_free(mb);
}

/* A live source: two samples, then the target is gone. */
static int live_calls;

static int
live_next(struct source *src, struct snapshot *out, char **cause)
{
	if (live_calls >= 2) {
		out->state = TARGET_EXITED;
		return SOURCE_END;
	}
	sample(out, live_calls++);
	return SOURCE_SAMPLE;
}

static void
live_close(struct source *src)
{
}

static const struct source_ops live_ops = { "fake", live_next, live_close };

/* Wait for the pump's descriptor, then step it; the bits of every step. */
static int
live_step(struct pump *p)
{
	struct pollfd pfd = { pump_fd(p), POLLIN, 0 };

	poll(&pfd, 1, 2000);
	return pump_step(p);
}

static void
test_live(void)
{
	struct source src = { &live_ops, NULL };
	struct model *m = model_new();
	struct sampler *sp = sampler_start(&src, 0.05);
	struct pump_config pc = { .model = m, .sampler = sp, .pid = 4242 };
	struct pump *p = pump_new(&pc);
	int what = 0, n;

	for (n = 0; n < 20 && !(what & PUMP_END); n++)
		what |= live_step(p);
	ok(pump_samples(p) == 2 && rss(m) == 108,
	    "live: the sampler's samples go into the model");
	ok(pump_ended(p) && pump_exit_code(p) == EXIT_TARGET_GONE &&
	        strcmp(pump_end_cause(p), "process 4242 exited") == 0,
	    "the end of the target: exit 3, in words");
	ok(pump_fd(p) < 0, "an ended pump has nothing to poll");
	sampler_stop(sp);
	pump_free(p);
	model_free(m);
}

/* A recording that cannot grow (a file-size limit of one byte): batch
 * stops, the dashboard goes on without it. */
static void
test_record_error(void)
{
	struct rlimit old, one = { 1, 1 };
	int k;

	getrlimit(RLIMIT_FSIZE, &old);
	one.rlim_max = old.rlim_max;
	signal(SIGXFSZ, SIG_IGN);
	for (k = 0; k < 2; k++) {
		struct source src = { &live_ops, NULL };
		struct model *m = model_new();
		struct pump_config pc = {
			.model = m, .pid = 4242, .stop_on_record_error = k == 0
		};
		struct pump *p;
		char *cause = NULL, rp[96];
		int what = 0, n;

		snprintf(rp, sizeof rp, "%s/full%d.mt", dir, k);
		if ((pc.rec = recorder_open(rp, 1, 0, &cause, NULL)) == NULL) {
			ok(0, "a recorder opens: %s", cause);
			free(cause);
			model_free(m);
			continue;
		}
		live_calls = 0;
		setrlimit(RLIMIT_FSIZE, &one);
		pc.sampler = sampler_start(&src, 0.05);
		p = pump_new(&pc);
		for (n = 0; n < 20 && !(what & PUMP_END); n++)
			what |= live_step(p);
		setrlimit(RLIMIT_FSIZE, &old);
		if (k == 0)
			ok(pump_record_error(p) != NULL && pump_ended(p) &&
			        pump_samples(p) == 1 &&
			        pump_exit_code(p) == EXIT_FAILURE_GENERIC,
			    "batch: a recording that cannot be written ends "
			    "the "
			    "run, exit 1 (%s)",
			    pump_record_error(p) ? pump_record_error(p) : "?");
		else
			ok(pump_record_error(p) != NULL &&
			        pump_samples(p) == 2 &&
			        pump_exit_code(p) == EXIT_TARGET_GONE,
			    "the dashboard: sampling goes on without it");
		sampler_stop(pc.sampler);
		recorder_close(pc.rec, pump_end_state(p), &cause);
		free(cause);
		pump_free(p);
		model_free(m);
		unlink(rp);
	}
}

int
main(void)
{
	if (mkdtemp(dir) == NULL || !record()) {
		printf("1..0 # SKIP no temporary directory to record into\n");
		return 0;
	}
	test_once();
	test_limit();
	test_two();
	test_live();
	test_record_error();
	unlink(path);
	rmdir(dir);
	return tap_done();
}
