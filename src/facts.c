/*
 * facts.c - the cgroup, the OOM projection, the runtime and the end, in the
 * words of every output (facts.h).
 */
#include "config.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "facts.h"
#include "util.h"

void
facts_rt_rates(const struct model *m, struct rt_rates *out)
{
	static const struct {
		enum totals_series ts;
		enum rt_field jvm, go;
	} map[] = {
		{ TS_RT_USED, RTF_JVM_HEAP_USED, RTF_GO_HEAP_ALLOC },
		{ TS_RT_COMMITTED, RTF_JVM_HEAP_COMMITTED, RTF_COUNT },
		{ TS_RT_OLD, RTF_JVM_OLD_USED, RTF_COUNT },
		{ TS_RT_IDLE, RTF_COUNT, RTF_GO_HEAP_IDLE },
		{ TS_RT_RELEASED, RTF_COUNT, RTF_GO_HEAP_RELEASED },
	};
	const struct rt_figures *f = &model_info(m)->rt;
	double t[MODEL_HISTORY], kb[MODEL_HISTORY];
	struct oom_fit fit;
	size_t i, n;

	memset(out, 0, sizeof *out);
	for (i = 0; i < sizeof map / sizeof map[0]; i++) {
		enum rt_field k = rtfig_is_jvm(f->source) ? map[i].jvm :
		    rtfig_is_go(f->source)                ? map[i].go :
		                                            RTF_COUNT;

		if (k == RTF_COUNT)
			continue;
		n = model_totals_series(
		    m, map[i].ts, RTFACTS_WINDOW_S, t, kb, MODEL_HISTORY);
		if (n < 3 || oom_fit_line(t, kb, n, &fit) != 0)
			continue;
		out->r[k] = fit.slope * 1024;
		out->have |= (uint64_t)1 << k;
	}
}

void
facts_get(const struct model *m, struct facts *fx)
{
	const struct snapshot_info *in = model_info(m);
	size_t i, n = model_nregions(m);

	memset(fx, 0, sizeof *fx);
	oom_project(m, &fx->oom);
	facts_rt_rates(m, &fx->rates);
	for (i = 0; i < n; i++) {
		const struct tracked_region *r = model_region(m, i);

		if (r->state != TR_GONE &&
		    (r->builtin == RC_GO_HEAP || r->builtin == RC_JAVA_HEAP))
			fx->rt_resident_kb += r->kb[SF_RSS];
	}
	if (in->cg.version != CGROUP_NONE && in->cg.limit.max != CG_UNLIMITED)
		cgroup_limit_path(
		    &in->cg, fx->limit_cgroup, sizeof fx->limit_cgroup);
}

char *
facts_runtime_name(const struct snapshot_info *in, char *buf, size_t size)
{
	const struct runtime_facts *rt = &in->runtime;
	char esc[sizeof rt->go_version * 4];

	buf[0] = '\0';
	if (rt->flags & RT_GO) {
		if (rt->go_version[0] != '\0') {
			esc_text(rt->go_version,
			    strnlen(rt->go_version, sizeof rt->go_version), esc,
			    sizeof esc, false);
			snprintf(buf, size, "%s", esc);
		} else
			snprintf(buf, size, "Go");
	} else if ((rt->flags & RT_JVM) || rtfig_is_jvm(in->rt.source))
		snprintf(buf, size, "JVM");
	else if ((rt->flags & RT_CPYTHON) && rt->py_major != 0)
		snprintf(
		    buf, size, "CPython %u.%u", rt->py_major, rt->py_minor);
	else if (rt->flags & RT_CPYTHON)
		snprintf(buf, size, "CPython");
	return buf;
}

bool
facts_rt_shown(const struct rt_figures *f)
{
	if (rtfig_is_jvm(f->source))
		return f->status == RT_ST_OK;
	return f->source != RT_SRC_NONE || f->status != RT_ST_OK;
}

/* The runtime's line: rtfig_summary()'s, or why there are no figures,
 * naming the runtime ("Go runtime: timed out after 2.0 s": a --runtime
 * URL is a Go program's, whatever it has served so far). */
static char *
facts_rt_summary(const struct rt_figures *f, const struct rt_rates *rates,
    uint64_t resident_kb, char *buf, size_t size)
{
	char esc[RTFIG_REASON_MAX * 4];

	if (f->status == RT_ST_OK)
		return rtfig_summary(f, rates, resident_kb, buf, size);
	esc_text(f->reason, strlen(f->reason), esc, sizeof esc, false);
	snprintf(buf, size, "%s runtime: %s",
	    rtfig_is_jvm(f->source) ? "Java" : "Go",
	    esc[0] != '\0'                 ? esc :
	        f->status == RT_ST_PENDING ? "waiting for the first reading" :
	                                     rtfig_status_name(f->status));
	return buf;
}

/* ---- the words of the projection ---- */

/* "cgroup /x" or "cgroup /x, 1 level up", "system: MemAvailable +
 * SwapFree": what the limit is, escaped. */
static char *
facts_limit_whose(const struct facts *fx, char *buf, size_t size)
{
	char esc[CG_PATH_MAX * 4];

	if (fx->oom.basis == OOM_BASIS_SYSTEM) {
		snprintf(buf, size, "system: MemAvailable + SwapFree");
		return buf;
	}
	esc_text(
	    fx->limit_cgroup, strlen(fx->limit_cgroup), esc, sizeof esc, false);
	if (fx->oom.limit_up > 0)
		snprintf(buf, size, "cgroup %s, %u level%s up", esc,
		    fx->oom.limit_up, fx->oom.limit_up == 1 ? "" : "s");
	else
		snprintf(buf, size, "cgroup %s", esc);
	return buf;
}

/* The projection in a sentence, with what it assumes. */
static char *
facts_oom_sentence(const struct facts *fx, char *buf, size_t size)
{
	const struct oom_projection *p = &fx->oom;
	char eta[32], rate[24], lim[16], used[16], whose[CG_PATH_MAX * 4 + 32];
	size_t at = 0;

	buf[0] = '\0';
	if (p->basis == OOM_BASIS_NONE) {
		str_catf(buf, size, &at, "no OOM projection: %s",
		    oom_basis_text(p->basis));
		return buf;
	}
	facts_limit_whose(fx, whose, sizeof whose);
	fmt_kb(p->limit_kb, lim, sizeof lim);
	fmt_kb(p->used_kb, used, sizeof used);
	if (p->status == OOM_ETA)
		str_catf(buf, size, &at,
		    "OOM in ~%s at %s, limit %s (%s); assumes %s (%s now), "
		    "fitted over %.0fs (R² %.2f)",
		    fmt_duration(p->eta_s, eta, sizeof eta),
		    fmt_rate(p->rate_kb_s, rate, sizeof rate), lim, whose,
		    oom_basis_text(p->basis), used, p->span_s, p->r2);
	else if (p->status == OOM_TOO_SHORT)
		str_catf(buf, size, &at,
		    "no OOM projection yet: %zu sample%s over %.0fs, it "
		    "needs %d over %.0fs; limit %s (%s), %s %s",
		    p->samples, p->samples == 1 ? "" : "s", p->span_s,
		    OOM_MIN_SAMPLES, OOM_MIN_SPAN_S, lim, whose,
		    oom_basis_text(p->basis), used);
	else
		str_catf(buf, size, &at,
		    "no OOM projection: %s (%s); limit %s (%s), %s %s",
		    p->status == OOM_POOR_FIT ? "growth too irregular" :
		                                oom_status_name(p->status),
		    fmt_rate(p->rate_kb_s, rate, sizeof rate), lim, whose,
		    oom_basis_text(p->basis), used);
	return buf;
}

/* ---- text ---- */

void
facts_text(FILE *f, const struct model *m, const struct facts *fx)
{
	const struct snapshot_info *in = model_info(m);
	const struct cgroup_facts *cg = &in->cg;
	char a[16], b[16], c[16], d[16], line[1024], esc[CG_PATH_MAX * 4];
	char owner[512], name[64];
	size_t at = 0;
	double share;

	if (cg->version != CGROUP_NONE) {
		esc_text(cg->path, strlen(cg->path), esc, sizeof esc, true);
		cgroup_owner_format(cg, line, sizeof line);
		esc_text(line, strlen(line), owner, sizeof owner, true);
		at = 0;
		line[0] = '\0';
		str_catf(line, sizeof line, &at, "cgroup %s", esc);
		if (strcmp(owner, esc) != 0)
			str_catf(line, sizeof line, &at, " (%s)", owner);
		if (cg_has(cg, CG_CURRENT))
			str_catf(line, sizeof line, &at, ": %s",
			    fmt_kb(cg->v[CG_CURRENT] / 1024, a, sizeof a));
		if (cg_has(cg, CG_MAX) && cg->v[CG_MAX] != CG_UNLIMITED)
			str_catf(line, sizeof line, &at, " of %s",
			    fmt_kb(cg->v[CG_MAX] / 1024, b, sizeof b));
		else
			str_catf(
			    line, sizeof line, &at, ", no limit of its own");
		if (cg_has(cg, CG_ANON) && cg_has(cg, CG_FILE))
			str_catf(line, sizeof line, &at,
			    "; anon %s, file %s, shmem %s, kernel %s",
			    fmt_kb(cg->v[CG_ANON] / 1024, a, sizeof a),
			    fmt_kb(cg->v[CG_FILE] / 1024, b, sizeof b),
			    fmt_kb(cg_has(cg, CG_SHMEM) ?
			            cg->v[CG_SHMEM] / 1024 :
			            0,
			        c, sizeof c),
			    fmt_kb(cg_has(cg, CG_KERNEL) ?
			            cg->v[CG_KERNEL] / 1024 :
			            0,
			        d, sizeof d));
		share = cgroup_share_pct(
		    cg, in->status[ST_RSS_ANON], in->status[ST_RSS_SHMEM]);
		if (share >= 0)
			str_catf(line, sizeof line, &at,
			    "; the target's share %.0f%%", share);
		str_catf(line, sizeof line, &at,
		    "; OOM kills %" PRIu64 " since start", cg->oom_kills);
		fprintf(f, "%s\n", line);
	} else if (in->has_cgroup) {
		/* A recording from before the cgroup's facts: its summary. */
		esc_text(in->cgroup_path, strlen(in->cgroup_path), esc,
		    sizeof esc, true);
		if (in->cg_max == UINT64_MAX)
			fprintf(f, "cgroup %s: %s of no limit\n", esc,
			    fmt_kb(in->cg_current / 1024, a, sizeof a));
		else
			fprintf(f,
			    "cgroup %s: %s of %s  oom_kill %" PRIu64 "\n", esc,
			    fmt_kb(in->cg_current / 1024, a, sizeof a),
			    fmt_kb(in->cg_max / 1024, b, sizeof b),
			    in->cg_oom_kills);
	}
	fprintf(f, "%s\n", facts_oom_sentence(fx, line, sizeof line));
	if (fx->oom.flags & OOM_FLAG_PRESSURE)
		fprintf(f,
		    "memory pressure: full avg10 %.1f%% (%s): the kernel "
		    "thrashes before the kill\n",
		    fx->oom.psi_full_avg10,
		    cg->psi.scope == PSI_CGROUP ? "the cgroup's" :
		                                  "the system's");
	if (fx->oom.flags & OOM_FLAG_AT_HIGH)
		fprintf(f,
		    "at memory.high: the kernel throttles and reclaims "
		    "before the kill\n");
	if (fx->oom.flags & OOM_FLAG_UNDER_OOM)
		fprintf(f, "under OOM: the cgroup is out of memory now\n");
	facts_runtime_name(in, name, sizeof name);
	if (facts_rt_shown(&in->rt)) {
		facts_rt_summary(
		    &in->rt, &fx->rates, fx->rt_resident_kb, line, sizeof line);
		if (name[0] != '\0')
			fprintf(f, "runtime: %s; %s\n", name, line);
		else
			fprintf(f, "runtime: %s\n", line);
	} else if (name[0] != '\0')
		fprintf(f, "runtime: %s\n", name);
}

char *
facts_end_line(const struct end_verdict *v, char *buf, size_t size)
{
	char how[CG_PATH_MAX + 64], when[16];
	time_t t = (time_t)v->wall;
	struct tm tm;
	size_t n;

	verdict_format(v, how, sizeof how);
	n = esc_text(how, strlen(how), buf, size, true);
	if (v->wall > 0 && n + 1 < size) {
		localtime_r(&t, &tm);
		strftime(when, sizeof when, "%H:%M:%S", &tm);
		snprintf(buf + n, size - n, ", %s", when);
	}
	return buf;
}

void
facts_text_end(FILE *f, const struct end_verdict *v)
{
	char line[CG_PATH_MAX * 4 + 128], ev[256];

	fprintf(f, "ended: %s (evidence: %s)\n",
	    facts_end_line(v, line, sizeof line),
	    verdict_evidence(v, ev, sizeof ev));
}

/* ---- JSON ---- */

static void
facts_json_str(FILE *f, const char *key, const char *s)
{
	fprintf(f, "\"%s\": ", key);
	json_put_string(f, s, strlen(s));
}

static void
facts_json_bytes_or_null(FILE *f, const char *key, uint64_t v)
{
	if (v == CG_UNLIMITED)
		fprintf(f, "\"%s\": null", key);
	else
		fprintf(f, "\"%s\": %" PRIu64, key, v);
}

static const char *
facts_owner_kind(uint8_t kind)
{
	static const char *const names[] = { "unknown", "k8s-pod", "container",
		"systemd-service", "systemd-scope", "systemd-slice", "root" };

	return kind < sizeof names / sizeof names[0] ? names[kind] : "unknown";
}

static void
facts_json_psi_line(FILE *f, const char *key, const struct psi_line *l)
{
	if (!l->present) {
		fprintf(f, "\"%s\": null", key);
		return;
	}
	fprintf(f,
	    "\"%s\": {\"avg10\": %.2f, \"avg60\": %.2f, \"avg300\": %.2f, "
	    "\"total_us\": %" PRIu64 "}",
	    key, l->avg10, l->avg60, l->avg300, l->total);
}

static void
facts_json_cgroup(FILE *f, const struct snapshot_info *in)
{
	const struct cgroup_facts *cg = &in->cg;
	const struct cgroup_owner *o = &cg->owner;
	const char *names[][2] = { { "pod_uid", o->pod_uid }, { "qos", o->qos },
		{ "runtime", o->runtime }, { "container_id", o->container_id },
		{ "unit", o->unit } };
	char owner[512], lp[CG_PATH_MAX];
	double share;
	size_t i;
	int x;

	fputs(", \"cgroup\": {\"path\": ", f);
	json_put_string(f, in->cgroup_path, strlen(in->cgroup_path));
	fprintf(f, ", \"current_bytes\": %" PRIu64, in->cg_current);
	if (in->cg_max != UINT64_MAX)
		fprintf(f, ", \"max_bytes\": %" PRIu64, in->cg_max);
	fprintf(f, ", \"oom_kills\": %" PRIu64, in->cg_oom_kills);
	if (cg->version == CGROUP_NONE) {
		fputc('}', f);
		return;
	}
	fprintf(f, ", \"version\": %u, \"owner\": {\"kind\": \"%s\"",
	    cg->version, facts_owner_kind(o->kind));
	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (names[i][1][0] == '\0')
			continue;
		fputs(", ", f);
		facts_json_str(f, names[i][0], names[i][1]);
	}
	fputs(", ", f);
	facts_json_str(f, "text", cgroup_owner_format(cg, owner, sizeof owner));
	fputs("}, \"limit\": {", f);
	facts_json_bytes_or_null(f, "max_bytes", cg->limit.max);
	fputs(", ", f);
	facts_json_str(f, "cgroup", cgroup_limit_path(cg, lp, sizeof lp));
	fprintf(f, ", \"levels_up\": %u", cg->limit.up);
	if (cg->limit.has_usage)
		fprintf(f,
		    ", \"usage_bytes\": %" PRIu64
		    ", \"unreclaimable_bytes\": %" PRIu64
		    ", \"swap_bytes\": %" PRIu64,
		    cg->limit.current, cg->limit.unreclaimable, cg->limit.swap);
	fputs(", ", f);
	facts_json_bytes_or_null(f, "swap_max_bytes", cg->limit.swap_max);
	fprintf(f, ", \"at_high\": %s}, \"figures\": {",
	    cg->limit.at_high ? "true" : "false");
	for (x = 0; x < CG_COUNT; x++) {
		if (!cg_has(cg, (enum cg_field)x))
			continue;
		fprintf(f, "%s\"%s\": ",
		    cg->has & (((uint64_t)1 << x) - 1) ? ", " : "",
		    cg_field_name((enum cg_field)x));
		if (cg->v[x] == CG_UNLIMITED &&
		    cg_field_is_bytes((enum cg_field)x))
			fputs("null", f);
		else
			fprintf(f, "%" PRIu64, cg->v[x]);
	}
	fputs("}, \"psi\": ", f);
	if (cg->psi.scope == PSI_NONE)
		fputs("null", f);
	else {
		fprintf(f, "{\"scope\": \"%s\", ",
		    cg->psi.scope == PSI_CGROUP ? "cgroup" : "system");
		facts_json_psi_line(f, "some", &cg->psi.some);
		fputs(", ", f);
		facts_json_psi_line(f, "full", &cg->psi.full);
		fputc('}', f);
	}
	share = cgroup_share_pct(
	    cg, in->status[ST_RSS_ANON], in->status[ST_RSS_SHMEM]);
	if (share >= 0)
		fprintf(f, ", \"share_pct\": %.1f", share);
	fprintf(f, ", \"oom_kills_since_start\": %" PRIu64 "}", cg->oom_kills);
}

static void
facts_json_oom(FILE *f, const struct facts *fx)
{
	const struct oom_projection *p = &fx->oom;

	fputs(", \"oom\": {\"eta_s\": ", f);
	if (p->status == OOM_ETA)
		fprintf(f, "%.1f", p->eta_s);
	else
		fputs("null", f);
	fprintf(f, ", \"status\": \"%s\", \"basis\": \"%s\", ",
	    oom_status_name(p->status), oom_basis_name(p->basis));
	facts_json_str(f, "assumes", oom_basis_text(p->basis));
	if (p->basis != OOM_BASIS_NONE)
		fprintf(f, ", \"limit_kb\": %" PRIu64 ", \"used_kb\": %" PRIu64,
		    p->limit_kb, p->used_kb);
	else
		fputs(", \"limit_kb\": null, \"used_kb\": null", f);
	if (p->basis == OOM_BASIS_CGROUP || p->basis == OOM_BASIS_CGROUP_SWAP) {
		fputs(", ", f);
		facts_json_str(f, "limit_cgroup", fx->limit_cgroup);
	}
	fprintf(f,
	    ", \"rate_kb_s\": %.3f, \"r2\": %.3f, \"span_s\": %.1f, "
	    "\"samples\": %zu, \"psi_full_avg10\": ",
	    p->rate_kb_s, p->r2, p->span_s, p->samples);
	if (p->psi_full_avg10 >= 0)
		fprintf(f, "%.2f", p->psi_full_avg10);
	else
		fputs("null", f);
	fprintf(f, ", \"pressure\": %s, \"at_high\": %s, \"under_oom\": %s}",
	    p->flags & OOM_FLAG_PRESSURE ? "true" : "false",
	    p->flags & OOM_FLAG_AT_HIGH ? "true" : "false",
	    p->flags & OOM_FLAG_UNDER_OOM ? "true" : "false");
}

static void
facts_json_runtime(FILE *f, const struct model *m, const struct facts *fx)
{
	const struct rt_figures *rt = &model_info(m)->rt;
	bool first = true;
	int k;

	fprintf(f, ", \"runtime\": {\"source\": \"%s\", \"status\": \"%s\"",
	    rtfig_source_name(rt->source), rtfig_status_name(rt->status));
	if (rt->reason[0] != '\0') {
		fputs(", ", f);
		facts_json_str(f, "reason", rt->reason);
	}
	if (rt->detail[0] != '\0') {
		fputs(", ", f);
		facts_json_str(f, "detail", rt->detail);
	}
	if (rt->wall > 0)
		fprintf(f, ", \"age_s\": %.3f, \"read_ms\": %.3f",
		    model_last_wall(m) - rt->wall, rt->read_secs * 1000);
	for (k = 0; k < RTF_COUNT; k++) {
		if (rtfig_has(rt, (enum rt_field)k))
			fprintf(f, ", \"%s\": %" PRIu64, rtfig_fields[k].key,
			    rt->v[k]);
	}
	if (fx->rt_resident_kb > 0)
		fprintf(
		    f, ", \"heap_resident_kb\": %" PRIu64, fx->rt_resident_kb);
	fputs(", \"rates_bps\": {", f);
	for (k = 0; k < RTF_COUNT; k++) {
		if (!(fx->rates.have >> k & 1))
			continue;
		fprintf(f, "%s\"%s\": %.1f", first ? "" : ", ",
		    rtfig_fields[k].key, fx->rates.r[k]);
		first = false;
	}
	fputs("}}", f);
}

static void
facts_json_program(FILE *f, const struct snapshot_info *in)
{
	const struct runtime_facts *rt = &in->runtime;

	fputs(", \"program\": {", f);
	if (rt->flags & RT_GO) {
		facts_json_str(f, "go", rt->go_version);
		fprintf(f, ", \"cgo\": %s",
		    rt->flags & RT_DYNAMIC ? "true" : "false");
	} else if (rt->flags & RT_CPYTHON)
		fprintf(
		    f, "\"cpython\": \"%u.%u\"", rt->py_major, rt->py_minor);
	else
		fprintf(
		    f, "\"jvm\": %s", rt->flags & RT_JVM ? "true" : "false");
	fputc('}', f);
}

void
facts_json(FILE *f, const struct model *m, const struct facts *fx)
{
	const struct snapshot_info *in = model_info(m);

	if (in->has_cgroup)
		facts_json_cgroup(f, in);
	facts_json_oom(f, fx);
	if (in->rt.source != RT_SRC_NONE || in->rt.status != RT_ST_OK)
		facts_json_runtime(f, m, fx);
	if (in->runtime.flags & (RT_GO | RT_CPYTHON | RT_JVM))
		facts_json_program(f, in);
}

void
facts_json_end(FILE *f, const struct model *m, const struct end_verdict *v,
    enum target_state st)
{
	const struct snapshot_info *in = model_info(m);
	char how[CG_PATH_MAX + 64], ev[256];
	const char *abbrev;

	fprintf(
	    f, "{\"time\": %.3f, \"pid\": %d, \"comm\": ", v->wall, in->pid);
	json_put_string(f, in->comm, strlen(in->comm));
	fprintf(f, ", \"state\": \"%s\", \"end\": {\"reason\": \"%s\", ",
	    target_state_name(st), end_reason_name((enum end_reason)v->reason));
	facts_json_str(f, "text", verdict_format(v, how, sizeof how));
	fprintf(
	    f, ", \"likely\": %s, \"scope\": ", v->likely ? "true" : "false");
	if (v->reason != END_OOM_KILLED || v->scope == END_SCOPE_UNKNOWN)
		fputs("null", f);
	else
		fprintf(f, "\"%s\"",
		    v->scope == END_SCOPE_CGROUP ? "cgroup" : "system");
	if (v->reason == END_EXITED)
		fprintf(f, ", \"status\": %d", v->status);
	else
		fputs(", \"status\": null", f);
	abbrev = v->signal > 0 ? sigabbrev_np(v->signal) : NULL;
	if (v->signal > 0 && v->reason != END_EXITED)
		fprintf(f, ", \"signal\": %d, \"signal_name\": \"SIG%s\"",
		    v->signal, abbrev != NULL ? abbrev : "?");
	else
		fputs(", \"signal\": null", f);
	fprintf(f, ", \"core_dumped\": %s", v->core_dumped ? "true" : "false");
	if (v->reason == END_OOM_KILLED && v->scope == END_SCOPE_CGROUP) {
		fputs(", ", f);
		facts_json_str(f, "cgroup", v->cgroup);
		fputs(", ", f);
		facts_json_bytes_or_null(f, "limit_bytes", v->limit_bytes);
	}
	fprintf(f,
	    ", \"cgroup_oom_kills\": %" PRIu64
	    ", \"system_oom_kills\": %" PRIu64 ", ",
	    v->cg_kills, v->vm_kills);
	facts_json_str(f, "evidence", verdict_evidence(v, ev, sizeof ev));
	fputs("}}\n", f);
}

/* ---- CSV ---- */

void
facts_csv_head(FILE *f)
{
	fputs(",oom_eta_s,oom_basis,oom_limit_kb,oom_used_kb,oom_rate_kb_s,"
	      "oom_kills,rt_source,rt_heap_used,rt_heap_committed,end_reason,"
	      "end_text",
	    f);
}

void
facts_csv_cells(FILE *f, const struct model *m, const struct facts *fx,
    const struct end_verdict *v)
{
	const struct snapshot_info *in = model_info(m);
	const struct rt_figures *rt = &in->rt;
	char how[CG_PATH_MAX + 64];
	uint64_t used = 0, held = 0;

	if (fx->oom.status == OOM_ETA)
		fprintf(f, ",%.1f", fx->oom.eta_s);
	else
		fputc(',', f);
	fprintf(f, ",%s", oom_basis_name(fx->oom.basis));
	if (fx->oom.basis != OOM_BASIS_NONE)
		fprintf(f, ",%" PRIu64 ",%" PRIu64 ",%.3f", fx->oom.limit_kb,
		    fx->oom.used_kb, fx->oom.rate_kb_s);
	else
		fputs(",,,", f);
	if (in->cg.version != CGROUP_NONE)
		fprintf(f, ",%" PRIu64, in->cg.oom_kills);
	else if (in->has_cgroup)
		fprintf(f, ",%" PRIu64, in->cg_oom_kills);
	else
		fputc(',', f);
	if (rt->source != RT_SRC_NONE && rt->status == RT_ST_OK &&
	    rtfig_heap(rt, &used, &held))
		fprintf(f, ",%s,%" PRIu64 ",%" PRIu64,
		    rtfig_source_name(rt->source), used, held);
	else if (rt->source != RT_SRC_NONE || rt->status != RT_ST_OK)
		fprintf(f, ",%s,,", rtfig_source_name(rt->source));
	else
		fputs(",,,", f);
	if (v != NULL && v->known) {
		fprintf(f, ",%s,", end_reason_name((enum end_reason)v->reason));
		verdict_format(v, how, sizeof how);
		csv_put_field(f, how, strlen(how));
	} else
		fputs(",,", f);
}

/* ---- the dashboard's header ---- */

/* The parts of the cgroup/OOM line, long and short. */
struct limit_parts {
	char usage[96],
	    usage_s[64]; /* "cgroup 68M of 96M (71%)", "cg 68M/96M" */
	char proj[128], proj_s[64];  /* "OOM in ~41s at +2.2M/s", "OOM ~41s" */
	char rate_s[32];             /* "+2.2M/s" */
	char flags[64], flags_s[32]; /* ", memory pressure 12%", " PSI 12%" */
	char kills[64],
	    kills_s[48]; /* "OOM kills +1 since start", "kills +1" */
	char owner[512], path[CG_PATH_MAX * 4];
};

static void
facts_limit_parts(const struct model *m, const struct facts *fx, bool mem_shown,
    struct limit_parts *lp)
{
	const struct snapshot_info *in = model_info(m);
	const struct cgroup_facts *cg = &in->cg;
	const struct oom_projection *p = &fx->oom;
	char a[16], b[16], eta[32], rate[24], own[512];
	uint64_t cur, max;
	size_t at;

	memset(lp, 0, sizeof *lp);
	if (cg->version != CGROUP_NONE && cg->limit.max != CG_UNLIMITED &&
	    cg->limit.has_usage) {
		cur = cg->limit.current / 1024;
		max = cg->limit.max / 1024;
	} else if (cg->version == CGROUP_NONE && in->has_cgroup &&
	    in->cg_max != UINT64_MAX) {
		cur = in->cg_current / 1024;
		max = in->cg_max / 1024;
	} else
		cur = max = 0;
	if (max > 0) {
		snprintf(lp->usage, sizeof lp->usage,
		    "cgroup %s of %s (%.0f%%)", fmt_kb(cur, a, sizeof a),
		    fmt_kb(max, b, sizeof b),
		    100.0 * (double)cur / (double)max);
		snprintf(lp->usage_s, sizeof lp->usage_s, "cg %s/%s", a, b);
	} else if (in->has_cgroup) {
		snprintf(lp->usage, sizeof lp->usage, "cgroup %s, no limit",
		    fmt_kb(in->cg_current / 1024, a, sizeof a));
		snprintf(lp->usage_s, sizeof lp->usage_s, "cg %s", a);
	}
	if (p->basis == OOM_BASIS_SYSTEM && !mem_shown) {
		at = strlen(lp->usage);
		str_catf(lp->usage, sizeof lp->usage, &at, "%sMemAvailable %s",
		    at ? ", " : "", fmt_kb(in->mem_available_kb, a, sizeof a));
		at = strlen(lp->usage_s);
		str_catf(lp->usage_s, sizeof lp->usage_s, &at, "%savail %s",
		    at ? " " : "", a);
	}
	fmt_rate(p->rate_kb_s, rate, sizeof rate);
	if (p->status == OOM_ETA) {
		fmt_duration(p->eta_s, eta, sizeof eta);
		snprintf(lp->proj, sizeof lp->proj, "OOM in ~%s at %s%s", eta,
		    rate, p->basis == OOM_BASIS_SYSTEM ? " (system)" : "");
		snprintf(lp->proj_s, sizeof lp->proj_s, "OOM ~%s", eta);
		snprintf(lp->rate_s, sizeof lp->rate_s, "%s", rate);
	} else if (p->basis != OOM_BASIS_NONE)
		snprintf(lp->proj, sizeof lp->proj, "no OOM projection: %s",
		    p->status == OOM_POOR_FIT ? "irregular" :
		                                oom_status_name(p->status));
	if (p->flags & OOM_FLAG_PRESSURE) {
		snprintf(lp->flags, sizeof lp->flags,
		    ", memory pressure %.0f%%", p->psi_full_avg10);
		snprintf(lp->flags_s, sizeof lp->flags_s, " PSI %.0f%%",
		    p->psi_full_avg10);
	}
	if (p->flags & OOM_FLAG_AT_HIGH) {
		at = strlen(lp->flags);
		str_catf(lp->flags, sizeof lp->flags, &at, ", at memory.high");
		at = strlen(lp->flags_s);
		str_catf(lp->flags_s, sizeof lp->flags_s, &at, " high");
	}
	if (p->flags & OOM_FLAG_UNDER_OOM) {
		at = strlen(lp->flags);
		str_catf(lp->flags, sizeof lp->flags, &at, ", under OOM");
		at = strlen(lp->flags_s);
		str_catf(lp->flags_s, sizeof lp->flags_s, &at, " OOM!");
	}
	if (in->has_cgroup) {
		uint64_t k = cg->version != CGROUP_NONE ? cg->oom_kills :
		                                          in->cg_oom_kills;

		if (k > 0) {
			snprintf(lp->kills, sizeof lp->kills,
			    "OOM kills +%" PRIu64 " since start", k);
			snprintf(lp->kills_s, sizeof lp->kills_s,
			    "kills +%" PRIu64, k);
		}
	}
	if (cg->version != CGROUP_NONE) {
		cgroup_owner_format(cg, own, sizeof own);
		if (strcmp(own, cg->path) != 0)
			snprintf(lp->owner, sizeof lp->owner, "%s", own);
		snprintf(lp->path, sizeof lp->path, "%s", cg->path);
	} else if (in->has_cgroup)
		snprintf(lp->path, sizeof lp->path, "%s", in->cgroup_path);
}

int
facts_header_limit(const struct model *m, const struct facts *fx, int width,
    bool mem_shown, char *buf, size_t size)
{
	struct limit_parts lp;
	const struct oom_projection *p = &fx->oom;
	size_t at, w = width > 0 ? (size_t)width : 0;
	int form, warn;

	facts_limit_parts(m, fx, mem_shown, &lp);
	warn = (p->status == OOM_ETA && p->eta_s < 600) ||
	    (p->basis != OOM_BASIS_NONE && p->basis != OOM_BASIS_SYSTEM &&
	        p->limit_kb > 0 && p->used_kb >= p->limit_kb / 10 * 9) ||
	    (p->flags & (OOM_FLAG_PRESSURE | OOM_FLAG_UNDER_OOM)) != 0;
	/* From the longest form to the shortest, the first that fits. */
	for (form = 0; form < 8; form++) {
		at = 0;
		buf[0] = '\0';
		switch (form) {
		case 0: /* everything, the raw path last */
		case 1: /* without the path */
		case 2: /* without the owner */
			str_catf(buf, size, &at, "%s", lp.usage);
			if (lp.proj[0] != '\0')
				str_catf(buf, size, &at, "%s%s", at ? ", " : "",
				    lp.proj);
			str_catf(buf, size, &at, "%s", lp.flags);
			if (lp.kills[0] != '\0')
				str_catf(buf, size, &at, "  %s", lp.kills);
			if (form < 2 && lp.owner[0] != '\0')
				str_catf(buf, size, &at, "  %s", lp.owner);
			if (form == 0 && lp.path[0] != '\0')
				str_catf(buf, size, &at, "  [%s]", lp.path);
			break;
		case 3: /* short words, the rate */
		case 4: /* without the rate */
		case 5: /* without the kills */
		case 6: /* without pressure: the usage and projection alone */
			str_catf(buf, size, &at, "%s", lp.usage_s);
			if (lp.proj_s[0] != '\0')
				str_catf(buf, size, &at, "%s%s", at ? " " : "",
				    lp.proj_s);
			if (form == 3 && lp.rate_s[0] != '\0')
				str_catf(buf, size, &at, " %s", lp.rate_s);
			if (form < 6)
				str_catf(buf, size, &at, "%s", lp.flags_s);
			if (form < 5 && lp.kills_s[0] != '\0')
				str_catf(buf, size, &at, " %s", lp.kills_s);
			break;
		default: /* the projection alone, or the usage */
			str_catf(buf, size, &at, "%s",
			    lp.proj_s[0] != '\0' ? lp.proj_s : lp.usage_s);
			break;
		}
		if (at <= w)
			break;
	}
	if (buf[0] == '\0')
		return -1;
	return warn;
}

int
facts_header_end(const struct end_verdict *v, int width, char *buf, size_t size)
{
	char line[CG_PATH_MAX * 4 + 128], lim[16], sig[16];
	size_t w = width > 0 ? (size_t)width : 0;
	const char *abbrev;

	facts_end_line(v, line, sizeof line);
	snprintf(buf, size, "ended: %s", line);
	if (strlen(buf) <= w)
		goto out;
	snprintf(buf, size, "%s", line);
	if (strlen(buf) <= w)
		goto out;
	/* Short: what a narrow screen must still say. */
	abbrev = v->signal > 0 ? sigabbrev_np(v->signal) : NULL;
	snprintf(sig, sizeof sig, "SIG%s", abbrev != NULL ? abbrev : "?");
	if (v->reason == END_OOM_KILLED && v->scope == END_SCOPE_CGROUP &&
	    v->limit_bytes != CG_UNLIMITED)
		snprintf(buf, size, "%sOOM-killed: limit %s",
		    v->likely ? "likely " : "",
		    fmt_kb(v->limit_bytes / 1024, lim, sizeof lim));
	else if (v->reason == END_OOM_KILLED)
		snprintf(buf, size, "%sOOM-killed%s",
		    v->likely ? "likely " : "",
		    v->scope == END_SCOPE_SYSTEM ? " (system)" : "");
	else if (v->reason == END_SIGNALED)
		snprintf(buf, size, "killed by %s", sig);
	else if (v->reason == END_EXITED)
		snprintf(buf, size, "exit status %d", v->status);
	else
		snprintf(buf, size, "gone");
out:
	return v->reason == END_OOM_KILLED;
}

bool
facts_header_runtime(const struct model *m, const struct facts *fx, int width,
    char *buf, size_t size)
{
	const struct rt_figures *f = &model_info(m)->rt;
	const struct rt_rates *r = &fx->rates;
	char a[16], b[16], rate[24];
	uint64_t used, held;
	size_t at = 0;
	enum rt_field grow;

	if (!facts_rt_shown(f))
		return false;
	facts_rt_summary(f, r, fx->rt_resident_kb, buf, size);
	if (strlen(buf) <= (size_t)width || f->status != RT_ST_OK ||
	    !rtfig_heap(f, &used, &held))
		return true;
	/* Short: "Java heap 412M/1.0G old +3.1M/s", "Go heap 120M/160M
	 * objs +2.0M/s". */
	buf[0] = '\0';
	str_catf(buf, size, &at, "%s heap %s/%s",
	    rtfig_is_jvm(f->source) ? "Java" : "Go",
	    fmt_kb(used / 1024, a, sizeof a), fmt_kb(held / 1024, b, sizeof b));
	grow = rtfig_is_jvm(f->source) ? RTF_JVM_OLD_USED : RTF_GO_HEAP_ALLOC;
	if (r->have >> grow & 1) {
		fmt_rate(r->r[grow] / 1024, rate, sizeof rate);
		str_catf(buf, size, &at, " %s %s",
		    rtfig_is_jvm(f->source) ? "old" : "objs", rate);
	}
	return true;
}

/* A figure of the detail: "old gen     used 300M of 512M (max 1.0G)". */
static void facts_detail_line(char *out, size_t width, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void
facts_detail_line(char *out, size_t width, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(out, width, fmt, ap);
	va_end(ap);
}

/* "412M" from bytes, or "?" when unknown. */
static const char *
facts_rt_size(
    const struct rt_figures *f, enum rt_field k, char *buf, size_t size)
{
	if (!rtfig_has(f, k))
		return "?";
	return fmt_kb(f->v[k] / 1024, buf, size);
}

size_t
facts_rt_detail(const struct snapshot_info *in, const struct rt_rates *rates,
    char *out, size_t width, size_t max)
{
	const struct rt_figures *f = &in->rt;
	char a[16], b[16], c[16], d[16], esc[RTFIG_REASON_MAX * 4], rate[24];
	size_t n = 0;

#define LINE(...)                                                   \
	do {                                                        \
		if (n < max)                                        \
			facts_detail_line(                          \
			    out + n++ * width, width, __VA_ARGS__); \
	} while (0)
	if (f->source == RT_SRC_NONE && f->status == RT_ST_OK)
		return 0;
	if (f->status != RT_ST_OK) {
		esc_text(f->reason, strlen(f->reason), esc, sizeof esc, false);
		LINE("runtime figures: none (%s)",
		    esc[0] != '\0' ? esc : rtfig_status_name(f->status));
		return n;
	}
	esc_text(f->detail, strlen(f->detail), esc, sizeof esc, false);
	if (rtfig_is_jvm(f->source)) {
		LINE("JVM (hsperfdata%s%s): heap used %s of committed %s",
		    esc[0] ? ", " : "", esc,
		    facts_rt_size(f, RTF_JVM_HEAP_USED, a, sizeof a),
		    facts_rt_size(f, RTF_JVM_HEAP_COMMITTED, b, sizeof b));
		LINE("  eden %s of %s, survivors %s of %s",
		    facts_rt_size(f, RTF_JVM_EDEN_USED, a, sizeof a),
		    facts_rt_size(f, RTF_JVM_EDEN_COMMITTED, b, sizeof b),
		    facts_rt_size(f, RTF_JVM_SURVIVOR_USED, c, sizeof c),
		    facts_rt_size(f, RTF_JVM_SURVIVOR_COMMITTED, d, sizeof d));
		rate[0] = '\0';
		if (rates != NULL && (rates->have >> RTF_JVM_OLD_USED & 1))
			fmt_rate(rates->r[RTF_JVM_OLD_USED] / 1024, rate,
			    sizeof rate);
		LINE("  old gen %s of %s (max %s)%s%s",
		    facts_rt_size(f, RTF_JVM_OLD_USED, a, sizeof a),
		    facts_rt_size(f, RTF_JVM_OLD_COMMITTED, b, sizeof b),
		    facts_rt_size(f, RTF_JVM_OLD_MAX, c, sizeof c),
		    rate[0] ? ", " : "", rate);
		LINE("  metaspace %s of %s, class space %s of %s",
		    facts_rt_size(f, RTF_JVM_METASPACE_USED, a, sizeof a),
		    facts_rt_size(f, RTF_JVM_METASPACE_COMMITTED, b, sizeof b),
		    facts_rt_size(f, RTF_JVM_CLASS_USED, c, sizeof c),
		    facts_rt_size(f, RTF_JVM_CLASS_COMMITTED, d, sizeof d));
		LINE("  GCs: young %" PRIu64 " (%.0f ms), full %" PRIu64
		     " (%.0f ms), concurrent %" PRIu64
		     "; code %s; threads %" PRIu64,
		    f->v[RTF_JVM_YOUNG_GCS], f->v[RTF_JVM_YOUNG_GC_NS] / 1e6,
		    f->v[RTF_JVM_FULL_GCS], f->v[RTF_JVM_FULL_GC_NS] / 1e6,
		    f->v[RTF_JVM_CONC_GCS],
		    facts_rt_size(f, RTF_JVM_CODE, a, sizeof a),
		    f->v[RTF_JVM_THREADS]);
		return n;
	}
	rate[0] = '\0';
	if (rates != NULL && (rates->have >> RTF_GO_HEAP_ALLOC & 1))
		fmt_rate(rates->r[RTF_GO_HEAP_ALLOC] / 1024, rate, sizeof rate);
	LINE("Go (%s): HeapAlloc %s%s%s, HeapInuse %s",
	    rtfig_source_name(f->source),
	    facts_rt_size(f, RTF_GO_HEAP_ALLOC, a, sizeof a),
	    rate[0] ? " " : "", rate,
	    facts_rt_size(f, RTF_GO_HEAP_INUSE, b, sizeof b));
	LINE("  HeapIdle %s, HeapReleased %s, HeapSys %s",
	    facts_rt_size(f, RTF_GO_HEAP_IDLE, a, sizeof a),
	    facts_rt_size(f, RTF_GO_HEAP_RELEASED, b, sizeof b),
	    facts_rt_size(f, RTF_GO_HEAP_SYS, c, sizeof c));
	LINE("  StackInuse %s, Sys %s, NextGC %s",
	    facts_rt_size(f, RTF_GO_STACK_INUSE, a, sizeof a),
	    facts_rt_size(f, RTF_GO_SYS, b, sizeof b),
	    facts_rt_size(f, RTF_GO_NEXT_GC, c, sizeof c));
	LINE("  NumGC %" PRIu64 ", last pause %.2f ms, objects %" PRIu64,
	    f->v[RTF_GO_NUM_GC], f->v[RTF_GO_LAST_PAUSE_NS] / 1e6,
	    f->v[RTF_GO_HEAP_OBJECTS]);
#undef LINE
	return n;
}

/* ---- --info: the final window ---- */

struct grew {
	char what[720];
	double kb, rate;
};

/* The growth of a history over the last window_s: into *g; false when it
 * did not grow. */
static bool
facts_grew(const uint64_t *h, const double *t, size_t n, double window_s,
    struct grew *g)
{
	size_t i0 = 0, i;
	uint64_t v0, v1;
	double span;

	if (n < 2)
		return false;
	for (i = 0; i < n; i++) {
		if (t[i] <= t[n - 1] - window_s + 1e-6)
			i0 = i;
	}
	v1 = h[n - 1] == HISTORY_NONE ? 0 : h[n - 1];
	v0 = h[i0] == HISTORY_NONE ? 0 : h[i0];
	span = t[n - 1] - t[i0];
	if (v1 <= v0 || span <= 0)
		return false;
	g->kb = (double)(v1 - v0);
	g->rate = g->kb / span;
	return true;
}

static int
facts_grew_cmp(const void *a, const void *b)
{
	const struct grew *x = a, *y = b;

	return x->kb < y->kb ? 1 : x->kb > y->kb ? -1 : 0;
}

#define FACTS_TOP 5

/* Keep g among the top FACTS_TOP of top[0..*n). */
static void
facts_top_add(struct grew *top, size_t *n, const struct grew *g)
{
	if (*n < FACTS_TOP)
		top[(*n)++] = *g;
	else if (g->kb > top[FACTS_TOP - 1].kb)
		top[FACTS_TOP - 1] = *g;
	else
		return;
	qsort(top, *n, sizeof *top, facts_grew_cmp);
}

static void
facts_top_print(FILE *f, const char *title, const struct grew *top, size_t n)
{
	char a[16], r[24];
	size_t i;

	/* The rate, what it added over the window, which. */
	for (i = 0; i < n; i++)
		fprintf(f, "  %-9s %9s  +%-6s %s\n", i == 0 ? title : "",
		    fmt_rate(top[i].rate, r, sizeof r),
		    fmt_kb((uint64_t)top[i].kb, a, sizeof a), top[i].what);
	if (n == 0)
		fprintf(f, "  %-9s none grew\n", title);
}

void
facts_final_window(FILE *f, struct model *m, double window_s)
{
	static uint64_t h[MODEL_HISTORY];
	static double t[MODEL_HISTORY];
	struct grew top[FACTS_TOP], g;
	const struct region_group *groups;
	size_t i, n, nt, ng, k;
	double span;
	char label[128], esc[512];

	nt = model_history_mono(m, t, MODEL_HISTORY);
	if (nt < 2)
		return;
	for (k = 0; k < nt && t[k] < t[nt - 1] - window_s + 1e-6; k++)
		continue;
	k = k > 0 ? k - 1 : 0;
	span = t[nt - 1] - t[k];
	fprintf(f,
	    "last %.0fs: what grew most before the end (rate, growth over "
	    "%.1fs)\n",
	    window_s, span);
	n = 0;
	ng = model_groups(m, GROUP_CLASS, &groups);
	for (i = 0; i < ng; i++) {
		size_t nh = model_history(m, &groups[i].hist[SERIES_RSS], 0,
		    UINT64_MAX, h, MODEL_HISTORY);

		if (nh != nt || !facts_grew(h, t, nt, window_s, &g))
			continue;
		esc_text(groups[i].label, strlen(groups[i].label), g.what,
		    sizeof g.what, true);
		facts_top_add(top, &n, &g);
	}
	facts_top_print(f, "classes:", top, n);
	n = 0;
	for (i = 0; i < model_nregions(m); i++) {
		const struct tracked_region *r = model_region(m, i);
		const char *path;
		size_t len, nh;

		nh = model_region_history(m, r, SERIES_RSS, h, MODEL_HISTORY);
		if (nh != nt || !facts_grew(h, t, nt, window_s, &g))
			continue;
		model_class_label(m, r, label, sizeof label);
		path = model_path(m, r->path_id, &len);
		esc_text(path, len, esc, sizeof esc, true);
		snprintf(g.what, sizeof g.what,
		    "%" PRIx64 "-%" PRIx64 " %s%s%s", r->start, r->end, label,
		    esc[0] ? " " : "", esc);
		facts_top_add(top, &n, &g);
	}
	facts_top_print(f, "regions:", top, n);
}
