/*
 * rx.c - pcre2 patterns for the filter, the search and classification rules.
 */
#include "config.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdlib.h>

#include "rx.h"
#include "util.h"

struct rx {
	pcre2_code *code;
	pcre2_match_data *md;
};

struct rx *
rx_compile(const char *pattern, char **err)
{
	PCRE2_UCHAR msg[256];
	PCRE2_SIZE off;
	struct rx *rx;
	int code;

	const char *p;
	uint32_t opts = PCRE2_CASELESS;

	/* Smart case, as in less and vim: an upper-case letter makes it exact. */
	for (p = pattern; *p != '\0'; p++) {
		if (*p >= 'A' && *p <= 'Z')
			opts = 0;
	}
	rx = xcalloc(1, sizeof *rx);
	rx->code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
	    opts, &code, &off, NULL);
	if (rx->code == NULL) {
		pcre2_get_error_message(code, msg, sizeof msg);
		if (err != NULL)
			*err = xasprintf("bad pattern at offset %zu: %s",
			    (size_t)off, (char *)msg);
		free(rx);
		return NULL;
	}
	rx->md = pcre2_match_data_create_from_pattern(rx->code, NULL);
	return rx;
}

bool
rx_match(const struct rx *rx, const char *s, size_t len)
{
	return pcre2_match(rx->code, (PCRE2_SPTR)s, len, 0, 0, rx->md, NULL) >=
	    0;
}

void
rx_free(struct rx *rx)
{
	if (rx == NULL)
		return;
	pcre2_match_data_free(rx->md);
	pcre2_code_free(rx->code);
	free(rx);
}
