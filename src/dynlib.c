/*
 * dynlib.c - a library's entry points loaded with dlopen() on first use.
 */
#include "config.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "dynlib.h"

bool
dynlib_load(const struct dynlib *lib, void *table, char *why, size_t size)
{
	void *h = NULL, *fn;
	size_t i;

	for (i = 0; h == NULL && i < lib->nsonames; i++)
		h = dlopen(lib->sonames[i], RTLD_NOW | RTLD_LOCAL);
	if (h == NULL) {
		snprintf(why, size,
		    "%s is not installed (%s: apt-get install %s)", lib->name,
		    lib->sonames[0], lib->package);
		return false;
	}
	for (i = 0; i < lib->nsyms; i++) {
		if ((fn = dlsym(h, lib->syms[i].name)) == NULL) {
			snprintf(why, size, "%s without %s: older than %s",
			    lib->name, lib->syms[i].name, lib->since);
			dlclose(h);
			return false;
		}
		memcpy((char *)table + lib->syms[i].off, &fn, sizeof fn);
	}
	return true;
}
