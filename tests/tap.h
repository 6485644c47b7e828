/*
 * tap.h - a minimal TAP producer for the unit tests (automake's tap-driver
 * counts the lines).  Each ok() is one test; plan at the end.
 */
#ifndef MEMTOP_TAP_H
#define MEMTOP_TAP_H

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_n, tap_failed;

static inline int __attribute__((format(printf, 4, 5)))
tap_ok(int cond, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	tap_n++;
	printf("%sok %d - ", cond ? "" : "not ", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!cond) {
		tap_failed++;
		printf("#   failed at %s:%d\n", file, line);
	}
	fflush(stdout);
	return cond;
}

#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define is_u64(got, want, ...)                                                \
	do {                                                                  \
		uint64_t g_ = (got), w_ = (want);                             \
		if (!ok(g_ == w_, __VA_ARGS__))                               \
			printf("#   got %" PRIu64 ", want %" PRIu64 "\n", g_, \
			    w_);                                              \
	} while (0)
#define is_str(got, want, ...)                                           \
	do {                                                             \
		const char *g_ = (got), *w_ = (want);                    \
		if (!ok(g_ != NULL && strcmp(g_, w_) == 0, __VA_ARGS__)) \
			printf("#   got \"%s\", want \"%s\"\n",          \
			    g_ ? g_ : "(null)", w_);                     \
	} while (0)
#define diag(...)                    \
	do {                         \
		printf("# ");        \
		printf(__VA_ARGS__); \
		printf("\n");        \
	} while (0)

static inline int
tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

/* Path of a fixture file under tests/fixtures (srcdir-aware). */
static inline const char *
fixture_path(const char *name)
{
	static char buf[4096];
	const char *dir = getenv("srcdir");

	snprintf(
	    buf, sizeof(buf), "%s/tests/fixtures/%s", dir ? dir : ".", name);
	return buf;
}

/* A fixture's bytes, malloc'd and NUL-terminated (*len excludes the NUL);
 * exits when it cannot be read. */
static inline char *
fixture_slurp(const char *name, size_t *len)
{
	FILE *f = fopen(fixture_path(name), "rb");
	char *buf;
	long n;

	if (f == NULL) {
		printf("# cannot open %s\n", fixture_path(name));
		exit(1);
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	*len = fread(buf, 1, (size_t)n, f);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

#endif
