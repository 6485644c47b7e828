/*
 * fuzz-exe-probe.c - libFuzzer target for the ELF probe of /proc/PID/exe:
 * the bytes as an executable; the probe must never read outside them and
 * must leave its facts in range.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "exe-probe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct runtime_facts rt;
	uint8_t *copy = malloc(size ? size : 1);

	/* A copy of exactly size bytes: ASan sees any read past it. */
	memcpy(copy, data, size);
	exe_probe_mem(copy, size, "/usr/bin/python3.11", &rt);
	if (memchr(rt.go_version, '\0', sizeof rt.go_version) == NULL)
		abort();
	if ((rt.flags & ~(RT_GO | RT_DYNAMIC | RT_CPYTHON)) != 0)
		abort();
	free(copy);
	return 0;
}
