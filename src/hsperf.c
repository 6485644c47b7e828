/*
 * hsperf.c - the PerfData parser (pure) and the reader of a target's
 * /tmp/hsperfdata_USER/PID through its /proc directory.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hsperf.h"
#include "util.h"

/* The prologue (perfMemory.hpp's PerfDataPrologue), 32 bytes. */
#define HSP_PROLOGUE     32
#define HSP_OFF_ORDER    4
#define HSP_OFF_MAJOR    5
#define HSP_OFF_MINOR    6
#define HSP_OFF_ACCESS   7
#define HSP_OFF_USED     8
#define HSP_OFF_MODTIME  16
#define HSP_OFF_ENTRIES  24
#define HSP_OFF_NENTRIES 28
/* An entry's fixed part (PerfDataEntry), 20 bytes. */
#define HSP_ENTRY         20
#define HSP_E_NAME        4
#define HSP_E_VECTOR      8
#define HSP_E_TYPE        12
#define HSP_E_UNITS       14
#define HSP_E_VARIABILITY 15
#define HSP_E_DATA        16

static const uint8_t hsperf_magic[4] = { 0xca, 0xfe, 0xc0, 0xc0 };

static uint32_t
hsperf_u32(const uint8_t *p, bool big)
{
	if (big)
		return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
		    (uint32_t)p[2] << 8 | p[3];
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[1] << 8 | p[0];
}

static int64_t
hsperf_i64(const uint8_t *p, bool big)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v |= (uint64_t)p[big ? i : 7 - i] << (8 * (7 - i));
	return (int64_t)v;
}

/* The size of one element of a type; 0 for a type memtop does not know. */
static size_t
hsperf_type_size(char type)
{
	switch (type) {
	case 'B': /* byte */
	case 'Z': /* boolean */
		return 1;
	case 'C': /* char */
	case 'S': /* short */
		return 2;
	case 'I': /* int */
	case 'F': /* float */
		return 4;
	case 'J': /* long */
	case 'D': /* double */
		return 8;
	}
	return 0;
}

/*
 * Check the entry at off (inside [0, end)) and fill *e.  Returns its length,
 * 0 when it is malformed.  Every offset is the entry's own, relative to its
 * start, and must stay inside it.
 */
static uint32_t
hsperf_entry_at(const uint8_t *b, uint32_t off, uint32_t end, bool big,
    struct hsperf_entry *e)
{
	uint32_t elen, name, vec, data, span;
	const uint8_t *nul;
	size_t size;

	if (end - off < HSP_ENTRY)
		return 0;
	elen = hsperf_u32(b + off, big);
	name = hsperf_u32(b + off + HSP_E_NAME, big);
	vec = hsperf_u32(b + off + HSP_E_VECTOR, big);
	data = hsperf_u32(b + off + HSP_E_DATA, big);
	if (elen < HSP_ENTRY || elen > end - off || name < HSP_ENTRY ||
	    name >= elen || data >= elen || vec > elen)
		return 0;
	/* The name ends inside the entry, before the data when it precedes
	 * it (HotSpot writes name then data). */
	span = data > name ? data - name : elen - name;
	nul = memchr(b + off + name, '\0', span);
	if (nul == NULL || nul == b + off + name)
		return 0;
	memset(e, 0, sizeof *e);
	e->name = (const char *)(b + off + name);
	e->type = (char)b[off + HSP_E_TYPE];
	e->units = b[off + HSP_E_UNITS];
	e->variability = b[off + HSP_E_VARIABILITY];
	e->vector_length = vec;
	size = hsperf_type_size(e->type);
	if (size == 0)
		return elen; /* a type memtop skips, in a sound entry */
	size *= vec == 0 ? 1 : vec;
	if (size > elen - data)
		return 0;
	e->data = b + off + data;
	e->data_len = size;
	if (e->type == 'J' && vec == 0)
		e->value = hsperf_i64(e->data, big);
	return elen;
}

int
hsperf_each(const void *buf, size_t len, struct hsperf *h,
    int (*fn)(const struct hsperf_entry *e, void *arg), void *arg,
    const char **why)
{
	const uint8_t *b = buf;
	uint32_t end, off, i;
	struct hsperf_entry e;

	*why = NULL;
	if (len < 4 || memcmp(b, hsperf_magic, 4) != 0) {
		*why = "not hsperfdata (bad magic)";
		return -1;
	}
	if (len < HSP_PROLOGUE) {
		*why = "truncated hsperfdata (no whole prologue)";
		return -1;
	}
	if (b[HSP_OFF_ORDER] > 1) {
		*why = "hsperfdata with an unknown byte order";
		return -1;
	}
	h->big_endian = b[HSP_OFF_ORDER] == 0;
	h->major = b[HSP_OFF_MAJOR];
	h->minor = b[HSP_OFF_MINOR];
	if (h->major != 2) {
		*why = "hsperfdata of a version other than 2.0 (a JVM older "
		       "than 1.5, or not HotSpot)";
		return -1;
	}
	h->used = hsperf_u32(b + HSP_OFF_USED, h->big_endian);
	h->mod_time_stamp = hsperf_i64(b + HSP_OFF_MODTIME, h->big_endian);
	h->num_entries = hsperf_u32(b + HSP_OFF_NENTRIES, h->big_endian);
	h->entries = 0;
	h->torn = false;
	if (b[HSP_OFF_ACCESS] == 0) {
		*why = "hsperfdata not ready (the JVM is starting)";
		return -EAGAIN;
	}
	/* Entries live below "used"; a file shorter than that was cut. */
	end = len > UINT32_MAX ? UINT32_MAX : (uint32_t)len;
	if (h->used >= HSP_PROLOGUE && h->used < end)
		end = h->used;
	off = hsperf_u32(b + HSP_OFF_ENTRIES, h->big_endian);
	if (off < HSP_PROLOGUE || off > end) {
		*why = "malformed hsperfdata (entries outside the file)";
		return -1;
	}
	for (i = 0; i < h->num_entries && off < end; i++) {
		uint32_t elen = hsperf_entry_at(b, off, end, h->big_endian, &e);

		if (elen == 0) {
			h->torn = true;
			break;
		}
		h->entries++;
		off += elen;
		if (e.data != NULL && fn(&e, arg) != 0)
			break;
	}
	if (i < h->num_entries && !h->torn && off >= end)
		h->torn = true; /* fewer entries than it says: cut */
	return 0;
}

/* "12" at *p (at most 2 digits) below limit; advances *p.  -1 otherwise. */
static int
hsperf_index(const char **p, int limit)
{
	const char *s = *p;
	int n = 0, digits = 0;

	while (*s >= '0' && *s <= '9' && digits < 3) {
		n = n * 10 + (*s - '0');
		s++;
		digits++;
	}
	if (digits == 0 || digits > 2 || n >= limit)
		return -1;
	*p = s;
	return n;
}

/* If name starts with prefix, the rest; else NULL. */
static const char *
hsperf_after(const char *name, const char *prefix)
{
	size_t n = strlen(prefix);

	return strncmp(name, prefix, n) == 0 ? name + n : NULL;
}

/* A string entry's value, NUL-terminated, cut to size. */
static void
hsperf_string(const struct hsperf_entry *e, char *out, size_t size)
{
	size_t n = 0;

	if (e->type == 'B' && e->vector_length > 0) {
		const uint8_t *nul = memchr(e->data, '\0', e->data_len);

		n = nul != NULL ? (size_t)(nul - e->data) : e->data_len;
	}
	if (n >= size)
		n = size - 1;
	memcpy(out, e->data != NULL ? (const char *)e->data : "", n);
	out[n] = '\0';
}

/* A scalar long's value, or HSPERF_NONE for anything else or a negative. */
static int64_t
hsperf_long(const struct hsperf_entry *e)
{
	if (e->type != 'J' || e->vector_length != 0 || e->value < 0)
		return HSPERF_NONE;
	return e->value;
}

/* Fields "capacity", "used", "maxCapacity" and "name" into their slots. */
static void
hsperf_sized(const struct hsperf_entry *e, const char *field, int64_t *cap,
    int64_t *used, int64_t *max, char *name)
{
	if (strcmp(field, "capacity") == 0)
		*cap = hsperf_long(e);
	else if (used != NULL && strcmp(field, "used") == 0)
		*used = hsperf_long(e);
	else if (strcmp(field, "maxCapacity") == 0)
		*max = hsperf_long(e);
	else if (name != NULL && strcmp(field, "name") == 0)
		hsperf_string(e, name, HSPERF_NAME_MAX);
}

/* sun.gc.generation.G.{capacity,maxCapacity,name} and
 * sun.gc.generation.G.space.S.{capacity,used,maxCapacity,name} */
static void
hsperf_generation(struct hsperf *h, const struct hsperf_entry *e, const char *p)
{
	struct hsperf_gen *g;
	const char *q;
	int gi, si;

	if ((gi = hsperf_index(&p, HSPERF_GENS)) < 0 || *p++ != '.')
		return;
	g = &h->gen[gi];
	if ((q = hsperf_after(p, "space.")) == NULL) {
		hsperf_sized(e, p, &g->capacity, NULL, &g->max, g->name);
		return;
	}
	if ((si = hsperf_index(&q, HSPERF_SPACES)) < 0 || *q++ != '.')
		return;
	hsperf_sized(e, q, &g->space[si].capacity, &g->space[si].used,
	    &g->space[si].max, g->space[si].name);
}

static int
hsperf_collect(const struct hsperf_entry *e, void *arg)
{
	struct hsperf *h = arg;
	const char *n = e->name, *p;
	int i;

	if ((p = hsperf_after(n, "sun.gc.generation.")) != NULL)
		hsperf_generation(h, e, p);
	else if ((p = hsperf_after(n, "sun.gc.collector.")) != NULL) {
		if ((i = hsperf_index(&p, HSPERF_COLLECTORS)) < 0 ||
		    *p++ != '.')
			return 0;
		if (strcmp(p, "invocations") == 0)
			h->coll[i].invocations = hsperf_long(e);
		else if (strcmp(p, "time") == 0)
			h->coll[i].ticks = hsperf_long(e);
		else if (strcmp(p, "name") == 0)
			hsperf_string(e, h->coll[i].name, HSPERF_NAME_MAX);
	} else if ((p = hsperf_after(n, "sun.gc.metaspace.")) != NULL)
		hsperf_sized(
		    e, p, &h->meta_capacity, &h->meta_used, &h->meta_max, NULL);
	else if ((p = hsperf_after(n, "sun.gc.compressedclassspace.")) != NULL)
		hsperf_sized(e, p, &h->class_capacity, &h->class_used,
		    &h->class_max, NULL);
	else if (strcmp(n, "sun.os.hrt.frequency") == 0)
		h->frequency = hsperf_long(e);
	else if (strcmp(n, "sun.os.hrt.ticks") == 0)
		h->ticks = hsperf_long(e);
	else if (strcmp(n, "sun.ci.nmethodSize") == 0)
		h->code = hsperf_long(e);
	else if (strcmp(n, "java.threads.live") == 0)
		h->threads = hsperf_long(e);
	else if (strcmp(n, "sun.gc.policy.name") == 0)
		hsperf_string(e, h->policy, sizeof h->policy);
	return 0;
}

static void
hsperf_clear(struct hsperf *h)
{
	int i, j;

	memset(h, 0, sizeof *h);
	h->frequency = h->ticks = h->code = h->threads = HSPERF_NONE;
	h->meta_capacity = h->meta_used = h->meta_max = HSPERF_NONE;
	h->class_capacity = h->class_used = h->class_max = HSPERF_NONE;
	for (i = 0; i < HSPERF_GENS; i++) {
		h->gen[i].capacity = h->gen[i].max = HSPERF_NONE;
		for (j = 0; j < HSPERF_SPACES; j++) {
			struct hsperf_space *s = &h->gen[i].space[j];

			s->capacity = s->used = s->max = HSPERF_NONE;
		}
	}
	for (i = 0; i < HSPERF_COLLECTORS; i++)
		h->coll[i].invocations = h->coll[i].ticks = HSPERF_NONE;
}

int
hsperf_parse(const void *buf, size_t len, struct hsperf *h, const char **why)
{
	hsperf_clear(h);
	return hsperf_each(buf, len, h, hsperf_collect, h, why);
}

/* Ticks to nanoseconds at frequency hz (> 0), saturating. */
static uint64_t
hsperf_ns(int64_t ticks, int64_t hz)
{
	unsigned __int128 ns = (unsigned __int128)(uint64_t)ticks * 1000000000u;

	ns /= (uint64_t)hz;
	return ns > UINT64_MAX ? UINT64_MAX : (uint64_t)ns;
}

/* Add v (unless HSPERF_NONE) to *sum, counting in *n; saturating. */
static void
hsperf_add(uint64_t *sum, int *n, int64_t v)
{
	if (v == HSPERF_NONE)
		return;
	*sum = *sum + (uint64_t)v < *sum ? UINT64_MAX : *sum + (uint64_t)v;
	(*n)++;
}

static void
hsperf_set(struct rt_figures *f, enum rt_field k, int64_t v)
{
	if (v != HSPERF_NONE)
		rtfig_set(f, k, (uint64_t)v);
}

/* Sums over the generations: used (of their spaces), committed, max. */
static void
hsperf_heap(const struct hsperf *h, struct rt_figures *f)
{
	uint64_t used = 0, cap = 0, max = 0, maxmax = 0;
	int nused = 0, ncap = 0, nmax = 0, i, j;

	for (i = 0; i < HSPERF_GENS; i++) {
		for (j = 0; j < HSPERF_SPACES; j++)
			hsperf_add(&used, &nused, h->gen[i].space[j].used);
		hsperf_add(&cap, &ncap, h->gen[i].capacity);
		hsperf_add(&max, &nmax, h->gen[i].max);
		if (h->gen[i].max != HSPERF_NONE &&
		    (uint64_t)h->gen[i].max > maxmax)
			maxmax = (uint64_t)h->gen[i].max;
	}
	if (nused > 0)
		rtfig_set(f, RTF_JVM_HEAP_USED, used);
	if (ncap > 0)
		rtfig_set(f, RTF_JVM_HEAP_COMMITTED, cap);
	/* G1 gives each generation the whole heap as its maximum. */
	if (nmax > 0)
		rtfig_set(f, RTF_JVM_HEAP_MAX,
		    strcmp(h->policy, "GarbageFirst") == 0 ? maxmax : max);
}

void
hsperf_figures(const struct hsperf *h, struct rt_figures *f)
{
	const struct hsperf_gen *young = &h->gen[0], *old = &h->gen[1];
	static const enum rt_field gcs[3][2] = {
		{ RTF_JVM_YOUNG_GCS, RTF_JVM_YOUNG_GC_NS },
		{ RTF_JVM_FULL_GCS, RTF_JVM_FULL_GC_NS },
		{ RTF_JVM_CONC_GCS, RTF_JVM_CONC_GC_NS },
	};
	uint64_t sum = 0;
	int i, n = 0;

	rtfig_init(f, RT_SRC_JVM_HSPERF, RT_ST_OK);
	hsperf_heap(h, f);
	hsperf_set(f, RTF_JVM_EDEN_USED, young->space[0].used);
	hsperf_set(f, RTF_JVM_EDEN_COMMITTED, young->space[0].capacity);
	hsperf_add(&sum, &n, young->space[1].used);
	hsperf_add(&sum, &n, young->space[2].used);
	if (n > 0)
		rtfig_set(f, RTF_JVM_SURVIVOR_USED, sum);
	sum = 0;
	n = 0;
	hsperf_add(&sum, &n, young->space[1].capacity);
	hsperf_add(&sum, &n, young->space[2].capacity);
	if (n > 0)
		rtfig_set(f, RTF_JVM_SURVIVOR_COMMITTED, sum);
	hsperf_set(f, RTF_JVM_OLD_USED, old->space[0].used);
	hsperf_set(f, RTF_JVM_OLD_COMMITTED, old->space[0].capacity);
	hsperf_set(f, RTF_JVM_OLD_MAX, old->max);
	hsperf_set(f, RTF_JVM_METASPACE_USED, h->meta_used);
	hsperf_set(f, RTF_JVM_METASPACE_COMMITTED, h->meta_capacity);
	hsperf_set(f, RTF_JVM_CLASS_USED, h->class_used);
	hsperf_set(f, RTF_JVM_CLASS_COMMITTED, h->class_capacity);
	hsperf_set(f, RTF_JVM_CODE, h->code);
	hsperf_set(f, RTF_JVM_THREADS, h->threads);
	for (i = 0; i < 3; i++) {
		hsperf_set(f, gcs[i][0], h->coll[i].invocations);
		if (h->frequency > 0 && h->coll[i].ticks != HSPERF_NONE)
			rtfig_set(f, gcs[i][1],
			    hsperf_ns(h->coll[i].ticks, h->frequency));
	}
	if (h->frequency > 0 && h->ticks != HSPERF_NONE)
		rtfig_set(
		    f, RTF_JVM_CLOCK_NS, hsperf_ns(h->ticks, h->frequency));
	snprintf(f->detail, sizeof f->detail, "%s", h->policy);
	if (!rtfig_has(f, RTF_JVM_HEAP_USED) ||
	    !rtfig_has(f, RTF_JVM_HEAP_COMMITTED))
		rtfig_fail(f, RT_ST_ERROR,
		    "hsperfdata without heap counters (%u of %u entries "
		    "read%s)",
		    h->entries, h->num_entries,
		    h->torn ? ", then a bad one" : "");
}

/* The number after "Key:" on a line of status; the field-th (0 first). */
static int
hsperf_status_field(const char *buf, size_t len, const char *key, int field,
    bool last, long *out)
{
	size_t klen = strlen(key), i = 0;

	while (i < len) {
		const char *line = buf + i, *nl = memchr(line, '\n', len - i);
		size_t n = nl != NULL ? (size_t)(nl - line) : len - i;

		i += n + 1;
		if (n > klen && memcmp(line, key, klen) == 0) {
			size_t j = klen;
			int k = 0;
			long v = -1, got = -1;

			while (j < n) {
				while (j < n &&
				    (line[j] == ' ' || line[j] == '\t'))
					j++;
				if (j >= n || line[j] < '0' || line[j] > '9')
					break;
				v = 0;
				while (j < n && line[j] >= '0' &&
				    line[j] <= '9' && v < 100000000000L)
					v = v * 10 + (line[j++] - '0');
				if (last || k == field)
					got = v;
				if (!last && k == field)
					break;
				k++;
			}
			if (got < 0)
				return -1;
			*out = got;
			return 0;
		}
	}
	return -1;
}

int
hsperf_status_ids(const char *buf, size_t len, long *nspid, long *euid)
{
	if (hsperf_status_field(buf, len, "NSpid:", 0, true, nspid) < 0 &&
	    hsperf_status_field(buf, len, "Pid:", 0, false, nspid) < 0)
		return -EINVAL;
	if (hsperf_status_field(buf, len, "Uid:", 1, false, euid) < 0)
		return -EINVAL;
	return 0;
}

/* Read all of fd (a regular file of at most HSPERF_FILE_MAX bytes) into a
 * malloc'd buffer.  0, or -errno with a reason in f. */
static int
hsperf_slurp(int fd, uint8_t **out, size_t *len, struct rt_figures *f)
{
	struct stat st;
	const char *what;
	uint8_t *buf;
	size_t got = 0, size;
	ssize_t n;

	if (fstat(fd, &st) < 0) {
		rtfig_fail(f, RT_ST_ERROR, "hsperfdata: %s", strerror(errno));
		return -errno;
	}
	if ((what = mode_not_regular(st.st_mode)) != NULL) {
		rtfig_fail(f, RT_ST_ERROR, "hsperfdata file is %s", what);
		return -EINVAL;
	}
	if (st.st_size > (off_t)HSPERF_FILE_MAX) {
		rtfig_fail(f, RT_ST_ERROR,
		    "hsperfdata file of %lld bytes: larger than %u MiB",
		    (long long)st.st_size, HSPERF_FILE_MAX >> 20);
		return -EFBIG;
	}
	/* One byte more than it says: a file still growing shows it. */
	size = (size_t)st.st_size + 1;
	buf = xmalloc(size);
	while (got < size) {
		n = pread(fd, buf + got, size - got, (off_t)got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;

			free(buf);
			rtfig_fail(
			    f, RT_ST_ERROR, "hsperfdata: %s", strerror(e));
			return -e;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	*out = buf;
	*len = got;
	return 0;
}

/* Open DIR/NAME under tmpfd, neither a symlink.  An fd, or -errno. */
static int
hsperf_open_in(int tmpfd, const char *dir, const char *name)
{
	int dfd, fd, e;

	dfd =
	    openat(tmpfd, dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	fd = openat(dfd, name,
	    O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	e = errno;
	close(dfd);
	return fd < 0 ? -e : fd;
}

/*
 * Find and open the file: the hint's directory first, then every
 * hsperfdata_* one; the first whose file NAME is owned by euid wins.  An fd,
 * or -ENOENT (none), -EACCES (one we may not read), -EPERM (one owned by
 * another UID: an older JVM's leftover, another namespace's).
 */
static int
hsperf_find(
    int tmpfd, const char *name, long euid, char *hint, size_t hint_size)
{
	struct dirent *d;
	struct stat st;
	int fd, best = -ENOENT;
	DIR *dir;

	if (hint != NULL && hint[0] != '\0') {
		fd = hsperf_open_in(tmpfd, hint, name);
		if (fd >= 0 && fstat(fd, &st) == 0 && (long)st.st_uid == euid)
			return fd;
		if (fd >= 0)
			close(fd);
	}
	fd = openat(tmpfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || (dir = fdopendir(fd)) == NULL) {
		best = -errno;
		if (fd >= 0)
			close(fd);
		return best;
	}
	while ((d = readdir(dir)) != NULL) {
		if (strncmp(d->d_name, "hsperfdata_", 11) != 0)
			continue;
		fd = hsperf_open_in(tmpfd, d->d_name, name);
		if (fd == -EACCES && best == -ENOENT)
			best = -EACCES;
		if (fd < 0)
			continue;
		if (fstat(fd, &st) == 0 && (long)st.st_uid == euid) {
			if (hint != NULL)
				snprintf(hint, hint_size, "%s", d->d_name);
			closedir(dir);
			return fd;
		}
		close(fd);
		best = -EPERM;
	}
	closedir(dir);
	return best;
}

/* Open the target's hsperfdata file.  An fd, or -errno with f filled. */
static int
hsperf_open(int procfd, struct rt_figures *f, char *hint, size_t hint_size)
{
	char status[8192], name[24];
	long nspid, euid;
	ssize_t n;
	int fd, root, tmp;

	fd = openat(procfd, "status", O_RDONLY | O_CLOEXEC);
	n = fd >= 0 ? read(fd, status, sizeof status) : -1;
	if (fd >= 0)
		close(fd);
	if (n < 0 || hsperf_status_ids(status, (size_t)n, &nspid, &euid) < 0) {
		rtfig_fail(f, RT_ST_ERROR,
		    "hsperfdata: cannot read the "
		    "target's status");
		return -ESRCH;
	}
	root = openat(procfd, "root", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0) {
		int e = errno;

		rtfig_fail(f, RT_ST_ERROR,
		    "hsperfdata: cannot enter the "
		    "target's root: %s",
		    strerror(e));
		return -e;
	}
	tmp = openat(
	    root, "tmp", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	close(root);
	if (tmp < 0) {
		int e = errno;

		rtfig_fail(f, e == ENOENT ? RT_ST_NONE : RT_ST_ERROR,
		    "no hsperfdata: the target's /tmp: %s",
		    e == ELOOP ? "a symbolic link, not followed" : strerror(e));
		return e == ENOENT ? -ENOENT : -e;
	}
	snprintf(name, sizeof name, "%ld", nspid);
	fd = hsperf_find(tmp, name, euid, hint, hint_size);
	close(tmp);
	if (fd == -ENOENT)
		rtfig_fail(f, RT_ST_NONE,
		    "no hsperfdata (-XX:-UsePerfData, or "
		    "not a HotSpot JVM)");
	else if (fd == -EACCES)
		rtfig_fail(f, RT_ST_ERROR,
		    "hsperfdata of another user: "
		    "permission denied");
	else if (fd == -EPERM)
		rtfig_fail(f, RT_ST_NONE,
		    "no hsperfdata of this process "
		    "(only files of another user with its PID)");
	else if (fd < 0)
		rtfig_fail(f, RT_ST_ERROR, "hsperfdata: the target's /tmp: %s",
		    strerror(-fd));
	return fd == -EPERM ? -ENOENT : fd;
}

int
hsperf_read(int procfd, struct hsperf *h, struct rt_figures *f, char *hint,
    size_t hint_size)
{
	struct hsperf local;
	const char *why = NULL;
	double t0 = clock_mono();
	int fd, rc = -1, try;

	if (h == NULL)
		h = &local;
	rtfig_init(f, RT_SRC_JVM_HSPERF, RT_ST_OK);
	fd = hsperf_open(procfd, f, hint, hint_size);
	if (fd < 0)
		goto out;
	for (try = 0; try < 3; try++) {
		struct timespec pause = { 0, 5000000 };
		uint8_t *buf = NULL;
		size_t len = 0;

		if (try > 0)
			nanosleep(&pause, NULL);
		why = NULL;
		if ((rc = hsperf_slurp(fd, &buf, &len, f)) < 0)
			break;
		rc = hsperf_parse(buf, len, h, &why);
		free(buf);
		/* Starting, or an entry being appended: read it again. */
		if (rc != -EAGAIN && !(rc == 0 && h->torn))
			break;
	}
	close(fd);
	if (rc == -EAGAIN) {
		rtfig_fail(f, RT_ST_NONE, "%s", why);
		rc = -ENOENT;
	} else if (rc < 0 && why != NULL) {
		rtfig_fail(f, RT_ST_ERROR, "%s", why);
		rc = -EINVAL;
	} else if (rc == 0) {
		hsperf_figures(h, f);
		rc = f->status == RT_ST_OK ? 0 : -EINVAL;
	}
	fd = rc;
out:
	f->mono = clock_mono();
	f->wall = clock_wall();
	f->read_secs = f->mono - t0;
	return fd < 0 ? fd : 0;
}
