/*
 * live-fast.h - the adaptive sampler's tick: what a sample costs without
 * reading smaps.  The mapping list comes from the PROCMAP_QUERY ioctl on
 * /proc/PID/maps (Linux 6.11+) or from the maps text, and each region's
 * resident and swapped pages from one PAGEMAP_SCAN ioctl pass over
 * /proc/PID/pagemap (Linux 6.7+); the other counters are carried from the
 * last full sample (live_fast_keep), and the snapshot says which (stale).
 * Both ioctls are found at run time: a kernel without PAGEMAP_SCAN has no
 * tick (live_fast_open says NULL) and the live source reads smaps whole.
 *
 * The parts that read what the kernel returned are pure functions over
 * bytes, checked like any parser of outside bytes (fuzz/fuzz-parse.c).
 */
#ifndef MEMTOP_LIVE_FAST_H
#define MEMTOP_LIVE_FAST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "snapshot.h"

/* The counters a tick reads itself (the rest are stale). */
#define FAST_FRESH                                            \
	(((uint32_t)1 << SF_SIZE) | ((uint32_t)1 << SF_RSS) | \
	    ((uint32_t)1 << SF_SWAP))

/* One range PAGEMAP_SCAN returns (struct page_region of linux/fs.h). */
struct fast_range {
	uint64_t start, end, categories;
};
#define FAST_PAGE_IS_PRESENT (1 << 3)
#define FAST_PAGE_IS_SWAPPED (1 << 4)
#define FAST_PAGE_IS_PFNZERO (1 << 5)

/*
 * Add the pages of ranges v[0..n) (sorted, as one PAGEMAP_SCAN call gives
 * them) to the Rss and Swap of s's regions at and after *at (the region the
 * last call stopped in; 0 at first).  Ranges or parts of them at or below
 * *done (the end of what earlier calls gave: the kernel may return a part
 * again) are skipped, as are ranges that are empty or go backwards, and
 * zero-page ranges (smaps does not count them).  Regions whose bit is set
 * in skip (hugetlb: smaps counts those elsewhere) are left alone.  Returns
 * the number of ranges skipped as impossible.
 */
size_t fast_bucket(struct snapshot *s, size_t *at, uint64_t *done,
    const struct fast_range *v, size_t n, uint64_t page_size,
    const uint8_t *skip, uint64_t *stray);
/* The pages of ranges that fall in no region are added to *stray. */

/* VmSize: of /proc/PID/status text, in kB; false when it has none. */
bool fast_vmsize(const char *buf, size_t len, uint64_t *kb);

/* What PROCMAP_QUERY says of one mapping (struct procmap_query's fields). */
struct fast_vma {
	uint64_t start, end, flags, offset, inode;
	uint32_t dev_major, dev_minor;
};
/* The region of a mapping and its name (name_len bytes, NUL excluded, as
 * the kernel returned it): false when it is impossible (an empty or
 * backward range, a name longer than the buffer). */
bool fast_vma_region(const struct fast_vma *q, const char *name,
    size_t name_len, size_t name_cap, struct region *r, size_t *path_len);

struct live_fast;

/*
 * Look for the fast path of the process whose memory files are at dirfd
 * (/proc/PID or /proc/PID/task/TID): PAGEMAP_SCAN on its pagemap, and
 * PROCMAP_QUERY on its maps.  NULL when the kernel has no PAGEMAP_SCAN
 * (ENOTTY, EINVAL), pagemap cannot be read, or the environment has
 * MEMTOP_SAMPLER=full (the tests' way to force the fallback).
 */
struct live_fast *live_fast_open(int dirfd);
void live_fast_close(struct live_fast *f);
/* Whether the mapping list comes from PROCMAP_QUERY (else maps text). */
bool live_fast_query(const struct live_fast *f);

/* s is a full sample: its counters are what ticks carry from now on. */
void live_fast_keep(struct live_fast *f, const struct snapshot *s);
/* The same while s is being parsed: begin, then upto(n) as its first n
 * regions are whole (from any one thread at a time), then end (s->wall
 * set) once it is. */
void live_fast_keep_begin(struct live_fast *f);
void live_fast_keep_upto(
    struct live_fast *f, const struct snapshot *s, size_t n);
void live_fast_keep_end(struct live_fast *f, const struct snapshot *s);

/*
 * A tick (sample seq) of the process whose memory files are at dirfd, into
 * out (out->stale says what was carried).  The mapping list is read again
 * unless out still holds the last one read (the sampler hands its buffers
 * round), status's VmSize is what it was then, fewer than 10 ticks have
 * passed, and the scan finds no pages outside it.  buf/cap is a scratch
 * buffer of at least 64 kB.  0; 1 when the list holds mappings the last
 * full sample did not (their other counters are unknown: a full read is
 * due); -errno when the list or the scan cannot be read (the process went,
 * or the kernel refused: the caller reads smaps).
 */
int live_fast_tick(struct live_fast *f, int dirfd, uint64_t seq,
    struct snapshot *out, char *buf, size_t cap);
/* Sample seq read the list whole (a full sample), VmSize then vmsize_kb
 * (-1 unknown). */
void live_fast_listed(struct live_fast *f, uint64_t seq, int64_t vmsize_kb);
/* How many ticks reused the list so far. */
uint64_t live_fast_reused(const struct live_fast *f);

#endif
