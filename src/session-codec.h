/*
 * session-codec.h - the bytes of session files: varints, CRC-32, the header
 * block, the frame head, and the payload of every frame (key, delta, end,
 * index, mark), with the extension records that let format 1 grow.  The
 * recorder and the reader call it; neither writes or reads a payload
 * itself.  doc/session-format.md says the same in prose.
 */
#ifndef MEMTOP_SESSION_CODEC_H
#define MEMTOP_SESSION_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "session.h"
#include "snapshot.h"

#define SESSION_MAGIC "MEMTOPSF"
#define SESSION_HEAD  20           /* magic, versions, flags, length */
#define SESSION_SYNC  0x52465444u  /* "DTFR" little-endian: 44 54 46 52 */
#define FRAME_HEAD    13           /* sync, type, length, crc */
#define FRAME_MAX     (256u << 20) /* no frame is larger */

/* Types a reader does not know (a newer minor version) are skipped. */
enum frame_type {
	FRAME_KEY = 1,
	FRAME_DELTA = 2,
	FRAME_END = 3,
	FRAME_INDEX = 4,
	FRAME_MARK = 5, /* the user moved the baseline (m, M) */
	FRAME_CHECK = 6 /* a checkpoint: a sample restated whole (1.4) */
};

struct buf {
	uint8_t *p;
	size_t len, cap;
};

void buf_reset(struct buf *b);
void buf_free(struct buf *b);
void buf_u8(struct buf *b, uint8_t v);
void buf_u16(struct buf *b, uint16_t v);
void buf_u32(struct buf *b, uint32_t v);
void buf_varint(struct buf *b, uint64_t v);
void buf_zigzag(struct buf *b, int64_t v);
void buf_f64(struct buf *b, double v);
void buf_bytes(struct buf *b, const void *p, size_t len); /* len-prefixed */
void buf_raw(struct buf *b, const void *p, size_t len);

/* A reader over untrusted bytes: every read checks what remains, and the
 * first failure sticks in err. */
struct rd {
	const uint8_t *p, *end;
	int err;
};

uint8_t rd_u8(struct rd *r);
uint16_t rd_u16(struct rd *r);
uint32_t rd_u32(struct rd *r);
uint64_t rd_varint_long(struct rd *r);

/* A varint; most values (a steady region's counters) are one byte. */
static inline uint64_t
rd_varint(struct rd *r)
{
	if (r->err == 0 && r->p < r->end && *r->p < 0x80)
		return *r->p++;
	return rd_varint_long(r);
}

int64_t rd_zigzag(struct rd *r);
double rd_f64(struct rd *r);
/* A length-prefixed byte string pointing into the input. */
const uint8_t *rd_bytes(struct rd *r, size_t *len);
/* The same copied into dst as a C string, cut to size - 1 bytes. */
void rd_str(struct rd *r, char *dst, size_t size);
size_t rd_left(const struct rd *r);

uint32_t crc32_update(uint32_t crc, const void *p, size_t len);

/* The per-key-frame string table of paths. */
struct strtab {
	uint32_t *hash; /* writer: indexes + 1, open addressing */
	size_t hash_cap;
	uint32_t *off, *len; /* each path's bytes in arena */
	uint32_t *placed;    /* reader: 1 + where the path's bytes are in
	                        the decoded samples of this chain, 0: not
	                        yet (see add_region_at) */
	size_t n, cap;
	char *arena; /* copies of the paths */
	size_t arena_len, arena_cap;
};
void strtab_reset(struct strtab *t);
void strtab_free(struct strtab *t);

/*
 * Extension records (format 1.3).  After the fields its format version
 * defines, every payload (the header's and each frame's) may end with
 * records, up to the end of the payload:
 *
 *     varint tag (never 0), varint length L, then L bytes: the value
 *
 * A reader decodes the tags it knows and skips the others, so a new fact
 * needs no new format version.  Each fact is one entry in a table of
 * session-codec.c: header_facts (over struct session_header), sample_facts
 * (over struct snapshot, for key and delta frames) or end_facts (over
 * struct session_end).  Adding one: a field in the struct, the three
 * functions below, a row in the table with a tag never used before in
 * that table, and a row in doc/session-format.md.
 *
 * In a delta frame a record is written only when the fact's value changed
 * since the previous sample, so a fact that rarely changes costs nothing
 * per sample; a record of length 0 there says the sample no longer has
 * the fact.  So a value, when there is one, is never empty.
 */
struct codec_fact {
	uint64_t tag;
	const char *name; /* "a damaged NAME record" */
	/* Append obj's value to b (at least one byte), or nothing when obj
	 * does not have the fact. */
	void (*encode)(struct buf *b, const void *obj);
	/* Set the fact in obj from its value: r spans exactly the value;
	 * bytes after those this version knows are ignored (a value may
	 * grow in a later version).  0, or -1 if the value is damaged. */
	int (*decode)(struct rd *r, void *obj);
	/* obj does not have the fact (its field back to "unknown"). */
	void (*clear)(void *obj);
};
/* A table ends with an entry whose tag is 0. */

/* A unix time or a duration that a recording may hold: finite, not
 * negative, and before the year 5000 (NaN fails both tests). */
bool codec_time_ok(double t);

/* How a target ended (verdict.h), as the END frame's verdict record and a
 * restart record (restart.c) hold it: reason, scope, flags, exit status,
 * signal, evidence, the OOM counters' rise, the limit, its cgroup, when.
 * Decoding sets known; -1 on an impossible time. */
void codec_verdict_encode(struct buf *b, const struct end_verdict *v);
int codec_verdict_decode(struct rd *r, struct end_verdict *v);

/*
 * Append the records of obj's facts in tab.  With prev (a delta frame),
 * only the facts whose value differs from prev's, and an empty record for
 * each fact prev had and obj has not.
 */
void codec_facts_encode(struct buf *b, const struct codec_fact *tab,
    const void *obj, const void *prev);
/*
 * Read the records from r to its end into obj.  Unless carry, every fact of
 * tab is cleared first, so obj has exactly the facts the records give (a
 * key frame, a header, an END frame); with carry, obj's facts stand unless
 * a record changes them (a delta frame; obj starts as the sample before).
 * Unknown tags are skipped.  0, or -1 with *why set.
 */
int codec_facts_decode(struct rd *r, const struct codec_fact *tab, void *obj,
    bool carry, const char **why);

/* ---- the header block ---- */

/* Append the whole header block (magic, version SESSION_MAJOR.MINOR, flags
 * 0, length, payload with h's facts, CRC) for h. */
void codec_encode_header(struct buf *b, const struct session_header *h);
/*
 * Decode the header block at the start of p into h; *used is its length.
 * 0; -EBADMSG (empty, not a session file, damaged) or -EPROTONOSUPPORT (a
 * newer major version) with *cause, a malloc'd message naming name.
 */
int codec_decode_header(const uint8_t *p, size_t len, const char *name,
    struct session_header *h, size_t *used, char **cause);

/* ---- frames ---- */

/* Append a whole frame (sync, type, length, CRC, payload) to b. */
void codec_frame(
    struct buf *b, enum frame_type type, const void *payload, size_t len);
/*
 * Whether a whole, valid frame starts at p (avail bytes there): 0 with its
 * type and payload length, 1 if the bytes stop before its end (or its
 * length is wrong), -1 if it is not a frame.  Types this reader does not
 * know are valid frames (the caller skips them).
 */
int codec_frame_check(
    const uint8_t *p, size_t avail, uint8_t *type, uint32_t *len);

/* ---- samples (key and delta frames) ---- */

/* Encode s as a key frame payload (resets the table), or as a delta from
 * prev, the sample written just before. */
void codec_encode_key(
    struct buf *b, struct strtab *t, const struct snapshot *s);
void codec_encode_delta(struct buf *b, struct strtab *t,
    const struct snapshot *prev, const struct snapshot *s);

/* Decode a key frame into out, or a delta frame applied to prev (the sample
 * decoded just before, with the same table) into out.  0, or -EBADMSG with
 * *why set to a static reason. */
int codec_decode_key(const uint8_t *p, size_t len, struct strtab *t,
    struct snapshot *out, const char **why);

/*
 * Checkpoints (frame type 6, format 1.4): sample s restated whole, after the
 * key or delta frame that carries it, so that a reader can start there:
 * the string table as it stands after s (every path s names is in it),
 * then s as a key frame would hold it, compressed with zstd.  The payload:
 * varint seq, f64 wall, varint raw length, the zstd frame.
 * codec_encode_checkpoint() appends the raw bytes to raw (tests);
 * codec_pack_checkpoint() the payload, compressing the raw bytes as they
 * are made, never all held (z: a ZSTD_CCtx of the caller's).
 */
void codec_encode_checkpoint(
    struct buf *raw, struct strtab *t, const struct snapshot *s);
int codec_pack_checkpoint(
    struct buf *b, struct strtab *t, const struct snapshot *s, void *z);
/* The seq and time of a checkpoint payload: 0, -1 cut short, -2 an
 * impossible time. */
int codec_peek_checkpoint(
    const uint8_t *p, size_t len, uint64_t *seq, double *wall);
/* Decompress a checkpoint payload into raw (never more than 1024 times
 * its compressed size nor FRAME_MAX), then decode it into out and t. */
int codec_decode_checkpoint(const uint8_t *p, size_t len, struct buf *raw,
    struct strtab *t, struct snapshot *out, const char **why);
int codec_decode_delta(const uint8_t *p, size_t len, struct strtab *t,
    const struct snapshot *prev, struct snapshot *out, const char **why);
/* A delta frame that keeps every region of the sample before as it was (a
 * steady target's usual frame): decode it into cur, that sample, in place,
 * its regions untouched.  1 when done, 2 when done but the threads, the
 * command line or the runtime moved (which classify the regions); 0 when
 * the frame changes regions
 * (cur untouched: codec_decode_delta() it); -EBADMSG with *why when it is
 * damaged (cur then half decoded).  scratch takes the head first. */
int codec_decode_delta_kept(const uint8_t *p, size_t len, struct snapshot *cur,
    struct snapshot *scratch, const char **why);

/* The sample's seq and wall time from the start of a key or delta payload:
 * 0, -1 if cut short, -2 if the time is impossible (not finite, negative,
 * past the year 5000). */
int codec_peek_time(const uint8_t *p, size_t len, uint64_t *seq, double *wall);

/* ---- END, INDEX and mark frames ---- */

void codec_encode_end(struct buf *b, const struct session_end *e);
/* 0, or -EBADMSG with *why (its records, or an impossible time: e->final
 * still holds).  A state this reader does not know reads as
 * TARGET_EXITED. */
int codec_decode_end(
    const uint8_t *p, size_t len, struct session_end *e, const char **why);

/* One key frame, as the INDEX frame lists it. */
struct codec_key {
	uint64_t off; /* of the key frame's sync marker in its file */
	uint64_t seq;
	double wall;
};
void codec_encode_index(
    struct buf *b, const struct codec_key *keys, size_t nkeys);
/* The entries (at most max of them into keys) and their count in *n.
 * 0, or -EBADMSG with *why. */
int codec_decode_index(const uint8_t *p, size_t len, struct codec_key *keys,
    size_t max, size_t *n, const char **why);

void codec_encode_mark(struct buf *b, enum session_mark kind);
/* The mark's kind (one this reader does not know is returned as is, for
 * the caller to ignore); 0, or -EBADMSG with *why. */
int codec_decode_mark(
    const uint8_t *p, size_t len, unsigned *kind, const char **why);

#endif
