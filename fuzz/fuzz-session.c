/*
 * fuzz-session.c - libFuzzer target for the session file reader: open the
 * bytes as a recording, read every sample in order, then seek about and
 * read the summary (END and mark frames, and the extension records of the
 * header and of every frame, are decoded on the way).  Then the same bytes
 * as the payload of each frame type the reader does not decode while
 * replaying (INDEX), and of END and mark frames on their own.  Built with
 * FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION the reader ignores checksums, so
 * the fuzzer reaches the frame decoders.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "replay.h"
#include "session-codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct snapshot *s = snapshot_new();
	struct session_summary sum;
	struct session_end end;
	struct codec_key keys[8];
	const char *why = NULL;
	unsigned kind;
	struct source *src;
	char *cause = NULL;
	size_t n, i;
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
		for (i = n; i > 0; i /= 2) {
			/* Backwards and halving: each from a key frame. */
			if (replay_read(src, i - 1, s, &cause) != 0) {
				free(cause);
				cause = NULL;
			}
		}
		replay_seek(src, n / 3);
		while (source_next(src, s, &cause) == 0)
			(void)replay_time_of(src, replay_position(src));
		free(cause);
		(void)replay_find_time(src, 1.7e9);
		replay_summary(src, &sum);
		source_close(src);
	}
	(void)codec_decode_index(data, size, keys, 8, &n, &why);
	(void)codec_decode_end(data, size, &end, &why);
	(void)codec_decode_mark(data, size, &kind, &why);
	snapshot_free(s);
	return 0;
}
