/*
 * report.c - the ranking's options from the OOM projection, and the names of
 * suspects and diff lines, for the screens and batch output alike.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup.h"
#include "oom.h"
#include "proc-parse.h"
#include "report.h"
#include "util.h"

void
report_suspect_opts(
    const struct model *m, enum group_by by, size_t max, struct suspect_opts *o)
{
	struct oom_projection p;

	suspect_opts_init(o);
	o->by = by;
	o->max = max;
	oom_project(m, &p);
	if (p.basis != OOM_BASIS_NONE && p.limit_kb > 0)
		o->headroom_kb = p.limit_kb > p.used_kb ?
		    (double)(p.limit_kb - p.used_kb) :
		    0;
	/* The cgroup's growth, when the projection fitted one. */
	if ((p.basis == OOM_BASIS_CGROUP || p.basis == OOM_BASIS_CGROUP_SWAP) &&
	    p.samples >= 2 && isfinite(p.rate_kb_s))
		o->cgroup_rate_kb_s = p.rate_kb_s;
}

void
report_suspect_names(const struct model *m, const struct suspect *s,
    char *label, size_t lsize, char *path, size_t psize, bool utf8)
{
	size_t len;
	const char *p = model_path(m, s->path_id, &len);

	esc_text(s->label, strlen(s->label), label, lsize, utf8);
	if (len > 0)
		esc_text(p, len, path, psize, utf8);
	else if (psize > 0)
		path[0] = '\0';
}

char *
report_delta_path(
    const struct moment_delta *d, char *buf, size_t size, bool utf8)
{
	if (d->path != NULL && d->path_len > 0)
		esc_text(d->path, d->path_len, buf, size, utf8);
	else if (size > 0)
		buf[0] = '\0';
	return buf;
}

uint64_t
report_delta_start(const struct moment_delta *d)
{
	return d->b != NULL ? d->b->start : d->a != NULL ? d->a->start : 0;
}

uint64_t
report_delta_end(const struct moment_delta *d)
{
	return d->b != NULL ? d->b->end : d->a != NULL ? d->a->end : 0;
}

char *
report_cgroup_name(const char *cgroup, void *arg)
{
	static const struct cgroup_facts zero;
	struct cgroup_facts *f;
	char buf[CG_PATH_MAX + 128];

	(void)arg;
	if (cgroup == NULL || *cgroup == '\0')
		return NULL;
	f = xmalloc(sizeof *f);
	*f = zero;
	snprintf(f->path, sizeof f->path, "%s", cgroup);
	parse_cgroup_owner(cgroup, strlen(cgroup), &f->owner);
	if (f->owner.kind == OWNER_UNKNOWN || f->owner.kind == OWNER_ROOT) {
		free(f);
		return NULL;
	}
	cgroup_owner_format(f, buf, sizeof buf);
	free(f);
	return xstrdup(buf);
}
