/*
 * fuzz-session.c - libFuzzer target for the session file reader: open the
 * bytes as a recording, read every sample in order, then seek about.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "session.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct snapshot *s = snapshot_new();
	struct session_summary sum;
	struct source *src;
	char *cause = NULL;
	size_t n;
	int err;

	src = source_replay_open_buffer(data, size, &cause, &err);
	free(cause);
	cause = NULL;
	if (src != NULL) {
		while (source_next(src, s, &cause) == 0)
			continue;
		free(cause);
		cause = NULL;
		n = replay_count(src);
		if (n > 0) {
			replay_read(src, n - 1, s, &cause);
			free(cause);
			cause = NULL;
			replay_read(src, n / 2, s, &cause);
			free(cause);
		}
		replay_summary(src, &sum);
		source_close(src);
	}
	snapshot_free(s);
	return 0;
}
