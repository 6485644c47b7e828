/*
 * test-cgroup-live.c - real kills in real memory cgroups, watched through the
 * live source and the sampler as memtop watches them: a leaker the kernel
 * OOM-kills in a v1 cgroup with a 64 MiB limit (the projection before, the
 * verdict after, against waitpid and the kernel's own counters), the same
 * watched by an unprivileged memtop (no kernel log: "likely"), a target
 * SIGKILLed by the test, a normal exit with a status, a reader of a file
 * larger than the limit (page cache only: no projection, no kill), a v2
 * memory cgroup where the machine lets a test make one, and memtop's own
 * oom_score_adj.  Every cgroup made here is removed; processes are stopped
 * by PID.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "model.h"
#include "oom.h"
#include "proc-parse.h"
#include "sampler.h"
#include "source.h"
#include "tap.h"
#include "util.h"

#define MiB         (1024 * 1024)
#define LIMIT       (64 * MiB)
#define TMPFS_MAGIC 0x01021994

static struct cgroup_mounts mounts;
static char made[4][512]; /* cgroups to remove at exit */
static pid_t children[16];
static int nchildren;

/* ---- cgroups ---- */

static int
write_file(const char *dir, const char *name, const char *val)
{
	char path[700];
	int fd, rc = 0;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) < 0)
		return -errno;
	if (write(fd, val, strlen(val)) != (ssize_t)strlen(val))
		rc = -errno;
	close(fd);
	return rc;
}

static uint64_t
read_counter(const char *dir, const char *file, const char *key)
{
	struct keyed_field f[] = { { key, 0 } };
	char path[700], buf[4096];
	uint64_t v = 0, has = 0;
	long n;

	snprintf(path, sizeof path, "%s/%s", dir, file);
	n = read_file_at(AT_FDCWD, path, buf, sizeof buf);
	if (n > 0)
		parse_keyed(buf, (size_t)n, f, 1, &v, &has);
	return v;
}

/* Remove a cgroup once its dying processes have left it. */
static void
cg_remove(char *dir)
{
	int i;

	if (dir[0] == '\0')
		return;
	for (i = 0; i < 100 && rmdir(dir) != 0 && errno == EBUSY; i++)
		usleep(50 * 1000);
	dir[0] = '\0';
}

static void
cleanup(void)
{
	int i;

	for (i = 0; i < nchildren; i++)
		if (children[i] > 0 && kill(children[i], SIGKILL) == 0)
			waitpid(children[i], NULL, 0);
	for (i = 0; i < 4; i++)
		cg_remove(made[i]);
}

/* A v1 memory cgroup with a LIMIT limit; 0 and its directory, or -errno. */
static int
cg_make_v1(int slot, const char *name, char *dir, size_t size)
{
	char lim[32];
	int rc;

	if (mounts.v1_memory[0] == '\0')
		return -ENOENT;
	snprintf(dir, size, "%s/memtop-test-%d-%s", mounts.v1_memory,
	    (int)getpid(), name);
	if (mkdir(dir, 0755) != 0)
		return -errno;
	snprintf(made[slot], sizeof made[slot], "%s", dir);
	snprintf(lim, sizeof lim, "%d", LIMIT);
	if ((rc = write_file(dir, "memory.limit_in_bytes", lim)) != 0)
		return rc;
	/* No swap for it either, where the kernel accounts swap. */
	write_file(dir, "memory.memsw.limit_in_bytes", lim);
	return 0;
}

/* ---- children ---- */

enum mode { LEAK, SLOW, WAIT_EXIT, READ_FILE };

struct child {
	pid_t pid;
	int go;       /* write a byte: WAIT_EXIT exits, others ignore */
	int fd_ready; /* closed by the parent after the child is in */
};

/* Touch n bytes of fresh anonymous memory. */
static void
leak(size_t n)
{
	char *p = mmap(NULL, n, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p != MAP_FAILED)
		memset(p, 0x5a, n);
}

/* Map and read a file twice over about 8 s, then exit 0. */
static void
read_file(const char *path)
{
	volatile char sum = 0;
	struct stat sb;
	char buf[65536];
	size_t off, i;
	int fd = open(path, O_RDONLY);
	char *p;

	if (fd < 0 || fstat(fd, &sb) != 0)
		_exit(2);
	p = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		_exit(2);
	for (off = 0; off < (size_t)sb.st_size; off += 4096) {
		sum += p[off];
		if (off % (2 * MiB) == 0)
			usleep(100 * 1000); /* 20 MiB/s */
	}
	munmap(p, (size_t)sb.st_size);
	lseek(fd, 0, SEEK_SET);
	for (i = 0; read(fd, buf, sizeof buf) > 0; i++)
		if (i % 64 == 0)
			usleep(40 * 1000);
	close(fd);
	(void)sum;
	_exit(0);
}

/*
 * Start a child in cgroup dir (NULL: where the test is) as uid (0: as is),
 * leaking rate bytes a second (LEAK, SLOW), or waiting for a byte on its go
 * pipe to exit with status 3 (WAIT_EXIT), or reading file (READ_FILE).
 * Returns once the child is in its cgroup.
 */
static int
child_start(struct child *c, const char *dir, enum mode mode, size_t rate,
    uid_t uid, const char *file)
{
	int ready[2], go[2];
	char b;

	if (pipe(ready) != 0 || pipe(go) != 0)
		return -errno;
	c->pid = fork();
	if (c->pid == 0) {
		char pid[32];

		close(ready[0]);
		close(go[1]);
		snprintf(pid, sizeof pid, "%d", (int)getpid());
		if (dir != NULL && write_file(dir, "cgroup.procs", pid) != 0)
			_exit(99);
		/* A process that changed its uid is not dumpable: its
		 * /proc files stay root's unless it says otherwise. */
		if (uid != 0 &&
		    (setgid(uid) != 0 || setuid(uid) != 0 ||
		        prctl(PR_SET_DUMPABLE, 1) != 0))
			_exit(98);
		if (write(ready[1], "r", 1) != 1)
			_exit(97);
		close(ready[1]);
		switch (mode) {
		case LEAK:
		case SLOW:
			for (;;) {
				leak(rate / 20);
				usleep(50 * 1000);
			}
		case WAIT_EXIT:
			if (read(go[0], &b, 1) != 1)
				_exit(96);
			_exit(3);
		case READ_FILE:
			read_file(file);
		}
		_exit(95);
	}
	children[nchildren++] = c->pid;
	close(ready[1]);
	close(go[0]);
	c->go = go[1];
	if (read(ready[0], &b, 1) != 1) {
		close(ready[0]);
		return -ECHILD;
	}
	close(ready[0]);
	return 0;
}

/* ---- watching, as memtop does ---- */

struct run {
	struct end_verdict verdict;
	enum target_state state;
	int samples, etas;
	double started, ended; /* monotonic */
	struct oom_projection first_eta, last_eta;
	double first_eta_at;       /* when the first projection came */
	struct cgroup_facts first; /* of the first sample */
	uint64_t max_cg_current;
	uint64_t max_rss_anon_kb;
	double max_share;
	uint64_t oom_kills_shown; /* info.cg_oom_kills, at most */
	int err;
};

/* Called after each sample; return true to stop watching. */
typedef bool (*on_sample_fn)(struct run *r, void *ctx);

static void
watch(pid_t pid, double interval, double timeout, struct run *r,
    on_sample_fn cb, void *ctx)
{
	struct snapshot *s = snapshot_new();
	struct model *m = model_new();
	struct sampler *sp;
	struct source *src;
	char *cause = NULL;
	double deadline;
	int err = 0;

	memset(r, 0, sizeof *r);
	r->started = clock_mono();
	src = source_live_open(pid, &cause, &err);
	if (src == NULL) {
		diag("cannot watch %d: %s", (int)pid, cause ? cause : "?");
		r->err = err ? err : -1;
		free(cause);
		model_free(m);
		snapshot_free(s);
		return;
	}
	sp = sampler_start(src, interval);
	deadline = clock_mono() + timeout;
	while (clock_mono() < deadline) {
		struct pollfd p = { sampler_fd(sp), POLLIN, 0 };
		int rc;

		poll(&p, 1, 200);
		rc = sampler_take(sp, &s, &cause);
		if (rc == SOURCE_SAMPLE) {
			struct oom_projection pr;
			const struct snapshot_info *in = &s->info;
			double share;

			model_ingest(m, s);
			oom_project(m, &pr);
			if (r->samples++ == 0)
				r->first = in->cg;
			if (pr.status == OOM_ETA) {
				if (r->etas++ == 0) {
					r->first_eta = pr;
					r->first_eta_at = clock_mono();
				}
				r->last_eta = pr;
			}
			if (in->cg.v[CG_CURRENT] > r->max_cg_current)
				r->max_cg_current = in->cg.v[CG_CURRENT];
			if (in->status[ST_RSS_ANON] > r->max_rss_anon_kb)
				r->max_rss_anon_kb = in->status[ST_RSS_ANON];
			share = cgroup_share_pct(&in->cg,
			    in->status[ST_RSS_ANON], in->status[ST_RSS_SHMEM]);
			if (share > r->max_share)
				r->max_share = share;
			if (in->cg_oom_kills > r->oom_kills_shown)
				r->oom_kills_shown = in->cg_oom_kills;
			if (cb != NULL && cb(r, ctx))
				break;
		} else if (rc != SOURCE_AGAIN) {
			r->ended = clock_mono();
			r->state = sampler_end_state(sp);
			r->verdict = *sampler_end_verdict(sp);
			r->err = rc < 0 ? rc : 0;
			free(cause);
			break;
		}
	}
	if (sampler_stop(sp))
		source_close(src);
	model_free(m);
	snapshot_free(s);
}

/* Reap a child on a thread of its own, as a parent that waits does. */
struct reaper {
	pthread_t thread;
	pid_t pid;
	int status;
	double when;
};

static void *
reaper_run(void *arg)
{
	struct reaper *rp = arg;

	while (waitpid(rp->pid, &rp->status, 0) < 0 && errno == EINTR)
		;
	rp->when = clock_mono();
	return NULL;
}

static void
reaper_start(struct reaper *rp, pid_t pid)
{
	rp->pid = pid;
	rp->when = 0;
	pthread_create(&rp->thread, NULL, reaper_run, rp);
}

/* Start a leaker of 4M/s in cgroup dir and watch it until it is gone,
 * reaped at once by its parent; its wait status into *status. */
static int
leak_and_watch(const char *dir, struct run *r, int *status)
{
	struct reaper rp;
	struct child c;

	if (child_start(&c, dir, LEAK, 4 * MiB, 0, NULL) != 0) {
		ok(0, "the leaker starts in %s", dir);
		return -1;
	}
	reaper_start(&rp, c.pid);
	watch(c.pid, 0.5, 90, r, NULL, NULL);
	pthread_join(rp.thread, NULL);
	*status = rp.status;
	return 0;
}

/* ---- the cases ---- */

static bool kmsg_readable;

/* The leaker, OOM-killed by its cgroup's limit while memtop watches. */
static void
test_oom_v1(const char *dir, uint64_t *total_kills)
{
	const char *rel = dir + strlen(mounts.v1_memory);
	uint64_t before = read_counter(dir, "memory.oom_control", "oom_kill");
	uint64_t vm_before = read_counter("/proc", "vmstat", "oom_kill"), after,
	         vm_after;
	struct run r;
	char line[512];
	double predicted, actual;
	int status;

	if (leak_and_watch(dir, &r, &status) != 0)
		return;
	after = read_counter(dir, "memory.oom_control", "oom_kill");
	vm_after = read_counter("/proc", "vmstat", "oom_kill");
	*total_kills = after;

	ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL &&
	        after == before + 1,
	    "the kernel OOM-killed the leaker (SIGKILL, oom_kill %llu -> "
	    "%llu)",
	    (unsigned long long)before, (unsigned long long)after);
	ok(r.first.version == CGROUP_V1 && strcmp(r.first.path, rel) == 0 &&
	        r.first.limit.max == LIMIT && r.first.limit.up == 0 &&
	        r.first.v[CG_NPROCS] == 1,
	    "its facts: v1, %s, the 64M limit binds, one process", rel);
	ok(r.max_share >= 90, "the target holds its cgroup's anon (%.0f%%)",
	    r.max_share);
	ok(r.etas > 0 && r.first_eta.basis == OOM_BASIS_CGROUP &&
	        r.ended - r.first_eta_at >= 3,
	    "a projection came %.1f s before the kill (%s)",
	    r.etas ? r.ended - r.first_eta_at : 0,
	    oom_projection_format(&r.first_eta, line, sizeof line));
	ok(r.etas > 0 && fabs(r.last_eta.rate_kb_s - 4096) < 4096 * 0.25 &&
	        r.last_eta.limit_kb == LIMIT / 1024,
	    "at the leak's rate, 4M/s (%.0f kB/s), against 64M",
	    r.last_eta.rate_kb_s);
	predicted = r.first_eta.eta_s;
	actual = r.ended - r.first_eta_at;
	ok(r.etas > 0 && fabs(predicted - actual) <= 3 + 0.3 * actual,
	    "the first projection said %.1f s; the kill came %.1f s later",
	    predicted, actual);
	ok(r.state == TARGET_EXITED || r.state == TARGET_ZOMBIE,
	    "the source ended with the target gone (%s)",
	    target_state_name(r.state));
	ok(r.verdict.known && r.verdict.reason == END_OOM_KILLED &&
	        r.verdict.scope == END_SCOPE_CGROUP &&
	        strcmp(r.verdict.cgroup, rel) == 0 &&
	        r.verdict.limit_bytes == LIMIT,
	    "verdict: %s", verdict_format(&r.verdict, line, sizeof line));
	ok(r.verdict.likely == !kmsg_readable,
	    "%s with the kernel log %sreadable",
	    r.verdict.likely ? "likely" : "certain",
	    kmsg_readable ? "" : "not ");
	ok(r.verdict.cg_kills == after - before &&
	        (!(r.verdict.evidence & END_EV_VMSTAT) ||
	            r.verdict.vm_kills <= vm_after - vm_before),
	    "its counters are the kernel's: %s",
	    verdict_evidence(&r.verdict, line, sizeof line));
	ok((r.verdict.evidence & (END_EV_PIDFD | END_EV_ZOMBIE)) &&
	        r.verdict.signal == SIGKILL,
	    "the exit status came from the %s: SIGKILL",
	    r.verdict.evidence & END_EV_PIDFD ? "pidfd" : "zombie");
}

/* Unprivileged: no kernel log, so the counters say "likely". */
static void
test_oom_unprivileged(const char *dir)
{
	const char *rel = dir + strlen(mounts.v1_memory);
	struct child c;
	struct run r;
	int fds[2], status;
	pid_t w;
	char line[512];

	if (pipe(fds) != 0 ||
	    child_start(&c, dir, LEAK, 8 * MiB, 65534, NULL) != 0) {
		ok(1, "# SKIP cannot start a leaker as uid 65534");
		return;
	}
	w = fork();
	if (w == 0) {
		close(fds[0]);
		if (setgid(65534) != 0 || setuid(65534) != 0)
			_exit(2);
		watch(c.pid, 0.5, 60, &r, NULL, NULL);
		if (write(fds[1], &r, sizeof r) != sizeof r)
			_exit(3);
		_exit(0);
	}
	children[nchildren++] = w;
	close(fds[1]);
	memset(&r, 0, sizeof r);
	if (read(fds[0], &r, sizeof r) != sizeof r)
		r.err = -EIO;
	close(fds[0]);
	waitpid(w, &status, 0);
	waitpid(c.pid, &status, 0);
	if (r.err == -EACCES || r.samples == 0) {
		ok(1, "# SKIP uid 65534 may not read its own process here");
		return;
	}
	ok(r.verdict.known && r.verdict.reason == END_OOM_KILLED &&
	        r.verdict.likely && r.verdict.scope == END_SCOPE_CGROUP &&
	        strcmp(r.verdict.cgroup, rel) == 0 &&
	        !(r.verdict.evidence & END_EV_KMSG_READ),
	    "as uid 65534, without the kernel log: %s (%s)",
	    verdict_format(&r.verdict, line, sizeof line),
	    verdict_evidence(&r.verdict, line + 256, sizeof line - 256));
}

static bool
kill_at_3(struct run *r, void *ctx)
{
	if (r->samples == 3)
		kill(*(pid_t *)ctx, SIGKILL);
	return false;
}

/* A SIGKILL from the test in a cgroup that saw an OOM kill before. */
static void
test_sigkill(const char *dir, uint64_t total_kills)
{
	struct child c;
	struct run r;
	char line[512];
	int status;

	if (child_start(&c, dir, SLOW, 256 * 1024, 0, NULL) != 0) {
		ok(0, "a target starts in %s", dir);
		return;
	}
	watch(c.pid, 0.3, 30, &r, kill_at_3, &c.pid);
	ok(r.verdict.known && r.verdict.reason == END_SIGNALED &&
	        r.verdict.signal == SIGKILL,
	    "SIGKILLed by the test: %s, never an OOM kill",
	    verdict_format(&r.verdict, line, sizeof line));
	ok(r.state == TARGET_ZOMBIE && (r.verdict.evidence & END_EV_ZOMBIE),
	    "not yet reaped: the zombie's exit code said so (%s)",
	    target_state_name(r.state));
	ok(total_kills >= 1 && r.oom_kills_shown == 0 &&
	        r.first.oom_kills == 0 && r.first.v[CG_EV_OOM_KILL] >= 1,
	    "OOM kills shown: 0 since memtop began, not the cgroup's %llu",
	    (unsigned long long)r.first.v[CG_EV_OOM_KILL]);
	waitpid(c.pid, &status, 0);
}

static bool
exit_at_3(struct run *r, void *ctx)
{
	if (r->samples == 3 && write(*(int *)ctx, "x", 1) != 1)
		return true;
	return false;
}

/* A normal exit with status 3, reaped at once by its parent. */
static void
test_exit(const char *dir)
{
	struct reaper rp;
	struct child c;
	struct run r;
	char line[512];

	if (child_start(&c, dir, WAIT_EXIT, 0, 0, NULL) != 0) {
		ok(0, "a target starts");
		return;
	}
	reaper_start(&rp, c.pid);
	watch(c.pid, 0.3, 30, &r, exit_at_3, &c.go);
	pthread_join(rp.thread, NULL);
	ok(WIFEXITED(rp.status) && WEXITSTATUS(rp.status) == 3 &&
	        r.verdict.known && r.verdict.reason == END_EXITED &&
	        r.verdict.status == 3,
	    "a normal exit: %s", verdict_format(&r.verdict, line, sizeof line));
	close(c.go);
}

/* A live process moved to another cgroup is followed; one that has
 * exited (a zombie's /proc/PID/cgroup names the root) stays where it was,
 * where its OOM-kill counter is. */
static void
test_pin(const char *a, const char *b)
{
	const char *rel_a = a + strlen(mounts.v1_memory);
	const char *rel_b = b + strlen(mounts.v1_memory);
	struct cgroup_reader *r;
	struct cgroup_facts f;
	struct child c;
	siginfo_t info;
	char path[64], pid[32];
	int procfd, status;

	if (child_start(&c, a, WAIT_EXIT, 0, 0, NULL) != 0) {
		ok(0, "a target starts");
		return;
	}
	snprintf(path, sizeof path, "/proc/%d", (int)c.pid);
	procfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	r = cgroup_reader_open(procfd);
	cgroup_read(r, &f);
	ok(strcmp(f.path, rel_a) == 0, "the target's cgroup: %s", f.path);
	snprintf(pid, sizeof pid, "%d", (int)c.pid);
	if (write_file(b, "cgroup.procs", pid) != 0)
		diag("cannot move %s to %s", pid, b);
	cgroup_read(r, &f);
	ok(strcmp(f.path, rel_b) == 0, "moved while it runs: followed to %s",
	    f.path);
	/* Exited, not reaped: a zombie. */
	if (write(c.go, "x", 1) != 1 ||
	    waitid(P_PID, (id_t)c.pid, &info, WEXITED | WNOWAIT) != 0)
		diag("the target did not exit");
	cgroup_read(r, &f);
	ok(strcmp(f.path, rel_b) == 0,
	    "exited (its /proc/PID/cgroup says /): still %s", f.path);
	cgroup_reader_close(r);
	close(procfd);
	close(c.go);
	waitpid(c.pid, &status, 0);
}

struct reap_ctx {
	struct child *c;
	int status;
};

static bool
exit_and_reap(struct run *r, void *ctx)
{
	struct reap_ctx *x = ctx;

	if (r->samples == 1) {
		if (write(x->c->go, "x", 1) != 1)
			return true;
		waitpid(x->c->pid, &x->status, 0);
	}
	return false;
}

/* Reaped before memtop looked again: only the pidfd can tell. */
static void
test_pidfd(void)
{
	struct reap_ctx x;
	struct child c;
	struct run r;
	char line[512];

	if (child_start(&c, NULL, WAIT_EXIT, 0, 0, NULL) != 0) {
		ok(0, "a target starts");
		return;
	}
	x.c = &c;
	watch(c.pid, 0.3, 30, &r, exit_and_reap, &x);
	if (!(r.verdict.evidence & END_EV_PIDFD) &&
	    r.verdict.reason == END_UNKNOWN)
		ok(1, "# SKIP no PIDFD_INFO_EXIT in this kernel (6.15+)");
	else
		ok(r.state == TARGET_EXITED &&
		        (r.verdict.evidence & END_EV_PIDFD) &&
		        r.verdict.reason == END_EXITED && r.verdict.status == 3,
		    "gone and reaped: the pidfd says %s",
		    verdict_format(&r.verdict, line, sizeof line));
	close(c.go);
}

/* A file twice the limit, read through: page cache alone. */
static void
test_file_cache(const char *dir)
{
	char path[4096], line[512];
	const char *bd = getenv("top_builddir");
	uint64_t before = read_counter(dir, "memory.oom_control", "oom_kill");
	char *buf = calloc(1, MiB);
	struct statfs sf;
	struct child c;
	struct run r;
	int fd, i, status;

	snprintf(path, sizeof path, "%s/memtop-test-cache.%d",
	    bd != NULL ? bd : ".", (int)getpid());
	if (statfs(bd != NULL ? bd : ".", &sf) == 0 &&
	    sf.f_type == TMPFS_MAGIC) {
		ok(1,
		    "# SKIP the build directory is on tmpfs: its page cache "
		    "is shmem, which only swap reclaims");
		free(buf);
		return;
	}
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	for (i = 0; fd >= 0 && i < 2 * LIMIT / MiB; i++) {
		memset(buf, i, MiB);
		if (write(fd, buf, MiB) != MiB)
			break;
	}
	free(buf);
	/* Out of the page cache, so the reader's cgroup is charged. */
	if (fd < 0 || fsync(fd) != 0 ||
	    posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED) != 0) {
		ok(0, "a 128M file in %s", path);
		if (fd >= 0)
			close(fd);
		unlink(path);
		return;
	}
	close(fd);
	if (child_start(&c, dir, READ_FILE, 0, 0, path) != 0) {
		ok(0, "the reader starts");
		unlink(path);
		return;
	}
	watch(c.pid, 0.5, 60, &r, NULL, NULL);
	waitpid(c.pid, &status, 0);
	unlink(path);
	ok(r.max_cg_current >= LIMIT / 4 * 3,
	    "the reader filled its cgroup with page cache (%llu M of 64M)",
	    (unsigned long long)(r.max_cg_current / MiB));
	ok(r.samples >= 10 && r.etas == 0,
	    "page cache only: never an OOM projection in %d samples",
	    r.samples);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
	        read_counter(dir, "memory.oom_control", "oom_kill") == before &&
	        r.verdict.reason == END_EXITED && r.verdict.status == 0,
	    "and no kill: %s", verdict_format(&r.verdict, line, sizeof line));
}

/* A v2 memory cgroup, where the machine has the controller on v2. */
static void
test_oom_v2(void)
{
	char dir[512], ctl[256] = "";
	uint64_t total;
	long n;

	if (mounts.v2[0] == '\0') {
		ok(1, "# SKIP no cgroup2 hierarchy is mounted");
		return;
	}
	snprintf(dir, sizeof dir, "%s/cgroup.controllers", mounts.v2);
	n = read_file_at(AT_FDCWD, dir, ctl, sizeof ctl);
	if (n < 0 || strstr(ctl, "memory") == NULL) {
		ok(1,
		    "# SKIP the cgroup2 hierarchy at %s has no memory "
		    "controller (here it is bound to v1 at %s)",
		    mounts.v2, mounts.v1_memory);
		return;
	}
	snprintf(
	    dir, sizeof dir, "%s/memtop-test-%d-v2", mounts.v2, (int)getpid());
	write_file(mounts.v2, "cgroup.subtree_control", "+memory");
	if (mkdir(dir, 0755) != 0 ||
	    write_file(dir, "memory.max", "67108864") != 0) {
		ok(1, "# SKIP cannot make a v2 memory cgroup here: %s",
		    strerror(errno));
		rmdir(dir);
		return;
	}
	write_file(dir, "memory.swap.max", "0");
	snprintf(made[3], sizeof made[3], "%s", dir);
	{
		struct run r;
		char line[512];
		int status;

		if (leak_and_watch(dir, &r, &status) != 0)
			return;
		total = read_counter(dir, "memory.events", "oom_kill");
		ok(r.first.version == CGROUP_V2 && total >= 1 && r.etas > 0 &&
		        r.verdict.reason == END_OOM_KILLED &&
		        r.verdict.scope == END_SCOPE_CGROUP,
		    "v2: projected, then %s",
		    verdict_format(&r.verdict, line, sizeof line));
	}
	cg_remove(made[3]);
}

/* Whether capability bit cap is in this process's effective set. */
static bool
has_cap(int cap)
{
	char buf[4096], *p;
	long n = read_file_at(AT_FDCWD, "/proc/self/status", buf, sizeof buf);

	if (n <= 0 || (p = strstr(buf, "\nCapEff:")) == NULL)
		return false;
	return (strtoull(p + 9, NULL, 16) >> cap) & 1;
}

/* memtop's own oom_score_adj, in children so the test keeps its own. */
static void
test_self(void)
{
	struct oom_self s;
	int fds[2], status;
	char line[128];
	pid_t p;

	if (pipe(fds) != 0)
		return;
	p = fork();
	if (p == 0) {
		oom_self_protect(0, &s);
		_exit(write(fds[1], &s, sizeof s) == sizeof s ? 0 : 1);
	}
	waitpid(p, &status, 0);
	if (read(fds[0], &s, sizeof s) != sizeof s)
		s.err = -EIO;
	if (has_cap(24)) /* CAP_SYS_RESOURCE */
		ok(s.err == 0 && s.after <= OOM_SELF_ADJ, "as root: %s",
		    oom_self_format(&s, line, sizeof line));
	else
		ok(s.err == -EACCES && s.after == s.before &&
		        strstr(oom_self_format(&s, line, sizeof line),
		            "CAP_SYS_RESOURCE") != NULL,
		    "as a root without CAP_SYS_RESOURCE (a container): "
		    "not permitted, and said: %s",
		    line);
	p = fork();
	if (p == 0) {
		if (setgid(65534) != 0 || setuid(65534) != 0)
			_exit(2);
		oom_self_protect(0, &s);
		_exit(write(fds[1], &s, sizeof s) == sizeof s ? 0 : 1);
	}
	waitpid(p, &status, 0);
	if (read(fds[0], &s, sizeof s) != sizeof s)
		s.err = -EIO;
	ok((s.err == -EACCES && s.after == s.before) ||
	        s.before <= OOM_SELF_ADJ,
	    "as uid 65534: %s", oom_self_format(&s, line, sizeof line));
	close(fds[0]);
	close(fds[1]);
}

int
main(void)
{
	char dir[512], dir2[512], buf[CG_PATH_MAX * 8];
	uint64_t kills = 0;
	long n;
	int fd;

	if (geteuid() != 0) {
		ok(1, "# SKIP making memory cgroups needs root");
		return tap_done();
	}
	n = read_file_at(AT_FDCWD, "/proc/self/mountinfo", buf, sizeof buf);
	if (n > 0)
		parse_cgroup_mounts(buf, (size_t)n, &mounts);
	fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	kmsg_readable = fd >= 0;
	if (fd >= 0)
		close(fd);
	atexit(cleanup);
	signal(SIGPIPE, SIG_IGN);

	test_self();
	if (cg_make_v1(0, "oom", dir, sizeof dir) != 0) {
		ok(1, "# SKIP cannot make a v1 memory cgroup under %s: %s",
		    mounts.v1_memory[0] ? mounts.v1_memory : "(none mounted)",
		    strerror(errno));
	} else {
		test_oom_v1(dir, &kills);
		test_sigkill(dir, kills);
		test_exit(dir);
		cg_remove(made[0]);
		if (cg_make_v1(1, "nobody", dir2, sizeof dir2) == 0)
			test_oom_unprivileged(dir2);
		cg_remove(made[1]);
		if (cg_make_v1(2, "cache", dir2, sizeof dir2) == 0)
			test_file_cache(dir2);
		cg_remove(made[2]);
		if (cg_make_v1(1, "pin-a", dir, sizeof dir) == 0 &&
		    cg_make_v1(2, "pin-b", dir2, sizeof dir2) == 0)
			test_pin(dir, dir2);
		cg_remove(made[1]);
		cg_remove(made[2]);
	}
	test_pidfd();
	test_oom_v2();
	return tap_done();
}
