/*
 * cgroup.c - the target's memory cgroup, v1 or v2.
 *
 * The reader finds the hierarchies in /proc/self/mountinfo and the target's
 * cgroup in /proc/PID/cgroup (the v1 memory controller where it is mounted,
 * else v2 with the memory controller), pins the cgroup's directory, and reads
 * every file relative to it, so the OOM-kill counters can still be read once
 * the target is gone.  Each file has its own table of field names.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"
#include "proc-parse.h"
#include "util.h"

/* v1 writes "no limit" as PAGE_COUNTER_MAX pages (9223372036854771712 with
 * 4 kB pages): anything this large is none. */
#define V1_UNLIMITED (UINT64_C(1) << 62)

#define CG_BUF 16384 /* memory.stat is 2-3 kB; what is beyond is dropped */

struct cgroup_reader {
	int procfd; /* /proc/PID, borrowed */
	struct cgroup_mounts mounts;
	uint8_t version;
	char path[CG_PATH_MAX]; /* the memory cgroup's, as /proc/PID/cgroup */
	char seen_v1[CG_PATH_MAX]; /* /proc/PID/cgroup's lines when pinned */
	char seen_v2[CG_PATH_MAX];
	int seen;                  /* parse_cgroup_paths()'s bits then */
	int dirfd;                 /* the cgroup's directory, pinned; -1 */
	int psifd;                 /* the v2 cgroup of a v1 target, or -1 */
	uint16_t depth;            /* levels from the mount's root down */
	uint64_t start_kills;      /* oom_kill when the cgroup was found */
	struct cgroup_owner owner; /* of path */
	char buf[CG_BUF];
};

static const char *const field_names[CG_COUNT] = {
	[CG_CURRENT] = "current",
	[CG_PEAK] = "peak",
	[CG_MAX] = "max",
	[CG_HIGH] = "high",
	[CG_SOFT_LIMIT] = "soft_limit",
	[CG_SWAP] = "swap",
	[CG_SWAP_MAX] = "swap_max",
	[CG_MEMSW_MAX] = "memsw_max",
	[CG_ANON] = "anon",
	[CG_FILE] = "file",
	[CG_SHMEM] = "shmem",
	[CG_KERNEL] = "kernel",
	[CG_KERNEL_STACK] = "kernel_stack",
	[CG_PAGETABLES] = "pagetables",
	[CG_SLAB_RECLAIMABLE] = "slab_reclaimable",
	[CG_SLAB_UNRECLAIMABLE] = "slab_unreclaimable",
	[CG_FILE_DIRTY] = "file_dirty",
	[CG_FILE_WRITEBACK] = "file_writeback",
	[CG_ACTIVE_FILE] = "active_file",
	[CG_INACTIVE_FILE] = "inactive_file",
	[CG_PGMAJFAULT] = "pgmajfault",
	[CG_REFAULT_ANON] = "workingset_refault_anon",
	[CG_REFAULT_FILE] = "workingset_refault_file",
	[CG_EV_HIGH] = "high_events",
	[CG_EV_MAX] = "max_events",
	[CG_EV_OOM] = "oom",
	[CG_EV_OOM_KILL] = "oom_kill",
	[CG_EV_OOM_GROUP_KILL] = "oom_group_kill",
	[CG_EV_LOCAL_OOM] = "local_oom",
	[CG_EV_LOCAL_OOM_KILL] = "local_oom_kill",
	[CG_EV_LOCAL_OOM_GROUP_KILL] = "local_oom_group_kill",
	[CG_UNDER_OOM] = "under_oom",
	[CG_OOM_KILL_DISABLE] = "oom_kill_disable",
	[CG_NPROCS] = "nprocs",
};

const char *
cg_field_name(enum cg_field f)
{
	return f < CG_COUNT && field_names[f] != NULL ? field_names[f] : "?";
}

bool
cg_field_is_bytes(enum cg_field f)
{
	return f <= CG_FILE_WRITEBACK || f == CG_ACTIVE_FILE ||
	    f == CG_INACTIVE_FILE;
}

/* v2 memory.stat (Documentation/admin-guide/cgroup-v2.rst). */
static const struct keyed_field v2_stat[] = {
	{ "anon", CG_ANON },
	{ "file", CG_FILE },
	{ "shmem", CG_SHMEM },
	{ "kernel", CG_KERNEL },
	{ "kernel_stack", CG_KERNEL_STACK },
	{ "pagetables", CG_PAGETABLES },
	{ "slab_reclaimable", CG_SLAB_RECLAIMABLE },
	{ "slab_unreclaimable", CG_SLAB_UNRECLAIMABLE },
	{ "file_dirty", CG_FILE_DIRTY },
	{ "file_writeback", CG_FILE_WRITEBACK },
	{ "active_file", CG_ACTIVE_FILE },
	{ "inactive_file", CG_INACTIVE_FILE },
	{ "pgmajfault", CG_PGMAJFAULT },
	{ "workingset_refault_anon", CG_REFAULT_ANON },
	{ "workingset_refault_file", CG_REFAULT_FILE },
};

/* v1 memory.stat: the cgroup's own figures, then the hierarchical total_*
 * ones (the cgroup and its descendants, as usage_in_bytes counts them),
 * which win where the kernel gives them. */
static const struct keyed_field v1_stat[] = {
	{ "rss", CG_ANON },
	{ "cache", CG_FILE },
	{ "shmem", CG_SHMEM },
	{ "dirty", CG_FILE_DIRTY },
	{ "writeback", CG_FILE_WRITEBACK },
	{ "swap", CG_SWAP },
	{ "active_file", CG_ACTIVE_FILE },
	{ "inactive_file", CG_INACTIVE_FILE },
	{ "pgmajfault", CG_PGMAJFAULT },
	{ "workingset_refault_anon", CG_REFAULT_ANON },
	{ "workingset_refault_file", CG_REFAULT_FILE },
};
static const struct keyed_field v1_stat_total[] = {
	{ "total_rss", CG_ANON },
	{ "total_cache", CG_FILE },
	{ "total_shmem", CG_SHMEM },
	{ "total_dirty", CG_FILE_DIRTY },
	{ "total_writeback", CG_FILE_WRITEBACK },
	{ "total_swap", CG_SWAP },
	{ "total_active_file", CG_ACTIVE_FILE },
	{ "total_inactive_file", CG_INACTIVE_FILE },
	{ "total_pgmajfault", CG_PGMAJFAULT },
	{ "total_workingset_refault_anon", CG_REFAULT_ANON },
	{ "total_workingset_refault_file", CG_REFAULT_FILE },
};
/* v1 memory.stat's hierarchical limits (the smallest up the tree). */
enum { V1_HIER_LIMIT, V1_HIER_MEMSW };
static const struct keyed_field v1_hier[] = {
	{ "hierarchical_memory_limit", V1_HIER_LIMIT },
	{ "hierarchical_memsw_limit", V1_HIER_MEMSW },
};

/* v2 memory.events and memory.events.local. */
static const struct keyed_field v2_events[] = {
	{ "high", CG_EV_HIGH },
	{ "max", CG_EV_MAX },
	{ "oom", CG_EV_OOM },
	{ "oom_kill", CG_EV_OOM_KILL },
	{ "oom_group_kill", CG_EV_OOM_GROUP_KILL },
};
static const struct keyed_field v2_events_local[] = {
	{ "oom", CG_EV_LOCAL_OOM },
	{ "oom_kill", CG_EV_LOCAL_OOM_KILL },
	{ "oom_group_kill", CG_EV_LOCAL_OOM_GROUP_KILL },
};

/* v1 memory.oom_control. */
static const struct keyed_field v1_oom_control[] = {
	{ "oom_kill_disable", CG_OOM_KILL_DISABLE },
	{ "under_oom", CG_UNDER_OOM },
	{ "oom_kill", CG_EV_OOM_KILL },
};

#define NFIELDS(t) (sizeof t / sizeof t[0])

/* Read file name at dirfd into r->buf (NUL-terminated, cut at CG_BUF - 1);
 * its length, or -errno. */
static ssize_t
cg_read(struct cgroup_reader *r, int dirfd, const char *name)
{
	if (dirfd < 0 && dirfd != AT_FDCWD)
		return -EBADF;
	return read_file_at(dirfd, name, r->buf, sizeof r->buf);
}

/* A one-value file into f->v[x]; v1's huge "no limit" read as none. */
static int
cg_value(struct cgroup_reader *r, int dirfd, const char *name,
    struct cgroup_facts *f, enum cg_field x)
{
	ssize_t n = cg_read(r, dirfd, name);
	uint64_t v;

	if (n < 0 || parse_cg_value(r->buf, (size_t)n, &v) != 0)
		return -1;
	if (r->version == CGROUP_V1 &&
	    (x == CG_MAX || x == CG_SOFT_LIMIT || x == CG_MEMSW_MAX) &&
	    v >= V1_UNLIMITED)
		v = CG_UNLIMITED;
	f->v[x] = v;
	f->has |= (uint64_t)1 << x;
	return 0;
}

static int
cg_keyed(struct cgroup_reader *r, int dirfd, const char *name,
    const struct keyed_field *t, size_t nt, uint64_t *vals, uint64_t *has)
{
	ssize_t n = cg_read(r, dirfd, name);

	if (n < 0)
		return -1;
	return parse_keyed(r->buf, (size_t)n, t, nt, vals, has);
}

/* The lines of cgroup.procs: the processes in the cgroup. */
static int
cg_nprocs(struct cgroup_reader *r, struct cgroup_facts *f)
{
	uint64_t count = 0;
	ssize_t n, i;
	int fd = openat(r->dirfd, "cgroup.procs", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	while ((n = read(fd, r->buf, sizeof r->buf)) > 0)
		for (i = 0; i < n; i++)
			count += r->buf[i] == '\n';
	close(fd);
	if (n < 0)
		return -1;
	f->v[CG_NPROCS] = count;
	f->has |= (uint64_t)1 << CG_NPROCS;
	return 0;
}

/* The directory of cgroup path under a mount that shows root of the
 * hierarchy; its depth below the mount in *depth.  -1 when the path is not
 * under what the mount shows. */
static int
cg_open_dir(
    const char *mount, const char *root, const char *path, uint16_t *depth)
{
	char dir[PATH_MAX];
	size_t rl = strlen(root);
	const char *p;

	if (mount[0] == '\0')
		return -1;
	/* A mount of a sub-tree (a container without a cgroup namespace
	 * sees /docker/ID mounted as its root). */
	if (strcmp(root, "/") != 0) {
		if (strncmp(path, root, rl) != 0 ||
		    (path[rl] != '/' && path[rl] != '\0'))
			return -1;
		path += rl;
	}
	*depth = 0;
	for (p = path; *p != '\0'; p++)
		if (*p == '/' && p[1] != '/' && p[1] != '\0')
			(*depth)++;
	if ((size_t)snprintf(dir, sizeof dir, "%s%s", mount, path) >=
	    sizeof dir)
		return -1;
	return open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

static void
cg_unpin(struct cgroup_reader *r)
{
	if (r->dirfd >= 0)
		close(r->dirfd);
	if (r->psifd >= 0)
		close(r->psifd);
	r->dirfd = r->psifd = -1;
	r->version = CGROUP_NONE;
}

/* The oom_kill counter of the pinned cgroup (v2 memory.events, v1
 * memory.oom_control), into *kills (and oom_group_kill into *group). */
static int
cg_kills(struct cgroup_reader *r, uint64_t *kills, uint64_t *group)
{
	uint64_t v[CG_COUNT], has = 0;

	if (r->version == CGROUP_V2)
		cg_keyed(r, r->dirfd, "memory.events", v2_events,
		    NFIELDS(v2_events), v, &has);
	else if (r->version == CGROUP_V1)
		cg_keyed(r, r->dirfd, "memory.oom_control", v1_oom_control,
		    NFIELDS(v1_oom_control), v, &has);
	if (!(has & ((uint64_t)1 << CG_EV_OOM_KILL)))
		return -ENOENT;
	*kills = v[CG_EV_OOM_KILL];
	*group = has & ((uint64_t)1 << CG_EV_OOM_GROUP_KILL) ?
	    v[CG_EV_OOM_GROUP_KILL] :
	    0;
	return 0;
}

/*
 * Find and pin the target's memory cgroup from /proc/PID/cgroup (text in
 * r->buf): the v1 memory controller where it is mounted, else v2 where the
 * cgroup has the memory controller (memory.current).
 */
static void
cg_pin(struct cgroup_reader *r, const char *v1, const char *v2, int found)
{
	uint64_t group = 0;
	uint16_t depth = 0;
	int fd;

	cg_unpin(r);
	if ((found & 1) &&
	    (fd = cg_open_dir(r->mounts.v1_memory, r->mounts.v1_memory_root, v1,
	         &depth)) >= 0) {
		r->version = CGROUP_V1;
		snprintf(r->path, sizeof r->path, "%s", v1);
	} else if (found & 2) {
		/* Where the memory controller is not enabled down to the
		 * cgroup, its memory is charged to the nearest ancestor that
		 * has it (memory.current). */
		char path[CG_PATH_MAX];
		char *slash;

		snprintf(path, sizeof path, "%s", v2);
		for (;;) {
			fd = cg_open_dir(
			    r->mounts.v2, r->mounts.v2_root, path, &depth);
			if (fd >= 0 &&
			    faccessat(fd, "memory.current", R_OK, 0) == 0) {
				r->version = CGROUP_V2;
				snprintf(r->path, sizeof r->path, "%s", path);
				break;
			}
			if (fd >= 0)
				close(fd);
			fd = -1;
			if ((slash = strrchr(path, '/')) == NULL ||
			    slash == path)
				break;
			*slash = '\0';
		}
	} else
		fd = -1;
	r->dirfd = fd;
	r->depth = depth;
	/* A v1 target's v2 cgroup still has its own memory.pressure. */
	if (r->version == CGROUP_V1 && (found & 2) && strcmp(v2, "/") != 0 &&
	    (fd = cg_open_dir(r->mounts.v2, r->mounts.v2_root, v2, &depth)) >=
	        0) {
		if (faccessat(fd, "memory.pressure", R_OK, 0) == 0)
			r->psifd = fd;
		else
			close(fd);
	}
	if (r->version != CGROUP_NONE) {
		parse_cgroup_owner(r->path, strlen(r->path), &r->owner);
		if (cg_kills(r, &r->start_kills, &group) != 0)
			r->start_kills = 0;
	}
}

struct cgroup_reader *
cgroup_reader_open_mounts(int procfd, const struct cgroup_mounts *m)
{
	struct cgroup_reader *r = xcalloc(1, sizeof *r);

	r->procfd = procfd;
	r->dirfd = r->psifd = -1;
	r->mounts = *m;
	cgroup_read(r, NULL);
	return r;
}

struct cgroup_reader *
cgroup_reader_open(int procfd)
{
	struct cgroup_reader *r;
	struct cgroup_mounts m;
	char *buf = xmalloc(CG_BUF);
	long len = read_file_at(AT_FDCWD, "/proc/self/mountinfo", buf, CG_BUF);

	if (len < 0 || parse_cgroup_mounts(buf, (size_t)len, &m) == 0) {
		/* The usual places. */
		snprintf(
		    m.v1_memory, sizeof m.v1_memory, "/sys/fs/cgroup/memory");
		snprintf(m.v2, sizeof m.v2, "%s",
		    access("/sys/fs/cgroup/unified/cgroup.controllers", F_OK) ==
		            0 ?
		        "/sys/fs/cgroup/unified" :
		        "/sys/fs/cgroup");
		strcpy(m.v1_memory_root, "/");
		strcpy(m.v2_root, "/");
	}
	free(buf);
	r = cgroup_reader_open_mounts(procfd, &m);
	return r;
}

void
cgroup_reader_close(struct cgroup_reader *r)
{
	if (r == NULL)
		return;
	cg_unpin(r);
	free(r);
}

/* The pinned cgroup's ancestor `up` levels higher, as a path relative to
 * the pinned directory ("." or "../.."), into buf. */
static void
cg_up(char *buf, size_t size, unsigned up)
{
	size_t o = 0;
	unsigned i;

	buf[0] = '.';
	buf[1] = '\0';
	for (i = 0; i < up && o + 4 < size; i++)
		o += (size_t)snprintf(buf + o, size - o, "%s..", i ? "/" : "");
}

static uint64_t
sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* What a cgroup's memory.stat says it cannot reclaim, bytes: anon, shmem
 * and kernel memory but reclaimable slab (v1: rss and shmem alone). */
static uint64_t
cg_unreclaimable(const uint64_t *v, uint64_t has)
{
#define H(x) ((has >> (x)) & 1)
	uint64_t u = sat_add(v[CG_ANON], H(CG_SHMEM) ? v[CG_SHMEM] : 0);

	if (H(CG_KERNEL) && !H(CG_SLAB_UNRECLAIMABLE) && !H(CG_KERNEL_STACK))
		return u; /* v1's kmem: how much is reclaimable is unknown */
	if (H(CG_KERNEL)) {
		uint64_t k = v[CG_KERNEL];

		if (H(CG_SLAB_RECLAIMABLE) && k >= v[CG_SLAB_RECLAIMABLE])
			k -= v[CG_SLAB_RECLAIMABLE];
		return sat_add(u, k);
	}
	u = sat_add(u, H(CG_SLAB_UNRECLAIMABLE) ? v[CG_SLAB_UNRECLAIMABLE] : 0);
	u = sat_add(u, H(CG_KERNEL_STACK) ? v[CG_KERNEL_STACK] : 0);
	return sat_add(u, H(CG_PAGETABLES) ? v[CG_PAGETABLES] : 0);
#undef H
}

/* A level's memory.stat, the tables of its version, into v/has. */
static void
cg_stat(struct cgroup_reader *r, int dirfd, const char *name, uint64_t *v,
    uint64_t *has)
{
	ssize_t n = cg_read(r, dirfd, name);

	if (n < 0)
		return;
	if (r->version == CGROUP_V2)
		parse_keyed(
		    r->buf, (size_t)n, v2_stat, NFIELDS(v2_stat), v, has);
	else {
		parse_keyed(
		    r->buf, (size_t)n, v1_stat, NFIELDS(v1_stat), v, has);
		parse_keyed(r->buf, (size_t)n, v1_stat_total,
		    NFIELDS(v1_stat_total), v, has);
	}
}

/*
 * The limit that binds: the smallest memory.max / limit_in_bytes among the
 * cgroup and its ancestors (the deepest of equals), with that cgroup's usage
 * and what it cannot reclaim; whether any level is at its memory.high.
 */
static void
cg_binding(struct cgroup_reader *r, struct cgroup_facts *f)
{
	struct cgroup_limit *l = &f->limit;
	const char *max_file =
	    r->version == CGROUP_V2 ? "memory.max" : "memory.limit_in_bytes";
	const char *cur_file = r->version == CGROUP_V2 ?
	    "memory.current" :
	    "memory.usage_in_bytes";
	uint64_t swap_max = CG_UNLIMITED;
	char rel[PATH_MAX], name[PATH_MAX + 32];
	unsigned up;

	memset(l, 0, sizeof *l);
	l->max = l->swap_max = CG_UNLIMITED;
	for (up = 0; up <= r->depth; up++) {
		struct cgroup_facts lv;

		lv.has = 0;
		cg_up(rel, sizeof rel, up);
		snprintf(name, sizeof name, "%s/%s", rel, max_file);
		if (cg_value(r, r->dirfd, name, &lv, CG_MAX) != 0)
			break; /* the root of the hierarchy, or no memory */
		if (lv.v[CG_MAX] < l->max) {
			l->max = lv.v[CG_MAX];
			l->up = (uint16_t)up;
		}
		if (r->version != CGROUP_V2)
			continue;
		snprintf(name, sizeof name, "%s/memory.swap.max", rel);
		if (cg_value(r, r->dirfd, name, &lv, CG_SWAP_MAX) == 0 &&
		    lv.v[CG_SWAP_MAX] < swap_max)
			swap_max = lv.v[CG_SWAP_MAX];
		snprintf(name, sizeof name, "%s/memory.high", rel);
		if (cg_value(r, r->dirfd, name, &lv, CG_HIGH) == 0 &&
		    lv.v[CG_HIGH] != CG_UNLIMITED) {
			snprintf(name, sizeof name, "%s/%s", rel, cur_file);
			if (cg_value(r, r->dirfd, name, &lv, CG_CURRENT) == 0 &&
			    lv.v[CG_CURRENT] >= lv.v[CG_HIGH])
				l->at_high = 1;
		}
	}
	if (r->version == CGROUP_V1 && cg_has(f, CG_MEMSW_MAX) &&
	    f->v[CG_MEMSW_MAX] != CG_UNLIMITED && l->max != CG_UNLIMITED)
		swap_max = f->v[CG_MEMSW_MAX] > l->max ?
		    f->v[CG_MEMSW_MAX] - l->max :
		    0;
	l->swap_max = swap_max;
	if (l->up == 0) {
		l->current = f->v[CG_CURRENT];
		l->unreclaimable = cg_unreclaimable(f->v, f->has);
		l->swap = cg_has(f, CG_SWAP) ? f->v[CG_SWAP] : 0;
		l->has_usage =
		    cg_has(f, CG_CURRENT) && cg_has(f, CG_ANON) ? 1 : 0;
		return;
	}
	/* An ancestor binds: its own usage (its other children count). */
	{
		struct cgroup_facts lv;

		lv.has = 0;
		memset(lv.v, 0, sizeof lv.v);
		cg_up(rel, sizeof rel, l->up);
		snprintf(name, sizeof name, "%s/%s", rel, cur_file);
		cg_value(r, r->dirfd, name, &lv, CG_CURRENT);
		snprintf(name, sizeof name, "%s/memory.stat", rel);
		cg_stat(r, r->dirfd, name, lv.v, &lv.has);
		if (r->version == CGROUP_V2) {
			snprintf(
			    name, sizeof name, "%s/memory.swap.current", rel);
			cg_value(r, r->dirfd, name, &lv, CG_SWAP);
		}
		l->current = lv.v[CG_CURRENT];
		l->unreclaimable = cg_unreclaimable(lv.v, lv.has);
		l->swap = cg_has(&lv, CG_SWAP) ? lv.v[CG_SWAP] : 0;
		l->has_usage =
		    cg_has(&lv, CG_CURRENT) && cg_has(&lv, CG_ANON) ? 1 : 0;
	}
}

/* The one-value files of each version (keyed_field's name is the file's). */
static const struct keyed_field v2_values[] = {
	{ "memory.current", CG_CURRENT },
	{ "memory.peak", CG_PEAK },
	{ "memory.max", CG_MAX },
	{ "memory.high", CG_HIGH },
	{ "memory.swap.current", CG_SWAP },
	{ "memory.swap.max", CG_SWAP_MAX },
};
static const struct keyed_field v1_values[] = {
	{ "memory.usage_in_bytes", CG_CURRENT },
	{ "memory.max_usage_in_bytes", CG_PEAK },
	{ "memory.limit_in_bytes", CG_MAX },
	{ "memory.soft_limit_in_bytes", CG_SOFT_LIMIT },
	{ "memory.memsw.limit_in_bytes", CG_MEMSW_MAX },
	{ "memory.kmem.usage_in_bytes", CG_KERNEL },
};

static void
cg_values(struct cgroup_reader *r, const struct keyed_field *t, size_t n,
    struct cgroup_facts *f)
{
	size_t i;

	for (i = 0; i < n; i++)
		cg_value(r, r->dirfd, t[i].name, f, (enum cg_field)t[i].index);
}

static void
cg_read_v2(struct cgroup_reader *r, struct cgroup_facts *f)
{
	cg_values(r, v2_values, NFIELDS(v2_values), f);
	cg_stat(r, r->dirfd, "memory.stat", f->v, &f->has);
	cg_keyed(r, r->dirfd, "memory.events", v2_events, NFIELDS(v2_events),
	    f->v, &f->has);
	cg_keyed(r, r->dirfd, "memory.events.local", v2_events_local,
	    NFIELDS(v2_events_local), f->v, &f->has);
}

static void
cg_read_v1(struct cgroup_reader *r, struct cgroup_facts *f)
{
	uint64_t hier[2] = { 0, 0 }, hhas = 0;
	ssize_t n;

	cg_values(r, v1_values, NFIELDS(v1_values), f);
	if ((n = cg_read(r, r->dirfd, "memory.stat")) >= 0) {
		parse_keyed(r->buf, (size_t)n, v1_stat, NFIELDS(v1_stat), f->v,
		    &f->has);
		parse_keyed(r->buf, (size_t)n, v1_stat_total,
		    NFIELDS(v1_stat_total), f->v, &f->has);
		parse_keyed(
		    r->buf, (size_t)n, v1_hier, NFIELDS(v1_hier), hier, &hhas);
	}
	/* The memsw limit that binds, where an ancestor's is smaller. */
	if ((hhas & 2) && hier[V1_HIER_MEMSW] < V1_UNLIMITED &&
	    (!cg_has(f, CG_MEMSW_MAX) ||
	        hier[V1_HIER_MEMSW] < f->v[CG_MEMSW_MAX])) {
		f->v[CG_MEMSW_MAX] = hier[V1_HIER_MEMSW];
		f->has |= (uint64_t)1 << CG_MEMSW_MAX;
	}
	cg_keyed(r, r->dirfd, "memory.oom_control", v1_oom_control,
	    NFIELDS(v1_oom_control), f->v, &f->has);
}

/* Memory pressure: the cgroup's memory.pressure (v2, or a v1 target's v2
 * cgroup), else the system's /proc/pressure/memory. */
static void
cg_psi(struct cgroup_reader *r, struct cgroup_facts *f)
{
	int fd = r->version == CGROUP_V2 ? r->dirfd : r->psifd;
	ssize_t n = -1;

	memset(&f->psi, 0, sizeof f->psi);
	if (fd >= 0 && (n = cg_read(r, fd, "memory.pressure")) > 0 &&
	    parse_psi(r->buf, (size_t)n, &f->psi) > 0) {
		f->psi.scope = PSI_CGROUP;
		return;
	}
	n = cg_read(r, AT_FDCWD, "/proc/pressure/memory");
	if (n > 0 && parse_psi(r->buf, (size_t)n, &f->psi) > 0)
		f->psi.scope = PSI_SYSTEM;
}

/* Whether the process has exited (a zombie, or gone): stat says. */
static bool
cg_target_exited(struct cgroup_reader *r)
{
	struct proc_stat st;
	ssize_t n = cg_read(r, r->procfd, "stat");

	return n <= 0 || parse_stat(r->buf, (size_t)n, &st) != 0 ||
	    st.state == 'Z' || st.state == 'X';
}

int
cgroup_read(struct cgroup_reader *r, struct cgroup_facts *f)
{
	char v1[CG_PATH_MAX] = "", v2[CG_PATH_MAX] = "";
	ssize_t n = cg_read(r, r->procfd, "cgroup");
	int found;

	if (f != NULL) {
		memset(f, 0, sizeof *f);
		f->limit.max = f->limit.swap_max = CG_UNLIMITED;
	}
	if (n < 0) {
		if (f != NULL)
			cg_psi(r, f);
		return (int)n;
	}
	found =
	    parse_cgroup_paths(r->buf, (size_t)n, v1, sizeof v1, v2, sizeof v2);
	/* Pinned once; again only when the process moved.  A process that
	 * has exited shows the root ("4:memory:/" for a zombie): it stays
	 * where it was, whose counters tell how it died. */
	if ((found != r->seen || strcmp(r->seen_v1, v1) != 0 ||
	        strcmp(r->seen_v2, v2) != 0) &&
	    (r->seen == 0 || !cg_target_exited(r))) {
		cg_pin(r, v1, v2, found);
		r->seen = found;
		memcpy(r->seen_v1, v1, sizeof r->seen_v1);
		memcpy(r->seen_v2, v2, sizeof r->seen_v2);
	}
	if (f == NULL)
		return 0;
	if (r->version != CGROUP_NONE) {
		f->version = r->version;
		memcpy(f->path, r->path, sizeof f->path);
		f->owner = r->owner;
		if (r->version == CGROUP_V2)
			cg_read_v2(r, f);
		else
			cg_read_v1(r, f);
		cg_nprocs(r, f);
		cg_binding(r, f);
		if (cg_has(f, CG_EV_OOM_KILL) &&
		    f->v[CG_EV_OOM_KILL] >= r->start_kills)
			f->oom_kills = f->v[CG_EV_OOM_KILL] - r->start_kills;
	}
	cg_psi(r, f);
	return 0;
}

int
cgroup_read_oom_kills(
    struct cgroup_reader *r, uint64_t *kills, uint64_t *group_kills)
{
	return cg_kills(r, kills, group_kills);
}

char *
cgroup_limit_path(const struct cgroup_facts *f, char *buf, size_t size)
{
	size_t n = strnlen(f->path, sizeof f->path);
	unsigned up = f->limit.up;

	while (up > 0 && n > 1) {
		while (n > 1 && f->path[n - 1] != '/')
			n--;
		if (n > 1)
			n--; /* the slash */
		up--;
	}
	if (n > size - 1)
		n = size - 1;
	memcpy(buf, f->path, n);
	buf[n] = '\0';
	return buf;
}

/* The first 12 characters of a container ID, as docker ps shows it. */
static const char *
short_id(const char *id, char *buf, size_t size)
{
	snprintf(buf, size, "%.12s", id);
	return buf;
}

char *
cgroup_owner_format(const struct cgroup_facts *f, char *buf, size_t size)
{
	const struct cgroup_owner *o = &f->owner;
	char id[16];
	size_t n;

	switch (o->kind) {
	case OWNER_K8S_POD:
		n = (size_t)snprintf(
		    buf, size, "pod %s (%s)", o->pod_uid, o->qos);
		if (o->container_id[0] != '\0' && n < size)
			snprintf(buf + n, size - n, ", container %s%s%s%s",
			    short_id(o->container_id, id, sizeof id),
			    o->runtime[0] ? " (" : "", o->runtime,
			    o->runtime[0] ? ")" : "");
		break;
	case OWNER_CONTAINER:
		snprintf(buf, size, "%s%scontainer %s", o->runtime,
		    o->runtime[0] ? " " : "",
		    strcmp(o->runtime, "lxc") == 0 ?
		        o->container_id :
		        short_id(o->container_id, id, sizeof id));
		break;
	case OWNER_SYSTEMD_SERVICE:
	case OWNER_SYSTEMD_SCOPE:
	case OWNER_SYSTEMD_SLICE:
		snprintf(buf, size, "systemd %s", o->unit);
		break;
	case OWNER_ROOT:
		snprintf(buf, size, "the root cgroup");
		break;
	default:
		snprintf(buf, size, "%s", f->path);
	}
	return buf;
}

double
cgroup_share_pct(
    const struct cgroup_facts *f, uint64_t rss_anon_kb, uint64_t rss_shmem_kb)
{
	double cg, own;

	if (f->version == CGROUP_NONE || !cg_has(f, CG_ANON))
		return -1;
	cg = (double)f->v[CG_ANON] +
	    (cg_has(f, CG_SHMEM) ? (double)f->v[CG_SHMEM] : 0);
	own = ((double)rss_anon_kb + (double)rss_shmem_kb) * 1024;
	if (cg <= 0)
		return -1;
	return own >= cg ? 100 : 100 * own / cg;
}
