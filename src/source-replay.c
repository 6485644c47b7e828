/*
 * source-replay.c - reads session files back as a source.
 *
 * Opening maps each segment and indexes its frames (offset, time, the key
 * frame its chain starts from); a sample is decoded when asked for, from its
 * key frame on.  Nothing in the file is trusted: a frame is used only when
 * its sync marker, type, length and CRC agree; damage is reported with its
 * offset and skipped by looking for the next frame that checks out, and a
 * delta frame whose chain was broken is dropped until the next key frame.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "session-codec.h"
#include "util.h"

#define MAX_SEGMENTS 5
#define MAX_DAMAGE 1000		/* reported spans; more are counted */

struct segment {
	char *path;
	int fd;			/* -1 for a buffer */
	const uint8_t *mem;
	size_t size;
	bool mapped;
	uint64_t scan;		/* where indexing goes on */
	struct session_header header;
};

struct sample_ref {
	uint32_t seg;
	uint32_t len;
	uint64_t off;		/* payload offset */
	size_t key;		/* sample index of its chain's key frame */
	double wall;
	uint8_t type;
};

struct replay {
	struct segment seg[MAX_SEGMENTS];
	size_t nseg;
	struct sample_ref *samples;
	size_t n, cap;
	struct session_damage *damage;
	size_t ndamage, damage_cap, damage_more;
	size_t skipped;			/* change frames skipped in a row */
	bool chain_ok, ended;
	size_t last_key;
	double last_wall;
	enum target_state final;

	struct snapshot *cur, *tmp;	/* the decoded sample cur_index */
	size_t cur_index;		/* SIZE_MAX: none */
	struct strtab tab;
	size_t pos;			/* what source_next() yields next */
};

static void
replay_damage(struct replay *rp, int seg, uint64_t off, const char *why)
{
	struct session_damage *d;

	if (rp->ndamage >= MAX_DAMAGE) {
		rp->damage_more++;
		return;
	}
	if (rp->ndamage == rp->damage_cap) {
		rp->damage_cap = rp->damage_cap ? rp->damage_cap * 2 : 8;
		rp->damage = xrealloc(rp->damage, rp->damage_cap *
		    sizeof *rp->damage);
	}
	d = &rp->damage[rp->ndamage++];
	d->segment = seg;
	d->offset = off;
	snprintf(d->reason, sizeof d->reason, "%s", why);
}

/* ---- the header ---- */

static int
parse_header(struct segment *sg, char **cause)
{
	struct session_header *h = &sg->header;
	struct rd r = { sg->mem, sg->mem + sg->size, 0 };
	const uint8_t *p, *payload;
	uint32_t hlen, crc;
	size_t len;

	memset(h, 0, sizeof *h);
	if (sg->size == 0) {
		*cause = xasprintf("%s is empty: not a memtop session file",
		    sg->path);
		return -EBADMSG;
	}
	if (sg->size < 8 || memcmp(sg->mem, SESSION_MAGIC, 8) != 0) {
		*cause = xasprintf("%s is not a memtop session file", sg->path);
		return -EBADMSG;
	}
	r.p += 8;
	h->major = rd_u16(&r);
	h->minor = rd_u16(&r);
	(void)rd_u32(&r);		/* flags: none defined in 1.x */
	hlen = rd_u32(&r);
	if (!r.err && h->major > SESSION_MAJOR) {
		*cause = xasprintf("%s was made by a newer memtop (session "
		    "format %u.%u); this is memtop %s, which reads format %d.x",
		    sg->path, h->major, h->minor, PACKAGE_VERSION, SESSION_MAJOR);
		return -EPROTONOSUPPORT;
	}
	if (r.err || h->major == 0 || hlen > rd_left(&r) ||
	    rd_left(&r) - hlen < 4) {
		*cause = xasprintf("%s: the header is cut short or damaged "
		    "(offset 8)", sg->path);
		return -EBADMSG;
	}
	payload = r.p;
	r.p += hlen;
	crc = rd_u32(&r);
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
	crc = crc32_update(0, payload, hlen);
#endif
	if (crc != crc32_update(0, payload, hlen)) {
		*cause = xasprintf("%s: the header is damaged (checksum "
		    "mismatch at offset 20)", sg->path);
		return -EBADMSG;
	}
	sg->scan = (uint64_t)(r.p - sg->mem);
	r.p = payload;
	r.end = payload + hlen;
	h->page_size = (uint32_t)rd_varint(&r);
	h->pid = (int)rd_varint(&r);
	h->start_time = rd_varint(&r);
	h->interval = rd_f64(&r);
	h->created = rd_f64(&r);
#define STR(field) do { \
	p = rd_bytes(&r, &len); \
	if (len >= sizeof h->field) \
		len = sizeof h->field - 1; \
	if (p != NULL && len > 0) \
		memcpy(h->field, p, len); \
	h->field[len] = '\0'; \
} while (0)
	STR(kernel);
	STR(host);
	STR(version);
	STR(cmdline);
#undef STR
	if (r.err) {
		*cause = xasprintf("%s: the header is damaged (offset 20)",
		    sg->path);
		return -EBADMSG;
	}
	return 0;
}

/* ---- indexing ---- */

static uint32_t
le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

/* Whether a whole, valid frame starts at off; its type and length. */
static int
frame_at(const struct segment *sg, uint64_t off, uint8_t *type,
    uint32_t *len)
{
	const uint8_t *p = sg->mem + off;
	uint32_t crc;

	if (sg->size - off < FRAME_HEAD)
		return 1;			/* cut short */
	if (le32(p) != SESSION_SYNC)
		return -1;
	*type = p[4];
	*len = le32(p + 5);
	if (*type < FRAME_KEY || *type > FRAME_END || *len > FRAME_MAX)
		return -1;
	if (*len > sg->size - off - FRAME_HEAD)
		return 1;			/* cut short (or a bad length) */
	crc = crc32_update(0, p + 4, 5);
	crc = crc32_update(crc, p + FRAME_HEAD, *len);
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
	crc = le32(p + 9);	/* let the fuzzer reach the decoders */
#endif
	return crc == le32(p + 9) ? 0 : -1;
}

static void
replay_add_sample(struct replay *rp, uint32_t seg, uint64_t off, uint32_t len,
    uint8_t type, double wall)
{
	struct sample_ref *s;

	if (rp->n == rp->cap) {
		rp->cap = rp->cap ? rp->cap * 2 : 256;
		rp->samples = xrealloc(rp->samples, rp->cap * sizeof *rp->samples);
	}
	s = &rp->samples[rp->n];
	s->seg = seg;
	s->off = off;
	s->len = len;
	s->type = type;
	s->wall = wall;
	if (type == FRAME_KEY)
		rp->last_key = rp->n;
	s->key = rp->last_key;
	rp->n++;
}

/* Index the frames of segment k from where its scan stopped. */
static void
replay_scan(struct replay *rp, uint32_t k, bool final_segment)
{
	struct segment *sg = &rp->seg[k];
	char why[96];

	while (sg->scan < sg->size) {
		uint64_t off = sg->scan, next;
		uint8_t type = 0;
		uint32_t len = 0;
		uint64_t seq;
		double wall;
		int rc = frame_at(sg, off, &type, &len);

		if (rc > 0) {
			/* Cut short: damage if a good frame follows it (a bad
			 * length), else a torn last frame: the recorder was
			 * stopped while writing it, or is writing it now. */
			for (next = off + 1; next + FRAME_HEAD <= sg->size;
			    next++) {
				if (sg->mem[next] == 0x44 &&
				    frame_at(sg, next, &type, &len) == 0)
					break;
			}
			if (next + FRAME_HEAD <= sg->size) {
				replay_damage(rp, (int)k, off, "a damaged frame "
				    "length (skipped)");
				rp->chain_ok = false;
				sg->scan = next;
				continue;
			}
			if (!final_segment || rp->ended)
				replay_damage(rp, (int)k, off, "the last frame "
				    "is cut short (skipped)");
			if (!final_segment)
				sg->scan = sg->size;
			return;
		}
		if (rc < 0) {
			/* Damage: look for the next frame that checks out. */
			for (next = off + 1; next < sg->size; next++) {
				if (sg->mem[next] == 0x44 &&
				    frame_at(sg, next, &type, &len) == 0)
					break;
			}
			snprintf(why, sizeof why, "damaged data (%llu bytes "
			    "skipped)", (unsigned long long)(next - off));
			replay_damage(rp, (int)k, off, why);
			rp->chain_ok = false;
			sg->scan = next;
			continue;
		}
		sg->scan = off + FRAME_HEAD + len;
		if (type == FRAME_END) {
			const uint8_t *p = sg->mem + off + FRAME_HEAD;

			rp->ended = true;
			rp->final = len >= 1 && p[0] <= TARGET_DENIED ?
			    (enum target_state)p[0] : TARGET_EXITED;
			continue;
		}
		if (codec_peek_time(sg->mem + off + FRAME_HEAD, len, &seq,
		    &wall) != 0) {
			replay_damage(rp, (int)k, off, "a sample without a time");
			rp->chain_ok = false;
			continue;
		}
		if (type == FRAME_DELTA && !rp->chain_ok) {
			/* One line for the whole run of them. */
			if (rp->skipped++ == 0)
				replay_damage(rp, (int)k, off, "");
			if (rp->ndamage > 0)
				snprintf(rp->damage[rp->ndamage - 1].reason,
				    sizeof rp->damage[0].reason, "%zu change "
				    "frame%s after damage skipped, up to the "
				    "next key frame", rp->skipped,
				    rp->skipped == 1 ? "" : "s");
			continue;
		}
		rp->skipped = 0;
		if (rp->n > 0 && wall + 1e-6 < rp->last_wall)
			replay_damage(rp, (int)k, off, "time goes backwards "
			    "(kept: samples stay in file order)");
		rp->chain_ok = true;
		rp->last_wall = wall;
		replay_add_sample(rp, k, off + FRAME_HEAD, len, type, wall);
	}
}

/* Map (or re-map, as it grows) segment k. */
static int
segment_map(struct segment *sg)
{
	struct stat st;
	void *m;

	if (sg->fd < 0)
		return 0;
	if (fstat(sg->fd, &st) != 0)
		return -errno;
	if ((size_t)st.st_size == sg->size)
		return 0;
	if (sg->mapped)
		munmap((void *)(uintptr_t)sg->mem, sg->size);
	sg->mapped = false;
	sg->mem = NULL;
	sg->size = (size_t)st.st_size;
	if (sg->size == 0)
		return 0;
	m = mmap(NULL, sg->size, PROT_READ, MAP_PRIVATE, sg->fd, 0);
	if (m == MAP_FAILED)
		return -errno;
	sg->mem = m;
	sg->mapped = true;
	return 0;
}

/* ---- decoding ---- */

int
replay_read(struct source *src, size_t i, struct snapshot *out, char **cause)
{
	struct replay *rp = src->priv;
	const struct sample_ref *s;
	const char *why = NULL;
	size_t k;
	int rc;

	if (i >= rp->n)
		return -ERANGE;
	s = &rp->samples[i];
	k = rp->cur_index != SIZE_MAX && rp->cur_index < i &&
	    rp->samples[rp->cur_index].key == s->key ? rp->cur_index + 1 :
	    s->key;
	for (; k <= i; k++) {
		const struct sample_ref *f = &rp->samples[k];
		const uint8_t *p = rp->seg[f->seg].mem + f->off;

		if (f->type == FRAME_KEY)
			rc = codec_decode_key(p, f->len, &rp->tab, rp->tmp, &why);
		else
			rc = codec_decode_delta(p, f->len, &rp->tab, rp->cur,
			    rp->tmp, &why);
		if (rc != 0) {
			rp->cur_index = SIZE_MAX;
			*cause = xasprintf("%s: sample %zu (offset %llu) cannot "
			    "be decoded: %s", rp->seg[f->seg].path, k,
			    (unsigned long long)(f->off - FRAME_HEAD), why);
			return rc;
		}
		{
			struct snapshot *t = rp->cur;

			rp->cur = rp->tmp;
			rp->tmp = t;
		}
		rp->cur_index = k;
	}
	return snapshot_copy(out, rp->cur);
}

static int
replay_next(struct source *src, struct snapshot *out, char **cause)
{
	struct replay *rp = src->priv;
	int rc;

	while (rp->pos < rp->n) {
		rc = replay_read(src, rp->pos, out, cause);
		rp->pos++;
		if (rc == 0)
			return 0;
		/* A frame that checks out but does not decode: skip its
		 * chain, as damage. */
		replay_damage(rp, (int)rp->samples[rp->pos - 1].seg,
		    rp->samples[rp->pos - 1].off - FRAME_HEAD, *cause);
		free(*cause);
		*cause = NULL;
		while (rp->pos < rp->n && rp->samples[rp->pos].type != FRAME_KEY)
			rp->pos++;
	}
	out->state = rp->ended ? rp->final : TARGET_ALIVE;
	return 1;
}

static void
replay_close(struct source *src)
{
	struct replay *rp = src->priv;
	size_t k;

	for (k = 0; k < rp->nseg; k++) {
		if (rp->seg[k].mapped)
			munmap((void *)(uintptr_t)rp->seg[k].mem,
			    rp->seg[k].size);
		if (rp->seg[k].fd >= 0)
			close(rp->seg[k].fd);
		free(rp->seg[k].path);
	}
	snapshot_free(rp->cur);
	snapshot_free(rp->tmp);
	strtab_free(&rp->tab);
	free(rp->samples);
	free(rp->damage);
	free(rp);
	free(src);
}

static const struct source_ops replay_ops = {
	.name = "replay",
	.next = replay_next,
	.close = replay_close,
};

static struct source *
replay_new(void)
{
	struct replay *rp = xcalloc(1, sizeof *rp);
	struct source *src = xcalloc(1, sizeof *src);

	rp->cur = snapshot_new();
	rp->tmp = snapshot_new();
	rp->cur_index = SIZE_MAX;
	src->ops = &replay_ops;
	src->priv = rp;
	return src;
}

/* Header check and first indexing of every segment. */
static struct source *
replay_start(struct source *src, char **cause, int *err)
{
	struct replay *rp = src->priv;
	size_t k;
	int rc;

	for (k = 0; k < rp->nseg; k++) {
		if ((rc = parse_header(&rp->seg[k], cause)) != 0) {
			*err = rc;
			replay_close(src);
			return NULL;
		}
		rp->chain_ok = false;
		replay_scan(rp, (uint32_t)k, k + 1 == rp->nseg);
	}
	return src;
}

struct source *
source_replay_open(const char *path, char **cause, int *err)
{
	struct source *src;
	struct replay *rp;
	char name[PATH_MAX + 16];
	int k, fd, rc;

	src = replay_new();
	rp = src->priv;
	/* Older segments of a flight recording first: PATH.4 ... PATH.1. */
	for (k = MAX_SEGMENTS - 1; k >= 0; k--) {
		if (k > 0)
			snprintf(name, sizeof name, "%s.%d", path, k);
		else
			snprintf(name, sizeof name, "%s", path);
		fd = open(name, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			if (k > 0)
				continue;
			*err = -errno;
			*cause = xasprintf("cannot open %s: %s", path,
			    strerror(errno));
			replay_close(src);
			return NULL;
		}
		rp->seg[rp->nseg].fd = fd;
		rp->seg[rp->nseg].path = xstrdup(name);
		if ((rc = segment_map(&rp->seg[rp->nseg])) != 0) {
			*err = rc;
			*cause = xasprintf("cannot read %s: %s", name,
			    strerror(-rc));
			rp->nseg++;
			replay_close(src);
			return NULL;
		}
		rp->nseg++;
	}
	return replay_start(src, cause, err);
}

struct source *
source_replay_open_buffer(const void *data, size_t len, char **cause,
    int *err)
{
	struct source *src = replay_new();
	struct replay *rp = src->priv;

	rp->seg[0].fd = -1;
	rp->seg[0].path = xstrdup("(buffer)");
	rp->seg[0].mem = data;
	rp->seg[0].size = len;
	rp->nseg = 1;
	return replay_start(src, cause, err);
}

size_t
replay_count(struct source *src)
{
	return ((struct replay *)src->priv)->n;
}

void
replay_refresh(struct source *src)
{
	struct replay *rp = src->priv;
	struct segment *sg = &rp->seg[rp->nseg - 1];

	if (rp->ended || sg->fd < 0 || segment_map(sg) != 0)
		return;
	replay_scan(rp, (uint32_t)rp->nseg - 1, true);
}

void
replay_seek(struct source *src, size_t i)
{
	struct replay *rp = src->priv;

	rp->pos = i < rp->n ? i : rp->n;
}

size_t
replay_position(struct source *src)
{
	return ((struct replay *)src->priv)->pos;
}

double
replay_time_of(struct source *src, size_t i)
{
	struct replay *rp = src->priv;

	return i < rp->n ? rp->samples[i].wall : 0;
}

size_t
replay_find_time(struct source *src, double t)
{
	struct replay *rp = src->priv;
	size_t lo = 0, hi = rp->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (rp->samples[mid].wall < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void
replay_summary(struct source *src, struct session_summary *sum)
{
	struct replay *rp = src->priv;
	size_t k;

	memset(sum, 0, sizeof *sum);
	sum->header = rp->seg[0].header;
	sum->samples = rp->n;
	sum->segments = rp->nseg;
	sum->first_wall = rp->n ? rp->samples[0].wall : 0;
	sum->last_wall = rp->n ? rp->samples[rp->n - 1].wall : 0;
	sum->ended = rp->ended;
	sum->final = rp->final;
	sum->ndamage = rp->ndamage;
	sum->damage = rp->damage;
	for (k = 0; k < rp->nseg; k++)
		sum->bytes += rp->seg[k].size;
}
