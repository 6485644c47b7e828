/*
 * app.c - what every front end does with a sample: model, recorder, end.
 */
#include <errno.h>
#include <stdlib.h>

#include "app.h"
#include "util.h"

int
app_ingest(struct app *app, const struct snapshot *snap, char **cause)
{
	if (model_ingest(app->model, snap) != 0) {
		*cause = xasprintf("out of memory");
		return -ENOMEM;
	}
	app->samples++;
	return 0;
}

/* Why a live target stopped being sampled, in a user's words. */
static char *
app_end_message(const struct app *app, enum target_state state)
{
	switch (state) {
	case TARGET_ZOMBIE:
		return xasprintf("process %d exited (a zombie, not yet reaped)",
		    app->pid);
	case TARGET_REUSED:
		return xasprintf("process %d exited and its PID now belongs to "
		    "another process", app->pid);
	case TARGET_KERNEL_THREAD:
		return xasprintf("PID %d is a kernel thread: it has no user "
		    "memory", app->pid);
	case TARGET_DENIED:
		return xasprintf("permission denied reading process %d",
		    app->pid);
	default:
		return xasprintf("process %d exited", app->pid);
	}
}

void
app_end(struct app *app, char *cause, int err, enum target_state state)
{
	if (cause == NULL && app->replay_path == NULL)
		cause = app_end_message(app, state);
	app->ended = true;
	free(app->end_cause);
	app->end_cause = cause;
	app->end_err = err;
	app->end_state = state;
}

int
app_exit_code(const struct app *app)
{
	if (!app->ended)
		return EXIT_OK;
	if (app->end_err == -EACCES || app->end_err == -EPERM)
		return EXIT_PERMISSION;
	if (app->end_err == -EBADMSG || app->end_err == -EPROTO)
		return EXIT_BAD_SESSION;
	if (app->end_err != 0)
		return EXIT_FAILURE_GENERIC;
	if (app->replay_path != NULL)
		return EXIT_OK;
	return EXIT_TARGET_GONE;
}
