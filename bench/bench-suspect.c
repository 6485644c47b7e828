/*
 * bench-suspect.c - the cost of ranking leak suspects on a synthetic model
 * of many regions (make bench-suspect): a full history of MODEL_HISTORY
 * samples, then suspect_rank() after each of the last samples (a new
 * sample each time, so nothing is cached), median CPU milliseconds (the
 * machine may be shared), beside the model_ingest() of the same sample.
 * By groups, the model's own model_groups() (which the dashboard's group
 * view calls for the same sample anyway) is timed apart.
 *
 * usage: bench/bench-suspect [REGIONS]   (default 60000)
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suspect.h"
#include "util.h"

#define TIMED 21

static int
cmp_double(const void *pa, const void *pb)
{
	double a = *(const double *)pa, b = *(const double *)pb;

	return a < b ? -1 : a > b;
}

/* Sample k: regions grow at (i % every == 0) when every > 0, one in three
 * of those as a sawtooth; the rest hold still. */
static void
fill(struct snapshot *s, size_t nreg, long every, int k)
{
	size_t i;

	snapshot_clear(s);
	s->mono = 1000 + k;
	s->wall = 1700000000 + k;
	for (i = 0; i < nreg; i++) {
		struct region r;
		uint64_t rss = 64;

		memset(&r, 0, sizeof r);
		r.start = 0x10000000ULL + (uint64_t)i * 0x20000;
		r.end = r.start + 0x10000;
		memcpy(r.perms, i % 2 ? "r--p" : "rw-p", 4);
		if (every > 0 && i % (size_t)every == 0)
			rss += i % 3 == 0 ? (uint64_t)(k % 8) * 512 :
			                    (uint64_t)k * 16 * (i % 5 + 1);
		r.kb[SF_SIZE] = 64;
		r.kb[SF_RSS] = r.kb[SF_PSS] = r.kb[SF_PRIVATE_DIRTY] = rss;
		r.present = (1u << SF_SIZE) | (1u << SF_RSS) | (1u << SF_PSS) |
		    (1u << SF_PRIVATE_DIRTY);
		if (i % 4 == 3)
			snapshot_add_region(s, &r, "/usr/lib/libbench.so", 20);
		else
			snapshot_add_region(s, &r, "", 0);
	}
}

static void
run(size_t nreg, long every, enum group_by by, const char *what)
{
	struct model *m = model_new();
	struct snapshot *s = snapshot_new();
	struct suspect_ranking *sr = suspect_ranking_new();
	struct suspect_opts o;
	const struct suspect *out;
	double rank_ms[TIMED], ingest_ms[TIMED], groups_ms[TIMED], t;
	const struct region_group *g;
	size_t n = 0;
	int k, j = 0;

	suspect_opts_init(&o);
	o.by = by;
	for (k = 0; k < MODEL_HISTORY + TIMED; k++) {
		fill(s, nreg, every, k);
		t = clock_cpu();
		model_ingest(m, s);
		if (k >= MODEL_HISTORY)
			ingest_ms[j] = (clock_cpu() - t) * 1000;
		if (k < MODEL_HISTORY)
			continue;
		t = clock_cpu();
		if (by != GROUP_NONE)
			model_groups(m, by, &g);
		groups_ms[j] = (clock_cpu() - t) * 1000;
		t = clock_cpu();
		n = suspect_rank(sr, m, &o, &out);
		rank_ms[j++] = (clock_cpu() - t) * 1000;
	}
	qsort(rank_ms, TIMED, sizeof *rank_ms, cmp_double);
	qsort(ingest_ms, TIMED, sizeof *ingest_ms, cmp_double);
	qsort(groups_ms, TIMED, sizeof *groups_ms, cmp_double);
	printf("%7zu regions %-22s rank %6.2f ms (ingest %6.2f, groups %6.2f) "
	       "%5zu candidates, %3zu analysed, %2zu listed, top %.0f kB/s "
	       "%.2f\n",
	    nreg, what, rank_ms[TIMED / 2], ingest_ms[TIMED / 2],
	    groups_ms[TIMED / 2], suspect_ncandidates(sr),
	    suspect_nanalysed(sr), n, n ? out[0].rate_kb_s : 0,
	    n ? out[0].confidence : 0);
	fflush(stdout);
	suspect_ranking_free(sr);
	snapshot_free(s);
	model_free(m);
}

int
main(int argc, char **argv)
{
	size_t nreg = argc > 1 ? (size_t)strtoul(argv[1], NULL, 10) : 60000;

	printf("suspect_rank(), median CPU ms of %d samples, a history of %d\n",
	    TIMED, MODEL_HISTORY);
	run(nreg, 0, GROUP_NONE, "none growing");
	run(nreg, 100, GROUP_NONE, "1% growing");
	run(nreg, 1, GROUP_NONE, "all growing");
	run(nreg, 100, GROUP_CLASS, "1% growing, by class");
	run(nreg, 100, GROUP_FILE, "1% growing, by file");
	return 0;
}
