/*
 * test-oom.c - the OOM projection on synthetic series (steady leaks, flat,
 * shrinking, irregular, short, at the limit, absurd), the model-fed
 * projection for each basis (cgroup, cgroup with swap, system, page cache
 * alone), the verdict on synthetic evidence, and their one-line forms.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "model.h"
#include "oom.h"
#include "tap.h"
#include "verdict.h"

#define MiB (1024ull * 1024)

static void
series(double *t, double *kb, size_t n, double t0, double dt, double v0,
    double rate)
{
	size_t i;

	for (i = 0; i < n; i++) {
		t[i] = t0 + dt * (double)i;
		kb[i] = v0 + rate * dt * (double)i;
	}
}

static void
test_fit(void)
{
	double t[200], kb[200];
	struct oom_fit f;

	series(t, kb, 30, 123456.0, 2, 1000, 2252.8);
	ok(oom_fit_line(t, kb, 30, &f) == 0 && fabs(f.slope - 2252.8) < 1e-6 &&
	        f.r2 > 0.999999 && f.span == 58,
	    "a straight line: its slope, R² 1, its span (at monotonic "
	    "times of 10^5 s)");
	ok(oom_fit_line(t, kb, 1, &f) != 0, "one point is no line");
	t[1] = t[0];
	ok(oom_fit_line(t, kb, 2, &f) != 0, "no spread in time: no line");
	series(t, kb, 10, 0, 1, 500, 0);
	ok(oom_fit_line(t, kb, 10, &f) == 0 && f.slope == 0 && f.r2 == 0,
	    "flat: slope 0, R² 0");
}

static void
test_series(void)
{
	struct oom_projection p;
	double t[200], kb[200];
	size_t i;

	/* The leaker: 2.2M/s into 96M, 6.8M used. */
	series(t, kb, 30, 100, 1, 6963, 2252.8);
	memset(&p, 0, sizeof p);
	oom_project_series(t, kb, 30, (uint64_t)kb[29], 96 * 1024, &p);
	ok(p.status == OOM_ETA && fabs(p.rate_kb_s - 2252.8) < 1e-6 &&
	        fabs(p.eta_s - (96 * 1024 - kb[29]) / 2252.8) < 1e-3,
	    "a steady leak: the time left at its rate (%.1f s)", p.eta_s);
	ok(p.used_kb == (uint64_t)kb[29] && p.limit_kb == 96 * 1024 &&
	        p.samples == 30 && p.span_s == 29,
	    "what it assumed: used, limit, samples, span");

	oom_project_series(t, kb, 4, (uint64_t)kb[3], 96 * 1024, &p);
	ok(p.status == OOM_TOO_SHORT && p.eta_s == 0,
	    "four samples are too few");
	series(t, kb, 10, 100, 0.4, 1000, 5000);
	oom_project_series(t, kb, 10, 1000, 96 * 1024, &p);
	ok(p.status == OOM_TOO_SHORT, "3.6 s is too short a span");

	series(t, kb, 30, 0, 2, 50000, 0);
	oom_project_series(t, kb, 30, 50000, 96 * 1024, &p);
	ok(p.status == OOM_NOT_GROWING && p.eta_s == 0, "flat: none");
	series(t, kb, 30, 0, 2, 90000, -500);
	oom_project_series(t, kb, 30, (uint64_t)kb[29], 96 * 1024, &p);
	ok(p.status == OOM_NOT_GROWING && p.eta_s == 0 && p.rate_kb_s < 0,
	    "shrinking: none, never a negative time");
	series(t, kb, 30, 0, 2, 1000, 0.5);
	oom_project_series(t, kb, 30, 1000, 96 * 1024, &p);
	ok(p.status == OOM_NOT_GROWING, "0.5 kB/s is flat");
	series(t, kb, 30, 0, 2, 1000, 2);
	oom_project_series(t, kb, 30, 1000, UINT64_MAX / 2, &p);
	ok(p.status == OOM_NOT_GROWING && p.eta_s == 0,
	    "years away is no projection, not an absurd time");

	/* A sawtooth whose peaks do not rise: irregular, no line. */
	for (i = 0; i < 30; i++) {
		t[i] = (double)i;
		kb[i] = 10000 + (i % 2 ? 8000 : 0) + (double)i * 20;
	}
	oom_project_series(t, kb, 30, 30000, 96 * 1024, &p);
	ok(p.status == OOM_POOR_FIT && p.r2 < OOM_MIN_R2,
	    "a sawtooth with little growth: too irregular (R² %.2f)", p.r2);
	/* Noise around a real leak still gives it. */
	series(t, kb, 60, 0, 1, 10000, 1024);
	for (i = 0; i < 60; i++)
		kb[i] += (i % 3 == 0) ? 2048 : (i % 3 == 1 ? -1024 : 0);
	oom_project_series(t, kb, 60, (uint64_t)kb[59], 200 * 1024, &p);
	ok(p.status == OOM_ETA && fabs(p.rate_kb_s - 1024) < 100,
	    "a noisy leak: its rate (%.0f kB/s)", p.rate_kb_s);

	series(t, kb, 30, 0, 1, 100 * 1024, 1024);
	oom_project_series(t, kb, 30, 130 * 1024, 96 * 1024, &p);
	ok(p.status == OOM_ETA && p.eta_s == 0, "over the limit: now (0 s)");
	series(t, kb, 30, 0, 1, 1e18, 1e15);
	oom_project_series(t, kb, 30, UINT64_MAX, UINT64_MAX, &p);
	ok(isfinite(p.eta_s) && p.eta_s >= 0, "huge values: a finite time");
	for (i = 0; i < 30; i++)
		kb[i] = NAN;
	oom_project_series(t, kb, 30, 0, 1000, &p);
	ok(p.status != OOM_ETA, "garbage in: no projection");
}

/* A model fed samples of a cgroup or a process. */
struct feed {
	uint64_t cg_unrecl; /* bytes */
	uint64_t cg_swap;   /* bytes */
	uint64_t cg_max;    /* bytes, CG_UNLIMITED none */
	uint64_t cg_swap_max;
	uint64_t proc_kb; /* RssAnon */
	uint64_t avail_kb, swap_total_kb, swap_free_kb;
	double psi_full;
	bool at_high;
};

static void
ingest(struct model *m, struct snapshot *s, double when, const struct feed *f)
{
	struct cgroup_facts *cg = &s->info.cg;

	snapshot_clear(s);
	s->mono = when;
	s->wall = 1700000000 + when;
	memset(&s->info, 0, sizeof s->info);
	s->info.has_status = ((uint64_t)1 << ST_RSS_ANON) |
	    ((uint64_t)1 << ST_RSS_SHMEM) | ((uint64_t)1 << ST_VM_SWAP);
	s->info.status[ST_RSS_ANON] = f->proc_kb;
	s->info.mem_available_kb = f->avail_kb;
	s->info.swap_total_kb = f->swap_total_kb;
	s->info.swap_free_kb = f->swap_free_kb;
	if (f->cg_max != 0) {
		cg->version = CGROUP_V2;
		cg->limit.max = f->cg_max;
		cg->limit.swap_max = f->cg_swap_max;
		cg->limit.unreclaimable = f->cg_unrecl;
		cg->limit.swap = f->cg_swap;
		cg->limit.has_usage = 1;
		cg->limit.up = 1;
		cg->limit.at_high = f->at_high;
		cg->psi.full.present = 1;
		cg->psi.full.avg10 = f->psi_full;
	}
	model_ingest(m, s);
}

static void
test_project(void)
{
	struct snapshot *s = snapshot_new();
	struct model *m = model_new();
	struct oom_projection p;
	struct feed f;
	char line[256];
	int i;

	oom_project(m, &p);
	ok(p.status == OOM_NO_BASIS, "no sample: nothing to project");

	/* A leak of 2 MiB/s in a cgroup limited to 96M, one sample a
	 * second; the page cache (not fed: it is not in the series) may do
	 * what it likes. */
	memset(&f, 0, sizeof f);
	f.cg_max = 96 * MiB;
	f.cg_swap_max = CG_UNLIMITED;
	f.avail_kb = 1 << 20;
	for (i = 0; i < 20; i++) {
		f.cg_unrecl = 8 * MiB + (uint64_t)i * 2 * MiB;
		ingest(m, s, 1000 + i, &f);
		oom_project(m, &p);
		if (i == 3)
			ok(p.status == OOM_TOO_SHORT,
			    "after 4 s: not yet (too short)");
	}
	ok(p.basis == OOM_BASIS_CGROUP && p.status == OOM_ETA &&
	        fabs(p.rate_kb_s - 2048) < 1e-6 &&
	        fabs(p.eta_s - (96.0 - 46) / 2) < 1e-6 && p.limit_up == 1 &&
	        p.used_kb == 46 * 1024 && p.limit_kb == 96 * 1024,
	    "cgroup: 46M of 96M at 2M/s, the limit one level up: 25 s "
	    "(%.1f)",
	    p.eta_s);
	is_str(oom_projection_format(&p, line, sizeof line),
	    "OOM in ~25s at +2.0M/s (cgroup 46M of 96M)", "its line");
	ok(p.flags == 0, "no pressure, not at memory.high");

	/* The system has swap and the cgroup may use 32M of it. */
	model_free(m);
	m = model_new();
	f.swap_total_kb = 1 << 20;
	f.swap_free_kb = 1 << 19;
	f.cg_swap_max = 32 * MiB;
	for (i = 0; i < 20; i++) {
		f.cg_unrecl = 8 * MiB + (uint64_t)i * MiB;
		f.cg_swap = (uint64_t)i * MiB;
		ingest(m, s, 2000 + i, &f);
	}
	oom_project(m, &p);
	ok(p.basis == OOM_BASIS_CGROUP_SWAP && p.status == OOM_ETA &&
	        fabs(p.rate_kb_s - 2048) < 1e-6 &&
	        p.limit_kb == (96 + 32) * 1024 && p.used_kb == 46 * 1024 &&
	        fabs(p.eta_s - (128.0 - 46) / 2) < 1e-6,
	    "cgroup with swap: memory and swap against the limit plus 32M "
	    "of swap (%.1f s)",
	    p.eta_s);

	/* Page cache alone: what the kernel cannot reclaim stays flat
	 * while usage climbs to the limit: no projection. */
	model_free(m);
	m = model_new();
	memset(&f, 0, sizeof f);
	f.cg_max = 64 * MiB;
	f.cg_swap_max = CG_UNLIMITED;
	f.avail_kb = 1 << 20;
	for (i = 0; i < 60; i++) {
		f.cg_unrecl = 3 * MiB + (uint64_t)(i % 2) * 4096;
		ingest(m, s, 3000 + i, &f);
		oom_project(m, &p);
		if (p.status == OOM_ETA)
			break;
	}
	ok(i == 60 && p.status == OOM_NOT_GROWING,
	    "a cgroup filling with page cache: never projected");

	/* Pressure and memory.high are said. */
	f.psi_full = 37.5;
	f.at_high = true;
	ingest(m, s, 3100, &f);
	oom_project(m, &p);
	ok((p.flags & OOM_FLAG_PRESSURE) && (p.flags & OOM_FLAG_AT_HIGH) &&
	        p.psi_full_avg10 == 37.5,
	    "PSI full 37.5%% and at memory.high: flagged");
	ok(strstr(oom_projection_format(&p, line, sizeof line),
	       "memory pressure 38%") != NULL &&
	        strstr(line, "at memory.high") != NULL,
	    "and said: %s", line);

	/* No limit: the process's growth against MemAvailable + SwapFree. */
	model_free(m);
	m = model_new();
	memset(&f, 0, sizeof f);
	f.avail_kb = 1000 * 1024;
	f.swap_free_kb = 24 * 1024;
	for (i = 0; i < 30; i++) {
		f.proc_kb = 10000 + (uint64_t)i * 1024;
		ingest(m, s, 4000 + 2 * i, &f);
	}
	oom_project(m, &p);
	ok(p.basis == OOM_BASIS_SYSTEM && p.status == OOM_ETA &&
	        fabs(p.rate_kb_s - 512) < 1e-6 &&
	        fabs(p.eta_s - 1024.0 * 1024 / 512) < 1e-6,
	    "no limit: MemAvailable + SwapFree (1000M + 24M) at 512K/s: "
	    "2048 s (%.0f)",
	    p.eta_s);
	ok(p.span_s <= OOM_WINDOW_S && p.span_s >= 58,
	    "the fit covers the last minute (%.0f s)", p.span_s);

	/* Neither a limit nor MemAvailable. */
	f.avail_kb = 0;
	ingest(m, s, 5000, &f);
	oom_project(m, &p);
	ok(p.basis == OOM_BASIS_NONE && p.status == OOM_NO_BASIS,
	    "nothing known: no basis");
	ok(strcmp(oom_basis_name(OOM_BASIS_CGROUP_SWAP), "cgroup+swap") == 0 &&
	        strstr(oom_basis_text(OOM_BASIS_SYSTEM), "MemAvailable"),
	    "basis names and what they assume");
	model_free(m);
	snapshot_free(s);
}

static struct end_evidence
evidence(int status, uint32_t have)
{
	struct end_evidence e;

	memset(&e, 0, sizeof e);
	e.have = have;
	e.wait_status = status;
	e.has_cg_counts = e.has_vm_counts = 1;
	e.cg_kills_before = e.cg_kills_after = 4;
	e.vm_kills_before = e.vm_kills_after = 10;
	e.limit_bytes = 64 * MiB;
	e.usage_bytes = 63 * MiB;
	strcpy(e.limit_cgroup, "/memtop-test/limited");
	return e;
}

#define W_EXIT(c) ((c) << 8)
#define W_SIG(s)  (s)

static void
test_verdict(void)
{
	struct end_verdict v;
	struct end_evidence e;
	char line[512], ev[256];

	e = evidence(W_EXIT(3), END_EV_PIDFD);
	e.cg_kills_after = 5; /* another process of the cgroup */
	verdict_decide(&e, &v);
	ok(v.known && v.reason == END_EXITED && v.status == 3,
	    "an exit with status 3, whatever the counters say");
	is_str(
	    verdict_format(&v, line, sizeof line), "exit status 3", "its line");

	e = evidence(W_SIG(SIGKILL), END_EV_ZOMBIE | END_EV_KMSG_READ);
	verdict_decide(&e, &v);
	ok(v.reason == END_SIGNALED && v.signal == SIGKILL,
	    "a plain SIGKILL: no counter rose, the log is silent");
	is_str(verdict_format(&v, line, sizeof line), "killed by SIGKILL",
	    "never called an OOM kill");

	e = evidence(W_SIG(SIGTERM), END_EV_PIDFD);
	e.cg_kills_after = 5;
	verdict_decide(&e, &v);
	is_str(verdict_format(&v, line, sizeof line), "killed by SIGTERM",
	    "SIGTERM is no OOM kill, even with a kill in the cgroup");
	e = evidence(W_SIG(SIGSEGV) | 0x80, END_EV_PIDFD);
	verdict_decide(&e, &v);
	is_str(verdict_format(&v, line, sizeof line),
	    "killed by SIGSEGV (core dumped)", "a crash");

	/* The kernel log names it: certain, and whose limit. */
	e = evidence(W_SIG(SIGKILL),
	    END_EV_PIDFD | END_EV_KMSG | END_EV_KMSG_READ | END_EV_NEAR_LIMIT);
	e.cg_kills_after = 5;
	e.vm_kills_after = 11;
	e.kmsg.killed = e.kmsg.memcg = e.kmsg.constraint = 1;
	e.kmsg.constraint_memcg = 1;
	strcpy(e.kmsg.oom_memcg, "/memtop-test/limited");
	verdict_decide(&e, &v);
	ok(v.reason == END_OOM_KILLED && !v.likely &&
	        v.scope == END_SCOPE_CGROUP && v.limit_bytes == 64 * MiB &&
	        v.cg_kills == 1 && v.vm_kills == 1,
	    "pidfd SIGKILL, counters and the log: OOM-killed by the cgroup");
	is_str(verdict_format(&v, line, sizeof line),
	    "OOM-killed (cgroup /memtop-test/limited: limit 64M)", "its line");
	is_str(verdict_evidence(&v, ev, sizeof ev),
	    "pidfd exit status, cgroup oom_kill +1, vmstat oom_kill +1, "
	    "kernel log",
	    "its evidence");

	/* The log names a parent's limit. */
	strcpy(e.kmsg.oom_memcg, "/memtop-test");
	verdict_decide(&e, &v);
	is_str(verdict_format(&v, line, sizeof line),
	    "OOM-killed (cgroup /memtop-test)",
	    "a limit other than the one seen binding: named, its size "
	    "unknown");

	/* No log (unprivileged): the counters alone, "likely". */
	e = evidence(W_SIG(SIGKILL), END_EV_PIDFD | END_EV_NEAR_LIMIT);
	e.cg_kills_after = 5;
	e.vm_kills_after = 11;
	verdict_decide(&e, &v);
	ok(v.reason == END_OOM_KILLED && v.likely &&
	        v.scope == END_SCOPE_CGROUP,
	    "SIGKILL and the cgroup's oom_kill rose: likely OOM-killed");
	is_str(verdict_format(&v, line, sizeof line),
	    "likely OOM-killed (cgroup /memtop-test/limited: limit 64M)",
	    "its line says likely");

	/* A system-wide OOM: far from its limit, the system counted one. */
	e.have = END_EV_PIDFD;
	e.usage_bytes = 4 * MiB;
	verdict_decide(&e, &v);
	is_str(verdict_format(&v, line, sizeof line),
	    "likely OOM-killed (the whole system)",
	    "far from the cgroup's limit with a system kill counted");
	e.limit_bytes = CG_UNLIMITED;
	e.have = END_EV_PIDFD | END_EV_NEAR_LIMIT;
	verdict_decide(&e, &v);
	ok(v.scope == END_SCOPE_SYSTEM, "no limit: the system's");

	/* The log says a system OOM (no memcg). */
	e = evidence(W_SIG(SIGKILL), END_EV_PIDFD | END_EV_KMSG);
	e.kmsg.killed = 1;
	verdict_decide(&e, &v);
	is_str(verdict_format(&v, line, sizeof line),
	    "OOM-killed (the whole system)", "the log says Out of memory");

	/* A SIGKILL while another cgroup's process was OOM-killed: the
	 * target's cgroup counted none, so it was not the victim. */
	e = evidence(W_SIG(SIGKILL), END_EV_PIDFD);
	e.vm_kills_after = 11;
	verdict_decide(&e, &v);
	ok(v.reason == END_SIGNALED, "a system kill elsewhere: plain SIGKILL");

	/* SIGKILLed by a user while the OOM killer took another process
	 * of its cgroup, which the log names. */
	e = evidence(W_SIG(SIGKILL), END_EV_PIDFD | END_EV_KMSG_READ);
	e.cg_kills_after = 5;
	e.kmsg.other_kills = 1;
	verdict_decide(&e, &v);
	ok(v.reason == END_SIGNALED && v.signal == SIGKILL,
	    "the log names another victim for the cgroup's kill: plain "
	    "SIGKILL");
	e.kmsg.other_kills = 0;
	verdict_decide(&e, &v);
	ok(v.reason == END_OOM_KILLED && v.likely,
	    "the log silent about the kill the cgroup counted: likely");

	/* No exit status (an old kernel, reaped): the counters. */
	e = evidence(0, 0);
	e.cg_kills_after = 5;
	verdict_decide(&e, &v);
	ok(v.reason == END_OOM_KILLED && v.likely && v.signal == SIGKILL,
	    "no exit status, the cgroup's oom_kill rose: likely OOM-killed");
	e = evidence(0, 0);
	verdict_decide(&e, &v);
	ok(v.reason == END_UNKNOWN, "no status and no counter: unknown");
	is_str(verdict_format(&v, line, sizeof line), "gone (how is not known)",
	    "its line");
	e = evidence(0, 0);
	e.has_cg_counts = 0;
	e.vm_kills_after = 11;
	verdict_decide(&e, &v);
	ok(v.reason == END_OOM_KILLED && v.likely &&
	        v.scope == END_SCOPE_SYSTEM,
	    "no cgroup, no status, a system kill: likely OOM-killed");
	ok(strcmp(end_reason_name(END_OOM_KILLED), "oom-killed") == 0,
	    "reason names");
}

static void
test_self(void)
{
	struct oom_self s = { 0, -900, 0 };
	char line[128];

	ok(strcmp(oom_self_format(&s, line, sizeof line),
	       "memtop's oom_score_adj lowered from 0 to -900") == 0,
	    "lowered: %s", line);
	s.err = -EACCES;
	s.after = 0;
	ok(strstr(oom_self_format(&s, line, sizeof line), "CAP_SYS_RESOURCE") !=
	        NULL,
	    "not permitted: %s", line);
}

int
main(void)
{
	test_fit();
	test_series();
	test_project();
	test_verdict();
	test_self();
	return tap_done();
}
