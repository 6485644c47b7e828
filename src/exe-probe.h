/*
 * exe-probe.h - what program a process runs, from its executable's ELF
 * file: Go (the .go.buildinfo section, with the toolchain version), CPython
 * (the .PyRuntime section), dynamic linking (PT_INTERP).
 */
#ifndef MEMTOP_EXE_PROBE_H
#define MEMTOP_EXE_PROBE_H

#include <stddef.h>
#include <stdint.h>

#include "snapshot.h"

/*
 * Probe dirfd/exe (dirfd: the target's /proc/PID, so the file is the one
 * the process runs even if its path was replaced), and its link target's
 * name for a CPython version ("python3.11").  Fills *out (zeroed first;
 * probed set when the file could be read).  0, or -errno when it could not
 * be opened.
 */
int exe_probe_dir(int dirfd, struct runtime_facts *out);

/*
 * The same on an ELF image in memory (tests, the fuzz target); name is the
 * executable's path or NULL.  Never reads outside data[0..size), whatever
 * the image's offsets and lengths say.  0, or -EINVAL when it is no ELF.
 */
int exe_probe_mem(const uint8_t *data, size_t size, const char *name,
    struct runtime_facts *out);

/* "python3.11" (or a path ending so) -> 3, 11; 0 if it names none. */
int exe_probe_python_name(const char *name, uint8_t *major, uint8_t *minor);

#endif
