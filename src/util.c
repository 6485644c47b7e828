/*
 * util.c - escaping, formatting, clocks, allocation, fatal errors.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

/*
 * Length of the valid UTF-8 sequence at s (1..4) with its code point in
 * *cp, or 0 if the bytes there are not one (overlong forms, surrogates and
 * code points past U+10FFFF are rejected).
 */
static size_t
utf8_seq_len(const unsigned char *s, size_t len, unsigned int *cp_out)
{
	unsigned int cp;
	size_t n, i;

	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 0;
	n = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : 2;
	if (n > len)
		return 0;
	cp = s[0] & (0x7f >> n);
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	*cp_out = cp;
	return n;
}

/* C1 controls: valid UTF-8 that some terminals act on. */
static bool
is_c1(unsigned int cp)
{
	return cp >= 0x80 && cp < 0xa0;
}

/* Valid UTF-8 that a reader cannot see, or that reorders or breaks what
 * is around it: bidi controls and marks, zero-width and invisible
 * formatting characters, line and paragraph separators, tags. */
static bool
is_hidden(unsigned int cp)
{
	return cp == 0xad || cp == 0x61c || cp == 0x180e ||
	    (cp >= 0x200b && cp <= 0x200f) || (cp >= 0x2028 && cp <= 0x202e) ||
	    (cp >= 0x2060 && cp <= 0x206f) || cp == 0xfeff ||
	    (cp >= 0xfff9 && cp <= 0xfffb) || (cp >= 0xe0000 && cp <= 0xe007f);
}

size_t
esc_text(const char *s, size_t len, char *out, size_t size, bool utf8)
{
	const unsigned char *u = (const unsigned char *)s;
	char tmp[12];
	size_t i = 0, o = 0, n, k;
	unsigned int cp;

	if (size == 0)
		return 0;
	while (i < len) {
		const char *piece = tmp;

		n = 1;
		if (u[i] >= 0x20 && u[i] < 0x7f && u[i] != '\\') {
			tmp[0] = (char)u[i];
			k = 1;
		} else if (u[i] == '\\') {
			memcpy(tmp, "\\\\", 2);
			k = 2;
		} else if (u[i] == '\n') {
			memcpy(tmp, "\\n", 2);
			k = 2;
		} else if (u[i] == '\t') {
			memcpy(tmp, "\\t", 2);
			k = 2;
		} else if (u[i] == 0x1b) {
			memcpy(tmp, "\\e", 2);
			k = 2;
		} else if (utf8 &&
		    (n = utf8_seq_len(u + i, len - i, &cp)) != 0 &&
		    !is_c1(cp) && !is_hidden(cp)) {
			piece = s + i;
			k = n;
		} else if (utf8 && n != 0 && is_hidden(cp)) {
			k = (size_t)snprintf(tmp, sizeof tmp,
			    cp > 0xffff ? "\\U%06x" : "\\u%04x", cp);
		} else {
			n = 1;
			k = (size_t)snprintf(tmp, sizeof tmp, "\\x%02x", u[i]);
		}
		if (o + k >= size)
			break;
		memcpy(out + o, piece, k);
		o += k;
		i += n;
	}
	out[o] = '\0';
	return o;
}

void
json_put_string(FILE *f, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned int cp;
	size_t i, n;

	putc('"', f);
	for (i = 0; i < len; i++) {
		if (u[i] == '"' || u[i] == '\\') {
			putc('\\', f);
			putc(u[i], f);
		} else if (u[i] == '\n')
			fputs("\\n", f);
		else if (u[i] == '\t')
			fputs("\\t", f);
		else if (u[i] < 0x20 || u[i] == 0x7f)
			fprintf(f, "\\u%04x", u[i]);
		else if (u[i] < 0x80)
			putc(u[i], f);
		else if ((n = utf8_seq_len(u + i, len - i, &cp)) != 0) {
			/* Escaped, so that what a reader of the JSON sees is
			 * what it means; decoded, the same character. */
			if (is_c1(cp) || (is_hidden(cp) && cp <= 0xffff))
				fprintf(f, "\\u%04x", cp);
			else if (is_hidden(cp))
				fprintf(f, "\\u%04x\\u%04x",
				    0xd800 + ((cp - 0x10000) >> 10),
				    0xdc00 + ((cp - 0x10000) & 0x3ff));
			else
				fwrite(u + i, 1, n, f);
			i += n - 1;
		} else {
			/* Not UTF-8: the byte as a lone low surrogate
			 * U+DC80..U+DCFF (Python's surrogateescape), so
			 * that os.fsencode() gives the bytes back and no
			 * real character is mistaken for it. */
			fprintf(f, "\\u%04x", 0xdc00 | u[i]);
		}
	}
	putc('"', f);
}

void
csv_put_field(FILE *f, const char *s, size_t len)
{
	char stackbuf[1024], *buf = stackbuf;
	size_t size = len * 4 + 1, n, i;
	bool quote;

	if (size > sizeof stackbuf)
		buf = xmalloc(size);
	n = esc_text(s, len, buf, size, true);
	quote = n == 0 ? false : strpbrk(buf, ",\"") != NULL || buf[0] == ' ';
	if (quote)
		putc('"', f);
	for (i = 0; i < n; i++) {
		if (buf[i] == '"')
			putc('"', f);
		putc(buf[i], f);
	}
	if (quote)
		putc('"', f);
	if (buf != stackbuf)
		free(buf);
}

char *
fmt_kb(uint64_t kb, char *buf, size_t size)
{
	static const char units[] = "KMGTPEZ";
	double v = (double)kb;
	int u = 0;

	if (kb < 1024) {
		snprintf(buf, size, "%lluK", (unsigned long long)kb);
		return buf;
	}
	while (v >= 1024 && u < 6) {
		v /= 1024;
		u++;
	}
	/* 1023.6M would round to "1024M": that is 1.0G. */
	if (v >= 1023.5 && u < 6) {
		v /= 1024;
		u++;
	}
	if (v < 9.95)
		snprintf(buf, size, "%.1f%c", v, units[u]);
	else
		snprintf(buf, size, "%.0f%c", v, units[u]);
	return buf;
}

char *
fmt_kb_delta(int64_t kb, char *buf, size_t size)
{
	uint64_t mag;

	if (kb == 0) {
		snprintf(buf, size, "0");
		return buf;
	}
	mag = kb < 0 ? (uint64_t)0 - (uint64_t)kb : (uint64_t)kb;
	if (size < 2) {
		if (size)
			buf[0] = '\0';
		return buf;
	}
	buf[0] = kb < 0 ? '-' : '+';
	fmt_kb(mag, buf + 1, size - 1);
	return buf;
}

const char *
fmt_none(void)
{
	return locale_is_utf8() ? "\u2013" : "-";
}

char *
fmt_rate(double kb_s, char *buf, size_t size)
{
	static const char units[] = "KMGTPEZ";
	double a = kb_s < 0 ? -kb_s : kb_s;
	int u = 0;

	/* Past 999Z/s (a damaged recording's times) is no rate either. */
	if (!isfinite(kb_s) || a >= 1e21) {
		snprintf(buf, size, "%s", fmt_none());
		return buf;
	}
	if (a < 0.05) {
		snprintf(buf, size, "0/s");
		return buf;
	}
	/* As fmt_kb() writes sizes, but under 1000 of a unit so that it
	 * stays in 7 columns: 999.5 and up is "1.0" of the next. */
	while (a >= 999.5 && u < 6) {
		a /= 1024;
		u++;
	}
	snprintf(buf, size, a < 9.95 ? "%c%.1f%c/s" : "%c%.0f%c/s",
	    kb_s < 0 ? '-' : '+', a, units[u]);
	return buf;
}

char *
fmt_duration(double seconds, char *buf, size_t size)
{
	unsigned long long s = seconds > 0 ? (unsigned long long)seconds : 0;

	if (s >= 86400)
		snprintf(
		    buf, size, "%llud%02lluh", s / 86400, s % 86400 / 3600);
	else if (s >= 3600)
		snprintf(buf, size, "%lluh%02llum", s / 3600, s % 3600 / 60);
	else if (s >= 60)
		snprintf(buf, size, "%llum%02llus", s / 60, s % 60);
	else
		snprintf(buf, size, "%llus", s);
	return buf;
}

static double
clock_seconds(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double
clock_mono(void)
{
	return clock_seconds(CLOCK_MONOTONIC);
}

double
clock_wall(void)
{
	return clock_seconds(CLOCK_REALTIME);
}

double
clock_cpu(void)
{
	return clock_seconds(CLOCK_PROCESS_CPUTIME_ID);
}

bool
locale_is_utf8(void)
{
	const char *cs = nl_langinfo(CODESET);

	return cs != NULL &&
	    (strcasecmp(cs, "UTF-8") == 0 || strcasecmp(cs, "utf8") == 0);
}

double
parse_duration(const char *s)
{
	char *end;
	double v;

	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || v != v || v < 0)
		return -1;
	switch (*end) {
	case '\0':
	case 's':
		break;
	case 'm':
		v *= 60;
		break;
	case 'h':
		v *= 3600;
		break;
	case 'd':
		v *= 86400;
		break;
	default:
		return -1;
	}
	if (*end != '\0' && end[1] != '\0')
		return -1;
	return v;
}

double
parse_time(const char *spec, double first, double last)
{
	static const char *const formats[] = { "%Y-%m-%d %H:%M:%S",
		"%Y-%m-%d %H:%M", "%H:%M:%S", "%H:%M" };
	struct tm tm;
	const char *end;
	size_t i;
	char *e;
	double v;
	time_t t;

	if (spec == NULL || *spec == '\0')
		return -1;
	if (spec[0] == '+' || spec[0] == '-') {
		v = parse_duration(spec + 1);
		if (v < 0)
			return -1;
		return spec[0] == '+' ? first + v : last - v;
	}
	v = strtod(spec, &e);
	if (*e == '\0' && e != spec)
		return isfinite(v) && v >= 0 ? v : -1;
	/* A local date and time, or a time on the day of the first sample. */
	for (i = 0; i < sizeof formats / sizeof formats[0]; i++) {
		/* A failed strptime may have written some fields: start over. */
		t = (time_t)first;
		localtime_r(&t, &tm);
		tm.tm_sec = 0;
		end = strptime(spec, formats[i], &tm);
		if (end != NULL && *end == '\0') {
			tm.tm_isdst = -1;
			return (double)mktime(&tm);
		}
	}
	return -1;
}

uint32_t
hash_bytes(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		fatal(EXIT_FAILURE_GENERIC, "out of memory (%zu bytes)", n);
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		fatal(EXIT_FAILURE_GENERIC, "out of memory");
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (q == NULL)
		fatal(EXIT_FAILURE_GENERIC, "out of memory (%zu bytes)", n);
	return q;
}

char *
xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(xmalloc(n), s, n);
}

int
thread_start(pthread_t *thread, void *(*fn)(void *), void *arg)
{
	sigset_t all, old;
	int rc;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(thread, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		fatal(EXIT_FAILURE_GENERIC, "out of memory");
	va_end(ap);
	return s;
}

static void (*fatal_hook)(void);
static pthread_t fatal_hook_thread;
static int fatal_wake_fd = -1;
/* A fatal() of another thread, waiting for the hook's thread. */
static pthread_mutex_t fatal_lock = PTHREAD_MUTEX_INITIALIZER;
static char *fatal_msg;
static int fatal_code;
static volatile sig_atomic_t fatal_pending;

void
fatal_set_hook(void (*hook)(void), int wake_fd)
{
	pthread_mutex_lock(&fatal_lock);
	fatal_hook = hook;
	fatal_hook_thread = pthread_self();
	fatal_wake_fd = hook != NULL ? wake_fd : -1;
	pthread_mutex_unlock(&fatal_lock);
}

/* "memtop: MESSAGE\n" on stderr, the message escaped as in esc_text: it
 * may quote a path or an argument, and those can hold any byte. */
static void __attribute__((format(printf, 1, 0)))
error_vprint(const char *fmt, va_list ap)
{
	char *msg, *out;
	int n = vasprintf(&msg, fmt, ap);

	if (n < 0) {
		fputs("memtop: out of memory\n", stderr);
		return;
	}
	out = malloc(4 * (size_t)n + 1); /* "\xNN" is the widest */
	if (out != NULL)
		esc_text(
		    msg, (size_t)n, out, 4 * (size_t)n + 1, locale_is_utf8());
	fprintf(stderr, "memtop: %s\n", out != NULL ? out : "out of memory");
	free(out);
	free(msg);
}

void
error_print(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	error_vprint(fmt, ap);
	va_end(ap);
}

/* fatal() off the hook's thread: hand the message over and wait. */
static void __attribute__((noreturn, format(printf, 2, 0)))
fatal_hand_over(int code, const char *fmt, va_list ap)
{
	struct timespec tick = { 0, 50 * 1000 * 1000 };
	char *msg = NULL, c = 'F';
	int i;

	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	pthread_mutex_lock(&fatal_lock);
	if (!fatal_pending) {
		fatal_msg = msg;
		fatal_code = code;
		fatal_pending = 1;
	}
	if (fatal_wake_fd >= 0 && write(fatal_wake_fd, &c, 1) < 0)
		c = 0;
	pthread_mutex_unlock(&fatal_lock);
	for (i = 0; i < 100; i++)
		nanosleep(&tick, NULL);
	/* The hook's thread is stuck: say it without the hook. */
	error_print("%s", msg != NULL ? msg : "out of memory");
	_exit(code);
}

void
fatal_check(void)
{
	char *msg;
	int code;

	if (!fatal_pending)
		return;
	pthread_mutex_lock(&fatal_lock);
	msg = fatal_msg;
	code = fatal_code;
	pthread_mutex_unlock(&fatal_lock);
	fatal(code, "%s", msg != NULL ? msg : "out of memory");
}

void
fatal(int code, const char *fmt, ...)
{
	void (*hook)(void);
	va_list ap;

	pthread_mutex_lock(&fatal_lock);
	hook = fatal_hook;
	if (hook != NULL && !pthread_equal(pthread_self(), fatal_hook_thread)) {
		pthread_mutex_unlock(&fatal_lock);
		va_start(ap, fmt);
		fatal_hand_over(code, fmt, ap);
	}
	fatal_hook = NULL;
	pthread_mutex_unlock(&fatal_lock);
	if (hook != NULL)
		hook();
	va_start(ap, fmt);
	error_vprint(fmt, ap);
	va_end(ap);
	exit(code);
}

const char *
mode_not_regular(unsigned mode)
{
	if (S_ISREG(mode))
		return NULL;
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISCHR(mode) || S_ISBLK(mode))
		return "a device";
	if (S_ISSOCK(mode))
		return "a socket";
	return "not a plain file";
}

long
read_file_at(int dirfd, const char *name, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t n = 0;
	int fd;

	if (size == 0)
		return -EINVAL;
	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	while (len < size - 1 &&
	    ((n = read(fd, buf + len, size - 1 - len)) > 0 ||
	        (n < 0 && errno == EINTR)))
		len += n > 0 ? (size_t)n : 0;
	if (n < 0)
		n = -errno;
	close(fd);
	buf[len] = '\0';
	return n < 0 ? (long)n : (long)len;
}

int
proc_hidepid_parse(const char *line)
{
	static const struct {
		const char *name;
		int mode;
	} modes[] = { { "0", 0 }, { "off", 0 }, { "1", 1 }, { "noaccess", 1 },
		{ "2", 2 }, { "invisible", 2 }, { "4", 4 },
		{ "ptraceable", 4 } };
	const char *h;
	size_t i, n;

	if (strstr(line, " /proc ") == NULL ||
	    strstr(line, " - proc ") == NULL ||
	    (h = strstr(line, "hidepid=")) == NULL)
		return 0;
	h += 8;
	n = strcspn(h, ", \n");
	for (i = 0; i < sizeof modes / sizeof modes[0]; i++) {
		if (strlen(modes[i].name) == n &&
		    strncmp(h, modes[i].name, n) == 0)
			return modes[i].mode;
	}
	return 2; /* a mode of a newer kernel: say it hides */
}

int
proc_hidepid(void)
{
	char line[4096];
	FILE *f = fopen("/proc/self/mountinfo", "re");
	int mode = 0;

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof line, f) != NULL) {
		if (strstr(line, " /proc ") != NULL &&
		    strstr(line, " - proc ") != NULL)
			mode = proc_hidepid_parse(line);
	}
	fclose(f);
	return mode;
}

void
str_catf(char *buf, size_t size, size_t *at, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*at >= size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *at, size - *at, fmt, ap);
	va_end(ap);
	if (n > 0)
		*at += (size_t)n < size - *at ? (size_t)n : size - *at - 1;
}

int
exit_for_open_error(int err)
{
	return err == -EACCES || err == -EPERM ? EXIT_PERMISSION :
	    err == -ESRCH                      ? EXIT_TARGET_GONE :
	    err == -EINVAL                     ? EXIT_USAGE :
	                                         EXIT_FAILURE_GENERIC;
}
