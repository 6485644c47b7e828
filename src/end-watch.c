/*
 * end-watch.c - the evidence of how a live target ended.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "end-watch.h"
#include "proc-parse.h"
#include "util.h"

/*
 * PIDFD_GET_INFO (Linux 6.13) with PIDFD_INFO_EXIT (6.15): the exit status of
 * any process once it has been reaped (the pidfd then polls POLLHUP).  Debian
 * 12's headers have neither: the first 64 bytes of the kernel's struct
 * pidfd_info (PIDFD_INFO_SIZE_VER0), include/uapi/linux/pidfd.h.
 */
struct watch_pidfd_info {
	uint64_t mask;
	uint64_t cgroupid;
	uint32_t pid, tgid, ppid, ruid, rgid, euid, egid, suid, sgid, fsuid;
	uint32_t fsgid;
	int32_t exit_code; /* waitpid's form */
};
#define WATCH_PIDFS_IOCTL_MAGIC 0xFF
#define WATCH_PIDFD_GET_INFO \
	_IOWR(WATCH_PIDFS_IOCTL_MAGIC, 11, struct watch_pidfd_info)
#define WATCH_PIDFD_INFO_EXIT (1UL << 3)

#define WATCH_WAIT_S     0.5        /* for the exit status and the log line */
#define WATCH_PF_EXITING 0x00000004 /* stat's flags: on its way out */

struct end_watch {
	int pid;
	int procfd;               /* /proc/PID, borrowed from the source */
	int pidfd;                /* pidfd_open(2), or -1 */
	int kmsgfd;               /* /dev/kmsg, read from its end at open; -1 */
	bool no_info;             /* PIDFD_GET_INFO is not in this kernel */
	struct cgroup_reader *cg; /* borrowed */
	struct end_evidence ev;   /* the "before" half, and the limit */
	char buf[8192];           /* /proc/vmstat, a kmsg record */
};

/* /proc/vmstat oom_kill: every OOM kill the kernel made. */
static int
watch_vmstat(struct end_watch *w, uint64_t *kills)
{
	static const struct keyed_field f[] = { { "oom_kill", 0 } };
	uint64_t has = 0;
	long n = read_file_at(AT_FDCWD, "/proc/vmstat", w->buf, sizeof w->buf);

	if (n <= 0 || parse_keyed(w->buf, (size_t)n, f, 1, kills, &has) != 1)
		return -1;
	return 0;
}

struct end_watch *
end_watch_open(int pid, int procfd, struct cgroup_reader *cg)
{
	struct end_watch *w = xcalloc(1, sizeof *w);
	uint64_t group = 0;

	w->pid = pid;
	w->procfd = procfd;
	w->cg = cg;
	w->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (w->pidfd < 0)
		w->pidfd = -1;
	w->kmsgfd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (w->kmsgfd >= 0 && lseek(w->kmsgfd, 0, SEEK_END) < 0) {
		close(w->kmsgfd);
		w->kmsgfd = -1;
	}
	w->ev.limit_bytes = CG_UNLIMITED;
	if (cgroup_read_oom_kills(cg, &w->ev.cg_kills_before, &group) == 0) {
		w->ev.cg_group_before = group;
		w->ev.has_cg_counts = 1;
	}
	w->ev.has_vm_counts = watch_vmstat(w, &w->ev.vm_kills_before) == 0;
	return w;
}

void
end_watch_close(struct end_watch *w)
{
	if (w == NULL)
		return;
	if (w->pidfd >= 0)
		close(w->pidfd);
	if (w->kmsgfd >= 0)
		close(w->kmsgfd);
	free(w);
}

/*
 * Whether the target is already on its way out: SIGKILL pending
 * (/proc/PID/status SigPnd:, ShdPnd:), or, read after that, exiting or
 * gone (stat's PF_EXITING, Z, X).  The OOM killer counts its kill, then
 * sends SIGKILL, which the target takes and then exits: counters read
 * before these two checks may hold its kill only if one of them sees it.
 */
static bool
watch_doomed(struct end_watch *w)
{
	struct proc_stat st;
	uint64_t mask;
	long n = read_file_at(w->procfd, "status", w->buf, sizeof w->buf);

	if (n <= 0 ||
	    (parse_status_pending(w->buf, (size_t)n, &mask) == 0 &&
	        ((mask >> (SIGKILL - 1)) & 1)))
		return true;
	n = read_file_at(w->procfd, "stat", w->buf, sizeof w->buf);
	return n <= 0 || parse_stat(w->buf, (size_t)n, &st) != 0 ||
	    (st.flags & WATCH_PF_EXITING) || st.state == 'Z' || st.state == 'X';
}

void
end_watch_sample(struct end_watch *w, const struct snapshot_info *info)
{
	const struct cgroup_facts *f = &info->cg;
	struct end_evidence *ev = &w->ev;
	uint64_t vm = 0;
	int vm_ok = watch_vmstat(w, &vm);

	/* The counters were read before this check: a target already
	 * sentenced may be counted in them, so they are no "before". */
	if (!watch_doomed(w)) {
		ev->has_cg_counts =
		    f->version != CGROUP_NONE && cg_has(f, CG_EV_OOM_KILL);
		if (ev->has_cg_counts) {
			ev->cg_kills_before = f->v[CG_EV_OOM_KILL];
			ev->cg_group_before = cg_has(f, CG_EV_OOM_GROUP_KILL) ?
			    f->v[CG_EV_OOM_GROUP_KILL] :
			    0;
		}
		if (vm_ok == 0) {
			ev->vm_kills_before = vm;
			ev->has_vm_counts = 1;
		}
	}
	ev->limit_bytes =
	    f->version != CGROUP_NONE ? f->limit.max : CG_UNLIMITED;
	ev->usage_bytes = f->limit.current;
	cgroup_limit_path(f, ev->limit_cgroup, sizeof ev->limit_cgroup);
	ev->have &= ~(uint32_t)END_EV_NEAR_LIMIT;
	if (ev->limit_bytes != CG_UNLIMITED &&
	    ev->usage_bytes >= ev->limit_bytes / 5 * 4)
		ev->have |= END_EV_NEAR_LIMIT;
}

/* The exit status from the pidfd, once the process has been reaped. */
static bool
watch_pidfd_status(struct end_watch *w, int *status)
{
	struct watch_pidfd_info info;

	if (w->pidfd < 0 || w->no_info)
		return false;
	memset(&info, 0, sizeof info);
	info.mask = WATCH_PIDFD_INFO_EXIT;
	if (ioctl(w->pidfd, WATCH_PIDFD_GET_INFO, &info) != 0) {
		/* ENOTTY, EINVAL: older than 6.13; ESRCH: reaped on a
		 * kernel older than 6.15 (no exit information kept). */
		if (errno == ENOTTY || errno == EINVAL || errno == ESRCH)
			w->no_info = true;
		return false;
	}
	if (!(info.mask & WATCH_PIDFD_INFO_EXIT))
		return false; /* not reaped yet */
	*status = info.exit_code;
	return true;
}

/* The exit code a zombie keeps in /proc/PID/stat (field 52). */
static bool
watch_zombie_status(struct end_watch *w, int *status)
{
	struct proc_stat st;
	long n = read_file_at(w->procfd, "stat", w->buf, sizeof w->buf);

	if (n <= 0 || parse_stat(w->buf, (size_t)n, &st) != 0 ||
	    st.state != 'Z' || !st.has_exit_code)
		return false;
	*status = st.exit_code;
	return true;
}

/* Read the kernel log records written since the watch began; what they say
 * of our PID goes into ev->kmsg. */
static void
watch_kmsg(struct end_watch *w)
{
	struct kmsg_oom *k = &w->ev.kmsg, rec;
	int i;

	if (w->kmsgfd < 0)
		return;
	w->ev.have |= END_EV_KMSG_READ;
	for (i = 0; i < 1000000; i++) {
		/* One record per read; EPIPE: records were overwritten
		 * before we read them, the next read goes on. */
		ssize_t n = read(w->kmsgfd, w->buf, sizeof w->buf);

		if (n < 0 && (errno == EPIPE || errno == EINTR))
			continue;
		if (n <= 0)
			break;
		parse_kmsg_oom(w->buf, (size_t)n, w->pid, &rec);
		k->other_kills += rec.other_kills;
		if (rec.killed) {
			k->killed = 1;
			k->memcg = rec.memcg;
			memcpy(k->comm, rec.comm, sizeof k->comm);
		}
		if (rec.constraint) {
			k->constraint = 1;
			k->constraint_memcg = rec.constraint_memcg;
			memcpy(
			    k->oom_memcg, rec.oom_memcg, sizeof k->oom_memcg);
		}
	}
	if (k->killed)
		w->ev.have |= END_EV_KMSG;
}

/* Whether a counter rose by more kills than the log told of. */
static bool
watch_untold(bool have, uint64_t before, uint64_t after, uint32_t told)
{
	return have && after > before && after - before > told;
}

void
end_watch_finish(struct end_watch *w, struct end_verdict *v)
{
	struct end_evidence *ev = &w->ev;
	double deadline = clock_mono() + WATCH_WAIT_S;
	uint64_t kills, group;
	int status = 0;

	/* The exit status: the pidfd's once reaped, the zombie's until
	 * then (a parent may be slow to reap, or never).  A process still
	 * on its way out gets a moment. */
	for (;;) {
		if (watch_pidfd_status(w, &status)) {
			ev->have |= END_EV_PIDFD;
			break;
		}
		if (watch_zombie_status(w, &status)) {
			ev->have |= END_EV_ZOMBIE;
			break;
		}
		if (clock_mono() >= deadline ||
		    ((w->pidfd < 0 || w->no_info) &&
		        read_file_at(w->procfd, "stat", w->buf, 2) < 0))
			break; /* reaped, and no pidfd to ask */
		usleep(10 * 1000);
	}
	if ((ev->have & (END_EV_PIDFD | END_EV_ZOMBIE)) != 0)
		ev->wait_status = status;

	/* The counters after the death, through the cgroup's directory the
	 * reader keeps open. */
	if (ev->has_cg_counts &&
	    cgroup_read_oom_kills(w->cg, &kills, &group) == 0) {
		ev->cg_kills_after = kills;
		ev->cg_group_after = group;
	} else
		ev->has_cg_counts = 0;
	if (!ev->has_vm_counts || watch_vmstat(w, &ev->vm_kills_after) != 0)
		ev->has_vm_counts = 0;

	/* The log line comes after the kill: wait for it a little while a
	 * counter says there was a kill the log has not told of yet. */
	watch_kmsg(w);
	while (w->kmsgfd >= 0 && !ev->kmsg.killed &&
	    (watch_untold(ev->has_cg_counts, ev->cg_kills_before,
	         ev->cg_kills_after, ev->kmsg.other_kills) ||
	        watch_untold(ev->has_vm_counts, ev->vm_kills_before,
	            ev->vm_kills_after, ev->kmsg.other_kills)) &&
	    clock_mono() < deadline) {
		struct pollfd p = { w->kmsgfd, POLLIN, 0 };

		poll(&p, 1, 50);
		watch_kmsg(w);
	}
	v->wall = clock_wall();
	verdict_decide(ev, v);
}
