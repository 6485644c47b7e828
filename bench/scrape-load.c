/*
 * scrape-load.c - concurrent scrapers of memtop --listen, for the exporter's
 * load test and bench/run: C clients threads, each on a kept-alive
 * connection to 127.0.0.1 (or ::1) only, each scraping /metrics once per
 * interval for a bounded time, timing every scrape from its request to the
 * last byte of its body.  Prints one JSON line: scrapes, errors, the
 * median, p99 and worst latency in ms, the bytes of the last body.
 *
 * usage: scrape-load -p PORT [-c CLIENTS] [-t SECONDS] [-i SECONDS]
 *                    [-o] (ask for OpenMetrics) [-6] (::1)
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

#define MAX_CLIENTS 200
#define MAX_SECONDS 120

struct client {
	pthread_t thread;
	double *lat; /* ms */
	size_t n, cap;
	unsigned long errors;
	size_t last_len;
};

static int port;
static bool om, v6;
static double until, every;
static size_t bufcap = 16 << 20; /* the biggest body read */

static int
scrape_connect(void)
{
	struct sockaddr_in in4;
	struct sockaddr_in6 in6;
	int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int one = 1;

	if (fd < 0)
		return -1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	memset(&in4, 0, sizeof in4);
	memset(&in6, 0, sizeof in6);
	in4.sin_family = AF_INET;
	in4.sin_port = htons((uint16_t)port);
	in4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	in6.sin6_family = AF_INET6;
	in6.sin6_port = htons((uint16_t)port);
	in6.sin6_addr = in6addr_loopback;
	if ((v6 ? connect(fd, (struct sockaddr *)&in6, sizeof in6) :
	          connect(fd, (struct sockaddr *)&in4, sizeof in4)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* One GET on fd into b: the body's length, or -1 (the connection is then
 * no good). */
static long
scrape_once(int fd, char *b, size_t cap)
{
	char req[256];
	size_t have = 0, want = 0;
	char *end = NULL, *cl;
	int n = snprintf(req, sizeof req,
	    "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: %s\r\n\r\n",
	    om ? "application/openmetrics-text; version=1.0.0" :
	         "text/plain; version=0.0.4");

	if (write(fd, req, (size_t)n) != n)
		return -1;
	for (;;) {
		ssize_t r;

		if (have == cap)
			return -1;
		r = read(fd, b + have, cap - have);
		if (r <= 0)
			return -1;
		have += (size_t)r;
		if (end == NULL) {
			b[have < cap ? have : cap - 1] = '\0';
			end = strstr(b, "\r\n\r\n");
			if (end == NULL)
				continue;
			if (strncmp(b, "HTTP/1.1 200 ", 13) != 0)
				return -1;
			cl = strcasestr(b, "\r\nContent-Length:");
			if (cl == NULL || cl > end)
				return -1;
			want =
			    (size_t)(end + 4 - b) + strtoul(cl + 17, NULL, 10);
		}
		if (have >= want)
			return (long)(want - (size_t)(end + 4 - b));
	}
}

static void *
scrape_client(void *arg)
{
	struct client *c = arg;
	char *b = xmalloc(bufcap);
	double next = clock_mono();
	int fd = -1;

	while (clock_mono() < until) {
		double t0;
		long len;

		if (fd < 0 && (fd = scrape_connect()) < 0) {
			c->errors++;
			usleep(10000);
			continue;
		}
		t0 = clock_mono();
		len = scrape_once(fd, b, bufcap);
		if (len < 0) {
			c->errors++;
			close(fd);
			fd = -1;
			continue;
		}
		if (c->n == c->cap) {
			c->cap = c->cap ? c->cap * 2 : 1024;
			c->lat = xrealloc(c->lat, c->cap * sizeof *c->lat);
		}
		c->lat[c->n++] = (clock_mono() - t0) * 1000;
		c->last_len = (size_t)len;
		next += every;
		if (next > clock_mono())
			usleep((useconds_t)((next - clock_mono()) * 1e6));
		else
			next = clock_mono();
	}
	if (fd >= 0)
		close(fd);
	free(b);
	return NULL;
}

static int
scrape_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
	static struct client cl[MAX_CLIENTS];
	long clients = 50, i;
	double seconds = 10, *all;
	size_t n = 0, k;
	unsigned long errors = 0, last = 0;
	int c;

	every = 0.1;
	while ((c = getopt(argc, argv, "p:c:t:i:o6")) != -1) {
		switch (c) {
		case 'p':
			port = atoi(optarg);
			break;
		case 'c':
			clients = atol(optarg);
			break;
		case 't':
			seconds = atof(optarg);
			break;
		case 'i':
			every = atof(optarg);
			break;
		case 'o':
			om = true;
			break;
		case '6':
			v6 = true;
			break;
		default:
			fprintf(stderr,
			    "usage: scrape-load -p PORT [-c CLIENTS] "
			    "[-t SECONDS] [-i SECONDS] [-o] [-6]\n");
			return 2;
		}
	}
	/* Bounded in count and time: a load test, not a flood. */
	if (port <= 0 || port > 65535 || clients < 1 || clients > MAX_CLIENTS ||
	    !(seconds > 0 && seconds <= MAX_SECONDS) || !(every >= 0.001)) {
		fprintf(stderr,
		    "scrape-load: a port, 1..%d clients, up to "
		    "%d s, an interval of 1 ms at least\n",
		    MAX_CLIENTS, MAX_SECONDS);
		return 2;
	}
	until = clock_mono() + seconds;
	for (i = 0; i < clients; i++)
		if (pthread_create(&cl[i].thread, NULL, scrape_client, &cl[i]))
			return 1;
	for (i = 0; i < clients; i++) {
		pthread_join(cl[i].thread, NULL);
		n += cl[i].n;
		errors += cl[i].errors;
		if (cl[i].last_len)
			last = cl[i].last_len;
	}
	all = xcalloc(n + 1, sizeof *all);
	for (n = 0, i = 0; i < clients; i++) {
		for (k = 0; k < cl[i].n; k++)
			all[n++] = cl[i].lat[k];
		free(cl[i].lat);
	}
	qsort(all, n, sizeof *all, scrape_cmp);
	printf("{\"clients\": %ld, \"seconds\": %g, \"scrapes\": %zu, "
	       "\"errors\": %lu, \"median_ms\": %.3f, \"p99_ms\": %.3f, "
	       "\"max_ms\": %.3f, \"body_bytes\": %lu}\n",
	    clients, seconds, n, errors, n ? all[n / 2] : 0.0,
	    n ? all[(size_t)((double)(n - 1) * 0.99)] : 0.0,
	    n ? all[n - 1] : 0.0, last);
	free(all);
	return 0;
}
