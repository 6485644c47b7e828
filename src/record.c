/*
 * record.c - writes samples to a session file, crash-safe: each frame is
 * built in memory and reaches the file in one write(2), so a recorder killed
 * at any moment leaves every complete frame readable.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "session-codec.h"
#include "util.h"

#define KEEP_SEGMENTS 4 /* older segments beside the current one */

struct recorder {
	struct recorder *next; /* this process's recorders */
	pid_t owner;           /* the process that opened it */
	dev_t dev;             /* of the current segment */
	ino_t ino;
	char *path;
	int fd;
	double interval, keep_s;
	double seg_start; /* wall time of the segment's first frame */
	bool header_done;
	unsigned key_every;
	uint64_t frames;        /* samples in this segment */
	uint64_t since_key;     /* delta frames since the last key */
	size_t last_key_len;    /* payload bytes of the last key frame */
	uint64_t bytes, good;   /* written in all; this file's good end */
	struct codec_key *keys; /* this segment's key frames (INDEX) */
	size_t nkeys, keys_cap;
	struct snapshot *prev;
	struct strtab tab;
	struct buf frame, payload;
};

/* Recorders open in this process: a second one on the same file is refused
 * before it opens the file (closing any fd of a file drops the process's
 * fcntl locks on it, and with them the pid a refusal names). */
static struct recorder *record_open_list;

static int
record_busy_here(const char *path, char **cause)
{
	struct recorder *r;
	struct stat st;

	if (stat(path, &st) != 0)
		return 0;
	for (r = record_open_list; r != NULL; r = r->next) {
		if (r->fd >= 0 && r->owner == getpid() && r->dev == st.st_dev &&
		    r->ino == st.st_ino) {
			*cause = xasprintf("%s is being written by another "
			                   "recorder of this memtop (pid %d)",
			    path, (int)getpid());
			return -EBUSY;
		}
	}
	return 0;
}

/*
 * Take the exclusive lock on fd.  flock() does the excluding (it belongs to
 * the open file, so it holds within one process too); an fcntl() lock beside
 * it lets a refused recorder name the holder's pid.
 */
static int
record_lock(int fd, const char *path, char **cause)
{
	struct flock fl;
	int tries;

	for (tries = 0; tries < 5; tries++) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
			memset(&fl, 0, sizeof fl);
			fl.l_type = F_WRLCK;
			fl.l_whence = SEEK_SET;
			(void)fcntl(fd, F_SETLK, &fl);
			return 0;
		}
		if (errno != EWOULDBLOCK && errno != EINTR) {
			*cause = xasprintf(
			    "cannot lock %s: %s", path, strerror(errno));
			return -errno;
		}
		/* A follower tests the lock for an instant: wait it out. */
		nanosleep(&(struct timespec){ 0, 10 * 1000 * 1000 }, NULL);
	}
	memset(&fl, 0, sizeof fl);
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	if (fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK)
		*cause = xasprintf("%s is being written by another memtop "
		                   "(pid %d)",
		    path, (int)fl.l_pid);
	else
		*cause =
		    xasprintf("%s is being written by another memtop", path);
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
		if (n == 0)
			return -EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Open (and lock) a new segment file at rec->path. */
static int
record_open_file(struct recorder *rec, char **cause)
{
	struct stat st;
	int fd, rc;

	fd = open(rec->path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOCTTY, 0644);
	if (fd < 0) {
		rc = -errno;
		*cause = xasprintf(
		    "cannot write %s: %s", rec->path, strerror(errno));
		return rc;
	}
	if ((rc = record_lock(fd, rec->path, cause)) != 0) {
		close(fd);
		return rc;
	}
	if (ftruncate(fd, 0) != 0 || fstat(fd, &st) != 0) {
		rc = -errno;
		*cause = xasprintf(
		    "cannot write %s: %s", rec->path, strerror(errno));
		close(fd);
		return rc;
	}
	rec->fd = fd;
	rec->dev = st.st_dev;
	rec->ino = st.st_ino;
	rec->header_done = false;
	rec->frames = 0;
	rec->since_key = 0;
	rec->nkeys = 0;
	rec->good = 0;
	return 0;
}

/* 1 if path is a session file, 0 if absent or empty, -EEXIST otherwise. */
static int
record_is_session(const char *path, char **cause)
{
	char magic[8];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0)
		return 0;
	n = read(fd, magic, sizeof magic);
	close(fd);
	if (n <= 0)
		return 0;
	if (n != 8 || memcmp(magic, SESSION_MAGIC, 8) != 0) {
		if (cause != NULL)
			*cause = xasprintf("%s exists and is not a memtop "
			                   "session file: not overwriting it",
			    path);
		return -EEXIST;
	}
	return 1;
}

/* Shift the segments: PATH.3 -> PATH.4 ... PATH -> PATH.1, the oldest
 * dropped. */
static int
record_shift(const char *path, char **cause)
{
	char from[PATH_MAX + 16], to[PATH_MAX + 16];
	int k, rc;

	snprintf(to, sizeof to, "%s.%d", path, KEEP_SEGMENTS);
	unlink(to);
	for (k = KEEP_SEGMENTS - 1; k >= 1; k--) {
		snprintf(from, sizeof from, "%s.%d", path, k);
		snprintf(to, sizeof to, "%s.%d", path, k + 1);
		rename(from, to);
	}
	snprintf(to, sizeof to, "%s.1", path);
	if (rename(path, to) != 0) {
		rc = -errno;
		*cause =
		    xasprintf("cannot rotate %s: %s", path, strerror(errno));
		return rc;
	}
	return 0;
}

/* Remove segments PATH.1 ... of an earlier flight recording (session files
 * only), so that a replay of the new recording does not chain them. */
static void
record_drop_segments(const char *path)
{
	char name[PATH_MAX + 16];
	int k;

	for (k = 1; k <= KEEP_SEGMENTS; k++) {
		snprintf(name, sizeof name, "%s.%d", path, k);
		if (record_is_session(name, NULL) == 1)
			unlink(name);
	}
}

/* 0 if path is absent or a regular file, else -EINVAL with *cause: a
 * FIFO would block the recorder, a device cannot hold a recording. */
static int
record_regular(const char *path, char **cause)
{
	const char *what;
	struct stat st;

	/* stat, not open: closing any descriptor of a file drops the
	 * process's fcntl lock on it. */
	if (stat(path, &st) != 0 ||
	    (what = mode_not_regular(st.st_mode)) == NULL)
		return 0;
	*cause = xasprintf("%s is %s, not a regular file: memtop records to "
	                   "a file",
	    path, what);
	return -EINVAL;
}

/* 0 if every file the recording may move or replace (PATH.old, or the
 * segments PATH.1 ...) is absent or a recording; else -EEXIST. */
static int
record_others_safe(const char *path, double keep_s, char **cause)
{
	char name[PATH_MAX + 16];
	int k;

	if (keep_s <= 0) {
		snprintf(name, sizeof name, "%s.old", path);
		return record_regular(name, cause) != 0 ||
		        record_is_session(name, cause) < 0 ?
		    -EEXIST :
		    0;
	}
	for (k = 1; k <= KEEP_SEGMENTS; k++) {
		snprintf(name, sizeof name, "%s.%d", path, k);
		if (record_regular(name, cause) != 0 ||
		    record_is_session(name, cause) < 0)
			return -EEXIST;
	}
	return 0;
}

struct recorder *
recorder_open(const char *path, double interval, double keep_s, char **cause)
{
	struct recorder *rec;
	char *old;
	int rc, fd;

	if (record_busy_here(path, cause) != 0 ||
	    record_regular(path, cause) != 0 ||
	    (rc = record_is_session(path, cause)) < 0 ||
	    ((rc == 1 || keep_s > 0) &&
	        record_others_safe(path, keep_s, cause) != 0))
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
	if (keep_s <= 0)
		record_drop_segments(path);
	rec = xcalloc(1, sizeof *rec);
	rec->path = xstrdup(path);
	rec->interval = interval;
	rec->keep_s = keep_s;
	rec->key_every = SESSION_KEY_EVERY;
	rec->prev = snapshot_new();
	if (record_open_file(rec, cause) != 0) {
		snapshot_free(rec->prev);
		free(rec->path);
		free(rec);
		return NULL;
	}
	rec->owner = getpid();
	rec->next = record_open_list;
	record_open_list = rec;
	return rec;
}

void
recorder_set_key_every(struct recorder *rec, unsigned n)
{
	rec->key_every = n > 0 ? n : SESSION_KEY_EVERY;
}

/* This machine's boot id (/proc/sys/kernel/random/boot_id), or "". */
static void
record_boot_id(char *out, size_t size)
{
	ssize_t n = -1;
	int fd = open(
	    "/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC | O_NOCTTY);

	if (fd >= 0) {
		n = read(fd, out, size - 1);
		close(fd);
	}
	if (n < 0)
		n = 0;
	out[n] = '\0';
	out[strcspn(out, "\n")] = '\0';
}

/* Append the header block for a segment whose first sample is s. */
static void
record_header(struct recorder *rec, const struct snapshot *s)
{
	struct session_header *h = xcalloc(1, sizeof *h);
	struct utsname u;
	long page = sysconf(_SC_PAGESIZE), ticks = sysconf(_SC_CLK_TCK);

	if (uname(&u) == 0)
		snprintf(h->kernel, sizeof h->kernel, "%s", u.release);
	gethostname(h->host, sizeof h->host - 1);
	snprintf(h->version, sizeof h->version, "memtop %s", PACKAGE_VERSION);
	h->page_size = page > 0 ? (uint32_t)page : 0;
	h->pid = s->info.pid;
	h->start_time = s->info.start_time;
	h->interval = rec->interval;
	h->created = s->wall;
	memcpy(h->cmdline, s->info.cmdline, s->info.cmdline_len);
	h->clock_ticks = ticks > 0 ? (uint32_t)ticks : 0;
	record_boot_id(h->boot_id, sizeof h->boot_id);
	codec_encode_header(&rec->frame, h);
	free(h);
}

/* Append a frame of type with rec->payload to rec->frame. */
static void
record_frame(struct recorder *rec, enum frame_type type)
{
	codec_frame(&rec->frame, type, rec->payload.p, rec->payload.len);
}

/* Write rec->frame in one write and count it; on failure cut the file
 * back to its last good frame. */
static int
record_flush(struct recorder *rec, char **cause)
{
	size_t len = rec->frame.len;
	int rc = record_write_all(rec->fd, rec->frame.p, len);

	buf_reset(&rec->frame);
	if (rc == 0) {
		rec->good += len;
		rec->bytes += len;
	} else {
		/* A torn frame would be skipped by readers anyway; cutting
		 * it lets the next frame follow the last good one. */
		if (ftruncate(rec->fd, (off_t)rec->good) == 0)
			lseek(rec->fd, (off_t)rec->good, SEEK_SET);
		*cause = xasprintf("writing %s: %s (the recording is kept up "
		                   "to the last complete sample)",
		    rec->path, strerror(-rc));
		return rc;
	}
	return 0;
}

/* Flight recorder: start a new segment. */
static int
record_rotate(struct recorder *rec, char **cause)
{
	int rc = record_shift(rec->path, cause);

	if (rc != 0)
		return rc;
	close(rec->fd);
	rec->fd = -1;
	return record_open_file(rec, cause);
}

int
recorder_write(struct recorder *rec, const struct snapshot *s, char **cause)
{
	size_t frame_len;
	bool key;
	int rc;

	if (rec->fd < 0) {
		*cause = xasprintf("%s: the recording could not go on after an "
		                   "earlier error",
		    rec->path);
		return -EBADF;
	}
	if (rec->keep_s > 0 && rec->header_done &&
	    s->wall - rec->seg_start >= rec->keep_s / KEEP_SEGMENTS &&
	    (rc = record_rotate(rec, cause)) != 0)
		return rc;
	buf_reset(&rec->frame);
	if (!rec->header_done) {
		/* The header goes in the same write as the first key frame. */
		record_header(rec, s);
		rec->seg_start = s->wall;
	}
	/* A key frame every key_every samples, and whenever the changes
	 * would cost more than a whole frame. */
	key = rec->frames == 0 || rec->since_key + 1 >= rec->key_every;
	buf_reset(&rec->payload);
	if (!key) {
		codec_encode_delta(&rec->payload, &rec->tab, rec->prev, s);
		if (rec->payload.len > rec->last_key_len) {
			key = true;
			buf_reset(&rec->payload);
		}
	}
	if (key)
		codec_encode_key(&rec->payload, &rec->tab, s);
	if (rec->payload.len > FRAME_MAX) {
		*cause = xasprintf("%s: a sample of %zu bytes is too large to "
		                   "record",
		    rec->path, rec->payload.len);
		buf_reset(&rec->frame);
		return -EFBIG;
	}
	frame_len = rec->frame.len; /* the header, if any */
	record_frame(rec, key ? FRAME_KEY : FRAME_DELTA);
	if (key) {
		if (rec->nkeys == rec->keys_cap) {
			rec->keys_cap = rec->keys_cap ? rec->keys_cap * 2 : 16;
			rec->keys = xrealloc(
			    rec->keys, rec->keys_cap * sizeof *rec->keys);
		}
		rec->keys[rec->nkeys].off = rec->good + frame_len;
		rec->keys[rec->nkeys].seq = s->seq;
		rec->keys[rec->nkeys].wall = s->wall;
	}
	if ((rc = record_flush(rec, cause)) != 0)
		return rc;
	rec->header_done = true;
	rec->frames++;
	if (key) {
		rec->nkeys++;
		rec->since_key = 0;
		rec->last_key_len = rec->payload.len;
	} else
		rec->since_key++;
	if (snapshot_copy(rec->prev, s) != 0) {
		*cause = xasprintf("out of memory");
		return -ENOMEM;
	}
	return 0;
}

int
recorder_mark(struct recorder *rec, bool reset, char **cause)
{
	if (rec->fd < 0 || !rec->header_done)
		return 0; /* no sample yet: nothing to mark */
	buf_reset(&rec->frame);
	buf_reset(&rec->payload);
	codec_encode_mark(
	    &rec->payload, reset ? SESSION_MARK_RESET : SESSION_MARK_HERE);
	record_frame(rec, FRAME_MARK);
	return record_flush(rec, cause);
}

int
recorder_close(struct recorder *rec, enum target_state final, char **cause)
{
	struct session_end end;

	memset(&end, 0, sizeof end);
	end.final = final;
	return recorder_finish(rec, &end, cause);
}

int
recorder_finish(
    struct recorder *rec, const struct session_end *how, char **cause)
{
	struct recorder **pp;
	struct session_end end;
	int rc = 0;

	if (rec == NULL)
		return 0;
	for (pp = &record_open_list; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == rec) {
			*pp = rec->next;
			break;
		}
	}
	if (rec->fd >= 0 && rec->header_done) {
		/* INDEX and END go in one write: a file with an END frame
		 * always has its index. */
		buf_reset(&rec->frame);
		buf_reset(&rec->payload);
		codec_encode_index(&rec->payload, rec->keys, rec->nkeys);
		record_frame(rec, FRAME_INDEX);
		buf_reset(&rec->payload);
		end = *how;
		end.time = clock_wall();
		end.samples = rec->frames;
		end.last_seq = rec->prev->seq;
		codec_encode_end(&rec->payload, &end);
		record_frame(rec, FRAME_END);
		rc = record_flush(rec, cause);
	}
	if (rec->fd >= 0 && close(rec->fd) != 0 && rc == 0) {
		rc = -errno;
		*cause =
		    xasprintf("closing %s: %s", rec->path, strerror(errno));
	}
	snapshot_free(rec->prev);
	strtab_free(&rec->tab);
	buf_free(&rec->frame);
	buf_free(&rec->payload);
	free(rec->keys);
	free(rec->path);
	free(rec);
	return rc;
}

uint64_t
recorder_bytes(const struct recorder *rec)
{
	return rec->bytes;
}
