/*
 * dynlib.h - a library's entry points loaded with dlopen() on first use.
 *
 * For libraries a feature needs and most runs do not: linked, they are
 * loaded (with all they depend on) at every start.
 */
#ifndef MEMTOP_DYNLIB_H
#define MEMTOP_DYNLIB_H

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

enum dynlib_result {
	DYNLIB_OK,
	DYNLIB_ABSENT, /* none of the names could be opened */
	DYNLIB_OLD,    /* opened, but *missing is not in it */
};

/* Opens the first of sonames[0..nsonames) that loads and fills table with
 * syms' addresses.  The library stays loaded. */
enum dynlib_result dynlib_load(const char *const *sonames, size_t nsonames,
    const struct dynlib_sym *syms, size_t nsyms, void *table,
    const char **missing);

#endif
