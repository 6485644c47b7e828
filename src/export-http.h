/*
 * export-http.h - memtop --listen: the HTTP server of the exposition, on
 * libmicrohttpd's own thread.
 *
 * A scrape never waits for a sample and never holds up the sample loop:
 * export.c builds the exposition (both formats) after the samples and
 * publishes it here, which swaps one pointer under a lock; a scrape takes
 * a reference to the page published last under that lock and sends it
 * with a small tail of memtop's own figures of the moment (scrapes, CPU).
 *
 *   GET|HEAD /metrics  the exposition: OpenMetrics when Accept asks for
 *                      it, else the Prometheus text format 0.0.4 (406
 *                      when Accept allows neither)
 *   GET|HEAD /         a short HTML page linking /metrics
 *   other methods      405 with Allow: GET, HEAD;  other paths 404
 *
 * Bounded: EXPORT_HTTP_MAX_CONN connections (EXPORT_HTTP_MAX_PER_IP from
 * one address), EXPORT_HTTP_MEMORY bytes of request per connection (a
 * bigger request line or header is refused), EXPORT_HTTP_TIMEOUT_S
 * seconds of silence before a connection is closed; request bodies are
 * never read.
 */
#ifndef MEMTOP_EXPORT_HTTP_H
#define MEMTOP_EXPORT_HTTP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "export-om.h"

#define EXPORT_HTTP_MAX_CONN   128
#define EXPORT_HTTP_MAX_PER_IP 64
#define EXPORT_HTTP_MEMORY     (32 * 1024)
#define EXPORT_HTTP_TIMEOUT_S  10
#define EXPORT_HTTP_PORT       9256 /* when --listen gives no port */

/*
 * --listen ADDR:PORT into *ss: "127.0.0.1:9256", "[::1]:9256",
 * "0.0.0.0:9256" (all addresses: only when given), "localhost:9256", or a
 * port alone ("9256", ":9256"), which listens on 127.0.0.1.  0, or -EINVAL
 * with *err (malloc'd).
 */
int export_http_parse_addr(
    const char *s, struct sockaddr_storage *ss, socklen_t *len, char **err);

struct export_http;

/* Listen on addr (export_http_parse_addr) and serve from a thread of its
 * own.  NULL with *err (malloc'd) when it cannot. */
struct export_http *export_http_start(
    const struct sockaddr_storage *addr, socklen_t len, char **err);
/* The port it listens on (for a port 0 given). */
int export_http_port(const struct export_http *h);

/*
 * Serve these expositions (the body: families before OMF_BODY_END) from
 * now on.  Takes the buffers' memory (they are left empty); the page
 * published before is freed once the last scrape that sends it is done.
 */
void export_http_publish(struct export_http *h, struct export_om_buf *prom,
    struct export_om_buf *om);

/* Stop listening, wait for the server's thread, free everything. */
void export_http_stop(struct export_http *h);

#endif
