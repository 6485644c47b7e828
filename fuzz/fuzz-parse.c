/*
 * fuzz-parse.c - libFuzzer target for every /proc parser, and for the
 * classifier and model fed with whatever the smaps parser made of the input.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "model.h"
#include "proc-parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* parse_smaps's contract: sorted, no overlaps, paths inside the arena. */
static void
check_regions(const struct snapshot *s)
{
	size_t i;

	for (i = 0; i < s->nregions; i++) {
		const struct region *r = &s->regions[i];

		if (r->end <= r->start || (i > 0 && r->start < r[-1].end) ||
		    (uint64_t)r->path_off + r->path_len >= s->strings_len + 1 ||
		    s->strings[r->path_off + r->path_len] != '\0')
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct snapshot *s;
	const char *buf = (const char *)data;
	struct snapshot_info info;
	struct proc_stat st;
	uint64_t a;
	char path[64];

	if (s == NULL)
		s = snapshot_new();
	snapshot_clear(s);
	if (parse_smaps(buf, size, s) >= 0) {
		struct model *m = model_new();

		/* Twice, so identity matching sees the same regions again. */
		model_ingest(m, s);
		model_ingest(m, s);
		model_free(m);
	}
	check_regions(s);
	parse_status(buf, size, &info);
	parse_stat(buf, size, &st);
	parse_syscall_sp(buf, size, &a);
	parse_cgroup_path(buf, size, path, sizeof path);
	return 0;
}
