/*
 * view-header.c - the five header lines: the target, the totals with their
 * trends and rates, the machine and cgroup, and how long until the limit.
 */
#include "config.h"

#include <curses.h>
#include <string.h>
#include <time.h>

#include "field.h"
#include "spark.h"
#include "util.h"
#include "view-int.h"

#define METRIC_SPARK 12

/* "RSS    14.0M ▁▂▃▅ +64.0K/s" at x from a value, its history (oldest
 * first) and its rate; returns the next x, or -1 if there is no room. */
static int
view_header_metric_draw(struct view *v, int y, int x, const char *name,
    uint64_t kb, const uint64_t *h, size_t n, double r)
{
	char val[16], spark[64], rate[32], buf[160];
	int w;

	fmt_kb(kb, val, sizeof val);
	spark_render(h, n, METRIC_SPARK, v->utf8, spark, sizeof spark);
	fmt_rate(r, rate, sizeof rate);
	strcat(rate, "/s");
	w = 5 + 1 + 6 + 1 + METRIC_SPARK + 1 + 10;
	if (x + w > COLS)
		return -1;
	attron(A_BOLD);
	mvaddstr(y, x, name);
	attroff(A_BOLD);
	snprintf(buf, sizeof buf, " %6s ", val);
	mvaddstr(y, x + 5, buf);
	if (v->colors)
		attron(COLOR_PAIR(PAIR_BAR));
	view_put_plain(y, x + 13, spark, METRIC_SPARK);
	if (v->colors)
		attroff(COLOR_PAIR(PAIR_BAR));
	if (v->colors && r >= 0.05)
		attron(COLOR_PAIR(PAIR_UP));
	mvprintw(y, x + w - 10, " %-9s", rate);
	if (v->colors)
		attroff(COLOR_PAIR(PAIR_UP));
	return x + w + 1;
}

/* A header total of the registry: its value, its trend and its rate, all
 * from the model. */
static int
view_header_metric(struct view *v, int y, int x, enum field_id id)
{
	const struct field *f = field_get(id);
	const struct model *m = v->app->model;
	const struct model_totals *t = model_totals(m);
	uint64_t h[MODEL_HISTORY];
	size_t n;

	n = model_history(
	    m, &t->hist[f->series], 0, UINT64_MAX, h, METRIC_SPARK);
	return view_header_metric_draw(v, y, x, f->title, t->kb[f->sf], h, n,
	    model_totals_rate(m, f->series));
}

void
view_header_draw(struct view *v)
{
	const struct model *m = v->app->model;
	const struct snapshot_info *info = model_info(m);
	const struct model_totals *t = model_totals(m);
	char buf[512], a[16], b[16], age[16], state[300], rs[32];
	const char *st;
	int x;
	bool mem_shown = false;
	size_t o;
	double rate;
	int k, id;

	/* Line 0: who, what is wrong if anything, how long, how often, and
	 * at what cost.  The state comes early so a narrow screen shows it. */
	attron(A_BOLD);
	mvaddstr(0, 0, "memtop");
	attroff(A_BOLD);
	snprintf(
	    buf, sizeof buf, "  pid %d", info->pid ? info->pid : v->app->pid);
	x = 6 + view_put_plain(0, 6, buf, COLS - 6);
	if (v->overlay != NULL && v->overlay->state != NULL &&
	    (st = v->overlay->state(v, state, sizeof state)) != NULL &&
	    x + 2 < COLS) {
		int attr =
		    v->colors ? COLOR_PAIR(PAIR_GONE) | A_BOLD : A_REVERSE;

		attron(attr);
		x += 2 +
		    view_put(
		        v->utf8, 0, x + 2, st, strlen(st), COLS - x - 2, false);
		attroff(attr);
	}
	if (x + 2 < COLS)
		x += 2 +
		    view_put(v->utf8, 0, x + 2, info->comm, strlen(info->comm),
		        COLS - x - 2 < 24 ? COLS - x - 2 : 24, false);
	snprintf(buf, sizeof buf,
	    "  up %s  every %gs  sample %.1f ms  %zu "
	    "regions",
	    fmt_duration(info->age_s, age, sizeof age), v->app->interval,
	    model_last_sample_ms(m), t->nregions);
	if (model_torn(m) > 0)
		snprintf(buf + strlen(buf), sizeof buf - strlen(buf),
		    "  (%u torn)", model_torn(m));
	if (x < COLS)
		view_put_plain(0, x, buf, COLS - x);
	if (HEADER_ROWS < 5) {
		/* A short screen: the first total alone. */
		for (id = 0; id < FIELD_COUNT; id++) {
			if (field_get(id)->flags & FIELD_HEADER) {
				view_header_metric(v, 1, 0, id);
				break;
			}
		}
		return;
	}

	/* Line 1: the command line, escaped. */
	mvaddstr(1, 0, "cmd ");
	view_put(
	    v->utf8, 1, 4, info->cmdline, info->cmdline_len, COLS - 4, false);

	/* Lines 2-3: the registry's header totals, three on the first line,
	 * each with its trend and rate. */
	for (k = 0, x = 0, id = 0; id < FIELD_COUNT; id++) {
		if (!(field_get(id)->flags & FIELD_HEADER))
			continue;
		if (k++ == 3)
			x = 0;
		if (x >= 0)
			x = view_header_metric(v, k <= 3 ? 2 : 3, x, id);
	}
	if (x < 0)
		x = 0;
	snprintf(buf, sizeof buf, "MemAvailable %s of %s",
	    fmt_kb(info->mem_available_kb, a, sizeof a),
	    fmt_kb(info->mem_total_kb, b, sizeof b));
	if (x + (int)strlen(buf) > COLS)
		snprintf(buf, sizeof buf, "avail %s", a);
	if (x + (int)strlen(buf) <= COLS) {
		view_put_plain(3, x, buf, COLS - x);
		mem_shown = true;
	}

	/* Line 4: the cgroup's limit and how long until it is reached (or
	 * until MemAvailable runs out), the cgroup's name last. */
	o = 0;
	buf[0] = '\0';
	if (!mem_shown)
		o += (size_t)snprintf(buf, sizeof buf, "MemAvailable %s  ",
		    fmt_kb(info->mem_available_kb, a, sizeof a));
	rate = model_totals_rate(m, SERIES_RSS);
	fmt_rate(rate, rs, sizeof rs); /* as the totals show it */
	if (info->has_cgroup && info->cg_max != UINT64_MAX) {
		double left =
		    (double)(info->cg_max -
		        (info->cg_current < info->cg_max ? info->cg_current :
		                                           info->cg_max)) /
		    1024;

		o += (size_t)snprintf(buf + o, sizeof buf - o,
		    "cgroup %s of "
		    "%s (%.0f%%)",
		    fmt_kb(info->cg_current / 1024, a, sizeof a),
		    fmt_kb(info->cg_max / 1024, b, sizeof b),
		    100.0 * (double)info->cg_current / (double)info->cg_max);
		if (rate > 0.05 && o < sizeof buf)
			o += (size_t)snprintf(buf + o, sizeof buf - o,
			    ", limit in ~%s at %s/s",
			    fmt_duration(left / rate, age, sizeof age), rs);
	} else {
		if (info->has_cgroup)
			o += (size_t)snprintf(buf + o, sizeof buf - o,
			    "cgroup "
			    "%s, no limit",
			    fmt_kb(info->cg_current / 1024, a, sizeof a));
		if (rate > 0.05 && info->mem_available_kb > 0 && o < sizeof buf)
			o += (size_t)snprintf(buf + o, sizeof buf - o,
			    "%sat "
			    "%s/s MemAvailable lasts ~%s",
			    o ? "; " : "", rs,
			    fmt_duration((double)info->mem_available_kb / rate,
			        age, sizeof age));
	}
	if (info->has_cgroup && info->cg_oom_kills > 0 && o < sizeof buf)
		o += (size_t)snprintf(buf + o, sizeof buf - o,
		    "  OOM kills %llu", (unsigned long long)info->cg_oom_kills);
	if (info->has_cgroup && o < sizeof buf)
		o += (size_t)snprintf(
		    buf + o, sizeof buf - o, "  [%s]", info->cgroup_path);
	if (o > 0 && v->colors && info->has_cgroup &&
	    info->cg_max != UINT64_MAX &&
	    info->cg_current > info->cg_max / 10 * 9)
		attron(COLOR_PAIR(PAIR_WARN) | A_BOLD);
	view_put(v->utf8, 4, 0, buf, strlen(buf), COLS, false);
	attroff(COLOR_PAIR(PAIR_WARN) | A_BOLD);

	/* Line 5: the top leak suspect (view-suspects.c). */
	view_suspects_header(v, 5);
}
