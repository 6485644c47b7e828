/*
 * test-classify.c - every region class, on hand-made layouts and on real
 * captures.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "classify-rules.h"
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

/* The Go capture with its threads' stack pointers inside the heap arena,
 * as a live pure-Go program has them (goroutine and g0 stacks live in
 * the heap). */
static void
test_go(void)
{
	struct snapshot *s = load("smaps-go.txt", "syscall-go.txt");
	uint8_t *cls;
	long k;

	if (s == NULL) {
		ok(0, "go capture readable");
		return;
	}
	cls = calloc(s->nregions, 1);
	ok(s->nthreads == 4, "go: four stack pointers read");
	/* Without the exe's facts (an old recording): no stack all the same. */
	classify_snapshot(s, cls);
	k = find(s, 0xc000000000ULL);
	ok(k >= 0 && cls[k] == RC_ANON,
	    "go, exe unknown: the arena holding three stack pointers is no "
	    "thread stack (68 MiB, no guard)");
	/* As the probe says it: a static Go 1.19 binary. */
	s->info.runtime.probed = 1;
	s->info.runtime.flags = RT_GO;
	classify_snapshot(s, cls);
	ok(cls[0] == RC_CODE && cls[1] == RC_RODATA && cls[2] == RC_DATA &&
	        cls[3] == RC_BSS,
	    "go: a static binary's code, rodata, data, bss");
	ok(k >= 0 && cls[k] == RC_GO_HEAP && cls[k + 1] == RC_GO_RESERVED,
	    "go: its heap arena is go-heap, its reserve go-reserved");
	ok(count(s, cls, RC_THREAD_STACK, "") == 0,
	    "go: no thread stack: the stack pointers are in the heap");
	ok(count(s, cls, RC_KERNEL, "") == 4 &&
	        count(s, cls, RC_STACK, "") == 1,
	    "go: vvar, vvar_vclock, vdso, vsyscall; the main stack");
	ok(count(s, cls, RC_ANON, "") == 0 && count(s, cls, RC_GUARD, "") == 0,
	    "go: pure Go: every other anonymous mapping is the runtime's");
	free(cls);
	snapshot_free(s);
}

/* A capture with the facts the exe probe gave for it, classified, with
 * why; NULL (and a failed test) when the fixture is missing. */
static struct snapshot *
classified(const char *smaps, const char *syscall, uint8_t flags,
    const char *go, uint8_t **cls, struct class_why **why)
{
	struct snapshot *s = load(smaps, syscall);

	if (s == NULL) {
		ok(0, "%s readable", smaps);
		return NULL;
	}
	s->info.runtime.probed = 1;
	s->info.runtime.flags = flags;
	if (go != NULL) {
		snprintf(s->info.runtime.go_version,
		    sizeof s->info.runtime.go_version, "%s", go);
		s->info.runtime.go_major = 1;
		s->info.runtime.go_minor = (uint8_t)atoi(go + 4);
	}
	*cls = calloc(s->nregions + 1, 1);
	*why = calloc(s->nregions + 1, sizeof **why);
	classify_snapshot_why(s, *cls, *why);
	return s;
}

static void
done(struct snapshot *s, uint8_t *cls, struct class_why *why)
{
	free(cls);
	free(why);
	snapshot_free(s);
}

/* Explanation of region k, for the detail screen. */
static const char *
explain(const struct snapshot *s, const uint8_t *cls,
    const struct class_why *why, long k)
{
	static char buf[256];

	if (k < 0)
		return "(no region)";
	classify_explain((enum region_class)cls[k], &why[k], &s->info.runtime,
	    buf, sizeof buf);
	return buf;
}

/* Every naming scheme: a runtime's name is its class, and stays the path. */
static void
test_runtime_names(void)
{
	static const struct {
		const char *path;
		const char *cls;
	} want[] = {
		{ "[anon: Go: heap]", "go-heap" },
		{ "[anon: Go: heap reservation]", "go-reserved" },
		{ "[anon: Go: heap index]", "go-meta" },
		{ "[anon: Go: immortal metadata]", "go-meta" },
		{ "[anon: Go: allspans array]", "go-meta" },
		{ "[anon: Go: gc bits]", "go-meta" },
		{ "[anon: Go: page alloc]", "go-meta" },
		{ "[anon: Go: page alloc index]", "go-meta" },
		{ "[anon: Go: page summary]", "go-meta" },
		{ "[anon: Go: scavenge index]", "go-meta" },
		{ "[anon: glibc: malloc arena]", "malloc-arena" },
		{ "[anon: glibc: malloc]", "malloc" },
		{ "[anon: glibc: pthread stack guard]", "guard" },
		{ "[anon: glibc: pthread stack: 4242]", "thread-stack" },
		{ "[anon: glibc: pthread user stack: 4243]", "thread-stack" },
		{ "[anon: glibc: unused stack]", "thread-stack" },
		{ "[anon:mimalloc]", "malloc" },
		{ "[anon:tcmalloc_region_PAGE_HEAP]", "malloc" },
		{ "[anon:jemalloc_pg]", "malloc" },
		{ "[anon:libc_malloc]", "malloc" },
		{ "[anon:scudo:primary]", "malloc" },
		{ "[anon:stack_and_tls:4244]", "thread-stack" },
		{ "[anon:render cache]", "anon:render cache" },
	};
	struct snapshot *s;
	struct class_why *why;
	uint8_t *cls;
	size_t i, k;

	/* No facts at all: names need none. */
	s = classified("smaps-names.txt", NULL, 0, NULL, &cls, &why);
	if (s == NULL)
		return;
	snapshot_add_thread_sp(s, 0x1f3c001000ULL); /* in the Go heap */
	snapshot_add_thread_sp(s, 0x7f10000b0000ULL + 0x100); /* bionic's */
	classify_snapshot_why(s, cls, why);
	for (i = 0; i < sizeof want / sizeof want[0]; i++) {
		for (k = 0; k < s->nregions; k++) {
			const struct region *r = &s->regions[k];

			if (r->path_len == strlen(want[i].path) &&
			    memcmp(region_path(s, r), want[i].path,
			        r->path_len) == 0)
				break;
		}
		is_str(k < s->nregions ? label(s, cls, k) : "(missing)",
		    want[i].cls, "%s", want[i].path);
	}
	k = (size_t)find(s, 0x1f3c000000ULL);
	ok(strstr(
	       explain(s, cls, why, (long)k), "certain: the runtime named") &&
	        strstr(
	            explain(s, cls, why, (long)k), "1 thread's stack pointer"),
	    "a named Go heap: certain, and the stack pointer inside is "
	    "counted (%s)",
	    explain(s, cls, why, (long)k));
	done(s, cls, why);
}

/* Go 1.26 with cgo: the heap base random, in the mmap area, beside glibc's
 * arenas; by fingerprint, not by address. */
static void
test_go126(void)
{
	struct class_why *why;
	uint8_t *cls;
	struct snapshot *s = classified("smaps-go126.txt", "syscall-go126.txt",
	    RT_GO | RT_DYNAMIC, "go1.26.0", &cls, &why);
	long k;

	if (s == NULL)
		return;
	k = find(s, 0x7e5a64000000ULL);
	ok(k >= 0 && cls[k] == RC_GO_HEAP && cls[k + 1] == RC_GO_RESERVED,
	    "go 1.26: the heap at a random base is go-heap, its rest "
	    "go-reserved");
	ok(k >= 0 && why[k].nsp == 2 && why[k].how == CW_FINGERPRINT,
	    "go 1.26: two stack pointers inside, by fingerprint");
	ok(strstr(explain(s, cls, why, k), "Go heap arena: 64 MiB aligned") &&
	        strstr(explain(s, cls, why, k), "go1.26.0") &&
	        strstr(explain(s, cls, why, k), "2 threads' stack pointers"),
	    "go 1.26: the detail says so (%s)", explain(s, cls, why, k));
	k = find(s, 0x7f2a40000000ULL);
	ok(k >= 0 && cls[k] == RC_MALLOC_ARENA && cls[k + 1] == RC_GUARD &&
	        cls[k + 2] == RC_MALLOC_ARENA,
	    "go 1.26: glibc's arenas beside it stay malloc-arena");
	k = find(s, 0x7f2a90001000ULL);
	ok(k >= 0 && cls[k] == RC_THREAD_STACK,
	    "go 1.26: a C thread's stack with its SP is a thread stack");
	/* The same without the probe's facts: no Go class at all. */
	memset(&s->info.runtime, 0, sizeof s->info.runtime);
	classify_snapshot_why(s, cls, why);
	ok(count(s, cls, RC_GO_HEAP, "") == 0 &&
	        cls[find(s, 0x7e5a64000000ULL)] != RC_THREAD_STACK,
	    "go 1.26 unprobed: no go class from the address alone, and no "
	    "stack");
	done(s, cls, why);
}

static void
test_go_live_captures(void)
{
	struct class_why *why;
	uint8_t *cls;
	struct snapshot *s;
	long k;

	s = classified("smaps-go-cgo.txt", "syscall-go-cgo.txt",
	    RT_GO | RT_DYNAMIC, "go1.19.8", &cls, &why);
	if (s != NULL) {
		k = find(s, 0xc000000000ULL);
		ok(k >= 0 && cls[k] == RC_GO_HEAP, "cgo: the heap is go-heap");
		is_u64(count(s, cls, RC_MALLOC_ARENA, ""), 5,
		    "cgo: glibc's five arenas stay malloc-arena");
		is_u64(count(s, cls, RC_THREAD_STACK, ""), 4,
		    "cgo: its pthread stacks (M stacks) that hold a stack "
		    "pointer "
		    "are thread stacks");
		ok(count(s, cls, RC_GO_RESERVED, "") >= 4 &&
		        count(s, cls, RC_GO_META, "") >= 4,
		    "cgo: the runtime's reservations and metadata");
		done(s, cls, why);
	}
	s = classified("smaps-go-goroutines.txt", "syscall-go-goroutines.txt",
	    RT_GO, "go1.19.8", &cls, &why);
	if (s != NULL) {
		k = find(s, 0xc000000000ULL);
		ok(k >= 0 && cls[k] == RC_GO_HEAP && why[k].nsp >= 2,
		    "2,000 goroutines: their heap, with %u stack pointers",
		    k >= 0 ? why[k].nsp : 0);
		is_u64(count(s, cls, RC_THREAD_STACK, ""), 0,
		    "2,000 goroutines: no thread stack");
		done(s, cls, why);
	}
}

static void
test_java_leak(void)
{
	static const char cmd[] = "java -Xmx64m -cp . Leak";
	struct class_why *why;
	uint8_t *cls;
	struct snapshot *s = classified("smaps-java-leak.txt",
	    "syscall-java-leak.txt", RT_DYNAMIC, NULL, &cls, &why);
	long k;

	if (s == NULL)
		return;
	memcpy(s->info.cmdline, cmd, sizeof cmd);
	s->info.cmdline_len = sizeof cmd - 1;
	classify_snapshot_why(s, cls, why);
	k = find(s, 0xfc000000ULL);
	ok(k >= 0 && cls[k] == RC_JAVA_HEAP &&
	        why[k].reason == CR_JAVA_HEAP_XMX,
	    "jvm: the heap is java-heap, as big as -Xmx (%s)",
	    explain(s, cls, why, k));
	ok(count(s, cls, RC_JAVA_CDS, ".jsa") == 3, "jvm: the CDS archive");
	ok(count(s, cls, RC_JAVA_CLASS, "") >= 3 &&
	        count(s, cls, RC_JAVA_META, "") >= 2,
	    "jvm: compressed class space and metaspace");
	ok(count(s, cls, RC_JAVA_CODE, "") >= 3, "jvm: the code cache");
	is_u64(count(s, cls, RC_THREAD_STACK, ""), 19,
	    "jvm: 19 thread stacks, by their stack pointers");
	is_u64(
	    count(s, cls, RC_MALLOC_ARENA, ""), 15, "jvm: glibc's 15 arenas");
	ok(count(s, cls, RC_BRK_HEAP, "[heap]") == 1,
	    "jvm: the brk heap is brk-heap, not the Java heap");
	/* Without -Xmx: the heap is the one compressed oops end at 4 GiB. */
	s->info.cmdline_len = 0;
	classify_snapshot_why(s, cls, why);
	ok(k >= 0 && cls[k] == RC_JAVA_HEAP &&
	        why[k].reason == CR_JAVA_HEAP_OOPS,
	    "jvm without -Xmx: java-heap, by compressed oops");
	done(s, cls, why);
}

static void
test_python_c(void)
{
	struct class_why *why;
	uint8_t *cls;
	struct snapshot *s;

	s = classified(
	    "smaps-python-grow.txt", NULL, RT_DYNAMIC, NULL, &cls, &why);
	if (s != NULL) {
		ok(count(s, cls, RC_PYTHON_ARENA, "") >= 5,
		    "python 3.11 (from libpython's name): pymalloc arenas");
		done(s, cls, why);
	}
	s = classified("smaps-c-threads.txt", "syscall-c-threads.txt",
	    RT_DYNAMIC, NULL, &cls, &why);
	if (s != NULL) {
		is_u64(count(s, cls, RC_MALLOC_ARENA, ""), 4,
		    "C threads that malloc: four malloc arenas");
		is_u64(count(s, cls, RC_THREAD_STACK, ""), 4,
		    "C threads: four pthread stacks");
		done(s, cls, why);
	}
}

/* User rules: refine any class, first match wins, bad lines told. */
static void
test_rules(void)
{
	static const char text[] =
	    "# my rules\n"
	    "\n"
	    "^\\[anon:\\s*Go:\\sheap\\]$ rw-p hot-cache\n"
	    "^$ rw-p @thread-stack worker-stack\n"
	    "(unclosed stack\n"
	    "^/opt/ r... @rodata tables\n"
	    "^/opt/ opt-files\n"
	    "x rwzp nope\n"
	    "x Bad:Name\n"
	    "^\\[heap\\]$ anon\n";
	struct classify_rules *r = classify_rules_new();
	struct snapshot *s = snapshot_new();
	struct class_why why[8];
	char *msgs = NULL;
	uint8_t cls[8];
	size_t i = 0;
	int bad;

	bad = classify_rules_parse(r, "rules", text, sizeof text - 1, &msgs);
	is_u64(bad, 3, "three bad lines");
	ok(msgs != NULL && strstr(msgs, "rules:5: bad pattern") &&
	        strstr(msgs, "rules:8: ") && strstr(msgs, "rules:9: "),
	    "each told with file and line");
	is_u64(classify_rules_count(r), 5, "five rules kept");
	add(s, 0x400000, 0x401000, "r--p", "/opt/t.db", 0);
	add(s, 0x401000, 0x402000, "rw-p", "/opt/t.db", 0);
	add(s, 0x500000, 0x600000, "rw-p", "[heap]", 0);
	add(s, 0xc000000000ULL, 0xc004000000ULL, "rw-p", "[anon: Go: heap]", 0);
	add(s, 0x7f0000000000ULL, 0x7f0000001000ULL, "---p", "", 0);
	add(s, 0x7f0000001000ULL, 0x7f0000801000ULL, "rw-p", "", 0);
	snapshot_add_thread_sp(s, 0x7f0000800000ULL);
	classify_rules_install(r);
	classify_snapshot_why(s, cls, why);
	is_str(label(s, cls, i++), "tables", "@rodata refines rodata");
	is_str(label(s, cls, i++), "opt-files", "the next rule, for the rest");
	is_str(label(s, cls, i++), "anon", "a rule may name a built-in class");
	is_str(label(s, cls, i), "hot-cache", "a runtime's class refined");
	ok(region_class_lookup("hot-cache") == cls[i] &&
	        cls[i] >= RC_USER_FIRST,
	    "user classes look up by name");
	ok(strstr(explain(s, cls, why, (long)i), "user rule rules:3") != NULL,
	    "the detail names the rule (%s)", explain(s, cls, why, (long)i));
	i += 2;
	is_str(label(s, cls, i), "worker-stack",
	    "a thread stack refined (after the stack pointers)");
	classify_rules_install(NULL);
	classify_rules_free(r);
	free(msgs);
	snapshot_free(s);
}

/* The man page lists every class, as .B NAME (hyphens escaped). */
static void
test_man(void)
{
	char path[4096], *buf = NULL, want[80], list[80], esc[64];
	const char *dir = getenv("srcdir");
	size_t len = 0, k, n;
	int c, missing = 0;
	FILE *f;

	snprintf(path, sizeof path, "%s/doc/memtop.1", dir ? dir : ".");
	f = fopen(path, "r");
	if (f == NULL || getdelim(&buf, &len, '\0', f) < 0) {
		ok(0, "doc/memtop.1 readable");
		if (f != NULL)
			fclose(f);
		free(buf);
		return;
	}
	fclose(f);
	for (c = 0; c < RC_COUNT; c++) {
		const char *name = region_class_name(c);

		if (c == RC_ANON_NAMED)
			continue;
		for (k = 0, n = 0; name[k] != '\0' && n + 2 < sizeof esc; k++) {
			if (name[k] == '-')
				esc[n++] = '\\';
			esc[n++] = name[k];
		}
		esc[n] = '\0';
		/* ".B name" on its line, or in a list: ".BR code \", \" rodata" */
		snprintf(want, sizeof want, "\n.B %s\n", esc); /* +3: " x\n" */
		snprintf(list, sizeof list, " %s ", esc);
		if (strstr(buf, want) == NULL && strstr(buf, list) == NULL &&
		    strstr(buf, want + 3) == NULL) {
			diag("the man page does not list %s", name);
			missing++;
		}
	}
	ok(missing == 0, "the man page lists every class");
	free(buf);
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
	test_runtime_names();
	test_go126();
	test_go_live_captures();
	test_java_leak();
	test_python_c();
	test_rules();
	test_man();
	return tap_done();
}
