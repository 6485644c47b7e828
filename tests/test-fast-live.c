/*
 * test-fast-live.c - the adaptive sampler against smaps on a live process.
 *
 * A child maps memory (anonymous, touched whole and in part, a file, a
 * hundred small mappings), pages part of it out (MADV_PAGEOUT: swapped where
 * the machine has swap; as root without any, a swap file is added for the
 * test and removed after, or the swap checks are skipped saying why), and
 * stops itself.  On the quiet process, a tick's per-region RSS and swap
 * must equal what smaps says just after.  The recording of those samples
 * replays with the same values and the same "partial" marks.  And with
 * MEMTOP_SAMPLER=full the source falls back to smaps every sample, as on a
 * kernel without the ioctls.  No timing is asserted.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <sys/wait.h>
#include <unistd.h>

#include "record.h"
#include "replay.h"
#include "source.h"
#include "tap.h"
#include "util.h"

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

static char swapfile[256];

/* Swap for the test: what the machine has, else a file of ours.  NULL
 * when there is some; else why not. */
static const char *
test_swap(void)
{
	char cmd[1024];
	FILE *f = fopen("/proc/swaps", "r");
	char line[256];
	int lines = 0;

	if (f != NULL) {
		while (fgets(line, sizeof line, f) != NULL)
			lines++;
		fclose(f);
	}
	if (lines > 1)
		return NULL;
	if (geteuid() != 0)
		return "no swap, and adding a swap file needs root";
	snprintf(swapfile, sizeof swapfile, "%s/memtop-test-swap.%d",
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (int)getpid());
	snprintf(cmd, sizeof cmd,
	    "dd if=/dev/zero of=%s bs=1M count=32 status=none && "
	    "chmod 600 %s && mkswap %s >/dev/null 2>&1",
	    swapfile, swapfile, swapfile);
	if (system(cmd) != 0) {
		unlink(swapfile);
		swapfile[0] = '\0';
		return "no swap, and mkswap failed";
	}
	if (swapon(swapfile, 0) != 0) {
		unlink(swapfile);
		swapfile[0] = '\0';
		return "no swap, and swapon refused a swap file";
	}
	return NULL;
}

static void
test_swap_done(void)
{
	if (swapfile[0] != '\0') {
		swapoff(swapfile);
		unlink(swapfile);
	}
}

/* The child: maps, touches, pages out, says so on fd, and waits. */
/* The child's memory (see main()); on a byte from in, a page mapped just
 * below g, which the kernel merges into it (a region grown at its start),
 * and g's address written to fd. */
static void
child(int fd, int in, const char *self)
{
	size_t mb = 1024 * 1024, i;
	char *a = mmap(NULL, 8 * mb, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *b = mmap(NULL, 4 * mb, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int ffd = open(self, O_RDONLY);
	char *g = mmap(NULL, 2 * mb, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	volatile char sum = 0;
	char go;
	char *c = ffd >= 0 ? mmap(NULL, 65536, PROT_READ, MAP_PRIVATE, ffd, 0) :
	                     MAP_FAILED;

	if (a == MAP_FAILED || b == MAP_FAILED)
		_exit(1);
	memset(a, 1, 8 * mb);
	for (i = 0; i < 4 * mb; i += 8192)
		b[i] = 2;
	if (c != MAP_FAILED)
		for (i = 0; i < 65536; i += 4096 * 3)
			sum += c[i];
	for (i = 0; i < 100; i++) {
		char *p = mmap(NULL, 4096 * (1 + i % 3),
		    i % 2 ? PROT_READ | PROT_WRITE : PROT_READ,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p != MAP_FAILED && (i % 2))
			p[0] = 1;
	}
	madvise(a, 4 * mb, MADV_PAGEOUT);
	/* g: 2 MB touched but for its first two pages, unmapped: room to
	 * grow at its start with nothing below to merge with. */
	if (g == MAP_FAILED)
		_exit(1);
	memset(g, 3, 2 * mb);
	munmap(g, 2 * 4096);
	if (write(fd, "x", 1) != 1)
		_exit(1);
	if (read(in, &go, 1) == 1) {
		char *d = mmap(g + 4096, 4096, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

		if (d == g + 4096)
			d[0] = 1;
		if (write(fd, &g, sizeof g) != sizeof g)
			_exit(1);
	}
	for (;;)
		pause();
}

static int
take(struct source *src, struct snapshot *s)
{
	char *cause = NULL;
	int rc = source_next(src, s, &cause);

	if (rc != SOURCE_SAMPLE)
		diag("sample: %d %s", rc, cause ? cause : "");
	free(cause);
	return rc;
}

static uint64_t
sum_kb(const struct snapshot *s, enum smaps_field f)
{
	return snapshot_sum(s, f);
}

/* The PSS of the region of s that starts at start, or -1. */
static long
pss_at(const struct snapshot *s, uint64_t start)
{
	size_t i;

	for (i = 0; i < s->nregions; i++)
		if (s->regions[i].start == start)
			return s->regions[i].kb[SF_PSS];
	return -1;
}

/*
 * The child's region g grows at its start (a page mapped below it merges
 * into it): a tick keeps the PSS the last full read gave it (not 0: the
 * totals would drop by it at every tick), and reads smaps whole within
 * 10 s though the budget has nothing for it (the ticks of a target whose
 * mapping list moves each time spend it all).  full: the last full
 * sample.
 */
static void
test_grown(struct source *src, pid_t pid, int from, int to,
    const struct snapshot *full, struct snapshot *t)
{
	char *g = NULL;
	long pss0, pss = -1;
	double t0;
	int status, n;

	kill(pid, SIGCONT);
	if (write(to, "g", 1) != 1 || read(from, &g, sizeof g) != sizeof g)
		diag("the child did not map its page");
	kill(pid, SIGSTOP);
	waitpid(pid, &status, WUNTRACED);
	pss0 = pss_at(full, (uint64_t)(uintptr_t)g + 2 * 4096);
	if (take(src, t) == SOURCE_SAMPLE && t->stale != 0)
		pss = pss_at(t, (uint64_t)(uintptr_t)g + 4096);
	ok(pss0 > 1024 && pss == pss0,
	    "a tick: the region grown at its start keeps its PSS (%ld kB, "
	    "%ld kB before)",
	    pss, pss0);
	t0 = clock_mono();
	for (n = 0; take(src, t) == SOURCE_SAMPLE && t->stale != 0 &&
	     clock_mono() - t0 < 15;
	     n++)
		usleep(500 * 1000);
	ok(t->stale == 0 && clock_mono() - t0 >= 9 && clock_mono() - t0 < 12,
	    "without a budget for it, the full read it made due comes in "
	    "10 s (%.1f s, %d ticks)",
	    clock_mono() - t0, n);
}

int
main(int argc, char **argv)
{
	struct snapshot *s1 = snapshot_new(), *s2 = snapshot_new(),
	                *s3 = snapshot_new(), *r = snapshot_new(),
	                *s4 = snapshot_new(), *s5 = snapshot_new();
	uint64_t before;
	const char *noswap = test_swap();
	char path[300], *cause = NULL, c;
	struct source *src, *rep;
	struct recorder *rec;
	size_t i, bad = 0, nbad = 0;
	int p[2], q[2], status, err;
	pid_t pid;

	if (pipe(p) != 0 || pipe(q) != 0)
		return 1;
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		close(q[1]);
		child(p[1], q[0], argv[0]);
	}
	close(p[1]);
	close(q[0]);
	if (read(p[0], &c, 1) != 1) {
		ok(0, "the child maps its memory");
		return tap_done();
	}
	kill(pid, SIGSTOP);
	waitpid(pid, &status, WUNTRACED);

	src = source_live_open(pid, &cause, &err);
	ok(src != NULL, "the live source opens");
	if (src == NULL)
		return tap_done();
	if (source_live_set_mode(src, LIVE_ADAPTIVE) != LIVE_ADAPTIVE) {
		printf("ok 2 # SKIP this kernel has no PAGEMAP_SCAN (6.7+): "
		       "memtop reads smaps whole\n");
		tap_n++;
		goto fallback;
	}
	/* A budget too small for any full read but the ones asked for. */
	source_live_set_budget(src, 1e-9);
	ok(take(src, s1) == SOURCE_SAMPLE && s1->stale == 0,
	    "the first sample reads smaps whole");
	ok(take(src, s2) == SOURCE_SAMPLE && s2->stale != 0 &&
	        !((s2->stale >> SF_RSS) & 1) && ((s2->stale >> SF_PSS) & 1),
	    "the next is a tick: RSS fresh, PSS carried");
	source_live_full_now(src);
	ok(take(src, s3) == SOURCE_SAMPLE && s3->stale == 0,
	    "asked for, the next reads smaps whole");
	ok(s2->nregions == s3->nregions && s2->nregions > 100,
	    "the same mappings (%zu, %zu)", s2->nregions, s3->nregions);
	for (i = 0; i < s2->nregions && i < s3->nregions; i++) {
		const struct region *a = &s2->regions[i], *b = &s3->regions[i];

		if (a->start != b->start || a->kb[SF_RSS] != b->kb[SF_RSS] ||
		    a->kb[SF_SWAP] != b->kb[SF_SWAP]) {
			if (nbad++ < 5)
				diag("%" PRIx64 "-%" PRIx64
				     " %s: tick rss %u swap %u, smaps rss %u "
				     "swap %u",
				    a->start, a->end, region_path(s2, a),
				    a->kb[SF_RSS], a->kb[SF_SWAP],
				    b->kb[SF_RSS], b->kb[SF_SWAP]);
		}
	}
	ok(nbad == 0, "every region's RSS and swap as smaps says (%zu differ)",
	    nbad);
	ok(sum_kb(s2, SF_RSS) == sum_kb(s3, SF_RSS) &&
	        sum_kb(s2, SF_RSS) > 4 * 1024,
	    "the totals too (%" PRIu64 " kB)", sum_kb(s2, SF_RSS));
	if (noswap != NULL) {
		printf("ok %d # SKIP %s\n", ++tap_n, noswap);
	} else {
		ok(sum_kb(s3, SF_SWAP) > 0 &&
		        sum_kb(s2, SF_SWAP) == sum_kb(s3, SF_SWAP),
		    "paged out: swap seen by the tick as by smaps (%" PRIu64
		    " kB)",
		    sum_kb(s3, SF_SWAP));
	}

	/* Ticks as the pump takes them, into two buffers in turn: the
	 * mapping list is read again only until both hold the same one. */
	before = source_live_lists_reused(src);
	for (i = 0, nbad = 0; i < 8; i++) {
		struct snapshot *t = i % 2 ? s5 : s4;

		if (take(src, t) != SOURCE_SAMPLE || t->stale == 0 ||
		    t->nregions != s3->nregions ||
		    sum_kb(t, SF_RSS) != sum_kb(s3, SF_RSS))
			nbad++;
	}
	ok(nbad == 0 && source_live_lists_reused(src) - before >= 6,
	    "ticks into two buffers in turn: the same regions, and 6 of 8 "
	    "reuse the list (%" PRIu64 ")",
	    source_live_lists_reused(src) - before);

	/* What was read is what a replay shows. */
	snprintf(path, sizeof path, "%s/memtop-fast.%d.mt",
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (int)getpid());
	unlink(path);
	rec = recorder_open(path, 1, 0, &cause, &err);
	ok(rec != NULL && recorder_write(rec, s1, &cause) == 0 &&
	        recorder_write(rec, s2, &cause) == 0 &&
	        recorder_write(rec, s3, &cause) == 0 &&
	        recorder_close(rec, TARGET_ALIVE, &cause) == 0,
	    "the three samples are recorded");
	rep = source_replay_open(path, &cause, &err);
	for (i = 0; rep != NULL && i < 3; i++) {
		const struct snapshot *want = i == 0 ? s1 : i == 1 ? s2 : s3;
		size_t k;

		if (take(rep, r) != SOURCE_SAMPLE || r->stale != want->stale ||
		    r->full_wall != want->full_wall ||
		    r->nregions != want->nregions) {
			bad++;
			continue;
		}
		for (k = 0; k < r->nregions; k++)
			if (memcmp(r->regions[k].kb, want->regions[k].kb,
			        sizeof r->regions[k].kb) != 0)
				bad++;
	}
	ok(rep != NULL && bad == 0,
	    "the replay has the same counters and marks (%zu differ)", bad);
	source_close(rep);
	unlink(path);
	test_grown(src, pid, p[0], q[1], s3, s4);
	source_close(src);

fallback:
	/* Forced as on an older kernel: smaps whole, every sample. */
	setenv("MEMTOP_SAMPLER", "full", 1);
	src = source_live_open(pid, &cause, &err);
	ok(src != NULL &&
	        source_live_set_mode(src, LIVE_ADAPTIVE) == LIVE_FULL &&
	        take(src, s1) == SOURCE_SAMPLE &&
	        take(src, s2) == SOURCE_SAMPLE && s1->stale == 0 &&
	        s2->stale == 0,
	    "MEMTOP_SAMPLER=full: the fallback reads smaps every sample");
	source_close(src);
	unsetenv("MEMTOP_SAMPLER");

	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	test_swap_done();
	snapshot_free(s1);
	snapshot_free(s2);
	snapshot_free(s3);
	snapshot_free(s4);
	snapshot_free(s5);
	snapshot_free(r);
	return tap_done();
}
