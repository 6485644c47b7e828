/*
 * batch-procs.c - memtop -b without -p: the machine's processes and their
 * memory, like procrank and smem, at every tick of the process list
 * (proclist.h) as text, CSV or JSON Lines; -n ticks, -d apart, sorted by
 * -s (PSS by default), -f a filter on the command line and container.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "batch.h"
#include "proclist.h"
#include "report.h"
#include "util.h"

/* Every process's PSS each tick: a batch list is read whole, however
 * long it takes (the picker's budget is for a screen that must stay
 * quick). */
#define BATCH_PROCS_BUDGET_MS 60000.0

static bool
batch_procs_wanted(const struct batch_procs *bp, int pid)
{
	size_t i;

	if (bp->npids == 0)
		return true;
	for (i = 0; i < bp->npids; i++) {
		if (bp->pids[i] == pid)
			return true;
	}
	return false;
}

static void
batch_procs_text(FILE *f, const struct proclist_view *v,
    const struct proclist_tick *t, enum proclist_col sort, bool desc)
{
	char when[32], b[4][16], rate[16], user[80], cmd[8192], cont[512];
	char oom[16];
	time_t wall = (time_t)t->wall;
	struct tm tm;
	size_t i;

	localtime_r(&wall, &tm);
	strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
	fprintf(f,
	    "memtop - %s  %zu processes  sorted by %s%s  tick %.1f ms (CPU "
	    "%.1f ms)%s\n",
	    when, v->nrows, proclist_col_name(sort), desc ? "" : " (ascending)",
	    t->wall_ms, t->cpu_ms,
	    t->hidepid ? "  /proc is hidepid: others' may be missing" : "");
	fprintf(f, "%7s %-10s %8s %8s %8s %8s %9s %5s  %-24s %s\n", "PID",
	    "USER", "RSS", "PSS", "SWAP", "ANON", "RATE", "OOM", "CONTAINER",
	    "COMMAND");
	for (i = 0; i < v->nrows; i++) {
		const struct proc_entry *e = v->rows[i];
		bool mem = e->mem_known;
		const char *c = e->cmdline_len ? e->cmdline : e->comm;

		snprintf(b[0], sizeof b[0], "-");
		snprintf(b[1], sizeof b[1], "-");
		snprintf(b[2], sizeof b[2], "-");
		snprintf(b[3], sizeof b[3], "-");
		if (mem) {
			fmt_kb(e->rss_kb, b[0], sizeof b[0]);
			fmt_kb(e->swap_kb, b[2], sizeof b[2]);
			fmt_kb(e->anon_kb, b[3], sizeof b[3]);
		}
		if (e->pss_known)
			fmt_kb(e->pss_kb, b[1], sizeof b[1]);
		fmt_rate(e->rate_kb_s, rate, sizeof rate);
		if (e->oom_known)
			snprintf(oom, sizeof oom, "%d", e->oom_score);
		else
			snprintf(oom, sizeof oom, "-");
		esc_text(e->user, strlen(e->user), user, sizeof user, true);
		esc_text(c, e->cmdline_len ? e->cmdline_len : strlen(e->comm),
		    cmd, sizeof cmd, true);
		if (e->container != NULL)
			esc_text(e->container, strlen(e->container), cont,
			    sizeof cont, true);
		else
			snprintf(cont, sizeof cont, "-");
		fprintf(f, "%c%6d %-10s %8s %8s %8s %8s %7s/s %5s  %-24s %s\n",
		    e->access == PROC_ACCESS_HIDDEN       ? '?' :
		        e->access == PROC_ACCESS_NO_SMAPS ? '!' :
		                                            ' ',
		    e->pid, user, b[0], b[1], b[2], b[3], rate, oom, cont, cmd);
	}
	fputs("  (! memtop may not read its smaps_rollup: PSS unknown; "
	      "? hidden by hidepid)\n\n",
	    f);
}

static void
batch_procs_csv(FILE *f, const struct proclist_view *v,
    const struct proclist_tick *t, unsigned long n)
{
	size_t i;

	if (n == 0)
		fputs(
		    "time,pid,user,comm,cmdline,rss_kb,pss_kb,swap_kb,anon_kb,"
		    "rate_kb_s,cgroup,container,oom_score,access\n",
		    f);
	for (i = 0; i < v->nrows; i++) {
		const struct proc_entry *e = v->rows[i];

		fprintf(f, "%.3f,%d,", t->wall, e->pid);
		csv_put_field(f, e->user, strlen(e->user));
		fputc(',', f);
		csv_put_field(f, e->comm, strlen(e->comm));
		fputc(',', f);
		csv_put_field(f, e->cmdline, e->cmdline_len);
		if (e->mem_known)
			fprintf(f, ",%" PRIu64, e->rss_kb);
		else
			fputc(',', f);
		if (e->pss_known)
			fprintf(f, ",%" PRIu64, e->pss_kb);
		else
			fputc(',', f);
		if (e->mem_known)
			fprintf(
			    f, ",%" PRIu64 ",%" PRIu64, e->swap_kb, e->anon_kb);
		else
			fputs(",,", f);
		fprintf(f, ",%.3f,", e->rate_kb_s);
		csv_put_field(f, e->cgroup, strlen(e->cgroup));
		fputc(',', f);
		if (e->container != NULL)
			csv_put_field(f, e->container, strlen(e->container));
		if (e->oom_known)
			fprintf(f, ",%d", e->oom_score);
		else
			fputc(',', f);
		fprintf(f, ",%s\n", proc_access_name(e->access));
	}
}

/* A size that may be unknown: null. */
static void
batch_procs_json_kb(FILE *f, const char *key, bool known, uint64_t kb)
{
	if (known)
		fprintf(f, ", \"%s\": %" PRIu64, key, kb);
	else
		fprintf(f, ", \"%s\": null", key);
}

static void
batch_procs_json(
    FILE *f, const struct proclist_view *v, const struct proclist_tick *t)
{
	size_t i;

	fprintf(f,
	    "{\"time\": %.3f, \"tick_ms\": %.3f, \"tick_cpu_ms\": %.3f, "
	    "\"hidepid\": %s, \"processes\": [",
	    t->wall, t->wall_ms, t->cpu_ms, t->hidepid ? "true" : "false");
	for (i = 0; i < v->nrows; i++) {
		const struct proc_entry *e = v->rows[i];

		fprintf(f, "%s{\"pid\": %d, \"user\": ", i ? ", " : "", e->pid);
		json_put_string(f, e->user, strlen(e->user));
		fputs(", \"comm\": ", f);
		json_put_string(f, e->comm, strlen(e->comm));
		fputs(", \"cmdline\": ", f);
		json_put_string(f, e->cmdline, e->cmdline_len);
		batch_procs_json_kb(f, "rss_kb", e->mem_known, e->rss_kb);
		batch_procs_json_kb(f, "pss_kb", e->pss_known, e->pss_kb);
		batch_procs_json_kb(f, "swap_kb", e->mem_known, e->swap_kb);
		batch_procs_json_kb(f, "anon_kb", e->mem_known, e->anon_kb);
		fprintf(f, ", \"rate_kb_s\": %.3f, \"cgroup\": ", e->rate_kb_s);
		json_put_string(f, e->cgroup, strlen(e->cgroup));
		fputs(", \"container\": ", f);
		if (e->container != NULL)
			json_put_string(f, e->container, strlen(e->container));
		else
			fputs("null", f);
		if (e->oom_known)
			fprintf(f, ", \"oom_score\": %d", e->oom_score);
		else
			fputs(", \"oom_score\": null", f);
		fprintf(
		    f, ", \"access\": \"%s\"}", proc_access_name(e->access));
	}
	fputs("]}\n", f);
}

static volatile sig_atomic_t batch_procs_stop;

static void
batch_procs_on_signal(int sig)
{
	batch_procs_stop = sig;
}

int
batch_procs_run(const struct batch_procs *bp, enum batch_format format)
{
	struct proclist_view v = { NULL, 0, 0 };
	struct proclist *l;
	struct sigaction sa;
	unsigned long printed = 0;
	char *err = NULL;
	double next;
	size_t i, k;
	int rc = 0;

	if ((l = proclist_new(&err)) == NULL) {
		error_print("the process list: %s", err);
		free(err);
		return EXIT_FAILURE_GENERIC;
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = batch_procs_on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	batch_procs_stop = 0;
	proclist_set_namer(l, report_cgroup_name, NULL);
	proclist_set_pss_budget(l, BATCH_PROCS_BUDGET_MS);
	if (bp->npids > 0)
		proclist_want_pss(l, bp->pids, bp->npids);
	next = clock_mono();
	while (!batch_procs_stop) {
		double wait = next - clock_mono();

		if (wait > 0) {
			poll(NULL, 0, (int)(wait * 1000) + 1);
			continue;
		}
		next += bp->interval;
		/* Every process among the top ones (that get their PSS). */
		proclist_set_top(l,
		    proclist_count(l) > 0 ? proclist_count(l) + 1024 : 32768);
		if ((rc = proclist_update(l)) != 0) {
			error_print(
			    "/proc cannot be listed: %s", strerror(-rc));
			rc = EXIT_FAILURE_GENERIC;
			break;
		}
		proclist_view_build(
		    &v, l, bp->sort, bp->descending, bp->filter);
		for (i = 0, k = 0; i < v.nrows; i++) {
			if (batch_procs_wanted(bp, v.rows[i]->pid))
				v.rows[k++] = v.rows[i];
		}
		v.nrows = k;
		if (format == BATCH_CSV)
			batch_procs_csv(
			    stdout, &v, proclist_last_tick(l), printed);
		else if (format == BATCH_JSON)
			batch_procs_json(stdout, &v, proclist_last_tick(l));
		else
			batch_procs_text(stdout, &v, proclist_last_tick(l),
			    bp->sort, bp->descending);
		printed++;
		if (fflush(stdout) != 0 || ferror(stdout)) {
			rc = errno == EPIPE ? EXIT_OK : EXIT_FAILURE_GENERIC;
			if (rc != EXIT_OK)
				error_print(
				    "writing output: %s", strerror(errno));
			break;
		}
		if (bp->max_ticks > 0 &&
		    printed >= (unsigned long)bp->max_ticks)
			break;
	}
	proclist_view_free(&v);
	proclist_free(l);
	return rc;
}
