/*
 * source-live.c - the live source: samples one process through /proc.
 *
 * The target is pinned: /proc/PID is opened once as a directory and every
 * file is read relative to that fd, so once the process is gone every read
 * fails instead of reaching a new process that got the same PID; the start
 * time from stat is checked on every sample as well.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup.h"
#include "end-watch.h"
#include "exe-probe.h"
#include "hsperf.h"
#include "live-fast.h"
#include "smaps-pipe.h"
#include "proc-parse.h"
#include "rtfetch.h"
#include "source.h"
#include "util.h"

#define PF_EXITING 0x00000004
#define PF_KTHREAD 0x00200000

struct live {
	int pid;
	int dirfd; /* /proc/PID, pinned */
	/* /proc/PID/task/TID of a live thread when the main one has exited,
	 * or -1; and how often the task read from changed. */
	int taskfd;
	unsigned moves;
	uint64_t start_time;
	uint64_t seq;
	/* Of the last sample, to see an exec. */
	char exe[PATH_MAX];
	uint64_t image[4];
	bool seen; /* the two above are set */
	char *buf; /* reused for every file read */
	size_t cap;
	struct cgroup_reader *cg;     /* the memory cgroup: cgroup.c */
	struct end_watch *end;        /* how it ends: end-watch.c */
	struct runtime_facts runtime; /* exe-probe.c: at open, after exec */
	/* --runtime URL or R (owned), or NULL; rt_lock guards the pointer:
	 * the UI thread replaces it (source_live_set_rtfetch()) while the
	 * sampler's thread reads it. */
	struct rtfetch *rtfetch;
	pthread_mutex_t rt_lock;
	char hsperf_hint[64]; /* hsperf_read()'s directory found */
	/* The adaptive sampler (source.h): the tick where the kernel has it,
	 * and what the budget has left for full reads. */
	struct live_fast *fast;
	enum live_mode mode;
	double budget;              /* fraction of one core */
	double bucket;              /* CPU seconds left for a full read */
	double full_cpu;            /* what a full read costs, CPU seconds */
	double last_mono, last_cpu; /* at the last sample's start */
	bool due;                /* the list had mappings a tick cannot tell */
	double due_mono;         /* since when (clock_mono()) */
	int want_full;           /* source_live_full_now(): atomic */
	struct smaps_pipe *pipe; /* smaps read and parsed at once */
	/* Threads whose stack pointer could not be read beside the smaps
	 * read (on a CPU, or waiting for one: memtop's two threads then hold
	 * both of a small machine's), read again after it. */
	int *running;
	size_t nrunning, running_cap;
};

#define LIVE_BUDGET_DEFAULT 0.02
/* The longest a full read that is due waits for the budget: where the
 * ticks alone spend it (a target whose mapping list moves each tick), it
 * would wait for ever, and PSS and the rest stay as they were. */
#define LIVE_DUE_WAIT 10.0

/* Read a whole file at dirfd/name into l->buf; its length or -errno. */
static ssize_t
live_read(struct live *l, int dirfd, const char *name)
{
	size_t len = 0;
	ssize_t n;
	int fd;

	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	for (;;) {
		if (l->cap - len < 4096) {
			size_t cap = l->cap ? l->cap * 2 : 65536;
			char *b = realloc(l->buf, cap);

			if (b == NULL) {
				close(fd);
				return -ENOMEM;
			}
			l->buf = b;
			l->cap = cap;
		}
		n = read(fd, l->buf + len, l->cap - len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			n = -errno;
			close(fd);
			return n;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	l->buf[len] = '\0';
	return (ssize_t)len;
}

static int
live_stat(struct live *l, int dirfd, struct proc_stat *st)
{
	ssize_t n = live_read(l, dirfd, "stat");

	if (n < 0)
		return (int)n;
	return parse_stat(l->buf, (size_t)n, st);
}

/* A task that runs on: not a zombie, and not on its way out (an exiting
 * task's address space may be half torn down: what it shows is no sample). */
static bool
live_running(const struct proc_stat *st)
{
	return st->state != 'Z' && st->state != 'X' && st->state != 'x' &&
	    !(st->flags & PF_EXITING);
}

/*
 * Where to read the memory files (smaps, status, cmdline) from: /proc/PID;
 * or, when the main thread has exited (pthread_exit) and left a zombie
 * leader with no mm while other threads run on, /proc/PID/task/TID of one
 * of those, which share the process's mm.  -1 when no thread is left.
 */
static int
live_mm_dir(struct live *l, const struct proc_stat *leader)
{
	struct proc_stat st;
	struct dirent *de;
	DIR *d;
	int fd;

	if (live_running(leader)) {
		if (l->taskfd >= 0)
			close(l->taskfd);
		l->taskfd = -1;
		return l->dirfd;
	}
	if (l->taskfd >= 0 && live_stat(l, l->taskfd, &st) == 0 &&
	    live_running(&st))
		return l->taskfd;
	if (l->taskfd >= 0)
		close(l->taskfd);
	l->taskfd = -1;
	fd = openat(l->dirfd, "task", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || (d = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	while (l->taskfd < 0 && (de = readdir(d)) != NULL) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		fd = openat(
		    dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (live_stat(l, fd, &st) == 0 && live_running(&st)) {
			l->taskfd = fd;
			l->moves++;
		} else {
			close(fd);
		}
	}
	closedir(d);
	return l->taskfd;
}

/* The process (thread group) that task l->pid belongs to: a thread's ID
 * opens /proc/TID too, though no listing shows it. */
static int
live_tgid(struct live *l)
{
	ssize_t n = live_read(l, l->dirfd, "status");
	const char *p;

	if (n <= 0 || (p = strstr(l->buf, "\nTgid:")) == NULL)
		return l->pid;
	return (int)strtol(p + 6, NULL, 10);
}

/*
 * The memory cgroup's facts (cgroup.c), and the older summary fields the
 * header and batch output read: the cgroup's own usage and memory.max, and
 * the OOM kills since memtop began to watch it.
 */
static void
live_cgroup(struct live *l, struct snapshot_info *info)
{
	const struct cgroup_facts *f = &info->cg;

	info->has_cgroup = 0;
	if (cgroup_read(l->cg, &info->cg) != 0 || f->version == CGROUP_NONE ||
	    !cg_has(f, CG_CURRENT))
		return;
	snprintf(info->cgroup_path, sizeof info->cgroup_path, "%s", f->path);
	info->cg_current = f->v[CG_CURRENT];
	info->cg_max = cg_has(f, CG_MAX) ? f->v[CG_MAX] : CG_UNLIMITED;
	info->cg_oom_kills = f->oom_kills;
	info->has_cgroup = 1;
}

/* The system's MemTotal, MemAvailable, SwapTotal and SwapFree. */
static void
live_meminfo(struct live *l, struct snapshot_info *info)
{
	ssize_t n = live_read(l, AT_FDCWD, "/proc/meminfo");

	if (n > 0)
		parse_meminfo(l->buf, (size_t)n, info);
}

/* Thread name's stack pointer (dirfd/name/syscall) into out: false when
 * it has none now (running, or waiting for a CPU) or is gone. */
static bool
live_thread_sp(
    struct live *l, int dirfd, const char *name, struct snapshot *out)
{
	char path[300];
	uint64_t sp;
	ssize_t n;

	snprintf(path, sizeof path, "%s/syscall", name);
	n = live_read(l, dirfd, path);
	if (n <= 0 || parse_syscall_sp(l->buf, (size_t)n, &sp) != 0)
		return false;
	snapshot_add_thread_sp(out, sp);
	return true;
}

/* A stack pointer for every thread whose syscall file we can read; the
 * threads without one now kept for live_threads_again(). */
static void
live_threads(struct live *l, struct snapshot *out)
{
	struct dirent *de;
	DIR *d;
	int fd;

	l->nrunning = 0;
	fd = openat(l->dirfd, "task", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9' ||
		    live_thread_sp(l, dirfd(d), de->d_name, out))
			continue;
		if (l->nrunning == l->running_cap) {
			l->running_cap = l->running_cap * 2 + 16;
			l->running = xrealloc(
			    l->running, l->running_cap * sizeof *l->running);
		}
		l->running[l->nrunning++] = atoi(de->d_name);
	}
	closedir(d);
}

/* The threads live_threads() found running beside the smaps read, again
 * now that it is done: a thread that has slept since gives its SP (a
 * stack never seen with one would be taken for anonymous memory). */
static void
live_threads_again(struct live *l, struct snapshot *out)
{
	char name[32];
	size_t i;
	int fd;

	if (l->nrunning == 0)
		return;
	fd = openat(l->dirfd, "task", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	for (i = 0; fd >= 0 && i < l->nrunning; i++) {
		snprintf(name, sizeof name, "%d", l->running[i]);
		live_thread_sp(l, fd, name, out);
	}
	if (fd >= 0)
		close(fd);
	l->nrunning = 0;
}

/*
 * Whether the process ran exec since the last sample: it keeps its PID and
 * start time but gets a new address space (stat's image addresses move:
 * ASLR, other arguments), and mostly a new program (exe).  A new comm alone
 * is no exec: prctl(PR_SET_NAME) changes it too.
 */
static bool
live_execed(struct live *l, int mm, const struct proc_stat *leader)
{
	struct proc_stat own;
	const struct proc_stat *st = leader;
	char exe[PATH_MAX];
	ssize_t e = readlinkat(mm, "exe", exe, sizeof exe - 1);
	bool changed;

	/* A zombie leader has no address space: its thread's stat tells. */
	if (mm != l->dirfd && live_stat(l, mm, &own) == 0)
		st = &own;
	exe[e > 0 ? e : 0] = '\0';
	changed = l->seen &&
	    ((e > 0 && l->exe[0] != '\0' && strcmp(l->exe, exe) != 0) ||
	        (st->image[0] != 0 && l->image[0] != 0 &&
	            memcmp(l->image, st->image, sizeof l->image) != 0));
	if (e > 0)
		memcpy(l->exe, exe, (size_t)e + 1);
	memcpy(l->image, st->image, sizeof l->image);
	l->seen = true;
	return changed;
}

/*
 * The kernel marks a deleted file's mapping by a " (deleted)" after its
 * name, which the parser takes off; but a live file may be named so.  Where
 * the name with the suffix still reaches the region's inode through the
 * target's root, it is that file: give it its whole name back.  A name is
 * looked up once for a run of regions that have it (shared anonymous
 * memory is "/dev/zero (deleted)" for each of its mappings: 20,000 path
 * lookups took a tick at 20,000 mappings from 40 to 134 ms).
 */
static void
live_undelete(struct live *l, struct snapshot *s)
{
	static const char suffix[] = " (deleted)";
	char name[PATH_MAX];
	struct stat sb;
	size_t i, looked = 0; /* the length of the name in name, if any */
	bool found = false;

	for (i = 0; i < s->nregions; i++) {
		const struct region *r = &s->regions[i];
		size_t len = r->path_len;

		if (!r->deleted || len == 0 || region_path(s, r)[0] != '/' ||
		    4 + len + sizeof suffix > sizeof name)
			continue;
		if (looked != len ||
		    memcmp(name + 4, region_path(s, r), len) != 0) {
			memcpy(name, "root", 4);
			memcpy(name + 4, region_path(s, r), len);
			memcpy(name + 4 + len, suffix, sizeof suffix);
			found = fstatat(l->dirfd, name, &sb, 0) == 0;
			looked = len;
		}
		if (!found || sb.st_ino != r->inode)
			continue;
		if (snapshot_set_path(
		        s, i, name + 4, len + sizeof suffix - 1) == 0)
			s->regions[i].deleted = 0;
	}
}

/*
 * How the target is now, from its stat: TARGET_ALIVE with *st and *mm (the
 * directory to read its memory files from) set, or how it went.
 */
static enum target_state
live_state(struct live *l, struct proc_stat *st, int *mm)
{
	char path[64];
	int fd;

	if (live_stat(l, l->dirfd, st) != 0) {
		/* Ours is gone; another process may have its PID by now. */
		snprintf(path, sizeof path, "/proc/%d", l->pid);
		if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
			return TARGET_EXITED;
		if (live_stat(l, fd, st) != 0)
			st->start_time = l->start_time;
		close(fd);
		return st->start_time != l->start_time ? TARGET_REUSED :
		                                         TARGET_EXITED;
	}
	if (st->start_time != l->start_time)
		return TARGET_REUSED;
	if ((*mm = live_mm_dir(l, st)) < 0)
		return st->state == 'Z' ? TARGET_ZOMBIE : TARGET_EXITED;
	if (st->flags & PF_KTHREAD)
		return TARGET_KERNEL_THREAD;
	return TARGET_ALIVE;
}

/* Whether memtop's process holds CAP_SYS_PTRACE in its effective set. */
static bool
has_cap_sys_ptrace(void)
{
	unsigned long long eff = 0;
	char line[256];
	bool found = false;
	FILE *f = fopen("/proc/self/status", "re");

	if (f == NULL)
		return false;
	while (!found && fgets(line, sizeof line, f) != NULL)
		found = sscanf(line, "CapEff: %llx", &eff) == 1;
	fclose(f);
	return found && (eff >> 19 & 1); /* CAP_SYS_PTRACE */
}

/* What a denied read needs, in a user's words: the kernel shows smaps only
 * to a reader with ptrace access; Yama, where the kernel has it, narrows
 * that for a same-user reader. */
static char *
denied_cause(int pid, const char *file)
{
	const char *yama = "/proc/sys/kernel/yama/ptrace_scope";
	char scope[16] = "", line[256], path[64];
	unsigned long r = 0, e = 0, sv = 0;
	bool same_user = false;
	FILE *f;

	/* The target's real, effective and saved uids all ours: the same
	 * user, refused all the same. */
	snprintf(path, sizeof path, "/proc/%d/status", pid);
	if ((f = fopen(path, "re")) != NULL) {
		while (fgets(line, sizeof line, f) != NULL)
			if (sscanf(line, "Uid: %lu %lu %lu", &r, &e, &sv) == 3)
				same_user = r == geteuid() && e == geteuid() &&
				    sv == geteuid();
		fclose(f);
	}
	if ((f = fopen(yama, "re")) != NULL) {
		if (fgets(scope, sizeof scope, f) != NULL)
			scope[strcspn(scope, "\n")] = '\0';
		fclose(f);
	}
	/* Root refused: not a matter of users; say what can refuse root. */
	if (geteuid() == 0)
		return xasprintf(
		    "permission denied reading /proc/%d/%s even as root: %s",
		    pid, file,
		    has_cap_sys_ptrace() ?
		        "a security module (AppArmor, SELinux, Landlock) or "
		        "the sandbox memtop runs in keeps it from this "
		        "process" :
		        "memtop has no CAP_SYS_PTRACE (a container's root: "
		        "add the capability SYS_PTRACE), or a security module "
		        "keeps it from this process");
	/* Neither another user nor Yama in the way: the process itself. */
	if (same_user && geteuid() != 0 &&
	    (f == NULL || strcmp(scope, "0") == 0))
		return xasprintf(
		    "permission denied reading /proc/%d/%s: the "
		    "process is yours but not dumpable (it set "
		    "PR_SET_DUMPABLE to 0, or runs a set-uid or "
		    "file-capability program): only root with CAP_SYS_PTRACE "
		    "may read its memory",
		    pid, file);
	if (f == NULL)
		return xasprintf(
		    "permission denied reading /proc/%d/%s: memtop "
		    "needs ptrace access to the target: run as root (with "
		    "CAP_SYS_PTRACE), or as the target's own user",
		    pid, file);
	return xasprintf(
	    "permission denied reading /proc/%d/%s: memtop needs "
	    "ptrace access to the target: run as root (with CAP_SYS_PTRACE), "
	    "or as the target's own user while %s is 0 (it is %s)",
	    pid, file, yama, scope);
}

/* Bytes of smaps read at a time: the text is parsed piece by piece, never
 * held whole (45 MB at 60,000 mappings). */
#define LIVE_CHUNK (256 * 1024)

/* A sample's threads and facts (live_threads(), live_facts()), read on the
 * smaps pipe's thread while the kernel makes the text: its other files do
 * not wait for the read.  done once they are in out. */
struct facts_job {
	struct live *l;
	int mm;
	const struct proc_stat *st;
	struct snapshot *out;
	bool done;
};

static void live_facts_job(void *arg);

/*
 * Read and parse dirfd/name (smaps) into out, a piece at a time, with the
 * facts job on the pipe's thread.  The bytes read (> 0), 0 for an empty
 * file, or -errno; -ENOMEM when the parser could not grow the snapshot.
 */
static ssize_t
live_read_smaps(struct live *l, int dirfd, const char *name,
    struct snapshot *out, struct facts_job *facts)
{
	struct smaps_cursor cur = SMAPS_CURSOR_INIT;
	size_t have = 0, total = 0;
	ssize_t n;
	int fd;

	/* Parsed on the pipe's thread while the kernel makes the rest; the
	 * tick's copy of the counters made on the way. */
	if (l->fast != NULL)
		live_fast_keep_begin(l->fast);
	if (l->pipe != NULL) {
		fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
		if (fd < 0)
			return -errno;
		n = smaps_pipe_read(
		    l->pipe, fd, out, l->fast, live_facts_job, facts);
		close(fd);
		if (n != -E2BIG && n != -EAGAIN)
			return n;
		if (l->fast != NULL)
			live_fast_keep_begin(l->fast);
		facts->done = false; /* the threads go with the regions */
	}

	if (l->cap < LIVE_CHUNK) {
		char *b = realloc(l->buf, LIVE_CHUNK);

		if (b == NULL)
			return -ENOMEM;
		l->buf = b;
		l->cap = LIVE_CHUNK;
	}
	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	snapshot_clear(out);
	for (;;) {
		const char *nl;
		size_t whole;

		if (have == l->cap - 1) {
			/* A line longer than the buffer: grow for it. */
			char *b = realloc(l->buf, l->cap * 2);

			if (b == NULL) {
				close(fd);
				return -ENOMEM;
			}
			l->buf = b;
			l->cap *= 2;
		}
		n = read(fd, l->buf + have, l->cap - have - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			n = -errno;
			close(fd);
			return n;
		}
		total += (size_t)n;
		have += (size_t)n;
		if (n == 0) {
			whole = have; /* the last line may lack its newline */
		} else {
			nl = memrchr(l->buf, '\n', have);
			whole = nl != NULL ? (size_t)(nl - l->buf) + 1 : 0;
		}
		if (whole > 0 &&
		    parse_smaps_lines(l->buf, whole, out, &cur) < 0) {
			close(fd);
			return -ENOMEM;
		}
		memmove(l->buf, l->buf + whole, have - whole);
		have -= whole;
		if (n == 0)
			break;
	}
	close(fd);
	return (ssize_t)total;
}

/*
 * The regions, from /proc/PID/smaps (in mm, the directory live_state gave),
 * into out, and its threads (facts, if not done beside the read).  0;
 * SOURCE_END when the target went while we read; -errno with *cause.
 */
static int
live_regions(struct live *l, int *mm, struct proc_stat *st,
    struct snapshot *out, struct facts_job *facts, char **cause)
{
	ssize_t n = live_read_smaps(l, *mm, "smaps", out, facts);

	if (n == -EACCES || n == -EPERM) {
		*cause = denied_cause(l->pid, "smaps");
		out->state = TARGET_DENIED;
		return -EACCES;
	}
	if (n == -ENOMEM) {
		*cause =
		    xasprintf("out of memory parsing /proc/%d/smaps", l->pid);
		return -ENOMEM;
	}
	if (n <= 0 && (out->state = live_state(l, st, mm)) != TARGET_ALIVE)
		return SOURCE_END; /* exited, or a zombie, between the two reads */
	if (n < 0) {
		*cause = xasprintf("cannot read /proc/%d/smaps: %s", l->pid,
		    strerror((int)-n));
		return (int)n;
	}
	out->state = TARGET_ALIVE;
	live_undelete(l, out);
	if (!facts->done)
		live_threads(l, out);
	else
		live_threads_again(l, out);
	return 0;
}

/*
 * The facts of the sample beside its regions: the process's stat, status,
 * cmdline and oom_score_adj (from mm and the pinned /proc/PID), the
 * machine's memory, the memory cgroup's.
 */
static void
live_facts(struct live *l, int mm, const struct proc_stat *st,
    struct snapshot_info *info)
{
	ssize_t n;

	info->pid = l->pid;
	info->start_time = l->start_time;
	info->state_char = st->state;
	if ((n = live_read(l, mm, "status")) > 0)
		parse_status(l->buf, (size_t)n, info);
	/* stat's comm is raw bytes; status's Name: is escaped by the kernel. */
	memcpy(info->comm, st->comm, sizeof info->comm);
	if ((n = live_read(l, mm, "cmdline")) >= 0) {
		size_t i, len = (size_t)n;

		while (len > 0 && l->buf[len - 1] == '\0')
			len--;
		info->cmdline_truncated = len >= sizeof info->cmdline;
		if (info->cmdline_truncated)
			len = sizeof info->cmdline - 1;
		for (i = 0; i < len; i++)
			info->cmdline[i] = l->buf[i] ? l->buf[i] : ' ';
		info->cmdline[len] = '\0';
		info->cmdline_len = (uint32_t)len;
	}
	if ((n = live_read(l, l->dirfd, "oom_score_adj")) > 0)
		info->oom_score_adj = (int32_t)strtol(l->buf, NULL, 10);
	if ((n = live_read(l, AT_FDCWD, "/proc/uptime")) > 0) {
		long hz = sysconf(_SC_CLK_TCK);

		info->age_s = strtod(l->buf, NULL) -
		    (double)l->start_time / (double)(hz > 0 ? hz : 100);
	}
	live_meminfo(l, info);
	live_cgroup(l, info);
}

static void
live_facts_job(void *arg)
{
	struct facts_job *j = arg;

	live_threads(j->l, j->out);
	live_facts(j->l, j->mm, j->st, &j->out->info);
	j->done = true;
}

/* Whether a region maps HotSpot's libjvm.so. */
static bool
live_maps_jvm(const struct snapshot *s)
{
	static const char lib[] = "/libjvm.so";
	size_t i, n = sizeof lib - 1;

	for (i = 0; i < s->nregions; i++) {
		const struct region *r = &s->regions[i];

		if (r->path_len >= n &&
		    memcmp(region_path(s, r) + r->path_len - n, lib, n) == 0)
			return true;
	}
	return false;
}

/*
 * The runtime's own figures into out->info.rt: a Go endpoint's newest
 * reading (--runtime URL: fetched on its own thread, so this never waits on
 * the network; a fetch is asked for each sample), else a JVM's hsperfdata
 * (read, never attached to) once libjvm.so is mapped.
 */
static void
live_runtime(struct live *l, struct snapshot *out)
{
	struct rt_figures *rt = &out->info.rt;
	bool fetching;

	rtfig_init(rt, RT_SRC_NONE, RT_ST_OK);
	if (!(l->runtime.flags & RT_JVM) && live_maps_jvm(out))
		l->runtime.flags |= RT_JVM;
	/* Held only while a struct is copied and a fetch asked for: the
	 * fetcher never holds its own lock across the network. */
	pthread_mutex_lock(&l->rt_lock);
	fetching = l->rtfetch != NULL;
	if (fetching) {
		rtfetch_latest(l->rtfetch, rt);
		rtfetch_kick(l->rtfetch);
	}
	pthread_mutex_unlock(&l->rt_lock);
	if (!fetching && (l->runtime.flags & RT_JVM))
		hsperf_read(
		    l->dirfd, NULL, rt, l->hsperf_hint, sizeof l->hsperf_hint);
}

/* The end: out->state says how the target went; where it died, the
 * verdict on how (end-watch.c).  Returns SOURCE_END. */
static int
live_ended(struct live *l, struct snapshot *out)
{
	memset(&out->end, 0, sizeof out->end);
	if (out->state == TARGET_EXITED || out->state == TARGET_ZOMBIE ||
	    out->state == TARGET_REUSED)
		end_watch_finish(l->end, &out->end);
	return SOURCE_END;
}

/* The budget's account at the start of a sample: what memtop was allowed
 * since the last one, less what it spent (all its threads: the ticks, the
 * full reads, the model, the screen).  Kept within two full reads either
 * way, so that a burst neither piles up nor is owed for ever. */
static void
live_budget(struct live *l, double mono, double cpu)
{
	double cap = l->full_cpu > 0 ? 2 * l->full_cpu : 0;

	if (l->last_mono > 0) {
		l->bucket +=
		    l->budget * (mono - l->last_mono) - (cpu - l->last_cpu);
		if (l->bucket > cap)
			l->bucket = cap;
		if (l->bucket < -cap)
			l->bucket = -cap;
	}
	l->last_mono = mono;
	l->last_cpu = cpu;
}

/* Whether this sample (at mono) reads smaps whole: always without the
 * tick, at the first sample, when asked, when a tick saw what it cannot
 * tell (as soon as the budget is not in debt, or LIVE_DUE_WAIT after),
 * and when the budget has a full read's worth. */
static bool
live_full_due(struct live *l, double mono)
{
	if (l->fast == NULL || l->mode != LIVE_ADAPTIVE || l->seq == 0 ||
	    l->cap < 65536)
		return true;
	if (__atomic_exchange_n(&l->want_full, 0, __ATOMIC_ACQ_REL))
		return true;
	if (l->due && (l->bucket >= 0 || mono - l->due_mono >= LIVE_DUE_WAIT))
		return true;
	return l->bucket >= l->full_cpu;
}

/* live_read_sample()'s word that the task it read from began to exit. */
#define LIVE_AGAIN 2

/*
 * One sample: how the target is (live_state), its regions, the facts, and
 * how it is after them.  Returns SOURCE_SAMPLE; SOURCE_END at the end, with
 * out->state saying how the target went; LIVE_AGAIN, if may_retry, when the
 * task read from began to exit and another runs on; -errno with *cause.
 */
static int
live_read_sample(
    struct live *l, struct snapshot *out, char **cause, bool may_retry)
{
	double t0 = clock_mono(), c0 = clock_cpu();
	struct proc_stat st;
	struct facts_job facts = { l, -1, &st, out, false };
	enum target_state now;
	unsigned moves;
	int mm, rc;

	memset(&out->end, 0, sizeof out->end);
	live_budget(l, t0, c0);
	if ((out->state = live_state(l, &st, &mm)) != TARGET_ALIVE)
		return live_ended(l, out);
	moves = l->moves;
	facts.mm = mm;
	if (live_full_due(l, t0) ||
	    (rc = live_fast_tick(l->fast, mm, l->seq, out, l->buf, l->cap)) <
	        0) {
		if ((rc = live_regions(l, &mm, &st, out, &facts, cause)) != 0)
			return rc == SOURCE_END ? live_ended(l, out) : rc;
		if (l->fast != NULL) {
			out->wall = clock_wall();
			live_fast_keep_end(l->fast, out);
			/* Its list is the smaps one: the next tick reads
			 * its own, with the VmSize before it. */
			live_fast_listed(l->fast, l->seq, -1);
			l->due = false;
			l->full_cpu = l->full_cpu > 0 ?
			    (l->full_cpu + clock_cpu() - c0) / 2 :
			    clock_cpu() - c0;
		}
	} else {
		/* A tick: mappings it could not tell make a full read due. */
		if (rc == 1 && !l->due) {
			l->due = true;
			l->due_mono = t0;
		}
		out->state = TARGET_ALIVE;
		live_undelete(l, out);
		live_threads(l, out);
	}
	out->seq = l->seq;
	out->mono = t0;
	out->wall = clock_wall();
	if (!facts.done)
		live_facts(l, mm, &st, &out->info);
	if (live_execed(l, mm, &st) && out->seq > 0) {
		out->state = TARGET_EXECED;
		exe_probe_dir(mm, &l->runtime);
		l->hsperf_hint[0] = '\0';
	}
	live_runtime(l, out);
	out->info.runtime = l->runtime;
	/* A process that began to exit while we read it showed a torn or
	 * empty address space: that is no sample, the one before stays. */
	if ((now = live_state(l, &st, &mm)) != TARGET_ALIVE) {
		out->state = now;
		return live_ended(l, out);
	}
	/* So did the task read from when another thread runs on (the main
	 * thread's pthread_exit; a kill the others have yet to act on): its
	 * files may have gone empty part way through the read. */
	if (l->moves != moves && may_retry)
		return LIVE_AGAIN;
	l->seq++;
	/* A whole sample of a live target: its OOM counters are the
	 * "before" of a death to come. */
	end_watch_sample(l->end, &out->info);
	out->sample_ms = (clock_mono() - t0) * 1000;
	out->sample_cpu_ms = (clock_cpu() - c0) * 1000;
	return 0;
}

static int
live_next(struct source *src, struct snapshot *out, char **cause)
{
	struct live *l = src->priv;
	int tries = 0, rc;

	/* Read again from the thread that runs on, a few times at most:
	 * what then shows is the process as that thread sees it. */
	while ((rc = live_read_sample(l, out, cause, tries < 2)) == LIVE_AGAIN)
		tries++;
	return rc;
}

static void
live_free(struct live *l)
{
	smaps_pipe_free(l->pipe);
	live_fast_close(l->fast);
	close(l->dirfd);
	if (l->taskfd >= 0)
		close(l->taskfd);
	end_watch_close(l->end);
	cgroup_reader_close(l->cg);
	if (l->rtfetch != NULL)
		rtfetch_stop(l->rtfetch);
	pthread_mutex_destroy(&l->rt_lock);
	free(l->running);
	free(l->buf);
	free(l);
}

static void
live_close(struct source *src)
{
	live_free(src->priv);
	free(src);
}

static const struct source_ops live_ops = {
	.name = "live",
	.next = live_next,
	.close = live_close,
};

char *
source_live_hidden_cause(int pid, int mode, int open_errno)
{
	/* hidepid=1, or a process seen but not entered: its files. */
	if (mode == 1 || open_errno != ENOENT)
		return xasprintf(
		    "the files of process %d are hidden from this user: /proc "
		    "is mounted with hidepid=%d, which shows other users' "
		    "processes but not their files; run as root, or as the "
		    "process's own user",
		    pid, mode);
	return xasprintf("process %d is hidden from this user: /proc is "
	                 "mounted with hidepid=%d, which hides %s; run as "
	                 "root, or as the process's own user",
	    pid, mode,
	    mode == 4 ? "the processes this user may not ptrace" :
	                "other users' processes");
}

struct source *
source_live_open(int pid, char **cause, int *err)
{
	struct source *src;
	struct live *l;
	struct proc_stat st;
	char path[64];
	int fd, rc, tgid, mm;

	snprintf(path, sizeof path, "/proc/%d", pid);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		/* hidepid hides other users' processes, or only their files;
		 * kill(pid, 0) still tells whether the process is there. */
		int mode = proc_hidepid();
		bool hidden = mode != 0 &&
		    (e == EACCES || e == EPERM ||
		        (e == ENOENT && (kill(pid, 0) == 0 || errno == EPERM)));

		*err = hidden || e == EACCES || e == EPERM ? -EACCES :
		    e == ENOENT                            ? -ESRCH :
		                                             -e;
		if (hidden)
			*cause = source_live_hidden_cause(pid, mode, e);
		else if (e == ENOENT)
			*cause = xasprintf("no process with PID %d", pid);
		else if (*err == -EACCES)
			*cause = denied_cause(pid, "");
		else
			*cause =
			    xasprintf("cannot open %s: %s", path, strerror(e));
		return NULL;
	}
	l = xcalloc(1, sizeof *l);
	pthread_mutex_init(&l->rt_lock, NULL);
	l->pid = pid;
	l->dirfd = fd;
	l->taskfd = -1;
	if ((rc = live_stat(l, l->dirfd, &st)) != 0) {
		*err = -ESRCH;
		*cause = xasprintf("no process with PID %d", pid);
		goto fail;
	}
	l->start_time = st.start_time;
	if ((tgid = live_tgid(l)) != pid) {
		*err = -EINVAL;
		*cause =
		    xasprintf("%d is a thread of process %d: its memory is "
		              "the process's (use -p %d)",
		        pid, tgid, tgid);
		goto fail;
	}
	if (st.flags & PF_KTHREAD) {
		*err = -EINVAL;
		*cause = xasprintf("PID %d is a kernel thread: it has no user "
		                   "memory (%s)",
		    pid, st.comm);
		goto fail;
	}
	if ((mm = live_mm_dir(l, &st)) < 0) {
		*err = -ESRCH;
		*cause = st.state == 'Z' ?
		    xasprintf("process %d is a zombie "
		              "(exited, not yet reaped by its parent): it has "
		              "no memory "
		              "left",
		        pid) :
		    xasprintf("process %d is exiting", pid);
		goto fail;
	}
	if ((fd = openat(mm, "smaps", O_RDONLY | O_CLOEXEC)) < 0) {
		*err = errno == EPERM ? -EACCES : -errno;
		if (errno == EACCES || errno == EPERM)
			*cause = denied_cause(pid, "smaps");
		else
			*cause = xasprintf("cannot read /proc/%d/smaps: %s",
			    pid, strerror(errno));
		goto fail;
	}
	close(fd);
	l->cg = cgroup_reader_open(l->dirfd);
	l->end = end_watch_open(pid, l->dirfd, l->cg);
	exe_probe_dir(mm, &l->runtime);
	l->budget = LIVE_BUDGET_DEFAULT;
	l->fast = live_fast_open(mm);
	/* MEMTOP_PIPE=0: read and parse in turn (the bench compares). */
	if (getenv("MEMTOP_PIPE") == NULL ||
	    strcmp(getenv("MEMTOP_PIPE"), "0") != 0)
		l->pipe = smaps_pipe_new();
	l->mode = l->fast != NULL ? LIVE_ADAPTIVE : LIVE_FULL;
	src = xcalloc(1, sizeof *src);
	src->ops = &live_ops;
	src->priv = l;
	return src;
fail:
	live_free(l);
	return NULL;
}

void
source_live_set_rtfetch(struct source *src, struct rtfetch *rf)
{
	struct live *l = src->priv;
	struct rtfetch *old;

	pthread_mutex_lock(&l->rt_lock);
	old = l->rtfetch;
	l->rtfetch = rf;
	pthread_mutex_unlock(&l->rt_lock);
	/* Out of the sampler's way: it no longer sees old. */
	if (old != NULL)
		rtfetch_stop(old);
}

void
source_live_set_ahead(
    struct source *src, void (*fn)(void *arg, size_t n), void *arg)
{
	struct live *l = src->priv;

	if (l->pipe != NULL)
		smaps_pipe_set_ahead(l->pipe, fn, arg);
}

int
source_live_dirfd(const struct source *src)
{
	return ((const struct live *)src->priv)->dirfd;
}

bool
source_is_live(const struct source *src)
{
	return src != NULL && src->ops == &live_ops;
}

enum live_mode
source_live_set_mode(struct source *src, enum live_mode mode)
{
	struct live *l = src->priv;

	l->mode = mode == LIVE_ADAPTIVE && l->fast != NULL ? LIVE_ADAPTIVE :
	                                                     LIVE_FULL;
	return l->mode;
}

void
source_live_set_budget(struct source *src, double fraction)
{
	((struct live *)src->priv)->budget = fraction;
}

uint64_t
source_live_lists_reused(const struct source *src)
{
	const struct live *l = src->priv;

	return l->fast != NULL ? live_fast_reused(l->fast) : 0;
}

void
source_live_full_now(struct source *src)
{
	struct live *l;

	if (!source_is_live(src))
		return;
	l = src->priv;
	__atomic_store_n(&l->want_full, 1, __ATOMIC_RELEASE);
}
