/*
 * test-session.c - session files: round trips of every field, delta size,
 * and every kind of damage the reader must survive (truncation at every
 * offset, every bit flipped, absurd lengths and counts, unknown versions and
 * frame types, bad string indexes, time going backwards), the writer's lock,
 * write errors, follow mode and flight-recorder segments.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc-parse.h"
#include "session-codec.h"
#include "session.h"
#include "tap.h"

static char dir[] = "/tmp/memtop-session-XXXXXX";

/*
 * A synthetic process: n regions, `changing` of them grow each sample; with
 * churn, every 7th sample loses one region and gains another.  Every field
 * of the snapshot gets a value that depends on the region or the sample.
 */
static void
make_snapshot(
    struct snapshot *s, size_t n, unsigned sample, size_t changing, bool churn)
{
	struct region r;
	char path[64];
	size_t i;
	int f;

	snapshot_clear(s);
	s->seq = sample;
	s->mono = 100 + sample * 1.25;
	s->wall = 1700000000 + sample;
	s->sample_ms = 1.5 + sample;
	s->sample_cpu_ms = 0.25 * sample;
	s->state = TARGET_ALIVE;
	s->torn = sample % 3;
	memset(&s->info, 0, sizeof s->info);
	s->info.pid = 4242;
	s->info.start_time = 777;
	strcpy(s->info.comm, sample < 20 ? "synthetic" : "renamed\x1b[31m");
	strcpy(s->info.cmdline, "synthetic --leak");
	s->info.cmdline_len = 16;
	s->info.cmdline_truncated = sample & 1;
	s->info.state_char = sample % 2 ? 'S' : 'R';
	s->info.oom_score_adj = -500 + (int)sample;
	s->info.age_s = 12.5 + sample;
	s->info.has_status =
	    (1ULL << ST_VM_RSS) | (1ULL << ST_THREADS) | (1ULL << ST_VM_SWAP);
	s->info.status[ST_VM_RSS] = 1000 + sample;
	s->info.status[ST_THREADS] = 4;
	s->info.status[ST_VM_SWAP] = 3 * sample;
	s->info.mem_available_kb = 5000000 - sample;
	s->info.mem_total_kb = 8000000;
	s->info.has_cgroup = 1;
	s->info.cg_current = 1ULL << 33;
	s->info.cg_max = UINT64_MAX;
	s->info.cg_oom_kills = sample / 10;
	strcpy(s->info.cgroup_path, "/system.slice/x.service");
	for (i = 0; i < n; i++) {
		size_t id = i;

		if (churn && i == (sample / 7) % n)
			id = n + sample / 7; /* replaced by a new one */
		memset(&r, 0, sizeof r);
		r.start = 0x10000000ULL + id * 0x3000;
		if (churn && id >= n)
			r.start = 0x90000000ULL + id * 0x3000;
		r.end = r.start + 0x2000;
		r.offset = id * 4096;
		r.inode = id % 7;
		r.dev_major = id % 2 ? 8 : 0;
		r.dev_minor = (uint32_t)(id % 5);
		memcpy(r.perms, id % 3 ? "r--p" : "rw-p", 5);
		r.deleted = id % 11 == 5;
		if (id % 5 == 0) {
			r.present = (1ULL << SF_COUNT) - 1;
			for (f = 0; f < SF_COUNT; f++)
				r.kb[f] = id * 31 + (uint64_t)f;
		} else
			r.present = (1ULL << SF_SIZE) | (1ULL << SF_RSS) |
			    (1ULL << SF_PSS) | (1ULL << SF_SWAP);
		r.kb[SF_SIZE] = 8;
		r.kb[SF_RSS] = 4 + (i < changing ? sample : 0);
		r.kb[SF_PSS] = 2;
		r.has_vmflags = id % 4 != 3;
		r.vmflags = r.has_vmflags ? 0x33 + id : 0;
		snprintf(path, sizeof path,
		    id % 4     ? "/lib/lib%zu.so" :
		        id % 8 ? "" :
		                 "[anon:\x01odd %zu]",
		    id % 50);
		snapshot_add_region(s, &r, path, strlen(path));
	}
	/* Regions must be sorted by start. */
	if (churn) {
		for (i = 1; i < s->nregions; i++) {
			size_t j = i;

			while (j > 0 &&
			    s->regions[j - 1].start > s->regions[j].start) {
				struct region t = s->regions[j];

				s->regions[j] = s->regions[j - 1];
				s->regions[j - 1] = t;
				j--;
			}
		}
	}
	snapshot_add_thread_sp(s, 0x7ffd0000 + sample);
	if (sample % 2)
		snapshot_add_thread_sp(s, 0x7ffe0000);
}

/* Every field of two snapshots, or the name of the first that differs. */
static const char *
diff_snapshot(const struct snapshot *a, const struct snapshot *b)
{
	const struct snapshot_info *x = &a->info, *y = &b->info;
	size_t i;

	if (a->seq != b->seq || a->mono != b->mono || a->wall != b->wall ||
	    a->sample_ms != b->sample_ms ||
	    a->sample_cpu_ms != b->sample_cpu_ms || a->state != b->state ||
	    a->torn != b->torn)
		return "sample head";
	if (x->pid != y->pid || x->start_time != y->start_time ||
	    strcmp(x->comm, y->comm) || x->cmdline_len != y->cmdline_len ||
	    memcmp(x->cmdline, y->cmdline, x->cmdline_len) ||
	    x->cmdline_truncated != y->cmdline_truncated ||
	    x->state_char != y->state_char ||
	    x->oom_score_adj != y->oom_score_adj || x->age_s != y->age_s ||
	    x->has_status != y->has_status)
		return "info";
	for (i = 0; i < ST_COUNT; i++) {
		if ((x->has_status & (1ULL << i)) &&
		    x->status[i] != y->status[i])
			return "status";
	}
	if (x->mem_available_kb != y->mem_available_kb ||
	    x->mem_total_kb != y->mem_total_kb ||
	    x->has_cgroup != y->has_cgroup || x->cg_current != y->cg_current ||
	    x->cg_max != y->cg_max || x->cg_oom_kills != y->cg_oom_kills ||
	    strcmp(x->cgroup_path, y->cgroup_path))
		return "memory and cgroup";
	if (a->nthreads != b->nthreads ||
	    (a->nthreads > 0 &&
	        memcmp(a->thread_sp, b->thread_sp,
	            a->nthreads * sizeof *a->thread_sp)))
		return "threads";
	if (a->nregions != b->nregions)
		return "region count";
	for (i = 0; i < a->nregions; i++) {
		const struct region *p = &a->regions[i], *q = &b->regions[i];

		if (p->start != q->start || p->end != q->end ||
		    p->offset != q->offset || p->inode != q->inode ||
		    p->dev_major != q->dev_major ||
		    p->dev_minor != q->dev_minor ||
		    strcmp(p->perms, q->perms) || p->deleted != q->deleted ||
		    p->present != q->present || p->vmflags != q->vmflags ||
		    p->has_vmflags != q->has_vmflags ||
		    memcmp(p->kb, q->kb, sizeof p->kb) ||
		    p->path_len != q->path_len ||
		    memcmp(region_path(a, p), region_path(b, q), p->path_len))
			return "a region";
	}
	return NULL;
}

static char *
path_of(const char *name)
{
	static char buf[256];

	snprintf(buf, sizeof buf, "%s/%s", dir, name);
	return buf;
}

struct rec_opts {
	size_t n, changing;
	bool churn, close_it;
	unsigned key_every;
	double keep;
};

/* Record `samples` samples into name; returns the file size. */
static size_t
record(const char *name, unsigned samples, const struct rec_opts *o)
{
	struct snapshot *s = snapshot_new();
	struct recorder *rec;
	char *cause = NULL;
	struct stat st;
	unsigned k;

	rec = recorder_open(path_of(name), 1, o->keep, &cause, NULL);
	if (rec == NULL) {
		diag("recorder_open: %s", cause);
		exit(1);
	}
	if (o->key_every)
		recorder_set_key_every(rec, o->key_every);
	for (k = 0; k < samples; k++) {
		make_snapshot(s, o->n, k, o->changing, o->churn);
		if (recorder_write(rec, s, &cause) != 0) {
			diag("recorder_write: %s", cause);
			exit(1);
		}
	}
	if (o->close_it)
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

	if (fd < 0 || fstat(fd, &st) != 0)
		exit(1);
	buf = malloc((size_t)st.st_size + 1);
	*len = (size_t)read(fd, buf, (size_t)st.st_size);
	close(fd);
	return buf;
}

/* The frames of a session file, walked by the documented layout. */
struct frame {
	size_t off, end;
	uint8_t type;
};

static size_t
walk(const uint8_t *p, size_t len, struct frame *fr, size_t max,
    size_t *header_end)
{
	size_t off, n = 0;
	uint32_t h, flen;

	memcpy(&h, p + 16, 4);
	off = 20 + h + 4;
	*header_end = off;
	while (off + FRAME_HEAD <= len && n < max) {
		memcpy(&flen, p + off + 5, 4);
		fr[n].off = off;
		fr[n].type = p[off + 4];
		fr[n].end = off + FRAME_HEAD + flen;
		off = fr[n++].end;
	}
	return n;
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

/* The frames' CRC: zlib's crc32() of the check string, and the same
 * whatever the pieces it is fed in (the fast path takes 8 bytes a step). */
static void
test_crc32(void)
{
	uint8_t buf[300];
	uint32_t whole, c, k;
	size_t i, cut;
	bool same = true;

	ok(crc32_update(0, "123456789", 9) == 0xcbf43926u,
	    "CRC-32 of \"123456789\" is cbf43926");
	for (i = 0; i < sizeof buf; i++)
		buf[i] = (uint8_t)(i * 131 + 7);
	/* A bit at a time, as the standard defines it. */
	whole = 0xffffffffu;
	for (i = 0; i < sizeof buf; i++) {
		whole ^= buf[i];
		for (k = 0; k < 8; k++)
			whole =
			    whole & 1 ? 0xedb88320u ^ (whole >> 1) : whole >> 1;
	}
	whole = ~whole;
	for (cut = 0; cut <= sizeof buf; cut += 13) {
		c = crc32_update(0, buf, cut);
		c = crc32_update(c, buf + cut, sizeof buf - cut);
		same = same && c == whole;
	}
	ok(same && crc32_update(0, buf + 3, 0) == 0,
	    "300 bytes in two pieces cut anywhere: the bitwise CRC");
}

static void
test_round_trip(void)
{
	struct rec_opts o = { 300, 10, true, true, 0, 0 };
	struct snapshot *want = snapshot_new(), *got = snapshot_new();
	struct session_summary sum;
	struct source *src;
	const char *bad = NULL;
	char *cause = NULL;
	int err, seek_good = 1;
	unsigned k, badk = 0;

	record("rt", 150, &o);
	src = source_replay_open(path_of("rt"), &cause, &err);
	ok(src != NULL, "a recording opens");
	if (src == NULL)
		return;
	replay_summary(src, &sum);
	ok(sum.samples == 150 && sum.ended && sum.final == TARGET_EXITED &&
	        sum.ndamage == 0 && sum.segments == 1,
	    "150 samples, ended cleanly, no damage");
	ok(sum.header.pid == 4242 &&
	        strcmp(sum.header.cmdline, "synthetic --leak") == 0 &&
	        sum.header.major == SESSION_MAJOR && sum.header.interval == 1 &&
	        sum.header.created == 1700000000 &&
	        strncmp(sum.header.version, "memtop ", 7) == 0 &&
	        sum.header.page_size == (uint32_t)sysconf(_SC_PAGESIZE) &&
	        sum.header.kernel[0] != '\0',
	    "the header holds pid, cmdline, interval, version, page size, "
	    "kernel");
	ok(sum.first_wall == 1700000000 && sum.last_wall == 1700000149,
	    "the summary spans the samples' times");
	for (k = 0; k < 150 && bad == NULL; k++) {
		make_snapshot(want, 300, k, 10, true);
		if (source_next(src, got, &cause) != 0)
			bad = "missing";
		else
			bad = diff_snapshot(want, got);
		badk = k;
	}
	ok(bad == NULL,
	    "every field of every sample reads back as written "
	    "(regions come and go, names change)%s%s",
	    bad ? ": " : "", bad ? bad : "");
	if (bad)
		diag("first difference at sample %u", badk);
	ok(source_next(src, got, &cause) == 1 && got->state == TARGET_EXITED,
	    "then the end, with the target's final state");
	/* Seeking: every sample, in a scattered order, decodes as it did
	 * in order. */
	for (k = 0; k < 150; k++) {
		unsigned i = (k * 37) % 150;

		make_snapshot(want, 300, i, 10, true);
		if (replay_read(src, i, got, &cause) != 0 ||
		    diff_snapshot(want, got) != NULL)
			seek_good = 0;
	}
	ok(seek_good,
	    "seeking to any sample k gives what reading in order "
	    "gave");
	replay_seek(src, 97);
	make_snapshot(want, 300, 97, 10, true);
	ok(source_next(src, got, &cause) == 0 &&
	        diff_snapshot(want, got) == NULL && replay_position(src) == 98,
	    "replay_seek makes the source go on from there");
	ok(replay_time_of(src, 42) == 1700000042 &&
	        replay_find_time(src, 1700000000 + 42.5) == 43,
	    "times of samples, and the first sample at or after a time");
	ok(replay_read(src, 150, got, &cause) == -ERANGE,
	    "a sample past the end is out of range");
	source_close(src);
	snapshot_free(want);
	snapshot_free(got);
}

/* Regions with no counters at all take 13 bytes each: a key frame of
 * them must not look like an impossible region count. */
static void
test_tiny_regions(void)
{
	struct snapshot *s = snapshot_new(), *got = snapshot_new();
	struct recorder *rec;
	struct source *src;
	struct region r;
	char *cause = NULL;
	size_t i;
	int err;

	for (i = 0; i < 2000; i++) {
		memset(&r, 0, sizeof r);
		r.start = 0x1000 + i * 0x2000;
		r.end = r.start + 0x1000;
		memcpy(r.perms, "---p", 5);
		snapshot_add_region(s, &r, "", 0);
	}
	s->wall = 1700000000;
	rec = recorder_open(path_of("tiny"), 1, 0, &cause, NULL);
	recorder_write(rec, s, &cause);
	recorder_close(rec, TARGET_ALIVE, &cause);
	src = source_replay_open(path_of("tiny"), &cause, &err);
	ok(src != NULL && source_next(src, got, &cause) == 0 &&
	        got->nregions == 2000 && diff_snapshot(s, got) == NULL,
	    "2000 regions without counters round-trip");
	source_close(src);
	snapshot_free(s);
	snapshot_free(got);
}

static void
test_sizes(void)
{
	struct rec_opts o = { 1000, 10, false, false, 0, 0 };
	size_t one = record("size1", 1, &o);
	size_t many = record("size61", 60, &o);
	double per_delta = (double)(many - one) / 59;
	struct frame fr[200];
	size_t len, hdr, nf, i, keys = 0;
	uint8_t *data;

	diag("1000 regions, 1%% changing: key frame %zu bytes, delta %.0f "
	     "bytes",
	    one, per_delta);
	ok(per_delta * 10 < (double)one,
	    "a steady process's delta costs "
	    "under a tenth of a key frame (%.0f vs %zu)",
	    per_delta, one);

	/* Every region moves to a new file every sample: a delta would cost
	 * more than a key frame, so key frames are written instead. */
	{
		struct snapshot *s = snapshot_new();
		struct recorder *rec;
		char *cause = NULL;
		unsigned k;

		rec = recorder_open(path_of("allmove"), 1, 0, &cause, NULL);
		for (k = 0; k < 10; k++) {
			struct region r;
			char path[64];

			snapshot_clear(s);
			s->seq = k;
			s->wall = 1700000000 + k;
			for (i = 0; i < 200; i++) {
				memset(&r, 0, sizeof r);
				r.start = (k + 1) * 0x10000000ULL + i * 0x2000;
				r.end = r.start + 0x1000;
				memcpy(r.perms, "r--p", 5);
				r.present = 1ULL << SF_RSS;
				r.kb[SF_RSS] = 4;
				snprintf(
				    path, sizeof path, "/moved/%u/%zu", k, i);
				snapshot_add_region(s, &r, path, strlen(path));
			}
			recorder_write(rec, s, &cause);
		}
		recorder_close(rec, TARGET_EXITED, &cause);
		snapshot_free(s);
	}
	data = slurp(path_of("allmove"), &len);
	nf = walk(data, len, fr, 200, &hdr);
	for (i = 0; i < nf; i++)
		keys += fr[i].type == FRAME_KEY;
	ok(nf == 12 && fr[10].type == FRAME_INDEX && fr[11].type == FRAME_END,
	    "a closed recording ends with INDEX and END frames");
	ok(keys == 10,
	    "when a delta would cost more than a key frame, a key "
	    "frame is written (%zu of 10)",
	    keys);
	free(data);
}

/* The INDEX frame lists the key frames, as the format says. */
static void
test_index(void)
{
	struct rec_opts o = { 20, 2, true, true, 16, 0 };
	struct frame fr[200];
	struct codec_key keys[16];
	size_t len, hdr, nf, i, nkeys = 0, good = 0, count = 0;
	const char *why = NULL;
	uint8_t *data;
	int rc;

	record("indexed", 100, &o);
	data = slurp(path_of("indexed"), &len);
	nf = walk(data, len, fr, 200, &hdr);
	for (i = 0; i < nf; i++)
		nkeys += fr[i].type == FRAME_KEY;
	ok(nf >= 2 && fr[nf - 2].type == FRAME_INDEX, "an INDEX frame");
	rc = codec_decode_index(data + fr[nf - 2].off + FRAME_HEAD,
	    fr[nf - 2].end - fr[nf - 2].off - FRAME_HEAD, keys, 16, &count,
	    &why);
	for (i = 0; rc == 0 && i < count && i < 16; i++) {
		if (keys[i].off + FRAME_HEAD <= len &&
		    data[keys[i].off + 4] == FRAME_KEY && keys[i].seq == i * 16)
			good++;
	}
	ok(rc == 0 && count == nkeys && good == nkeys && nkeys == 7,
	    "lists the offset and seq of each of the %zu key frames", nkeys);
	free(data);
}

/* Samples that survive a flip in frame t (SIZE_MAX: none touched): those
 * whose chain, from their key frame on, does not contain t. */
static long
untouched_samples(const struct frame *fr, size_t nf, size_t t)
{
	size_t i, key = SIZE_MAX;
	bool chain_ok = false;
	long n = 0;

	for (i = 0; i < nf; i++) {
		if (fr[i].type == FRAME_KEY) {
			key = i;
			chain_ok = true;
		}
		if (i == t)
			chain_ok = false;
		if ((fr[i].type == FRAME_KEY || fr[i].type == FRAME_DELTA) &&
		    key != SIZE_MAX && chain_ok)
			n++;
	}
	return n;
}

/* Checkpoints (1.4): by default one key frame, then a checkpoint every 64
 * samples beside the delta frame; a reader seeks from them, and after
 * damage goes on from the next one. */
static void
test_checkpoints(void)
{
	struct rec_opts o = { 300, 10, true, true, 0, 0 };
	struct snapshot *want = snapshot_new(), *got = snapshot_new();
	struct frame fr[512];
	size_t len, hdr, nf, i, nkey = 0, nck = 0, nd = 0, victim = 0, d = 0;
	struct source *src;
	char *cause = NULL;
	uint8_t *data;
	int err, good = 1;
	unsigned k;

	record("ck", 200, &o);
	data = slurp(path_of("ck"), &len);
	nf = walk(data, len, fr, 512, &hdr);
	for (i = 0; i < nf; i++) {
		nkey += fr[i].type == FRAME_KEY;
		nck += fr[i].type == FRAME_CHECK;
		/* The 70th sample's delta frame: the 6th after the first
		 * checkpoint. */
		if (fr[i].type == FRAME_DELTA && nck == 1 && ++d == 6)
			victim = i;
	}
	ok(nkey == 1 && nck == 3,
	    "200 samples: a key frame, 3 checkpoints "
	    "(%zu, %zu)",
	    nkey, nck);
	src = source_replay_open_buffer(data, len, &cause, &err);
	for (k = 0; src != NULL && k < 200; k++) {
		unsigned i2 = (k * 71) % 200;

		make_snapshot(want, 300, i2, 10, true);
		if (replay_read(src, i2, got, &cause) != 0 ||
		    diff_snapshot(want, got) != NULL)
			good = 0;
	}
	ok(src != NULL && good,
	    "seeking anywhere through the checkpoints gives every sample");
	source_close(src);
	/* A flipped byte in sample 70's frame: 70 to 127 are lost, the
	 * checkpoint of 128 takes over. */
	if (victim > 0)
		data[fr[victim].off + FRAME_HEAD + 3] ^= 0x55;
	src = source_replay_open_buffer(data, len, &cause, &err);
	for (k = 0, good = 1; src != NULL && source_next(src, got, &cause) == 0;
	     k++) {
		unsigned at = k < 70 ? k : k + 58;

		make_snapshot(want, 300, at, 10, true);
		if (diff_snapshot(want, got) != NULL)
			good = 0;
	}
	if (src != NULL) {
		struct session_summary sum;

		replay_summary(src, &sum);
		nd = sum.ndamage;
	}
	ok(victim > 0 && k == 142 && good && nd >= 1,
	    "damage before a checkpoint: the samples after it replay (%u, "
	    "%zu damaged spans)",
	    k, nd);
	source_close(src);
	free(data);
	snapshot_free(want);
	snapshot_free(got);
}

static void
test_damage(void)
{
	struct rec_opts o = { 4, 2, false, true, 3, 0 };
	struct frame fr[64];
	size_t len, cut, bit, nd, hdr, nf, i, t, complete;
	long n, prev = -1, floor_n;
	uint8_t *data, *copy;
	int monotonic = 1, exact = 1, torn_told = 1, no_crash = 1;
	int flips_reported = 1, flips_recover = 1;

	record("small", 8, &o);
	data = slurp(path_of("small"), &len);
	nf = walk(data, len, fr, 64, &hdr);
	ok(nf == 10 && recovered(data, len, &nd) == 8 && nd == 0,
	    "a small recording: 8 samples (key every 3), INDEX, END");
	ok(recovered(data, 0, NULL) == -1, "an empty file is refused");
	ok(recovered("hello, world", 12, NULL) == -1,
	    "a file that is not a session file is refused");

	/* Truncation at every offset of the whole file. */
	for (cut = 0; cut <= len; cut++) {
		n = recovered(data, cut, &nd);
		if (n < prev && !(n == -1 && prev == -1))
			monotonic = 0;
		if (n >= 0)
			prev = n;
		if (cut < hdr)
			continue;
		for (complete = 0, i = 0; i < nf; i++) {
			if (fr[i].end <= cut &&
			    (fr[i].type == FRAME_KEY ||
			        fr[i].type == FRAME_DELTA))
				complete++;
		}
		if (n != (long)complete) {
			if (exact)
				diag("cut at %zu: %ld samples, %zu complete",
				    cut, n, complete);
			exact = 0;
		}
		for (i = 0; i < nf; i++) {
			if (cut > fr[i].off && cut < fr[i].end && nd == 0)
				torn_told = 0;
		}
	}
	ok(monotonic && prev == 8,
	    "truncated at each of %zu offsets: "
	    "recovered samples never drop as the cut moves later",
	    len + 1);
	ok(exact,
	    "and always equal the complete sample frames before the "
	    "cut");
	ok(torn_told, "a cut inside a frame is reported as a torn frame");

	/* Every bit flipped in turn. */
	copy = malloc(len);
	for (bit = 0; bit < len * 8; bit++) {
		memcpy(copy, data, len);
		copy[bit / 8] ^= (uint8_t)(1 << (bit % 8));
		nd = 0;
		n = recovered(copy, len, &nd);
		if (n > 8)
			no_crash = 0;
		if (bit / 8 < hdr) {
			if (n != -1 && n != 8)
				flips_recover = 0; /* header: refused */
			continue;
		}
		if (nd == 0)
			flips_reported = 0;
		for (t = 0;
		     t < nf && !(bit / 8 >= fr[t].off && bit / 8 < fr[t].end);
		     t++)
			continue;
		floor_n = untouched_samples(fr, nf, t);
		if (n < floor_n) {
			if (flips_recover)
				diag("bit %zu (frame %zu): %ld samples, want "
				     ">= %ld",
				    bit, t, n, floor_n);
			flips_recover = 0;
		}
	}
	ok(no_crash,
	    "every one of %zu bits flipped: no crash, never more "
	    "samples than written",
	    len * 8);
	ok(flips_reported,
	    "every flip after the header is reported as "
	    "damage");
	ok(flips_recover,
	    "and every sample whose chain from its key frame "
	    "was not touched still replays");

	/* A flip early in a longer recording: the next key frame resyncs. */
	free(data);
	o.n = 20;
	o.key_every = 0;
	record("long", 200, &o);
	data = slurp(path_of("long"), &len);
	copy = realloc(copy, len);
	memcpy(copy, data, len);
	copy[len / 4] ^= 0x10;
	n = recovered(copy, len, &nd);
	ok(nd >= 1 && n >= 200 - 2 * SESSION_KEY_EVERY && n < 200,
	    "a damaged frame early on: reported, and %ld of 200 samples "
	    "still replay",
	    n);
	free(data);
	free(copy);
}

static long
recovered_file(const char *name, size_t *ndamage)
{
	size_t len;
	void *data = slurp(path_of(name), &len);
	long n = recovered(data, len, ndamage);

	free(data);
	return n;
}

/* Give the recording at path another header: fix changes it. */
static void
rewrite_header(const char *path, void (*fix)(struct session_header *))
{
	struct session_header *h = calloc(1, sizeof *h);
	struct buf b = { NULL, 0, 0 };
	char *cause = NULL;
	size_t len, used = 0;
	uint8_t *data = slurp(path, &len);
	FILE *f;

	if (codec_decode_header(data, len, path, h, &used, &cause) != 0) {
		diag("%s", cause);
		exit(1);
	}
	fix(h);
	codec_encode_header(&b, h);
	buf_raw(&b, data + used, len - used);
	f = fopen(path, "w");
	if (f == NULL || fwrite(b.p, 1, b.len, f) != b.len || fclose(f) != 0)
		exit(1);
	buf_free(&b);
	free(data);
	free(h);
}

static void
set_other_boot(struct session_header *h)
{
	strcpy(h->boot_id, "00000000-0000-0000-0000-another-boot");
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
	buf_u16(f, 3);
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
	buf_u8(p, 1); /* names */
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
	buf_varint(p, 0); /* threads */
}

/* A region with no counters (13 bytes when small): gap, size, path index,
 * and the path's bytes when it is a new one (path not NULL). */
static void
put_region(
    struct buf *p, uint64_t gap, uint64_t size, uint64_t id, const char *path)
{
	buf_varint(p, gap);
	buf_varint(p, size);
	buf_varint(p, 0); /* offset, inode, device */
	buf_varint(p, 0);
	buf_varint(p, 0);
	buf_varint(p, 0);
	buf_raw(p, "rw-p", 4);
	buf_u8(p, 0);
	buf_varint(p, id);
	if (path != NULL)
		buf_bytes(p, path, strlen(path));
	buf_varint(p, 0); /* no counters */
}

static void
test_crafted(void)
{
	struct buf f = { NULL, 0, 0 }, p = { NULL, 0, 0 };
	char *cause = NULL, want[64];
	int err = 0;
	struct source *src;
	size_t nd;

	put_header(&f, SESSION_MAJOR + 1);
	src = source_replay_open_buffer(f.p, f.len, &cause, &err);
	snprintf(want, sizeof want,
	    "this is memtop %s, which reads format "
	    "%d.%d",
	    PACKAGE_VERSION, SESSION_MAJOR, SESSION_MINOR);
	ok(src == NULL && err == -EPROTONOSUPPORT && cause &&
	        strstr(cause, "made by a newer memtop (format 2.3)") &&
	        strstr(cause, want),
	    "a newer major version: refused, naming both versions");
	if (cause)
		diag("%s", cause);
	free(cause);
	cause = NULL;

	/* A frame head claiming 4 GiB, then a good frame. */
	buf_reset(&f);
	put_header(&f, SESSION_MAJOR);
	buf_u32(&f, SESSION_SYNC);
	buf_u8(&f, FRAME_KEY);
	buf_u32(&f, 0xffffffffu);
	buf_u32(&f, 0);
	put_key_head(&p, 1700000000);
	buf_varint(&p, 0);
	put_frame(&f, FRAME_KEY, &p);
	ok(recovered(f.p, f.len, &nd) == 1 && nd == 1,
	    "a frame length of 4 GiB: reported, skipped, the next frame "
	    "read");

	/* A key frame claiming 2^40 regions. */
	buf_reset(&f);
	buf_reset(&p);
	put_header(&f, SESSION_MAJOR);
	put_key_head(&p, 1700000000);
	buf_varint(&p, 1ULL << 40);
	put_frame(&f, FRAME_KEY, &p);
	ok(recovered(f.p, f.len, &nd) == 0 && nd == 1,
	    "a region count of 2^40: refused as damage");

	/* 2^40 thread stack pointers. */
	buf_reset(&f);
	buf_reset(&p);
	put_header(&f, SESSION_MAJOR);
	put_key_head(&p, 1700000000);
	p.len--;
	buf_varint(&p, 1ULL << 40);
	buf_varint(&p, 0);
	put_frame(&f, FRAME_KEY, &p);
	ok(recovered(f.p, f.len, &nd) == 0 && nd == 1,
	    "a thread count of 2^40: refused as damage");

	/* A path index past the table. */
	buf_reset(&f);
	buf_reset(&p);
	put_header(&f, SESSION_MAJOR);
	put_key_head(&p, 1700000000);
	buf_varint(&p, 1);
	put_region(&p, 0x1000, 0x1000, 5, NULL); /* the table is empty */
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

	/* A frame type from a newer minor version: skipped, no damage. */
	buf_reset(&f);
	put_header(&f, SESSION_MAJOR);
	buf_reset(&p);
	buf_raw(&p, "future", 6);
	put_frame(&f, 77, &p);
	buf_reset(&p);
	put_key_head(&p, 1700000000);
	buf_varint(&p, 0);
	put_frame(&f, FRAME_KEY, &p);
	ok(recovered(f.p, f.len, &nd) == 1 && nd == 0,
	    "an unknown frame type is skipped quietly");
	buf_free(&f);
	buf_free(&p);
}

/* An extension record of a newer memtop: tag, length, value. */
static void
put_record(struct buf *b, uint64_t tag, const char *value)
{
	buf_varint(b, tag);
	buf_bytes(b, value, strlen(value));
}

/*
 * A file as a newer memtop could write it: an unknown record at the end of
 * the header, of each key and delta frame and of the END frame, and a
 * frame type this reader does not know.  It reads exactly as without them.
 */
static void
test_unknown_extensions(void)
{
	struct snapshot *want = snapshot_new(), *got = snapshot_new();
	struct snapshot *prev = snapshot_new();
	struct session_header *h = calloc(1, sizeof *h);
	struct buf f = { NULL, 0, 0 }, p = { NULL, 0, 0 };
	struct session_end end = { TARGET_ZOMBIE, 1700000100, 0, 0, { 0 } };
	struct session_summary sum;
	struct strtab tab;
	struct source *src;
	const char *bad = NULL;
	char *cause = NULL;
	unsigned k, n = 0;
	int err;

	memset(&tab, 0, sizeof tab);
	h->pid = 4242;
	h->interval = 1;
	h->created = 1700000000;
	strcpy(h->version, "memtop 9.9");
	codec_encode_header(&f, h);
	/* A record in the header: its length and CRC made to match. */
	{
		uint32_t hlen;
		size_t at;

		memcpy(&hlen, f.p + 16, 4);
		f.len -= 4; /* the CRC */
		at = f.len;
		put_record(&f, 4000, "a header fact of a newer memtop");
		hlen += (uint32_t)(f.len - at);
		memcpy(f.p + 16, &hlen, 4);
		buf_u32(&f, crc32_update(0, f.p + SESSION_HEAD, hlen));
	}
	for (k = 0; k < 6; k++) {
		make_snapshot(want, 40, k, 5, true);
		buf_reset(&p);
		if (k % 3 == 0)
			codec_encode_key(&p, &tab, want);
		else
			codec_encode_delta(&p, &tab, prev, want);
		put_record(&p, 1000 + k, "a sample fact");
		put_record(&p, 1ULL << 40, "");
		codec_frame(
		    &f, k % 3 == 0 ? FRAME_KEY : FRAME_DELTA, p.p, p.len);
		snapshot_copy(prev, want);
		if (k == 3) {
			buf_reset(&p);
			put_record(&p, 1, "a frame type of a newer memtop");
			codec_frame(&f, 42, p.p, p.len);
		}
	}
	buf_reset(&p);
	codec_encode_end(&p, &end);
	put_record(&p, 99, "how it ended, as a newer memtop says");
	codec_frame(&f, FRAME_END, p.p, p.len);

	src = source_replay_open_buffer(f.p, f.len, &cause, &err);
	ok(src != NULL, "a file with unknown extension records opens%s%s",
	    cause ? ": " : "", cause ? cause : "");
	for (k = 0; src != NULL && source_next(src, got, &cause) == 0; k++) {
		make_snapshot(want, 40, k, 5, true);
		if (bad == NULL && (bad = diff_snapshot(want, got)) != NULL)
			diag("sample %u: %s", k, bad);
		n++;
	}
	if (src != NULL)
		replay_summary(src, &sum);
	ok(src != NULL && n == 6 && bad == NULL && sum.ndamage == 0 &&
	        sum.ended && sum.final == TARGET_ZOMBIE &&
	        sum.header.pid == 4242 && sum.header.interval == 1,
	    "unknown records in the header, key, delta and END frames and "
	    "an unknown frame type are skipped: every sample reads as "
	    "written, no damage");
	source_close(src);

	/* A record whose length runs past its frame is damage. */
	buf_reset(&f);
	codec_encode_header(&f, h);
	buf_reset(&p);
	make_snapshot(want, 4, 0, 1, false);
	codec_encode_key(&p, &tab, want);
	buf_varint(&p, 5);
	buf_varint(&p, 100);
	buf_raw(&p, "short", 5);
	codec_frame(&f, FRAME_KEY, p.p, p.len);
	src = source_replay_open_buffer(f.p, f.len, &cause, &err);
	n = 0;
	while (src != NULL && source_next(src, got, &cause) == 0)
		n++;
	if (src != NULL)
		replay_summary(src, &sum);
	ok(src != NULL && n == 0 && sum.ndamage == 1 &&
	        strstr(sum.damage[0].reason, "extension record"),
	    "a record longer than its frame: the frame is damaged (%s)",
	    src != NULL && sum.ndamage ? sum.damage[0].reason : "-");
	source_close(src);
	strtab_free(&tab);
	buf_free(&f);
	buf_free(&p);
	free(h);
	snapshot_free(want);
	snapshot_free(got);
	snapshot_free(prev);
}

/* A table of facts over a struct of the test's own, as a new fact would be
 * added to sample_facts: what a delta frame carries, and what it reads. */
struct facts {
	uint64_t limit; /* 0: unknown */
	char runtime[16];
};

static void
limit_encode(struct buf *b, const void *obj)
{
	const struct facts *x = obj;

	if (x->limit != 0)
		buf_varint(b, x->limit);
}

static int
limit_decode(struct rd *r, void *obj)
{
	((struct facts *)obj)->limit = rd_varint(r);
	return 0;
}

static void
limit_clear(void *obj)
{
	((struct facts *)obj)->limit = 0;
}

static void
runtime_encode(struct buf *b, const void *obj)
{
	const struct facts *x = obj;

	if (x->runtime[0] != '\0')
		buf_bytes(b, x->runtime, strlen(x->runtime));
}

static int
runtime_decode(struct rd *r, void *obj)
{
	struct facts *x = obj;

	rd_str(r, x->runtime, sizeof x->runtime);
	return 0;
}

static void
runtime_clear(void *obj)
{
	((struct facts *)obj)->runtime[0] = '\0';
}

static const struct codec_fact fact_table[] = {
	{ 1, "limit", limit_encode, limit_decode, limit_clear },
	{ 300, "runtime", runtime_encode, runtime_decode, runtime_clear },
	{ 0, NULL, NULL, NULL, NULL },
};

static bool
facts_read(const struct buf *b, struct facts *x, bool carry)
{
	struct rd r = { b->p, b->p + b->len, 0 };
	const char *why = NULL;

	return codec_facts_decode(&r, fact_table, x, carry, &why) == 0;
}

static void
test_facts(void)
{
	struct facts a = { 1ULL << 30, "go1.22" }, b = a, got;
	struct buf buf = { NULL, 0, 0 };

	codec_facts_encode(&buf, fact_table, &a, NULL);
	memset(&got, 0x55, sizeof got);
	ok(facts_read(&buf, &got, false) && got.limit == a.limit &&
	        strcmp(got.runtime, "go1.22") == 0,
	    "facts round-trip as a key frame carries them (%zu bytes)",
	    buf.len);
	buf_reset(&buf);
	codec_facts_encode(&buf, fact_table, &b, &a);
	ok(buf.len == 0,
	    "a delta frame carries nothing for facts that did not change");
	b.limit = 1ULL << 31;
	buf_reset(&buf);
	codec_facts_encode(&buf, fact_table, &b, &a);
	got = a;
	ok(buf.len == 7 && facts_read(&buf, &got, true) &&
	        got.limit == b.limit && strcmp(got.runtime, "go1.22") == 0,
	    "one that changed costs its record alone (%zu bytes); the other "
	    "is carried from the sample before",
	    buf.len);
	b.runtime[0] = '\0';
	buf_reset(&buf);
	codec_facts_encode(&buf, fact_table, &b, &a);
	got = a;
	ok(facts_read(&buf, &got, true) && got.runtime[0] == '\0' &&
	        got.limit == b.limit,
	    "a fact the sample no longer has is dropped (an empty record)");
	got = a;
	buf_reset(&buf);
	ok(facts_read(&buf, &got, false) && got.limit == 0 &&
	        got.runtime[0] == '\0',
	    "a key frame without records has none of the facts");
	put_record(&buf, 2, "unknown");
	codec_facts_encode(&buf, fact_table, &a, NULL);
	ok(facts_read(&buf, &got, false) && got.limit == a.limit,
	    "an unknown tag before known ones is skipped");
	buf_reset(&buf);
	buf_varint(&buf, 0);
	buf_varint(&buf, 0);
	ok(!facts_read(&buf, &got, false), "tag 0 is damage");
	buf_free(&buf);
}

/* What memtop 1.3 puts in the header and the END frame of its own. */
static void
test_known_facts(void)
{
	struct rec_opts o = { 5, 1, false, true, 0, 0 };
	struct session_summary sum;
	struct source *src;
	char *cause = NULL, boot[64] = "";
	FILE *bf = fopen("/proc/sys/kernel/random/boot_id", "r");
	int err;

	if (bf != NULL) {
		if (fgets(boot, sizeof boot, bf) == NULL)
			boot[0] = '\0';
		boot[strcspn(boot, "\n")] = '\0';
		fclose(bf);
	}
	record("facts", 7, &o);
	src = source_replay_open(path_of("facts"), &cause, &err);
	if (src == NULL) {
		ok(0, "a recording opens: %s", cause);
		return;
	}
	replay_summary(src, &sum);
	ok(sum.header.minor == SESSION_MINOR &&
	        sum.header.clock_ticks == (uint32_t)sysconf(_SC_CLK_TCK) &&
	        strcmp(sum.header.boot_id, boot) == 0 &&
	        sum.header.recreated_at == 0,
	    "the header says the clock ticks (%u) and the boot id (%s)",
	    sum.header.clock_ticks, sum.header.boot_id);
	ok(sum.end.samples == 7 && sum.end.last_seq == 6 &&
	        sum.end.final == TARGET_EXITED && sum.end.time > 1.7e9,
	    "the END frame counts the samples (%llu, the last seq %llu)",
	    (unsigned long long)sum.end.samples,
	    (unsigned long long)sum.end.last_seq);
	source_close(src);
}

/* A sample with every fact memtop records: a v1 cgroup of a Kubernetes
 * pod, its pressure, a Go program and its endpoint's figures. */
static void
fill_facts(struct snapshot *s, uint64_t usage)
{
	struct cgroup_facts *cg = &s->info.cg;
	struct rt_figures *rt = &s->info.rt;

	memset(cg, 0, sizeof *cg);
	cg->version = CGROUP_V1;
	snprintf(cg->path, sizeof cg->path,
	    "/kubepods/burstable/pod0f3a8c1e-1b2c-4d5e-8f90-a1b2c3d4e5f6/"
	    "4b2c9d01a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d");
	parse_cgroup_owner(cg->path, strlen(cg->path), &cg->owner);
	cg->v[CG_CURRENT] = usage;
	cg->v[CG_MAX] = 96 << 20;
	cg->v[CG_ANON] = usage - (4 << 20);
	cg->v[CG_FILE] = 4 << 20;
	cg->v[CG_EV_OOM_KILL] = 3;
	cg->v[CG_UNDER_OOM] = 0;
	cg->has = (1u << CG_CURRENT) | (1u << CG_MAX) | (1u << CG_ANON) |
	    (1u << CG_FILE) | (1ULL << CG_EV_OOM_KILL) | (1ULL << CG_UNDER_OOM);
	cg->limit.max = 96 << 20;
	cg->limit.up = 1;
	cg->limit.current = usage;
	cg->limit.unreclaimable = usage - (4 << 20);
	cg->limit.swap_max = CG_UNLIMITED;
	cg->limit.has_usage = 1;
	cg->oom_kills = 1;
	cg->psi.scope = PSI_CGROUP;
	cg->psi.full.present = 1;
	cg->psi.full.avg10 = 12.5;
	cg->psi.full.total = 4242;
	s->info.runtime.probed = 1;
	s->info.runtime.flags = RT_GO;
	s->info.runtime.go_major = 1;
	s->info.runtime.go_minor = 22;
	strcpy(s->info.runtime.go_version, "go1.22.1");
	rtfig_init(rt, RT_SRC_GO_PPROF, RT_ST_OK);
	rtfig_set(rt, RTF_GO_HEAP_ALLOC, usage / 2);
	rtfig_set(rt, RTF_GO_HEAP_IDLE, 1 << 20);
	rt->mono = 100;
	rt->wall = 1700000000;
	rt->read_secs = 0.002;
}

/* The cgroup, runtime and figures of a sample, and how a target ended,
 * through key, delta and END frames: what live showed, a replay shows. */
static void
test_sample_facts(void)
{
	struct snapshot *a = snapshot_new(), *b = snapshot_new();
	struct snapshot *got = snapshot_new(), *got2 = snapshot_new();
	struct buf key = { NULL, 0, 0 }, d1 = { NULL, 0, 0 };
	struct buf d0 = { NULL, 0, 0 }, end = { NULL, 0, 0 };
	struct session_end e, eg;
	struct strtab tw, tr;
	const char *why = NULL;
	size_t plain;

	memset(&tw, 0, sizeof tw);
	memset(&tr, 0, sizeof tr);
	make_snapshot(a, 5, 0, 1, false);
	fill_facts(a, 60 << 20);
	codec_encode_key(&key, &tw, a);
	ok(codec_decode_key(key.p, key.len, &tr, got, &why) == 0 &&
	        memcmp(&got->info.cg, &a->info.cg, sizeof a->info.cg) == 0 &&
	        memcmp(&got->info.runtime, &a->info.runtime,
	            sizeof a->info.runtime) == 0 &&
	        memcmp(&got->info.rt, &a->info.rt, sizeof a->info.rt) == 0,
	    "a key frame carries the cgroup, its owner, limits, usage, "
	    "events and pressure, the runtime and its figures, as they were");
	ok(got->info.cg.owner.kind == OWNER_K8S_POD &&
	        strcmp(got->info.cg.owner.qos, "burstable") == 0,
	    "  ... the pod read again from the path");
	/* The same facts: a delta frame costs no more than without them. */
	make_snapshot(b, 5, 1, 1, false);
	b->info.cg = a->info.cg;
	b->info.runtime = a->info.runtime;
	b->info.rt = a->info.rt;
	codec_encode_delta(&d0, &tw, a, b);
	plain = d0.len;
	buf_reset(&d0);
	{
		struct snapshot *a0 = snapshot_new(), *b0 = snapshot_new();
		struct strtab t0;

		memset(&t0, 0, sizeof t0);
		make_snapshot(a0, 5, 0, 1, false);
		make_snapshot(b0, 5, 1, 1, false);
		codec_encode_key(&d1, &t0, a0);
		buf_reset(&d1);
		codec_encode_delta(&d1, &t0, a0, b0);
		ok(plain == d1.len,
		    "a delta frame of unchanged facts is as small as one "
		    "without facts (%zu bytes)",
		    plain);
		strtab_free(&t0);
		snapshot_free(a0);
		snapshot_free(b0);
	}
	/* Usage moves, the limits stay: only the usage record is written. */
	fill_facts(b, 62 << 20);
	b->info.rt.mono = a->info.rt.mono; /* the same reading */
	b->info.rt.v[RTF_GO_HEAP_ALLOC] = a->info.rt.v[RTF_GO_HEAP_ALLOC];
	buf_reset(&d1);
	codec_encode_delta(&d1, &tw, a, b);
	ok(d1.len > plain && d1.len < plain + 40 &&
	        codec_decode_delta(d1.p, d1.len, &tr, got, got2, &why) == 0 &&
	        memcmp(&got2->info.cg, &b->info.cg, sizeof b->info.cg) == 0 &&
	        memcmp(&got2->info.rt, &b->info.rt, sizeof b->info.rt) == 0,
	    "usage that moved costs %zu bytes; the limits, the pod, the "
	    "runtime and its unchanged reading are carried",
	    d1.len - plain);
	/* The cgroup and the figures gone: empty records clear them. */
	memset(&b->info.cg, 0, sizeof b->info.cg);
	rtfig_init(&b->info.rt, RT_SRC_NONE, RT_ST_OK);
	buf_reset(&d1);
	codec_encode_delta(&d1, &tw, a, b);
	ok(codec_decode_delta(d1.p, d1.len, &tr, got, got2, &why) == 0 &&
	        got2->info.cg.version == CGROUP_NONE &&
	        got2->info.cg.has == 0 && got2->info.rt.source == RT_SRC_NONE &&
	        got2->info.runtime.flags == RT_GO,
	    "a cgroup and figures no longer known are dropped; the runtime "
	    "stays");
	/* Damage inside a record: a PSI share over 100%. */
	a->info.cg.psi.full.avg10 = 250;
	buf_reset(&key);
	codec_encode_key(&key, &tw, a);
	ok(codec_decode_key(key.p, key.len, &tr, got, &why) != 0 &&
	        strstr(why, "pressure") != NULL,
	    "an impossible pressure is damage: %s", why ? why : "(none)");

	/* How it ended. */
	memset(&e, 0, sizeof e);
	e.final = TARGET_EXITED;
	e.time = 1700000100;
	e.verdict.known = 1;
	e.verdict.reason = END_OOM_KILLED;
	e.verdict.scope = END_SCOPE_CGROUP;
	e.verdict.signal = 9;
	e.verdict.evidence = END_EV_PIDFD | END_EV_CG_KILL | END_EV_KMSG;
	e.verdict.cg_kills = 1;
	e.verdict.vm_kills = 1;
	e.verdict.limit_bytes = 96 << 20;
	strcpy(e.verdict.cgroup, "/memtop-oom");
	e.verdict.wall = 1700000099.5;
	codec_encode_end(&end, &e);
	ok(codec_decode_end(end.p, end.len, &eg, &why) == 0 &&
	        memcmp(&eg.verdict, &e.verdict, sizeof e.verdict) == 0,
	    "the END frame says how the target ended, with its evidence");
	e.verdict.known = 0;
	buf_reset(&end);
	codec_encode_end(&end, &e);
	ok(codec_decode_end(end.p, end.len, &eg, &why) == 0 &&
	        !eg.verdict.known,
	    "  ... and nothing when memtop could not tell");

	buf_free(&key);
	buf_free(&d0);
	buf_free(&d1);
	buf_free(&end);
	strtab_free(&tw);
	strtab_free(&tr);
	snapshot_free(a);
	snapshot_free(b);
	snapshot_free(got);
	snapshot_free(got2);
}

/* More damaged spans than are reported: the count of a run of change
 * frames skipped after the last one never lands on another entry. */
static void
test_damage_overflow(void)
{
	struct session_header h;
	struct snapshot *s = snapshot_new();
	struct buf f = { NULL, 0, 0 }, key = { NULL, 0, 0 };
	struct buf delta = { NULL, 0, 0 };
	struct session_summary sum;
	struct strtab tab;
	struct source *src;
	char *cause = NULL;
	int err, k;
	bool kept = true;

	memset(&h, 0, sizeof h);
	memset(&tab, 0, sizeof tab);
	codec_encode_header(&f, &h);
	make_snapshot(s, 3, 0, 1, false);
	codec_encode_key(&key, &tab, s);
	codec_encode_delta(&delta, &tab, s, s);
	/* 1100 spans of junk, each followed by a good key frame, then junk
	 * and a run of change frames that cannot be applied. */
	for (k = 0; k < 1100; k++) {
		buf_raw(&f, "junk", 4);
		codec_frame(&f, FRAME_KEY, key.p, key.len);
	}
	buf_raw(&f, "junk", 4);
	for (k = 0; k < 3; k++)
		codec_frame(&f, FRAME_DELTA, delta.p, delta.len);
	src = source_replay_open_buffer(f.p, f.len, &cause, &err);
	if (src == NULL) {
		ok(0, "the file opens: %s", cause);
		return;
	}
	replay_summary(src, &sum);
	for (k = 0; k < (int)sum.ndamage; k++)
		kept = kept && strncmp(sum.damage[k].reason, "no sync", 7) == 0;
	ok(sum.ndamage == 1000 && sum.damage_more == 1100 + 2 - 1000 && kept &&
	        sum.samples == 1100,
	    "1102 damaged spans: 1000 reported, %zu counted, and every "
	    "reported one still says what it was",
	    sum.damage_more);
	source_close(src);
	strtab_free(&tab);
	buf_free(&f);
	buf_free(&key);
	buf_free(&delta);
	snapshot_free(s);
}

/* Times and sample costs that are not finite, negative or absurd: damage,
 * never a sample that prints "nan" or an 80-digit number. */
/* Set the time field named k (as test_absurd_times lists them) to v. */
static void
set_time(struct snapshot *s, size_t k, double v)
{
	double *field[] = { &s->wall, &s->mono, &s->sample_ms,
		&s->sample_cpu_ms, &s->info.age_s };

	*field[k] = v;
}

static void
set_interval(struct session_header *h)
{
	h->interval = NAN;
}

static void
set_created(struct session_header *h)
{
	h->created = INFINITY;
}

static void
test_absurd_times(void)
{
	static const char *const fields[] = { "time", "monotonic time",
		"sample cost", "sample CPU cost", "process age" };
	static const double bad[] = { NAN, INFINITY, -INFINITY, -1, 1e300 };
	struct snapshot *s = snapshot_new(), *got = snapshot_new();
	struct session_summary sum;
	struct recorder *rec;
	struct source *src;
	char *cause = NULL;
	size_t f, b, n;
	bool all = true;
	int err, k;

	for (f = 0; f < sizeof fields / sizeof fields[0]; f++) {
		for (b = 0; b < sizeof bad / sizeof bad[0]; b++) {
			rec = recorder_open(
			    path_of("absurd"), 1, 0, &cause, NULL);
			recorder_set_key_every(rec, 1);
			for (k = 0; k < 3; k++) {
				make_snapshot(s, 5, (unsigned)k, 1, false);
				if (k == 1)
					set_time(s, f, bad[b]);
				recorder_write(rec, s, &cause);
			}
			recorder_close(rec, TARGET_EXITED, &cause);
			src =
			    source_replay_open(path_of("absurd"), &cause, &err);
			n = 0;
			while (
			    src != NULL && source_next(src, got, &cause) == 0)
				n += got->seq != 1;
			if (src != NULL)
				replay_summary(src, &sum);
			if (src == NULL || n != 2 || sum.ndamage != 1 ||
			    strstr(sum.damage[0].reason, "impossible time") ==
			        NULL) {
				diag("%s = %g: %zu samples, %s", fields[f],
				    bad[b], n,
				    src != NULL && sum.ndamage ?
				        sum.damage[0].reason :
				        "no damage");
				all = false;
			}
			source_close(src);
		}
	}
	ok(all,
	    "a time, monotonic time, sample cost, CPU cost or age that is "
	    "NaN, infinite, negative or 1e300: that sample is damage, the "
	    "others replay");
	record("absurd", 2, &(struct rec_opts){ 5, 1, false, true, 0, 0 });
	rewrite_header(path_of("absurd"), set_interval);
	src = source_replay_open(path_of("absurd"), &cause, &err);
	ok(src == NULL && err == -EBADMSG && cause &&
	        strstr(cause, "header is damaged"),
	    "an interval of NaN in the header: refused (%s)",
	    cause ? cause : "opened");
	free(cause);
	cause = NULL;
	record("absurd", 2, &(struct rec_opts){ 5, 1, false, true, 0, 0 });
	rewrite_header(path_of("absurd"), set_created);
	src = source_replay_open(path_of("absurd"), &cause, &err);
	ok(src == NULL && err == -EBADMSG,
	    "a creation time of infinity: refused");
	free(cause);
	snapshot_free(s);
	snapshot_free(got);
}

/* A key frame of n regions of 13 bytes each (no counters), every one with
 * the path (one string table entry). */
static void
put_minimal_key(struct buf *f, size_t n, const char *path)
{
	struct buf p = { NULL, 0, 0 };
	size_t i;

	put_key_head(&p, 1700000000);
	buf_varint(&p, n);
	for (i = 0; i < n; i++)
		put_region(&p, 1, 1, 0, i == 0 ? path : NULL);
	put_frame(f, FRAME_KEY, &p);
	buf_free(&p);
}

/* What one sample may cost a reader: the region cap, and a path named by
 * many regions held once. */
static void
test_bounded(void)
{
	struct buf f = { NULL, 0, 0 }, p = { NULL, 0, 0 };
	struct snapshot *s = snapshot_new(), *got = snapshot_new();
	struct session_summary sum;
	struct recorder *rec;
	struct source *src;
	char *cause = NULL, path[4001];
	size_t i, n;
	bool same = true;
	int err, rc;

	put_header(&f, SESSION_MAJOR);
	put_minimal_key(&f, SESSION_MAX_REGIONS, "");
	put_minimal_key(&f, SESSION_MAX_REGIONS + 1, "");
	src = source_replay_open_buffer(f.p, f.len, &cause, &err);
	n = 0;
	while (src != NULL && source_next(src, got, &cause) == 0)
		n = got->nregions;
	if (src != NULL)
		replay_summary(src, &sum);
	ok(src != NULL && n == SESSION_MAX_REGIONS && sum.ndamage == 1 &&
	        strstr(sum.damage[0].reason,
	            "more regions in one sample than a recording may hold "
	            "(262144)"),
	    "%d regions in a sample replay, one more is damage, saying why",
	    SESSION_MAX_REGIONS);
	source_close(src);

	/* The recorder will not write what a reader would refuse. */
	snapshot_clear(s);
	for (i = 0; i <= SESSION_MAX_REGIONS; i++) {
		struct region r;

		memset(&r, 0, sizeof r);
		r.start = 0x1000 * (i + 1);
		r.end = r.start + 0x1000;
		memcpy(r.perms, "rw-p", 5);
		snapshot_add_region(s, &r, "", 0);
	}
	s->wall = 1700000000;
	rec = recorder_open(path_of("huge"), 1, 0, &cause, NULL);
	rc = recorder_write(rec, s, &cause);
	ok(rc == -EFBIG && cause &&
	        strstr(cause, "more than a recording holds"),
	    "a target of %d mappings: the recorder stops, saying so",
	    SESSION_MAX_REGIONS + 1);
	free(cause);
	cause = NULL;
	recorder_close(rec, TARGET_ALIVE, &cause);

	/* One path of 4000 bytes named by 100000 regions of 13 bytes: held
	 * once, not 100000 times (400 MB). */
	memset(path, 'p', 4000);
	path[0] = '/';
	path[4000] = '\0';
	buf_reset(&f);
	put_header(&f, SESSION_MAJOR);
	put_minimal_key(&f, 100000, path);
	/* A change frame keeping them all, then one with a new region
	 * naming the path too. */
	for (i = 0; i < 2; i++) {
		buf_reset(&p);
		put_key_head(&p, 1700000001 + (double)i);
		p.p[0] = (uint8_t)(i + 1); /* seq */
		buf_varint(&p, i == 0 ? 1 : 2);
		buf_u8(&p, 0); /* keep */
		buf_varint(&p, 100000);
		if (i == 1) {
			buf_u8(&p, 3); /* new */
			put_region(&p, 0x1000, 1, 0, NULL);
		}
		put_frame(&f, FRAME_DELTA, &p);
	}
	src = source_replay_open_buffer(f.p, f.len, &cause, &err);
	n = 0;
	while (src != NULL && source_next(src, got, &cause) == 0) {
		n++;
		for (i = 0; i < got->nregions; i++)
			same = same && got->regions[i].path_len == 4000 &&
			    memcmp(region_path(got, &got->regions[i]), path,
			        4000) == 0;
		if (got->strings_len > 3 * 4001) {
			diag("sample %zu: %zu bytes of paths", n,
			    got->strings_len);
			same = false;
		}
	}
	if (src != NULL)
		replay_summary(src, &sum);
	ok(src != NULL && n == 3 && same && sum.ndamage == 0 &&
	        got->nregions == 100001,
	    "a path named by 100000 regions is held once per sample, and "
	    "reads back for each (%zu bytes of paths)",
	    got->strings_len);
	source_close(src);
	buf_free(&f);
	buf_free(&p);
	snapshot_free(s);
	snapshot_free(got);
}

static void
test_lock_and_errors(void)
{
	struct rec_opts o = { 10, 1, false, true, 0, 0 };
	struct snapshot *s = snapshot_new();
	struct recorder *rec, *second;
	char *cause = NULL, want[64];
	int fd, pid, status, k, rc = 0, err = 0;
	size_t nd;
	long n;

	rec = recorder_open(path_of("locked"), 1, 0, &cause, NULL);
	make_snapshot(s, 10, 0, 1, false);
	recorder_write(rec, s, &cause);
	second = recorder_open(path_of("locked"), 1, 0, &cause, NULL);
	ok(second == NULL && cause && strstr(cause, "is being written by "),
	    "a second recorder on the same file is "
	    "refused (same process)");
	free(cause);
	cause = NULL;
	pid = fork();
	if (pid == 0) {
		second = recorder_open(path_of("locked"), 1, 0, &cause, NULL);
		snprintf(want, sizeof want, "another memtop (pid %d)",
		    (int)getppid());
		if (second == NULL && cause && strstr(cause, want))
			_exit(0);
		fprintf(stderr, "# the second recorder: %s\n",
		    cause ? cause : "(opened)");
		_exit(1);
	}
	waitpid(pid, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "and from another process, naming the recorder's pid");
	recorder_close(rec, TARGET_ALIVE, &cause);

	/* Not a session file: never overwritten. */
	fd = open(path_of("precious"), O_WRONLY | O_CREAT, 0644);
	ok(write(fd, "data", 4) == 4, "a file of other data");
	close(fd);
	rec = recorder_open(path_of("precious"), 1, 0, &cause, &err);
	ok(rec == NULL && cause && strstr(cause, "not a memtop session") &&
	        err == -EINVAL,
	    "is not overwritten by a recording (-EINVAL: a usage error)");
	free(cause);
	cause = NULL;

	/* An earlier recording is moved aside, not lost. */
	record("again", 3, &o);
	record("again", 2, &o);
	ok(recovered_file("again.old", NULL) == 3 &&
	        recovered_file("again", NULL) == 2,
	    "recording over a recording keeps the old one as FILE.old");

	/* The disk fills up (a file size limit, in a child): the error is
	 * returned, and the file replays up to the last complete frame. */
	pid = fork();
	if (pid == 0) {
		struct rlimit rl = { 6000, 6000 };

		signal(SIGXFSZ, SIG_IGN);
		setrlimit(RLIMIT_FSIZE, &rl);
		rec = recorder_open(path_of("full"), 1, 0, &cause, NULL);
		for (k = 0; k < 200 && rc == 0; k++) {
			make_snapshot(s, 20, (unsigned)k, 20, false);
			rc = recorder_write(rec, s, &cause);
		}
		_exit(rc == -EFBIG && cause &&
		            strstr(
		                cause, "kept up to the last complete sample") ?
		        k - 1 :
		        255);
	}
	waitpid(pid, &status, 0);
	n = recovered_file("full", &nd);
	ok(WIFEXITED(status) && WEXITSTATUS(status) != 255 &&
	        n == WEXITSTATUS(status) && n > 0 && nd == 0,
	    "a write error is returned; the %ld samples written before it "
	    "replay, undamaged",
	    n);
	snapshot_free(s);
	free(cause);
}

/* -w never goes through a symlink, at FILE, FILE.old or FILE.N. */
static void
test_symlinks(void)
{
	struct rec_opts o = { 5, 1, false, true, 0, 0 };
	static const char *const targets[] = { "nowhere", "empty", "rec" };
	char *cause = NULL, link[320], target[300];
	struct recorder *rec;
	struct stat st;
	size_t len, len2;
	void *before, *after;
	int err = 0, k, fd;

	fd = open(path_of("empty"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
	close(fd);
	record("rec", 2, &o);
	before = slurp(path_of("rec"), &len);
	for (k = 0; k < 3; k++) {
		snprintf(target, sizeof target, "%s", path_of(targets[k]));
		snprintf(link, sizeof link, "%s.link", target);
		if (symlink(target, link) != 0)
			diag("symlink: %s", strerror(errno));
		rec = recorder_open(link, 1, 0, &cause, &err);
		ok(rec == NULL && err == -EINVAL && cause &&
		        strstr(cause, "is a symbolic link"),
		    "a symlink at FILE (to %s) is refused: %s", targets[k],
		    cause ? cause : "(opened)");
		free(cause);
		cause = NULL;
		recorder_close(rec, TARGET_ALIVE, &cause);
	}
	after = slurp(path_of("rec"), &len2);
	ok(stat(path_of("nowhere"), &st) != 0 &&
	        stat(path_of("empty"), &st) == 0 && st.st_size == 0 &&
	        len == len2 && memcmp(before, after, len) == 0 &&
	        stat(path_of("rec.old"), &st) != 0,
	    "and nothing is created, written or moved where they point");
	free(before);
	free(after);

	/* A name that is a directory. */
	snprintf(link, sizeof link, "%s/", dir);
	rec = recorder_open(link, 1, 0, &cause, &err);
	ok(rec == NULL && err == -EINVAL && cause &&
	        strstr(cause, "is a directory, not a regular file"),
	    "-w DIR/: refused as a directory (%s)", cause ? cause : "opened");
	free(cause);
	cause = NULL;

	/* FILE.old, and a flight recorder's FILE.N. */
	record("aside", 1, &o);
	snprintf(target, sizeof target, "%s", path_of("nowhere"));
	if (symlink(target, path_of("aside.old")) != 0)
		diag("symlink: %s", strerror(errno));
	rec = recorder_open(path_of("aside"), 1, 0, &cause, &err);
	ok(rec == NULL && err == -EINVAL && cause &&
	        strstr(cause, "aside.old is a symbolic link") &&
	        recovered_file("aside", NULL) == 1,
	    "a symlink at FILE.old: refused, FILE left where it is");
	free(cause);
	cause = NULL;
	record("seg", 1, &o);
	if (symlink(target, path_of("seg.3")) != 0)
		diag("symlink: %s", strerror(errno));
	rec = recorder_open(path_of("seg"), 1, 60, &cause, &err);
	ok(rec == NULL && err == -EINVAL && cause &&
	        strstr(cause, "seg.3 is a symbolic link") &&
	        stat(path_of("nowhere"), &st) != 0,
	    "a symlink at FILE.3 of a flight recorder: refused");
	free(cause);
}

/* FILE deleted, moved away or replaced while memtop records into it. */
static void
test_deleted(void)
{
	struct snapshot *s = snapshot_new(), *got = snapshot_new();
	struct session_summary sum;
	struct recorder *rec;
	struct source *src;
	char *cause = NULL, moved[300];
	int err = 0, rc, k, n;
	size_t len;
	void *data;

	rec = recorder_open(path_of("deleted"), 1, 0, &cause, &err);
	for (k = 0; k < 5; k++) {
		make_snapshot(s, 10, (unsigned)k, 2, false);
		if (k == 3)
			unlink(path_of("deleted"));
		rc = recorder_write(rec, s, &cause);
	}
	ok(rc == 0, "a recording whose FILE was deleted goes on");
	rc = recorder_close(rec, TARGET_EXITED, &cause);
	ok(rc == -ENOENT && cause &&
	        strstr(cause, "was deleted while memtop recorded into it") &&
	        strstr(cause, "the 3 samples in it are gone"),
	    "and closing says so: %s", cause ? cause : "(nothing)");
	free(cause);
	cause = NULL;
	src = source_replay_open(path_of("deleted"), &cause, &err);
	n = 0;
	while (src != NULL && source_next(src, got, &cause) == 0)
		n += got->seq == (uint64_t)(3 + n);
	if (src != NULL)
		replay_summary(src, &sum);
	ok(src != NULL && n == 2 && sum.ndamage == 0 && sum.ended &&
	        sum.header.recreated_at > 0 && sum.header.lost_samples == 3,
	    "a new FILE holds the samples from then on, its header saying "
	    "it was recreated and 3 samples were lost");
	source_close(src);

	rec = recorder_open(path_of("moved"), 1, 0, &cause, &err);
	snprintf(moved, sizeof moved, "%s.elsewhere", path_of("moved"));
	for (k = 0; k < 4; k++) {
		make_snapshot(s, 10, (unsigned)k, 2, false);
		if (k == 2)
			rename(path_of("moved"), moved);
		recorder_write(rec, s, &cause);
	}
	rc = recorder_close(rec, TARGET_EXITED, &cause);
	data = slurp(moved, &len);
	ok(rc == -ENOENT && cause && strstr(cause, "was moved away") &&
	        recovered(data, len, NULL) == 2 &&
	        recovered_file("moved", NULL) == 2,
	    "moved away: the moved file keeps its samples, a new FILE the "
	    "rest");
	free(data);
	free(cause);
	cause = NULL;

	rec = recorder_open(path_of("taken"), 1, 0, &cause, &err);
	make_snapshot(s, 10, 0, 2, false);
	recorder_write(rec, s, &cause);
	unlink(path_of("taken"));
	k = open(path_of("taken"), O_WRONLY | O_CREAT, 0644);
	rc = write(k, "theirs", 6) == 6 ? 0 : -1;
	close(k);
	make_snapshot(s, 10, 1, 2, false);
	rc = recorder_write(rec, s, &cause);
	data = slurp(path_of("taken"), &len);
	ok(rc == -EEXIST && cause &&
	        strstr(cause, "replaced by another file") && len == 6 &&
	        memcmp(data, "theirs", 6) == 0,
	    "another file at FILE: the recording stops, the file untouched");
	free(data);
	free(cause);
	cause = NULL;
	recorder_close(rec, TARGET_ALIVE, &cause);
	free(cause);
	cause = NULL;

	/* A flight recorder (2 s segments) whose FILE is deleted: it goes on,
	 * rotates, and the segments chain. */
	rec = recorder_open(path_of("fdel"), 1, 8, &cause, &err);
	for (k = 0; k < 12; k++) {
		make_snapshot(s, 10, (unsigned)k, 2, false);
		if (k == 5)
			unlink(path_of("fdel"));
		if ((rc = recorder_write(rec, s, &cause)) != 0)
			break;
	}
	ok(rc == 0,
	    "a flight recorder whose FILE was deleted goes on, and "
	    "rotates%s%s",
	    cause ? ": " : "", cause ? cause : "");
	recorder_close(rec, TARGET_EXITED, &cause);
	free(cause);
	cause = NULL;
	src = source_replay_open(path_of("fdel"), &cause, &err);
	n = 0;
	while (src != NULL && source_next(src, got, &cause) == 0)
		n++;
	if (src != NULL)
		replay_summary(src, &sum);
	ok(src != NULL && sum.segments >= 3 && sum.ndamage == 0 && n >= 7 &&
	        replay_time_of(src, (size_t)n - 1) == 1700000011,
	    "its segments replay, chained, up to the last sample (%d)", n);
	source_close(src);
	snapshot_free(s);
	snapshot_free(got);
	free(cause);
}

static void
test_follow(void)
{
	struct snapshot *s = snapshot_new(), *got = snapshot_new();
	struct recorder *rec;
	struct source *src;
	char *cause = NULL;
	int err, k, rc, seen = 0, pending = 0;
	size_t before;

	rec = recorder_open(path_of("follow"), 1, 0, &cause, NULL);
	make_snapshot(s, 10, 0, 1, false);
	recorder_write(rec, s, &cause);
	src = source_replay_open(path_of("follow"), &cause, &err);
	if (src == NULL) {
		ok(0, "a recording being written opens: %s", cause);
		return;
	}
	replay_follow(src, true);
	before = replay_count(src);
	ok(source_next(src, got, &cause) == 0 && got->seq == 0 &&
	        source_next(src, got, &cause) == 2,
	    "follow mode: the first sample, then \"no sample yet\" (2)");
	for (k = 1; k < 5; k++) {
		make_snapshot(s, 10, (unsigned)k, 1, false);
		recorder_write(rec, s, &cause);
		while ((rc = source_next(src, got, &cause)) == 0) {
			if (got->seq == (uint64_t)seen + 1)
				seen++;
		}
		pending += rc == 2;
	}
	ok(before == 1 && seen == 4 && pending == 4,
	    "frames appended after opening are seen as they come (%d of 4)",
	    seen);
	recorder_close(rec, TARGET_EXITED, &cause);
	ok(source_next(src, got, &cause) == 1 && got->state == TARGET_EXITED,
	    "and the END frame ends it");
	source_close(src);

	/* A recorder that died without an END frame: not waited for. */
	rec = recorder_open(path_of("follow2"), 1, 0, &cause, NULL);
	recorder_write(rec, s, &cause);
	src = source_replay_open(path_of("follow2"), &cause, &err);
	replay_follow(src, true);
	source_next(src, got, &cause);
	recorder_write(rec, s, &cause);
	recorder_close(rec, TARGET_ALIVE, &cause);
	ok(source_next(src, got, &cause) == 0 &&
	        source_next(src, got, &cause) == 1,
	    "a recording whose recorder is gone ends after its last frame");
	source_close(src);

	/* Following a flight recorder across its rotations. */
	rec = recorder_open(path_of("follow3"), 1, 8, &cause, NULL);
	make_snapshot(s, 10, 0, 1, false);
	recorder_write(rec, s, &cause);
	src = source_replay_open(path_of("follow3"), &cause, &err);
	replay_follow(src, true);
	seen = 0;
	for (k = 1; k <= 12; k++) {
		while ((rc = source_next(src, got, &cause)) == 0) {
			if (got->seq == (uint64_t)seen)
				seen++;
		}
		make_snapshot(s, 10, (unsigned)k, 1, false);
		recorder_write(rec, s, &cause);
	}
	recorder_close(rec, TARGET_EXITED, &cause);
	while ((rc = source_next(src, got, &cause)) == 0) {
		if (got->seq == (uint64_t)seen)
			seen++;
	}
	ok(rc == 1 && seen == 13,
	    "a follower goes on across a flight "
	    "recorder's segments (%d of 13 samples)",
	    seen);
	source_close(src);
	snapshot_free(s);
	snapshot_free(got);
}

static void
test_keep(void)
{
	struct rec_opts o = { 10, 1, false, true, 0, 8 };
	struct snapshot *want = snapshot_new(), *got = snapshot_new();
	struct session_summary sum;
	struct source *src;
	char *cause = NULL, name[300];
	struct stat st;
	int err, k, nseg = 0, good = 1;
	size_t total = 0, one, n = 0;

	/* 40 s of samples, kept for 8 s in 2 s segments. */
	one = record("one", 1, &o);
	record("flight", 40, &o);
	for (k = 0; k < 9; k++) {
		snprintf(name, sizeof name, k ? "%s.%d" : "%s",
		    path_of("flight"), k);
		if (stat(name, &st) == 0) {
			nseg++;
			total += (size_t)st.st_size;
		}
	}
	ok(nseg == 5 && total < 5 * one + 10 * 200,
	    "flight recorder: at most 5 segments, %zu bytes", total);
	src = source_replay_open(path_of("flight"), &cause, &err);
	if (src == NULL) {
		ok(0, "its segments replay: %s", cause);
		return;
	}
	replay_summary(src, &sum);
	while (source_next(src, got, &cause) == 0) {
		make_snapshot(
		    want, 10, (unsigned)(40 - replay_count(src) + n), 1, false);
		if (diff_snapshot(want, got) != NULL)
			good = 0;
		n++;
	}
	ok(sum.segments == 5 && n >= 8 && n <= 10 && good && sum.ndamage == 0 &&
	        sum.ended && replay_time_of(src, n - 1) == 1700000000 + 39,
	    "replay chains the segments: the last %zu samples, in order, "
	    "intact",
	    n);
	source_close(src);

	/* A plain recording over it drops the old segments; a segment of
	 * another process is never chained. */
	o.keep = 0;
	record("flight", 3, &o);
	src = source_replay_open(path_of("flight"), &cause, &err);
	replay_summary(src, &sum);
	ok(src != NULL && sum.segments == 1 && sum.samples == 3,
	    "a plain recording over a flight recording leaves no stale "
	    "segments behind");
	source_close(src);
	snprintf(name, sizeof name, "%s.1", path_of("flight"));
	rename(path_of("one"), name);
	src = source_replay_open(path_of("flight"), &cause, &err);
	replay_summary(src, &sum);
	ok(src != NULL && sum.segments == 2 && sum.samples == 4,
	    "segments of the same process chain");
	source_close(src);
	{
		struct recorder *rec =
		    recorder_open(path_of("other"), 1, 0, &cause, NULL);

		make_snapshot(want, 10, 0, 1, false);
		want->info.pid = 99;
		recorder_write(rec, want, &cause);
		recorder_close(rec, TARGET_ALIVE, &cause);
		rename(path_of("other"), name);
	}
	src = source_replay_open(path_of("flight"), &cause, &err);
	replay_summary(src, &sum);
	ok(src != NULL && sum.segments == 1 && sum.samples == 3,
	    "a FILE.1 of another process is left out");
	source_close(src);
	record("reboot", 1, &o);
	rewrite_header(path_of("reboot"), set_other_boot);
	rename(path_of("reboot"), name);
	src = source_replay_open(path_of("flight"), &cause, &err);
	replay_summary(src, &sum);
	ok(src != NULL && sum.segments == 1 && sum.samples == 3,
	    "and so is one of the same pid and start time in another boot");
	source_close(src);
	snapshot_free(want);
	snapshot_free(got);
}

/* Marks (m, M) recorded after samples 2 and 5 give each sample the baseline
 * the dashboard had, and the samples still decode around them. */
static void
test_marks(void)
{
	static const size_t want[8] = { SIZE_MAX, SIZE_MAX, 2, 2, 2, SIZE_MAX,
		SIZE_MAX, SIZE_MAX };
	struct snapshot *s = snapshot_new();
	struct recorder *rec;
	struct source *src;
	char *cause = NULL;
	bool good = true;
	int err = 0;
	unsigned k;

	rec = recorder_open(path_of("marks"), 1, 0, &cause, NULL);
	ok(rec != NULL && recorder_mark(rec, false, &cause) == 0,
	    "a mark before any sample is no error");
	for (k = 0; rec != NULL && k < 8; k++) {
		make_snapshot(s, 20, k, 3, false);
		recorder_write(rec, s, &cause);
		if (k == 2 || k == 5)
			recorder_mark(rec, k == 5, &cause);
	}
	recorder_close(rec, TARGET_EXITED, &cause);
	src = source_replay_open(path_of("marks"), &cause, &err);
	for (k = 0; src != NULL && k < 8; k++)
		good = good && replay_baseline(src, k) == want[k];
	ok(src != NULL && good && replay_count(src) == 8,
	    "the baseline of each sample is where m and M put it live");
	k = 0;
	while (src != NULL && source_next(src, s, &cause) == 0)
		k++;
	ok(k == 8, "all 8 samples decode around the marks");
	if (src != NULL)
		source_close(src);
	snapshot_free(s);
	free(cause);
}

int
main(void)
{
	char cmd[300];

	if (mkdtemp(dir) == NULL)
		return 1;
	test_crc32();
	test_round_trip();
	test_checkpoints();
	test_tiny_regions();
	test_sizes();
	test_index();
	test_damage();
	test_crafted();
	test_unknown_extensions();
	test_facts();
	test_known_facts();
	test_sample_facts();
	test_damage_overflow();
	test_absurd_times();
	test_bounded();
	test_lock_and_errors();
	test_symlinks();
	test_deleted();
	test_follow();
	test_keep();
	test_marks();
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		diag("could not clean up %s", dir);
	return tap_done();
}
