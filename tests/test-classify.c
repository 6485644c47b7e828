/*
 * test-classify.c - every region class, on hand-made layouts and on real
 * captures.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "proc-parse.h"
#include "tap.h"

#define MiB (1ULL << 20)

static struct region *
add(struct snapshot *s, uint64_t start, uint64_t end, const char *perms,
    const char *path, int deleted)
{
	struct region r;

	memset(&r, 0, sizeof r);
	r.start = start;
	r.end = end;
	memcpy(r.perms, perms, 4);
	r.deleted = (uint8_t)deleted;
	r.present = 1ULL << SF_KERNEL_PAGE_SIZE;
	r.kb[SF_KERNEL_PAGE_SIZE] = 4;
	if (strcmp(path, "/dev/hugepages/x") == 0) {
		r.has_vmflags = 1;
		r.vmflags = 1ULL << vmflag_lookup("ht");
	}
	return snapshot_add_region(s, &r, path, strlen(path));
}

static const char *
label(const struct snapshot *s, const uint8_t *cls, size_t i)
{
	static char buf[128];

	region_class_label((enum region_class)cls[i],
	    region_path(s, &s->regions[i]), s->regions[i].path_len, buf,
	    sizeof buf);
	return buf;
}

static void
test_layout(void)
{
	struct snapshot *s = snapshot_new();
	uint8_t cls[64];
	uint64_t a = 0x7f0000000000ULL; /* 64 MiB aligned */
	size_t i = 0;

	add(s, 0x400000, 0x401000, "r--p", "/usr/bin/app", 0);
	add(s, 0x401000, 0x402000, "r-xp", "/usr/bin/app", 0);
	add(s, 0x402000, 0x403000, "rw-p", "/usr/bin/app", 0);
	add(s, 0x403000, 0x405000, "rw-p", "", 0); /* bss */
	add(s, 0x500000, 0x600000, "rw-p", "[heap]", 0);
	add(s, a, a + 2 * MiB, "rw-p", "", 0);            /* arena */
	add(s, a + 2 * MiB, a + 64 * MiB, "---p", "", 0); /* its reserve */
	add(s, a + 100 * MiB, a + 100 * MiB + 4096, "---p", "", 0);
	add(s, a + 100 * MiB + 4096, a + 108 * MiB, "rw-p", "", 0); /* no SP */
	add(s, a + 200 * MiB, a + 201 * MiB, "rw-p", "", 0); /* holds an SP */
	add(s, a + 202 * MiB, a + 203 * MiB, "rw-p", "", 0); /* plain anon */
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
	add(s, 0x7ffd00100000ULL, 0x7ffd00102000ULL, "r--p", "[vvar_vclock]",
	    0);
	add(s, 0x7ffd00102000ULL, 0x7ffd00104000ULL, "r-xp", "[vdso]", 0);
	add(s, 0xffffffffff600000ULL, 0xffffffffff601000ULL, "--xp",
	    "[vsyscall]", 0);
	snapshot_add_thread_sp(s, a + 200 * MiB + 12345);
	snapshot_add_thread_sp(s, 0x7ffd00020000ULL); /* main: stays stack */
	classify_snapshot(s, cls);

	is_str(label(s, cls, i++), "rodata", "a file's r--p is rodata");
	is_str(label(s, cls, i++), "code", "a file's r-xp is code");
	is_str(label(s, cls, i++), "data", "a file's rw-p is data");
	is_str(label(s, cls, i++), "bss", "anon right after data is bss");
	is_str(label(s, cls, i++), "brk-heap", "[heap] is the brk heap");
	is_str(label(s, cls, i++), "malloc-arena", "64 MiB aligned arena");
	is_str(label(s, cls, i++), "guard", "the arena's reserve is guard");
	is_str(label(s, cls, i++), "guard", "a guard page");
	is_str(label(s, cls, i++), "anon",
	    "with SPs read, guard+rw without "
	    "one is not taken for a stack");
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

/* Without stack pointers, glibc's layout tells thread stacks. */
static void
test_guard_pattern(void)
{
	struct snapshot *s = snapshot_new();
	uint8_t cls[16];
	uint64_t a = 0x7f0000000000ULL; /* 64 MiB aligned */
	size_t i = 0;

	add(s, a - 4096, a, "---p", "", 0);
	add(s, a, a + 8 * MiB, "rw-p", "", 0); /* aligned: not */
	add(s, a + 100 * MiB, a + 100 * MiB + 4096, "---p", "", 0);
	add(s, a + 100 * MiB + 4096, a + 108 * MiB, "rw-p", "", 0);
	add(s, a + 200 * MiB, a + 200 * MiB + 4096, "---p", "", 0);
	add(s, a + 200 * MiB + 4096, a + 200 * MiB + 8192, "rw-p", "", 0);
	add(s, a + 300 * MiB, a + 300 * MiB + 4096, "---p", "", 0);
	add(s, a + 300 * MiB + 4096, a + 400 * MiB, "rw-p", "", 0);
	add(s, a + 500 * MiB, a + 500 * MiB + 4096, "---s", "", 0);
	add(s, a + 500 * MiB + 4096, a + 501 * MiB, "rw-p", "", 0);
	add(s, a + 600 * MiB, a + 600 * MiB + 4096, "---p", "/lib/x.so", 0);
	classify_snapshot(s, cls);
	is_str(label(s, cls, i++), "guard", "a guard page");
	is_str(label(s, cls, i++), "anon",
	    "an arena-aligned start: no "
	    "stack");
	i++;
	is_str(label(s, cls, i++), "thread-stack", "guard + 8 MiB rw-p");
	i++;
	is_str(label(s, cls, i++), "anon", "too small for a stack");
	i++;
	is_str(label(s, cls, i++), "anon", "too big for a stack");
	is_str(label(s, cls, i++), "shm", "---s is shared, not a guard");
	is_str(label(s, cls, i++), "anon", "no private guard below");
	is_str(label(s, cls, i++), "guard", "a file's ---p gap is guard");
	snapshot_free(s);
}

/* Data and bss only belong to executable objects; big pages are hugetlb. */
static void
test_bss_hugetlb(void)
{
	struct snapshot *s = snapshot_new();
	uint8_t cls[16];
	struct region *r;
	size_t i = 0;

	add(s, 0x100000, 0x101000, "r--p", "/opt/app.jsa", 0);
	add(s, 0x101000, 0x102000, "rw-p", "/opt/app.jsa", 0);
	add(s, 0x102000, 0x200000, "rw-p", "", 0);
	add(s, 0x300000, 0x301000, "r-xp", "/lib/old.so", 0);
	add(s, 0x301000, 0x302000, "---p", "/lib/old.so", 0);
	add(s, 0x302000, 0x303000, "rw-p", "/lib/old.so", 0);
	add(s, 0x303000, 0x304000, "rw-p", "", 0);
	r = add(s, 0x400000, 0x600000, "rw-s", "/mnt/huge/pool", 0);
	r->kb[SF_KERNEL_PAGE_SIZE] = 2048;
	r = add(s, 0x600000, 0x800000, "rw-p", "/anon_hugepage", 1);
	r->kb[SF_KERNEL_PAGE_SIZE] = 2048;
	classify_snapshot(s, cls);
	is_str(label(s, cls, i++), "rodata", "a data file's r--p");
	is_str(label(s, cls, i++), "data", "a data file's rw-p");
	is_str(label(s, cls, i++), "anon",
	    "anon after a non-ELF file: "
	    "not bss");
	is_str(label(s, cls, i++), "code", "library code");
	is_str(label(s, cls, i++), "guard", "its gap");
	is_str(label(s, cls, i++), "data", "its data");
	is_str(label(s, cls, i++), "bss", "its bss, across the gap");
	is_str(label(s, cls, i++), "hugetlb", "KernelPageSize 2048 is hugetlb");
	is_str(label(s, cls, i++), "hugetlb", "MAP_HUGETLB anonymous");
	snapshot_free(s);
}

static void
test_label(void)
{
	char buf[8];
	size_t n;

	n = region_class_label(
	    RC_ANON_NAMED, "[anon:abcdefgh]", 15, buf, sizeof buf);
	ok(n == 7 && strcmp(buf, "anon:ab") == 0,
	    "a long label is cut "
	    "(%s)",
	    buf);
	n = region_class_label(RC_THREAD_STACK, "", 0, buf, sizeof buf);
	ok(n == 7 && strcmp(buf, "thread-") == 0, "names too");
	n = region_class_label(
	    RC_ANON_NAMED, "[anon:\x1b]", 8, buf, sizeof buf);
	ok(n == 6 && buf[5] == 0x1b, "name bytes raw (escaped when shown)");
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

/* A capture from tests/fixtures parsed into a new snapshot (NULL if
 * missing), with the stack pointers of a syscall capture if given. */
static struct snapshot *
load(const char *smaps, const char *syscall)
{
	struct snapshot *s;
	char *buf = NULL, *line = NULL;
	size_t len = 0, llen = 0;
	uint64_t sp;
	FILE *f;

	f = fopen(fixture_path(smaps), "rb");
	if (f == NULL)
		return NULL;
	if (getdelim(&buf, &len, '\0', f) < 0) {
		fclose(f);
		free(buf);
		return NULL;
	}
	fclose(f);
	s = snapshot_new();
	parse_smaps(buf, strlen(buf), s);
	free(buf);
	f = syscall != NULL ? fopen(fixture_path(syscall), "rb") : NULL;
	while (f != NULL && getline(&line, &llen, f) > 0) {
		if (parse_syscall_sp(line, strlen(line), &sp) == 0)
			snapshot_add_thread_sp(s, sp);
	}
	if (f != NULL)
		fclose(f);
	free(line);
	return s;
}

/* Count the regions of class c whose path contains sub ("" for any). */
static int
count(const struct snapshot *s, const uint8_t *cls, int c, const char *sub)
{
	size_t i;
	int n = 0;

	for (i = 0; i < s->nregions; i++) {
		const struct region *r = &s->regions[i];
		char p[4096];
		size_t len =
		    r->path_len < sizeof p ? r->path_len : sizeof p - 1;

		memcpy(p, region_path(s, r), len);
		p[len] = '\0';
		n += cls[i] == c && strstr(p, sub) != NULL;
	}
	return n;
}

/* Index of the region holding addr, or -1. */
static long
find(const struct snapshot *s, uint64_t addr)
{
	size_t i;

	for (i = 0; i < s->nregions; i++) {
		if (s->regions[i].start <= addr && addr < s->regions[i].end)
			return (long)i;
	}
	return -1;
}

static void
test_python(void)
{
	struct snapshot *s = load("smaps-python.txt", "syscall-python.txt");
	uint8_t *cls;
	long k;

	if (s == NULL) {
		ok(0, "python capture readable");
		return;
	}
	cls = calloc(s->nregions, 1);
	classify_snapshot(s, cls);
	ok(s->nthreads == 2, "python: two stack pointers read");
	ok(count(s, cls, RC_CODE, "bin/python3.11") == 1,
	    "python: the interpreter's r-x mapping is code");
	ok(count(s, cls, RC_BRK_HEAP, "[heap]") == 1 &&
	        count(s, cls, RC_BRK_HEAP, "") == 1,
	    "python: one heap");
	ok(count(s, cls, RC_STACK, "[stack]") == 1, "python: main stack");
	ok(count(s, cls, RC_CODE, "libc.so") == 1 &&
	        count(s, cls, RC_RODATA, "libc.so") >= 1 &&
	        count(s, cls, RC_DATA, "libc.so") >= 1,
	    "python: libc's code, rodata and data");
	ok(count(s, cls, RC_KERNEL, "[vdso]") == 1 &&
	        count(s, cls, RC_KERNEL, "[vvar") >= 1,
	    "python: vdso and vvar");
	k = find(s, 0x7fbde8406c40ULL); /* the second thread's SP */
	ok(k >= 0 && cls[k] == RC_THREAD_STACK,
	    "python: its second thread's stack is found");
	k = find(s, 0x7fbde0000000ULL);
	ok(k >= 0 && cls[k] == RC_MALLOC_ARENA && cls[k + 1] == RC_GUARD,
	    "python: a malloc arena and its reserve");
	ok(count(s, cls, RC_THREAD_STACK, "") == 1,
	    "python: one thread stack besides the main one");
	free(cls);
	snapshot_free(s);
}

static void
test_java(void)
{
	struct snapshot *s = load("smaps-java.txt", NULL);
	uint8_t *cls;
	long k;

	if (s == NULL) {
		ok(0, "java capture readable");
		return;
	}
	cls = calloc(s->nregions, 1);
	classify_snapshot(s, cls);
	ok(count(s, cls, RC_CODE, "bin/java") == 1 &&
	        count(s, cls, RC_CODE, "libjvm.so") == 1,
	    "java: java and libjvm "
	    "code");
	ok(count(s, cls, RC_BRK_HEAP, "") == 1, "java: the brk heap");
	is_u64(count(s, cls, RC_MALLOC_ARENA, ""), 15,
	    "java: every 64 MiB aligned arena with its reserve");
	is_u64(count(s, cls, RC_THREAD_STACK, ""), 19,
	    "java: no SPs read, thread stacks from the guard pattern");
	k = find(s, 0x7fc9db400000ULL);
	ok(k >= 0 && cls[k] == RC_JAVA_META,
	    "java: a 64 KiB mapping above a 4 MiB "
	    "reservation is no stack: metaspace, below the CDS archive");
	k = find(s, 0xffe00000ULL);
	ok(k >= 0 && cls[k] == RC_JAVA_CDS && cls[k + 1] == RC_JAVA_HEAP,
	    "java: anon after the CDS archive's heap objects is not bss: "
	    "the Java heap");
	k = find(s, 0x7fca59e34000ULL);
	ok(k >= 0 && cls[k] == RC_BSS, "java: libc's bss");
	k = find(s, 0x7fca59b12000ULL);
	ok(k >= 0 && cls[k] == RC_BSS, "java: libjvm's bss");
	free(cls);
	snapshot_free(s);
}

static void
test_redis(void)
{
	struct snapshot *s = load("smaps-redis.txt", NULL);
	uint8_t *cls;
	long k;

	if (s == NULL) {
		ok(0, "redis capture readable");
		return;
	}
	cls = calloc(s->nregions, 1);
	classify_snapshot(s, cls);
	ok(count(s, cls, RC_CODE, "/usr/bin/redis") == 1,
	    "redis: its r-x mapping is code");
	ok(count(s, cls, RC_BRK_HEAP, "") == 0 &&
	        count(s, cls, RC_MALLOC_ARENA, "") == 0,
	    "redis: jemalloc, no brk heap and no glibc arena");
	is_u64(count(s, cls, RC_THREAD_STACK, ""), 4,
	    "redis: its four 8 MiB thread stacks");
	k = find(s, 0x7f79a9000000ULL);
	ok(k >= 0 && cls[k] == RC_ANON, "redis: 8 MiB without a guard is anon");
	k = find(s, 0x55952f6d0000ULL);
	ok(k >= 0 && cls[k] == RC_BSS, "redis: its bss");
	ok(count(s, cls, RC_FILE, "gconv-modules.cache") == 1,
	    "redis: a shared read-only file is a file mapping");
	free(cls);
	snapshot_free(s);
}

static void
test_go(void)
{
	struct snapshot *s = load("smaps-go.txt", NULL);
	uint8_t *cls;
	long k;

	if (s == NULL) {
		ok(0, "go capture readable");
		return;
	}
	cls = calloc(s->nregions, 1);
	classify_snapshot(s, cls);
	ok(cls[0] == RC_CODE && cls[1] == RC_RODATA && cls[2] == RC_DATA &&
	        cls[3] == RC_BSS,
	    "go: a static binary's code, rodata, data, bss");
	k = find(s, 0xc000000000ULL);
	ok(k >= 0 && cls[k] == RC_ANON && cls[k + 1] == RC_GUARD,
	    "go: its heap arena is anon (not a glibc arena), reserve guard");
	ok(count(s, cls, RC_THREAD_STACK, "") == 0,
	    "go: its reservations are not taken for thread stacks");
	ok(count(s, cls, RC_KERNEL, "") == 4 &&
	        count(s, cls, RC_STACK, "") == 1,
	    "go: vvar, vvar_vclock, vdso, vsyscall; the main stack");
	free(cls);
	snapshot_free(s);
}

int
main(void)
{
	test_layout();
	test_guard_pattern();
	test_bss_hugetlb();
	test_label();
	test_names();
	test_python();
	test_java();
	test_redis();
	test_go();
	return tap_done();
}
