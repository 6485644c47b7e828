/*
 * batch-restart.c - a followed target's restart in batch output (-P
 * --follow, live or from a recording): the line under the text header and
 * the "restarted" object of a JSON sample, on every sample of the process
 * that replaced another.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "batch.h"
#include "util.h"

void
batch_restart_text(FILE *f, const struct snapshot_info *info)
{
	char line[CG_PATH_MAX + 160], esc[4 * sizeof line];

	if (info->restart.count == 0)
		return;
	restart_format(&info->restart, info->pid, line, sizeof line);
	esc_text(line, strlen(line), esc, sizeof esc, true);
	fprintf(f, "%s (restart %" PRIu32 ")\n", esc, info->restart.count);
}

void
batch_restart_json(FILE *f, const struct snapshot_info *info)
{
	const struct target_restart *r = &info->restart;
	char how[CG_PATH_MAX + 64];

	if (r->count == 0)
		return;
	fprintf(f,
	    ", \"restarted\": {\"count\": %" PRIu32 ", \"pid\": %d, "
	    "\"state\": \"%s\", \"reason\": \"%s\", \"how\": ",
	    r->count, r->old_pid,
	    target_state_name((enum target_state)r->old_state),
	    end_reason_name(
	        r->how.known ? (enum end_reason)r->how.reason : END_UNKNOWN));
	if (r->how.known)
		verdict_format(&r->how, how, sizeof how);
	else
		snprintf(how, sizeof how, "%s",
		    target_state_name((enum target_state)r->old_state));
	json_put_string(f, how, strlen(how));
	fprintf(f, ", \"ended\": %.3f, \"switched\": %.3f}", r->ended_wall,
	    r->switched_wall);
}
