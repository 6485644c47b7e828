/*
 * test-exe-probe.c - the ELF probe of /proc/PID/exe: Go's build
 * information (both formats), CPython, dynamic linking; damaged and
 * hostile files; this very process through /proc/self.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exe-probe.h"
#include "tap.h"

/* A seed of the fuzz corpus, read whole; NULL if missing. */
static uint8_t *
seed(const char *name, size_t *len)
{
	static char path[4096];
	const char *dir = getenv("srcdir");
	uint8_t *buf = malloc(1 << 16);
	ssize_t n;
	int fd;

	snprintf(path, sizeof path, "%s/fuzz/corpus-exe-probe/%s",
	    dir ? dir : ".", name);
	fd = open(path, O_RDONLY);
	n = fd >= 0 ? read(fd, buf, 1 << 16) : -1;
	if (fd >= 0)
		close(fd);
	if (n <= 0) {
		free(buf);
		return NULL;
	}
	*len = (size_t)n;
	return buf;
}

static void
test_go(void)
{
	struct runtime_facts rt;
	size_t len = 0, cut;
	uint8_t *b = seed("go-static.elf", &len);
	int bad = 0;

	ok(b != NULL && exe_probe_mem(b, len, "/srv/app", &rt) == 0 &&
	        rt.probed && (rt.flags & RT_GO) && !(rt.flags & RT_DYNAMIC),
	    "a static Go binary: Go, not dynamic");
	is_str(rt.go_version, "go1.19.8", "its version, inline (Go 1.18+)");
	ok(rt.go_major == 1 && rt.go_minor == 19, "version numbers 1.19");
	/* Every truncation: never a crash, never a version from outside. */
	for (cut = 0; b != NULL && cut < len; cut++) {
		uint8_t *t = malloc(cut ? cut : 1);

		memcpy(t, b, cut);
		if (exe_probe_mem(t, cut, NULL, &rt) == 0 &&
		    strlen(rt.go_version) >= sizeof rt.go_version)
			bad++;
		free(t);
	}
	ok(b != NULL && bad == 0, "every truncated copy probes safely");
	/* Stripped of its section headers: found in the writable segment. */
	if (b != NULL)
		memset(b + 40, 0, 8);
	ok(b != NULL && exe_probe_mem(b, len, NULL, &rt) == 0 &&
	        (rt.flags & RT_GO) && strcmp(rt.go_version, "go1.19.8") == 0,
	    "without section headers: found by its magic (%s)", rt.go_version);
	free(b);

	b = seed("go-cgo.elf", &len);
	ok(b != NULL && exe_probe_mem(b, len, NULL, &rt) == 0 &&
	        (rt.flags & RT_GO) && (rt.flags & RT_DYNAMIC) &&
	        rt.go_minor == 26,
	    "a cgo Go 1.26 binary: Go, dynamic (%s)", rt.go_version);
	free(b);

	b = seed("go-old.elf", &len);
	ok(b != NULL && exe_probe_mem(b, len, NULL, &rt) == 0 &&
	        (rt.flags & RT_GO),
	    "Go before 1.18: found");
	is_str(rt.go_version, "go1.16.15",
	    "its version through the pointer to a string header");
	/* Its pointer aimed past the end of the file. */
	if (b != NULL) {
		b[0xb0 + 16] = 0xf0;
		ok(exe_probe_mem(b, len, NULL, &rt) == 0 &&
		        (rt.flags & RT_GO) && rt.go_version[0] == '\0',
		    "a pointer outside the file: Go, no version");
	}
	free(b);
}

static void
test_other(void)
{
	struct runtime_facts rt;
	uint8_t major = 0, minor = 0, junk[256];
	size_t len = 0;
	uint8_t *b = seed("cpython.elf", &len);
	char self[64];
	int fd;

	ok(b != NULL &&
	        exe_probe_mem(b, len, "/usr/bin/python3.11", &rt) == 0 &&
	        (rt.flags & RT_CPYTHON) && !(rt.flags & RT_GO) &&
	        rt.py_major == 3 && rt.py_minor == 11,
	    "CPython: .PyRuntime, version 3.11 from the name");
	free(b);
	ok(exe_probe_python_name(
	       "/usr/lib/libpython3.9.so.1.0", &major, &minor) == 0 &&
	        major == 3 && minor == 9,
	    "libpython3.9.so names 3.9");
	ok(exe_probe_python_name("/usr/bin/python3", &major, &minor) != 0,
	    "python3 alone names no minor version");
	memset(junk, 0xff, sizeof junk);
	ok(exe_probe_mem(junk, sizeof junk, NULL, &rt) == -EINVAL && !rt.probed,
	    "no ELF: refused");
	memcpy(junk, "\177ELF\002\001\001", 7);
	ok(exe_probe_mem(junk, sizeof junk, NULL, &rt) == 0 && rt.flags == 0,
	    "an ELF header of 0xff offsets: nothing found, nothing read "
	    "outside");
	/* This test itself, as memtop probes a target. */
	snprintf(self, sizeof self, "/proc/%d", (int)getpid());
	fd = open(self, O_RDONLY | O_DIRECTORY);
	ok(fd >= 0 && exe_probe_dir(fd, &rt) == 0 && rt.probed &&
	        !(rt.flags & RT_GO),
	    "/proc/self/exe of this C test: read, not Go");
	if (fd >= 0)
		close(fd);
}

int
main(void)
{
	test_go();
	test_other();
	return tap_done();
}
