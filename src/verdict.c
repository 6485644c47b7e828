/*
 * verdict.c - how the target ended, from the evidence the live source found.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "util.h"
#include "verdict.h"

const char *
end_reason_name(enum end_reason r)
{
	switch (r) {
	case END_EXITED:
		return "exited";
	case END_SIGNALED:
		return "signaled";
	case END_OOM_KILLED:
		return "oom-killed";
	default:
		return "unknown";
	}
}

/* An OOM kill: whose limit, from the log where it says, else from the
 * limit that bound at the last sample.  Every OOM kill raises the victim's
 * cgroup's oom_kill, a system-wide one too: a cgroup is named when the log
 * says so, or when the target was near its limit or the system counted no
 * kill. */
static void
verdict_oom(const struct end_evidence *e, struct end_verdict *v, bool direct,
    bool vm_rise)
{
	bool limited = e->limit_bytes != CG_UNLIMITED;

	v->reason = END_OOM_KILLED;
	v->likely = !direct;
	v->signal = SIGKILL;
	v->limit_bytes = CG_UNLIMITED;
	if (direct && (e->kmsg.memcg || e->kmsg.constraint_memcg))
		v->scope = END_SCOPE_CGROUP;
	else if (direct && e->kmsg.killed)
		v->scope = END_SCOPE_SYSTEM;
	else if (limited &&
	    ((e->have & END_EV_NEAR_LIMIT) || !vm_rise || !e->has_vm_counts))
		v->scope = END_SCOPE_CGROUP;
	else if (vm_rise)
		v->scope = END_SCOPE_SYSTEM;
	if (v->scope != END_SCOPE_CGROUP)
		return;
	if (e->kmsg.oom_memcg[0] != '\0') {
		memcpy(v->cgroup, e->kmsg.oom_memcg, sizeof v->cgroup);
		/* The limit is known when it is the one that bound. */
		if (strcmp(e->kmsg.oom_memcg, e->limit_cgroup) == 0)
			v->limit_bytes = e->limit_bytes;
	} else if (limited) {
		memcpy(v->cgroup, e->limit_cgroup, sizeof v->cgroup);
		v->limit_bytes = e->limit_bytes;
	}
}

void
verdict_decide(const struct end_evidence *e, struct end_verdict *v)
{
	bool status = (e->have & (END_EV_PIDFD | END_EV_ZOMBIE)) != 0;
	bool kmsg = (e->have & END_EV_KMSG) && e->kmsg.killed;
	bool cg_rise = e->has_cg_counts &&
	    (e->cg_kills_after > e->cg_kills_before ||
	        e->cg_group_after > e->cg_group_before);
	/* The log, read in full, told of as many kills of other processes
	 * as the cgroup counted, and of none of ours: they explain it. */
	bool explained = (e->have & END_EV_KMSG_READ) && !kmsg &&
	    e->has_cg_counts &&
	    e->cg_kills_after - e->cg_kills_before <= e->kmsg.other_kills;
	bool vm_rise =
	    e->has_vm_counts && e->vm_kills_after > e->vm_kills_before;
	double wall = v->wall;

	memset(v, 0, sizeof *v);
	v->known = 1;
	v->wall = wall;
	v->limit_bytes = CG_UNLIMITED;
	v->evidence = e->have &
	    (END_EV_PIDFD | END_EV_ZOMBIE | END_EV_KMSG_READ |
	        END_EV_NEAR_LIMIT);
	if (kmsg)
		v->evidence |= END_EV_KMSG;
	if (e->has_cg_counts && e->cg_kills_after > e->cg_kills_before) {
		v->evidence |= END_EV_CG_KILL;
		v->cg_kills = e->cg_kills_after - e->cg_kills_before;
	}
	if (e->has_cg_counts && e->cg_group_after > e->cg_group_before)
		v->evidence |= END_EV_CG_GROUP;
	if (vm_rise) {
		v->evidence |= END_EV_VMSTAT;
		v->vm_kills = e->vm_kills_after - e->vm_kills_before;
	}

	if (status && WIFEXITED(e->wait_status)) {
		v->reason = END_EXITED;
		v->status = WEXITSTATUS(e->wait_status);
		return;
	}
	if (status && WIFSIGNALED(e->wait_status)) {
		v->signal = WTERMSIG(e->wait_status);
		v->core_dumped = WCOREDUMP(e->wait_status) ? 1 : 0;
		v->reason = END_SIGNALED;
		if (v->signal != SIGKILL)
			return; /* the OOM killer sends SIGKILL alone */
	}
	/* Killed by SIGKILL, or how is not known. */
	if (kmsg)
		verdict_oom(e, v, true, vm_rise);
	else if (cg_rise && !explained)
		verdict_oom(e, v, false, vm_rise);
	else if (vm_rise && !e->has_cg_counts)
		verdict_oom(e, v, false, vm_rise); /* no cgroup to ask */
	/* A SIGKILL the OOM counters did not see: a plain kill. */
}

char *
verdict_format(const struct end_verdict *v, char *buf, size_t size)
{
	char lim[16], sig[32];
	const char *abbrev;

	if (!v->known || v->reason == END_UNKNOWN) {
		snprintf(buf, size, "gone (how is not known)");
		return buf;
	}
	if (v->reason == END_EXITED) {
		snprintf(buf, size, "exit status %d", v->status);
		return buf;
	}
	abbrev = v->signal > 0 ? sigabbrev_np(v->signal) : NULL;
	if (abbrev != NULL)
		snprintf(sig, sizeof sig, "SIG%s", abbrev);
	else
		snprintf(sig, sizeof sig, "signal %d", v->signal);
	if (v->reason == END_SIGNALED) {
		snprintf(buf, size, "killed by %s%s", sig,
		    v->core_dumped ? " (core dumped)" : "");
		return buf;
	}
	if (v->scope == END_SCOPE_CGROUP && v->cgroup[0] != '\0' &&
	    v->limit_bytes != CG_UNLIMITED)
		snprintf(buf, size, "%sOOM-killed (cgroup %s: limit %s)",
		    v->likely ? "likely " : "", v->cgroup,
		    fmt_kb(v->limit_bytes / 1024, lim, sizeof lim));
	else if (v->scope == END_SCOPE_CGROUP && v->cgroup[0] != '\0')
		snprintf(buf, size, "%sOOM-killed (cgroup %s)",
		    v->likely ? "likely " : "", v->cgroup);
	else if (v->scope == END_SCOPE_CGROUP)
		snprintf(buf, size, "%sOOM-killed (its cgroup's limit)",
		    v->likely ? "likely " : "");
	else if (v->scope == END_SCOPE_SYSTEM)
		snprintf(buf, size, "%sOOM-killed (the whole system)",
		    v->likely ? "likely " : "");
	else
		snprintf(buf, size, "%sOOM-killed", v->likely ? "likely " : "");
	return buf;
}

char *
verdict_evidence(const struct end_verdict *v, char *buf, size_t size)
{
	size_t o = 0;

	buf[0] = '\0';
#define ADD(...)                                                               \
	do {                                                                   \
		if (o < size)                                                  \
			o += (size_t)snprintf(                                 \
			    buf + o, size - o, "%s", o ? ", " : "");           \
		if (o < size)                                                  \
			o += (size_t)snprintf(buf + o, size - o, __VA_ARGS__); \
	} while (0)
	if (v->evidence & END_EV_PIDFD)
		ADD("pidfd exit status");
	if (v->evidence & END_EV_ZOMBIE)
		ADD("zombie's exit code");
	if (v->evidence & END_EV_CG_KILL)
		ADD("cgroup oom_kill +%llu", (unsigned long long)v->cg_kills);
	if (v->evidence & END_EV_CG_GROUP)
		ADD("cgroup oom_group_kill");
	if (v->evidence & END_EV_VMSTAT)
		ADD("vmstat oom_kill +%llu", (unsigned long long)v->vm_kills);
	if (v->evidence & END_EV_KMSG)
		ADD("kernel log");
	else if (v->evidence & END_EV_KMSG_READ)
		ADD("kernel log silent");
	if (o == 0)
		ADD("none");
#undef ADD
	return buf;
}
