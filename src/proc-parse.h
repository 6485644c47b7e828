/*
 * proc-parse.h - pure parsers of /proc text: (buf, len) in, structs out, no
 * I/O, no allocation beyond the snapshot's own reusable buffers.  Never trust
 * the input: every parser survives any bytes (there is a fuzz target each).
 */
#ifndef MEMTOP_PROC_PARSE_H
#define MEMTOP_PROC_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "snapshot.h"

/*
 * Parse the text of /proc/PID/smaps (or /proc/PID/maps: then regions have no
 * counters) and append its regions to s.  Unknown "Key: value" lines are
 * ignored; a line that is neither a mapping header nor a field is skipped.
 * Mappings that overlap or go backwards (a torn read) are dropped and counted
 * in s->torn; the result is sorted by start with no overlaps.
 * Returns the number of lines skipped as malformed (>= 0), or -ENOMEM.
 */
int parse_smaps(const char *buf, size_t len, struct snapshot *s);

/* /proc/PID/status: fills info->status / has_status / comm (Name:). */
void parse_status(const char *buf, size_t len, struct snapshot_info *info);

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

#endif
