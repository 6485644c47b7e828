/*
 * cgwatch.c - the cgroups of the process list's rows and their OOM
 * projections.
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"
#include "cgwatch.h"
#include "util.h"

struct cgwatch_entry {
	char path[CG_PATH_MAX];
	int procfd; /* /proc/PID of a member, or -1 */
	struct cgroup_reader *r;
	uint64_t asked, read; /* the ticks it was last asked for, read */
	bool ok;              /* the last read found a limit */
	double t[CGWATCH_HISTORY], kb[CGWATCH_HISTORY];
	size_t n;
	struct oom_projection proj;
};

struct cgwatch {
	struct cgwatch_entry *e[CGWATCH_MAX];
	size_t n;
};

struct cgwatch *
cgwatch_new(void)
{
	return xcalloc(1, sizeof(struct cgwatch));
}

static void
cgwatch_entry_free(struct cgwatch_entry *e)
{
	if (e->r != NULL)
		cgroup_reader_close(e->r);
	if (e->procfd >= 0)
		close(e->procfd);
	free(e);
}

void
cgwatch_free(struct cgwatch *w)
{
	size_t i;

	if (w == NULL)
		return;
	for (i = 0; i < w->n; i++)
		cgwatch_entry_free(w->e[i]);
	free(w);
}

void
cgwatch_sweep(struct cgwatch *w, uint64_t tick)
{
	size_t i = 0;

	while (i < w->n) {
		if (w->e[i]->asked + CGWATCH_FORGET < tick) {
			cgwatch_entry_free(w->e[i]);
			w->e[i] = w->e[--w->n];
		} else
			i++;
	}
}

/* Pin the cgroup through /proc/PID of pid: false if it cannot be. */
static bool
cgwatch_attach(struct cgwatch_entry *e, int pid)
{
	char dir[32];

	if (e->r != NULL)
		cgroup_reader_close(e->r);
	if (e->procfd >= 0)
		close(e->procfd);
	e->r = NULL;
	snprintf(dir, sizeof dir, "/proc/%d", pid);
	e->procfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (e->procfd < 0)
		return false;
	e->r = cgroup_reader_open(e->procfd);
	return true;
}

/* One reading of e's cgroup, through pid's /proc when its own member is
 * gone or has moved. */
static void
cgwatch_read(struct cgwatch_entry *e, int pid, double now)
{
	struct cgroup_facts f;
	uint64_t used, limit;

	e->ok = false;
	if ((e->r == NULL || cgroup_read(e->r, &f) != 0 ||
	        strcmp(f.path, e->path) != 0) &&
	    (!cgwatch_attach(e, pid) || cgroup_read(e->r, &f) != 0))
		return;
	if (f.version == CGROUP_NONE || f.limit.max == CG_UNLIMITED ||
	    !f.limit.has_usage)
		return;
	used = f.limit.unreclaimable / 1024;
	limit = f.limit.max / 1024;
	if (e->n == CGWATCH_HISTORY) {
		memmove(e->t, e->t + 1, (e->n - 1) * sizeof e->t[0]);
		memmove(e->kb, e->kb + 1, (e->n - 1) * sizeof e->kb[0]);
		e->n--;
	}
	e->t[e->n] = now;
	e->kb[e->n++] = (double)used;
	memset(&e->proj, 0, sizeof e->proj);
	e->proj.basis = OOM_BASIS_CGROUP;
	e->proj.psi_full_avg10 = -1;
	oom_project_series(e->t, e->kb, e->n, used, limit, &e->proj);
	e->ok = true;
}

const struct oom_projection *
cgwatch_project(
    struct cgwatch *w, int pid, const char *cgroup, uint64_t tick, double now)
{
	struct cgwatch_entry *e = NULL;
	size_t i;

	if (cgroup == NULL || *cgroup == '\0')
		return NULL;
	for (i = 0; i < w->n && e == NULL; i++) {
		if (strcmp(w->e[i]->path, cgroup) == 0)
			e = w->e[i];
	}
	if (e == NULL) {
		if (w->n == CGWATCH_MAX)
			return NULL;
		e = xcalloc(1, sizeof *e);
		e->procfd = -1;
		snprintf(e->path, sizeof e->path, "%s", cgroup);
		e->read = UINT64_MAX;
		w->e[w->n++] = e;
	}
	e->asked = tick;
	if (e->read != tick) {
		e->read = tick;
		cgwatch_read(e, pid, now);
	}
	return e->ok ? &e->proj : NULL;
}
