/*
 * test-classify.c - every region class, on hand-made layouts and on real
 * captures.
 */
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "proc-parse.h"
#include "tap.h"

#define MiB (1ULL << 20)

static void
add(struct snapshot *s, uint64_t start, uint64_t end, const char *perms,
    const char *path, int deleted)
{
	struct region r;

	memset(&r, 0, sizeof r);
	r.start = start;
	r.end = end;
	memcpy(r.perms, perms, 4);
	r.deleted = (uint8_t)deleted;
	if (strcmp(path, "/dev/hugepages/x") == 0) {
		r.has_vmflags = 1;
		r.vmflags = 1ULL << vmflag_lookup("ht");
	}
	snapshot_add_region(s, &r, path, strlen(path));
}

static const char *
label(const struct snapshot *s, const uint8_t *cls, size_t i)
{
	static char buf[128];

	region_class_label((enum region_class)cls[i], region_path(s,
	    &s->regions[i]), s->regions[i].path_len, buf, sizeof buf);
	return buf;
}

static void
test_layout(void)
{
	struct snapshot *s = snapshot_new();
	uint8_t cls[64];
	uint64_t a = 0x7f0000000000ULL;	/* 64 MiB aligned */
	size_t i = 0;

	add(s, 0x400000, 0x401000, "r--p", "/usr/bin/app", 0);
	add(s, 0x401000, 0x402000, "r-xp", "/usr/bin/app", 0);
	add(s, 0x402000, 0x403000, "rw-p", "/usr/bin/app", 0);
	add(s, 0x403000, 0x405000, "rw-p", "", 0);		/* bss */
	add(s, 0x500000, 0x600000, "rw-p", "[heap]", 0);
	add(s, a, a + 2 * MiB, "rw-p", "", 0);			/* arena */
	add(s, a + 2 * MiB, a + 64 * MiB, "---p", "", 0);	/* its reserve */
	add(s, a + 100 * MiB, a + 100 * MiB + 4096, "---p", "", 0);
	add(s, a + 100 * MiB + 4096, a + 108 * MiB, "rw-p", "", 0); /* stack */
	add(s, a + 200 * MiB, a + 201 * MiB, "rw-p", "", 0);	/* holds an SP */
	add(s, a + 202 * MiB, a + 203 * MiB, "rw-p", "", 0);	/* plain anon */
	add(s, a + 204 * MiB, a + 205 * MiB, "rw-p", "[anon:jit cache]", 0);
	add(s, a + 206 * MiB, a + 207 * MiB, "rw-s", "", 0);
	add(s, a + 208 * MiB, a + 209 * MiB, "rw-s", "/dev/shm/seg", 0);
	add(s, a + 210 * MiB, a + 211 * MiB, "rw-s", "/memfd:pool", 1);
	add(s, a + 212 * MiB, a + 213 * MiB, "rw-s", "/SYSV00001234", 1);
	add(s, a + 214 * MiB, a + 215 * MiB, "r--p", "/var/lib/old.db", 1);
	add(s, a + 216 * MiB, a + 218 * MiB, "rw-s", "/dev/hugepages/x", 0);
	add(s, a + 218 * MiB, a + 219 * MiB, "rw-s", "/dev/nvidia0", 0);
	add(s, a + 220 * MiB, a + 221 * MiB, "r--s", "/var/cache/data.bin", 0);
	add(s, a + 222 * MiB, a + 223 * MiB, "rw-s", "[anon_shmem:ring]", 0);
	add(s, 0x7ffd00000000ULL, 0x7ffd00021000ULL, "rw-p", "[stack]", 0);
	add(s, 0x7ffd00100000ULL, 0x7ffd00102000ULL, "r--p", "[vvar_vclock]", 0);
	add(s, 0x7ffd00102000ULL, 0x7ffd00104000ULL, "r-xp", "[vdso]", 0);
	add(s, 0xffffffffff600000ULL, 0xffffffffff601000ULL, "--xp",
	    "[vsyscall]", 0);
	snapshot_add_thread_sp(s, a + 200 * MiB + 12345);
	snapshot_add_thread_sp(s, 0x7ffd00020000ULL);	/* main: stays stack */
	classify_snapshot(s, cls);

	is_str(label(s, cls, i++), "rodata", "a file's r--p is rodata");
	is_str(label(s, cls, i++), "code", "a file's r-xp is code");
	is_str(label(s, cls, i++), "data", "a file's rw-p is data");
	is_str(label(s, cls, i++), "bss", "anon right after data is bss");
	is_str(label(s, cls, i++), "heap", "[heap]");
	is_str(label(s, cls, i++), "malloc-arena", "64 MiB aligned arena");
	is_str(label(s, cls, i++), "guard", "the arena's reserve is guard");
	is_str(label(s, cls, i++), "guard", "a guard page");
	is_str(label(s, cls, i++), "thread-stack", "glibc guard+stack pattern");
	is_str(label(s, cls, i++), "thread-stack", "a mapping holding an SP");
	is_str(label(s, cls, i++), "anon", "other anonymous memory");
	is_str(label(s, cls, i++), "anon:jit cache", "[anon:NAME]");
	is_str(label(s, cls, i++), "shm", "shared anonymous");
	is_str(label(s, cls, i++), "shm", "/dev/shm");
	is_str(label(s, cls, i++), "shm", "memfd, deleted, still shm");
	is_str(label(s, cls, i++), "shm", "SysV segment");
	is_str(label(s, cls, i++), "deleted", "a deleted file");
	is_str(label(s, cls, i++), "hugetlb", "hugetlbfs");
	is_str(label(s, cls, i++), "device", "a device mapping");
	is_str(label(s, cls, i++), "file", "a shared file mapping");
	is_str(label(s, cls, i++), "shm", "[anon_shmem:NAME]");
	is_str(label(s, cls, i++), "stack", "[stack] with the main SP");
	is_str(label(s, cls, i++), "kernel", "[vvar_vclock]");
	is_str(label(s, cls, i++), "kernel", "[vdso]");
	is_str(label(s, cls, i++), "kernel", "[vsyscall]");
	snapshot_free(s);
}

static void
test_names(void)
{
	int c;
	int ok_all = 1;

	for (c = 0; c < RC_COUNT; c++) {
		if (c != RC_ANON_NAMED &&
		    region_class_lookup(region_class_name(c)) != c)
			ok_all = 0;
	}
	ok(ok_all, "every class name looks up to itself");
	ok(region_class_lookup("anon:x") == RC_ANON_NAMED, "anon:NAME lookup");
	ok(region_class_lookup("nonsense") == -1, "unknown class refused");
}

/* Classes of a real capture, by path. */
static void
test_capture(void)
{
	struct snapshot *s = snapshot_new();
	char *buf = NULL, *sys = NULL;
	FILE *f;
	size_t len = 0, i, slen = 0;
	uint8_t *cls;
	int heap = 0, code = 0, rodata = 0, stack = 0, kernel = 0, tstack = 0;
	uint64_t sp;

	f = fopen(fixture_path("smaps-python.txt"), "rb");
	if (f == NULL || getdelim(&buf, &len, '\0', f) < 0) {
		ok(0, "python capture readable");
		return;
	}
	fclose(f);
	parse_smaps(buf, strlen(buf), s);
	f = fopen(fixture_path("syscall-python.txt"), "rb");
	while (f != NULL && getline(&sys, &slen, f) > 0) {
		if (parse_syscall_sp(sys, strlen(sys), &sp) == 0)
			snapshot_add_thread_sp(s, sp);
	}
	if (f != NULL)
		fclose(f);
	cls = calloc(s->nregions, 1);
	classify_snapshot(s, cls);
	for (i = 0; i < s->nregions; i++) {
		const char *p = region_path(s, &s->regions[i]);

		heap += cls[i] == RC_HEAP && strcmp(p, "[heap]") == 0;
		stack += cls[i] == RC_STACK;
		kernel += cls[i] == RC_KERNEL;
		tstack += cls[i] == RC_THREAD_STACK;
		if (strstr(p, "libc.so") != NULL) {
			code += cls[i] == RC_CODE;
			rodata += cls[i] == RC_RODATA;
		}
	}
	ok(heap == 1 && stack == 1, "python: one heap, one main stack");
	ok(code == 1 && rodata >= 1, "python: libc's code and rodata");
	ok(kernel >= 2, "python: vdso and vvar are kernel");
	ok(tstack >= 1, "python: its second thread's stack is found");
	free(cls);
	free(buf);
	free(sys);
	snapshot_free(s);
}

int
main(void)
{
	test_layout();
	test_names();
	test_capture();
	return tap_done();
}
