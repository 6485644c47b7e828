/*
 * batch-suspects.c - the leak suspects in batch output: the "suspects"
 * array of each JSON sample, the top suspects under the text header, and
 * --format suspects, the ranking alone.  The same ranking as the
 * dashboard's (suspect.h, with the OOM headroom of report.h).
 */
#include "config.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "batch.h"
#include "report.h"
#include "util.h"

#define BATCH_SUSPECTS_MAX 10 /* in JSON and --format suspects */
#define BATCH_SUSPECTS_TOP 3  /* under the text header */

/* The ranking of m's regions, at most max: the count, *out borrowed from
 * sr. */
static size_t
batch_suspects_rank(struct suspect_ranking *sr, struct model *m, size_t max,
    const struct suspect **out)
{
	struct suspect_opts o;

	*out = NULL;
	if (model_samples(m) == 0)
		return 0;
	report_suspect_opts(m, GROUP_NONE, max, &o);
	return suspect_rank(sr, m, &o, out);
}

/* A number that may be unknown: null in JSON. */
static void
batch_suspects_json_num(FILE *f, const char *key, double v, int prec)
{
	fprintf(f, ", \"%s\": ", key);
	if (isfinite(v))
		fprintf(f, "%.*f", prec, v);
	else
		fputs("null", f);
}

void
batch_suspects_json(FILE *f, struct model *m)
{
	struct suspect_ranking *sr = suspect_ranking_new();
	const struct suspect *s;
	size_t n = batch_suspects_rank(sr, m, BATCH_SUSPECTS_MAX, &s), i;

	fputs(", \"suspects\": [", f);
	for (i = 0; i < n; i++) {
		const char *path;
		size_t len;

		path = model_path(m, s[i].path_id, &len);
		fprintf(f,
		    "%s{\"start\": \"%" PRIx64 "\", \"end\": \"%" PRIx64
		    "\", \"class\": ",
		    i ? ", " : "", s[i].start, s[i].end);
		json_put_string(f, s[i].label, strlen(s[i].label));
		fputs(", \"path\": ", f);
		json_put_string(f, path, len);
		fprintf(f,
		    ", \"rate_kb_s\": %.3f, \"growth_kb\": %.0f, "
		    "\"confidence\": %.3f, \"since_s\": %.1f, "
		    "\"growth_start_kb\": %" PRId64
		    ", \"growth_base_kb\": %" PRId64 ", \"rss_kb\": %" PRIu64
		    ", \"trend\": \"%s\"",
		    s[i].rate_kb_s,
		    s[i].trend.growth_kb > 0 ? s[i].trend.growth_kb : 0,
		    s[i].confidence, s[i].growing_s, s[i].growth_start_kb,
		    s[i].growth_base_kb, s[i].rss_kb,
		    suspect_steadiness_word(&s[i].trend));
		batch_suspects_json_num(f, "since", s[i].since_wall, 3);
		batch_suspects_json_num(f, "share", s[i].share_process, 3);
		batch_suspects_json_num(f, "oom_s", s[i].oom_s, 0);
		fputc('}', f);
	}
	fputc(']', f);
	suspect_ranking_free(sr);
}

/* The ranking's table: a heading and up to n lines. */
static void
batch_suspects_table(
    FILE *f, const struct model *m, const struct suspect *s, size_t n)
{
	size_t i;

	fprintf(f, "%4s %5s %9s %8s %8s %8s %6s %8s %8s %-13s %-16s %s\n",
	    "RANK", "CONF", "RATE", "GROWTH", "+START", "+BASE", "SHARE",
	    "GROWING", "OOM_IN", "TREND", "CLASS", "RANGE  PATH");
	for (i = 0; i < n; i++) {
		char rate[16], g[16], gs[16], gb[16], share[16], dur[16],
		    oom[16], label[160], path[1024];

		fmt_rate(s[i].rate_kb_s, rate, sizeof rate);
		fmt_kb_delta((int64_t)(s[i].trend.growth_kb > 0 ?
		                     s[i].trend.growth_kb + 0.5 :
		                     0),
		    g, sizeof g);
		fmt_kb_delta(s[i].growth_start_kb, gs, sizeof gs);
		fmt_kb_delta(s[i].growth_base_kb, gb, sizeof gb);
		if (isfinite(s[i].share_process))
			snprintf(share, sizeof share, "%.0f%%",
			    100 * s[i].share_process);
		else
			snprintf(share, sizeof share, "-");
		fmt_duration(s[i].growing_s, dur, sizeof dur);
		if (isfinite(s[i].oom_s))
			fmt_duration(s[i].oom_s, oom, sizeof oom);
		else
			snprintf(oom, sizeof oom, "-");
		report_suspect_names(
		    m, &s[i], label, sizeof label, path, sizeof path, true);
		fprintf(f,
		    "%4zu %5.2f %9s %8s %8s %8s %6s %8s %8s %-13s %-16s "
		    "%016" PRIx64 "-%016" PRIx64 "%s%s\n",
		    i + 1, s[i].confidence, rate, g, gs, gb, share, dur, oom,
		    suspect_steadiness_word(&s[i].trend), label, s[i].start,
		    s[i].end, *path ? "  " : "", path);
	}
}

void
batch_suspects_text(FILE *f, struct model *m)
{
	struct suspect_ranking *sr = suspect_ranking_new();
	const struct suspect *s, *top;
	size_t n = batch_suspects_rank(sr, m, BATCH_SUSPECTS_TOP, &s);
	char line[512];

	top = suspect_top(s, n);
	if (top != NULL) {
		suspect_line(m, top, line, sizeof line, true);
		fprintf(f, "%s (confidence %.2f)\n", line, top->confidence);
	} else
		fprintf(f, "leak suspect: none%s\n",
		    n > 0 ? " confident yet (what grows does not grow "
		            "steadily)" :
		            "");
	if (n > 0)
		batch_suspects_table(f, m, s, n);
	suspect_ranking_free(sr);
}

void
batch_suspects_print(FILE *f, struct model *m)
{
	struct suspect_ranking *sr = suspect_ranking_new();
	const struct snapshot_info *info = model_info(m);
	const struct suspect *s;
	size_t n = batch_suspects_rank(sr, m, BATCH_SUSPECTS_MAX, &s);
	char when[32], comm[256], span[16];
	time_t wall = (time_t)model_last_wall(m);
	struct tm tm;

	localtime_r(&wall, &tm);
	strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
	esc_text(info->comm, strlen(info->comm), comm, sizeof comm, true);
	fmt_duration(
	    model_last_wall(m) - model_first_wall(m), span, sizeof span);
	fprintf(f, "memtop - %s  pid %d (%s)  sample %" PRIu64 " (%s)  %s\n",
	    when, info->pid, comm, model_samples(m), span,
	    n == 0                ? "no region grows" :
	        suspect_top(s, n) ? "leak suspects" :
	                            "growing, none confident");
	if (n > 0)
		batch_suspects_table(f, m, s, n);
	fputc('\n', f);
	suspect_ranking_free(sr);
}
