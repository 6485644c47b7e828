/*
 * util.h - small helpers shared by every consumer of the model: escaping of
 * bytes that came from the target, human-readable sizes, clocks.  No curses.
 */
#ifndef MEMTOP_UTIL_H
#define MEMTOP_UTIL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * Escape bytes from outside (the target's, a recording's, a cgroup's name)
 * for a terminal or a line of text: printable ASCII passes, valid UTF-8
 * passes when utf8 is true, '\\' becomes "\\\\", and every other byte
 * (controls, ESC, DEL, invalid UTF-8, and C1 controls) becomes "\xNN" (\n,
 * \t, \e get their short forms).  Characters that hide or reorder text
 * (bidi controls such as U+202E, zero-width and invisible ones such as
 * U+200B, line separators, tags) become "\u202e", "\U0e0001".  The one
 * escaping printer of every output: the screen, batch text, CSV (and JSON
 * the same characters, as JSON escapes).  Writes at most size - 1 bytes
 * plus a NUL, never cutting an escape in half; returns the bytes written.
 */
size_t esc_text(const char *s, size_t len, char *out, size_t size, bool utf8);

/* Write s as a JSON string (with quotes): valid JSON whatever the bytes;
 * C1 controls as \u0080..\u009f, what esc_text() shows as \u202e as that
 * JSON escape, and bytes that are not UTF-8 as lone surrogates
 * \udc80..\udcff (Python's surrogateescape: faithful). */
void json_put_string(FILE *f, const char *s, size_t len);

/* Write s as a CSV field (RFC 4180 quoting when needed); control bytes and
 * invalid UTF-8 are escaped as in esc_text so a row stays one line. */
void csv_put_field(FILE *f, const char *s, size_t len);

/*
 * The one way memtop writes a size and a rate for a person, on every screen
 * and in batch text (CSV and JSON write exact kB numbers instead).
 *
 * A size in kB: "0K", "512K", "1000K", "1.5M", "200M", "4.0G": binary
 * units that scale, one decimal under 10 of a unit; at most FMT_KB_WIDTH
 * chars ("1023K"), whatever the value.
 */
#define FMT_KB_WIDTH 5
char *fmt_kb(uint64_t kb, char *buf, size_t size);
/* A signed change in kB: "+1.2M", "-512K", "0"; at most FMT_KB_WIDTH + 1. */
char *fmt_kb_delta(int64_t kb, char *buf, size_t size);
/* A growth rate in kB/s, always with its unit per second, its sign and
 * the units of fmt_kb(): "+64K/s", "-1.5M/s", "+0.3K/s", "0/s" (under 0.05
 * kB/s either way), and fmt_none() when it is not known yet (NAN: too few
 * samples) or not finite.  At most FMT_RATE_WIDTH chars ("+999K/s"). */
#define FMT_RATE_WIDTH 7
char *fmt_rate(double kb_s, char *buf, size_t size);
/* What a figure not known yet reads as on the screen and in text: "\u2013"
 * (an en dash) in a UTF-8 locale, else "-".  One column. */
const char *fmt_none(void);
/* "1h02m", "3m05s", "42s". */
char *fmt_duration(double seconds, char *buf, size_t size);
/* printf onto the end of buf at *at (its length so far), never past size:
 * buf stays NUL-ended and *at moves to its new end. */
void str_catf(char *buf, size_t size, size_t *at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* pthread_create() with every signal blocked in the new thread: signals
 * belong to the interface's (or the sample loop's) thread, never to a
 * helper that may be stuck in a read or a transfer.  0 or an errno. */
int thread_start(pthread_t *thread, void *(*fn)(void *), void *arg);

double clock_mono(void);
double clock_wall(void);
double clock_cpu(void); /* this process's CPU seconds */

/* Whether the current locale's codeset is UTF-8. */
bool locale_is_utf8(void);

/* Parse "10m", "2h", "30s", "1.5" (seconds) into seconds; -1 on error. */
double parse_duration(const char *s);

/* What a file of st_mode mode is when it is not a regular file ("a
 * directory", "a FIFO", "a device", ...), or NULL when it is one. */
const char *mode_not_regular(unsigned mode);

/*
 * A time given by the user: unix seconds ("1700000000.5"), "+DURATION"
 * after first, "-DURATION" before last, or a local "HH:MM[:SS]" (on the
 * day of first) or "YYYY-MM-DD HH:MM[:SS]".  -1 if it is none of these.
 */
double parse_time(const char *spec, double first, double last);

/* Read the file name at dirfd (AT_FDCWD: from the working directory) into
 * buf: at most size - 1 bytes, then a NUL; the rest of a longer file is
 * left unread.  Its length, or -errno. */
long read_file_at(int dirfd, const char *name, char *buf, size_t size);

/* How /proc is mounted, from /proc/self/mountinfo: 0 shows every process;
 * hidepid=1 (noaccess) shows other users' processes but hides their files;
 * 2 (invisible) hides those processes; 4 (ptraceable) hides those this
 * user may not ptrace.  Non-zero: something is hidden. */
int proc_hidepid(void);
/* The hidepid mode of one line of mountinfo, if it mounts proc on /proc
 * (else 0). */
int proc_hidepid_parse(const char *line);

/* FNV-1a of the bytes: the hash of the path tables. */
uint32_t hash_bytes(const void *p, size_t len);

/* malloc or die with a message (the fatal hook restores the terminal). */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
/* malloc'd printf, never NULL. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "memtop: MESSAGE" on stderr, escaped as esc_text escapes (a message can
 * quote a path or an argument). */
void error_print(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Called by fatal() before it prints and exits; the view registers one to
 * restore the terminal (NULL: none).  The hook runs on the thread that set
 * it, never on another: fatal() on another thread (the sampler's, out of
 * memory) hands its message to that thread instead, writes a byte to
 * wake_fd (-1: none) and waits; that thread calls fatal_check() when it
 * wakes, which exits as fatal() would.  Should it not come within 5 s,
 * fatal() prints and exits without the hook.
 */
void fatal_set_hook(void (*hook)(void), int wake_fd);
/* On the hook's thread: if another thread called fatal(), exit now. */
void fatal_check(void);
void fatal(int code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), noreturn));

/* v as a varint (7 bits a byte, low first) at out, which has room for 10
 * bytes; returns the bytes written.  Inline: a recorded region is some
 * thirty of them. */
static inline size_t
varint_put(uint8_t *out, uint64_t v)
{
	size_t n = 0;

	while (v >= 0x80) {
		out[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	out[n++] = (uint8_t)v;
	return n;
}

/* The varint at *p, which moves past it: for memtop's own buffers (a file's
 * bytes are read with session-codec.h's bounds-checked reader). */
static inline uint64_t
varint_get(const uint8_t **p)
{
	uint64_t v = 0;
	int sh = 0;
	uint8_t c;

	do {
		c = *(*p)++;
		v |= (uint64_t)(c & 0x7f) << sh;
		sh += 7;
	} while ((c & 0x80) && sh < 64);
	return v;
}

/* Exit codes, documented in memtop(1). */
enum memtop_exit {
	EXIT_OK = 0,
	EXIT_FAILURE_GENERIC = 1, /* internal error, out of memory */
	EXIT_USAGE = 2,           /* bad option or argument */
	EXIT_TARGET_GONE = 3,     /* no such process / it exited */
	EXIT_PERMISSION = 4,      /* may not read the target */
	EXIT_BAD_SESSION = 5,     /* damaged or unreadable session file */
	EXIT_TERMINAL = 6         /* no usable terminal for the dashboard */
};

/* The exit code for a target that could not be opened (source_live_open()'s
 * -errno). */
int exit_for_open_error(int err);

#endif
