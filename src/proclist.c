/*
 * proclist.c - the process list: libproc2 identifies each process once, its
 * pinned statm is re-read every tick, status when statm moved, smaps_rollup
 * only for the few that matter (see proclist.h for the cost model).
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "model.h"
#include "proc-parse.h"
#include "proc2.h"
#include "proclist.h"
#include "util.h"

#define PF_KTHREAD      0x00200000
#define HIST_NONE32     UINT32_MAX
#define FD_RESERVE      256 /* descriptors left to the rest of memtop */
#define NOFILE_WANT     65536
#define SELECT_MAX      255 /* libproc2's FILL_ID_MAX: PIDs per select */
#define STATUS_BUF_INIT 8192

/* The items of the first-sight identification, in this order. */
static enum pids_item ident_items[] = { PIDS_ID_PID, PIDS_TICS_BEGAN,
	PIDS_FLAGS, PIDS_ID_PPID, PIDS_ID_EUID, PIDS_ID_EUSER };
enum { I_PID, I_START, I_FLAGS, I_PPID, I_EUID, I_EUSER, I_COUNT };

struct proc_track {
	struct proc_entry e; /* first: entries are handed out as &t->e */
	int dirfd;           /* /proc/PID pinned, or -1 */
	int statmfd;         /* /proc/PID/statm kept open, or -1 */
	bool have_statm;     /* statm is from an earlier tick */
	uint64_t statm[3];   /* its size, resident, shared (pages) */
	uint64_t moved_seq;  /* the last tick statm moved */
	uint64_t pss_seq;    /* the tick of the last smaps_rollup read */
	bool pinned;         /* else opened by path and checked each tick */
	bool kthread;        /* left out of the list, kept to know it */
	bool pending;        /* could not be read at first sight: not listed,
	                      * tried afresh next tick */
	bool identified;     /* libproc2 has described it */
	bool reidentify;     /* an exec: identify again, keep the history */
	bool slow_due;       /* read cmdline, cgroup, oom_score this tick */
	uint32_t hist[PROCLIST_HISTORY]; /* VmRSS + VmSwap, by seq % H */
};

struct proclist {
	const struct proc2 *p2;     /* libproc2 */
	struct pids_info *info;     /* with ident_items */
	struct proc_track **tracks; /* sorted by pid */
	size_t ntracks, tracks_cap;
	const struct proc_entry **entries; /* non-kthread tracks, pid order */
	size_t nentries;
	int *pids; /* this tick's readdir */
	size_t npids, pids_cap;
	uint64_t seq; /* ticks done */
	double mono[PROCLIST_HISTORY];
	int *want; /* sorted */
	size_t nwant;
	size_t top;
	double budget_ms;
	proclist_namer namer;
	void *namer_arg;
	size_t max_pinned, npinned;
	char *buf;
	size_t cap;
	struct snapshot *scratch;           /* one smaps_rollup, parsed */
	struct snapshot_info *info_scratch; /* one status, parsed */
	struct proclist_tick tick;
	bool hidepid;
	uint64_t page_kb;
};

static double
thread_cpu(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
		return 0;
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

const char *
proc_access_name(enum proc_access a)
{
	switch (a) {
	case PROC_ACCESS_FULL:
		return "full";
	case PROC_ACCESS_NO_SMAPS:
		return "no-smaps";
	case PROC_ACCESS_HIDDEN:
		return "hidden";
	}
	return "?";
}

const char *
proclist_why(const struct proc_entry *e)
{
	if (e->access == PROC_ACCESS_HIDDEN)
		return "hidden by /proc's hidepid: only the PID is known";
	if (e->pss_known)
		return NULL;
	switch (e->pss_errno) {
	case 0:
		return "PSS not read yet (neither asked for nor in the top)";
	case EACCES:
	case EPERM:
		return "smaps_rollup: permission denied (another user's "
		       "process: needs root or CAP_SYS_PTRACE)";
	case ENODATA:
		return "no memory to read (a zombie, or exiting)";
	default:
		return strerror(e->pss_errno);
	}
}

/* Read the whole of a fresh fd into l->buf; its length or -errno. */
static ssize_t
proclist_read_fd(struct proclist *l, int fd)
{
	size_t len = 0;
	ssize_t n;

	for (;;) {
		if (l->cap - len < 1024) {
			l->cap *= 2;
			l->buf = xrealloc(l->buf, l->cap);
		}
		n = read(fd, l->buf + len, l->cap - len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	l->buf[len] = '\0';
	return (ssize_t)len;
}

/* dirfd/name into l->buf; its length or -errno. */
static ssize_t
proclist_read_at(struct proclist *l, int dirfd, const char *name)
{
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = proclist_read_fd(l, fd);
	close(fd);
	return n;
}

/*
 * Re-read a kept fd (a seq_file: statm) from offset 0 into l->buf.  A
 * seq_file makes the whole record in one read when the buffer holds it, so
 * a short read is the end: one read per tick.  -ESRCH once the process is
 * gone.
 */
static ssize_t
proclist_pread(struct proclist *l, int fd)
{
	ssize_t n;

	for (;;) {
		n = pread(fd, l->buf, l->cap - 1, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if ((size_t)n < l->cap - 1)
			break;
		l->cap *= 2;
		l->buf = xrealloc(l->buf, l->cap);
	}
	l->buf[n] = '\0';
	return n;
}

static void
track_close(struct proclist *l, struct proc_track *t)
{
	if (t->statmfd >= 0)
		close(t->statmfd);
	if (t->dirfd >= 0)
		close(t->dirfd);
	if (t->pinned && l->npinned > 0)
		l->npinned--;
	t->statmfd = t->dirfd = -1;
	t->pinned = false;
}

static void
track_free(struct proclist *l, struct proc_track *t)
{
	if (t == NULL)
		return;
	track_close(l, t);
	free(t->e.cmdline);
	free(t->e.cgroup);
	free(t->e.container);
	free(t);
}

static struct proc_track *
track_new(struct proclist *l, int pid)
{
	struct proc_track *t = xcalloc(1, sizeof *t);
	size_t i;

	t->e.pid = pid;
	t->e.cmdline = xstrdup("");
	t->e.cgroup = xstrdup("");
	t->e.first_seq = l->seq;
	t->dirfd = t->statmfd = -1;
	t->slow_due = true;
	for (i = 0; i < PROCLIST_HISTORY; i++)
		t->hist[i] = HIST_NONE32;
	return t;
}

/* Open /proc/PID as a directory: the fd, or -errno (-EACCES/-EPERM under
 * hidepid, -ENOENT once gone). */
static int
proc_dir_open(int pid)
{
	char path[32];
	int fd;

	snprintf(path, sizeof path, "/proc/%d", pid);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd >= 0 ? fd : -errno;
}

/* The start time of the process behind dirfd (stat field 22), or 0. */
static uint64_t
proc_dir_start_time(struct proclist *l, int dirfd)
{
	struct proc_stat st;
	ssize_t n = proclist_read_at(l, dirfd, "stat");

	if (n <= 0 || parse_stat(l->buf, (size_t)n, &st) != 0)
		return 0;
	return st.start_time;
}

/*
 * Open t's directory and statm: kept (pinned) when keep, else closed by the
 * caller once read.  0, or -errno.
 */
static int
track_open(struct proclist *l, struct proc_track *t, bool keep)
{
	int err;

	t->dirfd = proc_dir_open(t->e.pid);
	if (t->dirfd < 0) {
		err = t->dirfd;
		t->dirfd = -1;
		return err;
	}
	t->statmfd = openat(t->dirfd, "statm", O_RDONLY | O_CLOEXEC);
	if (t->statmfd < 0) {
		err = -errno;
		close(t->dirfd);
		t->dirfd = -1;
		return err;
	}
	if (keep) {
		t->pinned = true;
		l->npinned++;
	}
	return 0;
}

/*
 * A directory fd of t's process: the pinned one, or for an unpinned track
 * one opened now and checked against its start time (give it back with
 * track_dir_done).  -1 when the process is gone.
 */
static int
track_dir(struct proclist *l, struct proc_track *t)
{
	int fd;

	if (t->pinned)
		return t->dirfd;
	fd = proc_dir_open(t->e.pid);
	if (fd >= 0 && proc_dir_start_time(l, fd) != t->e.start_time) {
		close(fd);
		fd = -1;
	}
	return fd < 0 ? -1 : fd;
}

static void
track_dir_done(struct proc_track *t, int fd)
{
	if (!t->pinned && fd >= 0)
		close(fd);
}

/* /proc/PID/status of t into its entry (through t->dirfd): 0, or -errno
 * (-ESRCH: the process is gone). */
static int
track_status(struct proclist *l, struct proc_track *t)
{
	struct snapshot_info *si = l->info_scratch;
	ssize_t n;

	n = proclist_read_at(l, t->dirfd, "status");
	if (n < 0)
		return (int)n;
	l->tick.nstatus++;
	si->comm[0] = '\0';
	parse_status(l->buf, (size_t)n, si);
	if (t->e.comm[0] != '\0' && strcmp(t->e.comm, si->comm) != 0) {
		t->reidentify = true; /* a new program: new cmdline too */
		t->slow_due = true;
	}
	snprintf(t->e.comm, sizeof t->e.comm, "%s", si->comm);
	t->e.mem_known = (si->has_status & (1u << ST_VM_RSS)) != 0;
	t->e.rss_kb = si->status[ST_VM_RSS];
	t->e.anon_kb = si->status[ST_RSS_ANON];
	t->e.file_kb = si->status[ST_RSS_FILE];
	t->e.shmem_kb = si->status[ST_RSS_SHMEM];
	t->e.swap_kb = si->status[ST_VM_SWAP];
	if (!t->e.mem_known) {
		t->e.rss_kb = t->e.anon_kb = t->e.file_kb = t->e.shmem_kb =
		    t->e.swap_kb = 0;
	}
	return 0;
}

/* /proc/PID/oom_score of t, through dirfd. */
static void
track_oom(struct proclist *l, struct proc_track *t, int dirfd)
{
	ssize_t n = proclist_read_at(l, dirfd, "oom_score");

	if (n > 0) {
		t->e.oom_score = atoi(l->buf);
		t->e.oom_known = true;
		t->e.oom_mono = l->tick.mono;
	}
}

/* The slow facts: /proc/PID/cmdline, cgroup (naming it) and oom_score. */
static void
track_slow(struct proclist *l, struct proc_track *t)
{
	int dirfd = t->dirfd;
	char path[256];
	ssize_t n;
	size_t i, len;

	t->slow_due = false;
	n = proclist_read_at(l, dirfd, "cmdline");
	if (n >= 0) {
		len = (size_t)n;
		while (len > 0 && l->buf[len - 1] == '\0')
			len--;
		t->e.cmdline_truncated = len > PROCLIST_CMDLINE_MAX;
		if (len > PROCLIST_CMDLINE_MAX)
			len = PROCLIST_CMDLINE_MAX;
		for (i = 0; i < len; i++) {
			if (l->buf[i] == '\0')
				l->buf[i] = ' ';
		}
		if (len != t->e.cmdline_len ||
		    memcmp(t->e.cmdline, l->buf, len) != 0) {
			free(t->e.cmdline);
			t->e.cmdline = xmalloc(len + 1);
			memcpy(t->e.cmdline, l->buf, len);
			t->e.cmdline[len] = '\0';
			t->e.cmdline_len = len;
		}
	}
	n = proclist_read_at(l, dirfd, "cgroup");
	path[0] = '\0';
	if (n > 0 &&
	    parse_cgroup_path(l->buf, (size_t)n, path, sizeof path) >= 0 &&
	    strcmp(path, t->e.cgroup) != 0) {
		free(t->e.cgroup);
		t->e.cgroup = xstrdup(path);
		free(t->e.container);
		t->e.container = l->namer != NULL ?
		    l->namer(t->e.cgroup, l->namer_arg) :
		    NULL;
	}
	track_oom(l, t, dirfd);
}

/* PSS of t from /proc/PID/smaps_rollup (through the pinned directory). */
static void
track_rollup(struct proclist *l, struct proc_track *t, int dirfd)
{
	const struct region *r;
	ssize_t n;

	n = proclist_read_at(l, dirfd, "smaps_rollup");
	l->tick.nrollup++;
	if (n < 0) {
		t->e.pss_errno = (int)-n;
		if (n == -EACCES || n == -EPERM) {
			t->e.access = PROC_ACCESS_NO_SMAPS;
			t->e.pss_known = false;
		}
		return;
	}
	snapshot_clear(l->scratch);
	if (parse_smaps(l->buf, (size_t)n, l->scratch) < 0 ||
	    l->scratch->nregions == 0) {
		t->e.pss_errno = ENODATA; /* empty: no mm any more */
		t->e.pss_known = false;
		return;
	}
	r = &l->scratch->regions[0];
	t->e.pss_known = true;
	t->e.pss_errno = 0;
	t->e.pss_kb = r->kb[SF_PSS];
	t->e.pss_anon_kb = r->kb[SF_PSS_ANON];
	t->e.pss_file_kb = r->kb[SF_PSS_FILE];
	t->e.pss_shmem_kb = r->kb[SF_PSS_SHMEM];
	t->e.swap_pss_kb = r->kb[SF_SWAP_PSS];
	t->e.pss_mono = l->tick.mono;
	t->pss_seq = l->seq;
	track_oom(l, t, dirfd);
}

struct proclist *
proclist_new(char **err)
{
	struct proclist *l = xcalloc(1, sizeof *l);
	struct rlimit rl;
	char why[160];
	int rc;

	if ((l->p2 = proc2_get(why, sizeof why)) == NULL) {
		if (err != NULL)
			*err = xstrdup(why);
		free(l);
		return NULL;
	}
	rc = l->p2->pids_new(&l->info, ident_items, I_COUNT);
	if (rc < 0) {
		if (err != NULL)
			*err = xasprintf("libproc2: %s", strerror(-rc));
		free(l);
		return NULL;
	}
	/* Two descriptors per pinned process: ask for room (see the .h). */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < NOFILE_WANT &&
		    rl.rlim_max > rl.rlim_cur) {
			struct rlimit want = rl;

			want.rlim_cur = rl.rlim_max < NOFILE_WANT ?
			    rl.rlim_max :
			    NOFILE_WANT;
			if (setrlimit(RLIMIT_NOFILE, &want) == 0)
				rl = want;
		}
		if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > NOFILE_WANT)
			rl.rlim_cur = NOFILE_WANT;
		l->max_pinned = rl.rlim_cur > FD_RESERVE ?
		    (size_t)(rl.rlim_cur - FD_RESERVE) / 2 :
		    0;
	}
	l->top = PROCLIST_TOP_DEFAULT;
	l->budget_ms = PROCLIST_PSS_BUDGET_MS;
	l->cap = STATUS_BUF_INIT;
	l->buf = xmalloc(l->cap);
	l->scratch = snapshot_new();
	l->info_scratch = xcalloc(1, sizeof *l->info_scratch);
	l->hidepid = proc_hidepid();
	l->page_kb = (uint64_t)sysconf(_SC_PAGESIZE) / 1024;
	return l;
}

void
proclist_free(struct proclist *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->ntracks; i++)
		track_free(l, l->tracks[i]);
	free(l->tracks);
	free(l->entries);
	free(l->pids);
	free(l->want);
	free(l->buf);
	snapshot_free(l->scratch);
	free(l->info_scratch);
	l->p2->pids_unref(&l->info);
	free(l);
}

static int
int_cmp(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* This tick's PIDs (thread-group leaders: /proc lists no other thread),
 * ascending.  0 or -errno. */
static int
proclist_readdir(struct proclist *l)
{
	struct dirent *de;
	bool sorted = true;
	DIR *d = opendir("/proc");

	if (d == NULL)
		return -errno;
	l->npids = 0;
	while ((de = readdir(d)) != NULL) {
		char *end;
		long pid;

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		pid = strtol(de->d_name, &end, 10);
		if (*end != '\0' || pid <= 0 || pid > INT32_MAX)
			continue;
		if (l->npids == l->pids_cap) {
			l->pids_cap = l->pids_cap ? l->pids_cap * 2 : 1024;
			l->pids =
			    xrealloc(l->pids, l->pids_cap * sizeof *l->pids);
		}
		if (l->npids > 0 && l->pids[l->npids - 1] >= pid)
			sorted = false;
		l->pids[l->npids++] = (int)pid;
	}
	closedir(d);
	if (!sorted)
		qsort(l->pids, l->npids, sizeof *l->pids, int_cmp);
	return 0;
}

/*
 * Identify tracks[0..n) through libproc2, in batches of SELECT_MAX.  Pinned
 * tracks were opened before libproc2 reads them and their statm is read
 * after (track_read): a PID is not reused while its process exists, so when
 * that read succeeds, libproc2 described the pinned process.  An unpinned
 * one is checked against the start time libproc2 saw when it is opened.
 * Tracks libproc2 could not read stay unidentified (the caller sorts them
 * out).
 */
static void
proclist_identify(struct proclist *l, struct proc_track **tracks, size_t n)
{
	unsigned pids[SELECT_MAX];
	size_t done, i, k;

	for (done = 0; done < n; done += k) {
		struct pids_fetch *f;
		int j;

		k = n - done < SELECT_MAX ? n - done : SELECT_MAX;
		for (i = 0; i < k; i++)
			pids[i] = (unsigned)tracks[done + i]->e.pid;
		f = l->p2->pids_select(l->info, pids, (int)k, PIDS_SELECT_PID);
		if (f == NULL)
			continue;
		for (j = 0; j < f->counts->total; j++) {
			struct pids_stack *s = f->stacks[j];
			int pid = PIDS_VAL(I_PID, s_int, s, l->info);
			struct proc_track *t = NULL;
			const char *user;

			/* libproc2 answers in the order asked, as a rule. */
			if ((size_t)j < k &&
			    tracks[done + (size_t)j]->e.pid == pid)
				t = tracks[done + (size_t)j];
			for (i = 0; i < k && t == NULL; i++) {
				if (tracks[done + i]->e.pid == pid)
					t = tracks[done + i];
			}
			if (t == NULL)
				continue;
			if (t->reidentify &&
			    t->e.access == PROC_ACCESS_NO_SMAPS) {
				/* A new program (set-user-ID?): ask again. */
				t->e.access = PROC_ACCESS_FULL;
				t->e.pss_errno = 0;
			}
			t->identified = true;
			t->reidentify = false;
			t->e.start_time =
			    PIDS_VAL(I_START, ull_int, s, l->info);
			t->kthread = (PIDS_VAL(I_FLAGS, ul_int, s, l->info) &
			                 PF_KTHREAD) != 0;
			t->e.ppid = PIDS_VAL(I_PPID, s_int, s, l->info);
			t->e.uid = PIDS_VAL(I_EUID, u_int, s, l->info);
			t->e.uid_known = true;
			user = PIDS_VAL(I_EUSER, str, s, l->info);
			snprintf(t->e.user, sizeof t->e.user, "%s",
			    user != NULL ? user : "?");
		}
	}
}

/* A process hidden from us: what its directory says, if anything. */
static void
track_hidden(struct proc_track *t)
{
	char path[32];
	struct stat st;

	t->e.access = PROC_ACCESS_HIDDEN;
	t->identified = true;
	snprintf(path, sizeof path, "/proc/%d", t->e.pid);
	if (stat(path, &st) == 0) {
		t->e.uid = (unsigned)st.st_uid;
		t->e.uid_known = true;
		snprintf(t->e.user, sizeof t->e.user, "%u", t->e.uid);
	} else {
		snprintf(t->e.user, sizeof t->e.user, "?");
	}
}

/* Whether a kernel thread is still there: a lookup in a dead process's
 * directory fails. */
static bool
kthread_alive(struct proclist *l, struct proc_track *t)
{
	int fd;
	bool alive;

	if (t->pinned)
		return faccessat(t->dirfd, "stat", F_OK, 0) == 0;
	fd = track_dir(l, t);
	alive = fd >= 0;
	track_dir_done(t, fd);
	return alive;
}

/* /proc/PID/statm: total, resident and shared (file + shmem) pages, the
 * first three of its numbers.  0, or -EINVAL. */
static int
parse_statm(const char *buf, uint64_t v[3])
{
	const char *p = buf;
	int i;

	for (i = 0; i < 3; i++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		v[i] = 0;
		while (*p >= '0' && *p <= '9' && v[i] < UINT64_MAX / 10)
			v[i] = v[i] * 10 + (uint64_t)(*p++ - '0');
		if (*p == ' ')
			p++;
	}
	return v[2] <= v[1] ? 0 : -EINVAL;
}

/*
 * One tick's reads of t (through its pinned fds; an unpinned one is opened
 * for them and checked against its start time): statm always; status when
 * statm moved, at first sight, and in its turn; cmdline, cgroup and
 * oom_score at first sight and in its turn (PROCLIST_SLOW_EVERY).  statm
 * has VmRSS and RssAnon exactly (resident - shared); RssFile, RssShmem
 * and VmSwap are as of the last status read: swap can drift without
 * statm moving (MADV_DONTNEED of swapped pages) for up to
 * PROCLIST_SLOW_EVERY ticks.  0, or -1 when the process is gone.
 */
static int
track_read(struct proclist *l, struct proc_track *t)
{
	bool due = t->slow_due ||
	    (uint64_t)t->e.pid % PROCLIST_SLOW_EVERY ==
	        l->seq % PROCLIST_SLOW_EVERY;
	uint64_t v[3];
	bool moved;
	ssize_t n;
	int rc = -1;

	if (!t->pinned && t->dirfd < 0) {
		l->tick.nunpinned++;
		if (track_open(l, t, false) != 0 ||
		    proc_dir_start_time(l, t->dirfd) != t->e.start_time)
			goto out;
	}
	n = proclist_pread(l, t->statmfd);
	if (n < 0 || parse_statm(l->buf, v) != 0)
		goto out;
	l->tick.nstatm++;
	moved = !t->have_statm || memcmp(v, t->statm, sizeof t->statm) != 0;
	t->have_statm = true;
	memcpy(t->statm, v, sizeof t->statm);
	if (moved)
		t->moved_seq = l->seq;
	if (moved || due) {
		if (track_status(l, t) != 0)
			goto out;
	} else {
		t->e.rss_kb = v[1] * l->page_kb;
		t->e.anon_kb = (v[1] - v[2]) * l->page_kb;
	}
	if (due || t->slow_due) /* status may have seen an exec */
		track_slow(l, t);
	rc = 0;
out:
	if (!t->pinned || rc != 0)
		track_close(l, t);
	return rc;
}

/* Per-tick read of a track that already existed: 0 when it is the same
 * process still, -1 when it is gone (its PID may name a new one). */
static int
track_tick(struct proclist *l, struct proc_track *t)
{
	if (t->e.access == PROC_ACCESS_HIDDEN) {
		/* In its turn, see whether it is readable now: then it is
		 * another process (or hidepid went), met afresh. */
		if ((uint64_t)t->e.pid % PROCLIST_SLOW_EVERY ==
		    l->seq % PROCLIST_SLOW_EVERY) {
			int fd = proc_dir_open(t->e.pid);

			if (fd >= 0) {
				close(fd);
				return -1;
			}
		}
		l->tick.nhidden++;
		return 0;
	}
	if (t->pending)
		return -1;
	if (t->kthread)
		return kthread_alive(l, t) ? 0 : -1;
	return track_read(l, t);
}

/* Place the value of this tick in t's ring. */
static void
track_record(struct proclist *l, struct proc_track *t)
{
	uint64_t v = t->e.rss_kb + t->e.swap_kb;

	if (!t->e.mem_known)
		t->hist[l->seq % PROCLIST_HISTORY] = HIST_NONE32;
	else
		t->hist[l->seq % PROCLIST_HISTORY] =
		    v >= HIST_NONE32 ? HIST_NONE32 - 1 : (uint32_t)v;
}

/* Least-squares slope (kB/s) of t's ring over the rate window. */
static double
track_rate(const struct proclist *l, const struct proc_track *t)
{
	double sx = 0, sy = 0, sxx = 0, sxy = 0, n = 0, t0, den;
	uint64_t from, seq;

	from = l->seq + 1 >= PROCLIST_RATE_WINDOW ?
	    l->seq + 1 - PROCLIST_RATE_WINDOW :
	    0;
	if (from < t->e.first_seq)
		from = t->e.first_seq;
	t0 = l->mono[l->seq % PROCLIST_HISTORY];
	for (seq = from; seq <= l->seq; seq++) {
		uint32_t v = t->hist[seq % PROCLIST_HISTORY];
		double x = l->mono[seq % PROCLIST_HISTORY] - t0;

		if (v == HIST_NONE32)
			continue;
		sx += x;
		sy += v;
		sxx += x * x;
		sxy += x * v;
		n++;
	}
	den = n * sxx - sx * sx;
	if (n < 2 || den <= 1e-12)
		return 0;
	return (n * sxy - sx * sy) / den;
}

static bool
proclist_wanted(const struct proclist *l, int pid)
{
	return l->nwant > 0 &&
	    bsearch(&pid, l->want, l->nwant, sizeof *l->want, int_cmp) != NULL;
}

/* Older PSS reading first; the wanted before the rest on a tie. */
static int
rollup_order(const void *a, const void *b, void *arg)
{
	const struct proc_track *x = *(struct proc_track *const *)a;
	const struct proc_track *y = *(struct proc_track *const *)b;
	const struct proclist *l = arg;
	double px = x->e.pss_known ? x->e.pss_mono : -1;
	double py = y->e.pss_known ? y->e.pss_mono : -1;
	bool wx = proclist_wanted(l, x->e.pid),
	     wy = proclist_wanted(l, y->e.pid);

	if (px != py)
		return px < py ? -1 : 1;
	if (wx != wy)
		return wx ? -1 : 1;
	return (x->e.pid > y->e.pid) - (x->e.pid < y->e.pid);
}

/*
 * PSS for the wanted (every tick: they are on screen) and the top ones by
 * RSS, least recently read first, until the budget is spent (at least one
 * read per tick, so a budget of 0 still moves).  PSS moves with the
 * process's own pages (statm) or, slowly, with its sharers: a top one that
 * kept still is read again only once its PSS is PROCLIST_PSS_MAX_AGE ticks
 * old.
 */
static void
proclist_rollups(struct proclist *l, double t0)
{
	struct proc_track **top, **cand;
	size_t ntop = 0, ncand = 0, i, j;

	top = xcalloc(l->top + 1, sizeof *top);
	cand = xcalloc(l->ntracks + 1, sizeof *cand);
	for (i = 0; i < l->ntracks; i++) {
		struct proc_track *t = l->tracks[i];

		if (t->kthread || t->pending || !t->e.mem_known ||
		    t->e.access != PROC_ACCESS_FULL)
			continue;
		if (proclist_wanted(l, t->e.pid)) {
			cand[ncand++] = t;
			continue;
		}
		/* Insert into the top l->top by RSS (kept descending). */
		if (l->top == 0 ||
		    (ntop == l->top && top[ntop - 1]->e.rss_kb >= t->e.rss_kb))
			continue;
		j = ntop < l->top ? ntop++ : ntop - 1;
		while (j > 0 && top[j - 1]->e.rss_kb < t->e.rss_kb) {
			top[j] = top[j - 1];
			j--;
		}
		top[j] = t;
	}
	for (i = 0; i < ntop; i++) {
		const struct proc_track *t = top[i];

		if (!t->e.pss_known || t->moved_seq > t->pss_seq ||
		    l->seq - t->pss_seq >= PROCLIST_PSS_MAX_AGE)
			cand[ncand++] = top[i];
	}
	qsort_r(cand, ncand, sizeof *cand, rollup_order, l);
	for (i = 0; i < ncand; i++) {
		int fd;

		if (i > 0 && (clock_mono() - t0) * 1000 >= l->budget_ms)
			break;
		fd = track_dir(l, cand[i]);
		if (fd < 0)
			continue;
		track_rollup(l, cand[i], fd);
		track_dir_done(cand[i], fd);
	}
	free(top);
	free(cand);
}

int
proclist_update(struct proclist *l)
{
	struct proc_track **next, **fresh;
	size_t nnext = 0, nfresh = 0, i, j;
	double t0 = clock_mono(), c0 = thread_cpu();
	int rc;

	memset(&l->tick, 0, sizeof l->tick);
	l->tick.seq = l->seq;
	l->tick.mono = t0;
	l->tick.wall = clock_wall();
	l->tick.hidepid = l->hidepid;
	rc = proclist_readdir(l);
	if (rc < 0)
		return rc;
	l->mono[l->seq % PROCLIST_HISTORY] = t0;

	/* Merge this tick's PIDs with the tracks (both ascending). */
	next = xcalloc(l->npids + 1, sizeof *next);
	fresh = xcalloc(l->npids + 1, sizeof *fresh);
	for (i = 0, j = 0; i < l->npids; i++) {
		int pid = l->pids[i];
		struct proc_track *t = NULL;

		while (j < l->ntracks && l->tracks[j]->e.pid < pid) {
			if (!l->tracks[j]->kthread && !l->tracks[j]->pending)
				l->tick.ngone++;
			track_free(l, l->tracks[j++]);
		}
		if (j < l->ntracks && l->tracks[j]->e.pid == pid)
			t = l->tracks[j++];
		if (t != NULL && track_tick(l, t) != 0) {
			if (!t->kthread && !t->pending)
				l->tick.ngone++;
			track_free(l, t); /* the PID is another process's now */
			t = NULL;
		}
		if (t == NULL) {
			t = track_new(l, pid);
			fresh[nfresh++] = t;
		}
		next[nnext++] = t;
	}
	for (; j < l->ntracks; j++) {
		if (!l->tracks[j]->kthread && !l->tracks[j]->pending)
			l->tick.ngone++;
		track_free(l, l->tracks[j]);
	}
	free(l->tracks);
	l->tracks = next;
	l->ntracks = nnext;
	l->tracks_cap = l->npids + 1;

	/*
	 * First sight: pin (while descriptors last), identify, then the first
	 * reads.  The unpinned are opened by track_read, which checks them
	 * against the start time libproc2 saw.
	 */
	for (i = 0; i < nfresh; i++) {
		struct proc_track *t = fresh[i];
		int err;

		if (l->npinned >= l->max_pinned)
			continue;
		err = track_open(l, t, true);
		if (err == -EMFILE || err == -ENFILE)
			l->max_pinned = l->npinned;
		if (err == -EACCES || err == -EPERM)
			track_hidden(t);
	}
	proclist_identify(l, fresh, nfresh);
	for (i = 0; i < nfresh; i++) {
		struct proc_track *t = fresh[i];

		if (!t->identified) {
			/* Hidden (hidepid), gone meanwhile, or unreadable to
			 * libproc2: the next tick tries again. */
			int fd = t->pinned ? 0 : proc_dir_open(t->e.pid);

			if (fd == -EACCES || fd == -EPERM)
				track_hidden(t);
			else if (fd >= 0 && !t->pinned)
				close(fd);
		}
		if (t->e.access == PROC_ACCESS_HIDDEN) {
			l->tick.nhidden++;
			continue;
		}
		if (!t->identified) {
			track_close(l, t);
			t->pending = true;
			continue;
		}
		if (t->kthread) {
			if (t->pinned) {
				close(t->statmfd); /* its directory will do */
				t->statmfd = -1;
			} else {
				track_close(l, t);
			}
			continue;
		}
		if (track_read(l, t) != 0) {
			t->pending = true;
			continue;
		}
		l->tick.nnew++;
	}

	/* Exec'd ones again through libproc2 (a set-user-ID program changes
	 * the user). */
	nfresh = 0;
	for (i = 0; i < l->ntracks; i++) {
		if (l->tracks[i]->reidentify && !l->tracks[i]->pending)
			fresh[nfresh++] = l->tracks[i];
	}
	proclist_identify(l, fresh, nfresh);
	free(fresh);

	/* The listed entries and their history. */
	l->nentries = 0;
	l->entries =
	    xrealloc(l->entries, (l->ntracks + 1) * sizeof *l->entries);
	for (i = 0; i < l->ntracks; i++) {
		struct proc_track *t = l->tracks[i];

		if (t->pending) {
			l->tick.nfailed++;
			continue;
		}
		if (t->kthread) {
			l->tick.nkthreads++;
			continue;
		}
		track_record(l, t);
		t->e.rate_kb_s = track_rate(l, t);
		l->entries[l->nentries++] = &t->e;
	}
	l->tick.nprocs = l->nentries;
	proclist_rollups(l, clock_mono());

	l->tick.wall_ms = (clock_mono() - t0) * 1000;
	l->tick.cpu_ms = (thread_cpu() - c0) * 1000;
	l->seq++;
	return 0;
}

void
proclist_want_pss(struct proclist *l, const int *pids, size_t n)
{
	free(l->want);
	l->want = NULL;
	l->nwant = n;
	if (n == 0)
		return;
	l->want = xmalloc(n * sizeof *l->want);
	memcpy(l->want, pids, n * sizeof *l->want);
	qsort(l->want, n, sizeof *l->want, int_cmp);
}

void
proclist_set_top(struct proclist *l, size_t n)
{
	l->top = n;
}

void
proclist_set_pss_budget(struct proclist *l, double ms)
{
	l->budget_ms = ms;
}

void
proclist_set_namer(struct proclist *l, proclist_namer fn, void *arg)
{
	size_t i;

	l->namer = fn;
	l->namer_arg = arg;
	for (i = 0; i < l->ntracks; i++) {
		struct proc_track *t = l->tracks[i];

		free(t->e.container);
		t->e.container = fn != NULL && t->e.cgroup[0] != '\0' ?
		    fn(t->e.cgroup, arg) :
		    NULL;
	}
}

size_t
proclist_count(const struct proclist *l)
{
	return l->nentries;
}

const struct proc_entry *
proclist_at(const struct proclist *l, size_t i)
{
	return i < l->nentries ? l->entries[i] : NULL;
}

const struct proc_entry *
proclist_find(const struct proclist *l, int pid)
{
	size_t lo = 0, hi = l->nentries;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (l->entries[mid]->pid == pid)
			return l->entries[mid];
		if (l->entries[mid]->pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct proclist_tick *
proclist_last_tick(const struct proclist *l)
{
	return &l->tick;
}

size_t
proclist_history(const struct proclist *l, const struct proc_entry *e,
    uint64_t *out, size_t max)
{
	const struct proc_track *t = (const struct proc_track *)e;
	uint64_t latest, seq, from;
	size_t n = 0;

	if (l->seq == 0 || max == 0)
		return 0;
	latest = l->seq - 1;
	if (max > PROCLIST_HISTORY)
		max = PROCLIST_HISTORY;
	if (max > l->seq)
		max = (size_t)l->seq;
	from = latest + 1 - max;
	for (seq = from; seq <= latest; seq++) {
		uint32_t v = t->hist[seq % PROCLIST_HISTORY];

		out[n++] =
		    seq < e->first_seq || v == HIST_NONE32 ? HISTORY_NONE : v;
	}
	return n;
}

/* Columns: name, title, biggest first by default. */
static const struct {
	const char *name, *title;
	bool desc;
} proclist_cols[PCOL_COUNT] = {
	[PCOL_PID] = { "pid", "PID", false },
	[PCOL_USER] = { "user", "User", false },
	[PCOL_COMM] = { "comm", "Comm", false },
	[PCOL_CMDLINE] = { "cmdline", "Command", false },
	[PCOL_RSS] = { "rss", "RSS", true },
	[PCOL_PSS] = { "pss", "PSS", true },
	[PCOL_SWAP] = { "swap", "Swap", true },
	[PCOL_ANON] = { "anon", "Anon", true },
	[PCOL_RATE] = { "rate", "Rate", true },
	[PCOL_OOM] = { "oom_score", "OOM", true },
	[PCOL_CGROUP] = { "cgroup", "Cgroup", false },
};

const char *
proclist_col_name(enum proclist_col c)
{
	return c < PCOL_COUNT ? proclist_cols[c].name : "?";
}

const char *
proclist_col_title(enum proclist_col c)
{
	return c < PCOL_COUNT ? proclist_cols[c].title : "?";
}

int
proclist_col_lookup(const char *name)
{
	int c;

	for (c = 0; c < PCOL_COUNT; c++) {
		if (strcasecmp(name, proclist_cols[c].name) == 0 ||
		    strcasecmp(name, proclist_cols[c].title) == 0)
			return c;
	}
	return -1;
}

bool
proclist_col_desc_default(enum proclist_col c)
{
	return c < PCOL_COUNT && proclist_cols[c].desc;
}

struct sort_ctx {
	enum proclist_col col;
	bool desc;
};

/* The numeric key of a column, and whether it is known. */
static bool
entry_num(const struct proc_entry *e, enum proclist_col col, double *v)
{
	bool mem = e->mem_known && e->access != PROC_ACCESS_HIDDEN;

	switch (col) {
	case PCOL_PID:
		*v = e->pid;
		return true;
	case PCOL_RSS:
		*v = (double)e->rss_kb;
		return mem;
	case PCOL_PSS:
		*v = (double)e->pss_kb;
		return e->pss_known;
	case PCOL_SWAP:
		*v = (double)e->swap_kb;
		return mem;
	case PCOL_ANON:
		*v = (double)e->anon_kb;
		return mem;
	case PCOL_RATE:
		*v = e->rate_kb_s;
		return mem;
	case PCOL_OOM:
		*v = e->oom_score;
		return e->oom_known;
	default:
		return false;
	}
}

static const char *
entry_str(const struct proc_entry *e, enum proclist_col col)
{
	switch (col) {
	case PCOL_USER:
		return e->user;
	case PCOL_COMM:
		return e->comm;
	case PCOL_CMDLINE:
		return e->cmdline_len > 0 ? e->cmdline : e->comm;
	case PCOL_CGROUP:
		return e->container != NULL ? e->container : e->cgroup;
	default:
		return NULL;
	}
}

static int
entry_cmp(const void *a, const void *b, void *arg)
{
	const struct proc_entry *x = *(const struct proc_entry *const *)a;
	const struct proc_entry *y = *(const struct proc_entry *const *)b;
	const struct sort_ctx *c = arg;
	const char *sx = entry_str(x, c->col), *sy;
	int r = 0;

	if (sx != NULL) {
		sy = entry_str(y, c->col);
		r = strcmp(sx, sy);
	} else {
		double vx = 0, vy = 0;
		bool kx = entry_num(x, c->col, &vx);
		bool ky = entry_num(y, c->col, &vy);

		if (kx != ky)
			return kx ? -1 : 1; /* the unknown go last */
		r = (vx > vy) - (vx < vy);
	}
	if (c->desc)
		r = -r;
	if (r == 0)
		r = (x->pid > y->pid) - (x->pid < y->pid);
	return r;
}

void
proclist_sort(const struct proc_entry **rows, size_t n, enum proclist_col col,
    bool descending)
{
	struct sort_ctx c = { col, descending };

	qsort_r(rows, n, sizeof *rows, entry_cmp, &c);
}

bool
proclist_matches(const struct proc_entry *e, const struct rx *rx)
{
	if (e->cmdline_len > 0 ? rx_match(rx, e->cmdline, e->cmdline_len) :
	                         rx_match(rx, e->comm, strlen(e->comm)))
		return true;
	if (e->container != NULL &&
	    rx_match(rx, e->container, strlen(e->container)))
		return true;
	return e->cgroup[0] != '\0' &&
	    rx_match(rx, e->cgroup, strlen(e->cgroup));
}

void
proclist_view_build(struct proclist_view *v, const struct proclist *l,
    enum proclist_col col, bool descending, const struct rx *filter)
{
	size_t i;

	if (v->cap < l->nentries + 1) {
		v->cap = l->nentries + 1;
		v->rows = xrealloc(v->rows, v->cap * sizeof *v->rows);
	}
	v->nrows = 0;
	for (i = 0; i < l->nentries; i++) {
		if (filter == NULL || proclist_matches(l->entries[i], filter))
			v->rows[v->nrows++] = l->entries[i];
	}
	proclist_sort(v->rows, v->nrows, col, descending);
}

void
proclist_view_free(struct proclist_view *v)
{
	free(v->rows);
	v->rows = NULL;
	v->nrows = v->cap = 0;
}
