/*
 * fuzz-runtime.c - libFuzzer target for the runtime figures' parsers of
 * outside bytes: a JVM's hsperfdata, a Go program's pprof text, expvar JSON
 * and Prometheus text (each tried on every input, and the detector), and
 * the status lines the hsperfdata reader takes ids from.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hsperf.h"
#include "rtgo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every figures' contract: a reason when not OK, one line, NUL-ended; the
 * summary formats whatever they hold. */
static void
check_figures(const struct rt_figures *f)
{
	char line[256];
	const char *p;

	if (memchr(f->reason, '\0', sizeof f->reason) == NULL ||
	    memchr(f->detail, '\0', sizeof f->detail) == NULL)
		abort();
	if (f->status != RT_ST_OK && f->reason[0] == '\0')
		abort();
	for (p = f->reason; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20)
			abort();
	rtfig_summary(f, NULL, 1024, line, sizeof line);
	if (strlen(line) >= sizeof line)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rt_figures f, g;
	struct rt_rates r;
	struct hsperf h;
	const char *why;
	const char *buf = (const char *)data;
	long pid, uid;
	int rc;

	rc = hsperf_parse(data, size, &h, &why);
	if (rc == 0) {
		if (h.entries > h.num_entries)
			abort();
		hsperf_figures(&h, &f);
		check_figures(&f);
	} else if (why == NULL)
		abort();
	rtgo_parse_pprof(buf, size, &f);
	check_figures(&f);
	rtgo_parse_expvar(buf, size, &f);
	check_figures(&f);
	rtgo_parse_prom(buf, size, &f);
	check_figures(&f);
	rtgo_parse(buf, size, &g);
	check_figures(&g);
	/* Rates between two readings of whatever was found. */
	f.mono = 1;
	g.mono = 2;
	rtfig_rates(&f, &g, &r);
	hsperf_status_ids(buf, size, &pid, &uid);
	return 0;
}
