/*
 * parse-ref.c - bench/run's yardstick for the smaps parser's instruction
 * count: the same text parsed by memtop's parser (proc-parse.c) or by a
 * plain reference parser (one memchr a line, hex and decimal by hand, a
 * field told by its name's length and first letter, no checks), run under
 * callgrind; "none" reads the text only, so that the difference of two
 * runs is the parser's own.
 *
 * usage: parse-ref none|memtop|ref FILE [REPEAT]
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc-parse.h"

struct ref_region {
	uint64_t start, end;
	uint64_t kb[32];
};

static uint64_t
ref_hex(const char **p)
{
	uint64_t v = 0;
	const char *s = *p;

	for (;; s++) {
		unsigned c = (unsigned char)*s;

		if (c - '0' < 10)
			v = v << 4 | (c - '0');
		else if (c - 'a' < 6)
			v = v << 4 | (c - 'a' + 10);
		else
			break;
	}
	*p = s;
	return v;
}

/* The plain parser: the regions' ranges and counters, nothing else. */
static size_t
ref_parse(const char *buf, size_t len, struct ref_region *out, size_t max)
{
	const char *p = buf, *end = buf + len;
	size_t n = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;

		if ((unsigned)(*p - '0') < 10 || (unsigned)(*p - 'a') < 6) {
			if (n == max)
				break;
			out[n].start = ref_hex(&p);
			p++;
			out[n].end = ref_hex(&p);
			n++;
		} else if (n > 0) {
			const char *c = memchr(p, ':', (size_t)(le - p));

			if (c != NULL && c - p < 24) {
				uint64_t v = 0;
				const char *q = c + 1;

				while (*q == ' ')
					q++;
				while ((unsigned)(*q - '0') < 10)
					v = v * 10 + (unsigned)(*q++ - '0');
				out[n - 1].kb[((size_t)(c - p) * 7 +
				                  (unsigned char)*p) &
				    31] = v;
			}
		}
		p = nl ? nl + 1 : end;
	}
	return n;
}

int
main(int argc, char **argv)
{
	size_t cap = 1 << 20, len = 0, n = 0;
	char *buf = malloc(cap);
	ssize_t r;
	int fd, i, repeat = argc > 3 ? atoi(argv[3]) : 1;

	if (argc < 3 || buf == NULL || (fd = open(argv[2], O_RDONLY)) < 0) {
		fprintf(stderr, "usage: parse-ref none|memtop|ref FILE\n");
		return 2;
	}
	while ((r = read(fd, buf + len, cap - len)) > 0) {
		len += (size_t)r;
		if (len == cap && (buf = realloc(buf, cap *= 2)) == NULL)
			return 1;
	}
	close(fd);
	for (i = 0; i < repeat; i++) {
		if (strcmp(argv[1], "memtop") == 0) {
			struct snapshot *s = snapshot_new();

			parse_smaps(buf, len, s);
			n = s->nregions;
			snapshot_free(s);
		} else if (strcmp(argv[1], "ref") == 0) {
			struct ref_region *out =
			    calloc(len / 64 + 1, sizeof *out);

			n = ref_parse(buf, len, out, len / 64 + 1);
			free(out);
		}
	}
	printf("%zu regions\n", n);
	free(buf);
	return 0;
}
