/*
 * report.h - what the suspects screen, the diff screen and batch output
 * share beyond the ranking and the diff themselves: the ranking's options
 * from the OOM projection, a suspect's and a diff line's name in words.
 * No curses, no I/O.
 */
#ifndef MEMTOP_REPORT_H
#define MEMTOP_REPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "model.h"
#include "moment.h"
#include "suspect.h"

/*
 * The ranking's options for m now: by, at most max suspects (0: all), the
 * headroom under the OOM limit and the cgroup's growth from the OOM
 * projection (oom.h) where it has a basis, NAN where not.
 */
void report_suspect_opts(const struct model *m, enum group_by by, size_t max,
    struct suspect_opts *o);

/* A suspect's name for a table: its class label ("anon:leak", or a
 * group's class), then its file's path, escaped; "" path when anonymous.
 * The label goes to label (escaped), the path to path (escaped). */
void report_suspect_names(const struct model *m, const struct suspect *s,
    char *label, size_t lsize, char *path, size_t psize, bool utf8);

/* The path of a diff line (a region's or a file group's), escaped, into
 * buf; "" when anonymous.  Returns buf. */
char *report_delta_path(
    const struct moment_delta *d, char *buf, size_t size, bool utf8);

/* The start address of a diff line's region (the later moment's, or the
 * earlier when it is gone); 0 for a group. */
uint64_t report_delta_start(const struct moment_delta *d);
uint64_t report_delta_end(const struct moment_delta *d);

/* The process list's namer (proclist_set_namer): the container, pod or
 * unit of a cgroup path (cgroup_owner_format), malloc'd; NULL when the
 * path names none of them (the column then shows nothing). */
char *report_cgroup_name(const char *cgroup, void *arg);

#endif
