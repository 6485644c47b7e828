/*
 * restart.c - the restart of a followed process: in words, and as a sample
 * record of a session file.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "restart.h"
#include "session-codec.h"
#include "snapshot.h"

char *
restart_how(const struct target_restart *r, char *buf, size_t size)
{
	char how[CG_PATH_MAX + 64], when[16];
	time_t t = (time_t)r->ended_wall;
	struct tm tm;

	if (r->how.known)
		verdict_format(&r->how, how, sizeof how);
	else
		snprintf(how, sizeof how, "%s",
		    target_state_name((enum target_state)r->old_state));
	localtime_r(&t, &tm);
	strftime(when, sizeof when, "%H:%M:%S", &tm);
	snprintf(buf, size, "%s at %s", how, when);
	return buf;
}

char *
restart_format(
    const struct target_restart *r, int now_pid, char *buf, size_t size)
{
	char how[CG_PATH_MAX + 96];

	snprintf(buf, size, "restarted: pid %d %s, now pid %d", r->old_pid,
	    restart_how(r, how, sizeof how), now_pid);
	return buf;
}

/* A time a recording may hold (session-codec.c's rule). */
static bool
restart_time_ok(double t)
{
	return t >= 0 && t < 1e11;
}

void
restart_fact_encode(struct buf *b, const void *obj)
{
	const struct target_restart *r =
	    &((const struct snapshot *)obj)->info.restart;
	const struct end_verdict *v = &r->how;

	if (r->count == 0)
		return;
	buf_varint(b, r->count);
	buf_varint(b, (uint64_t)r->old_pid);
	buf_varint(b, r->old_start_time);
	buf_u8(b, r->old_state);
	buf_f64(b, r->ended_wall);
	buf_f64(b, r->switched_wall);
	/* The verdict, field by field (verdict.h). */
	buf_u8(b, v->known);
	buf_u8(b, v->reason);
	buf_u8(b, v->scope);
	buf_u8(b, v->likely);
	buf_u8(b, v->core_dumped);
	buf_zigzag(b, v->status);
	buf_varint(b, (uint64_t)(v->signal > 0 ? v->signal : 0));
	buf_varint(b, v->evidence);
	buf_varint(b, v->cg_kills);
	buf_varint(b, v->vm_kills);
	buf_varint(b, v->limit_bytes);
	buf_bytes(b, v->cgroup, strnlen(v->cgroup, sizeof v->cgroup));
	buf_f64(b, v->wall);
}

int
restart_fact_decode(struct rd *r, void *obj)
{
	struct target_restart *x = &((struct snapshot *)obj)->info.restart;
	struct end_verdict *v = &x->how;
	uint64_t pid, sig, ev;
	int64_t status;

	memset(x, 0, sizeof *x);
	x->count = (uint32_t)rd_varint(r);
	pid = rd_varint(r);
	x->old_start_time = rd_varint(r);
	x->old_state = rd_u8(r);
	x->ended_wall = rd_f64(r);
	x->switched_wall = rd_f64(r);
	v->known = rd_u8(r);
	v->reason = rd_u8(r);
	v->scope = rd_u8(r);
	v->likely = rd_u8(r);
	v->core_dumped = rd_u8(r);
	status = rd_zigzag(r);
	sig = rd_varint(r);
	ev = rd_varint(r);
	v->cg_kills = rd_varint(r);
	v->vm_kills = rd_varint(r);
	v->limit_bytes = rd_varint(r);
	rd_str(r, v->cgroup, sizeof v->cgroup);
	v->wall = rd_f64(r);
	if (r->err || x->count == 0 || pid == 0 || pid > INT32_MAX ||
	    x->old_state > TARGET_DENIED || v->reason > END_OOM_KILLED ||
	    v->scope > END_SCOPE_SYSTEM || status < -1 || status > 255 ||
	    sig > 128 || ev > UINT32_MAX || !restart_time_ok(x->ended_wall) ||
	    !restart_time_ok(x->switched_wall) || !restart_time_ok(v->wall)) {
		memset(x, 0, sizeof *x);
		return -1;
	}
	x->old_pid = (int)pid;
	v->status = (int)status;
	v->signal = (int)sig;
	v->evidence = (uint32_t)ev;
	return 0;
}

void
restart_fact_clear(void *obj)
{
	memset(&((struct snapshot *)obj)->info.restart, 0,
	    sizeof(struct target_restart));
}
