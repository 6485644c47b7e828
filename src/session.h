/*
 * session.h - session files: what their header and END frame say, and the
 * recorder (record.h) and the replay source (replay.h) that write and read
 * them.  The format is documented byte by byte in doc/session-format.md;
 * session-codec.h turns these structs into bytes and back.
 *
 * record.h and replay.h include this file for the structs below; it
 * includes them back at its end, so that any one of the three gives all.
 */
#ifndef MEMTOP_SESSION_H
#define MEMTOP_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "snapshot.h"

#define SESSION_MAJOR      1
#define SESSION_MINOR      4
#define SESSION_KEY_EVERY  64   /* a key frame or checkpoint every N */
#define SESSION_FULL_EVERY 3600 /* a key frame at least every N samples */
/*
 * The most regions one sample of a recording may hold: readers refuse more
 * as damage, and the recorder stops rather than write more.  Four times
 * the default vm.max_map_count (65530); it bounds what a replay costs
 * (each region is about 300 bytes decoded, times the samples the reader
 * holds, and what the model keeps per region).  A literal, for messages.
 */
#define SESSION_MAX_REGIONS 262144
/* The most thread stack pointers one sample holds: the recorder leaves out
 * the rest. */
#define SESSION_MAX_THREADS 262144

/*
 * The header of a session file (of each segment of a flight recording).
 * The fields after cmdline come from extension records (format 1.3): they
 * read 0 or "" in an older file, or when the recorder could not tell.
 */
struct session_header {
	uint16_t major, minor;
	uint32_t flags;
	uint32_t page_size;
	int pid;
	uint64_t start_time; /* /proc/PID/stat field 22, clock ticks */
	double interval;
	double created; /* wall clock of the first sample */
	char kernel[128];
	char host[128];
	char version[32];
	char cmdline[SNAP_CMDLINE_MAX];
	uint32_t clock_ticks; /* sysconf(_SC_CLK_TCK): start_time's unit */
	char boot_id[40];     /* /proc/sys/kernel/random/boot_id */
	/* This file replaces one that was deleted while memtop recorded
	 * into it: when memtop found it gone (unix time, 0: it was not),
	 * and the samples that went with it. */
	double recreated_at;
	uint64_t lost_samples;
	/* The recorder's own oom_score_adj (oom.h oom_self_protect): before
	 * and after it tried to lower it, and why it could not (-errno, or
	 * 0); has_self_adj 0 when the file does not say. */
	uint8_t has_self_adj;
	int32_t self_adj_before, self_adj_after, self_adj_err;
};

/*
 * What an END frame says.  The fields after time come from extension
 * records (format 1.3; 0 when absent).  How the target ended, when memtop
 * can tell more than final (exit status, signal, OOM kill), goes here: a
 * field, and an entry in end_facts in session-codec.c.
 */
struct session_end {
	enum target_state final;    /* TARGET_ALIVE: the recording was stopped
	                            while the target lived */
	double time;                /* unix time */
	uint64_t samples;           /* sample frames in this segment */
	uint64_t last_seq;          /* the seq of the last of them */
	struct end_verdict verdict; /* how it ended (known 0: not said) */
};

/* The mark frame's kinds: where the user moved the baseline. */
enum session_mark {
	SESSION_MARK_HERE = 0,  /* m: to the sample just written */
	SESSION_MARK_RESET = 1, /* M: back to the recording's first sample */
};

#include "record.h"
#include "replay.h"

#endif
