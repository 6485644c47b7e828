/*
 * fuzz-parse.c - libFuzzer target for every /proc parser, and for the
 * classifier and model fed with whatever the smaps parser made of the input.
 */
#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "proc-parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct snapshot *s;
	const char *buf = (const char *)data;
	struct snapshot_info info;
	struct proc_stat st;
	struct model *m;
	uint64_t a, b;
	char path[64];

	if (s == NULL)
		s = snapshot_new();
	snapshot_clear(s);
	if (parse_smaps(buf, size, s) >= 0) {
		/* Twice, so identity matching sees the same regions again. */
		m = model_new();
		model_ingest(m, s);
		model_ingest(m, s);
		model_free(m);
	}
	parse_status(buf, size, &info);
	parse_stat(buf, size, &st);
	parse_meminfo(buf, size, &a, &b);
	parse_syscall_sp(buf, size, &a);
	parse_cgroup_path(buf, size, path, sizeof path);
	return 0;
}
