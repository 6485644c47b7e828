/*
 * export.c - the exporter's targets and its loop: a pump per target, the
 * exposition built after the samples, served or written.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "export-http.h"
#include "export-om.h"
#include "export.h"
#include "oom.h"
#include "pick.h"
#include "proc2.h"
#include "pump.h"
#include "rx.h"
#include "util.h"

struct export_target {
	struct pick_proc proc; /* its identity: PID and start time */
	struct source *src;
	struct sampler *sampler;
	struct model *model;
	struct pump *pump;
	struct recorder *rec;
	struct suspect_ranking *sr;
	struct export_om_target om;
	struct export_om_facts facts;
	bool fresh;        /* sampled since the last round (batch) */
	bool rec_failed;   /* the recording's error was counted */
	double ended_mono; /* when it ended, for EXPORT_ENDED_TTL_S */
};

struct export
{
	const struct export_opts *o;
	struct rx *rx; /* -P */
	struct export_target **t;
	size_t n, cap;
	/* Processes -P matched that could not be opened: not tried again. */
	struct pick_proc *refused;
	size_t nrefused;
	struct export_om_self self;
	struct export_om_target self_om;
	struct export_http *http;
	bool dirty;
	double built_mono; /* the last assembly */
	double scan_due;   /* the next -P scan */
	long rounds;       /* batch: expositions written */
	int exit_code;     /* batch: of a single -p target that ended */
};

static bool
export_same(const struct pick_proc *a, const struct pick_proc *b)
{
	return a->pid == b->pid && a->start_time == b->start_time;
}

/* Start watching proc: 0, or the -errno of source_live_open with *cause. */
static int
export_add(struct export *x, const struct pick_proc *proc, char **cause)
{
	struct export_target *t;
	struct pump_config pc;
	struct oom_self so;
	int err = 0;
	struct source *src = source_live_open(proc->pid, cause, &err);

	if (src == NULL)
		return err != 0 ? err : -EIO;
	t = xcalloc(1, sizeof *t);
	t->proc = *proc;
	if (t->proc.start_time == 0)
		pick_proc_of(proc->pid, &t->proc);
	t->src = src;
	/* A sidecar shares its target's cgroup: the OOM killer should take
	 * the target, not memtop. */
	oom_self_protect(proc->pid, &so);
	if (x->o->rec_path != NULL) {
		t->rec = recorder_open(
		    x->o->rec_path, x->o->interval, x->o->keep, cause, &err);
		if (t->rec == NULL) {
			source_close(src);
			free(t);
			fatal(
			    err == -EINVAL ? EXIT_USAGE : EXIT_FAILURE_GENERIC,
			    "%s", *cause);
		}
	}
	t->model = model_new();
	t->sampler = pump_sampler_start(src, x->o->interval, t->model);
	t->sr = suspect_ranking_new();
	t->facts.running = true;
	memset(&pc, 0, sizeof pc);
	pc.model = t->model;
	pc.sampler = t->sampler;
	pc.rec = t->rec;
	pc.pid = proc->pid;
	t->pump = pump_new(&pc);
	if (x->n == x->cap) {
		x->cap = x->cap ? x->cap * 2 : 16;
		x->t = xrealloc(x->t, x->cap * sizeof *x->t);
	}
	x->t[x->n++] = t;
	return 0;
}

/* Stop sampling t (it ended, or memtop stops); its model stays. */
static void
export_stop_sampling(struct export_target *t)
{
	char *cause = NULL;

	if (t->sampler != NULL && !sampler_stop(t->sampler))
		t->src = NULL; /* still in the stuck thread's hands */
	t->sampler = NULL;
	source_close(t->src);
	t->src = NULL;
	if (t->rec != NULL) {
		if (recorder_close(t->rec, pump_end_state(t->pump), &cause) !=
		    0) {
			error_print("%s", cause);
			free(cause);
		}
		t->rec = NULL;
	}
}

static void
export_free_target(struct export_target *t)
{
	export_stop_sampling(t);
	pump_free(t->pump);
	model_free(t->model);
	suspect_ranking_free(t->sr);
	export_om_target_free(&t->om);
	free(t);
}

static size_t
export_running(const struct export *x)
{
	size_t i, n = 0;

	for (i = 0; i < x->n; i++)
		n += x->t[i]->facts.running;
	return n;
}

/* -P: look for processes that match and are not watched yet. */
static void
export_scan(struct export *x)
{
	struct pick_proc *procs = NULL;
	size_t i, j, k, running = export_running(x), omitted = 0;
	int n = pick_by_name(x->rx, 0, &procs);
	char *cause = NULL;

	if (n < 0) {
		x->self.errors[OM_ERR_SCAN]++;
		return;
	}
	for (i = 0; i < (size_t)n; i++) {
		bool known = false;

		for (j = 0; j < x->n && !known; j++)
			known = export_same(&x->t[j]->proc, &procs[i]);
		for (k = 0; k < x->nrefused && !known; k++)
			known = export_same(&x->refused[k], &procs[i]);
		if (known)
			continue;
		if (running >= EXPORT_MAX_TARGETS) {
			omitted++;
			continue;
		}
		if (export_add(x, &procs[i], &cause) == 0) {
			running++;
			continue;
		}
		/* Gone already, or not ours to read: said once. */
		x->self.errors[OM_ERR_OPEN]++;
		if (cause != NULL)
			error_print("%s", cause);
		free(cause);
		cause = NULL;
		x->refused = xrealloc(
		    x->refused, (x->nrefused + 1) * sizeof *x->refused);
		x->refused[x->nrefused++] = procs[i];
	}
	/* Forget refusals of processes that are gone. */
	for (k = 0; k < x->nrefused;) {
		bool alive = false;

		for (i = 0; i < (size_t)n && !alive; i++)
			alive = export_same(&x->refused[k], &procs[i]);
		if (alive)
			k++;
		else
			x->refused[k] = x->refused[--x->nrefused];
	}
	if (x->self.targets_omitted != omitted)
		x->dirty = true;
	x->self.targets_omitted = omitted;
	free(procs);
}

/* Unix time the process started: the sample's time less its age. */
static uint64_t
export_start_time(const struct model *m)
{
	const struct snapshot_info *info = model_info(m);
	double t = model_last_wall(m) - info->age_s;

	return t > 0 ? (uint64_t)(t + 0.5) : 0;
}

/* Step t's pump; true when its exposition changed. */
static bool
export_step(struct export *x, struct export_target *t)
{
	int what;

	if (!t->facts.running)
		return false;
	what = pump_step(t->pump);
	if (what & PUMP_SAMPLE) {
		t->facts.samples++;
		t->facts.sample_s += model_last_sample_ms(t->model) / 1000;
		if (t->facts.start_time_s == 0)
			t->facts.start_time_s = export_start_time(t->model);
		t->fresh = true;
	}
	if (pump_record_error(t->pump) != NULL && !t->rec_failed) {
		t->rec_failed = true;
		x->self.errors[OM_ERR_RECORD]++;
		error_print(
		    "recording stopped: %s", pump_record_error(t->pump));
	}
	if (what & PUMP_END) {
		const struct end_verdict *v = pump_end_verdict(t->pump);
		enum end_reason r =
		    v->known ? (enum end_reason)v->reason : END_UNKNOWN;

		t->facts.running = false;
		t->facts.verdict = *v;
		t->facts.ended_wall = v->wall > 0 ? v->wall : clock_wall();
		t->ended_mono = clock_mono();
		x->self.ended[r < 4 ? r : END_UNKNOWN]++;
		if (pump_exit_code(t->pump) != EXIT_TARGET_GONE &&
		    pump_exit_code(t->pump) != EXIT_OK)
			x->self.errors[OM_ERR_SAMPLE]++;
		x->exit_code = pump_exit_code(t->pump);
		if (pump_end_cause(t->pump) != NULL)
			error_print("%s", pump_end_cause(t->pump));
		export_stop_sampling(t);
	}
	if (!(what & (PUMP_SAMPLE | PUMP_END)))
		return false;
	export_om_target_build(&t->om, t->model, t->sr, &t->facts);
	return true;
}

/* Drop ended targets past their time, and the oldest past the cap. */
static void
export_expire(struct export *x, double now)
{
	size_t i, ended = 0;

	for (i = x->n; i-- > 0;)
		ended += !x->t[i]->facts.running;
	for (i = 0; i < x->n;) {
		struct export_target *t = x->t[i];

		if (t->facts.running ||
		    (now - t->ended_mono < EXPORT_ENDED_TTL_S &&
		        ended <= EXPORT_MAX_ENDED)) {
			i++;
			continue;
		}
		export_free_target(t);
		memmove(&x->t[i], &x->t[i + 1], (x->n - i - 1) * sizeof *x->t);
		x->n--;
		ended--;
		x->dirty = true;
	}
}

/* Both formats of the body (and the tail, for batch output). */
static void
export_assemble(struct export *x, struct export_om_buf *prom,
    struct export_om_buf *om, bool tail)
{
	struct export_om_target **om_t = xcalloc(x->n + 1, sizeof *om_t);
	double t0 = clock_mono();
	size_t i;

	x->self.targets = export_running(x);
	export_om_self_body(&x->self_om, &x->self);
	/* The targets' lines in the order they were found, then memtop's
	 * own. */
	for (i = 0; i < x->n; i++)
		om_t[i] = &x->t[i]->om;
	export_om_assemble(prom, EXPORT_OM_PROMETHEUS, om_t, x->n, &x->self_om,
	    0, OMF_BODY_END, false);
	export_om_assemble(om, EXPORT_OM_OPENMETRICS, om_t, x->n, &x->self_om,
	    0, OMF_BODY_END, false);
	free(om_t);
	if (tail) {
		x->self.cpu_s = clock_cpu();
		export_om_self_tail(&x->self_om, &x->self);
		export_om_assemble(prom, EXPORT_OM_PROMETHEUS, NULL, 0,
		    &x->self_om, OMF_BODY_END, OMF_COUNT, false);
		export_om_assemble(om, EXPORT_OM_OPENMETRICS, NULL, 0,
		    &x->self_om, OMF_BODY_END, OMF_COUNT, true);
	}
	x->self.build_s = clock_mono() - t0;
	x->built_mono = clock_mono();
	x->dirty = false;
}

/* Batch: write one exposition, to stdout or atomically to -o FILE. */
static void
export_write_round(struct export *x)
{
	struct export_om_buf prom = { NULL, 0, 0 }, om = { NULL, 0, 0 };
	struct export_om_buf *b;
	char *cause = NULL;
	size_t i;
	int rc;

	export_assemble(x, &prom, &om, true);
	b = x->o->format == EXPORT_OM_OPENMETRICS ? &om : &prom;
	if (x->o->output != NULL) {
		rc = export_write_file(
		    x->o->output, b->p ? b->p : "", b->len, &cause);
		if (rc != 0)
			fatal(EXIT_FAILURE_GENERIC, "%s", cause);
	} else if ((b->len > 0 && fwrite(b->p, 1, b->len, stdout) != b->len) ||
	    fflush(stdout) != 0) {
		if (errno != EPIPE)
			fatal(EXIT_FAILURE_GENERIC, "writing output: %s",
			    strerror(errno));
		x->rounds = LONG_MAX; /* the reader is gone: stop */
	}
	export_om_buf_free(&prom);
	export_om_buf_free(&om);
	for (i = 0; i < x->n; i++)
		x->t[i]->fresh = false;
	if (x->rounds < LONG_MAX)
		x->rounds++;
}

/* Batch: a round is whole when every running target has a new sample. */
static bool
export_round_done(const struct export *x)
{
	size_t i;
	bool any = false;

	for (i = 0; i < x->n; i++) {
		if (x->t[i]->facts.running && !x->t[i]->fresh)
			return false;
		any |= x->t[i]->fresh;
	}
	return any;
}

static void
export_open_pids(struct export *x)
{
	int *pids = NULL, err;
	size_t n = 0, i;
	char *cause = NULL;

	if (pick_parse_pids(x->o->pids, &pids, &n, &cause) != 0)
		fatal(EXIT_USAGE, "%s", cause);
	if (x->o->rec_path != NULL && n != 1)
		fatal(EXIT_USAGE, "-w records one process: give one -p PID");
	if (n > EXPORT_MAX_TARGETS)
		fatal(
		    EXIT_USAGE, "-p: at most %d processes", EXPORT_MAX_TARGETS);
	for (i = 0; i < n; i++) {
		struct pick_proc p = { pids[i], 0, 0 };

		if ((err = export_add(x, &p, &cause)) != 0)
			fatal(exit_for_open_error(err), "%s", cause);
	}
	free(pids);
}

/* The signals that stop memtop, read from a signalfd in the loop. */
static int
export_signals(void)
{
	sigset_t set;
	int fd;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	/* Blocked before any thread starts: they all inherit the mask. */
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (fd < 0)
		fatal(EXIT_FAILURE_GENERIC, "signalfd: %s", strerror(errno));
	return fd;
}

/* Where it listens, on stderr: tests and scripts read the port of a
 * --listen ADDR:0 there. */
static void
export_say_listening(const struct sockaddr_storage *ss, socklen_t len,
    const struct export_http *h)
{
	char host[NI_MAXHOST] = "?";

	getnameinfo((const struct sockaddr *)ss, len, host, sizeof host, NULL,
	    0, NI_NUMERICHOST);
	fprintf(stderr, "memtop: serving http://%s%s%s:%d/metrics\n",
	    ss->ss_family == AF_INET6 ? "[" : "", host,
	    ss->ss_family == AF_INET6 ? "]" : "", export_http_port(h));
}

int
export_run(const struct export_opts *o)
{
	struct export x;
	struct pollfd *pfd = NULL;
	struct export_target **polled = NULL;
	struct sockaddr_storage ss;
	socklen_t sslen = 0;
	char *cause = NULL, why[160];
	int sigfd, code = EXIT_OK;
	bool stop = false;
	size_t i, np;

	memset(&x, 0, sizeof x);
	x.o = o;
	if (o->listen != NULL &&
	    export_http_parse_addr(o->listen, &ss, &sslen, &cause) != 0)
		fatal(EXIT_USAGE, "%s", cause);
	if (o->pattern != NULL &&
	    (x.rx = rx_compile(o->pattern, &cause)) == NULL)
		fatal(EXIT_USAGE, "-P: %s", cause);
	if (o->pattern != NULL && o->rec_path != NULL)
		fatal(EXIT_USAGE,
		    "-w records one process: give one -p PID, not -P");
	/* -P lists processes through libproc2 every interval: loaded now, so
	 * that a memtop that cannot says so at once. */
	if (o->pattern != NULL && proc2_get(why, sizeof why) == NULL)
		fatal(EXIT_FAILURE_GENERIC, "-P: %s", why);
	sigfd = export_signals();
	if (o->pids != NULL)
		export_open_pids(&x);
	/* Listening before the first scan of -P: opening every match can
	 * take a while on a loaded host, and a scrape meanwhile is answered
	 * with what is known. */
	if (o->listen != NULL) {
		if ((x.http = export_http_start(&ss, sslen, &cause)) == NULL)
			fatal(EXIT_FAILURE_GENERIC, "%s", cause);
		export_say_listening(&ss, sslen, x.http);
	}
	if (x.rx != NULL) {
		export_scan(&x);
		if (x.n == 0 && o->listen == NULL)
			fatal(EXIT_TARGET_GONE,
			    "-P %s: no process matches (that memtop may "
			    "read)",
			    o->pattern);
	}
	x.scan_due = clock_mono() + o->interval;
	x.dirty = true;
	while (!stop) {
		double now = clock_mono(), wait = 1.0;
		struct signalfd_siginfo si;
		bool changed = false;
		int timeout;

		/* Every running target's sampler, and the signals. */
		pfd = xrealloc(pfd, (x.n + 1) * sizeof *pfd);
		polled = xrealloc(polled, (x.n + 1) * sizeof *polled);
		pfd[0].fd = sigfd;
		pfd[0].events = POLLIN;
		for (np = 1, i = 0; i < x.n; i++) {
			if (!x.t[i]->facts.running)
				continue;
			pfd[np].fd = pump_fd(x.t[i]->pump);
			pfd[np].events = POLLIN;
			polled[np++] = x.t[i];
		}
		if (x.rx != NULL && x.scan_due - now < wait)
			wait = x.scan_due - now;
		if (x.dirty && x.http != NULL &&
		    x.built_mono + EXPORT_ASSEMBLE_MIN_S - now < wait)
			wait = x.built_mono + EXPORT_ASSEMBLE_MIN_S - now;
		timeout = wait > 0 ? (int)(wait * 1000) + 1 : 0;
		if (poll(pfd, np, timeout) < 0 && errno != EINTR)
			fatal(
			    EXIT_FAILURE_GENERIC, "poll: %s", strerror(errno));
		if (read(sigfd, &si, sizeof si) == sizeof si)
			break;
		for (i = 1; i < np; i++) {
			if (pfd[i].revents != 0)
				changed |= export_step(&x, polled[i]);
		}
		x.dirty |= changed;
		now = clock_mono();
		if (x.rx != NULL && now >= x.scan_due) {
			export_scan(&x);
			x.scan_due = now + o->interval;
		}
		export_expire(&x, now);
		if (x.http != NULL) {
			if (x.dirty &&
			    now - x.built_mono >= EXPORT_ASSEMBLE_MIN_S) {
				struct export_om_buf prom = { NULL, 0, 0 },
				                     om = { NULL, 0, 0 };

				export_assemble(&x, &prom, &om, false);
				export_http_publish(x.http, &prom, &om);
			}
			continue;
		}
		/* Batch: a whole round of samples is one exposition. */
		if (export_round_done(&x))
			export_write_round(&x);
		if (o->max_samples > 0 && x.rounds >= o->max_samples)
			stop = true;
		if (x.rounds == LONG_MAX)
			stop = true;
		if (export_running(&x) == 0 && x.rx == NULL) {
			/* Every target ended: the last word, once. */
			if (x.n > 0 && x.dirty)
				export_write_round(&x);
			code = x.n == 1 ? x.exit_code : EXIT_OK;
			stop = true;
		}
	}
	export_http_stop(x.http);
	for (i = 0; i < x.n; i++)
		export_free_target(x.t[i]);
	free(x.t);
	free(pfd);
	free(polled);
	free(x.refused);
	export_om_target_free(&x.self_om);
	rx_free(x.rx);
	close(sigfd);
	return code;
}

int
export_write_file(const char *path, const char *buf, size_t len, char **cause)
{
	size_t plen = strlen(path), off = 0;
	char *tmp = xmalloc(plen + 16);
	int fd, err = 0;

	snprintf(tmp, plen + 16, "%s.tmp.XXXXXX", path);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		*cause = xasprintf("cannot write %s: %s", path, strerror(-err));
		free(tmp);
		return err;
	}
	/* mkstemp makes it 0600; the collector may run as another user. */
	if (fchmod(fd, 0644) != 0)
		err = -errno;
	while (err == 0 && off < len) {
		ssize_t w = write(fd, buf + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			err = w < 0 ? -errno : -EIO;
			break;
		}
		off += (size_t)w;
	}
	if (err == 0 && fdatasync(fd) != 0)
		err = -errno;
	if (close(fd) != 0 && err == 0)
		err = -errno;
	if (err == 0 && rename(tmp, path) != 0)
		err = -errno;
	if (err != 0) {
		unlink(tmp);
		*cause = xasprintf("cannot write %s: %s", path, strerror(-err));
	}
	free(tmp);
	return err;
}
