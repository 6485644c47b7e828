/*
 * verdict.h - how the target ended: exited with a status, killed by a
 * signal, or OOM-killed and by whose limit.
 *
 * The live source gathers the evidence when the target is gone (source-live.c)
 * and verdict_decide() weighs it, in order of trust: the exit status (a pidfd
 * opened at start, PIDFD_INFO_EXIT; or the zombie's /proc/PID/stat), the rise
 * across the death of the cgroup's oom_kill and of /proc/vmstat's oom_kill,
 * and the kernel log's "Killed process PID" line.  A SIGKILL that no OOM
 * counter saw is a plain kill; indirect evidence gives a "likely".
 */
#ifndef MEMTOP_VERDICT_H
#define MEMTOP_VERDICT_H

#include <stddef.h>
#include <stdint.h>

#include "cgroup.h"

enum end_reason {
	END_UNKNOWN,    /* gone; how is not known */
	END_EXITED,     /* exit status in .status */
	END_SIGNALED,   /* killed by .signal, not by the OOM killer */
	END_OOM_KILLED, /* by the OOM killer; .scope says whose limit */
};
enum end_scope { END_SCOPE_UNKNOWN, END_SCOPE_CGROUP, END_SCOPE_SYSTEM };

/* What the evidence was (end_evidence.have, end_verdict.evidence). */
#define END_EV_PIDFD      0x01 /* exit status from the pidfd */
#define END_EV_ZOMBIE     0x02 /* from the zombie's stat (field 52) */
#define END_EV_CG_KILL    0x04 /* the cgroup's oom_kill rose */
#define END_EV_CG_GROUP   0x08 /* its oom_group_kill rose */
#define END_EV_VMSTAT     0x10 /* /proc/vmstat oom_kill rose */
#define END_EV_KMSG       0x20 /* /dev/kmsg: "Killed process PID" */
#define END_EV_KMSG_READ  0x40 /* /dev/kmsg was readable */
#define END_EV_NEAR_LIMIT 0x80 /* last sample: >= 80% of the binding limit */

/* What the kernel log says about an OOM kill of one process. */
struct kmsg_oom {
	uint8_t killed;     /* "...: Killed process PID (" */
	uint8_t memcg;      /* "Memory cgroup out of memory: Killed..." */
	uint8_t constraint; /* an "oom-kill:constraint=...,pid=PID" line */
	uint8_t constraint_memcg;    /* constraint=CONSTRAINT_MEMCG */
	char oom_memcg[CG_PATH_MAX]; /* its oom_memcg=: whose limit, or "" */
	char comm[64];        /* the name in "Killed process PID (comm)" */
	uint32_t other_kills; /* "Killed process N" lines of other PIDs */
};

/* What the source found when the target was gone. */
struct end_evidence {
	uint32_t have;   /* END_EV_PIDFD, _ZOMBIE, _KMSG, _KMSG_READ */
	int wait_status; /* waitpid's form, with PIDFD or ZOMBIE */
	/* OOM-kill counters at the last sample and after the death. */
	uint8_t has_cg_counts, has_vm_counts;
	uint64_t cg_kills_before, cg_kills_after;
	uint64_t cg_group_before, cg_group_after;
	uint64_t vm_kills_before, vm_kills_after;
	struct kmsg_oom kmsg;
	/* The limit that bound at the last sample (cgroup_limit). */
	uint64_t limit_bytes; /* CG_UNLIMITED: none */
	uint64_t usage_bytes; /* that cgroup's usage */
	char limit_cgroup[CG_PATH_MAX];
};

/* How the target ended; the live source fills one in when it returns the
 * end (snapshot.end), and the sampler passes it on.  Plain data. */
struct end_verdict {
	uint8_t known;  /* filled in by a source that could look */
	uint8_t reason; /* enum end_reason */
	uint8_t scope;  /* enum end_scope, for END_OOM_KILLED */
	uint8_t likely; /* END_OOM_KILLED on indirect evidence */
	uint8_t core_dumped;
	int status;           /* END_EXITED: 0..255 */
	int signal;           /* the signal that killed it, 0 unknown */
	uint32_t evidence;    /* END_EV_* it rests on */
	uint64_t cg_kills;    /* rise of the cgroup's oom_kill at the death */
	uint64_t vm_kills;    /* rise of /proc/vmstat oom_kill */
	uint64_t limit_bytes; /* END_SCOPE_CGROUP: the limit (CG_UNLIMITED */
	                      /* when not known) */
	char cgroup[CG_PATH_MAX]; /* END_SCOPE_CGROUP: whose limit */
	double wall;              /* when memtop saw the end, or 0 */
};

/* Weigh the evidence (pure).  v->known is set, v->wall left alone. */
void verdict_decide(const struct end_evidence *e, struct end_verdict *v);

/*
 * One line, without the PID: "exit status 3", "killed by SIGTERM",
 * "OOM-killed (cgroup /a/b: limit 96M)", "likely OOM-killed (the whole
 * system)", "gone (how is not known)".  The cgroup path is copied raw:
 * escape the line before printing.  Returns buf.
 */
char *verdict_format(const struct end_verdict *v, char *buf, size_t size);

/* The evidence as words: "pidfd, cgroup oom_kill +1, kmsg".  Returns buf. */
char *verdict_evidence(const struct end_verdict *v, char *buf, size_t size);

/* "exited", "signaled", "oom-killed", "unknown": for JSON and CSV. */
const char *end_reason_name(enum end_reason r);

#endif
