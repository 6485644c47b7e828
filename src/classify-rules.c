/*
 * classify-rules.c - the user's rules: a PCRE2 pattern on the path, maybe
 * permissions and a built-in class to refine, and the class to give.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify-rules.h"
#include "rx.h"
#include "util.h"

#define NAME_MAX_LEN 31
#define LINE_MAX_LEN 4096
#define NUSER        (RC_USER_LAST - RC_USER_FIRST + 1)

struct rule {
	struct rx *rx;
	char perms[4]; /* '.' any */
	bool has_perms;
	int cond; /* built-in class it refines, or -1 */
	int cls;
	char *where; /* "FILE:LINE" */
};

struct classify_rules {
	struct rule *v;
	size_t n, cap;
	char names[NUSER][NAME_MAX_LEN + 1];
	int nnames;
};

static const struct classify_rules *installed;

struct classify_rules *
classify_rules_new(void)
{
	return xcalloc(1, sizeof(struct classify_rules));
}

void
classify_rules_free(struct classify_rules *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->n; i++) {
		rx_free(r->v[i].rx);
		free(r->v[i].where);
	}
	free(r->v);
	free(r);
}

size_t
classify_rules_count(const struct classify_rules *r)
{
	return r != NULL ? r->n : 0;
}

/* Append "NAME:LINE: why\n" to *msgs. */
static void
complain(char **msgs, const char *name, unsigned line, const char *why)
{
	char *m = xasprintf(
	    "%s%s:%u: %s\n", *msgs != NULL ? *msgs : "", name, line, why);

	free(*msgs);
	*msgs = m;
}

static bool
valid_name(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > NAME_MAX_LEN)
		return false;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		        (i > 0 && (c == '-' || c == '_' || c == '.'))))
			return false;
	}
	return true;
}

static bool
perms_field(const char *s)
{
	return strlen(s) == 4 && strspn(s, "rwxps-.") == 4;
}

/* The class a rule names: a built-in one, or a user class (made here). */
static int
class_of(struct classify_rules *r, const char *name, const char **err)
{
	int c = region_class_lookup(name), k;

	if (c >= 0 && c < RC_COUNT && c != RC_ANON_NAMED)
		return c;
	if (!valid_name(name)) {
		*err = "a class name is lowercase letters, digits, '-', '_' "
		       "and '.' (up to 31, from a letter or digit)";
		return -1;
	}
	for (k = 0; k < r->nnames; k++) {
		if (strcmp(r->names[k], name) == 0)
			return RC_USER_FIRST + k;
	}
	if (r->nnames == NUSER) {
		*err = "too many user classes";
		return -1;
	}
	snprintf(r->names[r->nnames], sizeof r->names[0], "%s", name);
	return RC_USER_FIRST + r->nnames++;
}

/* One line (NUL-terminated, may be changed); 0, or -1 with *err set
 * (static text, or *owned malloc'd). */
static int
parse_line(struct classify_rules *r, char *line, struct rule *out,
    const char **err, char **owned)
{
	char *f[5], *p = line;
	int nf = 0, i;

	while (nf < 5) {
		p += strspn(p, " \t\r");
		if (*p == '\0')
			break;
		f[nf++] = p;
		p += strcspn(p, " \t\r");
		if (*p != '\0')
			*p++ = '\0';
	}
	p += strspn(p, " \t\r");
	if (nf < 2) {
		*err = "a rule is PATTERN [PERMS] [@CLASS] NAME";
		return -1;
	}
	if (nf == 5 || *p != '\0') {
		*err = "too many fields (a space in the pattern is \\s or "
		       "\\x20)";
		return -1;
	}
	memset(out, 0, sizeof *out);
	out->cond = -1;
	for (i = 1; i < nf - 1; i++) {
		if (perms_field(f[i]) && !out->has_perms) {
			memcpy(out->perms, f[i], 4);
			out->has_perms = true;
		} else if (f[i][0] == '@' && out->cond < 0) {
			out->cond = region_class_lookup(f[i] + 1);
			if (out->cond < 0 || out->cond >= RC_COUNT ||
			    out->cond == RC_ANON_NAMED) {
				*err = "@CLASS names no built-in class";
				return -1;
			}
		} else {
			*err = "between the pattern and the class: "
			       "permissions such as rw-p ('.' for any) and "
			       "@CLASS";
			return -1;
		}
	}
	if ((out->cls = class_of(r, f[nf - 1], err)) < 0)
		return -1;
	if ((out->rx = rx_compile(f[0], owned)) == NULL)
		return -1;
	return 0;
}

int
classify_rules_parse(struct classify_rules *r, const char *name,
    const char *text, size_t len, char **msgs)
{
	char line[LINE_MAX_LEN + 1];
	unsigned lineno = 0;
	size_t pos = 0;
	int bad = 0;

	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl != NULL ? (size_t)(nl - (text + pos)) : len - pos;
		const char *err = NULL;
		char *owned = NULL, *p;
		struct rule rule;

		lineno++;
		if (n > LINE_MAX_LEN) {
			complain(msgs, name, lineno, "line too long");
			bad++;
		} else if (memchr(text + pos, '\0', n) != NULL) {
			complain(msgs, name, lineno, "a NUL byte in the line");
			bad++;
		} else {
			memcpy(line, text + pos, n);
			line[n] = '\0';
			p = line + strspn(line, " \t\r");
			if (*p != '\0' && *p != '#' &&
			    parse_line(r, p, &rule, &err, &owned) != 0) {
				complain(msgs, name, lineno,
				    owned != NULL ? owned : err);
				free(owned);
				bad++;
			} else if (*p != '\0' && *p != '#') {
				if (r->n == r->cap) {
					r->cap = r->cap ? r->cap * 2 : 16;
					r->v = xrealloc(
					    r->v, r->cap * sizeof *r->v);
				}
				rule.where = xasprintf("%s:%u", name, lineno);
				r->v[r->n++] = rule;
			}
		}
		pos += n + 1;
	}
	return bad;
}

int
classify_rules_load(struct classify_rules *r, const char *path, char **msgs)
{
	char *buf = NULL, *m;
	size_t len = 0, cap = 0;
	FILE *f = fopen(path, "re");
	int e;

	if (f == NULL) {
		e = errno;
		m = xasprintf("%s%s: %s\n", *msgs != NULL ? *msgs : "", path,
		    strerror(e));
		free(*msgs);
		*msgs = m;
		return -e;
	}
	for (;;) {
		size_t n;

		if (cap - len < 4096) {
			if (cap >= (64u << 20)) /* no rules file is this big */
				break;
			cap = cap ? cap * 2 : 8192;
			buf = xrealloc(buf, cap);
		}
		n = fread(buf + len, 1, cap - len, f);
		if (n == 0)
			break;
		len += n;
	}
	fclose(f);
	e = classify_rules_parse(r, path, buf != NULL ? buf : "", len, msgs);
	free(buf);
	return e;
}

char *
classify_rules_default_path(void)
{
	const char *x = getenv("XDG_CONFIG_HOME"), *h = getenv("HOME");

	/* The spec: a relative XDG_CONFIG_HOME is to be ignored. */
	if (x != NULL && x[0] == '/')
		return xasprintf("%s/memtop/rules", x);
	if (h != NULL && h[0] != '\0')
		return xasprintf("%s/.config/memtop/rules", h);
	return NULL;
}

void
classify_rules_install(const struct classify_rules *r)
{
	installed = r;
}

const struct classify_rules *
classify_rules_installed(void)
{
	return installed;
}

static bool
perms_match(const struct rule *rule, const char *perms)
{
	int i;

	for (i = 0; i < 4; i++) {
		if (rule->perms[i] != '.' && rule->perms[i] != perms[i])
			return false;
	}
	return true;
}

void
classify_rules_apply(const struct classify_rules *r, const struct snapshot *s,
    uint8_t *cls, struct class_why *why)
{
	size_t i;
	int k;

	if (r == NULL || r->n == 0)
		return;
	for (i = 0; i < s->nregions; i++) {
		if ((k = classify_rules_match(r, s, i, cls[i])) < 0)
			continue;
		cls[i] = (uint8_t)r->v[k].cls;
		why[i].how = CW_RULE;
		why[i].reason = CR_NONE;
		why[i].arg = (uint32_t)k;
	}
}

int
classify_rules_match(const struct classify_rules *r, const struct snapshot *s,
    size_t i, int builtin)
{
	const struct region *reg = &s->regions[i];
	size_t k;

	for (k = 0; r != NULL && k < r->n; k++) {
		const struct rule *rule = &r->v[k];

		if ((rule->has_perms && !perms_match(rule, reg->perms)) ||
		    (rule->cond >= 0 && rule->cond != builtin) ||
		    !rx_match(rule->rx, region_path(s, reg), reg->path_len))
			continue;
		return (int)k;
	}
	return -1;
}

int
classify_rules_class(const struct classify_rules *r, int index)
{
	return r != NULL && index >= 0 && (size_t)index < r->n ?
	    r->v[index].cls :
	    -1;
}

const char *
classify_rules_class_name(const struct classify_rules *r, int c)
{
	if (r == NULL || c < RC_USER_FIRST || c >= RC_USER_FIRST + r->nnames)
		return "?";
	return r->names[c - RC_USER_FIRST];
}

int
classify_rules_class_lookup(const struct classify_rules *r, const char *name)
{
	int k;

	for (k = 0; r != NULL && k < r->nnames; k++) {
		if (strcmp(r->names[k], name) == 0)
			return RC_USER_FIRST + k;
	}
	return -1;
}

const char *
classify_rules_where(const struct classify_rules *r, uint32_t i)
{
	return r != NULL && i < r->n ? r->v[i].where : "?";
}
