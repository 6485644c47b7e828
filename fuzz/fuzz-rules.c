/*
 * fuzz-rules.c - libFuzzer target for the user's rules file: parse the
 * bytes as rules, then classify a small snapshot with them.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "classify-rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
add(struct snapshot *s, uint64_t a, uint64_t b, const char *perms,
    const char *path)
{
	struct region r;

	memset(&r, 0, sizeof r);
	r.start = a;
	r.end = b;
	memcpy(r.perms, perms, 4);
	snapshot_add_region(s, &r, path, strlen(path));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct snapshot *s;
	struct classify_rules *r = classify_rules_new();
	char *msgs = NULL, label[64];
	uint8_t cls[4];
	size_t i;

	if (s == NULL) {
		s = snapshot_new();
		add(s, 0x400000, 0x401000, "r-xp", "/usr/bin/app");
		add(s, 0x500000, 0x600000, "rw-p", "[heap]");
		add(s, 0xc000000000, 0xc004000000, "rw-p", "[anon: Go: heap]");
		add(s, 0x7f0000000000, 0x7f0000100000, "rw-p", "");
	}
	classify_rules_parse(r, "fuzz", (const char *)data, size, &msgs);
	free(msgs);
	classify_rules_install(r);
	classify_snapshot(s, cls);
	for (i = 0; i < s->nregions; i++)
		region_class_label(
		    (enum region_class)cls[i], "", 0, label, sizeof label);
	classify_rules_install(NULL);
	classify_rules_free(r);
	return 0;
}
