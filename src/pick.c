/*
 * pick.c - -p lists, -P patterns, and following a restarted process.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "pick.h"
#include "proc-parse.h"
#include "proc2.h"
#include "util.h"

#define PF_KTHREAD    0x00200000
#define PID_MAX_LIMIT 4194304 /* the kernel's ceiling of pid_max */
#define SELECT_MAX    255     /* libproc2's FILL_ID_MAX: PIDs per select */
#define SCAN_FIRST_S  0.05    /* successor scans: first interval */
#define SCAN_MAX_S    1.0     /* and the longest */

static long
pick_pid_max(void)
{
	char buf[32];
	long v = 0;
	FILE *f = fopen("/proc/sys/kernel/pid_max", "re");

	if (f != NULL) {
		if (fgets(buf, sizeof buf, f) != NULL)
			v = strtol(buf, NULL, 10);
		fclose(f);
	}
	return v > 0 ? v : PID_MAX_LIMIT;
}

int
pick_parse_pids(const char *arg, int **pids, size_t *n, char **err)
{
	long max = pick_pid_max();
	const char *p = arg;
	size_t cap = 8, i;

	*n = 0;
	*pids = xmalloc(cap * sizeof **pids);
	for (;;) {
		const char *end = strchr(p, ',');
		size_t len = end != NULL ? (size_t)(end - p) : strlen(p);
		char item[32], *stop;
		long v;

		while (len > 0 && (*p == ' ' || *p == '\t')) {
			p++;
			len--;
		}
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len == 0 || len >= sizeof item) {
			if (err != NULL)
				*err = len == 0 ?
				    xasprintf(
				        "-p: an empty item in \"%s\"", arg) :
				    xasprintf(
				        "-p: \"%.*s\" is not a process ID",
				        (int)len, p);
			goto fail;
		}
		memcpy(item, p, len);
		item[len] = '\0';
		errno = 0;
		v = strtol(item, &stop, 10);
		if (*stop != '\0' || errno != 0 || v <= 0 || v > max ||
		    item[0] == '+' || item[0] == '-') {
			if (err != NULL)
				*err =
				    xasprintf("-p: \"%s\" is not a process ID "
				              "(1 to %ld)",
				        item, max);
			goto fail;
		}
		for (i = 0; i < *n && (*pids)[i] != (int)v; i++)
			;
		if (i == *n) {
			if (*n == cap) {
				cap *= 2;
				*pids = xrealloc(*pids, cap * sizeof **pids);
			}
			(*pids)[(*n)++] = (int)v;
		}
		if (end == NULL)
			return 0;
		p = end + 1;
	}
fail:
	free(*pids);
	*pids = NULL;
	*n = 0;
	return -EINVAL;
}

uint64_t
pick_boot_ticks(void)
{
	struct timespec ts;
	long hz = sysconf(_SC_CLK_TCK);

	if (hz <= 0)
		hz = 100;
	if (clock_gettime(CLOCK_BOOTTIME, &ts) != 0)
		return 0;
	return (uint64_t)ts.tv_sec * (uint64_t)hz +
	    (uint64_t)ts.tv_nsec / (1000000000u / (uint64_t)hz);
}

/* stat of the process behind dirfd: 0, or -errno. */
static int
pick_read_stat(int dirfd, struct proc_stat *st)
{
	char buf[1024];
	ssize_t n;
	int fd = openat(dirfd, "stat", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof buf - 1);
	if (n < 0)
		n = -errno;
	close(fd);
	if (n < 0)
		return (int)n;
	buf[n] = '\0';
	return parse_stat(buf, (size_t)n, st) == 0 ? 0 : -ESRCH;
}

static int
pick_open_dir(int pid)
{
	char path[32];

	snprintf(path, sizeof path, "/proc/%d", pid);
	return open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

int
pick_proc_of(int pid, struct pick_proc *p)
{
	struct proc_stat st;
	int fd = pick_open_dir(pid), rc;

	if (fd < 0)
		return -errno;
	rc = pick_read_stat(fd, &st);
	close(fd);
	if (rc != 0)
		return rc;
	p->pid = pid;
	p->ppid = st.ppid;
	p->start_time = st.start_time;
	return 0;
}

static int
pick_proc_cmp(const void *a, const void *b)
{
	const struct pick_proc *x = a, *y = b;

	if (x->start_time != y->start_time)
		return x->start_time < y->start_time ? -1 : 1;
	return (x->pid > y->pid) - (x->pid < y->pid);
}

static int
pick_pid_cmp(const void *a, const void *b)
{
	const struct pick_proc *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

/* Whether pid is memtop or one of its ancestors, in all[0..n) (by pid). */
static bool
pick_is_self(const struct pick_proc *all, size_t n, int pid)
{
	struct pick_proc key = { 0, 0, 0 };
	const struct pick_proc *p;
	int cur = (int)getpid(), hops;

	for (hops = 0; cur > 0 && hops < 4096; hops++) {
		if (cur == pid)
			return true;
		key.pid = cur;
		p = bsearch(&key, all, n, sizeof *all, pick_pid_cmp);
		if (p == NULL || p->ppid == cur)
			break;
		cur = p->ppid;
	}
	return false;
}

/* The command line of a libproc2 stack as pgrep -f sees it: arguments
 * joined by spaces; comm when there are none (libproc2 gives "-"). */
static bool
pick_stack_matches(const struct rx *rx, char **argv, const char *comm)
{
	char *line;
	size_t len = 0, i;
	bool m;

	if (argv == NULL || argv[0] == NULL ||
	    (argv[1] == NULL && strcmp(argv[0], "-") == 0))
		return comm != NULL && rx_match(rx, comm, strlen(comm));
	for (i = 0; argv[i] != NULL; i++)
		len += strlen(argv[i]) + 1;
	line = xmalloc(len + 1);
	len = 0;
	for (i = 0; argv[i] != NULL; i++) {
		size_t k = strlen(argv[i]);

		if (i > 0)
			line[len++] = ' ';
		memcpy(line + len, argv[i], k);
		len += k;
	}
	line[len] = '\0';
	m = rx_match(rx, line, len);
	free(line);
	return m;
}

int
pick_by_name(const struct rx *rx, uint64_t min_start, struct pick_proc **out)
{
	enum pids_item scan_items[] = { PIDS_ID_PID, PIDS_ID_PPID,
		PIDS_TICS_BEGAN, PIDS_FLAGS, PIDS_STATE };
	enum pids_item cmd_items[] = { PIDS_ID_PID, PIDS_TICS_BEGAN,
		PIDS_CMDLINE_V, PIDS_CMD };
	struct pids_info *scan = NULL, *cmd = NULL;
	struct pick_proc *all = NULL, *res = NULL;
	unsigned *want = NULL;
	size_t nall = 0, nwant = 0, nres = 0, i, done;
	const struct proc2 *p2 = proc2_get(NULL, 0);
	struct pids_fetch *f;
	int rc, j;

	*out = NULL;
	if (p2 == NULL)
		return -ELIBACC;
	rc = p2->pids_new(&scan, scan_items, 5);
	if (rc < 0)
		return rc;
	rc = p2->pids_new(&cmd, cmd_items, 4);
	if (rc < 0) {
		p2->pids_unref(&scan);
		return rc;
	}
	/* Phase 1: who runs, from stat alone. */
	f = p2->pids_reap(scan, PIDS_FETCH_TASKS_ONLY);
	if (f == NULL) {
		rc = errno != 0 ? -errno : -EIO;
		goto out;
	}
	all = xcalloc((size_t)f->counts->total + 1, sizeof *all);
	want = xcalloc((size_t)f->counts->total + 1, sizeof *want);
	for (j = 0; j < f->counts->total; j++) {
		struct pids_stack *s = f->stacks[j];
		char state = PIDS_VAL(4, s_ch, s, scan);

		all[nall].pid = PIDS_VAL(0, s_int, s, scan);
		all[nall].ppid = PIDS_VAL(1, s_int, s, scan);
		all[nall].start_time = PIDS_VAL(2, ull_int, s, scan);
		if ((PIDS_VAL(3, ul_int, s, scan) & PF_KTHREAD) != 0 ||
		    state == 'Z' || state == 'X')
			all[nall].ppid = -1; /* marks: never a candidate */
		nall++;
	}
	qsort(all, nall, sizeof *all, pick_pid_cmp);
	for (i = 0; i < nall; i++) {
		if (all[i].ppid >= 0 && all[i].start_time >= min_start &&
		    !pick_is_self(all, nall, all[i].pid))
			want[nwant++] = (unsigned)all[i].pid;
	}
	/* Phase 2: the command lines of those left, matched. */
	res = xcalloc(nwant + 1, sizeof *res);
	for (done = 0; done < nwant; done += SELECT_MAX) {
		size_t k =
		    nwant - done < SELECT_MAX ? nwant - done : SELECT_MAX;

		f = p2->pids_select(cmd, want + done, (int)k, PIDS_SELECT_PID);
		if (f == NULL)
			continue;
		for (j = 0; j < f->counts->total; j++) {
			struct pids_stack *s = f->stacks[j];
			struct pick_proc key = { 0, 0, 0 };
			const struct pick_proc *p;

			key.pid = PIDS_VAL(0, s_int, s, cmd);
			p = bsearch(&key, all, nall, sizeof *all, pick_pid_cmp);
			/* The same process as in phase 1, not a reused PID. */
			if (p == NULL ||
			    p->start_time != PIDS_VAL(1, ull_int, s, cmd))
				continue;
			if (pick_stack_matches(rx, PIDS_VAL(2, strv, s, cmd),
			        PIDS_VAL(3, str, s, cmd)))
				res[nres++] = *p;
		}
	}
	qsort(res, nres, sizeof *res, pick_proc_cmp);
	rc = (int)nres;
	if (nres > 0) {
		*out = res;
		res = NULL;
	}
out:
	free(res);
	free(all);
	free(want);
	p2->pids_unref(&cmd);
	p2->pids_unref(&scan);
	return rc;
}

int
pick_successor(const struct pick_proc *cand, size_t n,
    const struct pick_proc *watched, uint64_t alive_ticks)
{
	int best = -1;
	size_t i;

	for (i = 0; i < n; i++) {
		if (cand[i].pid == watched->pid &&
		    cand[i].start_time == watched->start_time)
			continue;
		if (cand[i].start_time < alive_ticks)
			continue;
		if (best < 0 || pick_proc_cmp(&cand[i], &cand[best]) < 0)
			best = (int)i;
	}
	return best;
}

struct pick_follow {
	const struct rx *rx;
	struct pick_proc watched;
	int pidfd; /* readable once the watched process ended, or -1 */
	int dirfd; /* /proc/PID of it, pinned */
	uint64_t alive_ticks;
	double alive_wall;
	bool ended;
	double ended_wall;
	double next_scan; /* CLOCK_MONOTONIC s */
	double interval;
};

static int
pick_pidfd_open(int pid)
{
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, pid, 0);
#else
	(void)pid;
	errno = ENOSYS;
	return -1;
#endif
}

/* Watch p: pin its directory, open a pidfd, then check the start time (a
 * PID is not reused while its process exists, so a match after both opens
 * means both name p).  0, or -errno. */
static int
pick_follow_attach(struct pick_follow *f, const struct pick_proc *p)
{
	struct proc_stat st;
	int dirfd, pidfd, rc;

	dirfd = pick_open_dir(p->pid);
	if (dirfd < 0)
		return -errno;
	pidfd = pick_pidfd_open(p->pid);
	rc = pick_read_stat(dirfd, &st);
	if (rc == 0 &&
	    (st.start_time != p->start_time || st.state == 'Z' ||
	        st.state == 'X'))
		rc = -ESRCH;
	if (rc != 0) {
		if (pidfd >= 0)
			close(pidfd);
		close(dirfd);
		return rc;
	}
	if (f->pidfd >= 0)
		close(f->pidfd);
	if (f->dirfd >= 0)
		close(f->dirfd);
	f->pidfd = pidfd;
	f->dirfd = dirfd;
	f->watched = *p;
	f->watched.ppid = st.ppid;
	f->ended = false;
	f->alive_ticks = pick_boot_ticks();
	f->alive_wall = clock_wall();
	return 0;
}

struct pick_follow *
pick_follow_new(const struct rx *rx, const struct pick_proc *p, char **err)
{
	struct pick_follow *f = xcalloc(1, sizeof *f);
	int rc;

	f->rx = rx;
	f->pidfd = f->dirfd = -1;
	rc = pick_follow_attach(f, p);
	if (rc != 0) {
		if (err != NULL)
			*err = xasprintf("process %d is not running (%s)",
			    p->pid, strerror(-rc));
		free(f);
		return NULL;
	}
	return f;
}

void
pick_follow_free(struct pick_follow *f)
{
	if (f == NULL)
		return;
	if (f->pidfd >= 0)
		close(f->pidfd);
	if (f->dirfd >= 0)
		close(f->dirfd);
	free(f);
}

int
pick_follow_fd(const struct pick_follow *f)
{
	return f->pidfd;
}

const struct pick_proc *
pick_follow_watched(const struct pick_follow *f)
{
	return &f->watched;
}

/* Whether the watched process still runs (a zombie has ended). */
static bool
pick_follow_alive(struct pick_follow *f)
{
	struct proc_stat st;

	if (f->pidfd >= 0) {
		struct pollfd pfd = { f->pidfd, POLLIN, 0 };

		if (poll(&pfd, 1, 0) == 1)
			return false;
		if (pfd.revents == 0)
			return true;
	}
	return pick_read_stat(f->dirfd, &st) == 0 && st.state != 'Z' &&
	    st.state != 'X';
}

enum pick_follow_state
pick_follow_poll(struct pick_follow *f, struct pick_follow_event *ev)
{
	struct pick_proc *cand = NULL;
	uint64_t ticks = pick_boot_ticks();
	double wall = clock_wall(), mono = clock_mono();
	int n, best;

	if (!f->ended) {
		if (pick_follow_alive(f)) {
			f->alive_ticks = ticks;
			f->alive_wall = wall;
			return PICK_FOLLOW_WATCHING;
		}
		f->ended = true;
		f->ended_wall = wall;
		f->interval = SCAN_FIRST_S;
		f->next_scan = mono;
	}
	memset(ev, 0, sizeof *ev);
	ev->old = f->watched;
	ev->alive_wall = f->alive_wall;
	ev->ended_wall = f->ended_wall;
	if (mono < f->next_scan)
		return PICK_FOLLOW_ENDED;
	n = pick_by_name(f->rx, f->alive_ticks, &cand);
	while (n > 0) {
		best = pick_successor(
		    cand, (size_t)n, &f->watched, f->alive_ticks);
		if (best < 0)
			break;
		if (pick_follow_attach(f, &cand[best]) == 0) {
			ev->next = f->watched;
			ev->switched_wall = clock_wall();
			free(cand);
			return PICK_FOLLOW_SWITCHED;
		}
		/* Gone already: the next oldest. */
		cand[best] = cand[--n];
	}
	free(cand);
	f->next_scan = clock_mono() + f->interval;
	f->interval =
	    f->interval * 2 > SCAN_MAX_S ? SCAN_MAX_S : f->interval * 2;
	return PICK_FOLLOW_ENDED;
}

enum pick_follow_state
pick_follow_wait(
    struct pick_follow *f, double timeout_s, struct pick_follow_event *ev)
{
	double deadline = clock_mono() + timeout_s;
	enum pick_follow_state st;

	for (;;) {
		double left = deadline - clock_mono(), pause;

		st = pick_follow_poll(f, ev);
		if (st == PICK_FOLLOW_SWITCHED || left <= 0)
			return st;
		if (st == PICK_FOLLOW_WATCHING && f->pidfd >= 0) {
			struct pollfd pfd = { f->pidfd, POLLIN, 0 };

			poll(&pfd, 1,
			    left > 3600 ? 3600000 : (int)(left * 1000) + 1);
			continue;
		}
		pause =
		    st == PICK_FOLLOW_ENDED ? f->next_scan - clock_mono() : 0.1;
		if (pause > left)
			pause = left;
		if (pause > 0) {
			struct timespec ts;

			ts.tv_sec = (time_t)pause;
			ts.tv_nsec = (long)((pause - (double)ts.tv_sec) * 1e9);
			nanosleep(&ts, NULL);
		}
	}
}
