/*
 * oom.c - the OOM projection over the model's series, and memtop's own
 * oom_score_adj.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oom.h"
#include "util.h"

const char *
oom_basis_name(enum oom_basis b)
{
	switch (b) {
	case OOM_BASIS_CGROUP:
		return "cgroup";
	case OOM_BASIS_CGROUP_SWAP:
		return "cgroup+swap";
	case OOM_BASIS_SYSTEM:
		return "system";
	default:
		return "none";
	}
}

const char *
oom_basis_text(enum oom_basis b)
{
	switch (b) {
	case OOM_BASIS_CGROUP:
		return "cgroup anon+shmem+kernel vs its limit";
	case OOM_BASIS_CGROUP_SWAP:
		return "cgroup anon+shmem+kernel+swap vs its limit and swap";
	case OOM_BASIS_SYSTEM:
		return "process anon+shmem+swap vs MemAvailable+SwapFree";
	default:
		return "nothing to project against";
	}
}

const char *
oom_status_name(enum oom_status s)
{
	switch (s) {
	case OOM_ETA:
		return "eta";
	case OOM_TOO_SHORT:
		return "too short";
	case OOM_NOT_GROWING:
		return "not growing";
	case OOM_POOR_FIT:
		return "irregular";
	default:
		return "no limit";
	}
}

int
oom_fit_line(const double *t, const double *y, size_t n, struct oom_fit *f)
{
	double mt = 0, my = 0, sxx = 0, sxy = 0, syy = 0;
	size_t i;

	memset(f, 0, sizeof *f);
	if (n < 2)
		return -1;
	/* Centred sums: monotonic seconds are large, their squares lose
	 * the spread. */
	for (i = 0; i < n; i++) {
		mt += t[i];
		my += y[i];
	}
	mt /= (double)n;
	my /= (double)n;
	for (i = 0; i < n; i++) {
		double dt = t[i] - mt, dy = y[i] - my;

		sxx += dt * dt;
		sxy += dt * dy;
		syy += dy * dy;
	}
	if (!(sxx > 1e-12) || !isfinite(sxx) || !isfinite(syy))
		return -1;
	f->slope = sxy / sxx;
	f->r2 = syy > 0 ? sxy * sxy / (sxx * syy) : 0;
	f->span = t[n - 1] - t[0];
	return 0;
}

void
oom_project_series(const double *t, const double *kb, size_t n,
    uint64_t used_kb, uint64_t limit_kb, struct oom_projection *p)
{
	struct oom_fit f;
	double left;

	p->used_kb = used_kb;
	p->limit_kb = limit_kb;
	p->samples = n;
	p->eta_s = p->rate_kb_s = p->r2 = p->span_s = 0;
	if (n < OOM_MIN_SAMPLES || oom_fit_line(t, kb, n, &f) != 0 ||
	    f.span < OOM_MIN_SPAN_S) {
		p->status = OOM_TOO_SHORT;
		p->span_s = n >= 2 ? t[n - 1] - t[0] : 0;
		return;
	}
	p->rate_kb_s = f.slope;
	p->r2 = f.r2;
	p->span_s = f.span;
	if (!(f.slope >= OOM_MIN_RATE_KB_S)) {
		p->status = OOM_NOT_GROWING;
		return;
	}
	if (f.r2 < OOM_MIN_R2) {
		p->status = OOM_POOR_FIT;
		return;
	}
	left = used_kb >= limit_kb ? 0 : (double)(limit_kb - used_kb);
	p->eta_s = left / f.slope;
	if (!(p->eta_s <= OOM_MAX_ETA_S)) {
		p->eta_s = 0;
		p->status = OOM_NOT_GROWING;
		return;
	}
	p->status = OOM_ETA;
}

static uint64_t
sat_sum(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

void
oom_project(const struct model *m, struct oom_projection *p)
{
	const struct snapshot_info *in = model_info(m);
	const struct cgroup_facts *cg = &in->cg;
	const struct cgroup_limit *l = &cg->limit;
	double t[MODEL_HISTORY], kb[MODEL_HISTORY];
	double ts[MODEL_HISTORY], sw[MODEL_HISTORY];
	uint64_t used, limit;
	size_t n, i;

	memset(p, 0, sizeof *p);
	p->psi_full_avg10 = cg->psi.full.present ? cg->psi.full.avg10 : -1;
	if (cg->psi.full.present && cg->psi.full.avg10 >= OOM_PSI_FULL)
		p->flags |= OOM_FLAG_PRESSURE;
	if (cg->version != CGROUP_NONE && l->at_high)
		p->flags |= OOM_FLAG_AT_HIGH;
	if (cg_has(cg, CG_UNDER_OOM) && cg->v[CG_UNDER_OOM] != 0)
		p->flags |= OOM_FLAG_UNDER_OOM;
	if (model_samples(m) == 0) {
		p->status = OOM_NO_BASIS;
		return;
	}

	if (cg->version != CGROUP_NONE && l->max != CG_UNLIMITED &&
	    l->has_usage) {
		/* Swap takes anon pages when the system has swap and the
		 * cgroup may use it: the kill comes when both are full. */
		uint64_t may_swap = in->swap_total_kb == 0 ? 0 :
		    l->swap_max == CG_UNLIMITED            ? UINT64_MAX :
		                                             l->swap_max / 1024;
		uint64_t swap_left = sat_sum(in->swap_free_kb, l->swap / 1024);

		p->limit_up = l->up;
		used = l->unreclaimable / 1024;
		limit = l->max / 1024;
		n = model_totals_series(
		    m, TS_CG_UNRECLAIMABLE, OOM_WINDOW_S, t, kb, MODEL_HISTORY);
		if (may_swap > 0) {
			p->basis = OOM_BASIS_CGROUP_SWAP;
			used = sat_sum(used, l->swap / 1024);
			limit = sat_sum(
			    limit, may_swap < swap_left ? may_swap : swap_left);
			if (model_totals_series(m, TS_CG_SWAP, OOM_WINDOW_S, ts,
			        sw, MODEL_HISTORY) == n)
				for (i = 0; i < n; i++)
					kb[i] += sw[i];
		} else
			p->basis = OOM_BASIS_CGROUP;
		oom_project_series(t, kb, n, used, limit, p);
		return;
	}
	if (in->mem_available_kb > 0) {
		p->basis = OOM_BASIS_SYSTEM;
		n = model_totals_series(
		    m, TS_UNRECLAIMABLE, OOM_WINDOW_S, t, kb, MODEL_HISTORY);
		used = n > 0 ? (uint64_t)kb[n - 1] : 0;
		limit = sat_sum(
		    used, sat_sum(in->mem_available_kb, in->swap_free_kb));
		oom_project_series(t, kb, n, used, limit, p);
		return;
	}
	p->status = OOM_NO_BASIS;
}

char *
oom_projection_format(const struct oom_projection *p, char *buf, size_t size)
{
	char eta[32], rate[16], used[16], limit[16];
	size_t o;

	if (p->status == OOM_ETA)
		o = (size_t)snprintf(buf, size,
		    "OOM in ~%s at %s (%s %s of %s)",
		    fmt_duration(p->eta_s, eta, sizeof eta),
		    fmt_rate(p->rate_kb_s, rate, sizeof rate),
		    oom_basis_name(p->basis),
		    fmt_kb(p->used_kb, used, sizeof used),
		    fmt_kb(p->limit_kb, limit, sizeof limit));
	else
		o = (size_t)snprintf(buf, size, "no OOM projection: %s",
		    oom_status_name(p->status));
	if ((p->flags & OOM_FLAG_PRESSURE) && o < size)
		o += (size_t)snprintf(buf + o, size - o,
		    ", memory pressure %.0f%%", p->psi_full_avg10);
	if ((p->flags & OOM_FLAG_AT_HIGH) && o < size)
		o += (size_t)snprintf(buf + o, size - o, ", at memory.high");
	if ((p->flags & OOM_FLAG_UNDER_OOM) && o < size)
		snprintf(buf + o, size - o, ", under OOM");
	return buf;
}

/* A /proc oom_score_adj value; 0 when it cannot be read. */
static int
oom_adj_read(const char *path)
{
	char buf[32];

	if (read_file_at(AT_FDCWD, path, buf, sizeof buf) <= 0)
		return 0;
	return (int)strtol(buf, NULL, 10);
}

int
oom_self_protect(int pid, struct oom_self *s)
{
	char path[64], val[16];
	int want = OOM_SELF_ADJ, fd, n;

	s->before = s->after = oom_adj_read("/proc/self/oom_score_adj");
	s->err = 0;
	if (pid > 0) {
		int target;

		snprintf(path, sizeof path, "/proc/%d/oom_score_adj", pid);
		target = oom_adj_read(path);
		if (target - 1 < want)
			want = target - 1;
	}
	if (want < -999)
		want = -999;
	if (s->before <= want)
		return 0; /* low enough already */
	n = snprintf(val, sizeof val, "%d\n", want);
	fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, val, (size_t)n) != n)
		s->err = -errno;
	if (fd >= 0)
		close(fd);
	if (s->err == 0)
		s->after = oom_adj_read("/proc/self/oom_score_adj");
	return s->err;
}

char *
oom_self_format(const struct oom_self *s, char *buf, size_t size)
{
	if (s->err == -EACCES || s->err == -EPERM)
		snprintf(buf, size,
		    "memtop's oom_score_adj stays %d: lowering it needs "
		    "CAP_SYS_RESOURCE",
		    s->before);
	else if (s->err != 0)
		snprintf(buf, size, "memtop's oom_score_adj stays %d: %s",
		    s->before, strerror(-s->err));
	else if (s->after < s->before)
		snprintf(buf, size,
		    "memtop's oom_score_adj lowered from %d to %d", s->before,
		    s->after);
	else
		snprintf(buf, size, "memtop's oom_score_adj is %d", s->after);
	return buf;
}
