/*
 * test-restart.c - a followed process's restart as a sample fact: in words,
 * through a recording (a delta frame at the switch, a key frame after it,
 * random access), through the pump (the model starts anew at the switch),
 * and its record's damage.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pump.h"
#include "restart.h"
#include "session-codec.h"
#include "tap.h"
#include "util.h"

static char dir[] = "/tmp/memtop-restart-XXXXXX";

/* Sample k of process pid: two regions; the restart r (count 0: none). */
static void
fill(struct snapshot *s, int k, int pid, const struct target_restart *r)
{
	struct region g;
	uint64_t base = pid == 100 ? 0x7f0000000000 : 0x7e0000000000;

	snapshot_clear(s);
	s->seq = (uint64_t)k;
	s->mono = 100 + k;
	s->wall = 1700000000 + k;
	s->state = TARGET_ALIVE;
	s->info.pid = pid;
	s->info.start_time = (uint64_t)pid * 10;
	snprintf(s->info.comm, sizeof s->info.comm, "leaker");
	s->info.cmdline_len = (uint32_t)snprintf(
	    s->info.cmdline, sizeof s->info.cmdline, "leaker --serve");
	s->info.restart = *r;
	memset(&g, 0, sizeof g);
	g.start = base;
	g.end = base + 0x1000000;
	memcpy(g.perms, "rw-p", 4);
	g.kb[SF_SIZE] = 16384;
	g.kb[SF_RSS] = 1000 + 100 * (uint64_t)k;
	g.present = (1u << SF_SIZE) | (1u << SF_RSS);
	snapshot_add_region(s, &g, "", 0);
	g.start = base + 0x2000000;
	g.end = base + 0x2001000;
	g.kb[SF_SIZE] = 4;
	g.kb[SF_RSS] = 4;
	snapshot_add_region(s, &g, "/usr/bin/leaker", 15);
}

static void
the_restart(struct target_restart *r)
{
	memset(r, 0, sizeof *r);
	r->count = 1;
	r->old_pid = 100;
	r->old_start_time = 1000;
	r->old_state = TARGET_EXITED;
	r->how.known = 1;
	r->how.reason = END_OOM_KILLED;
	r->how.scope = END_SCOPE_CGROUP;
	r->how.signal = 9;
	r->how.evidence = END_EV_PIDFD | END_EV_CG_KILL;
	r->how.cg_kills = 1;
	r->how.limit_bytes = 64 << 20;
	snprintf(r->how.cgroup, sizeof r->how.cgroup, "/svc");
	r->how.wall = 1700000005.25;
	r->ended_wall = 1700000005.25;
	r->switched_wall = 1700000005.75;
}

static void
test_format(void)
{
	struct target_restart r;
	char buf[512];
	time_t t = 1700000005;
	struct tm tm;
	char when[16], want[256];

	the_restart(&r);
	localtime_r(&t, &tm);
	strftime(when, sizeof when, "%H:%M:%S", &tm);
	snprintf(want, sizeof want,
	    "restarted: pid 100 OOM-killed (cgroup /svc: limit 64M) at %s, "
	    "now pid 200",
	    when);
	restart_format(&r, 200, buf, sizeof buf);
	is_str(buf, want, "restart_format: the old pid, how, when, the new");
	r.how.known = 0;
	restart_format(&r, 200, buf, sizeof buf);
	ok(strstr(buf, "pid 100 exited at ") != NULL,
	    "no verdict: the state it ended in (%s)", buf);
}

/* Six samples: three of pid 100, three of pid 200 that replaced it. */
static bool
record_lives(const char *path, unsigned key_every)
{
	struct snapshot *s = snapshot_new();
	struct target_restart none, r;
	struct recorder *rec;
	char *cause = NULL;
	int k;

	memset(&none, 0, sizeof none);
	the_restart(&r);
	rec = recorder_open(path, 1, 0, &cause, NULL);
	if (rec == NULL) {
		diag("%s", cause);
		free(cause);
		snapshot_free(s);
		return false;
	}
	recorder_set_key_every(rec, key_every);
	for (k = 0; k < 6; k++) {
		fill(s, k, k < 3 ? 100 : 200, k < 3 ? &none : &r);
		recorder_write(rec, s, &cause);
	}
	recorder_close(rec, TARGET_ALIVE, &cause);
	snapshot_free(s);
	return true;
}

static void
test_recording(unsigned key_every, const char *how)
{
	char path[128], *cause = NULL;
	struct snapshot *s = snapshot_new();
	struct target_restart want;
	struct source *src;
	int err = 0, k;
	bool same = true;

	the_restart(&want);
	snprintf(path, sizeof path, "%s/lives-%u.mt", dir, key_every);
	if (!record_lives(path, key_every) ||
	    (src = source_replay_open(path, &cause, &err)) == NULL) {
		ok(0, "%s: the recording opens", how);
		snapshot_free(s);
		return;
	}
	for (k = 0; source_next(src, s, &cause) == SOURCE_SAMPLE; k++) {
		if (k < 3)
			same &=
			    s->info.restart.count == 0 && s->info.pid == 100;
		else
			same &= s->info.pid == 200 &&
			    memcmp(&s->info.restart, &want, sizeof want) == 0;
	}
	ok(k == 6 && same,
	    "%s: the first life has no restart, every sample of the second "
	    "carries it whole",
	    how);
	ok(replay_read(src, 4, s, &cause) == 0 && s->info.restart.count == 1 &&
	        s->info.restart.old_pid == 100,
	    "%s: a sample read on its own (from its key frame) has it", how);
	ok(replay_read(src, 1, s, &cause) == 0 && s->info.restart.count == 0,
	    "%s: and one before the switch has none", how);
	source_close(src);
	snapshot_free(s);
}

/* The pump over the recording: the model starts anew at the switch. */
static void
test_pump(void)
{
	char path[128], *cause = NULL;
	struct model *m = model_new();
	struct pump_config pc;
	struct player *pl;
	struct pump *p;
	int err = 0, what, n = 0;
	bool reset_seen = false;

	snprintf(path, sizeof path, "%s/lives-64.mt", dir);
	pl = player_open(path, PLAYER_ONCE, &cause, &err);
	if (!ok(pl != NULL, "the recording plays")) {
		model_free(m);
		return;
	}
	memset(&pc, 0, sizeof pc);
	pc.model = m;
	pc.player = pl;
	p = pump_new(&pc);
	while (!((what = pump_step(p)) & PUMP_END)) {
		if (!(what & PUMP_SAMPLE))
			continue;
		n++;
		if (n == 4)
			reset_seen = model_samples(m) == 1 &&
			    model_nregions(m) == 2 &&
			    model_region(m, 0)->start == 0x7e0000000000;
	}
	ok(n == 6 && reset_seen,
	    "the pump: at the first sample of the new process the model "
	    "holds it alone (no region of the old one, gone or not)");
	ok(model_samples(m) == 3 && model_info(m)->restart.count == 1,
	    "and counts its samples from there");
	pump_free(p);
	player_free(pl);
	model_free(m);
}

/* The record's value as bytes, read back by the fact's decoder. */
static int
decode(const struct buf *b)
{
	struct snapshot *s = snapshot_new();
	struct rd r = { b->p, b->p + b->len, 0 };
	int rc = restart_fact_decode(&r, s);

	if (rc == 0 && r.err)
		rc = -1;
	snapshot_free(s);
	return rc;
}

static void
test_damage(void)
{
	struct snapshot *s = snapshot_new();
	struct buf b = { NULL, 0, 0 };
	struct target_restart r;
	size_t full;

	the_restart(&r);
	s->info.restart = r;
	restart_fact_encode(&b, s);
	full = b.len;
	ok(full > 0 && decode(&b) == 0, "the record decodes (%zu bytes)", full);
	buf_u8(&b, 7);
	ok(decode(&b) == 0, "bytes after it (a later version's) are ignored");
	b.len = full - 3;
	ok(decode(&b) != 0, "cut short: damage");
	buf_reset(&b);
	s->info.restart.count = 0;
	restart_fact_encode(&b, s);
	ok(b.len == 0, "no restart: no record");
	s->info.restart = r;
	s->info.restart.ended_wall = -1;
	restart_fact_encode(&b, s);
	ok(decode(&b) != 0, "an impossible time: damage");
	buf_reset(&b);
	s->info.restart = r;
	s->info.restart.old_pid = 0;
	restart_fact_encode(&b, s);
	ok(decode(&b) != 0, "pid 0: damage");
	buf_free(&b);
	snapshot_free(s);
}

int
main(void)
{
	char cmd[128];

	setenv("TZ", "UTC", 1);
	tzset();
	if (mkdtemp(dir) == NULL) {
		printf("1..0 # SKIP no temporary directory\n");
		return 0;
	}
	test_format();
	test_recording(64, "the switch in a delta frame");
	test_recording(2, "key frames every 2 samples");
	test_pump();
	test_damage();
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		diag("could not clean up %s", dir);
	return tap_done();
}
