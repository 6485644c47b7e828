/*
 * test-session.c - session files: round trips, delta size, and every kind
 * of damage the reader must survive (truncation at every offset, every bit
 * flipped, absurd lengths, unknown versions, broken indexes, time going
 * backwards), the writer's lock, follow mode and flight-recorder segments.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "session-codec.h"
#include "session.h"
#include "tap.h"

static char dir[] = "/tmp/memtop-session-XXXXXX";

/* A synthetic process: n regions, `changing` of them grow each sample. */
static void
make_snapshot(struct snapshot *s, size_t n, unsigned sample, size_t changing)
{
	struct region r;
	char path[64];
	size_t i;

	snapshot_clear(s);
	s->seq = sample;
	s->mono = 100 + sample;
	s->wall = 1700000000 + sample;
	s->sample_ms = 1.5;
	s->state = TARGET_ALIVE;
	s->info.pid = 4242;
	s->info.start_time = 777;
	strcpy(s->info.comm, "synthetic");
	strcpy(s->info.cmdline, "synthetic --leak");
	s->info.cmdline_len = 16;
	s->info.has_status = 1ULL << ST_VM_RSS;
	s->info.status[ST_VM_RSS] = 1000 + sample;
	s->info.mem_available_kb = 5000000;
	for (i = 0; i < n; i++) {
		memset(&r, 0, sizeof r);
		r.start = 0x10000000ULL + i * 0x3000;
		r.end = r.start + 0x2000;
		memcpy(r.perms, i % 3 ? "r--p" : "rw-p", 4);
		r.inode = i % 7;
		r.present = (1ULL << SF_SIZE) | (1ULL << SF_RSS) |
		    (1ULL << SF_PSS) | (1ULL << SF_SWAP);
		r.kb[SF_SIZE] = 8;
		r.kb[SF_RSS] = 4 + (i < changing ? sample : 0);
		r.kb[SF_PSS] = 2;
		r.has_vmflags = 1;
		r.vmflags = 0x33;
		snprintf(path, sizeof path, i % 4 ? "/lib/lib%zu.so" : "", i % 50);
		snapshot_add_region(s, &r, path, strlen(path));
	}
	snapshot_add_thread_sp(s, 0x7ffd0000 + sample);
}

static bool
same_snapshot(const struct snapshot *a, const struct snapshot *b)
{
	size_t i;

	if (a->nregions != b->nregions || a->seq != b->seq ||
	    a->wall != b->wall || a->mono != b->mono ||
	    a->info.pid != b->info.pid || strcmp(a->info.comm, b->info.comm) ||
	    a->info.status[ST_VM_RSS] != b->info.status[ST_VM_RSS] ||
	    a->nthreads != b->nthreads || a->thread_sp[0] != b->thread_sp[0])
		return false;
	for (i = 0; i < a->nregions; i++) {
		const struct region *x = &a->regions[i], *y = &b->regions[i];

		if (x->start != y->start || x->end != y->end ||
		    memcmp(x->perms, y->perms, 4) || x->present != y->present ||
		    memcmp(x->kb, y->kb, sizeof x->kb) || x->vmflags != y->vmflags ||
		    x->path_len != y->path_len || memcmp(region_path(a, x),
		    region_path(b, y), x->path_len))
			return false;
	}
	return true;
}

static char *
path_of(const char *name)
{
	static char buf[256];

	snprintf(buf, sizeof buf, "%s/%s", dir, name);
	return buf;
}

/* Record `samples` samples of n regions into name; returns the file size. */
static size_t
record(const char *name, unsigned samples, size_t n, size_t changing,
    bool close_it)
{
	struct snapshot *s = snapshot_new();
	struct recorder *rec;
	char *cause = NULL;
	struct stat st;
	unsigned k;

	rec = recorder_open(path_of(name), 1, 0, &cause);
	if (rec == NULL) {
		diag("recorder_open: %s", cause);
		exit(1);
	}
	for (k = 0; k < samples; k++) {
		make_snapshot(s, n, k, changing);
		recorder_write(rec, s, &cause);
	}
	if (close_it)
		recorder_close(rec, TARGET_EXITED, &cause);
	snapshot_free(s);
	stat(path_of(name), &st);
	return (size_t)st.st_size;
}

static void *
slurp(const char *path, size_t *len)
{
	struct stat st;
	void *buf;
	int fd = open(path, O_RDONLY);

	fstat(fd, &st);
	buf = malloc((size_t)st.st_size + 1);
	*len = (size_t)read(fd, buf, (size_t)st.st_size);
	close(fd);
	return buf;
}

/* Samples a reader gets out of these bytes (-1 if it refuses them). */
static long
recovered(const void *data, size_t len, size_t *ndamage)
{
	struct snapshot *s = snapshot_new();
	struct session_summary sum;
	struct source *src;
	char *cause = NULL;
	long n = 0;
	int err;

	src = source_replay_open_buffer(data, len, &cause, &err);
	if (src == NULL) {
		free(cause);
		snapshot_free(s);
		return -1;
	}
	while (source_next(src, s, &cause) == 0)
		n++;
	replay_summary(src, &sum);
	if (ndamage)
		*ndamage = sum.ndamage;
	source_close(src);
	snapshot_free(s);
	return n;
}

static void
test_round_trip(void)
{
	struct snapshot *want = snapshot_new(), *got = snapshot_new();
	struct session_summary sum;
	struct source *src;
	char *cause = NULL;
	int err, good = 1;
	unsigned k;

	record("rt", 150, 300, 10, true);
	src = source_replay_open(path_of("rt"), &cause, &err);
	ok(src != NULL, "a recording opens");
	if (src == NULL)
		return;
	replay_summary(src, &sum);
	ok(sum.samples == 150 && sum.ended && sum.final == TARGET_EXITED &&
	    sum.ndamage == 0, "150 samples, ended cleanly, no damage");
	ok(sum.header.pid == 4242 && strcmp(sum.header.cmdline,
	    "synthetic --leak") == 0 && sum.header.major == SESSION_MAJOR,
	    "the header holds pid, cmdline, version");
	for (k = 0; k < 150; k++) {
		make_snapshot(want, 300, k, 10);
		if (source_next(src, got, &cause) != 0 ||
		    !same_snapshot(want, got))
			good = 0;
	}
	ok(good, "every sample reads back as written, field by field");
	ok(source_next(src, got, &cause) == 1 && got->state == TARGET_EXITED,
	    "then the end, with the target's final state");
	make_snapshot(want, 300, 97, 10);
	ok(replay_read(src, 97, got, &cause) == 0 && same_snapshot(want, got),
	    "seeking to sample 97 gives what reading in order gave");
	make_snapshot(want, 300, 3, 10);
	ok(replay_read(src, 3, got, &cause) == 0 && same_snapshot(want, got),
	    "and back to sample 3");
	ok(replay_find_time(src, 1700000000 + 42.5) == 43,
	    "finding a time gives the first sample at or after it");
	source_close(src);
	snapshot_free(want);
	snapshot_free(got);
}

static void
test_sizes(void)
{
	size_t one = record("size1", 1, 1000, 10, false);
	size_t many = record("size61", 60, 1000, 10, false);
	double per_delta = (double)(many - one) / 59;

	diag("1000 regions: key frame %zu bytes, delta %.0f bytes", one,
	    per_delta);
	ok(per_delta * 10 < (double)one, "a steady process's delta costs "
	    "under a tenth of a key frame (%.0f vs %zu)", per_delta, one);
}

static void
test_damage(void)
{
	size_t len, cut, bit, nd, frames_before;
	long n, prev = -1, want;
	uint8_t *data, *copy;
	int monotonic = 1, no_crash = 1, flips_reported = 1;

	record("small", 5, 4, 2, true);
	data = slurp(path_of("small"), &len);
	ok(recovered(data, 0, NULL) == -1, "an empty file is refused");
	ok(recovered("hello, world", 12, NULL) == -1,
	    "a file that is not a session file is refused");

	/* Truncation at every offset: recovered samples never decrease as
	 * the cut moves later, and reach all five. */
	for (cut = 0; cut <= len; cut++) {
		n = recovered(data, cut, NULL);
		if (n < prev && !(n == -1 && prev == -1))
			monotonic = 0;
		if (n >= 0)
			prev = n;
	}
	ok(monotonic && prev == 5, "truncated at each of %zu offsets: "
	    "recovered samples never drop as the cut moves later", len);

	/* Every bit flipped in turn: no crash, damage reported, and the
	 * samples not touched still come back. */
	copy = malloc(len);
	for (bit = 0; bit < len * 8; bit++) {
		memcpy(copy, data, len);
		copy[bit / 8] ^= (uint8_t)(1 << (bit % 8));
		nd = 0;
		n = recovered(copy, len, &nd);
		if (n > 5)
			no_crash = 0;
		if (n >= 0 && n < 5 && nd == 0)
			flips_reported = 0;
	}
	ok(no_crash, "every one of %zu bits flipped: no crash, never more "
	    "samples than written", len * 8);
	ok(flips_reported, "a flip that loses a sample is always reported");

	/* A flip in the middle frame of a longer recording: the frames after
	 * the next key frame all come back. */
	free(data);
	record("long", 200, 20, 2, true);
	data = slurp(path_of("long"), &len);
	copy = realloc(copy, len);
	memcpy(copy, data, len);
	copy[len / 4] ^= 0x10;
	n = recovered(copy, len, &nd);
	frames_before = 200;
	want = (long)frames_before - 2 * SESSION_KEY_EVERY;
	ok(nd >= 1 && n >= want && n < 200, "a damaged frame early on: "
	    "reported, and %ld of 200 samples still replay", n);
	free(data);
	free(copy);
}

/* Hand-made frames: absurd lengths, counts, indexes, versions. */
static void
put_frame(struct buf *f, uint8_t type, const struct buf *payload)
{
	size_t at = f->len;
	uint32_t crc;

	buf_u32(f, SESSION_SYNC);
	buf_u8(f, type);
	buf_u32(f, (uint32_t)payload->len);
	crc = crc32_update(0, f->p + at + 4, 5);
	crc = crc32_update(crc, payload->p, payload->len);
	buf_u32(f, crc);
	buf_raw(f, payload->p, payload->len);
}

static void
put_header(struct buf *f, uint16_t major)
{
	struct buf h = { NULL, 0, 0 };

	buf_varint(&h, 4096);
	buf_varint(&h, 1);
	buf_varint(&h, 1);
	buf_f64(&h, 1);
	buf_f64(&h, 1700000000);
	buf_bytes(&h, "6.1", 3);
	buf_bytes(&h, "host", 4);
	buf_bytes(&h, "memtop 9.9", 10);
	buf_bytes(&h, "x", 1);
	buf_raw(f, SESSION_MAGIC, 8);
	buf_u16(f, major);
	buf_u16(f, 0);
	buf_u32(f, 0);
	buf_u32(f, (uint32_t)h.len);
	buf_raw(f, h.p, h.len);
	buf_u32(f, crc32_update(0, h.p, h.len));
	buf_free(&h);
}

/* The start of a key frame payload: head, info, no threads. */
static void
put_key_head(struct buf *p, double wall)
{
	int i;

	buf_varint(p, 0);
	buf_f64(p, wall);
	buf_f64(p, wall);
	buf_f64(p, 0);
	buf_f64(p, 0);
	buf_u8(p, 0);
	buf_varint(p, 0);
	buf_u8(p, 1);			/* names */
	buf_varint(p, 1);
	buf_varint(p, 1);
	buf_bytes(p, "x", 1);
	buf_bytes(p, "x", 1);
	buf_u8(p, 0);
	buf_u8(p, 'S');
	buf_zigzag(p, 0);
	buf_f64(p, 0);
	buf_varint(p, 0);
	for (i = 0; i < 2; i++)
		buf_varint(p, 0);
	buf_u8(p, 0);
	buf_varint(p, 0);		/* threads */
}

static void
test_crafted(void)
{
	struct buf f = { NULL, 0, 0 }, p = { NULL, 0, 0 };
	char *cause = NULL;
	int err = 0;
	struct source *src;
	size_t nd;

	put_header(&f, SESSION_MAJOR + 1);
	src = source_replay_open_buffer(f.p, f.len, &cause, &err);
	ok(src == NULL && err == -EPROTONOSUPPORT && cause &&
	    strstr(cause, "newer memtop") && strstr(cause, "format 2.0"),
	    "a newer format: refused, naming both versions");
	free(cause);
	cause = NULL;

	/* A frame head claiming 4 GiB. */
	buf_reset(&f);
	put_header(&f, SESSION_MAJOR);
	buf_u32(&f, SESSION_SYNC);
	buf_u8(&f, FRAME_KEY);
	buf_u32(&f, 0xffffffffu);
	buf_u32(&f, 0);
	ok(recovered(f.p, f.len, &nd) == 0 && nd == 1,
	    "a frame length of 4 GiB: reported, nothing allocated for it");

	/* A key frame claiming 2^40 regions. */
	buf_reset(&f);
	put_header(&f, SESSION_MAJOR);
	put_key_head(&p, 1700000000);
	buf_varint(&p, 1ULL << 40);
	put_frame(&f, FRAME_KEY, &p);
	ok(recovered(f.p, f.len, &nd) == 0 && nd == 1,
	    "a region count of 2^40: refused as damage");

	/* A path index past the table. */
	buf_reset(&f);
	buf_reset(&p);
	put_header(&f, SESSION_MAJOR);
	put_key_head(&p, 1700000000);
	buf_varint(&p, 1);
	buf_varint(&p, 0x1000);
	buf_varint(&p, 0x1000);
	buf_varint(&p, 0);
	buf_varint(&p, 0);
	buf_varint(&p, 0);
	buf_varint(&p, 0);
	buf_raw(&p, "rw-p", 4);
	buf_u8(&p, 0);
	buf_varint(&p, 5);		/* the table is empty */
	buf_varint(&p, 0);
	put_frame(&f, FRAME_KEY, &p);
	ok(recovered(f.p, f.len, &nd) == 0 && nd == 1,
	    "a string index out of range: refused as damage");

	/* Time going backwards: reported, samples kept in file order. */
	buf_reset(&f);
	put_header(&f, SESSION_MAJOR);
	buf_reset(&p);
	put_key_head(&p, 1700000100);
	buf_varint(&p, 0);
	put_frame(&f, FRAME_KEY, &p);
	buf_reset(&p);
	put_key_head(&p, 1700000000);
	buf_varint(&p, 0);
	put_frame(&f, FRAME_KEY, &p);
	ok(recovered(f.p, f.len, &nd) == 2 && nd == 1,
	    "time going backwards: reported, both samples kept");
	buf_free(&f);
	buf_free(&p);
}

static void
test_lock_follow_keep(void)
{
	struct snapshot *s = snapshot_new();
	struct recorder *rec, *second;
	struct source *src;
	char *cause = NULL;
	struct stat st;
	int err, fd, k, nseg = 0, pid, status;
	char name[300];
	size_t before;

	rec = recorder_open(path_of("locked"), 1, 0, &cause);
	make_snapshot(s, 10, 0, 1);
	recorder_write(rec, s, &cause);
	/* The lock is per process: ask from a child. */
	pid = fork();
	if (pid == 0) {
		second = recorder_open(path_of("locked"), 1, 0, &cause);
		_exit(second == NULL && cause &&
		    strstr(cause, "another memtop") ? 0 : 1);
	}
	waitpid(pid, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "a second recorder on the same file is refused");

	/* Follow: a reader opened mid-recording sees later frames. */
	src = source_replay_open(path_of("locked"), &cause, &err);
	before = src ? replay_count(src) : 0;
	for (k = 1; k < 5; k++) {
		make_snapshot(s, 10, (unsigned)k, 1);
		recorder_write(rec, s, &cause);
	}
	if (src != NULL) {
		replay_refresh(src);
		ok(before == 1 && replay_count(src) == 5,
		    "a reader follows a recording being written (%zu -> %zu)",
		    before, replay_count(src));
		source_close(src);
	}
	recorder_close(rec, TARGET_ALIVE, &cause);

	/* Not a session file: never overwritten. */
	fd = open(path_of("precious"), O_WRONLY | O_CREAT, 0644);
	ok(write(fd, "data", 4) == 4, "a file of other data");
	close(fd);
	rec = recorder_open(path_of("precious"), 1, 0, &cause);
	ok(rec == NULL && cause && strstr(cause, "not a memtop session"),
	    "is not overwritten by a recording");
	free(cause);
	cause = NULL;

	/* Flight recorder: 40 s of samples kept for 8 s in 2 s segments. */
	rec = recorder_open(path_of("flight"), 1, 8, &cause);
	for (k = 0; k < 40; k++) {
		make_snapshot(s, 10, (unsigned)k, 1);
		recorder_write(rec, s, &cause);
	}
	recorder_close(rec, TARGET_ALIVE, &cause);
	for (k = 0; k < 9; k++) {
		snprintf(name, sizeof name, k ? "%s.%d" : "%s", path_of(
		    "flight"), k);
		if (stat(name, &st) == 0)
			nseg++;
	}
	src = source_replay_open(path_of("flight"), &cause, &err);
	ok(nseg == 5 && src != NULL && replay_count(src) >= 8 &&
	    replay_count(src) <= 10 && replay_time_of(src, replay_count(src) -
	    1) == 1700000000 + 39, "flight recorder: %d segments hold the last "
	    "%zu samples", nseg, src ? replay_count(src) : 0);
	source_close(src);
	snapshot_free(s);
}

int
main(void)
{
	if (mkdtemp(dir) == NULL)
		return 1;
	test_round_trip();
	test_sizes();
	test_damage();
	test_crafted();
	test_lock_follow_keep();
	{
		char cmd[300];

		snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			diag("could not clean up %s", dir);
	}
	return tap_done();
}
