/*
 * oom.h - when the OOM killer will come, and memtop's own survival.
 *
 * The OOM killer comes when memory that cannot be reclaimed reaches the
 * limit: page cache can be reclaimed, anon, shmem and most kernel memory
 * cannot (without swap).  The projection fits a line to what the kernel
 * cannot reclaim over a window of the model's samples and projects it
 * against the limit that binds (the cgroup's, or the system's MemAvailable
 * and free swap), and says what it assumed.  Pure but for oom_self_protect.
 */
#ifndef MEMTOP_OOM_H
#define MEMTOP_OOM_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"

#define OOM_WINDOW_S      60.0 /* the fit covers the last minute at most */
#define OOM_MIN_SPAN_S    5.0  /* and at least this long */
#define OOM_MIN_SAMPLES   5
#define OOM_MIN_R2        0.7            /* how well a line must fit */
#define OOM_MIN_RATE_KB_S 1.0            /* slower than this is flat */
#define OOM_MAX_ETA_S     (30 * 86400.0) /* further is no projection */
#define OOM_PSI_FULL      10.0           /* PSI full avg10 (%) that is said */

/* What the projection assumes. */
enum oom_basis {
	OOM_BASIS_NONE,        /* nothing to project against */
	OOM_BASIS_CGROUP,      /* the cgroup's anon + shmem + unreclaimable */
	                       /* kernel memory against its binding limit */
	OOM_BASIS_CGROUP_SWAP, /* the same plus its swap, against the */
	                       /* limit plus the swap it may still use */
	OOM_BASIS_SYSTEM,      /* the process's anon + shmem + swap against */
	                       /* MemAvailable + SwapFree (no limit) */
};
/* "cgroup", "cgroup+swap", "system", "none": for JSON and CSV. */
const char *oom_basis_name(enum oom_basis b);
/* The assumption in words: "cgroup anon+shmem+kernel vs its limit". */
const char *oom_basis_text(enum oom_basis b);

enum oom_status {
	OOM_ETA,         /* eta_s holds the projection */
	OOM_NO_BASIS,    /* no limit and no MemAvailable */
	OOM_TOO_SHORT,   /* fewer than OOM_MIN_SAMPLES or OOM_MIN_SPAN_S */
	OOM_NOT_GROWING, /* flat, shrinking, or beyond OOM_MAX_ETA_S */
	OOM_POOR_FIT,    /* too irregular for a line (R² < OOM_MIN_R2) */
};
const char *oom_status_name(enum oom_status s);

#define OOM_FLAG_PRESSURE  0x1 /* PSI full avg10 >= OOM_PSI_FULL */
#define OOM_FLAG_AT_HIGH   0x2 /* a cgroup at or over its memory.high */
#define OOM_FLAG_UNDER_OOM 0x4 /* v1 under_oom: the cgroup is in OOM */

struct oom_projection {
	enum oom_basis basis;
	enum oom_status status;
	double eta_s;     /* OOM_ETA: seconds after the last sample */
	double rate_kb_s; /* fitted growth of what cannot be reclaimed */
	double r2;        /* the fit's coefficient of determination */
	double span_s;    /* the time the fit covers */
	size_t samples;   /* and its samples */
	uint64_t used_kb; /* what cannot be reclaimed, at the last sample */
	/* What it runs into: the binding limit (plus the swap it may use),
	 * or used + MemAvailable + SwapFree. */
	uint64_t limit_kb;
	uint16_t limit_up;     /* cgroup bases: the limit's cgroup, levels */
	                       /* above the target's (cgroup_limit_path) */
	unsigned flags;        /* OOM_FLAG_* */
	double psi_full_avg10; /* -1 when unknown */
};

/* Least squares of y on t. */
struct oom_fit {
	double slope; /* units of y per unit of t */
	double r2;    /* 1 for a perfect line; 0 when y is flat */
	double span;  /* t[n-1] - t[0] */
};
/* 0, or -1 for fewer than two points or no spread in t. */
int oom_fit_line(const double *t, const double *y, size_t n, struct oom_fit *f);

/*
 * The projection of a series (t seconds, kb) that runs into limit_kb, used_kb
 * now; sets status, eta_s, rate_kb_s, r2, span_s, samples, used_kb and
 * limit_kb of p, leaves basis and flags alone.  Never a negative time: at
 * or over the limit while growing is 0.
 */
void oom_project_series(const double *t, const double *kb, size_t n,
    uint64_t used_kb, uint64_t limit_kb, struct oom_projection *p);

/* The projection at the model's last sample. */
void oom_project(const struct model *m, struct oom_projection *p);

/*
 * One line: "OOM in ~4m10s at +2.2M/s (cgroup anon+shmem+kernel 60M of
 * 96M)", "no OOM projection: not growing", plus ", memory pressure" or ",
 * at memory.high" when flagged.  Returns buf.
 */
char *oom_projection_format(
    const struct oom_projection *p, char *buf, size_t size);

/* memtop's own oom_score_adj. */
#define OOM_SELF_ADJ -900 /* at most this (lower when the target is) */
struct oom_self {
	int before; /* /proc/self/oom_score_adj at start */
	int after;  /* now (before when it could not be lowered) */
	int err;    /* 0, or -errno: -EACCES needs CAP_SYS_RESOURCE */
};
/*
 * Lower memtop's /proc/self/oom_score_adj so that memtop, sharing a cgroup
 * with its target (a sidecar), is not the OOM killer's choice: to
 * OOM_SELF_ADJ, or below the target's (pid's) own when that is lower, never
 * to -1000 (which would forbid the kill outright).  0, or -errno (also in
 * s->err) when it may not.
 */
int oom_self_protect(int pid, struct oom_self *s);
/* "oom_score_adj lowered from 0 to -900", or why it could not. */
char *oom_self_format(const struct oom_self *s, char *buf, size_t size);

#endif
