/*
 * view-header.c - the five header lines: the target, the totals with their
 * trends and rates, the machine and cgroup, and how long until the limit.
 */
#include <curses.h>
#include <string.h>

#include "spark.h"
#include "util.h"
#include "view-int.h"

#define METRIC_SPARK 12

/* "RSS 14.0M ▁▂▃▅ +64.0K/s" at x; returns the next x, or -1 if no room. */
static int
view_metric(struct view *v, int y, int x, const char *name, enum series s,
    enum smaps_field f)
{
	const struct model *m = v->app->model;
	const struct model_totals *t = model_totals(m);
	uint64_t h[MODEL_HISTORY];
	char val[16], spark[64], rate[32], buf[160];
	double r = model_totals_rate(m, s);
	size_t n;
	int w;

	fmt_kb(t->kb[f], val, sizeof val);
	n = model_history(m, &t->hist[s], 0, UINT64_MAX, h, METRIC_SPARK);
	spark_render(h, n, METRIC_SPARK, v->utf8, spark, sizeof spark);
	if (r > -0.05 && r < 0.05)
		snprintf(rate, sizeof rate, "0/s");
	else
		snprintf(rate, sizeof rate, "%+.1fK/s", r);
	w = (int)strlen(name) + 1 + 6 + 1 + METRIC_SPARK + 1 + 10;
	if (x + w > COLS)
		return -1;
	attron(A_BOLD);
	mvaddstr(y, x, name);
	attroff(A_BOLD);
	snprintf(buf, sizeof buf, " %6s ", val);
	addstr(buf);
	if (v->colors)
		attron(COLOR_PAIR(PAIR_BAR));
	view_put_plain(y, getcurx(stdscr), spark, METRIC_SPARK);
	if (v->colors)
		attroff(COLOR_PAIR(PAIR_BAR));
	if (v->colors && r >= 0.05)
		attron(COLOR_PAIR(PAIR_UP));
	mvprintw(y, x + w - 10, " %-9s", rate);
	if (v->colors)
		attroff(COLOR_PAIR(PAIR_UP));
	return x + w + 1;
}

/* What the dashboard says of the target's state, or NULL when all is well. */
static const char *
view_state_text(struct view *v, char *buf, size_t size)
{
	struct app *app = v->app;

	if (view_replaying(v)) {
		view_replay_status(v, buf, size);
		return buf;
	}
	if (app->ended) {
		snprintf(buf, size, "%s", app->end_cause ? app->end_cause :
		    "sampling ended");
		return buf;
	}
	if (app->sampler != NULL && sampler_late(app->sampler)) {
		snprintf(buf, size, "sample late (%.0fs): the target may be "
		    "frozen or in D state", sampler_busy(app->sampler));
		return buf;
	}
	if (app->rec_error != NULL) {
		snprintf(buf, size, "recording stopped: %s", app->rec_error);
		return buf;
	}
	if (app->sampler != NULL && sampler_paused(app->sampler))
		return "PAUSED";
	if (model_target_state(app->model) == TARGET_EXECED)
		return "the process ran exec: a new program";
	if (model_samples(app->model) == 0)
		return "waiting for the first sample";
	return NULL;
}

void
view_draw_header(struct view *v)
{
	const struct model *m = v->app->model;
	const struct snapshot_info *info = model_info(m);
	const struct model_totals *t = model_totals(m);
	char buf[512], a[16], b[16], age[16], state[300];
	const char *st;
	int x;

	/* Line 0: who, what is wrong if anything, how long, how often, and
	 * at what cost.  The state comes early so a narrow screen shows it. */
	attron(A_BOLD);
	mvaddstr(0, 0, "memtop");
	attroff(A_BOLD);
	snprintf(buf, sizeof buf, "  pid %d", info->pid ? info->pid :
	    v->app->pid);
	x = 6 + view_put_plain(0, 6, buf, COLS - 6);
	if ((st = view_state_text(v, state, sizeof state)) != NULL &&
	    x + 2 < COLS) {
		int attr = v->colors ? COLOR_PAIR(PAIR_GONE) | A_BOLD :
		    A_REVERSE;

		attron(attr);
		x += 2 + view_put(v, 0, x + 2, st, strlen(st), COLS - x - 2,
		    false);
		attroff(attr);
	}
	if (x + 2 < COLS)
		x += 2 + view_put(v, 0, x + 2, info->comm, strlen(info->comm),
		    COLS - x - 2 < 24 ? COLS - x - 2 : 24, false);
	snprintf(buf, sizeof buf, "  up %s  every %gs  sample %.1f ms  %zu "
	    "regions", fmt_duration(info->age_s, age, sizeof age),
	    v->app->interval, model_last_sample_ms(m), t->nregions);
	if (model_torn(m) > 0)
		snprintf(buf + strlen(buf), sizeof buf - strlen(buf),
		    "  (%u torn)", model_torn(m));
	if (x < COLS)
		view_put_plain(0, x, buf, COLS - x);
	if (HEADER_ROWS < 5) {
		/* A short screen: the RSS total alone. */
		view_metric(v, 1, 0, "RSS", SERIES_RSS, SF_RSS);
		return;
	}

	/* Line 1: the command line, escaped. */
	mvaddstr(1, 0, "cmd ");
	view_put(v, 1, 4, info->cmdline, info->cmdline_len, COLS - 4, false);

	/* Lines 2-3: the totals, each with its trend and rate. */
	x = view_metric(v, 2, 0, "RSS", SERIES_RSS, SF_RSS);
	if (x > 0)
		x = view_metric(v, 2, x, "PSS", SERIES_PSS, SF_PSS);
	if (x > 0)
		view_metric(v, 2, x, "Dirty", SERIES_PRIVATE_DIRTY,
		    SF_PRIVATE_DIRTY);
	x = view_metric(v, 3, 0, "Swp", SERIES_SWAP, SF_SWAP);
	if (x < 0)
		x = 0;
	snprintf(buf, sizeof buf, "  Anon %s  MemAvailable %s of %s",
	    fmt_kb(t->kb[SF_ANONYMOUS], a, sizeof a),
	    fmt_kb(info->mem_available_kb, b, sizeof b),
	    fmt_kb(info->mem_total_kb, state, sizeof state));
	view_put_plain(3, x, buf, COLS - x);

	/* Line 4: the cgroup's limit and how long until it is reached. */
	move(4, 0);
	if (info->has_cgroup) {
		double rate = model_totals_rate(m, SERIES_RSS);
		char lim[16], eta[16];

		fmt_kb(info->cg_current / 1024, a, sizeof a);
		if (info->cg_max == UINT64_MAX)
			snprintf(buf, sizeof buf, "cgroup %s: %s used, no limit",
			    info->cgroup_path, a);
		else {
			double left = (double)(info->cg_max - (info->cg_current <
			    info->cg_max ? info->cg_current : info->cg_max)) /
			    1024;

			fmt_kb(info->cg_max / 1024, lim, sizeof lim);
			snprintf(buf, sizeof buf, "cgroup %s: %s of %s (%.0f%%)",
			    info->cgroup_path, a, lim, 100.0 *
			    (double)info->cg_current / (double)info->cg_max);
			if (rate > 0.05)
				snprintf(buf + strlen(buf), sizeof buf -
				    strlen(buf), "  limit in ~%s at %+.1fK/s",
				    fmt_duration(left / rate, eta, sizeof eta),
				    rate);
			if (info->cg_oom_kills > 0)
				snprintf(buf + strlen(buf), sizeof buf -
				    strlen(buf), "  OOM kills %llu",
				    (unsigned long long)info->cg_oom_kills);
		}
		view_put(v, 4, 0, buf, strlen(buf), COLS, false);
	} else if (info->mem_available_kb > 0 &&
	    model_totals_rate(m, SERIES_RSS) > 0.05) {
		double rate = model_totals_rate(m, SERIES_RSS);

		snprintf(buf, sizeof buf, "no cgroup limit; at %+.1fK/s "
		    "MemAvailable lasts ~%s", rate, fmt_duration(
		    (double)info->mem_available_kb / rate, age, sizeof age));
		view_put_plain(4, 0, buf, COLS);
	}
}
