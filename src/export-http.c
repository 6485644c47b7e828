/*
 * export-http.c - the exposition over HTTP (libmicrohttpd).
 *
 * libmicrohttpd is loaded with dlopen() when memtop listens, not linked:
 * it brings GnuTLS and 15 more shared libraries, whose loading and
 * relocation cost every run 2.7 ms of CPU and 160 page faults at start
 * (measured on Debian 12 against the same program without it), while
 * only --listen uses it.  Only the headers are needed to build.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dynlib.h"
#include "export-http.h"
#include "util.h"

/* One published exposition in both formats, shared by the scrapes that
 * send it: freed by the last one (or by the next publish). */
struct export_http_page {
	unsigned refs; /* under export_http.lock */
	struct export_om_buf body[2];
};

struct export_http {
	struct MHD_Daemon *daemon;
	int port;
	pthread_mutex_t lock;
	/* Under lock: */
	struct export_http_page *page;
	uint64_t scrapes;
	uint64_t http_errors[4];
};

/* What one response holds until MHD is done with it. */
struct export_http_send {
	struct export_http *h;
	struct export_http_page *page;
	struct export_om_buf tail;
};

/* libmicrohttpd's entry points, from dlopen(). */
static struct {
	__typeof__(MHD_add_response_header) *add_response_header;
	__typeof__(MHD_create_response_from_buffer)
	    *create_response_from_buffer;
	__typeof__(MHD_create_response_from_iovec) *create_response_from_iovec;
	__typeof__(MHD_destroy_response) *destroy_response;
	__typeof__(MHD_get_daemon_info) *get_daemon_info;
	__typeof__(MHD_lookup_connection_value) *lookup_connection_value;
	__typeof__(MHD_queue_response) *queue_response;
	__typeof__(MHD_start_daemon) *start_daemon;
	__typeof__(MHD_stop_daemon) *stop_daemon;
} mhd;
static pthread_once_t mhd_once = PTHREAD_ONCE_INIT;
static char mhd_why[160]; /* "" once loaded */

static void
mhd_load(void)
{
	static const char *const sonames[] = { "libmicrohttpd.so.12" };
	static const struct dynlib_sym syms[] = {
#define MHD_SYM(f) DYNLIB_SYM(__typeof__(mhd), f, "MHD_" #f)
		MHD_SYM(add_response_header),
		MHD_SYM(create_response_from_buffer),
		MHD_SYM(create_response_from_iovec),
		MHD_SYM(destroy_response),
		MHD_SYM(get_daemon_info),
		MHD_SYM(lookup_connection_value),
		MHD_SYM(queue_response),
		MHD_SYM(start_daemon),
		MHD_SYM(stop_daemon),
#undef MHD_SYM
	};
	static const struct dynlib lib = { "libmicrohttpd", sonames,
		sizeof sonames / sizeof sonames[0], "libmicrohttpd12", "0.9.74",
		syms, sizeof syms / sizeof syms[0] };

	/* mhd_why stays "" when it loads. */
	(void)dynlib_load(&lib, &mhd, mhd_why, sizeof mhd_why);
}

static const char export_http_home[] =
    "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>memtop"
    "</title></head>\n<body><h1>memtop</h1>\n<p>The memory of the "
    "processes memtop watches, region by region: "
    "<a href=\"/metrics\">/metrics</a> (OpenMetrics, or the Prometheus "
    "text format).</p>\n<p>The metrics are listed in memtop(1) and "
    "doc/metrics.md.</p>\n</body></html>\n";

int
export_http_parse_addr(
    const char *s, struct sockaddr_storage *ss, socklen_t *len, char **err)
{
	char host[256], *end;
	const char *colon, *port = s;
	struct addrinfo hints, *res = NULL;
	long p;
	int rc;

	host[0] = '\0';
	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (close == NULL || (close[1] != ':' && close[1] != '\0') ||
		    (size_t)(close - s - 1) >= sizeof host)
			goto bad;
		memcpy(host, s + 1, (size_t)(close - s - 1));
		host[close - s - 1] = '\0';
		port = close[1] == ':' ? close + 2 : "";
	} else if ((colon = strrchr(s, ':')) != NULL) {
		if (strchr(s, ':') != colon ||
		    (size_t)(colon - s) >= sizeof host)
			goto bad; /* an IPv6 address wants brackets */
		memcpy(host, s, (size_t)(colon - s));
		host[colon - s] = '\0';
		port = colon + 1;
	}
	if (*port == '\0') {
		p = EXPORT_HTTP_PORT;
	} else {
		errno = 0;
		p = strtol(port, &end, 10);
		if (errno != 0 || *end != '\0' || p < 0 || p > 65535)
			goto bad;
	}
	if (host[0] == '\0')
		strcpy(host, "127.0.0.1");
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((rc = getaddrinfo(host, NULL, &hints, &res)) != 0 || res == NULL) {
		*err = xasprintf("--listen %s: %s", s, gai_strerror(rc));
		return -EINVAL;
	}
	memset(ss, 0, sizeof *ss);
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)p);
	else if (ss->ss_family == AF_INET6)
		((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)p);
	else
		goto bad;
	return 0;
bad:
	*err = xasprintf("--listen wants ADDR:PORT (127.0.0.1:9256, "
	                 "[::1]:9256, 0.0.0.0:9256) or a port, not '%s'",
	    s);
	return -EINVAL;
}

static void
export_http_page_unref(struct export_http *h, struct export_http_page *pg)
{
	bool last;

	if (pg == NULL)
		return;
	pthread_mutex_lock(&h->lock);
	last = --pg->refs == 0;
	pthread_mutex_unlock(&h->lock);
	if (last) {
		export_om_buf_free(&pg->body[0]);
		export_om_buf_free(&pg->body[1]);
		free(pg);
	}
}

static void
export_http_sent(void *cls)
{
	struct export_http_send *snd = cls;

	export_http_page_unref(snd->h, snd->page);
	export_om_buf_free(&snd->tail);
	free(snd);
}

/* memtop's resident bytes, from /proc/self/statm; 0 unknown. */
static uint64_t
export_http_self_rss(void)
{
	char buf[128];
	unsigned long long size, res;

	if (read_file_at(AT_FDCWD, "/proc/self/statm", buf, sizeof buf) <= 0 ||
	    sscanf(buf, "%llu %llu", &size, &res) != 2)
		return 0;
	return (uint64_t)res * (uint64_t)sysconf(_SC_PAGESIZE);
}

static enum MHD_Result
export_http_queue(struct MHD_Connection *c, unsigned code, const char *type,
    const char *text, const char *allow)
{
	struct MHD_Response *r = mhd.create_response_from_buffer(
	    strlen(text), (void *)(uintptr_t)text, MHD_RESPMEM_PERSISTENT);
	enum MHD_Result rc;

	if (r == NULL)
		return MHD_NO;
	mhd.add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (allow != NULL)
		mhd.add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
	rc = mhd.queue_response(c, code, r);
	mhd.destroy_response(r);
	return rc;
}

static enum MHD_Result
export_http_error(struct export_http *h, struct MHD_Connection *c,
    unsigned code, const char *text, const char *allow)
{
	int k = code == 404 ? OM_HTTP_404 :
	    code == 405     ? OM_HTTP_405 :
	    code == 406     ? OM_HTTP_406 :
	                      OM_HTTP_413;

	pthread_mutex_lock(&h->lock);
	h->http_errors[k]++;
	pthread_mutex_unlock(&h->lock);
	return export_http_queue(
	    c, code, "text/plain; charset=utf-8", text, allow);
}

/* GET /metrics: the page published last and the tail of the moment. */
static enum MHD_Result
export_http_metrics(struct export_http *h, struct MHD_Connection *c)
{
	const char *accept = mhd.lookup_connection_value(
	    c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);
	int fmt = export_om_negotiate(accept);
	struct export_http_send *snd;
	struct export_om_target self;
	struct export_om_self s;
	struct MHD_IoVec iov[2];
	struct MHD_Response *r;
	enum MHD_Result rc;
	unsigned n = 0;

	if (fmt < 0)
		return export_http_error(h, c, MHD_HTTP_NOT_ACCEPTABLE,
		    "memtop serves text/plain; version=0.0.4 and "
		    "application/openmetrics-text; version=1.0.0\n",
		    NULL);
	snd = xcalloc(1, sizeof *snd);
	snd->h = h;
	memset(&s, 0, sizeof s);
	pthread_mutex_lock(&h->lock);
	snd->page = h->page;
	if (snd->page != NULL)
		snd->page->refs++;
	s.scrapes = ++h->scrapes;
	memcpy(s.http_errors, h->http_errors, sizeof h->http_errors);
	pthread_mutex_unlock(&h->lock);
	s.cpu_s = clock_cpu();
	s.rss_bytes = export_http_self_rss();
	memset(&self, 0, sizeof self);
	export_om_self_tail(&self, &s);
	export_om_assemble(&snd->tail, (enum export_om_format)fmt, NULL, 0,
	    &self, OMF_BODY_END, OMF_COUNT, true);
	export_om_target_free(&self);
	if (snd->page != NULL && snd->page->body[fmt].len > 0) {
		iov[n].iov_base = snd->page->body[fmt].p;
		iov[n++].iov_len = snd->page->body[fmt].len;
	}
	iov[n].iov_base = snd->tail.p;
	iov[n++].iov_len = snd->tail.len;
	r = mhd.create_response_from_iovec(iov, n, export_http_sent, snd);
	if (r == NULL) {
		export_http_sent(snd);
		return MHD_NO;
	}
	mhd.add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
	    export_om_content_type((enum export_om_format)fmt));
	mhd.add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	rc = mhd.queue_response(c, MHD_HTTP_OK, r);
	mhd.destroy_response(r);
	return rc;
}

/* Whether the request says a body follows. */
static bool
export_http_has_body(struct MHD_Connection *c)
{
	const char *len = mhd.lookup_connection_value(
	    c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);

	return (len != NULL && strcmp(len, "0") != 0) ||
	    mhd.lookup_connection_value(
	        c, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING) != NULL;
}

static enum MHD_Result
export_http_answer(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **req_cls)
{
	struct export_http *h = cls;
	bool get = strcmp(method, MHD_HTTP_METHOD_GET) == 0 ||
	    strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;
	bool metrics = strcmp(url, "/metrics") == 0;

	(void)version;
	(void)upload_data;
	/* The first call has the headers.  An error is answered at once: a
	 * body is never read (MHD closes the connection after the answer
	 * rather than read it).  A GET is answered on the second call, once
	 * MHD knows the request is whole, so the connection stays open for
	 * the scraper's next request. */
	if (*req_cls == NULL && get && (metrics || strcmp(url, "/") == 0) &&
	    !export_http_has_body(c)) {
		*req_cls = h;
		return MHD_YES;
	}
	*upload_data_size = 0;
	if (get && export_http_has_body(c))
		return export_http_error(h, c, MHD_HTTP_CONTENT_TOO_LARGE,
		    "memtop reads no request body\n", NULL);
	if (!metrics && strcmp(url, "/") != 0)
		return export_http_error(h, c, MHD_HTTP_NOT_FOUND,
		    "not found: memtop serves /metrics\n", NULL);
	if (!get)
		return export_http_error(h, c, MHD_HTTP_METHOD_NOT_ALLOWED,
		    "method not allowed: use GET or HEAD\n", "GET, HEAD");
	if (metrics)
		return export_http_metrics(h, c);
	return export_http_queue(
	    c, MHD_HTTP_OK, "text/html; charset=utf-8", export_http_home, NULL);
}

struct export_http *
export_http_start(
    const struct sockaddr_storage *addr, socklen_t len, char **err)
{
	struct export_http *h;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL;
	const union MHD_DaemonInfo *info;
	sigset_t all, old;

	(void)len;
	pthread_once(&mhd_once, mhd_load);
	if (mhd_why[0] != '\0') {
		*err = xstrdup(mhd_why);
		return NULL;
	}
	h = xcalloc(1, sizeof *h);
	pthread_mutex_init(&h->lock, NULL);
	if (addr->ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	/* Signals belong to the sample loop's thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	h->daemon = mhd.start_daemon(flags, 0, NULL, NULL, export_http_answer,
	    h, MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)addr,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)EXPORT_HTTP_MAX_CONN,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT,
	    (unsigned)EXPORT_HTTP_MAX_PER_IP, MHD_OPTION_CONNECTION_TIMEOUT,
	    (unsigned)EXPORT_HTTP_TIMEOUT_S, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
	    (size_t)EXPORT_HTTP_MEMORY, MHD_OPTION_LISTENING_ADDRESS_REUSE,
	    (unsigned)1, MHD_OPTION_SIGPIPE_HANDLED_BY_APP, (int)1,
	    MHD_OPTION_END);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (h->daemon == NULL) {
		char host[INET6_ADDRSTRLEN] = "?";
		int port = 0;

		if (addr->ss_family == AF_INET) {
			const struct sockaddr_in *in = (const void *)addr;

			inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
			port = ntohs(in->sin_port);
		} else {
			const struct sockaddr_in6 *in6 = (const void *)addr;

			inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
			port = ntohs(in6->sin6_port);
		}
		*err = xasprintf("cannot listen on %s port %d (in use, or "
		                 "not an address of this machine?)",
		    host, port);
		pthread_mutex_destroy(&h->lock);
		free(h);
		return NULL;
	}
	info = mhd.get_daemon_info(h->daemon, MHD_DAEMON_INFO_BIND_PORT);
	h->port = info != NULL ? info->port : 0;
	return h;
}

int
export_http_port(const struct export_http *h)
{
	return h->port;
}

void
export_http_publish(
    struct export_http *h, struct export_om_buf *prom, struct export_om_buf *om)
{
	struct export_http_page *pg = xcalloc(1, sizeof *pg), *old;

	pg->refs = 1; /* the server's own reference */
	pg->body[EXPORT_OM_PROMETHEUS] = *prom;
	pg->body[EXPORT_OM_OPENMETRICS] = *om;
	memset(prom, 0, sizeof *prom);
	memset(om, 0, sizeof *om);
	pthread_mutex_lock(&h->lock);
	old = h->page;
	h->page = pg;
	pthread_mutex_unlock(&h->lock);
	export_http_page_unref(h, old);
}

void
export_http_stop(struct export_http *h)
{
	if (h == NULL)
		return;
	mhd.stop_daemon(h->daemon);
	export_http_page_unref(h, h->page);
	pthread_mutex_destroy(&h->lock);
	free(h);
}
