/*
 * session-codec.h - the bytes of session files: varints, CRC32, and the
 * encoding of snapshots as key frames and delta frames.  Shared by the
 * recorder and the reader; doc/session-format.md says the same in prose.
 */
#ifndef MEMTOP_SESSION_CODEC_H
#define MEMTOP_SESSION_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "session.h"
#include "snapshot.h"

#define SESSION_MAGIC "MEMTOPSF"
#define SESSION_SYNC  0x52465444u  /* "DTFR" little-endian: 44 54 46 52 */
#define FRAME_HEAD    13           /* sync, type, length, crc */
#define FRAME_MAX     (256u << 20) /* no frame is larger */

/* Types a reader does not know (a newer minor version) are skipped. */
enum frame_type {
	FRAME_KEY = 1,
	FRAME_DELTA = 2,
	FRAME_END = 3,
	FRAME_INDEX = 4,
	FRAME_MARK = 5 /* the user moved the baseline (m, M) */
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
uint64_t rd_varint(struct rd *r);
int64_t rd_zigzag(struct rd *r);
double rd_f64(struct rd *r);
/* A length-prefixed byte string pointing into the input. */
const uint8_t *rd_bytes(struct rd *r, size_t *len);
size_t rd_left(const struct rd *r);

uint32_t crc32_update(uint32_t crc, const void *p, size_t len);

/* The per-key-frame string table of paths. */
struct strtab {
	uint32_t *hash; /* writer: indexes + 1, open addressing */
	size_t hash_cap;
	uint32_t *off, *len; /* each path's bytes in arena */
	size_t n, cap;
	char *arena; /* copies of the paths */
	size_t arena_len, arena_cap;
};
void strtab_reset(struct strtab *t);
void strtab_free(struct strtab *t);

/* Encode s as a key frame payload (resets the table), or as a delta from
 * prev.  The header (magic, version) is written by the recorder. */
void codec_encode_key(
    struct buf *b, struct strtab *t, const struct snapshot *s);
void codec_encode_delta(struct buf *b, struct strtab *t,
    const struct snapshot *prev, const struct snapshot *s);

/* Decode a key frame into out, or a delta frame applied to prev into out.
 * 0, or -EBADMSG with *why set to a static reason. */
int codec_decode_key(const uint8_t *p, size_t len, struct strtab *t,
    struct snapshot *out, const char **why);
int codec_decode_delta(const uint8_t *p, size_t len, struct strtab *t,
    const struct snapshot *prev, struct snapshot *out, const char **why);

/* The sample's seq and wall time from the start of a key or delta payload. */
int codec_peek_time(const uint8_t *p, size_t len, uint64_t *seq, double *wall);

#endif
