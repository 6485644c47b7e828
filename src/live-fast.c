/*
 * live-fast.c - the adaptive sampler's tick: the mapping list and one
 * PAGEMAP_SCAN pass instead of smaps (live-fast.h).
 *
 * Debian 12's kernel headers predate both ioctls: their structures and
 * numbers are defined here, as linux/fs.h has them (PAGEMAP_SCAN since 6.7,
 * PROCMAP_QUERY since 6.11).  A kernel without them says ENOTTY (or EINVAL
 * for a size it does not know), found once at open.
 *
 * The counters a tick does not read come from the last full sample, kept in
 * a compact form (start, end, a hash of the path, and the counters as
 * varints: about 60 bytes a region where a struct region is 176).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "live-fast.h"
#include "proc-parse.h"
#include "util.h"

/* linux/fs.h, 6.7: PAGEMAP_SCAN */
struct pm_scan_arg {
	uint64_t size;
	uint64_t flags;
	uint64_t start;
	uint64_t end;
	uint64_t walk_end;
	uint64_t vec;
	uint64_t vec_len;
	uint64_t max_pages;
	uint64_t category_inverted;
	uint64_t category_mask;
	uint64_t category_anyof_mask;
	uint64_t return_mask;
};
#define PAGEMAP_SCAN _IOWR('f', 16, struct pm_scan_arg)

/* linux/fs.h, 6.11: PROCMAP_QUERY */
struct procmap_query {
	uint64_t size;
	uint64_t query_flags;
	uint64_t query_addr;
	uint64_t vma_start;
	uint64_t vma_end;
	uint64_t vma_flags;
	uint64_t vma_page_size;
	uint64_t vma_offset;
	uint64_t inode;
	uint32_t dev_major;
	uint32_t dev_minor;
	uint32_t vma_name_size;
	uint32_t build_id_size;
	uint64_t vma_name_addr;
	uint64_t build_id_addr;
};
#define PROCMAP_QUERY                      _IOWR(0x66, 17, struct procmap_query)
#define PROCMAP_QUERY_VMA_READABLE         0x01
#define PROCMAP_QUERY_VMA_WRITABLE         0x02
#define PROCMAP_QUERY_VMA_EXECUTABLE       0x04
#define PROCMAP_QUERY_VMA_SHARED           0x08
#define PROCMAP_QUERY_COVERING_OR_NEXT_VMA 0x10

#define FAST_VEC      4096 /* ranges per PAGEMAP_SCAN call */
#define FAST_NAME_MAX 4096 /* PATH_MAX: what d_path gives at most */
/* The top of x86-64's and arm64's user address space (4-level tables);
 * the scan stops at the last mapping's end anyway. */
#define FAST_USER_TOP 0x7ffffffff000ULL

/* The counters of the last full sample, by region. */
struct kept {
	uint64_t *start;
	uint32_t *path_hash, *off; /* off: into blob */
	size_t n, cap;
	uint8_t *blob;
	size_t blen, bcap;
	double wall;
	bool any;
};

struct live_fast {
	bool query;      /* PROCMAP_QUERY works */
	int list_choice; /* 0 undecided, 1 query, 2 maps text */
	double cost_query, cost_text;
	uint64_t page_size;
	struct fast_range *vec;
	uint8_t *skip; /* per region of the tick: hugetlb */
	size_t skip_cap;
	char *name; /* FAST_NAME_MAX + 1 */
	struct kept kept;
	/* Mappings above the user address space ([vsyscall]): maps shows
	 * them, PROCMAP_QUERY does not (no VMA): carried from full samples. */
	struct snapshot *gate;
	int vmflag_ht; /* bit of VmFlags "ht" (hugetlb) */
	/* The last mapping list read: at which sample, with what VmSize,
	 * ticks since; how often it was reused (the bench reports it). */
	uint64_t list_seq;
	int64_t list_vmsize;
	unsigned list_ticks;
	bool listed;
	uint64_t list_reused;
	/* Its hash (while listed: a tick read it, not a full sample), and
	 * since which sample every list read had that hash. */
	uint64_t list_hash, list_same_since;
};

/* The list is read at least every this many ticks: mprotect() splits a
 * mapping without changing the address space's size. */
#define FAST_LIST_EVERY 10

size_t
fast_bucket(struct snapshot *s, size_t *at, uint64_t *done,
    const struct fast_range *v, size_t n, uint64_t page_size,
    const uint8_t *skip, uint64_t *stray)
{
	size_t k, i = *at, bad = 0;
	uint64_t kb_page = page_size / 1024;

	for (k = 0; k < n; k++) {
		uint64_t a = v[k].start, b = v[k].end;
		uint64_t cats = v[k].categories;

		if (b <= a || a % page_size != 0 || b % page_size != 0) {
			bad++;
			continue;
		}
		if (b <= *done)
			continue; /* given again: the kernel's walk_end quirk */
		if (a < *done)
			a = *done;
		*done = b;
		if ((cats & FAST_PAGE_IS_PFNZERO) ||
		    !(cats & (FAST_PAGE_IS_PRESENT | FAST_PAGE_IS_SWAPPED)))
			continue;
		while (i < s->nregions && s->regions[i].end <= a)
			i++;
		/* Bytes of the range before the region it reaches, or past
		 * the last: no mapping known holds them. */
		if (i == s->nregions)
			*stray += (b - a) / page_size;
		else if (s->regions[i].start > a)
			*stray +=
			    ((s->regions[i].start < b ? s->regions[i].start :
			                                b) -
			        a) /
			    page_size;
		for (; i < s->nregions && s->regions[i].start < b; i++) {
			struct region *r = &s->regions[i];
			uint64_t lo = r->start > a ? r->start : a;
			uint64_t hi = r->end < b ? r->end : b;
			int f = cats & FAST_PAGE_IS_PRESENT ? SF_RSS : SF_SWAP;

			if (skip == NULL || !skip[i])
				r->kb[f] = region_kb_sat(
				    r->kb[f] + (hi - lo) / page_size * kb_page);
			if (r->end > b)
				break; /* the next range may be in r too */
		}
	}
	*at = i;
	return bad;
}

bool
fast_vma_region(const struct fast_vma *q, const char *name, size_t name_len,
    size_t name_cap, struct region *r, size_t *path_len)
{
	memset(r, 0, sizeof *r);
	if (q->end <= q->start || name_len >= name_cap ||
	    (name_len > 0 && memchr(name, '\0', name_len) != NULL))
		return false;
	r->start = q->start;
	r->end = q->end;
	r->offset = q->offset;
	r->inode = q->inode;
	r->dev_major = q->dev_major;
	r->dev_minor = q->dev_minor;
	r->perms[0] = q->flags & PROCMAP_QUERY_VMA_READABLE ? 'r' : '-';
	r->perms[1] = q->flags & PROCMAP_QUERY_VMA_WRITABLE ? 'w' : '-';
	r->perms[2] = q->flags & PROCMAP_QUERY_VMA_EXECUTABLE ? 'x' : '-';
	r->perms[3] = q->flags & PROCMAP_QUERY_VMA_SHARED ? 's' : 'p';
	r->perms[4] = '\0';
	*path_len = name_len;
	if (name_len >= 10 &&
	    memcmp(name + name_len - 10, " (deleted)", 10) == 0) {
		r->deleted = 1;
		*path_len -= 10;
	}
	return true;
}

/* ---- the kept counters ---- */

static uint32_t
path_hash(const struct snapshot *s, const struct region *r)
{
	return (uint32_t)hash_bytes(region_path(s, r), r->path_len) ^
	    (uint32_t)r->inode;
}

void
live_fast_keep_begin(struct live_fast *f)
{
	f->kept.n = 0;
	f->kept.blen = 0;
}

void
live_fast_keep_upto(struct live_fast *f, const struct snapshot *s, size_t n)
{
	struct kept *k = &f->kept;
	size_t i;
	int fi;

	if (n > k->cap) {
		k->cap = n + n / 4 + 64;
		k->start = xrealloc(k->start, k->cap * sizeof *k->start);
		k->path_hash =
		    xrealloc(k->path_hash, k->cap * sizeof *k->path_hash);
		k->off = xrealloc(k->off, k->cap * sizeof *k->off);
	}
	for (i = k->n; i < n; i++) {
		const struct region *r = &s->regions[i];
		uint32_t bits = r->present & ~FAST_FRESH;
		uint8_t *p;

		/* At most 5 + 1 + 10 + 5 a field. */
		if (k->blen + 16 + 5 * SF_COUNT > k->bcap) {
			k->bcap = (k->bcap + 16 + 5 * SF_COUNT) * 2;
			k->blob = xrealloc(k->blob, k->bcap);
		}
		k->start[i] = r->start;
		k->path_hash[i] = path_hash(s, r);
		k->off[i] = (uint32_t)k->blen;
		p = k->blob + k->blen;
		p += varint_put(p, r->present);
		*p++ = r->has_vmflags;
		p += varint_put(p, r->vmflags);
		while (bits != 0) {
			fi = __builtin_ctz(bits);
			bits &= bits - 1;
			if (r->kb[fi] < 0x80)
				*p++ = (uint8_t)r->kb[fi];
			else
				p += varint_put(p, r->kb[fi]);
		}
		k->blen = (size_t)(p - k->blob);
	}
	if (n > k->n)
		k->n = n;
}

void
live_fast_keep_end(struct live_fast *f, const struct snapshot *s)
{
	size_t i;

	live_fast_keep_upto(f, s, s->nregions);
	f->kept.wall = s->wall;
	f->kept.any = true;
	snapshot_clear(f->gate);
	for (i = s->nregions; i > 0 && s->regions[i - 1].start >= FAST_USER_TOP;
	     i--)
		continue;
	for (; i < s->nregions; i++)
		if (snapshot_add_region(f->gate, &s->regions[i],
		        region_path(s, &s->regions[i]),
		        s->regions[i].path_len) == NULL)
			break;
}

void
live_fast_keep(struct live_fast *f, const struct snapshot *s)
{
	live_fast_keep_begin(f);
	live_fast_keep_end(f, s);
}

/* Add kept region j's counters to r's (its non-fresh ones zeroed before
 * the first part), and its present bits; its flags too if same (r is j
 * as it was). */
static inline void
kept_add(const struct kept *k, size_t j, struct region *r, bool same)
{
	const uint8_t *p = k->blob + k->off[j];
	uint32_t present = (uint32_t)varint_get(&p);
	uint8_t has_vmflags = *p++;
	uint64_t vmflags = varint_get(&p), bits;

	if (same) {
		r->has_vmflags = has_vmflags;
		r->vmflags = vmflags;
	}
	r->present |= present;
	for (bits = present & ~FAST_FRESH; bits != 0; bits &= bits - 1) {
		int fi = __builtin_ctzll(bits);

		r->kb[fi] = region_kb_sat((uint64_t)r->kb[fi] + varint_get(&p));
	}
}

/*
 * Give the regions of a tick their counters from the kept ones: those of
 * the region of the same start and path, or, for one that grew at its
 * start or took others in (a mapping merged into it: the counters would
 * read 0 until the next full read, and the totals drop by them at every
 * tick), the sum of those of the same path that start inside it.  skip[i]
 * for hugetlb.  Returns the number of regions the last full sample did not
 * have as they are.
 */
static size_t
kept_apply(struct live_fast *f, struct snapshot *s)
{
	struct kept *k = &f->kept;
	size_t i, j = 0, m, fresh = 0;

	for (i = 0; i < s->nregions; i++) {
		struct region *r = &s->regions[i];
		/* The fresh ones but Size (set after) as they are: hugetlb's
		 * RSS and swap stay, as the scan does not see them. */
		uint32_t rss = r->kb[SF_RSS], swap = r->kb[SF_SWAP], h = 0;
		bool same = false;

		f->skip[i] = 0;
		while (j < k->n && k->start[j] < r->start)
			j++;
		r->present = FAST_FRESH;
		memset(r->kb, 0, sizeof r->kb);
		r->kb[SF_RSS] = rss;
		r->kb[SF_SWAP] = swap;
		if (j < k->n && k->start[j] < r->end) {
			h = path_hash(s, r);
			same = k->start[j] == r->start && k->path_hash[j] == h;
		}
		for (m = j; m < k->n && k->start[m] < r->end; m++) {
			if (k->path_hash[m] == h)
				kept_add(k, m, r, same);
			if (same)
				break;
		}
		if (!same) {
			fresh++;
			continue;
		}
		/* A region of the last full sample that grew keeps its
		 * counters; only the new end is news. */
		if (f->vmflag_ht >= 0 && r->has_vmflags &&
		    ((r->vmflags >> f->vmflag_ht) & 1))
			f->skip[i] = 1;
	}
	return fresh;
}

/* ---- the mapping list ---- */

/* By PROCMAP_QUERY: 0, or -errno (ENAMETOOLONG: a name too long). */
static int
list_query(struct live_fast *f, int fd, struct snapshot *s)
{
	struct procmap_query q;
	uint64_t addr = 0;
	size_t i;

	for (;;) {
		struct fast_vma v;
		struct region r;
		size_t plen;

		memset(&q, 0, sizeof q);
		q.size = sizeof q;
		q.query_flags = PROCMAP_QUERY_COVERING_OR_NEXT_VMA;
		q.query_addr = addr;
		q.vma_name_addr = (uint64_t)(uintptr_t)f->name;
		q.vma_name_size = FAST_NAME_MAX + 1;
		if (ioctl(fd, PROCMAP_QUERY, &q) != 0)
			break;
		v.start = q.vma_start;
		v.end = q.vma_end;
		v.flags = q.vma_flags;
		v.offset = q.vma_offset;
		v.inode = q.inode;
		v.dev_major = q.dev_major;
		v.dev_minor = q.dev_minor;
		if (q.vma_name_size > FAST_NAME_MAX + 1 ||
		    !fast_vma_region(&v, f->name,
		        q.vma_name_size > 0 ? q.vma_name_size - 1 : 0,
		        FAST_NAME_MAX + 1, &r, &plen) ||
		    v.start < addr)
			return -EPROTO; /* trust, but check */
		if (s->nregions > 0 &&
		    r.start < s->regions[s->nregions - 1].end)
			s->torn++;
		else if (snapshot_add_region(s, &r, f->name, plen) == NULL)
			return -ENOMEM;
		addr = q.vma_end;
	}
	if (errno != ENOENT)
		return -errno;
	for (i = 0; i < f->gate->nregions; i++) {
		const struct region *g = &f->gate->regions[i];

		if ((s->nregions == 0 ||
		        g->start >= s->regions[s->nregions - 1].end) &&
		    snapshot_add_region(
		        s, g, region_path(f->gate, g), g->path_len) == NULL)
			return -ENOMEM;
	}
	return 0;
}

/* By the maps text, read and parsed a piece at a time. */
static int
list_text(int fd, struct snapshot *s, char *buf, size_t cap)
{
	struct smaps_cursor cur = SMAPS_CURSOR_INIT;
	size_t have = 0;
	ssize_t n;

	for (;;) {
		size_t whole;
		const char *nl;

		n = read(fd, buf + have, cap - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		have += (size_t)n;
		if (n == 0)
			whole = have;
		else {
			nl = memrchr(buf, '\n', have);
			whole = nl != NULL ? (size_t)(nl - buf) + 1 : 0;
			if (whole == 0 && have == cap)
				return -ENAMETOOLONG; /* a line past cap */
		}
		if (whole > 0 && parse_smaps_lines(buf, whole, s, &cur) < 0)
			return -ENOMEM;
		memmove(buf, buf + whole, have - whole);
		have -= whole;
		if (n == 0)
			return 0;
	}
}

static double
thread_cpu(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The list into s: the cheaper of the two ways, measured on the first
 * ticks (one syscall a mapping against text to parse). */
static int
fast_list(
    struct live_fast *f, int dirfd, struct snapshot *s, char *buf, size_t cap)
{
	bool by_query = f->query &&
	    (f->list_choice == 1 ||
	        (f->list_choice == 0 && f->cost_query == 0));
	double c0 = thread_cpu();
	int fd, rc;

	fd = openat(dirfd, "maps", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	rc = by_query ? list_query(f, fd, s) : list_text(fd, s, buf, cap);
	close(fd);
	if (rc != 0 && by_query) {
		/* A name too long, or a kernel that changed its mind: text. */
		f->query = false;
		f->list_choice = 2;
		snapshot_clear(s);
		return fast_list(f, dirfd, s, buf, cap);
	}
	if (rc == 0 && f->list_choice == 0) {
		if (by_query)
			f->cost_query = thread_cpu() - c0;
		else
			f->cost_text = thread_cpu() - c0;
		if (!f->query)
			f->list_choice = 2;
		else if (f->cost_query > 0 && f->cost_text > 0)
			f->list_choice = f->cost_query <= f->cost_text ? 1 : 2;
	}
	return rc;
}

/* ---- the scan ---- */

static int
fast_scan(struct live_fast *f, int dirfd, struct snapshot *s, uint64_t *stray)
{
	struct pm_scan_arg a;
	uint64_t done, top;
	size_t at = 0;
	long n;
	int fd;

	if (s->nregions == 0)
		return 0;
	fd = openat(dirfd, "pagemap", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	done = s->regions[0].start;
	top = s->regions[s->nregions - 1].end;
	if (top > FAST_USER_TOP)
		top = FAST_USER_TOP; /* [vsyscall] lies above: no pages */
	while (done < top) {
		memset(&a, 0, sizeof a);
		a.size = sizeof a;
		a.start = done;
		a.end = top;
		a.vec = (uint64_t)(uintptr_t)f->vec;
		a.vec_len = FAST_VEC;
		a.category_anyof_mask =
		    FAST_PAGE_IS_PRESENT | FAST_PAGE_IS_SWAPPED;
		a.return_mask = FAST_PAGE_IS_PRESENT | FAST_PAGE_IS_SWAPPED |
		    FAST_PAGE_IS_PFNZERO;
		n = ioctl(fd, PAGEMAP_SCAN, &a);
		if (n < 0) {
			n = -errno;
			close(fd);
			return (int)n;
		}
		if (n > FAST_VEC)
			n = FAST_VEC; /* trust, but check */
		fast_bucket(s, &at, &done, f->vec, (size_t)n, f->page_size,
		    f->skip, stray);
		/* Fewer than asked: the walk is over (walk_end alone may
		 * point back into a chunk already given). */
		if (n < FAST_VEC)
			break;
		if (a.walk_end > done && a.walk_end <= top)
			done = a.walk_end;
	}
	close(fd);
	return 0;
}

bool
fast_vmsize(const char *buf, size_t len, uint64_t *kb)
{
	const char *p = len >= 7 && memcmp(buf, "VmSize:", 7) == 0 ?
	    buf :
	    memmem(buf, len, "\nVmSize:", 8);
	const char *end = buf + len;
	uint64_t v = 0;
	int n = 0;

	if (p == NULL)
		return false;
	p += *p == '\n' ? 8 : 7;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	for (; p < end && (unsigned)(*p - '0') < 10 && n < 19; p++, n++)
		v = v * 10 + (unsigned)(*p - '0');
	*kb = v;
	return n > 0;
}

/* VmSize of the process, from status: -1 when it cannot be read. */
static int64_t
fast_status_vmsize(int dirfd, char *buf, size_t cap)
{
	uint64_t kb;
	ssize_t n;
	int fd = openat(dirfd, "status", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	n = read(fd, buf, cap);
	close(fd);
	return n > 0 && fast_vmsize(buf, (size_t)n, &kb) ? (int64_t)kb : -1;
}

void
live_fast_listed(struct live_fast *f, uint64_t seq, int64_t vmsize_kb)
{
	f->list_seq = seq;
	f->list_vmsize = vmsize_kb;
	f->list_ticks = 0;
	f->listed = vmsize_kb >= 0;
}

/* A hash of a mapping list (ranges, offsets, files, permissions and
 * paths): whether a list read is the one read before.  A word changed
 * anywhere changes it (each step is a bijection of the hash). */
static uint64_t
fast_list_hash(const struct snapshot *s)
{
	const uint64_t prime = 0x100000001b3ull;
	uint64_t h = 0xcbf29ce484222325ull, w;
	size_t i;

	for (i = 0; i < s->nregions; i++) {
		const struct region *r = &s->regions[i];
		uint32_t perms;

		memcpy(&perms, r->perms, sizeof perms);
		h = (h ^ r->start) * prime;
		h = (h ^ r->end) * prime;
		h = (h ^ r->offset) * prime;
		h = (h ^ r->inode) * prime;
		h = (h ^ ((uint64_t)r->path_off << 32 | r->path_len)) * prime;
		h = (h ^ ((uint64_t)perms << 32 | r->deleted)) * prime;
	}
	for (i = 0; i + sizeof w <= s->strings_len; i += sizeof w) {
		memcpy(&w, s->strings + i, sizeof w);
		h = (h ^ w) * prime;
	}
	for (; i < s->strings_len; i++)
		h = (h ^ (uint8_t)s->strings[i]) * prime;
	return h;
}

/* Whether out still holds the last mapping list read, and status says the
 * address space has not changed size since: the list need not be read
 * again.  The sampler hands two buffers round, so out was filled two
 * samples ago: it holds that list if every list read since it was filled
 * had the same hash. */
static bool
fast_list_holds(
    const struct live_fast *f, const struct snapshot *out, int64_t vmsize)
{
	return f->listed && vmsize >= 0 && vmsize == f->list_vmsize &&
	    f->list_ticks < FAST_LIST_EVERY && out->nregions > 0 &&
	    out->seq >= f->list_same_since && out->state == TARGET_ALIVE;
}

int
live_fast_tick(struct live_fast *f, int dirfd, uint64_t seq,
    struct snapshot *out, char *buf, size_t cap)
{
	int64_t vmsize = fast_status_vmsize(dirfd, buf, cap);
	uint64_t stray = 0, hash;
	size_t i, fresh;
	bool again = false;
	int rc;

	if (fast_list_holds(f, out, vmsize)) {
		/* The regions and their paths stay; the rest is new. */
		out->nthreads = 0;
		out->torn = 0;
		f->list_ticks++;
		f->list_reused++;
	} else {
	list:
		snapshot_clear(out);
		if ((rc = fast_list(f, dirfd, out, buf, cap)) != 0)
			return rc;
		hash = fast_list_hash(out);
		if (!f->listed || hash != f->list_hash)
			f->list_same_since = seq;
		f->list_hash = hash;
		live_fast_listed(f, seq, vmsize);
	}
	if (out->nregions > f->skip_cap) {
		f->skip_cap = out->nregions + out->nregions / 8;
		f->skip = xrealloc(f->skip, f->skip_cap);
	}
	fresh = kept_apply(f, out);
	for (i = 0; i < out->nregions; i++) {
		struct region *r = &out->regions[i];

		r->kb[SF_SIZE] = region_kb_sat((r->end - r->start) / 1024);
		if (!f->skip[i])
			r->kb[SF_RSS] = r->kb[SF_SWAP] = 0;
	}
	if ((rc = fast_scan(f, dirfd, out, &stray)) != 0)
		return rc;
	/* Pages outside the mappings known: the list moved under a size
	 * that did not (munmap and mmap alike): read it now. */
	if (stray > 0 && !again && f->list_seq != seq) {
		again = true;
		goto list;
	}
	out->stale = ((uint32_t)1 << SF_COUNT) - 1 - FAST_FRESH;
	out->full_wall = f->kept.wall;
	return fresh > 0 || !f->kept.any ? 1 : 0;
}

struct live_fast *
live_fast_open(int dirfd)
{
	const char *env = getenv("MEMTOP_SAMPLER");
	struct live_fast *f;
	struct pm_scan_arg a;
	struct procmap_query q;
	struct fast_range one;
	int fd;

	if (env != NULL && strcmp(env, "full") == 0)
		return NULL;
	fd = openat(dirfd, "pagemap", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	memset(&a, 0, sizeof a);
	a.size = sizeof a;
	a.start = 0;
	a.end = 4096;
	a.vec = (uint64_t)(uintptr_t)&one;
	a.vec_len = 1;
	a.category_anyof_mask = FAST_PAGE_IS_PRESENT;
	a.return_mask = FAST_PAGE_IS_PRESENT;
	if (ioctl(fd, PAGEMAP_SCAN, &a) < 0) {
		close(fd); /* ENOTTY before 6.7; EINVAL: another struct */
		return NULL;
	}
	close(fd);
	f = xcalloc(1, sizeof *f);
	f->page_size = (uint64_t)sysconf(_SC_PAGESIZE);
	if (f->page_size < 1024)
		f->page_size = 4096;
	f->vec = xcalloc(FAST_VEC, sizeof *f->vec);
	f->name = xmalloc(FAST_NAME_MAX + 1);
	f->vmflag_ht = vmflag_lookup("ht");
	f->gate = snapshot_new();
	if ((fd = openat(dirfd, "maps", O_RDONLY | O_CLOEXEC)) >= 0) {
		memset(&q, 0, sizeof q);
		q.size = sizeof q;
		q.query_flags = PROCMAP_QUERY_COVERING_OR_NEXT_VMA;
		f->query = ioctl(fd, PROCMAP_QUERY, &q) == 0 || errno == ENOENT;
		close(fd);
	}
	if (env != NULL && strcmp(env, "text") == 0)
		f->query = false;
	return f;
}

uint64_t
live_fast_reused(const struct live_fast *f)
{
	return f->list_reused;
}

bool
live_fast_query(const struct live_fast *f)
{
	return f->list_choice == 1 || (f->list_choice == 0 && f->query);
}

void
live_fast_close(struct live_fast *f)
{
	if (f == NULL)
		return;
	free(f->vec);
	free(f->skip);
	free(f->name);
	free(f->kept.start);
	free(f->kept.path_hash);
	free(f->kept.off);
	free(f->kept.blob);
	snapshot_free(f->gate);
	free(f);
}
