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
	/* How the old one ended, as the END frame says it. */
	buf_u8(b, v->known);
	if (v->known)
		codec_verdict_encode(b, v);
}

int
restart_fact_decode(struct rd *r, void *obj)
{
	struct target_restart *x = &((struct snapshot *)obj)->info.restart;
	struct end_verdict *v = &x->how;
	uint64_t pid;

	memset(x, 0, sizeof *x);
	x->count = (uint32_t)rd_varint(r);
	pid = rd_varint(r);
	x->old_start_time = rd_varint(r);
	x->old_state = rd_u8(r);
	x->ended_wall = rd_f64(r);
	x->switched_wall = rd_f64(r);
	if (rd_u8(r) != 0 && codec_verdict_decode(r, v) != 0)
		r->err = 1;
	if (r->err || x->count == 0 || pid == 0 || pid > INT32_MAX ||
	    x->old_state > TARGET_DENIED || !codec_time_ok(x->ended_wall) ||
	    !codec_time_ok(x->switched_wall)) {
		memset(x, 0, sizeof *x);
		return -1;
	}
	x->old_pid = (int)pid;
	return 0;
}

void
restart_fact_clear(void *obj)
{
	memset(&((struct snapshot *)obj)->info.restart, 0,
	    sizeof(struct target_restart));
}
