/*
 * rtfetch.c - the runtime endpoint's fetcher: libcurl on a thread of its
 * own.  libcurl rather than a minimal client of memtop's own: it gives
 * timeouts that cover DNS, connect and every read; chunked bodies; unix
 * sockets; HTTPS for a sidecar that only speaks it; and a callback on every
 * address it connects to, which is where the loopback rule is enforced for
 * names, redirects and all.  One easy handle kept per endpoint reuses the
 * connection from sample to sample.
 *
 * It is loaded with dlopen() on first use, not linked: libcurl4-openssl
 * brings 32 shared libraries (TLS, LDAP, Kerberos, SSH, ...), and linked
 * into a program that does nothing with it they cost ~310 mappings, 6 MB of
 * RSS and 6.6 ms per exec (measured on Debian 12 against the same program
 * without it).  A memory tool that runs as root on a host in trouble pays
 * that only when --runtime is given.  Only the headers are needed to build.
 */
#include "config.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "dynlib.h"
#include "rtfetch.h"
#include "rtgo.h"
#include "util.h"

#define RTFETCH_REDIRECTS 3

/* A URL split for libcurl: what to ask for, and through which socket. */
struct rtfetch_target {
	char *url;         /* malloc'd; http://localhost/PATH for a socket */
	char *socket_path; /* malloc'd, or NULL */
};

/* One transfer's state, seen by the callbacks. */
struct rtfetch_xfer {
	char *body;
	size_t len, cap, max;
	bool too_big;
	bool refused; /* an address the loopback rule refused */
	char refused_addr[INET6_ADDRSTRLEN];
	bool any_host;
	const bool *stop; /* read with __atomic_load_n */
};

struct rtfetch {
	struct rtfetch_target target;
	char *given;
	struct rtfetch_opts o;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;

	/* Under lock. */
	bool kicked, busy, orphan;
	double busy_since;
	struct rt_figures latest;
	enum rt_source last_source;

	bool stop; /* atomic: the progress callback reads it */
};

/* libcurl's entry points, from dlopen(): the ABI of libcurl.so.4. */
static struct {
	CURLcode (*global_init)(long flags);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *c, CURLoption opt, ...);
	CURLcode (*easy_perform)(CURL *c);
	CURLcode (*easy_getinfo)(CURL *c, CURLINFO info, ...);
	void (*easy_cleanup)(CURL *c);
	const char *(*easy_strerror)(CURLcode code);
	CURLU *(*url)(void);
	CURLUcode (*url_set)(
	    CURLU *u, CURLUPart what, const char *part, unsigned int flags);
	CURLUcode (*url_get)(
	    const CURLU *u, CURLUPart what, char **part, unsigned int flags);
	void (*url_cleanup)(CURLU *u);
	void (*free)(void *p);
} lc;
static pthread_once_t rtfetch_once_init = PTHREAD_ONCE_INIT;
static bool rtfetch_curl_ok;
static char rtfetch_curl_why[200];

static void
rtfetch_global_init(void)
{
	static const char *const names[] = { "libcurl.so.4",
		"libcurl-gnutls.so.4" };
	static const struct dynlib_sym syms[] = {
#define RTFETCH_SYM(f, n) DYNLIB_SYM(__typeof__(lc), f, n)
		RTFETCH_SYM(global_init, "curl_global_init"),
		RTFETCH_SYM(easy_init, "curl_easy_init"),
		RTFETCH_SYM(easy_setopt, "curl_easy_setopt"),
		RTFETCH_SYM(easy_perform, "curl_easy_perform"),
		RTFETCH_SYM(easy_getinfo, "curl_easy_getinfo"),
		RTFETCH_SYM(easy_cleanup, "curl_easy_cleanup"),
		RTFETCH_SYM(easy_strerror, "curl_easy_strerror"),
		RTFETCH_SYM(url, "curl_url"),
		RTFETCH_SYM(url_set, "curl_url_set"),
		RTFETCH_SYM(url_get, "curl_url_get"),
		RTFETCH_SYM(url_cleanup, "curl_url_cleanup"),
		RTFETCH_SYM(free, "curl_free"),
#undef RTFETCH_SYM
	};
	static const struct dynlib lib = { "libcurl", names,
		sizeof names / sizeof names[0], "libcurl4", "7.62", syms,
		sizeof syms / sizeof syms[0] };

	if (!dynlib_load(&lib, &lc, rtfetch_curl_why, sizeof rtfetch_curl_why))
		return;
	if (lc.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		snprintf(rtfetch_curl_why, sizeof rtfetch_curl_why,
		    "libcurl could not start");
		return;
	}
	rtfetch_curl_ok = true;
}

static void
rtfetch_opts_fill(struct rtfetch_opts *o, const struct rtfetch_opts *given)
{
	memset(o, 0, sizeof *o);
	if (given != NULL)
		*o = *given;
	if (!(o->timeout > 0))
		o->timeout = RTFETCH_TIMEOUT;
	if (o->max_body == 0)
		o->max_body = RTFETCH_MAX_BODY;
}

/* Whether a host name or address literal is loopback: localhost,
 * 127.0.0.0/8, ::1, ::ffff:127.x.y.z (brackets allowed). */
static bool
rtfetch_host_loopback(const char *host)
{
	struct in6_addr a6;
	struct in_addr a4;
	char buf[INET6_ADDRSTRLEN + 2];
	size_t n = strlen(host);

	if (strcasecmp(host, "localhost") == 0 ||
	    strcasecmp(host, "localhost.") == 0)
		return true;
	if (n >= 2 && host[0] == '[' && host[n - 1] == ']' &&
	    n - 2 < sizeof buf) {
		memcpy(buf, host + 1, n - 2);
		buf[n - 2] = '\0';
		host = buf;
	}
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, host, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6) ||
		    (IN6_IS_ADDR_V4MAPPED(&a6) && a6.s6_addr[12] == 127);
	return false;
}

/* Split url into a target; 0, or -EINVAL with a reason. */
static int
rtfetch_parse_url(const char *url, bool any_host, struct rtfetch_target *t,
    char *why, size_t size)
{
	char *host = NULL, *scheme = NULL;
	CURLU *u;
	int rc = -EINVAL;

	memset(t, 0, sizeof *t);
	if (strncmp(url, "unix:", 5) == 0) {
		const char *sock = url + 5, *sep = NULL, *p;

		for (p = sock; (p = strstr(p, ":/")) != NULL; p++)
			sep = p;
		if (sock[0] != '/' || sep == NULL || sep == sock) {
			snprintf(why, size,
			    "a unix socket URL is "
			    "unix:/SOCKET:/PATH (as unix:/run/app.sock:"
			    "/debug/vars)");
			return -EINVAL;
		}
		t->socket_path = xasprintf("%.*s", (int)(sep - sock), sock);
		t->url = xasprintf("http://localhost%s", sep + 1);
		return 0;
	}
	pthread_once(&rtfetch_once_init, rtfetch_global_init);
	if (!rtfetch_curl_ok || (u = lc.url()) == NULL) {
		snprintf(why, size, "%s",
		    rtfetch_curl_ok ? "out of memory" : rtfetch_curl_why);
		return -ENOMEM;
	}
	if (lc.url_set(u, CURLUPART_URL, url, CURLU_DEFAULT_SCHEME) != 0) {
		snprintf(why, size, "not a URL: %.120s", url);
		goto out;
	}
	if (lc.url_get(u, CURLUPART_SCHEME, &scheme, 0) != 0 ||
	    (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0)) {
		snprintf(why, size,
		    "only http, https and unix: URLs are "
		    "fetched, not %.40s",
		    scheme != NULL ? scheme : "this");
		goto out;
	}
	if (lc.url_get(u, CURLUPART_HOST, &host, 0) != 0) {
		snprintf(why, size, "a URL without a host: %.120s", url);
		goto out;
	}
	if (!any_host && !rtfetch_host_loopback(host)) {
		snprintf(why, size,
		    "%.100s is not a loopback address: "
		    "--runtime-any-host allows other hosts",
		    host);
		goto out;
	}
	{
		char *full = NULL;

		if (lc.url_get(u, CURLUPART_URL, &full, 0) != 0) {
			snprintf(why, size, "not a URL: %.120s", url);
			goto out;
		}
		t->url = xstrdup(full);
		lc.free(full);
	}
	rc = 0;
out:
	lc.free(host);
	lc.free(scheme);
	lc.url_cleanup(u);
	return rc;
}

static void
rtfetch_target_free(struct rtfetch_target *t)
{
	free(t->url);
	free(t->socket_path);
	memset(t, 0, sizeof *t);
}

int
rtfetch_check_url(const char *url, bool any_host, char *why, size_t size)
{
	struct rtfetch_target t;
	int rc = rtfetch_parse_url(url, any_host, &t, why, size);

	rtfetch_target_free(&t);
	return rc;
}

static size_t
rtfetch_write(char *data, size_t one, size_t n, void *arg)
{
	struct rtfetch_xfer *x = arg;

	(void)one; /* always 1 */
	if (n > x->max - x->len) {
		x->too_big = true;
		return 0; /* CURLE_WRITE_ERROR: the transfer stops */
	}
	if (x->len + n > x->cap) {
		size_t cap = x->cap ? x->cap : 65536;

		while (cap < x->len + n)
			cap *= 2;
		if (cap > x->max)
			cap = x->max;
		x->body = xrealloc(x->body, cap + 1);
		x->cap = cap;
	}
	memcpy(x->body + x->len, data, n);
	x->len += n;
	return n;
}

/* Called about once a second even when nothing moves: stop aborts. */
static int
rtfetch_progress(
    void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	struct rtfetch_xfer *x = arg;

	(void)dt, (void)dn, (void)ut, (void)un;
	return x->stop != NULL && __atomic_load_n(x->stop, __ATOMIC_RELAXED);
}

/* Every address libcurl is about to connect to passes the loopback rule
 * here (unix sockets always do). */
static curl_socket_t
rtfetch_socket(void *arg, curlsocktype purpose, struct curl_sockaddr *a)
{
	struct rtfetch_xfer *x = arg;
	bool ok = x->any_host || a->family == AF_UNIX;

	(void)purpose;
	if (!ok && a->family == AF_INET) {
		const struct sockaddr_in *in = (const void *)&a->addr;

		ok = (ntohl(in->sin_addr.s_addr) >> 24) == 127;
		if (!ok)
			inet_ntop(AF_INET, &in->sin_addr, x->refused_addr,
			    sizeof x->refused_addr);
	} else if (!ok && a->family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)&a->addr;

		ok = IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr) ||
		    (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr) &&
		        in6->sin6_addr.s6_addr[12] == 127);
		if (!ok)
			inet_ntop(AF_INET6, &in6->sin6_addr, x->refused_addr,
			    sizeof x->refused_addr);
	}
	if (!ok) {
		x->refused = true;
		return CURL_SOCKET_BAD;
	}
	return socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
}

static void
rtfetch_setup(
    CURL *c, struct rtfetch_xfer *x, const struct rtfetch_opts *o, char *err)
{
	long ms = (long)(o->timeout * 1000);

	lc.easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	lc.easy_setopt(c, CURLOPT_TIMEOUT_MS, ms);
	lc.easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, ms);
	lc.easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
#if LIBCURL_VERSION_NUM >= 0x075500
	lc.easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	lc.easy_setopt(c, CURLOPT_PROTOCOLS, CURLPROTO_HTTP | CURLPROTO_HTTPS);
#endif
	/* No proxy from the environment: the endpoint is the target's. */
	lc.easy_setopt(c, CURLOPT_PROXY, "");
	lc.easy_setopt(c, CURLOPT_USERAGENT, "memtop/" PACKAGE_VERSION);
	lc.easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)o->max_body);
	lc.easy_setopt(c, CURLOPT_WRITEFUNCTION, rtfetch_write);
	lc.easy_setopt(c, CURLOPT_WRITEDATA, x);
	lc.easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	lc.easy_setopt(c, CURLOPT_XFERINFOFUNCTION, rtfetch_progress);
	lc.easy_setopt(c, CURLOPT_XFERINFODATA, x);
	lc.easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, rtfetch_socket);
	lc.easy_setopt(c, CURLOPT_OPENSOCKETDATA, x);
	lc.easy_setopt(c, CURLOPT_ERRORBUFFER, err);
}

/* The first line of a body, for an HTTP error's reason. */
static void
rtfetch_first_line(const struct rtfetch_xfer *x, char *out, size_t size)
{
	size_t n = 0;

	while (n < x->len && n < 60 && x->body[n] != '\n' && x->body[n] != '\r')
		n++;
	esc_text(x->body != NULL ? x->body : "", n, out, size, false);
}

/* The reading of a transfer that ended with res. */
static void
rtfetch_result(CURL *c, CURLcode res, struct rtfetch_xfer *x,
    const struct rtfetch_opts *o, const char *err, struct rt_figures *f)
{
	char line[128];
	long code = 0;

	switch (res) {
	case CURLE_OK:
		lc.easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
		if (code < 200 || code > 299) {
			rtfetch_first_line(x, line, sizeof line);
			rtfig_fail(f, RT_ST_ERROR, "HTTP %ld%s%s", code,
			    line[0] ? ": " : "", line);
			return;
		}
		x->body[x->len] = '\0';
		rtgo_parse(x->body, x->len, f);
		return;
	case CURLE_WRITE_ERROR:
	case CURLE_FILESIZE_EXCEEDED:
		if (x->too_big || res == CURLE_FILESIZE_EXCEEDED) {
			rtfig_fail(f, RT_ST_ERROR,
			    "a body larger than %zu kB: "
			    "cut off",
			    o->max_body / 1024);
			return;
		}
		break;
	case CURLE_OPERATION_TIMEDOUT:
		rtfig_fail(f, RT_ST_ERROR,
		    "timed out after %.1f s (%zu bytes "
		    "received)",
		    o->timeout, x->len);
		return;
	case CURLE_PARTIAL_FILE:
		rtfig_fail(f, RT_ST_ERROR,
		    "the connection closed mid-body "
		    "(%zu bytes received)",
		    x->len);
		return;
	case CURLE_ABORTED_BY_CALLBACK:
		rtfig_fail(f, RT_ST_ERROR, "stopped");
		return;
	case CURLE_COULDNT_CONNECT:
		if (x->refused) {
			rtfig_fail(f, RT_ST_ERROR,
			    "not connecting to %s: not "
			    "a loopback address (--runtime-any-host allows it)",
			    x->refused_addr[0] ? x->refused_addr : "a socket");
			return;
		}
		break;
	default:
		break;
	}
	rtfig_fail(f, RT_ST_ERROR, "%s", err[0] ? err : lc.easy_strerror(res));
}

/*
 * One reading: GET the target, following at most RTFETCH_REDIRECTS
 * redirects that pass the loopback rule.  c is an easy handle kept by the
 * caller (its connection is reused); stop, when not NULL, aborts.
 */
static void
rtfetch_do(CURL *c, const struct rtfetch_target *t,
    const struct rtfetch_opts *o, const bool *stop, struct rt_figures *f)
{
	struct rtfetch_xfer x;
	char err[CURL_ERROR_SIZE], why[160], *next = NULL;
	double t0 = clock_mono();
	CURLcode res;
	int hops;

	rtfig_init(f, RT_SRC_NONE, RT_ST_OK);
	memset(&x, 0, sizeof x);
	x.max = o->max_body;
	x.any_host = o->any_host;
	x.stop = stop;
	x.body = xmalloc(1);
	lc.easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, t->socket_path);
	lc.easy_setopt(c, CURLOPT_URL, t->url);
	for (hops = 0;; hops++) {
		long code = 0;
		char *loc = NULL;

		err[0] = '\0';
		x.len = 0;
		x.too_big = x.refused = false;
		x.refused_addr[0] = '\0';
		rtfetch_setup(c, &x, o, err);
		res = lc.easy_perform(c);
		if (res == CURLE_OK)
			lc.easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
		if (res != CURLE_OK || code < 300 || code > 399)
			break;
		lc.easy_getinfo(c, CURLINFO_REDIRECT_URL, &loc);
		if (loc == NULL) {
			rtfig_fail(f, RT_ST_ERROR,
			    "HTTP %ld without a "
			    "Location",
			    code);
			goto out;
		}
		if (hops >= RTFETCH_REDIRECTS) {
			rtfig_fail(f, RT_ST_ERROR, "more than %d redirects",
			    RTFETCH_REDIRECTS);
			goto out;
		}
		/* A socket's server redirects within itself: its own
		 * http://localhost/ URLs pass the check. */
		if (rtfetch_check_url(loc, o->any_host, why, sizeof why) < 0 ||
		    strncmp(loc, "unix:", 5) == 0) {
			rtfig_fail(
			    f, RT_ST_ERROR, "redirect not followed: %s", why);
			goto out;
		}
		free(next);
		next = xstrdup(loc);
		lc.easy_setopt(c, CURLOPT_URL, next);
	}
	rtfetch_result(c, res, &x, o, err, f);
out:
	/* The handle outlives this frame: no pointer into it stays. */
	lc.easy_setopt(c, CURLOPT_ERRORBUFFER, (char *)NULL);
	free(next);
	free(x.body);
	f->mono = clock_mono();
	f->wall = clock_wall();
	f->read_secs = f->mono - t0;
}

int
rtfetch_once(
    const char *url, const struct rtfetch_opts *given, struct rt_figures *out)
{
	struct rtfetch_target t;
	struct rtfetch_opts o;
	char why[160];
	CURL *c;

	rtfetch_opts_fill(&o, given);
	rtfig_init(out, RT_SRC_NONE, RT_ST_OK);
	if (rtfetch_parse_url(url, o.any_host, &t, why, sizeof why) < 0) {
		rtfig_fail(out, RT_ST_ERROR, "%s", why);
		return -EINVAL;
	}
	pthread_once(&rtfetch_once_init, rtfetch_global_init);
	if (!rtfetch_curl_ok || (c = lc.easy_init()) == NULL) {
		rtfetch_target_free(&t);
		rtfig_fail(out, RT_ST_ERROR, "%s",
		    rtfetch_curl_ok ? "libcurl could not start a transfer" :
		                      rtfetch_curl_why);
		return -ENOMEM;
	}
	rtfetch_do(c, &t, &o, NULL, out);
	lc.easy_cleanup(c);
	rtfetch_target_free(&t);
	return out->status == RT_ST_OK ? 0 : -EIO;
}

static void
rtfetch_free(struct rtfetch *rf)
{
	rtfetch_target_free(&rf->target);
	free(rf->given);
	pthread_mutex_destroy(&rf->lock);
	pthread_cond_destroy(&rf->wake);
	free(rf);
}

static void *
rtfetch_thread(void *arg)
{
	struct rtfetch *rf = arg;
	struct rt_figures f;
	CURL *c = lc.easy_init();
	bool orphan;

	pthread_mutex_lock(&rf->lock);
	for (;;) {
		while (!rf->stop && !rf->kicked)
			pthread_cond_wait(&rf->wake, &rf->lock);
		if (rf->stop)
			break;
		rf->kicked = false;
		rf->busy = true;
		rf->busy_since = clock_mono();
		pthread_mutex_unlock(&rf->lock);

		if (c != NULL)
			rtfetch_do(c, &rf->target, &rf->o, &rf->stop, &f);
		else {
			rtfig_init(&f, RT_SRC_NONE, RT_ST_OK);
			rtfig_fail(&f, RT_ST_ERROR,
			    "libcurl could not start a transfer");
			f.mono = clock_mono();
			f.wall = clock_wall();
		}

		pthread_mutex_lock(&rf->lock);
		rf->busy = false;
		/* A failed reading keeps naming the source last seen. */
		if (f.status == RT_ST_OK)
			rf->last_source = f.source;
		else if (f.source == RT_SRC_NONE)
			f.source = rf->last_source;
		rf->latest = f;
	}
	orphan = rf->orphan;
	pthread_mutex_unlock(&rf->lock);
	if (c != NULL)
		lc.easy_cleanup(c);
	if (orphan)
		rtfetch_free(rf);
	return NULL;
}

struct rtfetch *
rtfetch_start(
    const char *url, const struct rtfetch_opts *o, char *why, size_t size)
{
	struct rtfetch *rf = xcalloc(1, sizeof *rf);

	rtfetch_opts_fill(&rf->o, o);
	if (rtfetch_parse_url(url, rf->o.any_host, &rf->target, why, size) <
	    0) {
		free(rf);
		return NULL;
	}
	pthread_once(&rtfetch_once_init, rtfetch_global_init);
	rf->given = xstrdup(url);
	pthread_mutex_init(&rf->lock, NULL);
	pthread_cond_init(&rf->wake, NULL);
	rtfig_init(&rf->latest, RT_SRC_NONE, RT_ST_PENDING);
	rtfig_fail(&rf->latest, RT_ST_PENDING, "waiting for the first reading");
	if (!rtfetch_curl_ok ||
	    thread_start(&rf->thread, rtfetch_thread, rf) != 0) {
		if (!rtfetch_curl_ok)
			snprintf(why, size, "%s", rtfetch_curl_why);
		else
			snprintf(why, size,
			    "cannot start the fetcher for "
			    "%.100s",
			    url);
		rtfetch_free(rf);
		return NULL;
	}
	return rf;
}

void
rtfetch_kick(struct rtfetch *rf)
{
	pthread_mutex_lock(&rf->lock);
	if (!rf->busy) {
		rf->kicked = true;
		pthread_cond_signal(&rf->wake);
	}
	pthread_mutex_unlock(&rf->lock);
}

double
rtfetch_latest(struct rtfetch *rf, struct rt_figures *out)
{
	double age;

	pthread_mutex_lock(&rf->lock);
	*out = rf->latest;
	pthread_mutex_unlock(&rf->lock);
	age = out->mono > 0 ? clock_mono() - out->mono : -1;
	return age;
}

double
rtfetch_busy(struct rtfetch *rf)
{
	double t;

	pthread_mutex_lock(&rf->lock);
	t = rf->busy ? clock_mono() - rf->busy_since : 0;
	pthread_mutex_unlock(&rf->lock);
	return t;
}

const char *
rtfetch_url(const struct rtfetch *rf)
{
	return rf->given;
}

void
rtfetch_stop(struct rtfetch *rf)
{
	pthread_t thread;
	bool busy;

	if (rf == NULL)
		return;
	pthread_mutex_lock(&rf->lock);
	__atomic_store_n(&rf->stop, true, __ATOMIC_RELAXED);
	pthread_cond_signal(&rf->wake);
	busy = rf->busy;
	if (busy)
		rf->orphan = true;
	thread = rf->thread;
	pthread_mutex_unlock(&rf->lock);
	if (busy) {
		/* The thread aborts the transfer at its next progress call
		 * and frees rf itself: rf may be gone already. */
		pthread_detach(thread);
		return;
	}
	pthread_join(thread, NULL);
	rtfetch_free(rf);
}
