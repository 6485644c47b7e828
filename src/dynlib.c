/*
 * dynlib.c - a library's entry points loaded with dlopen() on first use.
 */
#include "config.h"

#include <dlfcn.h>
#include <string.h>

#include "dynlib.h"

enum dynlib_result
dynlib_load(const char *const *sonames, size_t nsonames,
    const struct dynlib_sym *syms, size_t nsyms, void *table,
    const char **missing)
{
	void *h = NULL, *fn;
	size_t i;

	for (i = 0; h == NULL && i < nsonames; i++)
		h = dlopen(sonames[i], RTLD_NOW | RTLD_LOCAL);
	if (h == NULL)
		return DYNLIB_ABSENT;
	for (i = 0; i < nsyms; i++) {
		if ((fn = dlsym(h, syms[i].name)) == NULL) {
			*missing = syms[i].name;
			dlclose(h);
			return DYNLIB_OLD;
		}
		memcpy((char *)table + syms[i].off, &fn, sizeof fn);
	}
	return DYNLIB_OK;
}
