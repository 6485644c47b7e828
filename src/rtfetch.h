/*
 * rtfetch.h - reads a Go program's runtime figures from a URL it serves
 * (--runtime URL), on a thread of its own, so that a slow, hung or hostile
 * endpoint never delays a sample or a key.
 *
 * The sample loop calls rtfetch_kick() once per sample and rtfetch_latest()
 * when it builds the sample: the first starts a fetch unless one is in
 * flight, the second copies the newest finished reading and says how old it
 * is.  Neither waits on the network: they take one mutex that the fetcher
 * only holds to copy a struct.
 *
 * Only loopback addresses (127.0.0.0/8, ::1, localhost) and unix sockets
 * are fetched unless any_host is set, checked on the URL and again on every
 * address connected to (a name that resolves elsewhere, a redirect).
 * Redirects are followed only to URLs that pass the same check, three at
 * most.  A body is cut at max_body bytes; every failure is a reading with
 * status RT_ST_ERROR and a one-line reason.
 *
 * URLs: http://HOST[:PORT]/PATH, https://..., HOST:PORT/PATH (http), or
 * unix:/SOCKET/PATH:/URL-PATH (the socket path ends at the last ":/").
 */
#ifndef MEMTOP_RTFETCH_H
#define MEMTOP_RTFETCH_H

#include <stdbool.h>
#include <stddef.h>

#include "rtfig.h"

#define RTFETCH_TIMEOUT  2.0        /* seconds, connect to last byte */
#define RTFETCH_MAX_BODY (4u << 20) /* bytes */

struct rtfetch_opts {
	double timeout;  /* one whole fetch, seconds; <= 0: RTFETCH_TIMEOUT */
	size_t max_body; /* 0: RTFETCH_MAX_BODY */
	bool any_host;   /* --runtime-any-host: any address */
};

/* Whether url may be fetched: 0, or -EINVAL with a one-line reason in why
 * ("10.0.0.5 is not a loopback address: --runtime-any-host allows it"). */
int rtfetch_check_url(const char *url, bool any_host, char *why, size_t size);

/* One fetch, on the caller's thread (it blocks up to the timeout): the
 * fetcher thread's work, for tests and one-shot use.  Fills *out (mono,
 * wall and read_secs too); returns 0 when out->status is OK. */
int rtfetch_once(
    const char *url, const struct rtfetch_opts *o, struct rt_figures *out);

struct rtfetch;

/* Start a fetcher for url (copied); o may be NULL for the defaults.  NULL
 * with a reason in why when the URL is refused.  No fetch until the first
 * rtfetch_kick(). */
struct rtfetch *rtfetch_start(
    const char *url, const struct rtfetch_opts *o, char *why, size_t size);

/* Ask for a fresh reading; nothing when one is in flight. */
void rtfetch_kick(struct rtfetch *rf);

/* Copy the newest finished reading to *out (status RT_ST_PENDING before
 * the first) and return its age in seconds (-1 before the first). */
double rtfetch_latest(struct rtfetch *rf, struct rt_figures *out);

/* Seconds the fetch in flight has taken so far; 0 when idle. */
double rtfetch_busy(struct rtfetch *rf);

/* The URL as given. */
const char *rtfetch_url(const struct rtfetch *rf);

/* Stop and free.  Returns at once: a fetch in flight is aborted by the
 * fetcher thread, which then frees what is left on its own. */
void rtfetch_stop(struct rtfetch *rf);

#endif
