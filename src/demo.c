/*
 * demo.c - memtop --demo: a small process with a region of every major class
 * (heap, anonymous, thread stacks, file code/data, a file mapping, shared
 * memory, memfd, a guard page, a named anonymous region where the kernel
 * allows it) that leaks into one anonymous mapping at a known rate.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "demo.h"
#include "util.h"

#ifndef PR_SET_VMA
#define PR_SET_VMA           0x53564d41
#define PR_SET_VMA_ANON_NAME 0
#endif

#define DEMO_LEAK_SPAN (1024UL << 20) /* the leak's reserved address space */

static volatile sig_atomic_t demo_stop;
static char demo_dir[PATH_MAX];

static void
demo_on_signal(int sig)
{
	demo_stop = sig;
}

static void *
demo_thread(void *arg)
{
	volatile char buf[64 * 1024];

	/* Touch some stack so the thread stack has resident pages. */
	memset((char *)(uintptr_t)buf, (int)(uintptr_t)arg, sizeof buf);
	while (!demo_stop)
		pause();
	return NULL;
}

static void *
demo_map(size_t len, int prot, int flags, int fd, const char *what)
{
	void *p = mmap(NULL, len, prot, flags, fd, 0);

	if (p == MAP_FAILED)
		fatal(EXIT_FAILURE_GENERIC, "demo: mmap %s: %s", what,
		    strerror(errno));
	if (prot & PROT_WRITE)
		memset(p, 0x5a, len);
	printf("  %-12s %p-%p\n", what, p, (void *)((char *)p + len));
	return p;
}

static void
demo_name(void *p, size_t len, const char *name)
{
	/* Linux 5.17+ with CONFIG_ANON_VMA_NAME; harmless elsewhere. */
	prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, (unsigned long)p, len,
	    (unsigned long)name);
}

/* A file of len bytes in the demo's directory, opened for reading. */
static int
demo_file(const char *name, size_t len)
{
	char path[PATH_MAX * 2], *buf;
	int fd;

	snprintf(path, sizeof path, "%s/%s", demo_dir, name);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		fatal(EXIT_FAILURE_GENERIC, "demo: %s: %s", path,
		    strerror(errno));
	buf = xcalloc(1, len);
	memset(buf, 'm', len);
	/* Written back before it is mapped, so its pages stay clean and
	 * the demo's counters hold still while it is quiet. */
	if (write(fd, buf, len) != (ssize_t)len || fsync(fd) != 0)
		fatal(EXIT_FAILURE_GENERIC, "demo: write %s", path);
	free(buf);
	return fd;
}

static void
demo_cleanup(void)
{
	char cmd[PATH_MAX + 32];

	if (demo_dir[0] == '\0')
		return;
	snprintf(cmd, sizeof cmd, "rm -rf -- '%s'", demo_dir);
	if (system(cmd) != 0)
		fprintf(stderr, "memtop demo: could not remove %s\n", demo_dir);
}

/* Touch the pages of p from *done up to want bytes. */
static void
demo_touch(char *p, size_t want, size_t *done, size_t page)
{
	while (*done < want) {
		p[*done] = 1;
		*done += page;
	}
}

/* An anonymous rw mapping of len bytes, named, its range printed.  A
 * read-only page after it keeps it from merging with its neighbours where
 * the kernel cannot name it (not a ---p guard: below a mapping, that would
 * make the mapping look like a glibc thread stack). */
static char *
demo_anon(size_t len, size_t page, const char *what, const char *how)
{
	char *p = mmap(NULL, len + page, PROT_READ,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED || mprotect(p, len, PROT_READ | PROT_WRITE) != 0)
		fatal(EXIT_FAILURE_GENERIC, "demo: mmap %s: %s", what,
		    strerror(errno));
	/* Page by page, as promised, where huge pages are the default. */
	madvise(p, len, MADV_NOHUGEPAGE);
	demo_name(p, len, what);
	printf("  %-12s %p-%p %s\n", what, (void *)p, (void *)(p + len), how);
	return p;
}

/* The leak suspects' workload (demo.h), until a signal. */
static void
demo_suspects(void)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t warm_len = (size_t)DEMO_WARMUP_MB << 20;
	size_t saw_len = (size_t)DEMO_SAW_MB << 20;
	size_t warm_done = 0, leak_done = 0, saw_done = 0;
	char *warm, *leak, *saw;
	long cycle = 0;
	double start;

	warm = demo_anon(warm_len, page, "warmup", "48 MB over 2 s, then flat");
	leak = demo_anon(DEMO_LEAK_SPAN, page, "leak", "leaking 512 kB/s");
	saw =
	    demo_anon(saw_len, page, "sawtooth", "+8 MB over 2 s, then freed");
	fflush(stdout);
	start = clock_mono();
	while (!demo_stop) {
		struct timespec ts = { 0, 20 * 1000 * 1000 };
		double el = clock_mono() - start, phase;
		double leak_want = el * DEMO_SUSPECT_KB_S * 1024;

		demo_touch(warm,
		    el >= DEMO_WARMUP_S ?
		        warm_len :
		        (size_t)(el / DEMO_WARMUP_S * (double)warm_len),
		    &warm_done, page);
		demo_touch(leak,
		    leak_want < DEMO_LEAK_SPAN ? (size_t)leak_want :
		                                 DEMO_LEAK_SPAN,
		    &leak_done, page);
		if ((long)(el / DEMO_SAW_S) != cycle) {
			cycle = (long)(el / DEMO_SAW_S);
			madvise(saw, saw_len, MADV_DONTNEED);
			saw_done = 0;
		}
		phase = el - (double)cycle * DEMO_SAW_S;
		demo_touch(saw, (size_t)(phase / DEMO_SAW_S * (double)saw_len),
		    &saw_done, page);
		nanosleep(&ts, NULL);
	}
}

int
demo_main(const struct demo_opts *o)
{
	const char *tmp = getenv("TMPDIR");
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	pthread_t threads[2];
	char *leak, *churn = NULL, **heap;
	double start, touched = 0;
	struct sigaction sa;
	int fd, i;
	long n;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = demo_on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	snprintf(demo_dir, sizeof demo_dir, "%s/memtop-demo.XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	if (mkdtemp(demo_dir) == NULL)
		fatal(
		    EXIT_FAILURE_GENERIC, "demo: mkdtemp: %s", strerror(errno));

	/* The PID alone first, for a script ("read pid"); then a line for
	 * each region made: its name and address range. */
	printf("%d\n", (int)getpid());
	fflush(stdout);
	if (o->suspects) {
		demo_suspects();
		demo_cleanup();
		return 0;
	}

	/* Heap: many small blocks, below the mmap threshold, so brk grows. */
	heap = xcalloc(2048, sizeof *heap);
	for (i = 0; i < 2048; i++) {
		heap[i] = xmalloc(1000);
		memset(heap[i], i, 1000);
	}
	/* And the brk area itself, whatever allocator is linked in. */
	{
		char *brk_area = sbrk(1 << 20);

		if (brk_area != (void *)-1)
			memset(brk_area, 0x6b, 1 << 20);
	}
	printf("  %-12s %p\n", "heap", (void *)heap[0]);

	demo_map(4 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
	    -1, "anon");
	demo_map(4 * page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, "guard");
	demo_name(demo_map(1 << 20, PROT_READ | PROT_WRITE,
	              MAP_PRIVATE | MAP_ANONYMOUS, -1, "named"),
	    1 << 20, "demo-cache");
	demo_map(2 << 20, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
	    -1, "shm");

	fd = memfd_create("memtop-demo", MFD_CLOEXEC);
	if (fd >= 0 && ftruncate(fd, 1 << 20) == 0)
		demo_map(
		    1 << 20, PROT_READ | PROT_WRITE, MAP_SHARED, fd, "memfd");

	fd = demo_file("data.bin", 2 << 20);
	{
		volatile char *p =
		    demo_map(2 << 20, PROT_READ, MAP_SHARED, fd, "file");
		size_t off;

		for (off = 0; off < (2 << 20); off += page)
			(void)p[off];
	}
	close(fd);

	if (o->hostile) {
		static const char *names[] = {
			"evil\033[31mred\033[0m\033]0;pwned\007.bin",
			"new\nline (deleted)",
			"sp ace\ttab\\back",
		};
		size_t k;

		char gone[PATH_MAX * 2];

		for (k = 0; k < sizeof names / sizeof names[0]; k++) {
			fd = demo_file(names[k], page);
			demo_map(page, PROT_READ, MAP_PRIVATE, fd, "hostile");
			close(fd);
		}
		/* A path of some 1,300 bytes, deeper than a line is long. */
		char deep[PATH_MAX], dir[PATH_MAX * 2];
		size_t len = 0;

		for (k = 0; k < 6; k++) {
			memset(deep + len, 'd', 200);
			deep[len + 200] = '\0';
			snprintf(dir, sizeof dir, "%s/%s", demo_dir, deep);
			if (mkdir(dir, 0700) != 0)
				fatal(EXIT_FAILURE_GENERIC, "demo: mkdir: %s",
				    strerror(errno));
			len += 200;
			deep[len++] = '/';
		}
		snprintf(deep + len, sizeof deep - len, "long.bin");
		fd = demo_file(deep, page);
		demo_map(page, PROT_READ, MAP_PRIVATE, fd, "long path");
		close(fd);
		/* And one that is deleted for real, with the same ending. */
		fd = demo_file("gone (deleted)", page);
		demo_map(page, PROT_READ, MAP_PRIVATE, fd, "deleted");
		close(fd);
		snprintf(gone, sizeof gone, "%s/gone (deleted)", demo_dir);
		unlink(gone);
	}

	for (i = 0; i < 2; i++)
		pthread_create(
		    &threads[i], NULL, demo_thread, (void *)(uintptr_t)(i + 1));

	/* Many small mappings, alternating protections so none merge. */
	for (n = 0; n < o->extra_maps; n++) {
		int prot = (n & 1) ? PROT_READ : PROT_READ | PROT_WRITE;
		void *p =
		    mmap(NULL, page, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED) {
			fprintf(stderr,
			    "memtop demo: stopped at %ld extra "
			    "mappings: %s\n",
			    n, strerror(errno));
			break;
		}
		if (prot & PROT_WRITE)
			*(char *)p = 1;
	}
	/* Guard the extra mappings from merging with each other. */

	/* The leak: one reserved mapping whose resident part grows. */
	leak = mmap(NULL, DEMO_LEAK_SPAN, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (leak == MAP_FAILED)
		fatal(EXIT_FAILURE_GENERIC, "demo: mmap leak: %s",
		    strerror(errno));
	demo_name(leak, DEMO_LEAK_SPAN, "leak");
	printf("  %-12s %p-%p leaking %.0f kB/s\n", "leak", (void *)leak,
	    (void *)(leak + DEMO_LEAK_SPAN), o->leak_kb_s);
	fflush(stdout);

	start = clock_mono();
	while (!demo_stop) {
		struct timespec ts = { 0, 50 * 1000 * 1000 };
		double want = (clock_mono() - start) * o->leak_kb_s * 1024;

		if (want > DEMO_LEAK_SPAN)
			want = DEMO_LEAK_SPAN;
		while (touched < want) {
			leak[(size_t)touched] = 1;
			touched += (double)page;
		}
		if (o->churn) {
			if (churn != NULL)
				munmap(churn, 16 * page);
			churn = mmap(NULL, 16 * page, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (churn == MAP_FAILED)
				churn = NULL;
			ts.tv_nsec = 1000 * 1000;
		}
		nanosleep(&ts, NULL);
	}
	for (i = 0; i < 2; i++)
		pthread_kill(threads[i], SIGTERM);
	for (i = 0; i < 2048; i++)
		free(heap[i]);
	free(heap);
	demo_cleanup();
	return 0;
}
