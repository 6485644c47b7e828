/*
 * smaps-pipe.c - a reader and a parser in step over a ring of pieces.
 *
 * The reader (the sampler's thread) fills piece k while the parser parses
 * piece k - 1: a piece is whole lines, the bytes of a line cut by the end of
 * a read go to the start of the next piece.  The parser takes the pieces in
 * order; the reader waits for a free piece, and at the end for the parser.
 * All the shared counters are under the lock; the pieces' bytes and the
 * snapshot belong to one side at a time, as the counters say.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc-parse.h"
#include "smaps-pipe.h"
#include "util.h"

/* Two pieces suffice, as the parser keeps up with the kernel; a piece
 * is a wake-up of the parser (382 context switches in a sample at 60,000
 * mappings with 4 pieces of 128 kB, 104 with these, for the same peak
 * RSS over 130 samples). */
#define PIPE_PIECES 2
#define PIPE_PIECE  (512 * 1024)

struct smaps_pipe {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool started, quit;
	char *piece[PIPE_PIECES];
	size_t len[PIPE_PIECES]; /* whole-line bytes to parse */
	/* Under the lock: pieces handed over and parsed in this job, and
	 * whether the reader has handed over its last. */
	unsigned filled, parsed;
	bool busy, done;
	/* The job: the parser's alone while busy. */
	struct snapshot *out;
	struct smaps_cursor cur;
	struct live_fast *fast;
	int err;
	void (*side)(void *); /* under the lock: run first, NULL once done */
	void *side_arg;
	/* smaps_pipe_set_ahead()'s, under their own lock, held while the
	 * parser calls it: once set to NULL, it is not called again. */
	pthread_mutex_t ahead_lock;
	void (*ahead)(void *, size_t);
	void *ahead_arg;
};

static void *
smaps_pipe_thread(void *arg)
{
	struct smaps_pipe *p = arg;
	unsigned k;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (!p->quit &&
		    (!p->busy || (p->side == NULL && p->parsed == p->filled)))
			pthread_cond_wait(&p->cond, &p->lock);
		if (p->quit)
			break;
		if (p->side != NULL) {
			pthread_mutex_unlock(&p->lock);
			p->side(p->side_arg);
			pthread_mutex_lock(&p->lock);
			p->side = NULL;
			pthread_cond_broadcast(&p->cond);
			continue;
		}
		k = p->parsed % PIPE_PIECES;
		pthread_mutex_unlock(&p->lock);
		if (p->err == 0 &&
		    parse_smaps_lines(p->piece[k], p->len[k], p->out, &p->cur) <
		        0)
			p->err = -ENOMEM;
		/* The regions before the last are whole. */
		if (p->err == 0 && p->fast != NULL && p->out->nregions > 1)
			live_fast_keep_upto(
			    p->fast, p->out, p->out->nregions - 1);
		pthread_mutex_lock(&p->ahead_lock);
		if (p->err == 0 && p->ahead != NULL)
			p->ahead(p->ahead_arg, p->out->nregions);
		pthread_mutex_unlock(&p->ahead_lock);
		pthread_mutex_lock(&p->lock);
		p->parsed++;
		pthread_cond_broadcast(&p->cond);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

struct smaps_pipe *
smaps_pipe_new(void)
{
	struct smaps_pipe *p = xcalloc(1, sizeof *p);
	int k;

	for (k = 0; k < PIPE_PIECES; k++)
		p->piece[k] = xmalloc(PIPE_PIECE);
	pthread_mutex_init(&p->lock, NULL);
	pthread_mutex_init(&p->ahead_lock, NULL);
	pthread_cond_init(&p->cond, NULL);
	return p;
}

void
smaps_pipe_set_ahead(
    struct smaps_pipe *p, void (*fn)(void *arg, size_t n), void *arg)
{
	pthread_mutex_lock(&p->ahead_lock);
	p->ahead = fn;
	p->ahead_arg = arg;
	pthread_mutex_unlock(&p->ahead_lock);
}

/* Start the parser on first use. */
static bool
smaps_pipe_start(struct smaps_pipe *p)
{
	if (!p->started)
		p->started =
		    thread_start(&p->thread, smaps_pipe_thread, p) == 0;
	return p->started;
}

void
smaps_pipe_free(struct smaps_pipe *p)
{
	int k;

	if (p == NULL)
		return;
	if (p->started) {
		pthread_mutex_lock(&p->lock);
		p->quit = true;
		pthread_cond_broadcast(&p->cond);
		pthread_mutex_unlock(&p->lock);
		pthread_join(p->thread, NULL);
	}
	for (k = 0; k < PIPE_PIECES; k++)
		free(p->piece[k]);
	pthread_mutex_destroy(&p->lock);
	pthread_mutex_destroy(&p->ahead_lock);
	pthread_cond_destroy(&p->cond);
	free(p);
}

/* Hand piece k (len bytes of whole lines) to the parser. */
static void
smaps_pipe_hand(struct smaps_pipe *p, unsigned k, size_t len)
{
	pthread_mutex_lock(&p->lock);
	p->len[k] = len;
	p->filled++;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
}

/* Wait until at most n pieces are handed over and not parsed, and with n
 * 0 until the side job is done too. */
static void
smaps_pipe_wait(struct smaps_pipe *p, unsigned n)
{
	pthread_mutex_lock(&p->lock);
	while (p->filled - p->parsed > n || (n == 0 && p->side != NULL))
		pthread_cond_wait(&p->cond, &p->lock);
	pthread_mutex_unlock(&p->lock);
}

ssize_t
smaps_pipe_read(struct smaps_pipe *p, int fd, struct snapshot *out,
    struct live_fast *fast, void (*side)(void *), void *side_arg)
{
	size_t carry = 0, total = 0;
	const char *tail = NULL;
	ssize_t n, rc = 0;
	unsigned k;

	if (!smaps_pipe_start(p))
		return -EAGAIN;
	snapshot_clear(out);
	pthread_mutex_lock(&p->lock);
	p->out = out;
	p->cur.cur = -1;
	p->fast = fast;
	p->err = 0;
	p->filled = p->parsed = 0;
	p->side = side;
	p->side_arg = side_arg;
	p->busy = true;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
	for (;;) {
		size_t have, whole;
		char *b;
		const char *nl;

		/* A free piece: the parser holds at most the others. */
		smaps_pipe_wait(p, PIPE_PIECES - 1);
		k = p->filled % PIPE_PIECES; /* the reader alone moves filled */
		b = p->piece[k];
		if (carry > 0)
			memmove(b, tail, carry); /* from a piece the parser
			                           * reads only before tail */
		/* The kernel gives a page or so a read (seq_file): fill
		 * the piece before handing it over. */
		have = carry;
		do {
			n = read(fd, b + have, PIPE_PIECE - have);
			if (n > 0) {
				have += (size_t)n;
				total += (size_t)n;
			}
		} while ((n > 0 || (n < 0 && errno == EINTR)) &&
		    PIPE_PIECE - have >= 16384);
		if (n < 0 && errno != EINTR) {
			rc = -errno;
			break;
		}
		if (n == 0)
			whole = have; /* the last line may lack its newline */
		else {
			nl = memrchr(b, '\n', have);
			whole = nl != NULL ? (size_t)(nl - b) + 1 : 0;
			if (whole == 0 && have == PIPE_PIECE) {
				rc = -E2BIG; /* a line longer than a piece */
				break;
			}
		}
		carry = have - whole;
		tail = b + whole;
		if (whole > 0)
			smaps_pipe_hand(p, k, whole);
		if (n == 0)
			break;
	}
	smaps_pipe_wait(p, 0);
	pthread_mutex_lock(&p->lock);
	p->busy = false;
	if (rc == 0 && p->err != 0)
		rc = p->err;
	pthread_mutex_unlock(&p->lock);
	return rc != 0 ? rc : (ssize_t)total;
}
