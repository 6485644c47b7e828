/*
 * proc-parse.c - parsers of /proc text.  The smaps parser is the hot path of
 * every sample: one pass over the buffer, memchr for line ends, numbers
 * scanned by hand, field names found by a switch on their length.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "proc-parse.h"

static inline int
is_hex(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

static inline unsigned
hex_val(int c)
{
	if (c <= '9')
		return (unsigned)(c - '0');
	return (unsigned)((c | 0x20) - 'a' + 10);
}

/* Scan hex digits at *p (< end); 0 if there are none.  Saturates. */
static int
scan_hex(const char **p, const char *end, uint64_t *out)
{
	const char *s = *p;
	uint64_t v = 0;

	while (s < end && is_hex((unsigned char)*s)) {
		if (v >> 60)
			v = UINT64_MAX;
		else
			v = (v << 4) | hex_val((unsigned char)*s);
		s++;
	}
	if (s == *p)
		return 0;
	*p = s;
	*out = v;
	return 1;
}

/* Scan decimal digits at *p after blanks; 0 if there are none. */
static int
scan_dec(const char **p, const char *end, uint64_t *out)
{
	const char *s = *p;
	uint64_t v = 0;

	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	if (s == end || *s < '0' || *s > '9')
		return 0;
	while (s < end && *s >= '0' && *s <= '9') {
		unsigned d = (unsigned)(*s - '0');

		if (v > (UINT64_MAX - d) / 10)
			v = UINT64_MAX;
		else
			v = v * 10 + d;
		s++;
	}
	*p = s;
	*out = v;
	return 1;
}

static inline const char *
skip_blanks(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

/*
 * A mapping header: "start-end perms offset major:minor inode   path".
 * Fills r (counters cleared) and the path; 0 if the line is not one.
 */
static int
parse_header(const char *p, const char *end, struct region *r,
    const char **path, size_t *path_len)
{
	uint64_t v;
	int i;

	memset(r, 0, sizeof *r);
	if (!scan_hex(&p, end, &r->start) || p == end || *p++ != '-' ||
	    !scan_hex(&p, end, &r->end) || p == end || *p++ != ' ')
		return 0;
	for (i = 0; i < 4; i++) {
		if (p == end || *p == ' ')
			return 0;
		r->perms[i] = *p++;
	}
	r->perms[4] = '\0';
	if (p == end || *p++ != ' ' || !scan_hex(&p, end, &r->offset) ||
	    p == end || *p++ != ' ' || !scan_hex(&p, end, &v) || p == end ||
	    *p++ != ':')
		return 0;
	r->dev_major = (uint32_t)v;
	if (!scan_hex(&p, end, &v))
		return 0;
	r->dev_minor = (uint32_t)v;
	if (!scan_dec(&p, end, &r->inode))
		return 0;
	if (p < end && *p != ' ' && *p != '\t')
		return 0;
	p = skip_blanks(p, end);
	*path = p;
	*path_len = (size_t)(end - p);
	if (*path_len >= 10 && memcmp(end - 10, " (deleted)", 10) == 0) {
		r->deleted = 1;
		*path_len -= 10;
	}
	return 1;
}

static void
parse_vmflags(const char *p, const char *end, struct region *r)
{
	r->has_vmflags = 1;
	r->vmflags = 0;
	for (;;) {
		int f;

		p = skip_blanks(p, end);
		if (end - p < 2)
			break;
		/* Only a two-letter word is a flag ("rdx" is not "rd"). */
		if (end - p == 2 || p[2] == ' ' || p[2] == '\t') {
			f = vmflag_lookup(p);
			if (f >= 0 && f < 64)
				r->vmflags |= (uint64_t)1 << f;
		}
		while (p < end && *p != ' ' && *p != '\t')
			p++;
	}
}

/* The kernel writes a newline in a path as the four bytes \012 (the one
 * byte it escapes there): give the name back its raw byte. */
static void
unmangle_newlines(struct snapshot *s, struct region *r)
{
	char *p = s->strings + r->path_off, *w = p;
	const char *q = p, *end = p + r->path_len;

	while (q < end) {
		if (end - q >= 4 && memcmp(q, "\\012", 4) == 0) {
			*w++ = '\n';
			q += 4;
		} else
			*w++ = *q++;
	}
	*w = '\0';
	r->path_len = (uint32_t)(w - p);
}

int
parse_smaps(const char *buf, size_t len, struct snapshot *s)
{
	const char *p = buf, *end = buf + len;
	struct region *cur = NULL;
	int skipped = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl != NULL ? nl : end;
		const char *colon, *path;
		struct region r;
		size_t plen;

		if (le > p && is_hex((unsigned char)*p) &&
		    parse_header(p, le, &r, &path, &plen)) {
			const struct region *prev =
			    s->nregions ? &s->regions[s->nregions - 1] : NULL;

			cur = NULL;
			if (r.end <= r.start ||
			    (prev != NULL && r.start < prev->end)) {
				s->torn++; /* a torn read: drop it */
			} else if ((cur = snapshot_add_region(
			                s, &r, path, plen)) == NULL)
				return -ENOMEM;
			else if (memmem(path, plen, "\\012", 4) != NULL)
				unmangle_newlines(s, cur);
		} else if (le > p &&
		    (colon = memchr(p, ':', (size_t)(le - p))) != NULL) {
			size_t nlen = (size_t)(colon - p);
			uint64_t v;
			const char *q = colon + 1;
			int f;

			if (cur == NULL)
				; /* a field of a dropped mapping */
			else if (nlen == 7 && memcmp(p, "VmFlags", 7) == 0)
				parse_vmflags(q, le, cur);
			else if ((f = smaps_field_lookup(p, nlen)) >= 0 &&
			    scan_dec(&q, le, &v)) {
				cur->kb[f] = v;
				cur->present |= (uint64_t)1 << f;
			}
		} else if (le > p)
			skipped++;
		p = nl != NULL ? nl + 1 : end;
	}
	return skipped;
}

/* Value of a "Key:\tvalue" line as a number (kB suffix ignored). */
static int
line_value(const char *p, const char *le, uint64_t *v)
{
	return scan_dec(&p, le, v);
}

void
parse_status(const char *buf, size_t len, struct snapshot_info *info)
{
	const char *p = buf, *end = buf + len;

	info->has_status = 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl != NULL ? nl : end;
		const char *colon = memchr(p, ':', (size_t)(le - p));
		uint64_t v;
		int f;

		if (colon != NULL) {
			size_t nlen = (size_t)(colon - p);

			if (nlen == 4 && memcmp(p, "Name", 4) == 0) {
				const char *q = skip_blanks(colon + 1, le);
				size_t n = (size_t)(le - q);

				if (n >= sizeof info->comm)
					n = sizeof info->comm - 1;
				memcpy(info->comm, q, n);
				info->comm[n] = '\0';
			}
			/* Every field we keep starts with one of these. */
			if (*p != 'V' && *p != 'R' && *p != 'T' && *p != 'H')
				f = ST_COUNT;
			else
				f = 0;
			for (; f < ST_COUNT; f++) {
				const char *name =
				    status_field_name((enum status_field)f);

				if (strlen(name) == nlen &&
				    memcmp(name, p, nlen) == 0 &&
				    line_value(colon + 1, le, &v)) {
					info->status[f] = v;
					info->has_status |= (uint64_t)1 << f;
					break;
				}
			}
		}
		p = nl != NULL ? nl + 1 : end;
	}
}

int
parse_stat(const char *buf, size_t len, struct proc_stat *st)
{
	const char *end = buf + len, *open, *close = NULL, *p;
	uint64_t v;
	size_t n;
	int field;

	memset(st, 0, sizeof *st);
	open = memchr(buf, '(', len);
	if (open == NULL)
		return -EINVAL;
	for (p = open; p < end; p++) {
		if (*p == ')')
			close = p;
	}
	if (close == NULL || close + 2 >= end)
		return -EINVAL;
	p = buf;
	if (!scan_dec(&p, open, &v))
		return -EINVAL;
	st->pid = (int)v;
	n = (size_t)(close - open - 1);
	if (n >= sizeof st->comm)
		n = sizeof st->comm - 1;
	memcpy(st->comm, open + 1, n);
	st->comm[n] = '\0';
	p = close + 2;
	st->state = *p++;
	for (field = 4; field <= 48 && p < end; field++) {
		p = skip_blanks(p, end);
		if (p == end)
			break;
		if (*p == '-') { /* a negative field we don't use */
			p++;
			v = 0;
			scan_dec(&p, end, &v);
		} else if (!scan_dec(&p, end, &v))
			return field > 22 ? 0 : -EINVAL;
		switch (field) {
		case 4:
			st->ppid = (int)v;
			break;
		case 9:
			st->flags = (unsigned long)v;
			break;
		case 22:
			st->start_time = v;
			break;
		case 24:
			st->rss_pages = v;
			break;
		case 26:
			st->image[0] = v;
			break;
		case 28:
			st->image[1] = v;
			break;
		case 29:
			st->kstkesp = v;
			break;
		case 47:
			st->image[2] = v;
			break;
		case 48:
			st->image[3] = v;
			break;
		}
	}
	return field > 22 ? 0 : -EINVAL;
}

int
parse_syscall_sp(const char *buf, size_t len, uint64_t *sp)
{
	const char *p = buf, *end = buf + len;
	const char *fields[16];
	int n = 0;

	while (p < end && n < 16) {
		p = skip_blanks(p, end);
		if (p == end || *p == '\n')
			break;
		fields[n++] = p;
		while (p < end && *p != ' ' && *p != '\n')
			p++;
	}
	if (n < 3)
		return -EINVAL; /* "running", or nothing */
	p = fields[n - 2];
	if (end - p < 3 || p[0] != '0' || p[1] != 'x')
		return -EINVAL;
	p += 2;
	return scan_hex(&p, end, sp) ? 0 : -EINVAL;
}

/* Whether the comma-separated list (list, len) holds the word name. */
static int
has_controller(const char *list, size_t len, const char *name)
{
	const char *p = list, *end = list + len;
	size_t n = strlen(name);

	while (p < end) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		const char *we = comma != NULL ? comma : end;

		if ((size_t)(we - p) == n && memcmp(p, name, n) == 0)
			return 1;
		p = comma != NULL ? comma + 1 : end;
	}
	return 0;
}

int
parse_cgroup_path(const char *buf, size_t len, char *path, size_t size)
{
	const char *p = buf, *end = buf + len;
	int found = -ENOENT;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl != NULL ? nl : end;
		const char *c1 = memchr(p, ':', (size_t)(le - p));
		const char *c2 =
		    c1 ? memchr(c1 + 1, ':', (size_t)(le - c1 - 1)) : NULL;

		if (c2 != NULL && size > 0) {
			size_t ctl = (size_t)(c2 - c1 - 1);
			int v1;

			/* A v1 memory controller line wins over the v2 one. */
			v1 = has_controller(c1 + 1, ctl, "memory");
			if (v1 || (ctl == 0 && found < 0)) {
				size_t n = (size_t)(le - c2 - 1);

				if (n >= size)
					n = size - 1;
				memcpy(path, c2 + 1, n);
				path[n] = '\0';
				found = v1;
				if (v1)
					break;
			}
		}
		p = nl != NULL ? nl + 1 : end;
	}
	return found;
}
