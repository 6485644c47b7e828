/*
 * dynlib.h - a library's entry points loaded with dlopen() on first use.
 *
 * For libraries a feature needs and most runs do not: linked, they are
 * loaded (with all they depend on) at every start.
 */
#ifndef MEMTOP_DYNLIB_H
#define MEMTOP_DYNLIB_H

#include <stdbool.h>
#include <stddef.h>

/* One entry point: its symbol and where its address goes in the table. */
struct dynlib_sym {
	const char *name;
	size_t off; /* offsetof the pointer in the table */
};

#define DYNLIB_SYM(table_type, field, symbol)       \
	{                                           \
		symbol, offsetof(table_type, field) \
	}

/* A library: its sonames to try in turn, and what to tell a user who lacks
 * it ("libcurl", "libcurl4", "7.62"). */
struct dynlib {
	const char *name;
	const char *const *sonames;
	size_t nsonames;
	const char *package; /* the Debian package that installs it */
	const char *since;   /* the version that has every symbol */
	const struct dynlib_sym *syms;
	size_t nsyms;
};

/* Opens the first of lib's sonames that loads and fills table with its
 * symbols' addresses; the library stays loaded.  false, with why ("libcurl
 * is not installed (libcurl.so.4: apt-get install libcurl4)", "libcurl
 * without curl_url: older than 7.62"), when it cannot. */
bool dynlib_load(const struct dynlib *lib, void *table, char *why, size_t size);

#endif
