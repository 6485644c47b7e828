/*
 * proc-parse.h - pure parsers of /proc text: (buf, len) in, structs out, no
 * I/O, no allocation beyond the snapshot's own reusable buffers.  Never trust
 * the input: every parser survives any bytes (there is a fuzz target each).
 */
#ifndef MEMTOP_PROC_PARSE_H
#define MEMTOP_PROC_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "cgroup.h"
#include "snapshot.h"
#include "verdict.h"

/*
 * Parse the text of /proc/PID/smaps (or /proc/PID/maps: then regions have no
 * counters) and append its regions to s.  Unknown "Key: value" lines are
 * ignored; a line that is neither a mapping header nor a field is skipped.
 * Mappings that overlap or go backwards (a torn read) are dropped and counted
 * in s->torn; the result is sorted by start with no overlaps.
 * Returns the number of lines skipped as malformed (>= 0), or -ENOMEM.
 */
int parse_smaps(const char *buf, size_t len, struct snapshot *s);

/*
 * The same over text read in pieces (so that no buffer holds the whole
 * file): each call takes whole lines (a piece that ends inside a line gives
 * the rest of that line in the next call), and c says which region the
 * field lines of the next piece belong to.  Start with SMAPS_CURSOR_INIT.
 * Pieces parse as the whole text would.
 */
struct smaps_cursor {
	long cur; /* index in s->regions of the mapping being read, -1 none */
};
#define SMAPS_CURSOR_INIT \
	{                 \
		-1        \
	}
int parse_smaps_lines(
    const char *buf, size_t len, struct snapshot *s, struct smaps_cursor *c);

/* /proc/PID/status: fills info->status / has_status / comm (Name:). */
void parse_status(const char *buf, size_t len, struct snapshot_info *info);
/* /proc/meminfo's MemTotal, MemAvailable, SwapTotal and SwapFree (kB) into
 * info; how many of them it found. */
int parse_meminfo(const char *buf, size_t len, struct snapshot_info *info);

/* /proc/PID/status: the signals pending for the thread (SigPnd:) and the
 * whole process (ShdPnd:), or'd, as a mask with bit (sig - 1) for signal
 * sig.  0 and *mask, or -ENOENT when neither line is there. */
int parse_status_pending(const char *buf, size_t len, uint64_t *mask);

/* The fields of /proc/PID/stat memtop uses. */
struct proc_stat {
	int pid;
	char comm[SNAP_COMM_MAX]; /* between the outer parens */
	char state;
	int ppid;
	unsigned long flags; /* PF_KTHREAD = 0x00200000 */
	uint64_t start_time; /* field 22 */
	uint64_t rss_pages;  /* field 24 */
	uint64_t kstkesp;    /* field 29 (0 on most kernels) */
	/* Addresses fixed for the life of one address space (fields 26, 28,
	 * 47, 48: start_code, start_stack, start_brk, arg_start): they change
	 * on exec, even of the same program, where ASLR or the arguments
	 * differ.  0 when the kernel hides them. */
	uint64_t image[4];
	/* Field 52 (3.5+): the exit status in waitpid's form, which a
	 * zombie keeps until it is reaped; 0 while running, or where the
	 * kernel hides it (no ptrace access).  has_exit_code: the field was
	 * there. */
	int exit_code;
	uint8_t has_exit_code;
};
/* 0, or -EINVAL if the text is not a stat line. */
int parse_stat(const char *buf, size_t len, struct proc_stat *st);

/* /proc/PID/task/TID/syscall: the stack pointer (second-to-last field).
 * 0 and *sp, or -EINVAL ("running", empty, malformed). */
int parse_syscall_sp(const char *buf, size_t len, uint64_t *sp);

/* /proc/PID/cgroup: copies the memory cgroup's path.  Returns 1 for a v1
 * memory controller line ("4:memory:/path"), 0 for the v2 line ("0::/path")
 * when there is no v1 one, -ENOENT for neither. */
int parse_cgroup_path(const char *buf, size_t len, char *path, size_t size);
/* The same, both paths: the v1 memory controller's into v1, the v2 line's
 * ("0::/path") into v2, "" for one not found.  Returns bit 1 when v1 was
 * found, bit 2 for v2. */
int parse_cgroup_paths(const char *buf, size_t len, char *v1, size_t v1size,
    char *v2, size_t v2size);

/* ---- cgroup files, /proc/vmstat, /dev/kmsg ---- */

/* A field of a "name value" file, and where its value goes. */
struct keyed_field {
	const char *name;
	unsigned index; /* into vals[] and bit of *has (< 64) */
};

/*
 * The lines "NAME VALUE" of a flat keyed file (memory.stat, memory.events,
 * memory.oom_control, /proc/vmstat): for each NAME in fields, its value goes
 * to vals[index] and bit index is set in *has.  Only a whole name matches
 * ("oom_kill" is not "oom_kill_disable"); a line whose value is not a plain
 * decimal number is skipped; values saturate at UINT64_MAX.  Returns the
 * number of values stored.
 */
int parse_keyed(const char *buf, size_t len, const struct keyed_field *fields,
    size_t nfields, uint64_t *vals, uint64_t *has);

/* A one-value cgroup file (memory.current, memory.max): a decimal number,
 * or "max" for CG_UNLIMITED.  0, or -EINVAL for anything else. */
int parse_cg_value(const char *buf, size_t len, uint64_t *v);

/* A PSI file (memory.pressure, /proc/pressure/memory): its "some" and
 * "full" lines; a line that does not parse stays absent.  Returns the
 * number of lines read (0..2).  Leaves p->scope alone. */
int parse_psi(const char *buf, size_t len, struct psi *p);

/* Where the cgroup hierarchies are mounted (/proc/self/mountinfo). */
struct cgroup_mounts {
	char v2[256];        /* the cgroup2 mount point, "" if none */
	char v2_root[256];   /* the part of the hierarchy it shows ("/") */
	char v1_memory[256]; /* the v1 hierarchy with the memory controller */
	char v1_memory_root[256];
};
/* Fills m from /proc/self/mountinfo text (octal escapes undone; the first
 * mount of each kind).  Returns the number found (0..2). */
int parse_cgroup_mounts(const char *buf, size_t len, struct cgroup_mounts *m);

/* Who the cgroup at path (as /proc/PID/cgroup gives it) is: a Kubernetes
 * pod (cgroupfs and systemd drivers), a container, a systemd unit. */
void parse_cgroup_owner(const char *path, size_t len, struct cgroup_owner *o);

/*
 * Scan /dev/kmsg records ("prio,seq,usec,flags;message\n", continuation
 * lines starting with a space) for the OOM kill of pid.  Returns 1 when a
 * "Killed process PID" line was found, else 0; k is filled with what was,
 * and counts the kills of other processes.
 */
int parse_kmsg_oom(const char *buf, size_t len, int pid, struct kmsg_oom *k);

#endif
