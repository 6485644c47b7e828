/*
 * rt-probe.c - drives the runtime readers for the shell tests, the way the
 * sample loop will: one line of key=value per reading.
 *
 *   rt-probe hsperf PID [-n N] [-d SECS]      the JVM's hsperfdata
 *   rt-probe file PATH                        parse a saved file or body
 *   rt-probe check URL [-a]                   the URL rule
 *   rt-probe fetch URL [-n N] [-d SECS] [-t TIMEOUT] [-m MAXBYTES] [-a] [-w]
 *       the fetcher thread, kicked every SECS (with -w: kicked again as
 *       soon as a reading is in, SECS at most); then how long the caller's
 *       calls took at most (calls_max_ms) and rtfetch_stop (stop_ms)
 *
 * A reading: "status=ok source=go-expvar wall_start=T wall_end=T
 * heap_alloc=N ... summary=TEXT reason=TEXT" (reason last, to the end).
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hsperf.h"
#include "rtfetch.h"
#include "rtfig.h"
#include "rtgo.h"
#include "util.h"

static void
probe_print(const struct rt_figures *f, const struct rt_figures *prev)
{
	struct rt_rates r;
	char sum[256];
	int k;

	printf("status=%s source=%s wall_start=%.6f wall_end=%.6f",
	    rtfig_status_name(f->status), rtfig_source_name(f->source),
	    f->wall - f->read_secs, f->wall);
	for (k = 0; k < RTF_COUNT; k++)
		if (rtfig_has(f, (enum rt_field)k))
			printf(" %s=%llu", rtfig_fields[k].key,
			    (unsigned long long)f->v[k]);
	if (prev != NULL)
		rtfig_rates(prev, f, &r);
	rtfig_summary(f, prev != NULL ? &r : NULL, 0, sum, sizeof sum);
	printf(" detail=%s summary=%s reason=%s\n",
	    f->detail[0] ? f->detail : "-", sum, f->reason);
	fflush(stdout);
}

static void
probe_sleep(double s)
{
	struct timespec ts;

	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	nanosleep(&ts, NULL);
}

static int
probe_hsperf(const char *pid, int n, double d)
{
	struct rt_figures f, prev;
	char path[64], hint[256] = "";
	int fd, i;

	snprintf(path, sizeof path, "/proc/%s", pid);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		perror(path);
		return 1;
	}
	for (i = 0; i < n; i++) {
		if (i > 0)
			probe_sleep(d);
		hsperf_read(fd, NULL, &f, hint, sizeof hint);
		probe_print(&f, i > 0 ? &prev : NULL);
		prev = f;
	}
	close(fd);
	return 0;
}

static int
probe_file(const char *path)
{
	static char buf[16 << 20];
	struct rt_figures f;
	struct hsperf h;
	const char *why;
	size_t len;
	FILE *fp = fopen(path, "rb");

	if (fp == NULL) {
		perror(path);
		return 1;
	}
	len = fread(buf, 1, sizeof buf, fp);
	fclose(fp);
	if (len >= 4 && memcmp(buf, "\xca\xfe\xc0\xc0", 4) == 0) {
		if (hsperf_parse(buf, len, &h, &why) == 0)
			hsperf_figures(&h, &f);
		else {
			rtfig_init(&f, RT_SRC_JVM_HSPERF, RT_ST_OK);
			rtfig_fail(&f, RT_ST_ERROR, "%s", why);
		}
	} else
		rtgo_parse(buf, len, &f);
	probe_print(&f, NULL);
	return f.status == RT_ST_OK ? 0 : 1;
}

static int
probe_fetch(
    const char *url, int n, double d, bool until_new, struct rtfetch_opts *o)
{
	struct rt_figures f, prev;
	struct rtfetch *rf;
	double worst = 0, t0, t1, seen = 0, stop;
	char why[200];
	int i;

	rf = rtfetch_start(url, o, why, sizeof why);
	if (rf == NULL) {
		printf("refused reason=%s\n", why);
		return 1;
	}
	prev.status = RT_ST_PENDING;
	for (i = 0; i < n; i++) {
		t0 = clock_mono();
		rtfetch_kick(rf);
		if (clock_mono() - t0 > worst)
			worst = clock_mono() - t0;
		/* Poll as a sample loop would; with -w, until a reading. */
		for (t1 = clock_mono(); clock_mono() - t1 < d;) {
			probe_sleep(until_new ? 0.005 : d);
			t0 = clock_mono();
			rtfetch_latest(rf, &f);
			if (clock_mono() - t0 > worst)
				worst = clock_mono() - t0;
			if (until_new && f.mono > seen)
				break;
		}
		if (f.mono > seen) {
			probe_print(&f, prev.status == RT_ST_OK ? &prev : NULL);
			seen = f.mono;
			if (f.status == RT_ST_OK)
				prev = f;
		}
	}
	t0 = clock_mono();
	rtfetch_stop(rf);
	stop = clock_mono() - t0;
	printf("calls_max_ms=%.3f stop_ms=%.3f\n", worst * 1000, stop * 1000);
	return 0;
}

int
main(int argc, char **argv)
{
	struct rtfetch_opts o = { 0, 0, false };
	double d = 1;
	bool until_new = false;
	int n = 1, c;
	const char *mode, *arg;
	char why[200];

	if (argc < 3) {
		fprintf(stderr,
		    "usage: rt-probe hsperf|file|check|fetch ARG "
		    "[-n N] [-d S] [-t S] [-m BYTES] [-a] [-w]\n");
		return 2;
	}
	mode = argv[1];
	arg = argv[2];
	optind = 3;
	while ((c = getopt(argc, argv, "n:d:t:m:aw")) != -1) {
		switch (c) {
		case 'n':
			n = atoi(optarg);
			break;
		case 'd':
			d = atof(optarg);
			break;
		case 't':
			o.timeout = atof(optarg);
			break;
		case 'm':
			o.max_body = (size_t)atol(optarg);
			break;
		case 'a':
			o.any_host = true;
			break;
		case 'w':
			until_new = true;
			break;
		default:
			return 2;
		}
	}
	if (strcmp(mode, "hsperf") == 0)
		return probe_hsperf(arg, n, d);
	if (strcmp(mode, "file") == 0)
		return probe_file(arg);
	if (strcmp(mode, "check") == 0) {
		if (rtfetch_check_url(arg, o.any_host, why, sizeof why) == 0) {
			printf("ok\n");
			return 0;
		}
		printf("refused reason=%s\n", why);
		return 1;
	}
	if (strcmp(mode, "fetch") == 0)
		return probe_fetch(arg, n, d, until_new, &o);
	fprintf(stderr, "rt-probe: unknown mode %s\n", mode);
	return 2;
}
