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
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "session-codec.h"
#include "util.h"

#define MAX_SEGMENTS 5    /* FILE and FILE.1 ... FILE.4 */
#define MAX_DAMAGE   1000 /* reported spans; more are counted */

struct segment {
	char *path;
	int fd; /* -1 for a buffer */
	const uint8_t *mem;
	size_t size;
	bool mapped;
	uint64_t scan; /* where indexing goes on */
	bool have_header;
	bool bad_header; /* reported once, then left alone */
	struct session_header header;
};

struct sample_ref {
	uint32_t seg;
	uint32_t len;
	uint64_t off;    /* payload offset */
	uint64_t seq;    /* the sample's own number */
	uint64_t ck_off; /* its checkpoint's payload (1.4), if ck_len */
	uint32_t ck_len;
	size_t key;  /* sample index of its chain's key frame */
	size_t base; /* the sample the user's baseline (m, M) was
				   at when this one was shown live; SIZE_MAX:
				   the first sample */
	double wall;
	uint8_t type;
};

struct replay {
	char *path;          /* FILE as given; NULL for a buffer */
	struct segment *seg; /* oldest first */
	size_t nseg, seg_cap;
	bool follow;
	size_t tail; /* damage index of a torn last frame,
					   SIZE_MAX: none */
	struct sample_ref *samples;
	size_t n, cap;
	struct session_damage *damage;
	size_t ndamage, damage_cap, damage_more;
	size_t skipped;    /* change frames skipped in a row */
	size_t skipped_at; /* the damage entry that counts them, SIZE_MAX:
	                      none (past MAX_DAMAGE) */
	bool chain_ok, ended;
	size_t last_key;
	double last_wall;
	struct session_end end; /* of the last END frame */

	size_t base; /* the baseline as the scan left it */

	struct snapshot *cur, *tmp; /* the decoded sample cur_index */
	struct snapshot *scratch;   /* a delta's head (kept regions) */
	struct buf raw;             /* a checkpoint decompressed */
	size_t cur_index;           /* SIZE_MAX: none */
	/* Samples kept_from..cur_index have the same regions (their delta
	 * frames kept every one). */
	size_t kept_from;
	/* The first sample decoded, kept: every jump starts from it. */
	struct snapshot *first;
	bool first_ok;
	struct strtab tab;
	size_t pos; /* what source_next() yields next */
};

/* Report a damaged span; returns its entry, or SIZE_MAX when it is only
 * counted (past MAX_DAMAGE). */
static size_t
replay_damage(struct replay *rp, int seg, uint64_t off, const char *why)
{
	struct session_damage *d;

	if (rp->ndamage >= MAX_DAMAGE) {
		rp->damage_more++;
		return SIZE_MAX;
	}
	if (rp->ndamage == rp->damage_cap) {
		rp->damage_cap = rp->damage_cap ? rp->damage_cap * 2 : 8;
		rp->damage =
		    xrealloc(rp->damage, rp->damage_cap * sizeof *rp->damage);
	}
	d = &rp->damage[rp->ndamage++];
	d->segment = seg;
	d->offset = off;
	snprintf(d->reason, sizeof d->reason, "%s", why);
	return rp->ndamage - 1;
}

/* ---- the header ---- */

/* Read segment sg's header; its frames start after it.  0, or -errno with
 * *cause as codec_decode_header() says. */
static int
segment_header(struct segment *sg, char **cause)
{
	size_t used = 0;
	int rc = codec_decode_header(
	    sg->mem, sg->size, sg->path, &sg->header, &used, cause);

	if (rc != 0)
		return rc;
	sg->scan = used;
	sg->have_header = true;
	return 0;
}

/* ---- indexing ---- */

/* codec_frame_check() at offset off of segment sg. */
static int
frame_at(const struct segment *sg, uint64_t off, uint8_t *type, uint32_t *len)
{
	return codec_frame_check(sg->mem + off, sg->size - off, type, len);
}

/* The next offset after off where a valid frame starts, or sg->size. */
static uint64_t
frame_resync(const struct segment *sg, uint64_t off)
{
	uint64_t next;
	uint8_t type;
	uint32_t len;

	for (next = off + 1; next + FRAME_HEAD <= sg->size; next++) {
		if (sg->mem[next] == (SESSION_SYNC & 0xff) &&
		    frame_at(sg, next, &type, &len) == 0)
			return next;
	}
	return sg->size;
}

static void
replay_add_sample(struct replay *rp, uint32_t seg, uint64_t off, uint32_t len,
    uint8_t type, double wall, uint64_t seq)
{
	struct sample_ref *s;

	if (rp->n == rp->cap) {
		rp->cap = rp->cap ? rp->cap * 2 : 256;
		rp->samples =
		    xrealloc(rp->samples, rp->cap * sizeof *rp->samples);
	}
	s = &rp->samples[rp->n];
	s->seg = seg;
	s->off = off;
	s->len = len;
	s->type = type;
	s->wall = wall;
	s->seq = seq;
	s->ck_off = 0;
	s->ck_len = 0;
	if (type == FRAME_KEY || type == FRAME_CHECK)
		rp->last_key = rp->n;
	s->key = rp->last_key;
	s->base = rp->base;
	rp->n++;
}

/* Forget the report of a torn last frame: more bytes may have come. */
static void
replay_untail(struct replay *rp)
{
	if (rp->tail == SIZE_MAX)
		return;
	if (rp->tail < rp->ndamage) {
		memmove(&rp->damage[rp->tail], &rp->damage[rp->tail + 1],
		    (rp->ndamage - rp->tail - 1) * sizeof *rp->damage);
		rp->ndamage--;
		if (rp->skipped_at != SIZE_MAX && rp->skipped_at > rp->tail)
			rp->skipped_at--;
	}
	rp->tail = SIZE_MAX;
}

/* The user moved the baseline just after the last sample indexed: to it,
 * or (reset) back to the first sample. */
static void
replay_add_mark(struct replay *rp, bool reset)
{
	rp->base = reset ? SIZE_MAX : rp->n - 1;
	rp->samples[rp->n - 1].base = rp->base;
}

/* A frame that checks out but whose content does not decode. */
static void
replay_undecodable(
    struct replay *rp, uint32_t k, uint64_t off, const char *what)
{
	char why[96];

	snprintf(why, sizeof why, "cannot be decoded: %s", what);
	replay_damage(rp, (int)k, off, why);
}

/*
 * A checkpoint (1.4) at offset off of segment k: where a reader can start
 * decoding its sample, the one just indexed.  After damage that skipped
 * that sample's own frame, it stands for the sample itself.
 */
static void
replay_add_checkpoint(struct replay *rp, uint32_t k, uint64_t off, uint32_t len)
{
	const uint8_t *p = rp->seg[k].mem + off + FRAME_HEAD;
	struct sample_ref *last = rp->n > 0 ? &rp->samples[rp->n - 1] : NULL;
	uint64_t seq;
	double wall;

	if (codec_peek_checkpoint(p, len, &seq, &wall) != 0) {
		replay_undecodable(rp, k, off, "a checkpoint without its time");
		return;
	}
	if (rp->chain_ok && last != NULL && last->seg == k &&
	    last->seq == seq && last->ck_len == 0) {
		last->ck_off = off + FRAME_HEAD;
		last->ck_len = len;
		last->key = rp->n - 1;
		rp->last_key = rp->n - 1;
		return;
	}
	if (rp->chain_ok)
		return; /* not of the sample before it: of no use */
	rp->skipped = 0;
	rp->chain_ok = true;
	rp->last_wall = wall;
	replay_add_sample(rp, k, off + FRAME_HEAD, len, FRAME_CHECK, wall, seq);
}

/*
 * Index the frames of segment k from where its scan stopped.  Damage is
 * reported and skipped up to the next frame whose checksum verifies; change
 * frames after damage are skipped up to the next key frame.  The last
 * segment's torn tail is reported but not passed: it may yet be completed.
 */
static void
replay_scan(struct replay *rp, uint32_t k, bool final_segment)
{
	struct segment *sg = &rp->seg[k];
	const char *what;
	char why[96];

	if (!sg->have_header) {
		char *cause = NULL;

		if (sg->size == 0 || sg->bad_header)
			return; /* a new segment, not written yet */
		if (segment_header(sg, &cause) != 0) {
			replay_damage(rp, (int)k, 0, cause);
			free(cause);
			sg->bad_header = true;
			return;
		}
		rp->chain_ok = false; /* a segment starts with a key */
	}
	while (sg->scan < sg->size) {
		uint64_t off = sg->scan, next;
		uint8_t type = 0;
		uint32_t len = 0;
		uint64_t seq;
		double wall;
		int rc = frame_at(sg, off, &type, &len);

		if (rc > 0) {
			/* Cut short: damage if a good frame follows (a bad
			 * length), else a torn last frame: the recorder was
			 * stopped while writing it, or is writing it now. */
			next = frame_resync(sg, off);
			if (next < sg->size) {
				snprintf(why, sizeof why,
				    "a bad length (%llu "
				    "bytes skipped)",
				    (unsigned long long)(next - off));
				replay_damage(rp, (int)k, off, why);
				rp->chain_ok = false;
				sg->scan = next;
				continue;
			}
			snprintf(why, sizeof why,
			    "the last frame is cut "
			    "short (%llu bytes skipped)",
			    (unsigned long long)(sg->size - off));
			if (final_segment) {
				rp->tail = rp->ndamage;
				replay_damage(rp, (int)k, off, why);
				return;
			}
			replay_damage(rp, (int)k, off, why);
			rp->chain_ok = false;
			sg->scan = sg->size;
			return;
		}
		if (rc < 0) {
			next = frame_resync(sg, off);
			snprintf(why, sizeof why, "%s (%llu bytes skipped)",
			    memcmp(sg->mem + off, "DTFR", 4) != 0 ?
			        "no sync marker" :
			        type == 0 || len > FRAME_MAX ?
			        "an absurd type or length" :
			        "a checksum mismatch",
			    (unsigned long long)(next - off));
			replay_damage(rp, (int)k, off, why);
			rp->chain_ok = false;
			sg->scan = next;
			continue;
		}
		sg->scan = off + FRAME_HEAD + len;
		if (type == FRAME_END) {
			/* Damaged or not, it says the recording ended. */
			rp->ended = true;
			if (codec_decode_end(sg->mem + off + FRAME_HEAD, len,
			        &rp->end, &what) != 0)
				replay_undecodable(rp, k, off, what);
			continue;
		}
		if (type == FRAME_MARK) {
			unsigned kind;

			if (codec_decode_mark(sg->mem + off + FRAME_HEAD, len,
			        &kind, &what) != 0)
				replay_undecodable(rp, k, off, what);
			else if (rp->n > 0 && kind <= SESSION_MARK_RESET)
				replay_add_mark(rp, kind == SESSION_MARK_RESET);
			continue;
		}
		if (type == FRAME_CHECK) {
			replay_add_checkpoint(rp, k, off, len);
			continue;
		}
		if (type != FRAME_KEY && type != FRAME_DELTA)
			continue; /* INDEX, or newer than this reader */
		if ((rc = codec_peek_time(
		         sg->mem + off + FRAME_HEAD, len, &seq, &wall)) != 0) {
			replay_damage(rp, (int)k, off,
			    rc == -2 ? "an impossible time (not finite, "
			               "negative, or past the year 5000)" :
			               "a sample without a time");
			rp->chain_ok = false;
			continue;
		}
		if (type == FRAME_DELTA && !rp->chain_ok) {
			/* One line for the whole run of them (if there is
			 * still room for it). */
			if (rp->skipped++ == 0)
				rp->skipped_at =
				    replay_damage(rp, (int)k, off, "");
			if (rp->skipped_at != SIZE_MAX)
				snprintf(rp->damage[rp->skipped_at].reason,
				    sizeof rp->damage[0].reason,
				    "%zu change "
				    "frame%s after damage skipped, up to the "
				    "next key frame",
				    rp->skipped, rp->skipped == 1 ? "" : "s");
			continue;
		}
		rp->skipped = 0;
		/* Time going backwards (a clock step, or a mended file): kept
		 * in file order, and reported. */
		if (rp->n > 0 && wall + 1e-6 < rp->last_wall) {
			snprintf(why, sizeof why,
			    "time goes back %.3fs "
			    "(kept: samples stay in file order)",
			    rp->last_wall - wall);
			replay_damage(rp, (int)k, off, why);
		}
		rp->chain_ok = true;
		rp->last_wall = wall;
		replay_add_sample(
		    rp, k, off + FRAME_HEAD, len, type, wall, seq);
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
	if ((size_t)st.st_size < sg->size)
		return -ESTALE; /* cut back: keep what we have */
	/* The new mapping first: samples indexed so far stay readable. */
	m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, sg->fd, 0);
	if (m == MAP_FAILED)
		return -errno;
	if (sg->mapped)
		munmap((void *)(uintptr_t)sg->mem, sg->size);
	sg->mem = m;
	sg->size = (size_t)st.st_size;
	sg->mapped = true;
	return 0;
}

/* ---- decoding ---- */

/* Decode sample i into rp->cur, from its key frame or from rp->cur when
 * that is on its chain.  On failure *bad is the sample that failed. */
static int
replay_decode(struct replay *rp, size_t i, const char **why, size_t *bad)
{
	const struct sample_ref *s = &rp->samples[i];
	struct snapshot *t;
	size_t k;
	int rc;

	if (rp->cur_index == i)
		return 0;
	/* From the sample decoded last when it lies between the chain's
	 * start and i (any way there gives the same sample), else from the
	 * start: a key frame or a checkpoint. */
	k = rp->cur_index != SIZE_MAX && rp->cur_index + 1 >= s->key &&
	        rp->cur_index < i ?
	    rp->cur_index + 1 :
	    s->key;
	for (; k <= i; k++) {
		const struct sample_ref *f = &rp->samples[k];
		const uint8_t *p = rp->seg[f->seg].mem + f->off;

		if (f->type == FRAME_KEY)
			rc =
			    codec_decode_key(p, f->len, &rp->tab, rp->tmp, why);
		else if (f->type == FRAME_CHECK)
			rc = codec_decode_checkpoint(
			    p, f->len, &rp->raw, &rp->tab, rp->tmp, why);
		else if (rp->cur_index != SIZE_MAX && rp->cur_index == k - 1) {
			/* Regions all kept: in place, no copy of them. */
			rc = codec_decode_delta_kept(
			    p, f->len, rp->cur, rp->scratch, why);
			if (rc == 1 || rc == 2) {
				/* 2: the same regions, classified anew. */
				if (rc == 2)
					rp->kept_from = k;
				rp->cur_index = k;
				continue;
			}
			if (rc == 0)
				rc = codec_decode_delta(
				    p, f->len, &rp->tab, rp->cur, rp->tmp, why);
		} else if (f->ck_len > 0)
			rc = codec_decode_checkpoint(
			    rp->seg[f->seg].mem + f->ck_off, f->ck_len,
			    &rp->raw, &rp->tab, rp->tmp, why);
		else {
			*why = "a change frame without its key frame";
			rc = -EBADMSG;
		}
		if (rc != 0) {
			rp->cur_index = SIZE_MAX;
			*bad = k;
			return rc;
		}
		t = rp->cur;
		rp->cur = rp->tmp;
		rp->tmp = t;
		rp->cur_index = rp->kept_from = k;
		if (k == 0 && !rp->first_ok)
			rp->first_ok = snapshot_copy(rp->first, rp->cur) == 0;
	}
	return 0;
}

/* Decode sample i into rp->cur; on failure *cause says where and why. */
static int
replay_read_decoded(struct replay *rp, size_t i, char **cause)
{
	const char *why = NULL;
	size_t bad = i;
	int rc;

	if (i >= rp->n)
		return -ERANGE;
	if ((rc = replay_decode(rp, i, &why, &bad)) != 0) {
		*cause = xasprintf("%s: sample %zu (offset %llu) cannot be "
		                   "decoded: %s",
		    rp->seg[rp->samples[bad].seg].path, bad,
		    (unsigned long long)(rp->samples[bad].off - FRAME_HEAD),
		    why);
		return rc;
	}
	return 0;
}

int
replay_read(struct source *src, size_t i, struct snapshot *out, char **cause)
{
	struct replay *rp = src->priv;
	int rc;

	if ((rc = replay_read_decoded(rp, i, cause)) != 0)
		return rc;
	return snapshot_copy(out, rp->cur);
}

int
replay_read_after(struct source *src, size_t i, size_t held,
    struct snapshot *out, char **cause)
{
	struct replay *rp = src->priv;
	int rc;

	if (i == 0 && rp->first_ok && i < rp->n)
		return snapshot_copy(out, rp->first);
	if ((rc = replay_read_decoded(rp, i, cause)) != 0)
		return rc;
	/* From a checkpoint or a key frame, or after changes that undid
	 * themselves: the regions may still be those out holds. */
	if (held == SIZE_MAX || rp->cur_index != i ||
	    (!(held < i && rp->kept_from <= held) &&
	        !snapshot_same_regions(out, rp->cur)))
		return snapshot_copy(out, rp->cur);
	return snapshot_copy_head(out, rp->cur) == 0 ? 1 : -ENOMEM;
}

/* Whether a recorder holds the file (it locks it while it writes). */
static bool
replay_writer_active(const struct replay *rp)
{
	bool active;
	int fd;

	if (rp->path == NULL ||
	    (fd = open(rp->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0)
		return false;
	active = flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
	close(fd);
	return active;
}

static int
replay_next(struct source *src, struct snapshot *out, char **cause)
{
	struct replay *rp = src->priv;
	const char *why = NULL;
	size_t bad;

	for (;;) {
		while (rp->pos < rp->n) {
			bad = rp->pos;
			if (replay_decode(rp, rp->pos, &why, &bad) == 0) {
				rp->pos++;
				return snapshot_copy(out, rp->cur) == 0 ?
				    0 :
				    (*cause = xasprintf("out of memory"),
				        -ENOMEM);
			}
			/* A frame that checks out but does not decode:
			 * damage; go on from the next key frame. */
			replay_undecodable(rp, rp->samples[bad].seg,
			    rp->samples[bad].off - FRAME_HEAD, why);
			rp->pos = bad + 1;
			while (rp->pos < rp->n &&
			    rp->samples[rp->pos].type != FRAME_KEY &&
			    rp->samples[rp->pos].type != FRAME_CHECK &&
			    rp->samples[rp->pos].ck_len == 0)
				rp->pos++;
		}
		if (!rp->follow || rp->path == NULL || rp->ended)
			break;
		replay_refresh(src);
		if (rp->pos < rp->n)
			continue;
		if (replay_writer_active(rp))
			return SOURCE_AGAIN;
		/* Frames written just before the recorder let go. */
		replay_refresh(src);
		if (rp->pos >= rp->n)
			break;
	}
	out->state = rp->ended ? rp->end.final : TARGET_ALIVE;
	return SOURCE_END;
}

static void
segment_close(struct segment *sg)
{
	if (sg->mapped)
		munmap((void *)(uintptr_t)sg->mem, sg->size);
	if (sg->fd >= 0)
		close(sg->fd);
	free(sg->path);
	memset(sg, 0, sizeof *sg);
	sg->fd = -1;
}

static void
replay_close(struct source *src)
{
	struct replay *rp = src->priv;
	size_t k;

	for (k = 0; k < rp->nseg; k++)
		segment_close(&rp->seg[k]);
	free(rp->seg);
	free(rp->path);
	snapshot_free(rp->cur);
	snapshot_free(rp->tmp);
	snapshot_free(rp->scratch);
	snapshot_free(rp->first);
	strtab_free(&rp->tab);
	buf_free(&rp->raw);
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
	rp->scratch = snapshot_new();
	rp->first = snapshot_new();
	rp->cur_index = rp->kept_from = SIZE_MAX;
	rp->tail = SIZE_MAX;
	rp->base = SIZE_MAX;
	rp->skipped_at = SIZE_MAX;
	src->ops = &replay_ops;
	src->priv = rp;
	return src;
}

/* A new (newest) segment; its name is copied. */
static struct segment *
replay_add_segment(struct replay *rp, const char *name, int fd)
{
	struct segment *sg;

	if (rp->nseg == rp->seg_cap) {
		rp->seg_cap = rp->seg_cap ? rp->seg_cap * 2 : MAX_SEGMENTS;
		rp->seg = xrealloc(rp->seg, rp->seg_cap * sizeof *rp->seg);
	}
	sg = &rp->seg[rp->nseg++];
	memset(sg, 0, sizeof *sg);
	sg->fd = fd;
	sg->path = xstrdup(name);
	return sg;
}

/* Whether segment sg's header names the process of ref (its pid, start
 * time and, when both say it, boot). */
static bool
segment_same_process(const struct segment *sg, const struct session_header *ref)
{
	const struct session_header *h = &sg->header;

	return h->pid == ref->pid && h->start_time == ref->start_time &&
	    (h->boot_id[0] == '\0' || ref->boot_id[0] == '\0' ||
	        strcmp(h->boot_id, ref->boot_id) == 0);
}

/*
 * Check the headers, keep the segments that belong to the newest one's
 * process (older FILE.N of another recording are left out), and index them
 * all.  The newest segment may be empty when older ones exist (a flight
 * recorder stopped just after it rotated).
 */
static struct source *
replay_start(struct source *src, char **cause, int *err)
{
	struct replay *rp = src->priv;
	struct session_header *ref = NULL;
	struct segment *sg;
	char *why = NULL;
	size_t k;
	int rc;

	for (k = rp->nseg; k-- > 0;) {
		sg = &rp->seg[k];
		if (k + 1 == rp->nseg && sg->size == 0 && rp->nseg > 1)
			continue;
		if ((rc = segment_header(sg, &why)) == 0) {
			if (ref == NULL) {
				ref = xmalloc(sizeof *ref);
				*ref = sg->header;
			}
			continue;
		}
		if (k + 1 == rp->nseg || rc == -EPROTONOSUPPORT) {
			*cause = why;
			*err = rc;
			free(ref);
			replay_close(src);
			return NULL;
		}
		/* An older segment whose header is damaged: reported when
		 * scanned, contributes nothing. */
		free(why);
		why = NULL;
	}
	if (ref == NULL) {
		*cause = xasprintf("%s is empty: not a memtop session file",
		    rp->seg[rp->nseg - 1].path);
		*err = -EBADMSG;
		replay_close(src);
		return NULL;
	}
	for (k = 0; k + 1 < rp->nseg;) {
		sg = &rp->seg[k];
		if (sg->have_header && !segment_same_process(sg, ref)) {
			segment_close(sg);
			memmove(sg, sg + 1, (rp->nseg - k - 1) * sizeof *sg);
			rp->nseg--;
			continue;
		}
		k++;
	}
	free(ref);
	for (k = 0; k < rp->nseg; k++) {
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
	struct segment *sg;
	char name[PATH_MAX + 16];
	const char *what;
	struct stat st;
	int k, fd, rc;

	src = replay_new();
	rp = src->priv;
	rp->path = xstrdup(path);
	/* Older segments of a flight recording first: PATH.4 ... PATH.1. */
	for (k = MAX_SEGMENTS - 1; k >= 0; k--) {
		if (k > 0)
			snprintf(name, sizeof name, "%s.%d", path, k);
		else
			snprintf(name, sizeof name, "%s", path);
		fd = open(name, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
		if (fd < 0) {
			if (k > 0)
				continue;
			*err = -errno;
			*cause = xasprintf(
			    "cannot open %s: %s", path, strerror(errno));
			replay_close(src);
			return NULL;
		}
		if (fstat(fd, &st) == 0 &&
		    (what = mode_not_regular(st.st_mode)) != NULL) {
			close(fd);
			if (k > 0)
				continue;
			*err = -EBADMSG;
			*cause = xasprintf(
			    "%s is %s, not a memtop session file", path, what);
			replay_close(src);
			return NULL;
		}
		sg = replay_add_segment(rp, name, fd);
		if ((rc = segment_map(sg)) != 0) {
			*err = rc;
			*cause = xasprintf(
			    "cannot read %s: %s", name, strerror(-rc));
			replay_close(src);
			return NULL;
		}
	}
	return replay_start(src, cause, err);
}

struct source *
source_replay_open_buffer(const void *data, size_t len, char **cause, int *err)
{
	struct source *src = replay_new();
	struct replay *rp = src->priv;
	struct segment *sg;

	sg = replay_add_segment(rp, "(buffer)", -1);
	sg->mem = data;
	sg->size = len;
	return replay_start(src, cause, err);
}

void
replay_follow(struct source *src, bool on)
{
	((struct replay *)src->priv)->follow = on;
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
	struct stat now, ours;
	int fd;

	if (rp->ended || sg->fd < 0)
		return;
	replay_untail(rp);
	if (segment_map(sg) == 0)
		replay_scan(rp, (uint32_t)rp->nseg - 1, true);
	/* A flight recorder rotated: FILE is a new segment now. */
	if (rp->ended || stat(rp->path, &now) != 0 ||
	    fstat(sg->fd, &ours) != 0 ||
	    (now.st_ino == ours.st_ino && now.st_dev == ours.st_dev))
		return;
	if ((fd = open(rp->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0)
		return;
	replay_untail(rp);
	segment_map(sg);
	replay_scan(rp, (uint32_t)rp->nseg - 1, false);
	sg = replay_add_segment(rp, rp->path, fd);
	if (segment_map(sg) == 0)
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

size_t
replay_baseline(struct source *src, size_t i)
{
	struct replay *rp = src->priv;

	return i < rp->n ? rp->samples[i].base : SIZE_MAX;
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

	/* Samples are in file order; with time going back somewhere this
	 * finds one of the places where t would fit. */
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
	for (k = 0; k < rp->nseg; k++) {
		if (rp->seg[k].have_header) {
			sum->header = rp->seg[k].header;
			break;
		}
	}
	sum->samples = rp->n;
	sum->segments = rp->nseg;
	sum->first_wall = rp->n ? rp->samples[0].wall : 0;
	sum->last_wall = rp->n ? rp->samples[rp->n - 1].wall : 0;
	sum->ended = rp->ended;
	sum->final = rp->end.final;
	sum->end = rp->end;
	sum->ndamage = rp->ndamage;
	sum->damage = rp->damage;
	sum->damage_more = rp->damage_more;
	for (k = 0; k < rp->nseg; k++)
		sum->bytes += rp->seg[k].size;
}
