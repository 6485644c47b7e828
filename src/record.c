/*
 * record.c - writes samples to a session file, crash-safe: each frame is
 * built in memory and reaches the file in one write(2), so a recorder killed
 * at any moment leaves every complete frame readable.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "session-codec.h"
#include "util.h"

#define KEEP_SEGMENTS 4		/* older segments beside the current one */

static int record_shift(const char *path, char **cause);

struct recorder {
	char *path;
	int fd;
	double interval, keep_s;
	double seg_start;		/* wall time of the segment's first frame */
	bool header_done;
	uint64_t frames;		/* in this segment */
	uint64_t bytes, good;		/* written in all; this file's good end */
	struct snapshot *prev;
	struct strtab tab;
	struct buf frame, payload;
};

/* Take the write lock on fd; a message naming the holder if taken. */
static int
record_lock(int fd, const char *path, char **cause)
{
	struct flock fl;

	memset(&fl, 0, sizeof fl);
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	if (fcntl(fd, F_SETLK, &fl) == 0)
		return 0;
	memset(&fl, 0, sizeof fl);
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	if (fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK)
		*cause = xasprintf("%s is being written by another memtop "
		    "(pid %d)", path, (int)fl.l_pid);
	else
		*cause = xasprintf("%s is being written by another memtop",
		    path);
	return -EBUSY;
}

static int
record_write_all(int fd, const uint8_t *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Open (and lock) a new segment file at rec->path. */
static int
record_open_file(struct recorder *rec, char **cause)
{
	int fd;

	fd = open(rec->path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOCTTY, 0644);
	if (fd < 0) {
		*cause = xasprintf("cannot write %s: %s", rec->path,
		    strerror(errno));
		return -errno;
	}
	if (record_lock(fd, rec->path, cause) != 0) {
		close(fd);
		return -EBUSY;
	}
	if (ftruncate(fd, 0) != 0) {
		*cause = xasprintf("cannot write %s: %s", rec->path,
		    strerror(errno));
		close(fd);
		return -EIO;
	}
	rec->fd = fd;
	rec->header_done = false;
	rec->frames = 0;
	rec->good = 0;
	return 0;
}

/* Whether an existing file may be replaced: empty, or a session file. */
static int
record_check_existing(const char *path, char **cause)
{
	char magic[8];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	n = read(fd, magic, sizeof magic);
	close(fd);
	if (n <= 0)
		return 0;
	if (n != 8 || memcmp(magic, SESSION_MAGIC, 8) != 0) {
		*cause = xasprintf("%s exists and is not a memtop session file: "
		    "not overwriting it", path);
		return -EEXIST;
	}
	return 1;
}

struct recorder *
recorder_open(const char *path, double interval, double keep_s, char **cause)
{
	struct recorder *rec;
	char *old;
	int rc, fd;

	if ((rc = record_check_existing(path, cause)) < 0)
		return NULL;
	if (rc == 1) {
		/* Refuse before moving anything if another memtop writes it. */
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd >= 0 && record_lock(fd, path, cause) != 0) {
			close(fd);
			return NULL;
		}
		if (fd >= 0)
			close(fd);
		if (keep_s > 0) {
			/* A flight recorder goes on from the segments there. */
			if (record_shift(path, cause) != 0)
				return NULL;
		} else {
			old = xasprintf("%s.old", path);
			if (rename(path, old) != 0) {
				*cause = xasprintf("cannot move %s aside: %s",
				    path, strerror(errno));
				free(old);
				return NULL;
			}
			free(old);
		}
	}
	rec = xcalloc(1, sizeof *rec);
	rec->path = xstrdup(path);
	rec->interval = interval;
	rec->keep_s = keep_s;
	rec->prev = snapshot_new();
	if (record_open_file(rec, cause) != 0) {
		snapshot_free(rec->prev);
		free(rec->path);
		free(rec);
		return NULL;
	}
	return rec;
}

static void
record_header(struct recorder *rec, const struct snapshot *s)
{
	struct buf *h = &rec->frame, *p = &rec->payload;
	struct utsname u;
	char host[256] = "";

	buf_reset(p);
	uname(&u);
	gethostname(host, sizeof host - 1);
	buf_varint(p, (uint64_t)sysconf(_SC_PAGESIZE));
	buf_varint(p, (uint64_t)s->info.pid);
	buf_varint(p, s->info.start_time);
	buf_f64(p, rec->interval);
	buf_f64(p, s->wall);
	buf_bytes(p, u.release, strlen(u.release));
	buf_bytes(p, host, strlen(host));
	buf_bytes(p, "memtop " PACKAGE_VERSION,
	    strlen("memtop " PACKAGE_VERSION));
	buf_bytes(p, s->info.cmdline, s->info.cmdline_len);

	buf_raw(h, SESSION_MAGIC, 8);
	buf_u16(h, SESSION_MAJOR);
	buf_u16(h, SESSION_MINOR);
	buf_u32(h, 0);			/* flags: none yet */
	buf_u32(h, (uint32_t)p->len);
	buf_raw(h, p->p, p->len);
	buf_u32(h, crc32_update(0, p->p, p->len));
}

/* Append a frame of type with rec->payload to rec->frame. */
static void
record_frame(struct recorder *rec, enum frame_type type)
{
	struct buf *f = &rec->frame;
	size_t at = f->len;
	uint32_t crc;

	buf_u32(f, SESSION_SYNC);
	buf_u8(f, (uint8_t)type);
	buf_u32(f, (uint32_t)rec->payload.len);
	crc = crc32_update(0, f->p + at + 4, 5);
	crc = crc32_update(crc, rec->payload.p, rec->payload.len);
	buf_u32(f, crc);
	buf_raw(f, rec->payload.p, rec->payload.len);
}

/* Write rec->frame in one write; on failure cut the file back. */
static int
record_flush(struct recorder *rec, char **cause)
{
	int rc = record_write_all(rec->fd, rec->frame.p, rec->frame.len);

	if (rc != 0) {
		if (ftruncate(rec->fd, (off_t)rec->good) != 0)
			rc = rc ? rc : -errno;
		*cause = xasprintf("writing %s: %s (the recording is kept up "
		    "to the last complete sample)", rec->path, strerror(-rc));
		buf_reset(&rec->frame);
		return rc;
	}
	rec->good += rec->frame.len;
	rec->bytes += rec->frame.len;
	buf_reset(&rec->frame);
	return 0;
}

/* Shift the segments: PATH.3 -> PATH.4 ... PATH -> PATH.1, the oldest
 * dropped. */
static int
record_shift(const char *path, char **cause)
{
	char from[PATH_MAX + 16], to[PATH_MAX + 16];
	int k;

	snprintf(to, sizeof to, "%s.%d", path, KEEP_SEGMENTS);
	unlink(to);
	for (k = KEEP_SEGMENTS - 1; k >= 1; k--) {
		snprintf(from, sizeof from, "%s.%d", path, k);
		snprintf(to, sizeof to, "%s.%d", path, k + 1);
		rename(from, to);
	}
	snprintf(to, sizeof to, "%s.1", path);
	if (rename(path, to) != 0) {
		*cause = xasprintf("cannot rotate %s: %s", path,
		    strerror(errno));
		return -errno;
	}
	return 0;
}

/* Flight recorder: start a new segment when this one spans keep/4. */
static int
record_rotate(struct recorder *rec, char **cause)
{
	int rc = record_shift(rec->path, cause);

	if (rc != 0)
		return rc;
	close(rec->fd);
	return record_open_file(rec, cause);
}

int
recorder_write(struct recorder *rec, const struct snapshot *s, char **cause)
{
	bool key;
	int rc;

	if (rec->keep_s > 0 && rec->header_done &&
	    s->wall - rec->seg_start >= rec->keep_s / KEEP_SEGMENTS &&
	    (rc = record_rotate(rec, cause)) != 0)
		return rc;
	if (!rec->header_done) {
		record_header(rec, s);
		rec->seg_start = s->wall;
		if ((rc = record_flush(rec, cause)) != 0)
			return rc;
		rec->header_done = true;
	}
	key = rec->frames % SESSION_KEY_EVERY == 0;
	buf_reset(&rec->payload);
	if (key)
		codec_encode_key(&rec->payload, &rec->tab, s);
	else
		codec_encode_delta(&rec->payload, &rec->tab, rec->prev, s);
	record_frame(rec, key ? FRAME_KEY : FRAME_DELTA);
	if ((rc = record_flush(rec, cause)) != 0)
		return rc;
	rec->frames++;
	if (snapshot_copy(rec->prev, s) != 0) {
		*cause = xasprintf("out of memory");
		return -ENOMEM;
	}
	return 0;
}

int
recorder_close(struct recorder *rec, enum target_state final, char **cause)
{
	int rc = 0;

	if (rec == NULL)
		return 0;
	if (rec->header_done) {
		buf_reset(&rec->payload);
		buf_u8(&rec->payload, (uint8_t)final);
		buf_f64(&rec->payload, clock_wall());
		record_frame(rec, FRAME_END);
		rc = record_flush(rec, cause);
	}
	if (close(rec->fd) != 0 && rc == 0) {
		*cause = xasprintf("closing %s: %s", rec->path, strerror(errno));
		rc = -errno;
	}
	snapshot_free(rec->prev);
	strtab_free(&rec->tab);
	buf_free(&rec->frame);
	buf_free(&rec->payload);
	free(rec->path);
	free(rec);
	return rc;
}

uint64_t
recorder_bytes(const struct recorder *rec)
{
	return rec->bytes;
}
