/*
 * view-header.c - the five header lines: the target, the totals with their
 * trends and rates, the machine and cgroup, and how long until the limit;
 * and a sixth, the runtime's own figures, when there are some.
 */
#include "config.h"

#include <curses.h>
#include <string.h>
#include <time.h>

#include "facts.h"
#include "field.h"
#include "spark.h"
#include "util.h"
#include "view-int.h"

#define METRIC_SPARK 12

/* The runtime's line took a row at the last draw (HEADER_ROWS reads it:
 * the screens below lay out from it). */
static int view_header_rt_row;

int
view_header_rows(void)
{
	return LINES >= 18 ? 5 + view_header_rt_row : 2;
}

/* The facts of the model's last sample, worked out once per sample: a
 * redraw for a key (paging through 65,000 regions) reuses them. */
static const struct facts *
view_header_facts(const struct model *m)
{
	static struct facts fx;
	static const struct model *of;
	static uint64_t serial, samples;

	if (of != m || serial != model_serial(m) ||
	    samples != model_samples(m)) {
		facts_get(m, &fx);
		of = m;
		serial = model_serial(m);
		samples = model_samples(m);
	}
	return &fx;
}

/* How the target ended, when the header is to say it: a live target's once
 * it is gone, a recording's at its last sample; else NULL. */
static const struct end_verdict *
view_header_verdict(struct view *v)
{
	static struct session_summary sum;
	struct player *pl = v->app->player;
	size_t n;

	if (pl == NULL) {
		const struct end_verdict *e = pump_end_verdict(v->app->pump);

		return pump_ended(v->app->pump) && e->known ? e : NULL;
	}
	n = player_count(pl);
	if (n == 0 || player_position(pl) + 1 < n)
		return NULL;
	player_summary(pl, &sum);
	return sum.ended && sum.final != TARGET_ALIVE && sum.end.verdict.known ?
	    &sum.end.verdict :
	    NULL;
}

/* The cgroup/OOM line (facts.h says its words at every width) at row y
 * from x, in the warning colour when the limit or an OOM kill is near.
 * Returns whether it drew something. */
static bool
view_header_limit(
    struct view *v, const struct facts *fx, int y, int x, bool mem_shown)
{
	const struct end_verdict *end = view_header_verdict(v);
	char buf[1024];
	int warn = end != NULL ?
	    facts_header_end(end, COLS - x, buf, sizeof buf) :
	    facts_header_limit(
	        v->app->model, fx, COLS - x, mem_shown, buf, sizeof buf);

	if (warn < 0)
		return false;
	if (warn > 0 && v->colors)
		attron(COLOR_PAIR(PAIR_WARN) | A_BOLD);
	view_put(v->utf8, y, x, buf, strlen(buf), COLS - x, false);
	attroff(COLOR_PAIR(PAIR_WARN) | A_BOLD);
	return true;
}

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
	char buf[1024], a[16], b[16], age[16], state[300], rs[64];
	const struct facts *fx;
	const char *st;
	int x;
	bool mem_shown = false;
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
	/* What it runs: "go1.22.1", "JVM", "CPython 3.11". */
	facts_runtime_name(info, rs, sizeof rs);
	if (rs[0] != '\0' && x + 2 + (int)strlen(rs) < COLS)
		x += 2 + view_put_plain(0, x + 2, rs, COLS - x - 2);
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
	fx = view_header_facts(m);
	view_header_rt_row = 0;
	if (LINES < 18) {
		/* A short screen: the first total, and the OOM projection
		 * beside it, or alone when both do not fit. */
		x = 0;
		for (id = 0; id < FIELD_COUNT; id++) {
			if (!(field_get(id)->flags & FIELD_HEADER))
				continue;
			if (fx->oom.status != OOM_ETA || COLS >= 60)
				x = view_header_metric(v, 1, 0, id);
			break;
		}
		if (x < 0)
			x = 0;
		view_header_limit(v, fx, 1, x, false);
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

	/* Line 4: the limit that binds, how long until the OOM killer comes
	 * (facts.h: the projection of what cannot be reclaimed), pressure,
	 * the OOM kills since start, whose cgroup. */
	if (!view_header_limit(v, fx, 4, 0, mem_shown) && !mem_shown) {
		snprintf(buf, sizeof buf, "MemAvailable %s",
		    fmt_kb(info->mem_available_kb, a, sizeof a));
		view_put_plain(4, 0, buf, COLS);
	}

	/* Line 5: the runtime's own figures, when it has some. */
	if (facts_header_runtime(m, fx, COLS, buf, sizeof buf)) {
		view_header_rt_row = 1;
		view_put(v->utf8, 5, 0, buf, strlen(buf), COLS, false);
	}
}
