/*
 * test-proclist.c - the process list, -p/-P and --follow, on real processes:
 * the demo, python3, a process of another user, kernel threads; their
 * figures against /proc, sorting, filtering, a reused PID, hidepid, and a
 * shell loop that restarts what --follow watches.  Every process started
 * here is stopped by its PID.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "model.h"
#include "pick.h"
#include "proc-parse.h"
#include "proclist.h"
#include "rx.h"
#include "tap.h"
#include "util.h"

#define NOBODY 65534

/* Every process started here, stopped at the end by its PID. */
static pid_t started[64];
static size_t nstarted;

static void
forget(pid_t pid)
{
	size_t i;

	for (i = 0; i < nstarted; i++) {
		if (started[i] == pid)
			started[i] = started[--nstarted];
	}
}

/* Stop one of ours: SIGKILL by PID, then reap it when it is our child. */
static void
stop(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGCONT);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	forget(pid);
}

static void
stop_all(void)
{
	while (nstarted > 0)
		stop(started[nstarted - 1]);
}

static void
sleep_s(double s)
{
	struct timespec ts;

	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	nanosleep(&ts, NULL);
}

/* exec argv (NULL-terminated, at most 15), in the child. */
static void
exec_argv(const char *const argv[])
{
	char *av[16];
	size_t i;

	for (i = 0; i < 15 && argv[i] != NULL; i++)
		av[i] = xstrdup(argv[i]);
	av[i] = NULL;
	execvp(av[0], av);
	_exit(127);
}

/* fork + exec argv; with out, its stdout comes through a pipe. */
static pid_t
spawn(const char *const argv[], int *out)
{
	int fds[2] = { -1, -1 };
	pid_t pid;

	if (out != NULL && pipe(fds) != 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		if (out != NULL) {
			dup2(fds[1], 1);
			close(fds[0]);
			close(fds[1]);
		}
		exec_argv(argv);
	}
	if (out != NULL) {
		close(fds[1]);
		*out = fds[0];
	}
	if (pid > 0)
		started[nstarted++] = pid;
	return pid;
}

/* Read fd until a line starting with prefix (or EOF / timeout). */
static bool
wait_line(int fd, const char *prefix, double timeout)
{
	char buf[4096];
	size_t len = 0;
	double end = clock_mono() + timeout;

	fcntl(fd, F_SETFL, O_NONBLOCK);
	while (clock_mono() < end) {
		ssize_t n = read(fd, buf + len, sizeof buf - 1 - len);
		char *line;

		if (n == 0)
			return false;
		if (n < 0) {
			sleep_s(0.02);
			continue;
		}
		len += (size_t)n;
		buf[len] = '\0';
		for (line = buf; line != NULL && *line != '\0';) {
			char *nl = strchr(line, '\n');

			if (nl == NULL)
				break;
			if (strncmp(line, prefix, strlen(prefix)) == 0)
				return true;
			line = nl + 1;
		}
		if (len == sizeof buf - 1)
			len = 0;
	}
	return false;
}

/* Wait until /proc/PID/cmdline holds needle (the exec happened). */
static bool
wait_cmdline(pid_t pid, const char *needle, double timeout)
{
	double end = clock_mono() + timeout;
	char path[64], buf[4096];

	snprintf(path, sizeof path, "/proc/%d/cmdline", (int)pid);
	while (clock_mono() < end) {
		FILE *f = fopen(path, "re");
		size_t n = 0, i;

		if (f != NULL) {
			n = fread(buf, 1, sizeof buf - 1, f);
			fclose(f);
		}
		for (i = 0; i < n; i++) {
			if (buf[i] == '\0')
				buf[i] = ' ';
		}
		buf[n] = '\0';
		if (strstr(buf, needle) != NULL)
			return true;
		sleep_s(0.02);
	}
	return false;
}

/* A "Key:   N kB" line of /proc/PID/FILE, or -1. */
static long long
proc_kb(pid_t pid, const char *file, const char *key)
{
	char path[64], line[512];
	long long v = -1;
	size_t klen = strlen(key);
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, file);
	f = fopen(path, "re");
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL) {
		if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
			v = strtoll(line + klen + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return v;
}

static char
proc_state(pid_t pid)
{
	char path[64], buf[1024];
	struct proc_stat st;
	ssize_t n;
	int fd;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return '?';
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return '?';
	buf[n] = '\0';
	return parse_stat(buf, (size_t)n, &st) == 0 ? st.state : '?';
}

/* SIGSTOP and wait until the kernel says 'T'. */
static bool
freeze(pid_t pid)
{
	int i;

	kill(pid, SIGSTOP);
	for (i = 0; i < 200; i++) {
		if (proc_state(pid) == 'T')
			return true;
		sleep_s(0.01);
	}
	return false;
}

static long long
llabs_diff(long long a, long long b)
{
	return a > b ? a - b : b - a;
}

static const char *
memtop_bin(void)
{
	const char *m = getenv("MEMTOP");

	return m != NULL ? m : "./memtop";
}

static struct rx *
rx(const char *pattern)
{
	char *err = NULL;
	struct rx *r = rx_compile(pattern, &err);

	if (r == NULL) {
		diag("bad pattern %s: %s", pattern, err);
		free(err);
		exit(1);
	}
	return r;
}

/* A namer as src/cgroup.c will give one: "ctr:" and the last part. */
static char *
test_namer(const char *cgroup, void *arg)
{
	const char *slash = strrchr(cgroup, '/');

	(*(int *)arg)++;
	if (slash == NULL || slash[1] == '\0')
		return NULL;
	return xasprintf("ctr:%s", slash + 1);
}

/* A memory cgroup of our own (v1 or v2), for the cgroup filter, or NULL. */
static char *
make_cgroup(void)
{
	char line[512], path[256];
	const char *bases[] = { "/sys/fs/cgroup/memory", "/sys/fs/cgroup",
		"/sys/fs/cgroup/unified" };
	FILE *f = fopen("/proc/self/cgroup", "re");
	size_t i;
	int kind;

	if (f == NULL)
		return NULL;
	{
		size_t n = fread(line, 1, sizeof line - 1, f);

		line[n] = '\0';
	}
	fclose(f);
	kind = parse_cgroup_path(line, strlen(line), path, sizeof path);
	if (kind < 0)
		return NULL;
	for (i = kind == 1 ? 0 : 1; i < 3; i++) {
		char *dir = xasprintf("%s%s%smemtop-test-%d", bases[i], path,
		    path[strlen(path) - 1] == '/' ? "" : "/", (int)getpid());

		if (mkdir(dir, 0755) == 0)
			return dir;
		free(dir);
		if (kind == 1)
			break;
	}
	return NULL;
}

static bool
cgroup_join(const char *dir, pid_t pid)
{
	char *procs = xasprintf("%s/cgroup.procs", dir);
	FILE *f = fopen(procs, "we");
	bool ok = false;

	free(procs);
	if (f != NULL) {
		ok = fprintf(f, "%d\n", (int)pid) > 0;
		ok = fclose(f) == 0 && ok;
	}
	return ok;
}

/* How the child looks. */
enum child_mode {
	CHILD_NOBODY,  /* as nobody */
	CHILD_HIDEPID, /* as nobody, with a hidepid=1 /proc of its own */
	CHILD_FEW_FDS  /* as root, with RLIMIT_NOFILE at 300 */
};

/* The facts the child sends back. */
struct child_view {
	int ran; /* 1 when it got that far */
	int root_found, root_access, root_pss_known, root_pss_errno;
	long long root_rss_kb;
	int root_why;
	int own_found, own_pss_known;
	int hidepid_flag;
	size_t nhidden, nunpinned, nprocs;
};

/*
 * In a child, as mode says: list (two ticks), asking PSS of the root
 * process and of nobody's own.
 */
static bool
child_view(
    pid_t root_pid, pid_t own_pid, enum child_mode mode, struct child_view *cv)
{
	int fds[2];
	pid_t pid;

	memset(cv, 0, sizeof *cv);
	if (pipe(fds) != 0)
		return false;
	pid = fork();
	if (pid == 0) {
		struct child_view v;
		struct proclist *l;
		const struct proc_entry *e;
		int want[2] = { root_pid, own_pid };

		memset(&v, 0, sizeof v);
		/* Not the parent's list's descriptors: the pipe alone. */
		if (dup2(fds[1], 3) != 3)
			_exit(2);
		fds[1] = 3;
		close_range(4, ~0U, 0);
		if (mode == CHILD_HIDEPID &&
		    (unshare(CLONE_NEWNS) != 0 ||
		        mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) !=
		            0 ||
		        mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV,
		            "hidepid=1") != 0))
			_exit(3);
		if (mode == CHILD_FEW_FDS) {
			struct rlimit rl = { 300, 300 };

			if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
				_exit(4);
		} else if (setgroups(0, NULL) != 0 ||
		    setresgid(NOBODY, NOBODY, NOBODY) ||
		    setresuid(NOBODY, NOBODY, NOBODY)) {
			_exit(4);
		}
		l = proclist_new(NULL);
		if (l == NULL)
			_exit(5);
		proclist_want_pss(l, want, 2);
		proclist_update(l);
		proclist_update(l);
		v.ran = 1;
		if ((e = proclist_find(l, root_pid)) != NULL) {
			v.root_found = 1;
			v.root_access = (int)e->access;
			v.root_pss_known = e->pss_known;
			v.root_pss_errno = e->pss_errno;
			v.root_rss_kb =
			    e->mem_known ? (long long)e->rss_kb : -1;
			v.root_why = proclist_why(e) != NULL;
		}
		if ((e = proclist_find(l, own_pid)) != NULL) {
			v.own_found = 1;
			v.own_pss_known = e->pss_known;
		}
		v.hidepid_flag = proclist_last_tick(l)->hidepid;
		v.nhidden = proclist_last_tick(l)->nhidden;
		v.nunpinned = proclist_last_tick(l)->nunpinned;
		v.nprocs = proclist_last_tick(l)->nprocs;
		proclist_free(l);
		if (write(fds[1], &v, sizeof v) != (ssize_t)sizeof v)
			_exit(6);
		_exit(0);
	}
	close(fds[1]);
	if (pid < 0) {
		close(fds[0]);
		return false;
	}
	if (read(fds[0], cv, sizeof *cv) != (ssize_t)sizeof *cv)
		cv->ran = 0;
	close(fds[0]);
	waitpid(pid, NULL, 0);
	return cv->ran == 1;
}

/* Is every row in order for col (unknowns last)? */
static bool
sorted_ok(const struct proclist_view *v, enum proclist_col col, bool desc)
{
	size_t i;

	for (i = 1; i < v->nrows; i++) {
		const struct proc_entry *rows[2] = { v->rows[i - 1],
			v->rows[i] };
		const struct proc_entry *copy[2] = { rows[1], rows[0] };

		/* Sorting the pair the other way round must give it back. */
		proclist_sort(copy, 2, col, desc);
		if (copy[0] != rows[0]) {
			diag("%s %s: row %zu (pid %d) before pid %d",
			    proclist_col_name(col), desc ? "desc" : "asc",
			    i - 1, rows[0]->pid, rows[1]->pid);
			return false;
		}
	}
	return true;
}

static bool
view_has(const struct proclist_view *v, pid_t pid)
{
	size_t i;

	for (i = 0; i < v->nrows; i++) {
		if (v->rows[i]->pid == pid)
			return true;
	}
	return false;
}

static void
test_parse_pids(void)
{
	int *pids = NULL, rc;
	size_t n = 0;
	char *err = NULL;

	ok(pick_parse_pids("12,345, 6789", &pids, &n, &err) == 0 && n == 3 &&
	        pids[0] == 12 && pids[1] == 345 && pids[2] == 6789,
	    "-p 12,345, 6789: three PIDs in order");
	free(pids);
	ok(pick_parse_pids("7,7,8,7", &pids, &n, NULL) == 0 && n == 2 &&
	        pids[0] == 7 && pids[1] == 8,
	    "-p 7,7,8,7: duplicates dropped");
	free(pids);
	ok(pick_parse_pids("42", &pids, &n, NULL) == 0 && n == 1 &&
	        pids[0] == 42,
	    "-p 42: one PID");
	free(pids);
	rc = pick_parse_pids("1,,2", &pids, &n, &err);
	ok(rc == -EINVAL && pids == NULL && err != NULL &&
	        strstr(err, "empty") != NULL,
	    "-p 1,,2: an empty item is refused (%s)", err ? err : "");
	free(err);
	err = NULL;
	rc = pick_parse_pids("12,redis", &pids, &n, &err);
	ok(rc == -EINVAL && err != NULL && strstr(err, "redis") != NULL,
	    "-p 12,redis: a name is refused, named (%s)", err ? err : "");
	free(err);
	err = NULL;
	ok(pick_parse_pids("0", &pids, &n, NULL) == -EINVAL &&
	        pick_parse_pids("-5", &pids, &n, NULL) == -EINVAL &&
	        pick_parse_pids("+5", &pids, &n, NULL) == -EINVAL &&
	        pick_parse_pids("99999999999", &pids, &n, NULL) == -EINVAL &&
	        pick_parse_pids("", &pids, &n, NULL) == -EINVAL &&
	        pick_parse_pids("5,", &pids, &n, NULL) == -EINVAL,
	    "-p: 0, negatives, signs, too big, empty and a trailing comma "
	    "are refused");
}

static void
test_successor(void)
{
	struct pick_proc watched = { 100, 1, 5000 };
	struct pick_proc c[] = {
		{ 200, 1, 4000 }, /* another instance, running before */
		{ 300, 1, 6100 }, /* a restart */
		{ 250, 1, 6000 }, /* an earlier restart: the oldest */
		{ 100, 1, 5000 }, /* the watched one itself */
	};

	ok(pick_successor(c, 4, &watched, 5900) == 2,
	    "successor: the oldest that started after the end");
	ok(pick_successor(c, 2, &watched, 6500) == -1,
	    "successor: none when all started before the end");
	ok(pick_successor(c + 3, 1, &watched, 0) == -1,
	    "successor: never the watched process itself");
	ok(pick_successor(c, 1, &watched, 4000) == 0,
	    "successor: one that started at the last-alive tick counts");
}

/* Several that match, started in order, come back oldest first. */
static void
test_pick_by_name(void)
{
	char tag[64], pat[80], pat_self[32];
	struct pick_proc *res = NULL;
	struct rx *r;
	pid_t p[3];
	int n, i;
	bool self = false;

	snprintf(tag, sizeof tag, "86400.%d7", (int)getpid());
	snprintf(pat, sizeof pat, "^sleep %s$", tag);
	r = rx(pat);
	n = pick_by_name(r, 0, &res);
	ok(n == 0 && res == NULL, "-P with no match: none (%d)", n);
	free(res);

	for (i = 0; i < 3; i++) {
		const char *argv[] = { "sleep", tag, NULL };

		p[i] = spawn(argv, NULL);
		wait_cmdline(p[i], tag, 5);
		sleep_s(0.03); /* distinct start ticks */
		if (i == 0) {
			n = pick_by_name(r, 0, &res);
			ok(n == 1 && res[0].pid == p[0],
			    "-P with one match: that process (%d)", n);
			free(res);
			res = NULL;
		}
	}
	n = pick_by_name(r, 0, &res);
	ok(n == 3 && res[0].pid == p[0] && res[1].pid == p[1] &&
	        res[2].pid == p[2] && res[0].start_time <= res[1].start_time,
	    "-P with three matches: all, oldest first");
	free(res);
	res = NULL;
	{
		struct pick_proc me;

		n = pick_proc_of(p[1], &me);
		n = n == 0 ? pick_by_name(r, me.start_time, &res) : -1;
		ok(n >= 1 && n <= 2 && res[0].pid != p[0],
		    "-P since a start time leaves the older out (%d)", n);
		free(res);
		res = NULL;
	}
	for (i = 0; i < 3; i++)
		stop(p[i]);
	rx_free(r);

	/* Memtop itself, and its ancestors whose command line names the
	 * pattern too (make, the test driver), are never picked. */
	snprintf(pat_self, sizeof pat_self, "test-proclist");
	r = rx(pat_self);
	n = pick_by_name(r, 0, &res);
	for (i = 0; i < n; i++) {
		pid_t a = getpid();
		int hops;

		for (hops = 0; a > 1 && hops < 64; hops++) {
			struct pick_proc pp;

			if (res[i].pid == a)
				self = true;
			if (pick_proc_of(a, &pp) != 0)
				break;
			a = pp.ppid;
		}
	}
	ok(n >= 0 && !self,
	    "-P never picks memtop itself or its ancestors (%d others)", n);
	free(res);
	rx_free(r);
}

/* A shell loop restarts what --follow watches; another instance that was
 * running before the end is not taken for the restart. */
static void
test_follow(void)
{
	char tag[64], pat[80], env[80];
	struct pick_follow_event ev;
	struct pick_proc *res = NULL, watched;
	struct pick_follow *f;
	enum pick_follow_state st;
	struct rx *r;
	pid_t loop, other, first = -1;
	char *err = NULL;
	int n, i;

	snprintf(tag, sizeof tag, "86400.%d9", (int)getpid());
	snprintf(pat, sizeof pat, "^sleep %s$", tag);
	snprintf(env, sizeof env, "T=%s", tag);
	r = rx(pat);
	putenv(env);
	{
		const char *argv[] = { "sh", "-c",
			"exec 2>/dev/null; while :; do sleep \"$T\"; done",
			NULL };

		loop = spawn(argv, NULL);
	}
	for (i = 0; i < 250 && first < 0; i++) {
		n = pick_by_name(r, 0, &res);
		if (n == 1 && res[0].ppid == loop)
			first = res[0].pid;
		free(res);
		res = NULL;
		if (first < 0)
			sleep_s(0.02);
	}
	ok(first > 0, "follow: the loop's sleep is found by -P (pid %d)",
	    (int)first);
	if (first < 0) {
		stop(loop);
		rx_free(r);
		return;
	}
	{
		const char *argv[] = { "sleep", tag, NULL };

		other = spawn(argv, NULL);
		wait_cmdline(other, tag, 5);
	}
	pick_proc_of(first, &watched);
	f = pick_follow_new(r, &watched, &err);
	ok(f != NULL, "follow: watching pid %d %s", (int)first, err ? err : "");
	if (f == NULL) {
		free(err);
		stop(loop);
		stop(other);
		rx_free(r);
		return;
	}
	ok(pick_follow_poll(f, &ev) == PICK_FOLLOW_WATCHING,
	    "follow: watching while it runs");
	sleep_s(0.05);
	kill(first, SIGKILL);
	st = pick_follow_wait(f, 10, &ev);
	ok(st == PICK_FOLLOW_SWITCHED && ev.old.pid == first &&
	        ev.next.pid != first && ev.next.pid != other &&
	        ev.next.ppid == loop &&
	        pick_follow_watched(f)->pid == ev.next.pid,
	    "follow: after the kill, the loop's new sleep (pid %d, ppid %d; "
	    "old %d, not the other instance %d)",
	    (int)ev.next.pid, (int)ev.next.ppid, (int)first, (int)other);
	ok(ev.ended_wall >= ev.alive_wall && ev.next.start_time > 0,
	    "follow: the end and the switch are timed");
	pick_follow_free(f);
	/* The loop first, so it restarts nothing; then its last child. */
	stop(loop);
	if (st == PICK_FOLLOW_SWITCHED)
		kill(ev.next.pid, SIGKILL);
	n = pick_by_name(r, 0, &res);
	for (i = 0; i < n; i++) {
		if (res[i].ppid == 1 || res[i].ppid == loop)
			kill(res[i].pid, SIGKILL); /* the loop's, orphaned */
	}
	free(res);
	stop(other);
	unsetenv("T");
	rx_free(r);
}

/* A process that execs keeps its entry (same start time, history) with its
 * new comm and command line. */
static void
test_exec(struct proclist *l)
{
	char tag[64], script[160];
	const char *argv[] = { "sh", "-c", script, NULL };
	const struct proc_entry *e;
	uint64_t start, first;
	pid_t pid;
	int i;

	snprintf(tag, sizeof tag, "86400.%d3", (int)getpid());
	snprintf(script, sizeof script,
	    "trap 'exec sleep %s' USR1; while :; do sleep 0.02; done", tag);
	pid = spawn(argv, NULL);
	wait_cmdline(pid, "trap", 5);
	proclist_update(l);
	e = proclist_find(l, pid);
	if (!ok(e != NULL && strcmp(e->comm, "sh") == 0,
	        "exec: the shell is listed as sh")) {
		stop(pid);
		return;
	}
	start = e->start_time;
	first = e->first_seq;
	kill(pid, SIGUSR1);
	wait_cmdline(pid, "sleep 86400", 5);
	for (i = 0; i < 250; i++) {
		char path[64], comm[64] = "";
		FILE *f;

		snprintf(path, sizeof path, "/proc/%d/comm", (int)pid);
		if ((f = fopen(path, "re")) != NULL) {
			if (fgets(comm, sizeof comm, f) == NULL)
				comm[0] = '\0';
			fclose(f);
		}
		if (strcmp(comm, "sleep\n") == 0)
			break;
		sleep_s(0.02);
	}
	proclist_update(l);
	e = proclist_find(l, pid);
	ok(e != NULL && strcmp(e->comm, "sleep") == 0 &&
	        strncmp(e->cmdline, "sleep 86400", 11) == 0 &&
	        e->start_time == start && e->first_seq == first,
	    "exec: the same entry, now comm %s, command line \"%s\"",
	    e ? e->comm : "-", e ? e->cmdline : "-");
	stop(pid);
}

/* With no time to spare, one smaps_rollup a tick, the least recently read
 * first: the top ones all get their turn. */
static void
test_budget(void)
{
	struct proclist *l = proclist_new(NULL);
	struct proclist_view v = { NULL, 0, 0 };
	size_t k, known = 0, most = 0;
	double since = clock_mono();
	int i;

	proclist_set_top(l, 4);
	proclist_set_pss_budget(l, 0);
	for (i = 0; i < 4; i++) {
		proclist_update(l);
		if (proclist_last_tick(l)->nrollup > most)
			most = proclist_last_tick(l)->nrollup;
	}
	/* Other tests' processes may enter the top 4 while this runs: count
	 * the processes read, not who is on top at the end. */
	proclist_view_build(&v, l, PCOL_RSS, true, NULL);
	for (k = 0; k < v.nrows; k++)
		known += v.rows[k]->pss_known && v.rows[k]->pss_mono >= since;
	ok(most == 1 && known >= 3,
	    "budget 0: one smaps_rollup a tick (at most %zu), and %zu "
	    "processes of the top ones read in 4 ticks, each its turn",
	    most, known);
	proclist_view_free(&v);
	proclist_free(l);
}

/* Start a process at a given PID (clone3 with set_tid), exec'ing argv. */
static pid_t
spawn_at(pid_t want, const char *const argv[])
{
	struct clone_args ca;
	pid_t tid = want;
	long pid;

	memset(&ca, 0, sizeof ca);
	ca.exit_signal = SIGCHLD;
	ca.set_tid = (uint64_t)(uintptr_t)&tid;
	ca.set_tid_size = 1;
	pid = syscall(SYS_clone3, &ca, sizeof ca);
	if (pid == 0)
		exec_argv(argv);
	if (pid > 0)
		started[nstarted++] = (pid_t)pid;
	return (pid_t)pid;
}

static void
test_reused_pid(void)
{
	char tag_a[64], tag_b[64];
	const char *argv_a[] = { "sleep", tag_a, NULL };
	const char *argv_b[] = { "sleep", tag_b, NULL };
	struct proclist *l = proclist_new(NULL);
	const struct proc_entry *e;
	uint64_t start_a = 0, hist[PROCLIST_HISTORY];
	pid_t a, b = -1;
	size_t n, i, present = 0;
	int tries;

	snprintf(tag_a, sizeof tag_a, "86400.%d1", (int)getpid());
	snprintf(tag_b, sizeof tag_b, "86400.%d2", (int)getpid());
	for (tries = 0; tries < 20 && b < 0; tries++) {
		a = spawn(argv_a, NULL);
		wait_cmdline(a, tag_a, 5);
		proclist_update(l);
		proclist_update(l);
		e = proclist_find(l, a);
		start_a = e != NULL ? e->start_time : 0;
		stop(a);
		sleep_s(0.02); /* a later start tick for b */
		b = spawn_at(a, argv_b);
		if (b < 0 && errno != EEXIST)
			break;
	}
	if (b < 0) {
		ok(1, "# SKIP a reused PID: clone3 with set_tid refused (%s)",
		    strerror(errno));
		proclist_free(l);
		return;
	}
	wait_cmdline(b, tag_b, 5);
	proclist_update(l);
	e = proclist_find(l, b);
	ok(e != NULL && e->start_time != start_a && start_a != 0 &&
	        strstr(e->cmdline, tag_b) != NULL,
	    "a reused PID %d is a new process (start %llu, was %llu), with "
	    "its own command line",
	    (int)b, e ? (unsigned long long)e->start_time : 0ULL,
	    (unsigned long long)start_a);
	n = e != NULL ? proclist_history(l, e, hist, PROCLIST_HISTORY) : 0;
	for (i = 0; i < n; i++)
		present += hist[i] != HISTORY_NONE;
	ok(n == 3 && present == 1 &&
	        e->first_seq == proclist_last_tick(l)->seq && e->rate_kb_s == 0,
	    "a reused PID starts a history of its own (%zu of %zu ticks)",
	    present, n);
	ok(proclist_last_tick(l)->ngone >= 1 &&
	        proclist_last_tick(l)->nnew >= 1,
	    "the tick counts the old one gone and the new one new");
	stop(b);
	proclist_free(l);
}

int
main(void)
{
	const char *demo_argv[] = { memtop_bin(), "--demo", NULL };
	const char *py_argv[] = { "python3", "-c",
		"import sys, time\n"
		"b = bytearray(48 << 20)\n"
		"for i in range(0, len(b), 4096): b[i] = 1\n"
		"print('ready', flush=True)\n"
		"time.sleep(600)\n",
		"memtop-test-python", NULL };
	const char *nobody_argv[] = { "setpriv", "--reuid", "65534", "--regid",
		"65534", "--clear-groups", "sleep", "86400.5", NULL };
	struct proclist *l;
	struct proclist_view v = { NULL, 0, 0 };
	const struct proc_entry *e, *d, *py, *nb;
	const struct proclist_tick *tk;
	struct child_view cv;
	char *cg = NULL, *err = NULL;
	pid_t demo, py_pid, nb_pid;
	int demo_out = -1, py_out = -1, named = 0, want[3];
	int c, i;
	bool all_sorted = true;

	atexit(stop_all);
	test_parse_pids();
	test_successor();

	demo = spawn(demo_argv, &demo_out);
	py_pid = spawn(py_argv, &py_out);
	nb_pid = spawn(nobody_argv, NULL);
	ok(demo > 0 && wait_line(demo_out, "  leak ", 20),
	    "the demo runs (pid %d)", (int)demo);
	ok(py_pid > 0 && wait_line(py_out, "ready", 30),
	    "python3 runs with 48 MB touched (pid %d)", (int)py_pid);
	ok(nb_pid > 0 && wait_cmdline(nb_pid, "86400.5", 10),
	    "a process of nobody runs (pid %d)", (int)nb_pid);
	cg = make_cgroup();
	if (cg != NULL && !cgroup_join(cg, py_pid)) {
		rmdir(cg);
		free(cg);
		cg = NULL;
	}

	l = proclist_new(&err);
	ok(l != NULL, "a list %s", err ? err : "");
	if (l == NULL)
		return tap_done();
	proclist_set_namer(l, test_namer, &named);
	want[0] = demo;
	want[1] = py_pid;
	want[2] = nb_pid;
	proclist_want_pss(l, want, 3);
	proclist_set_pss_budget(l, 1000); /* figures here, not the budget */
	ok(proclist_update(l) == 0, "a first tick");
	tk = proclist_last_tick(l);
	ok(tk->nprocs > 3 && tk->nnew == tk->nprocs && tk->nkthreads > 0,
	    "it lists %zu processes, all new, and leaves %zu kernel threads "
	    "out",
	    tk->nprocs, tk->nkthreads);
	ok(proclist_find(l, 2) == NULL, "kthreadd (pid 2) is not listed");
	{
		size_t k, kids = 0;

		for (k = 0; k < proclist_count(l); k++)
			kids += proclist_at(l, k)->ppid == 2;
		ok(kids == 0, "no child of kthreadd is listed (%zu)", kids);
	}
	e = proclist_find(l, getpid());
	ok(e != NULL && e->mem_known && e->rss_kb > 0,
	    "the test itself is listed, with its RSS");

	d = proclist_find(l, demo);
	py = proclist_find(l, py_pid);
	nb = proclist_find(l, nb_pid);
	ok(d != NULL && strstr(d->cmdline, "--demo") != NULL &&
	        strcmp(d->user, "root") == 0,
	    "the demo: its command line and user");
	ok(py != NULL && strstr(py->cmdline, "memtop-test-python") != NULL &&
	        py->rss_kb >= 48 * 1024 && py->anon_kb >= 48 * 1024,
	    "python3: its command line, RSS and anon over 48 MB (%llu, %llu)",
	    py ? (unsigned long long)py->rss_kb : 0ULL,
	    py ? (unsigned long long)py->anon_kb : 0ULL);
	ok(nb != NULL && nb->uid == NOBODY && strcmp(nb->user, "nobody") == 0 &&
	        nb->access == PROC_ACCESS_FULL && nb->pss_known,
	    "nobody's process: its user, and root reads its PSS");
	ok(py != NULL && py->oom_known && py->oom_score >= 0 && d != NULL &&
	        d->oom_known,
	    "oom_score is read (python3: %d)", py ? py->oom_score : -1);
	ok(named > 0 && d != NULL &&
	        (d->cgroup[0] == '\0' || d->cgroup[0] == '/'),
	    "the namer is asked (%d times); cgroups are paths", named);

	/*
	 * Figures against /proc, with the processes stopped.  A stopped
	 * process's PSS still moves with its sharers (another process mapping
	 * libc, or libpython, comes or goes): it must lie between the
	 * smaps_rollup read just before the tick and the one just after, give
	 * or take two pages, at one of five tries.  Pss_Anon (shared by
	 * no-one here) and the status figures must match outright.
	 */
	ok(freeze(demo) && freeze(py_pid), "the demo and python3 are stopped");
	for (i = 0; i < 2; i++) {
		pid_t pid = i == 0 ? demo : py_pid;
		long long rss = 0, anon = 0, swap = 0, pss0 = 0, pss1 = 0;
		long long panon = 0;
		bool mem_ok = false, pss_ok = false;
		int try;

		for (try = 0; try < 5 && !(mem_ok && pss_ok); try++) {
			pss0 = proc_kb(pid, "smaps_rollup", "Pss");
			proclist_update(l);
			pss1 = proc_kb(pid, "smaps_rollup", "Pss");
			rss = proc_kb(pid, "status", "VmRSS");
			anon = proc_kb(pid, "status", "RssAnon");
			swap = proc_kb(pid, "status", "VmSwap");
			panon = proc_kb(pid, "smaps_rollup", "Pss_Anon");
			e = proclist_find(l, pid);
			mem_ok = e != NULL && e->mem_known &&
			    llabs_diff((long long)e->rss_kb, rss) <= 8 &&
			    llabs_diff((long long)e->anon_kb, anon) <= 8 &&
			    llabs_diff((long long)e->swap_kb, swap) <= 8;
			pss_ok = e != NULL && e->pss_known &&
			    (long long)e->pss_kb >=
			        (pss0 < pss1 ? pss0 : pss1) - 8 &&
			    (long long)e->pss_kb <=
			        (pss0 > pss1 ? pss0 : pss1) + 8 &&
			    llabs_diff((long long)e->pss_anon_kb, panon) <= 8;
		}
		ok(mem_ok,
		    "%s: RSS %llu vs VmRSS %lld, anon %llu vs RssAnon %lld, "
		    "swap %llu vs VmSwap %lld kB",
		    i == 0 ? "demo" : "python3",
		    e ? (unsigned long long)e->rss_kb : 0ULL, rss,
		    e ? (unsigned long long)e->anon_kb : 0ULL, anon,
		    e ? (unsigned long long)e->swap_kb : 0ULL, swap);
		ok(pss_ok,
		    "%s: PSS %llu vs smaps_rollup Pss %lld..%lld, Pss_Anon "
		    "%llu vs %lld kB (%d tries)",
		    i == 0 ? "demo" : "python3",
		    e ? (unsigned long long)e->pss_kb : 0ULL, pss0, pss1,
		    e ? (unsigned long long)e->pss_anon_kb : 0ULL, panon, try);
	}
	kill(demo, SIGCONT);
	kill(py_pid, SIGCONT);

	/* Growth: the demo leaks 64 kB/s. */
	for (i = 0; i < 8; i++) {
		sleep_s(0.4);
		proclist_update(l);
	}
	d = proclist_find(l, demo);
	ok(d != NULL && d->rate_kb_s > 32 && d->rate_kb_s < 128,
	    "the demo grows at %.1f kB/s (it leaks 64)",
	    d ? d->rate_kb_s : 0.0);
	{
		uint64_t h[PROCLIST_HISTORY];
		size_t n = d ? proclist_history(l, d, h, 6) : 0;

		ok(n == 6 && h[0] != HISTORY_NONE && h[5] > h[0],
		    "its history rises over the last %zu ticks", n);
	}
	tk = proclist_last_tick(l);
	ok(tk->wall_ms > 0 && tk->cpu_ms >= 0 && tk->nstatm >= tk->nprocs &&
	        tk->nrollup >= 1,
	    "a tick's cost: %.2f ms wall, %.2f ms CPU, %zu statm, %zu status, "
	    "%zu smaps_rollup reads",
	    tk->wall_ms, tk->cpu_ms, tk->nstatm, tk->nstatus, tk->nrollup);

	/* Sorting by every column, both ways. */
	for (c = 0; c < PCOL_COUNT; c++) {
		proclist_view_build(&v, l, (enum proclist_col)c, false, NULL);
		all_sorted =
		    sorted_ok(&v, (enum proclist_col)c, false) && all_sorted;
		proclist_view_build(&v, l, (enum proclist_col)c, true, NULL);
		all_sorted =
		    sorted_ok(&v, (enum proclist_col)c, true) && all_sorted;
	}
	ok(all_sorted, "sorting by each of the %d columns, both ways",
	    PCOL_COUNT);
	proclist_view_build(&v, l, PCOL_PSS, true, NULL);
	{
		size_t k, first_unknown = v.nrows, known_after = 0;

		for (k = 0; k < v.nrows; k++) {
			if (!v.rows[k]->pss_known && first_unknown == v.nrows)
				first_unknown = k;
			if (v.rows[k]->pss_known && first_unknown < k)
				known_after++;
		}
		ok(first_unknown > 0 && known_after == 0,
		    "by PSS: the %zu known first, the unknown after",
		    first_unknown);
	}
	proclist_view_build(&v, l, PCOL_RSS, true, NULL);
	ok(v.nrows == proclist_count(l) && v.rows[0]->rss_kb >= py->rss_kb,
	    "by RSS, biggest first: %s at %llu kB", v.rows[0]->comm,
	    (unsigned long long)v.rows[0]->rss_kb);
	ok(proclist_col_lookup("PSS") == PCOL_PSS &&
	        proclist_col_lookup("oom_score") == PCOL_OOM &&
	        proclist_col_lookup("nope") == -1 &&
	        proclist_col_desc_default(PCOL_RSS) &&
	        !proclist_col_desc_default(PCOL_PID),
	    "columns by name and title, and their default direction");

	/* Filtering on the command line, the container and the cgroup. */
	{
		struct rx *r = rx("memtop --demo");

		proclist_view_build(&v, l, PCOL_PID, false, r);
		ok(view_has(&v, demo) && !view_has(&v, py_pid) &&
		        v.nrows < proclist_count(l) / 2,
		    "filter \"memtop --demo\": the demo, not python3 (%zu "
		    "rows)",
		    v.nrows);
		rx_free(r);
	}
	if (cg != NULL) {
		const char *base = strrchr(cg, '/') + 1;
		struct rx *r;
		char pat[96];

		snprintf(pat, sizeof pat, "ctr:%s$", base);
		r = rx(pat);
		proclist_view_build(&v, l, PCOL_PID, false, r);
		ok(v.nrows == 1 && view_has(&v, py_pid),
		    "filter on the container name: python3 alone (%zu rows)",
		    v.nrows);
		rx_free(r);
		snprintf(pat, sizeof pat, "/%s$", base);
		r = rx(pat);
		proclist_view_build(&v, l, PCOL_PID, false, r);
		ok(v.nrows == 1 && view_has(&v, py_pid),
		    "filter on the cgroup path: python3 alone (%zu rows)",
		    v.nrows);
		rx_free(r);
	} else {
		ok(1, "# SKIP filter on a cgroup: cannot make a memory cgroup");
		ok(1, "# SKIP filter on a cgroup path: no cgroup of our own");
	}

	/* What nobody sees: root's processes listed, PSS refused with a
	 * reason; with hidepid=1, listed as hidden. */
	if (child_view(demo, nb_pid, CHILD_NOBODY, &cv)) {
		ok(cv.root_found && cv.root_access == PROC_ACCESS_NO_SMAPS &&
		        !cv.root_pss_known &&
		        (cv.root_pss_errno == EACCES ||
		            cv.root_pss_errno == EPERM) &&
		        cv.root_why && cv.root_rss_kb > 0,
		    "as nobody: root's demo is listed with its RSS (%lld kB), "
		    "its PSS refused with a reason (errno %d)",
		    cv.root_rss_kb, cv.root_pss_errno);
		ok(cv.own_found && cv.own_pss_known,
		    "as nobody: nobody's own process has its PSS");
	} else {
		ok(0, "as nobody: the child ran");
		ok(0, "as nobody: the child ran");
	}
	if (child_view(demo, nb_pid, CHILD_HIDEPID, &cv)) {
		ok(cv.root_found && cv.root_access == PROC_ACCESS_HIDDEN &&
		        cv.root_why && cv.nhidden > 0 && cv.hidepid_flag,
		    "hidepid=1, as nobody: root's demo is listed as hidden "
		    "(%zu hidden), never left out",
		    cv.nhidden);
		ok(cv.own_found && cv.own_pss_known,
		    "hidepid=1, as nobody: nobody's own process is readable");
	} else {
		ok(1, "# SKIP hidepid: cannot mount a /proc of our own");
		ok(1, "# SKIP hidepid: cannot mount a /proc of our own");
	}

	/* Out of descriptors to pin with: read by path, nothing missing. */
	if (child_view(demo, nb_pid, CHILD_FEW_FDS, &cv)) {
		ok(cv.nunpinned > 0 && cv.root_found && cv.root_pss_known &&
		        cv.root_rss_kb > 0 &&
		        cv.nprocs + 20 >= proclist_count(l) &&
		        cv.nprocs <= proclist_count(l) + 20,
		    "with 300 descriptors: %zu processes of %zu, %zu read by "
		    "path, the demo's figures still read",
		    cv.nprocs, proclist_count(l), cv.nunpinned);
	} else {
		ok(0, "with 300 descriptors: the child ran");
	}
	test_exec(l);

	proclist_view_free(&v);
	proclist_free(l);
	stop(demo);
	stop(py_pid);
	stop(nb_pid);
	if (cg != NULL) {
		rmdir(cg);
		free(cg);
	}
	if (demo_out >= 0)
		close(demo_out);
	if (py_out >= 0)
		close(py_out);

	test_budget();
	test_reused_pid();
	test_pick_by_name();
	test_follow();
	return tap_done();
}
