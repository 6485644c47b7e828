/*
 * rx.h - compiled pcre2 patterns, opaque so that pcre2 stays out of the
 * headers.  Smart case: a pattern with an upper-case letter is exact.
 */
#ifndef MEMTOP_RX_H
#define MEMTOP_RX_H

#include <stdbool.h>
#include <stddef.h>

struct rx;
/* NULL with *err set (malloc'd, "missing ) at offset 3") on a bad pattern. */
struct rx *rx_compile(const char *pattern, char **err);
bool rx_match(const struct rx *rx, const char *s, size_t len);
void rx_free(struct rx *rx);

#endif
