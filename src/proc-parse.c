/*
 * proc-parse.c - parsers of /proc text.  The smaps parser is the hot path of
 * every sample: one pass over the buffer, memchr for line ends, numbers
 * scanned by hand, field names found by a switch on their length.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "proc-parse.h"

static inline int
is_hex(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

/* Hex digit values, 0xff for other bytes. */
static const uint8_t hex_tab[256] = {
	['0'] = 0,
	['1'] = 1,
	['2'] = 2,
	['3'] = 3,
	['4'] = 4,
	['5'] = 5,
	['6'] = 6,
	['7'] = 7,
	['8'] = 8,
	['9'] = 9,
	['a'] = 10,
	['b'] = 11,
	['c'] = 12,
	['d'] = 13,
	['e'] = 14,
	['f'] = 15,
	['A'] = 10,
	['B'] = 11,
	['C'] = 12,
	['D'] = 13,
	['E'] = 14,
	['F'] = 15,
};
static const uint8_t hex_ok[256] = {
	['0'] = 1,
	['1'] = 1,
	['2'] = 1,
	['3'] = 1,
	['4'] = 1,
	['5'] = 1,
	['6'] = 1,
	['7'] = 1,
	['8'] = 1,
	['9'] = 1,
	['a'] = 1,
	['b'] = 1,
	['c'] = 1,
	['d'] = 1,
	['e'] = 1,
	['f'] = 1,
	['A'] = 1,
	['B'] = 1,
	['C'] = 1,
	['D'] = 1,
	['E'] = 1,
	['F'] = 1,
};

/* Scan hex digits at *p (< end); 0 if there are none.  Saturates. */
static int
scan_hex(const char **p, const char *end, uint64_t *out)
{
	const unsigned char *s = (const unsigned char *)*p;
	const unsigned char *e = (const unsigned char *)end;
	uint64_t v = 0;

	while (s < e && hex_ok[*s]) {
		if (v >> 60)
			v = UINT64_MAX;
		else
			v = (v << 4) | hex_tab[*s];
		s++;
	}
	if ((const char *)s == *p)
		return 0;
	*p = (const char *)s;
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

/*
 * The field lines of a mapping in the order the kernel prints them
 * (fs/proc/task_mmu.c: show_smap, __show_smap), name and colon padded with
 * spaces to 16 columns as the kernel pads them: the parser checks the one
 * it expects next first, and reads its value in place.
 */
static const struct {
	uint8_t f;
	char name[17];
} smaps_order[] = {
	{ SF_SIZE, "Size:           " },
	{ SF_KERNEL_PAGE_SIZE, "KernelPageSize: " },
	{ SF_MMU_PAGE_SIZE, "MMUPageSize:    " },
	{ SF_RSS, "Rss:            " },
	{ SF_PSS, "Pss:            " },
	{ SF_PSS_DIRTY, "Pss_Dirty:      " },
	{ SF_SHARED_CLEAN, "Shared_Clean:   " },
	{ SF_SHARED_DIRTY, "Shared_Dirty:   " },
	{ SF_PRIVATE_CLEAN, "Private_Clean:  " },
	{ SF_PRIVATE_DIRTY, "Private_Dirty:  " },
	{ SF_REFERENCED, "Referenced:     " },
	{ SF_ANONYMOUS, "Anonymous:      " },
	{ SF_KSM, "KSM:            " },
	{ SF_LAZYFREE, "LazyFree:       " },
	{ SF_ANON_HUGE_PAGES, "AnonHugePages:  " },
	{ SF_SHMEM_PMD_MAPPED, "ShmemPmdMapped: " },
	{ SF_FILE_PMD_MAPPED, "FilePmdMapped:  " },
	{ SF_SHARED_HUGETLB, "Shared_Hugetlb: " },
	{ SF_PRIVATE_HUGETLB, "Private_Hugetlb:" },
	{ SF_SWAP, "Swap:           " },
	{ SF_SWAP_PSS, "SwapPss:        " },
	{ SF_LOCKED, "Locked:         " },
	{ SF_THP_ELIGIBLE, "THPeligible:    " },
	{ SF_PROTECTION_KEY, "ProtectionKey:  " },
};
#define SMAPS_NORDER (sizeof smaps_order / sizeof smaps_order[0])

/* Where field f stands in smaps_order, SMAPS_NORDER if nowhere. */
static size_t
smaps_order_of(int f)
{
	size_t k;

	for (k = 0; k < SMAPS_NORDER; k++)
		if (smaps_order[k].f == f)
			return k;
	return SMAPS_NORDER;
}

/* 8 bytes at p, as they lie in memory (one load). */
static inline uint64_t
load8(const char *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

/*
 * The line at p, if it is the field smaps_order[k] as the kernel writes it
 * (seq_put_decimal_ull_width: the name padded to 16 columns, the value
 * right-aligned in 8, then " kB" or nothing, then a newline): its value
 * into cur, and the start of the next line; NULL for any other shape (the
 * general path reads it then, to the same result).  Two compares for the
 * name, one for the padding, a digit loop: no scan of the spaces.
 */
static inline const char *
smaps_expected(const char *p, const char *end, size_t k, struct region *cur)
{
	static const uint64_t spaces = 0x2020202020202020ULL;
	uint64_t w, v = 0;
	const char *q;
	int n;

	if (end - p < 25)
		return NULL;
	if (load8(p) != load8(smaps_order[k].name) ||
	    load8(p + 8) != load8(smaps_order[k].name + 8))
		return NULL;
	w = load8(p + 16) ^ spaces; /* the spaces before the digits: 0 */
	if (w == 0)
		return NULL;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	n = __builtin_clzll(w) / 8; /* the first byte in memory that is */
#else
	n = __builtin_ctzll(w) / 8; /* not a space */
#endif
	for (q = p + 16 + n; q < p + 24; q++) {
		if ((unsigned)(*q - '0') >= 10)
			return NULL;
		v = v * 10 + (unsigned)(*q - '0');
	}
	if (*q == '\n')
		q++;
	else if (end - q >= 4 && memcmp(q, " kB\n", 4) == 0)
		q += 4;
	else
		return NULL; /* 9 digits or more, or something else */
	cur->kb[smaps_order[k].f] = region_kb_sat(v);
	cur->present |= (uint32_t)1 << smaps_order[k].f;
	return q;
}

int
parse_smaps_lines(
    const char *buf, size_t len, struct snapshot *s, struct smaps_cursor *c)
{
	const char *p = buf, *end = buf + len;
	struct region *cur = c->cur >= 0 && (size_t)c->cur < s->nregions ?
	    &s->regions[c->cur] :
	    NULL;
	int skipped = 0;
	size_t k = SMAPS_NORDER; /* the field expected next */

	while (p < end) {
		const char *nl, *le, *colon, *path, *q;
		struct region r;
		size_t plen;

		if (cur != NULL && k < SMAPS_NORDER &&
		    (q = smaps_expected(p, end, k, cur)) != NULL) {
			p = q;
			k++;
			continue;
		}
		nl = memchr(p, '\n', (size_t)(end - p));
		le = nl != NULL ? nl : end;
		if (le > p && is_hex((unsigned char)*p) &&
		    parse_header(p, le, &r, &path, &plen)) {
			const struct region *prev =
			    s->nregions ? &s->regions[s->nregions - 1] : NULL;

			cur = NULL;
			k = 0;
			if (r.end <= r.start ||
			    (prev != NULL && r.start < prev->end)) {
				s->torn++; /* a torn read: drop it */
			} else if ((cur = snapshot_add_region(
			                s, &r, path, plen)) == NULL)
				return -ENOMEM;
			else if (plen >= 4 && memmem(path, plen, "\\012", 4))
				unmangle_newlines(s, cur);
		} else if (le > p &&
		    (colon = memchr(p, ':', (size_t)(le - p))) != NULL) {
			size_t nlen = (size_t)(colon - p);
			uint64_t v;
			int f;

			q = colon + 1;
			if (cur == NULL)
				; /* a field of a dropped mapping */
			else if (nlen == 7 && memcmp(p, "VmFlags", 7) == 0)
				parse_vmflags(q, le, cur);
			else if ((f = smaps_field_lookup(p, nlen)) >= 0 &&
			    scan_dec(&q, le, &v)) {
				cur->kb[f] = region_kb_sat(v);
				cur->present |= (uint32_t)1 << f;
				k = smaps_order_of(f) + 1;
			}
		} else if (le > p)
			skipped++;
		p = nl != NULL ? nl + 1 : end;
	}
	c->cur = cur != NULL ? (long)(cur - s->regions) : -1;
	return skipped;
}

int
parse_smaps(const char *buf, size_t len, struct snapshot *s)
{
	struct smaps_cursor c = SMAPS_CURSOR_INIT;

	return parse_smaps_lines(buf, len, s, &c);
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
parse_meminfo(const char *buf, size_t len, struct snapshot_info *info)
{
	static const struct {
		const char *name; /* with its colon */
		size_t off;
	} fields[] = {
		{ "MemTotal:", offsetof(struct snapshot_info, mem_total_kb) },
		{ "MemAvailable:",
		    offsetof(struct snapshot_info, mem_available_kb) },
		{ "SwapTotal:", offsetof(struct snapshot_info, swap_total_kb) },
		{ "SwapFree:", offsetof(struct snapshot_info, swap_free_kb) },
	};
	const char *p = buf, *end = buf + len;
	int found = 0;
	size_t i;

	while (p < end && found < (int)(sizeof fields / sizeof fields[0])) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl != NULL ? nl : end;
		uint64_t v;

		for (i = 0; i < sizeof fields / sizeof fields[0]; i++) {
			size_t n = strlen(fields[i].name);

			if ((size_t)(le - p) > n &&
			    memcmp(p, fields[i].name, n) == 0 &&
			    line_value(p + n, le, &v)) {
				memcpy(
				    (char *)info + fields[i].off, &v, sizeof v);
				found++;
				break;
			}
		}
		p = nl != NULL ? nl + 1 : end;
	}
	return found;
}

int
parse_status_pending(const char *buf, size_t len, uint64_t *mask)
{
	const char *p = buf, *end = buf + len;
	int found = 0;

	*mask = 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl != NULL ? nl : end, *q;
		uint64_t v;

		if (le - p > 7 &&
		    (memcmp(p, "SigPnd:", 7) == 0 ||
		        memcmp(p, "ShdPnd:", 7) == 0)) {
			q = skip_blanks(p + 7, le);
			if (scan_hex(&q, le, &v)) {
				*mask |= v;
				found = 1;
			}
		}
		p = nl != NULL ? nl + 1 : end;
	}
	return found ? 0 : -ENOENT;
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
	for (field = 4; field <= 52 && p < end; field++) {
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
		case 52:
			st->exit_code = v > INT32_MAX ? 0 : (int)v;
			st->has_exit_code = 1;
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

static bool next_line(
    const char **p, const char *end, const char **ls, const char **le);
static void copy_cut(char *out, size_t size, const char *s, size_t n);

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
parse_cgroup_paths(const char *buf, size_t len, char *v1, size_t v1size,
    char *v2, size_t v2size)
{
	const char *p = buf, *end = buf + len, *ls, *le;
	int found = 0;

	copy_cut(v1, v1size, "", 0);
	copy_cut(v2, v2size, "", 0);
	while (next_line(&p, end, &ls, &le)) {
		const char *c1 = memchr(ls, ':', (size_t)(le - ls));
		const char *c2 =
		    c1 ? memchr(c1 + 1, ':', (size_t)(le - c1 - 1)) : NULL;
		size_t ctl;

		if (c2 == NULL)
			continue;
		ctl = (size_t)(c2 - c1 - 1);
		if (!(found & 1) && has_controller(c1 + 1, ctl, "memory")) {
			copy_cut(v1, v1size, c2 + 1, (size_t)(le - c2 - 1));
			found |= 1;
		} else if (!(found & 2) && ctl == 0 && c1 - ls == 1 &&
		    *ls == '0') {
			copy_cut(v2, v2size, c2 + 1, (size_t)(le - c2 - 1));
			found |= 2;
		}
	}
	return found;
}

int
parse_cgroup_path(const char *buf, size_t len, char *path, size_t size)
{
	char v2[CG_PATH_MAX];
	int found = parse_cgroup_paths(buf, len, path, size, v2, sizeof v2);

	if (found & 1)
		return 1;
	if (!(found & 2))
		return -ENOENT;
	copy_cut(path, size, v2, strlen(v2));
	return 0;
}

/* ---- cgroup files, /proc/vmstat, /dev/kmsg ---- */

/* The next line of [*p, end): its start and end (without the newline). */
static bool
next_line(const char **p, const char *end, const char **ls, const char **le)
{
	const char *nl;

	if (*p >= end)
		return false;
	nl = memchr(*p, '\n', (size_t)(end - *p));
	*ls = *p;
	*le = nl != NULL ? nl : end;
	*p = nl != NULL ? nl + 1 : end;
	return true;
}

/* A decimal number that is all there is of [p, le) but blanks. */
static bool
whole_dec(const char *p, const char *le, uint64_t *v)
{
	if (!scan_dec(&p, le, v))
		return false;
	return skip_blanks(p, le) == le;
}

int
parse_keyed(const char *buf, size_t len, const struct keyed_field *fields,
    size_t nfields, uint64_t *vals, uint64_t *has)
{
	const char *p = buf, *end = buf + len, *ls, *le;
	int found = 0;

	while (next_line(&p, end, &ls, &le)) {
		const char *sp = memchr(ls, ' ', (size_t)(le - ls));
		size_t nlen, i;
		uint64_t v;

		if (sp == NULL || sp == ls || !whole_dec(sp, le, &v))
			continue;
		nlen = (size_t)(sp - ls);
		for (i = 0; i < nfields; i++) {
			const char *name = fields[i].name;

			if (fields[i].index < 64 && strlen(name) == nlen &&
			    memcmp(name, ls, nlen) == 0) {
				vals[fields[i].index] = v;
				*has |= (uint64_t)1 << fields[i].index;
				found++;
				break;
			}
		}
	}
	return found;
}

int
parse_cg_value(const char *buf, size_t len, uint64_t *v)
{
	const char *end = buf + len;

	while (end > buf && (end[-1] == '\n' || end[-1] == ' '))
		end--;
	if (end - buf == 3 && memcmp(buf, "max", 3) == 0) {
		*v = CG_UNLIMITED;
		return 0;
	}
	return end > buf && *buf != ' ' && whole_dec(buf, end, v) ? 0 : -EINVAL;
}

/* "12.34" at *p: a percentage (saturates at 1e9); false if no digits. */
static bool
scan_fixed(const char **p, const char *end, double *out)
{
	uint64_t ip = 0, fp = 0, scale = 1;
	const char *s = *p;

	if (!scan_dec(&s, end, &ip) || s == *p)
		return false;
	if (s < end && *s == '.') {
		s++;
		while (s < end && *s >= '0' && *s <= '9') {
			if (scale < 1000000) {
				fp = fp * 10 + (uint64_t)(*s - '0');
				scale *= 10;
			}
			s++;
		}
	}
	*p = s;
	*out = ip > 1000000000 ? 1e9 : (double)ip + (double)fp / (double)scale;
	return true;
}

/* "some avg10=0.00 avg60=0.00 avg300=0.00 total=0": every part by name. */
static bool
parse_psi_line(const char *p, const char *le, struct psi_line *l)
{
	unsigned seen = 0;

	memset(l, 0, sizeof *l);
	while ((p = skip_blanks(p, le)) < le) {
		const char *eq = memchr(p, '=', (size_t)(le - p));
		const char *q;
		size_t n;

		if (eq == NULL)
			return false;
		n = (size_t)(eq - p);
		q = eq + 1;
		if (n == 5 && memcmp(p, "avg10", 5) == 0 &&
		    scan_fixed(&q, le, &l->avg10))
			seen |= 1;
		else if (n == 5 && memcmp(p, "avg60", 5) == 0 &&
		    scan_fixed(&q, le, &l->avg60))
			seen |= 2;
		else if (n == 6 && memcmp(p, "avg300", 6) == 0 &&
		    scan_fixed(&q, le, &l->avg300))
			seen |= 4;
		else if (n == 5 && memcmp(p, "total", 5) == 0 &&
		    scan_dec(&q, le, &l->total))
			seen |= 8;
		else
			return false;
		if (q < le && *q != ' ')
			return false;
		p = q;
	}
	l->present = seen == 15;
	return l->present;
}

int
parse_psi(const char *buf, size_t len, struct psi *ps)
{
	const char *p = buf, *end = buf + len, *ls, *le;
	int n = 0;

	memset(&ps->some, 0, sizeof ps->some);
	memset(&ps->full, 0, sizeof ps->full);
	while (next_line(&p, end, &ls, &le)) {
		struct psi_line *l = NULL;

		if (le - ls > 5 && memcmp(ls, "some ", 5) == 0)
			l = &ps->some;
		else if (le - ls > 5 && memcmp(ls, "full ", 5) == 0)
			l = &ps->full;
		if (l != NULL && !l->present && parse_psi_line(ls + 5, le, l))
			n++;
	}
	return n;
}

/* The next blank-separated field of [*p, le), undoing mountinfo's octal
 * escapes (\040 for a space) into out (always NUL-terminated). */
static bool
mount_field(const char **p, const char *le, char *out, size_t size)
{
	const char *s = skip_blanks(*p, le);
	size_t n = 0;

	if (s == le)
		return false;
	while (s < le && *s != ' ') {
		char c = *s++;

		if (c == '\\' && le - s >= 3 && s[0] >= '0' && s[0] <= '3' &&
		    s[1] >= '0' && s[1] <= '7' && s[2] >= '0' && s[2] <= '7') {
			c = (char)((s[0] - '0') * 64 + (s[1] - '0') * 8 +
			    (s[2] - '0'));
			s += 3;
		}
		if (n + 1 < size)
			out[n++] = c;
	}
	if (size > 0)
		out[n] = '\0';
	*p = s;
	return true;
}

int
parse_cgroup_mounts(const char *buf, size_t len, struct cgroup_mounts *m)
{
	const char *p = buf, *end = buf + len, *ls, *le;
	char root[256], point[256], word[256];
	int found = 0;

	memset(m, 0, sizeof *m);
	while (next_line(&p, end, &ls, &le)) {
		const char *q = ls;
		int i;
		bool sep = false;

		/* id parent major:minor root mount-point options */
		for (i = 0; i < 3; i++)
			if (!mount_field(&q, le, word, sizeof word))
				break;
		if (i < 3 || !mount_field(&q, le, root, sizeof root) ||
		    !mount_field(&q, le, point, sizeof point))
			continue;
		/* optional fields up to "-", then fstype source options */
		while (mount_field(&q, le, word, sizeof word))
			if (strcmp(word, "-") == 0) {
				sep = true;
				break;
			}
		if (!sep || !mount_field(&q, le, word, sizeof word))
			continue;
		if (strcmp(word, "cgroup2") == 0 && m->v2[0] == '\0') {
			memcpy(m->v2, point, sizeof m->v2);
			memcpy(m->v2_root, root, sizeof m->v2_root);
			found++;
		} else if (strcmp(word, "cgroup") == 0 &&
		    m->v1_memory[0] == '\0' &&
		    mount_field(&q, le, word, sizeof word) &&
		    mount_field(&q, le, word, sizeof word) &&
		    has_controller(word, strlen(word), "memory")) {
			memcpy(m->v1_memory, point, sizeof m->v1_memory);
			memcpy(
			    m->v1_memory_root, root, sizeof m->v1_memory_root);
			found++;
		}
	}
	return found;
}

/* Copy [s, s + n) into out (size bytes, NUL-terminated, cut to fit). */
static void
copy_cut(char *out, size_t size, const char *s, size_t n)
{
	if (size == 0)
		return;
	if (n >= size)
		n = size - 1;
	memcpy(out, s, n);
	out[n] = '\0';
}

static bool
has_prefix(const char *s, size_t n, const char *pre)
{
	size_t k = strlen(pre);

	return n >= k && memcmp(s, pre, k) == 0;
}

static bool
has_suffix(const char *s, size_t n, const char *suf)
{
	size_t k = strlen(suf);

	return n >= k && memcmp(s + n - k, suf, k) == 0;
}

static bool
all_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!is_hex((unsigned char)s[i]))
			return false;
	return n > 0;
}

/* A pod UID (32 hex digits and four separators), "_" read as "-". */
static bool
pod_uid(const char *s, size_t n, char *out, size_t size)
{
	char uid[37];
	size_t i;

	if (n != 36)
		return false;
	for (i = 0; i < 36; i++) {
		char c = s[i];

		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (c != '-' && c != '_')
				return false;
			c = '-';
		} else if (!is_hex((unsigned char)c))
			return false;
		uid[i] = c;
	}
	copy_cut(out, size, uid, 36);
	return true;
}

/* A container scope or directory: "cri-containerd-ID.scope", "crio-ID",
 * "docker-ID.scope", "libpod-ID.scope", or a bare hex ID. */
static bool
container_part(const char *s, size_t n, struct cgroup_owner *o)
{
	static const struct {
		const char *prefix, *runtime;
	} runtimes[] = {
		{ "cri-containerd-", "containerd" },
		{ "crio-conmon-", "cri-o" },
		{ "crio-", "cri-o" },
		{ "docker-", "docker" },
		{ "libpod-conmon-", "podman" },
		{ "libpod-", "podman" },
	};
	size_t i;

	if (has_suffix(s, n, ".scope"))
		n -= 6;
	for (i = 0; i < sizeof runtimes / sizeof runtimes[0]; i++) {
		size_t k = strlen(runtimes[i].prefix);

		if (has_prefix(s, n, runtimes[i].prefix) &&
		    all_hex(s + k, n - k) && n - k >= 12) {
			copy_cut(o->runtime, sizeof o->runtime,
			    runtimes[i].runtime, strlen(runtimes[i].runtime));
			copy_cut(o->container_id, sizeof o->container_id, s + k,
			    n - k);
			return true;
		}
	}
	if (n == 64 && all_hex(s, n)) {
		copy_cut(o->container_id, sizeof o->container_id, s, n);
		return true;
	}
	return false;
}

void
parse_cgroup_owner(const char *path, size_t len, struct cgroup_owner *o)
{
	static const char *const units[] = { ".service", ".scope", ".slice" };
	const char *p = path, *end = path + len;
	const char *runtime_dir = NULL; /* "docker", "lxc": names the next */
	bool kube = false, after_pod = false;

	memset(o, 0, sizeof *o);
	if (len == 1 && path[0] == '/') {
		o->kind = OWNER_ROOT;
		return;
	}
	while (p < end) {
		const char *slash = memchr(p, '/', (size_t)(end - p));
		const char *c = p;
		size_t n = (size_t)((slash != NULL ? slash : end) - p);
		size_t i;

		p = slash != NULL ? slash + 1 : end;
		if (n == 0)
			continue;
		if (runtime_dir != NULL) {
			/* cgroupfs: "/docker/ID", "/lxc/NAME" */
			copy_cut(o->runtime, sizeof o->runtime, runtime_dir,
			    strlen(runtime_dir));
			if (strcmp(runtime_dir, "lxc") == 0 ||
			    !container_part(c, n, o))
				copy_cut(o->container_id,
				    sizeof o->container_id, c, n);
			runtime_dir = NULL;
			continue;
		}
		/* Kubernetes: "kubepods", "kubepods.slice",
		 * "kubepods-burstable.slice", "burstable", "pod<UID>",
		 * "kubepods-besteffort-pod<UID_with_underscores>.slice". */
		if (has_prefix(c, n, "kubepods")) {
			kube = true;
			if (memmem(c, n, "burstable", 9) != NULL)
				copy_cut(o->qos, sizeof o->qos, "burstable", 9);
			else if (memmem(c, n, "besteffort", 10) != NULL)
				copy_cut(
				    o->qos, sizeof o->qos, "besteffort", 10);
		}
		if (kube && !after_pod) {
			const char *pod = NULL;
			size_t k;

			if ((n == 9 && memcmp(c, "burstable", 9) == 0) ||
			    (n == 10 && memcmp(c, "besteffort", 10) == 0))
				copy_cut(o->qos, sizeof o->qos, c, n);
			if (has_prefix(c, n, "pod"))
				pod = c + 3;
			else
				for (k = 0; k + 4 <= n; k++)
					if (memcmp(c + k, "-pod", 4) == 0)
						pod = c + k + 4;
			if (pod != NULL) {
				k = (size_t)(c + n - pod);
				if (has_suffix(pod, k, ".slice"))
					k -= 6;
				after_pod = pod_uid(
				    pod, k, o->pod_uid, sizeof o->pod_uid);
			}
			if (after_pod || has_prefix(c, n, "kubepods") ||
			    o->qos[0] != '\0')
				continue;
		}
		if (kube && after_pod) {
			container_part(c, n, o);
			continue;
		}
		if ((n == 6 && memcmp(c, "docker", 6) == 0) ||
		    (n == 3 && memcmp(c, "lxc", 3) == 0)) {
			runtime_dir = n == 3 ? "lxc" : "docker";
			continue;
		}
		if (has_prefix(c, n, "lxc.payload.") && n > 12) {
			copy_cut(o->runtime, sizeof o->runtime, "lxc", 3);
			copy_cut(o->container_id, sizeof o->container_id,
			    c + 12, n - 12);
			continue;
		}
		if (container_part(c, n, o))
			continue;
		/* systemd: the innermost unit. */
		for (i = 0; i < 3; i++)
			if (has_suffix(c, n, units[i]) &&
			    n > strlen(units[i])) {
				copy_cut(o->unit, sizeof o->unit, c, n);
				o->kind = (uint8_t)(OWNER_SYSTEMD_SERVICE + i);
			}
	}
	if (o->pod_uid[0] != '\0') {
		o->kind = OWNER_K8S_POD;
		if (o->qos[0] == '\0')
			copy_cut(o->qos, sizeof o->qos, "guaranteed", 10);
	} else if (o->container_id[0] != '\0')
		o->kind = OWNER_CONTAINER;
	else
		o->qos[0] = '\0';
	if (o->kind == OWNER_K8S_POD || o->kind == OWNER_CONTAINER)
		o->unit[0] = '\0';
}

/* Whether [s, le) holds the decimal pid followed by a byte in stops. */
static bool
pid_at(const char *s, const char *le, int pid, const char *stops)
{
	uint64_t v;

	return scan_dec(&s, le, &v) && v == (uint64_t)pid &&
	    (s == le || strchr(stops, *s) != NULL);
}

/* The value of "key=" in a comma-separated list [s, le), or NULL. */
static const char *
kv_value(const char *s, const char *le, const char *key, size_t *n)
{
	size_t k = strlen(key);
	const char *p = s;

	while (p < le) {
		const char *comma = memchr(p, ',', (size_t)(le - p));
		const char *we = comma != NULL ? comma : le;

		if ((size_t)(we - p) >= k && memcmp(p, key, k) == 0) {
			*n = (size_t)(we - p - k);
			return p + k;
		}
		p = comma != NULL ? comma + 1 : le;
	}
	return NULL;
}

int
parse_kmsg_oom(const char *buf, size_t len, int pid, struct kmsg_oom *k)
{
	static const char killed[] = "Killed process ";
	const char *p = buf, *end = buf + len, *ls, *le;

	memset(k, 0, sizeof *k);
	while (next_line(&p, end, &ls, &le)) {
		const char *msg, *at;
		size_t n;

		/* A record: "prio,seq,usec,flags[,...];message". */
		if (ls == le || *ls == ' ' ||
		    (msg = memchr(ls, ';', (size_t)(le - ls))) == NULL)
			continue;
		msg++;
		n = (size_t)(le - msg);
		if (has_prefix(msg, n, "oom-kill:")) {
			const char *v = kv_value(msg + 9, le, "pid=", &n);
			size_t vn;

			if (v == NULL || !pid_at(v, le, pid, ",\n ") ||
			    v + n > le)
				continue;
			k->constraint = 1;
			v = kv_value(msg + 9, le, "constraint=", &vn);
			k->constraint_memcg = v != NULL && vn == 16 &&
			    memcmp(v, "CONSTRAINT_MEMCG", 16) == 0;
			if ((v = kv_value(msg + 9, le, "oom_memcg=", &vn)))
				copy_cut(
				    k->oom_memcg, sizeof k->oom_memcg, v, vn);
			continue;
		}
		/* "Memory cgroup out of memory: Killed process N (comm)",
		 * "Out of memory: ...", "Out of memory
		 * (oom_kill_allocating_task): ..." (mm/oom_kill.c). */
		if (!has_prefix(msg, n, "Memory cgroup out of memory") &&
		    !has_prefix(msg, n, "Out of memory"))
			continue;
		at = memmem(msg, n, killed, sizeof killed - 1);
		if (at == NULL || at - msg < 2 || memcmp(at - 2, ": ", 2) != 0)
			continue;
		if (!pid_at(at + sizeof killed - 1, le, pid, " ")) {
			if (k->other_kills < UINT32_MAX)
				k->other_kills++; /* another process's */
			continue;
		}
		k->killed = 1;
		k->memcg = has_prefix(msg, n, "Memory cgroup out of memory");
		at = memchr(at, '(', (size_t)(le - at));
		if (at != NULL) {
			const char *close = memchr(at, ')', (size_t)(le - at));

			if (close != NULL)
				copy_cut(k->comm, sizeof k->comm, at + 1,
				    (size_t)(close - at - 1));
		}
	}
	return k->killed;
}
