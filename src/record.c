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
#include <zstd.h>

#include "session-codec.h"
#include "util.h"

#define KEEP_SEGMENTS 4 /* older segments beside the current one */

struct recorder {
	struct recorder *next; /* this process's recorders */
	pid_t owner;           /* the process that opened it */
	dev_t dev;             /* of the current segment */
	ino_t ino;
	char *path;  /* FILE as given, for messages */
	char *name;  /* its last component, in dirfd */
	int dirfd;   /* the directory FILE is in: every name is
	                opened, moved and removed relative to it */
	bool shared; /* others may write into that directory */
	int fd;
	double interval, keep_s;
	double seg_start; /* wall time of the segment's first frame */
	bool header_done;
	unsigned key_every;     /* a key frame or checkpoint this often */
	unsigned full_every;    /* a key frame this often */
	uint64_t frames;        /* samples in this segment */
	uint64_t since_key;     /* delta frames since the last key */
	uint64_t since_restart; /* since the last key or checkpoint */
	ZSTD_CCtx *zctx;        /* checkpoints' compression */
	struct buf check;       /* a checkpoint's payload */
	size_t last_key_len;    /* payload bytes of the last key frame */
	uint64_t bytes, good;   /* written in all; this file's good end */
	struct codec_key *keys; /* this segment's key frames (INDEX) */
	size_t nkeys, keys_cap;
	double recreated_at;   /* FILE was gone: the next header says so */
	uint64_t lost_samples; /* with the file that was gone */
	char *notice;          /* said by recorder_close() */
	struct {               /* recorder_note_self_adj(), for headers */
		bool has;
		int before, after, err;
	} self_adj;
	struct snapshot *prev;       /* the last sample written: a copy */
	const struct snapshot *lent; /* or the caller's (borrowing) */
	bool borrow;
	uint64_t last_seq; /* of the last sample written */
	struct strtab tab;
	struct buf frame, payload;
};

/* Recorders open in this process: a second one on the same file is refused
 * before it opens the file (closing any fd of a file drops the process's
 * fcntl locks on it, and with them the pid a refusal names). */
static struct recorder *record_open_list;

/* FILE with suffix ("", ".old", ".3"): its name in the directory, and as
 * the user would spell it. */
static void
record_names(const struct recorder *rec, const char *suffix, char *name,
    size_t name_size, char *shown, size_t shown_size)
{
	snprintf(name, name_size, "%s%s", rec->name, suffix);
	if (shown != NULL)
		snprintf(shown, shown_size, "%s%s", rec->path, suffix);
}

static int
record_busy_here(const struct recorder *rec, char **cause)
{
	struct recorder *r;
	struct stat st;

	if (fstatat(rec->dirfd, rec->name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return 0;
	for (r = record_open_list; r != NULL; r = r->next) {
		if (r->fd >= 0 && r->owner == getpid() && r->dev == st.st_dev &&
		    r->ino == st.st_ino) {
			*cause = xasprintf("%s is being written by another "
			                   "recorder of this memtop (pid %d)",
			    rec->path, (int)getpid());
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

/*
 * Open the directory FILE is in.  Whether others may write into it decides
 * how far memtop trusts the files it finds there: in a shared directory
 * (writable by a group, by all, or owned by another user: /tmp, a team
 * directory) it touches none that another user owns.
 */
static int
record_open_dir(struct recorder *rec, char **cause)
{
	const char *slash = strrchr(rec->path, '/');
	char *dir;
	struct stat st;
	int rc;

	rec->name = xstrdup(slash != NULL ? slash + 1 : rec->path);
	if (rec->name[0] == '\0' || strcmp(rec->name, ".") == 0 ||
	    strcmp(rec->name, "..") == 0) {
		*cause = xasprintf("%s is a directory, not a regular file: "
		                   "memtop records to a file",
		    rec->path);
		return -EINVAL;
	}
	dir = slash == NULL ?
	    xstrdup(".") :
	    slash == rec->path ?
	    xstrdup("/") :
	    xasprintf("%.*s", (int)(slash - rec->path), rec->path);
	rec->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rec->dirfd < 0 || fstat(rec->dirfd, &st) != 0) {
		rc = -errno;
		*cause = xasprintf(
		    "cannot write %s: %s", rec->path, strerror(errno));
		free(dir);
		return rc;
	}
	free(dir);
	rec->shared = (st.st_mode & (S_IWGRP | S_IWOTH)) != 0 ||
	    (st.st_uid != geteuid() && st.st_uid != 0);
	return 0;
}

/*
 * What is at FILE + suffix, looked at without following a symlink: 0 if
 * nothing, 1 if a file memtop may move, replace or remove, or -EINVAL with
 * *cause: a symlink (memtop never writes through one), not a regular file
 * (a FIFO would block it, a device cannot hold a recording), or a file of
 * another user in a shared directory.  *st is what is there.
 */
static int
record_check(const struct recorder *rec, const char *suffix, struct stat *st,
    char **cause)
{
	char name[NAME_MAX + 16], shown[PATH_MAX + 16];
	const char *what;

	record_names(rec, suffix, name, sizeof name, shown, sizeof shown);
	if (fstatat(rec->dirfd, name, st, AT_SYMLINK_NOFOLLOW) != 0)
		return 0;
	if (S_ISLNK(st->st_mode)) {
		*cause =
		    xasprintf("%s is a symbolic link: memtop never records "
		              "through one (name the file itself)",
		        shown);
		return -EINVAL;
	}
	if ((what = mode_not_regular(st->st_mode)) != NULL) {
		*cause = xasprintf("%s is %s, not a regular file: memtop "
		                   "records to a file",
		    shown, what);
		return -EINVAL;
	}
	if (rec->shared && st->st_uid != geteuid()) {
		*cause = xasprintf("%s belongs to another user (uid %u) in a "
		                   "directory others can write to: memtop "
		                   "leaves it alone",
		    shown, (unsigned)st->st_uid);
		return -EINVAL;
	}
	return 1;
}

/* Open FILE + suffix (checked by record_check, as *st) for flags, never
 * through a symlink, and make sure it is still the file that was checked. */
static int
record_open_checked(const struct recorder *rec, const char *suffix,
    const struct stat *st, int flags)
{
	char name[NAME_MAX + 16];
	struct stat now;
	int fd;

	record_names(rec, suffix, name, sizeof name, NULL, 0);
	fd = openat(rec->dirfd, name,
	    flags | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &now) != 0 || now.st_dev != st->st_dev ||
	    now.st_ino != st->st_ino) {
		close(fd);
		return -ESTALE; /* swapped since it was checked */
	}
	return fd;
}

/*
 * 1 if FILE + suffix is a session file memtop may replace, 0 if there is
 * nothing there or an empty file, -EINVAL with *cause (when cause) if it
 * may not be touched or is something else.
 */
static int
record_is_session(const struct recorder *rec, const char *suffix, char **cause)
{
	char magic[8], shown[PATH_MAX + 16], name[NAME_MAX + 16];
	char *ignored = NULL;
	struct stat st;
	ssize_t n;
	int fd, rc;

	rc = record_check(rec, suffix, &st, cause ? cause : &ignored);
	free(ignored);
	if (rc <= 0)
		return rc;
	if ((fd = record_open_checked(rec, suffix, &st, O_RDONLY)) < 0)
		return 0;
	n = read(fd, magic, sizeof magic);
	close(fd);
	if (n <= 0)
		return 0;
	if (n == 8 && memcmp(magic, SESSION_MAGIC, 8) == 0)
		return 1;
	if (cause != NULL) {
		record_names(
		    rec, suffix, name, sizeof name, shown, sizeof shown);
		*cause = xasprintf("%s exists and is not a memtop session "
		                   "file: not overwriting it",
		    shown);
	}
	return -EINVAL;
}

/* Open (and lock) a new segment file at FILE: created here, so never a
 * symlink and never anybody else's file. */
static int
record_create(struct recorder *rec, char **cause)
{
	struct stat st;
	int fd, rc;

	fd = openat(rec->dirfd, rec->name,
	    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY,
	    0644);
	if (fd < 0) {
		rc = -errno;
		*cause = errno == EEXIST ?
		    xasprintf("%s appeared while memtop was about to create "
		              "it: not writing over it",
		        rec->path) :
		    xasprintf(
		        "cannot write %s: %s", rec->path, strerror(errno));
		return rc;
	}
	if ((rc = record_lock(fd, rec->path, cause)) != 0) {
		close(fd);
		return rc;
	}
	if (fstat(fd, &st) != 0) {
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

/* Refuse (-EBUSY with *cause) if another memtop writes FILE, checked as
 * *st; before memtop moves or removes it. */
static int
record_not_busy(const struct recorder *rec, const struct stat *st, char **cause)
{
	int fd = record_open_checked(rec, "", st, O_WRONLY);
	int rc = 0;

	if (fd >= 0) {
		rc = record_lock(fd, rec->path, cause);
		close(fd);
	}
	return rc;
}

/*
 * Shift the segments: FILE.3 -> FILE.4 ... FILE -> FILE.1, the oldest
 * dropped.  Every FILE.N is checked first (a symlink or another user's
 * file stops it, before anything moves).  With no FILE there (it was
 * deleted), nothing moves: the next FILE just begins.
 */
static int
record_shift(struct recorder *rec, char **cause)
{
	char from[NAME_MAX + 16], to[NAME_MAX + 16], suffix[16];
	struct stat st;
	int k, rc;

	for (k = 1; k <= KEEP_SEGMENTS; k++) {
		snprintf(suffix, sizeof suffix, ".%d", k);
		if (record_check(rec, suffix, &st, cause) < 0)
			return -EINVAL;
	}
	if ((rc = record_check(rec, "", &st, cause)) <= 0)
		return rc;
	record_names(rec, ".4", to, sizeof to, NULL, 0);
	unlinkat(rec->dirfd, to, 0);
	for (k = KEEP_SEGMENTS - 1; k >= 1; k--) {
		snprintf(suffix, sizeof suffix, ".%d", k);
		record_names(rec, suffix, from, sizeof from, NULL, 0);
		snprintf(suffix, sizeof suffix, ".%d", k + 1);
		record_names(rec, suffix, to, sizeof to, NULL, 0);
		renameat(rec->dirfd, from, rec->dirfd, to);
	}
	record_names(rec, ".1", to, sizeof to, NULL, 0);
	if (renameat(rec->dirfd, rec->name, rec->dirfd, to) != 0 &&
	    errno != ENOENT) {
		rc = -errno;
		*cause = xasprintf(
		    "cannot rotate %s: %s", rec->path, strerror(errno));
		return rc;
	}
	return 0;
}

/* Remove segments FILE.1 ... of an earlier flight recording (session files
 * memtop may touch only), so that a replay of the new recording does not
 * chain them. */
static void
record_drop_segments(struct recorder *rec)
{
	char name[NAME_MAX + 16], suffix[16];
	int k;

	for (k = 1; k <= KEEP_SEGMENTS; k++) {
		snprintf(suffix, sizeof suffix, ".%d", k);
		record_names(rec, suffix, name, sizeof name, NULL, 0);
		if (record_is_session(rec, suffix, NULL) == 1)
			unlinkat(rec->dirfd, name, 0);
	}
}

/* 0 if every file the recording may move or replace (FILE.old, or the
 * segments FILE.1 ...) is absent or a recording memtop may touch; else
 * -EINVAL with *cause. */
static int
record_others_safe(struct recorder *rec, double keep_s, char **cause)
{
	char suffix[16];
	int k;

	if (keep_s <= 0)
		return record_is_session(rec, ".old", cause) < 0 ? -EINVAL : 0;
	for (k = 1; k <= KEEP_SEGMENTS; k++) {
		snprintf(suffix, sizeof suffix, ".%d", k);
		if (record_is_session(rec, suffix, cause) < 0)
			return -EINVAL;
	}
	return 0;
}

static void
record_free(struct recorder *rec)
{
	if (rec->fd >= 0)
		close(rec->fd);
	if (rec->dirfd >= 0)
		close(rec->dirfd);
	snapshot_free(rec->prev);
	ZSTD_freeCCtx(rec->zctx);
	buf_free(&rec->check);
	strtab_free(&rec->tab);
	buf_free(&rec->frame);
	buf_free(&rec->payload);
	free(rec->keys);
	free(rec->notice);
	free(rec->name);
	free(rec->path);
	free(rec);
}

/* Make room at FILE for a new recording: an earlier recording is moved
 * aside (FILE.old, or FILE.1 for a flight recorder that goes on from its
 * segments), an empty file removed.  Refuses a file another memtop writes. */
static int
record_make_room(struct recorder *rec, char **cause)
{
	char old[NAME_MAX + 16];
	struct stat st;
	int rc;

	if ((rc = record_check(rec, "", &st, cause)) <= 0)
		return rc;
	/* Here FILE is a recording, or empty (record_is_session said). */
	if ((rc = record_not_busy(rec, &st, cause)) != 0)
		return rc;
	if (rec->keep_s > 0 && st.st_size > 0)
		return record_shift(rec, cause);
	record_names(
	    rec, st.st_size > 0 ? ".old" : "", old, sizeof old, NULL, 0);
	if ((st.st_size > 0 ? renameat(rec->dirfd, rec->name, rec->dirfd, old) :
	                      unlinkat(rec->dirfd, rec->name, 0)) != 0) {
		rc = -errno;
		*cause = xasprintf(
		    "cannot move %s aside: %s", rec->path, strerror(errno));
		return rc;
	}
	return 0;
}

struct recorder *
recorder_open(
    const char *path, double interval, double keep_s, char **cause, int *err)
{
	struct recorder *rec = xcalloc(1, sizeof *rec);
	int rc;

	rec->fd = -1;
	rec->dirfd = -1;
	rec->path = xstrdup(path);
	rec->interval = interval;
	rec->keep_s = keep_s;
	rec->key_every = SESSION_KEY_EVERY;
	rec->full_every = SESSION_FULL_EVERY;
	rec->prev = snapshot_new();
	if ((rc = record_open_dir(rec, cause)) != 0 ||
	    (rc = record_busy_here(rec, cause)) != 0 ||
	    (rc = record_is_session(rec, "", cause)) < 0 ||
	    ((rc == 1 || keep_s > 0) &&
	        (rc = record_others_safe(rec, keep_s, cause)) != 0) ||
	    (rc = record_make_room(rec, cause)) != 0)
		goto fail;
	if (keep_s <= 0)
		record_drop_segments(rec);
	if ((rc = record_create(rec, cause)) != 0)
		goto fail;
	rec->owner = getpid();
	rec->next = record_open_list;
	record_open_list = rec;
	return rec;
fail:
	if (err != NULL)
		*err = rc;
	record_free(rec);
	return NULL;
}

void
recorder_borrow_samples(struct recorder *rec)
{
	rec->borrow = true;
}

void
recorder_set_key_every(struct recorder *rec, unsigned n)
{
	rec->key_every = n > 0 ? n : SESSION_KEY_EVERY;
	/* A test's small n: key frames that often, as before checkpoints. */
	rec->full_every = n > 0 ? n : SESSION_FULL_EVERY;
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
	h->recreated_at = rec->recreated_at;
	h->lost_samples = rec->lost_samples;
	h->has_self_adj = rec->self_adj.has;
	h->self_adj_before = rec->self_adj.before;
	h->self_adj_after = rec->self_adj.after;
	h->self_adj_err = rec->self_adj.err;
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
	int rc = record_shift(rec, cause);

	if (rc != 0)
		return rc;
	close(rec->fd);
	rec->fd = -1;
	return record_create(rec, cause);
}

/*
 * Whether FILE still names the file being written: 0 if it does, 1 if
 * nothing is there any more (the file was deleted, or moved away), or
 * -EEXIST with *cause if another file took the name: memtop never writes
 * over it.
 */
static int
record_still_there(const struct recorder *rec, char **cause)
{
	struct stat st;

	if (fstatat(rec->dirfd, rec->name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return errno == ENOENT ? 1 : 0;
	if (st.st_dev == rec->dev && st.st_ino == rec->ino)
		return 0;
	*cause = xasprintf("%s was replaced by another file while memtop "
	                   "recorded into it: the recording stops here (memtop "
	                   "does not write over it)",
	    rec->path);
	return -EEXIST;
}

/* FILE is gone: begin a new one (a new segment, whose header says so), and
 * keep what happened for recorder_close() to say. */
static int
record_recreate(struct recorder *rec, char **cause)
{
	struct stat st;
	bool deleted = fstat(rec->fd, &st) == 0 && st.st_nlink == 0;
	time_t now = time(NULL);
	char when[32] = "";
	struct tm tm;

	if (localtime_r(&now, &tm) != NULL)
		strftime(when, sizeof when, "%H:%M:%S", &tm);
	free(rec->notice);
	rec->notice = deleted ?
	    xasprintf("%s was deleted while memtop recorded into it (the "
	              "%llu samples in it are gone); the recording went on "
	              "in a new %s from %s",
	        rec->path, (unsigned long long)rec->frames, rec->path, when) :
	    xasprintf("%s was moved away while memtop recorded into it (with "
	              "%llu samples); the recording went on in a new %s "
	              "from %s",
	        rec->path, (unsigned long long)rec->frames, rec->path, when);
	rec->recreated_at = clock_wall();
	rec->lost_samples = rec->frames;
	close(rec->fd);
	rec->fd = -1;
	return record_create(rec, cause);
}

int
recorder_write(struct recorder *rec, const struct snapshot *s, char **cause)
{
	size_t frame_len;
	bool key, check;
	int rc;

	if (rec->fd < 0) {
		*cause = xasprintf("%s: the recording could not go on after an "
		                   "earlier error",
		    rec->path);
		return -EBADF;
	}
	/* Deleted or moved away (rm FILE, a cleaner of /tmp): a new FILE,
	 * rather than samples written where nobody can read them. */
	if ((rc = record_still_there(rec, cause)) < 0 ||
	    (rc > 0 && (rc = record_recreate(rec, cause)) != 0))
		return rc;
	if (rec->keep_s > 0 && rec->header_done &&
	    s->wall - rec->seg_start >= rec->keep_s / KEEP_SEGMENTS &&
	    (rc = record_rotate(rec, cause)) != 0)
		return rc;
	if (s->nregions > SESSION_MAX_REGIONS) {
		*cause =
		    xasprintf("%s: the target has %zu mappings, more than a "
		              "recording holds (%d): the recording stops "
		              "here",
		        rec->path, s->nregions, SESSION_MAX_REGIONS);
		return -EFBIG;
	}
	buf_reset(&rec->frame);
	if (!rec->header_done) {
		/* The header goes in the same write as the first key frame. */
		record_header(rec, s);
		rec->seg_start = s->wall;
	}
	/* A key frame first, every full_every samples, and whenever the
	 * changes would cost more than a whole frame; in between, every
	 * key_every samples, a checkpoint after the delta frame: the sample
	 * restated whole and compressed, where a reader can start (at 60,000
	 * steady mappings a key frame is 2.5 MB, its checkpoint 3 kB). */
	key = rec->frames == 0 || rec->since_key + 1 >= rec->full_every;
	buf_reset(&rec->payload);
	if (!key) {
		codec_encode_delta(&rec->payload, &rec->tab,
		    rec->borrow ? rec->lent : rec->prev, s);
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
	check = !key && rec->since_restart + 1 >= rec->key_every;
	if (check) {
		buf_reset(&rec->check);
		if (rec->zctx == NULL)
			rec->zctx = ZSTD_createCCtx();
		if (rec->zctx == NULL ||
		    codec_pack_checkpoint(
		        &rec->check, &rec->tab, s, rec->zctx) != 0 ||
		    rec->check.len > FRAME_MAX)
			check = false; /* the next one, then */
		else
			codec_frame(&rec->frame, FRAME_CHECK, rec->check.p,
			    rec->check.len);
	}
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
	if (!rec->header_done)
		rec->recreated_at = 0; /* said in this segment's header */
	rec->header_done = true;
	rec->frames++;
	if (key) {
		rec->nkeys++;
		rec->since_key = 0;
		rec->last_key_len = rec->payload.len;
	} else
		rec->since_key++;
	rec->since_restart = key || check ? 0 : rec->since_restart + 1;
	rec->last_seq = s->seq;
	if (rec->borrow)
		rec->lent = s;
	else if (snapshot_copy(rec->prev, s) != 0) {
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

void
recorder_note_self_adj(struct recorder *rec, int before, int after, int err)
{
	rec->self_adj.has = true;
	rec->self_adj.before = before;
	rec->self_adj.after = after;
	rec->self_adj.err = err;
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
		end.last_seq = rec->last_seq;
		codec_encode_end(&rec->payload, &end);
		record_frame(rec, FRAME_END);
		rc = record_flush(rec, cause);
	}
	if (rec->fd >= 0 && close(rec->fd) != 0 && rc == 0) {
		rc = -errno;
		*cause =
		    xasprintf("closing %s: %s", rec->path, strerror(errno));
	}
	rec->fd = -1;
	if (rc == 0 && rec->notice != NULL) {
		/* Closed well, but the user has to hear of it. */
		rc = -ENOENT;
		*cause = rec->notice;
		rec->notice = NULL;
	}
	record_free(rec);
	return rc;
}

uint64_t
recorder_bytes(const struct recorder *rec)
{
	return rec->bytes;
}
