/*
 * field.c - the registry: one entry per field, read by every output.
 */
#include "config.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "field.h"
#include "util.h"

/* Readers: false when the row has no such field. */

static bool
get_range(
    const struct field *f, const struct field_row *row, struct field_value *v)
{
	if (row->r == NULL)
		return false;
	v->u = row->r->start;
	v->u2 = row->r->end;
	return true;
}

static bool
get_perms(
    const struct field *f, const struct field_row *row, struct field_value *v)
{
	if (row->r == NULL)
		return false;
	v->s = row->r->perms;
	v->len = strlen(row->r->perms);
	return true;
}

/* The four letters as one number. */
static bool
id_perms(const struct field *f, const struct field_row *row, uint64_t *id)
{
	uint32_t u;

	memcpy(&u, row->r->perms, sizeof u);
	*id = u;
	return true;
}

static bool
get_offset(
    const struct field *f, const struct field_row *row, struct field_value *v)
{
	if (row->r == NULL)
		return false;
	v->u = row->r->offset;
	return true;
}

/* A group's name: its file's path, or its label (a class). */
static bool
get_group_name(const struct field_row *row, struct field_value *v)
{
	const struct region_group *g = row->g;

	if (g->path_id != 0) {
		v->s = model_path(row->m, g->path_id, &v->len);
		return true;
	}
	v->s = g->label;
	v->len = strlen(g->label);
	return true;
}

static bool
get_class(
    const struct field *f, const struct field_row *row, struct field_value *v)
{
	if (row->g != NULL)
		return get_group_name(row, v);
	if (row->r == NULL)
		return false;
	v->len = model_class_label(row->m, row->r, v->buf, sizeof v->buf);
	v->s = v->buf;
	return true;
}

static bool
get_state(
    const struct field *f, const struct field_row *row, struct field_value *v)
{
	if (row->r == NULL)
		return false;
	v->s = tracked_state_name(row->r->state);
	v->len = strlen(v->s);
	return true;
}

static bool
get_path(
    const struct field *f, const struct field_row *row, struct field_value *v)
{
	if (row->g != NULL)
		return get_group_name(row, v);
	if (row->r == NULL)
		return false;
	v->s = model_path(row->m, row->r->path_id, &v->len);
	return true;
}

/* The path's number in the model: each path is kept once. */
static bool
id_path(const struct field *f, const struct field_row *row, uint64_t *id)
{
	*id = row->r->path_id;
	return true;
}

static bool
id_class(const struct field *f, const struct field_row *row, uint64_t *id)
{
	*id = tracked_label_key(row->r);
	return true;
}

/* A counter of a region, a group or the totals: now, and with base and
 * prev (both or neither) at the baseline and at the sample before.  A
 * region keeps those a cache line away from its counters: a sort by a
 * counter, which reads every region's, asks for none. */
static inline uint64_t
row_kb(const struct field_row *row, enum smaps_field f, uint64_t *base,
    uint64_t *prev)
{
	const struct model_totals *t;

	if (row->r != NULL) {
		if (base != NULL) {
			*base = tracked_base(row->r, f);
			*prev = tracked_prev(row->r, f);
		}
		return row->r->kb[f];
	}
	if (row->g != NULL) {
		if (base != NULL) {
			*base = row->g->base_kb[f];
			*prev = row->g->prev_kb[f];
		}
		return row->g->kb[f];
	}
	t = model_totals(row->m);
	if (base != NULL) {
		*base = t->base_kb[f];
		*prev = t->prev_kb[f];
	}
	return t->kb[f];
}

static bool
get_size(
    const struct field *f, const struct field_row *row, struct field_value *v)
{
	/* A region's from its range, in case smaps gave no Size. */
	if (row->r != NULL)
		v->u = (row->r->end - row->r->start) / 1024;
	else
		v->u = row_kb(row, SF_SIZE, NULL, NULL);
	return true;
}

static bool
get_kb(
    const struct field *f, const struct field_row *row, struct field_value *v)
{
	v->u = row_kb(row, f->sf, NULL, NULL);
	return true;
}

static bool
get_delta_prev(
    const struct field *f, const struct field_row *row, struct field_value *v)
{
	uint64_t base, prev, kb = row_kb(row, f->sf, &base, &prev);

	v->i = (int64_t)kb - (int64_t)prev;
	return true;
}

static bool
get_delta_base(
    const struct field *f, const struct field_row *row, struct field_value *v)
{
	uint64_t base, prev, kb = row_kb(row, f->sf, &base, &prev);

	v->i = (int64_t)kb - (int64_t)base;
	return true;
}

static bool
get_rate(
    const struct field *f, const struct field_row *row, struct field_value *v)
{
	if (row->r != NULL)
		v->d = model_region_rate(row->m, row->r, f->series);
	else if (row->g != NULL)
		v->d = row->g->rate_kb_s; /* of RSS */
	else
		v->d = model_totals_rate(row->m, f->series);
	return true;
}

static bool
get_target(
    const struct field *f, const struct field_row *row, struct field_value *v)
{
	v->s = target_state_name(model_target_state(row->m));
	v->len = strlen(v->s);
	return true;
}

static bool
get_deleted(
    const struct field *f, const struct field_row *row, struct field_value *v)
{
	if (row->r == NULL)
		return false;
	v->u = row->r->deleted != 0;
	return true;
}

/* Comparators. */

static int
cmp_u64(const struct field_value *a, const struct field_value *b)
{
	return a->u < b->u ? -1 : a->u > b->u;
}

static int
cmp_i64(const struct field_value *a, const struct field_value *b)
{
	return a->i < b->i ? -1 : a->i > b->i;
}

/* To the 0.1 kB/s shown: a fit's rounding noise around 0 is a tie, and
 * tied rows keep their order.  A rate not known yet (NAN) is below any
 * other: last when the biggest come first. */
static int
cmp_rate(const struct field_value *a, const struct field_value *b)
{
	double ra = round(a->d * 10), rb = round(b->d * 10);

	if (isnan(ra) || isnan(rb))
		return isnan(ra) && isnan(rb) ? 0 : isnan(ra) ? -1 : 1;
	return ra < rb ? -1 : ra > rb;
}

static int
cmp_text(const struct field_value *a, const struct field_value *b)
{
	int c = memcmp(a->s, b->s, a->len < b->len ? a->len : b->len);

	return c != 0 ? c : a->len < b->len ? -1 : a->len > b->len;
}

#define COL  FIELD_COLUMN
#define CSV  FIELD_CSV
#define JSON FIELD_JSON

/*
 * The registry.  width is the columns of a cell, the widest value the
 * field can hold (0: what the line has left); which columns a narrow table
 * keeps is the dashboard's choice (view-table.c).  series is the history a
 * header total shows.
 */
static const struct field fields[FIELD_COUNT] = {
	[FIELD_ADDR] = { .name = "addr",
	    .title = "Address",
	    .doc = "the start and end of its address range (at narrow widths, "
	           "its start alone)",
	    .source =
	        "the first field of its line in /proc/PID/smaps, as in maps",
	    .key = "start",
	    .unit = "",
	    .alias = "address start",
	    .type = FT_RANGE,
	    .width = 25,
	    .flags = COL | CSV | JSON | FIELD_START,
	    .get = get_range,
	    .cmp = cmp_u64 },
	[FIELD_PERMS] = { .name = "perms",
	    .title = "Perm",
	    .doc = "its permissions: r, w, x, and p (private) or s (shared)",
	    .source = "the second field of its line in /proc/PID/smaps",
	    .key = "perms",
	    .unit = "",
	    .type = FT_TEXT,
	    .width = 4,
	    .flags = COL | CSV | JSON,
	    .get = get_perms,
	    .text_id = id_perms,
	    .cmp = cmp_text },
	[FIELD_OFFSET] = { .name = "offset",
	    .title = "Offset",
	    .doc = "where in the file the mapping starts, in hex",
	    .source = "the third field of its line in /proc/PID/smaps",
	    .key = "offset",
	    .unit = "",
	    .type = FT_HEX,
	    .width = 8,
	    .flags = CSV | JSON,
	    .get = get_offset,
	    .cmp = cmp_u64 },
	[FIELD_CLASS] = { .name = "class",
	    .title = "Class",
	    .doc = "its class (see REGION CLASSES); a group's name",
	    .source = "memtop's classifier: the path, the permissions, the "
	              "runtime, the user's rules",
	    .key = "class",
	    .unit = "",
	    .type = FT_TEXT,
	    .width = 13,
	    .flags = COL | CSV | JSON,
	    .get = get_class,
	    .text_id = id_class,
	    .cmp = cmp_text },
	[FIELD_STATE] = { .name = "state",
	    .title = "State",
	    .doc = "new (seen first in this sample), live, or gone (kept a few "
	           "samples after it went)",
	    .source = "memtop's tracking of regions across samples",
	    .key = "state",
	    .unit = "",
	    .type = FT_TEXT,
	    .width = 4,
	    .flags = CSV | JSON,
	    .get = get_state,
	    .cmp = cmp_text },
	[FIELD_PATH] = { .name = "path",
	    .title = "Path",
	    .doc = "the file mapped, or the kernel's name for the region "
	           "([heap], [stack], [anon:NAME]), escaped; on the screen cut "
	           "at its front",
	    .source = "the last field of its line in /proc/PID/smaps",
	    .key = "path",
	    .unit = "",
	    .type = FT_TEXT,
	    .width = 0,
	    .flags = COL | CSV | JSON | FIELD_TAIL,
	    .get = get_path,
	    .text_id = id_path,
	    .cmp = cmp_text },
	[FIELD_SIZE] = { .name = "size",
	    .title = "Size",
	    .doc = "its size: the address range, resident or not",
	    .source = "Size in /proc/PID/smaps",
	    .key = "size_kb",
	    .unit = "kB",
	    .type = FT_KB,
	    .width = FMT_KB_WIDTH,
	    .desc = true,
	    .flags = COL | CSV | JSON | FIELD_TOTAL,
	    .sf = SF_SIZE,
	    .get = get_size,
	    .cmp = cmp_u64 },
	[FIELD_RSS] = { .name = "rss",
	    .title = "RSS",
	    .doc = "what of it is resident in memory",
	    .source = "Rss in /proc/PID/smaps",
	    .key = "rss_kb",
	    .unit = "kB",
	    .type = FT_KB,
	    .width = FMT_KB_WIDTH,
	    .desc = true,
	    .flags = COL | CSV | JSON | FIELD_TOTAL | FIELD_HEADER,
	    .sf = SF_RSS,
	    .series = SERIES_RSS,
	    .get = get_kb,
	    .cmp = cmp_u64 },
	[FIELD_PSS] = { .name = "pss",
	    .title = "PSS",
	    .doc = "the proportional set size: each resident page divided "
	           "among the processes that map it",
	    .source = "Pss in /proc/PID/smaps",
	    .key = "pss_kb",
	    .unit = "kB",
	    .type = FT_KB,
	    .width = FMT_KB_WIDTH,
	    .desc = true,
	    .flags = COL | CSV | JSON | FIELD_TOTAL | FIELD_HEADER,
	    .sf = SF_PSS,
	    .series = SERIES_PSS,
	    .get = get_kb,
	    .cmp = cmp_u64 },
	[FIELD_PRIVATE_DIRTY] = { .name = "private_dirty",
	    .title = "Dirty",
	    .doc = "pages this process alone has written",
	    .source = "Private_Dirty in /proc/PID/smaps",
	    .key = "private_dirty_kb",
	    .unit = "kB",
	    .alias = "pdirty privdirty",
	    .type = FT_KB,
	    .width = FMT_KB_WIDTH,
	    .desc = true,
	    .flags = COL | CSV | JSON | FIELD_TOTAL | FIELD_HEADER,
	    .sf = SF_PRIVATE_DIRTY,
	    .series = SERIES_PRIVATE_DIRTY,
	    .get = get_kb,
	    .cmp = cmp_u64 },
	[FIELD_SWAP] = { .name = "swap",
	    .title = "Swap",
	    .doc = "what of it is swapped out",
	    .source = "Swap in /proc/PID/smaps",
	    .key = "swap_kb",
	    .unit = "kB",
	    .type = FT_KB,
	    .width = FMT_KB_WIDTH,
	    .desc = true,
	    .flags = COL | CSV | JSON | FIELD_TOTAL | FIELD_HEADER,
	    .sf = SF_SWAP,
	    .series = SERIES_SWAP,
	    .get = get_kb,
	    .cmp = cmp_u64 },
	/* In the header and the totals only: a column would be this entry
	 * with COL | CSV | JSON. */
	[FIELD_ANON] = { .name = "anon",
	    .title = "Anon",
	    .doc = "anonymous memory: pages backed by no file",
	    .source = "Anonymous in /proc/PID/smaps",
	    .key = "anon_kb",
	    .unit = "kB",
	    .type = FT_KB,
	    .width = FMT_KB_WIDTH,
	    .desc = true,
	    .flags = FIELD_TOTAL | FIELD_HEADER,
	    .sf = SF_ANONYMOUS,
	    .series = SERIES_ANON,
	    .get = get_kb,
	    .cmp = cmp_u64 },
	[FIELD_DELTA_PREV] = { .name = "delta_prev",
	    .title = "+Prev",
	    .doc = "the change of RSS since the sample before",
	    .source = "Rss in /proc/PID/smaps, this sample less the one before",
	    .key = "delta_rss_kb",
	    .unit = "kB",
	    .type = FT_DELTA,
	    .width = FMT_KB_WIDTH + 1,
	    .desc = true,
	    .flags = CSV | JSON,
	    .sf = SF_RSS,
	    .get = get_delta_prev,
	    .cmp = cmp_i64 },
	[FIELD_DELTA] = { .name = "delta",
	    .title = "Delta",
	    .doc = "the change of RSS since the baseline (m sets it; the first "
	           "sample until then)",
	    .source = "Rss in /proc/PID/smaps, this sample less the baseline's",
	    .key = "delta_base_rss_kb",
	    .unit = "kB",
	    .type = FT_DELTA,
	    .width = FMT_KB_WIDTH + 1,
	    .desc = true,
	    .flags = COL | CSV | JSON,
	    .sf = SF_RSS,
	    .get = get_delta_base,
	    .cmp = cmp_i64 },
	[FIELD_RATE] = { .name = "rate",
	    .title = "Rate",
	    .doc = "the growth of RSS per second, shown in the units of sizes "
	           "per second (+64K/s); a dash (JSON null, CSV empty) until "
	           "two samples have seen the region",
	    .source = "a least-squares fit of Rss in /proc/PID/smaps over the "
	              "last 30 samples and their times",
	    .key = "rate_kb_s",
	    .unit = "kB/s",
	    .alias = "rate/s growth",
	    .type = FT_RATE,
	    .width = FMT_RATE_WIDTH,
	    .desc = true,
	    .flags = COL | CSV | JSON,
	    .sf = SF_RSS,
	    .series = SERIES_RSS,
	    .get = get_rate,
	    .cmp = cmp_rate },
	/* The process's state at the sample, on each CSV row. */
	[FIELD_TARGET] = { .name = "target",
	    .title = "Target",
	    .doc = "the process's state at that sample: running, execed, "
	           "exited, killed, OOM-killed",
	    .source = "/proc/PID/stat, and how the process ended (its exit "
	              "status, the kernel log)",
	    .key = "target",
	    .unit = "",
	    .type = FT_TEXT,
	    .width = 8,
	    .flags = CSV,
	    .get = get_target,
	    .cmp = cmp_text },
	[FIELD_DELETED] = { .name = "deleted",
	    .title = "Deleted",
	    .doc = "whether the file mapped has been removed",
	    .source = "the \" (deleted)\" the kernel puts after the path in "
	              "/proc/PID/smaps",
	    .key = "deleted",
	    .unit = "",
	    .type = FT_BOOL,
	    .width = 1,
	    .flags = CSV | JSON,
	    .get = get_deleted,
	    .cmp = cmp_u64 },
};

const struct field *
field_get(enum field_id id)
{
	return &fields[id < FIELD_COUNT ? id : FIELD_RSS];
}

/* Whether name is one of the space-separated words of list. */
static bool
field_alias(const char *list, const char *name)
{
	size_t n = strlen(name);

	while (list != NULL && *list != '\0') {
		size_t w = strcspn(list, " ");

		if (w == n && strncasecmp(list, name, n) == 0)
			return true;
		list += w;
		list += strspn(list, " ");
	}
	return false;
}

int
field_lookup(const char *name)
{
	int id;

	for (id = 0; id < FIELD_COUNT; id++) {
		const struct field *f = &fields[id];

		if (!(f->flags & FIELD_COLUMN))
			continue;
		if (strcasecmp(name, f->name) == 0 ||
		    strcasecmp(name, f->title) == 0 ||
		    field_alias(f->alias, name))
			return id;
	}
	return -1;
}

enum field_id
field_next_column(enum field_id id, int dir)
{
	int i = (int)id, k;

	for (k = 0; k < FIELD_COUNT; k++) {
		i = (i + (dir > 0 ? 1 : FIELD_COUNT - 1)) % FIELD_COUNT;
		if (fields[i].flags & FIELD_COLUMN)
			return (enum field_id)i;
	}
	return id;
}

size_t
field_column_names(char *buf, size_t size, const char *sep)
{
	size_t o = 0;
	int id;

	if (size > 0)
		buf[0] = '\0';
	for (id = 0; id < FIELD_COUNT && o < size; id++) {
		if (fields[id].flags & FIELD_COLUMN)
			o += (size_t)snprintf(buf + o, size - o, "%s%s",
			    o ? sep : "", fields[id].name);
	}
	return o < size ? o : size - 1;
}

bool
field_read(enum field_id id, const struct field_row *row, struct field_value *v)
{
	return field_read_of(field_get(id), row, v);
}

int
field_compare(
    enum field_id id, const struct field_row *a, const struct field_row *b)
{
	struct field_value va, vb;
	bool ha = field_read(id, a, &va), hb = field_read(id, b, &vb);

	if (!ha || !hb)
		return ha == hb ? 0 : ha ? -1 : 1;
	return field_get(id)->cmp(&va, &vb);
}

bool
field_right(enum field_id id)
{
	enum field_type t = field_get(id)->type;

	return t == FT_KB || t == FT_DELTA || t == FT_RATE;
}

/* x in `digits` hex digits, zero-padded; one that needs more is cut at
 * its front ("\u2026fffff600000"), as a path is. */
static const char *
field_hex(uint64_t x, int digits, char *buf)
{
	char full[24];
	int n = snprintf(full, sizeof full, "%0*" PRIx64, digits, x);

	if (n <= digits)
		return memcpy(buf, full, (size_t)n + 1);
	snprintf(buf, 24, "%s%s", locale_is_utf8() ? "\u2026" : "<",
	    full + n - digits + 1);
	return buf;
}

size_t
field_format(
    enum field_id id, const struct field_row *row, char *buf, size_t size)
{
	const struct field *f = field_get(id);
	struct field_value v;
	int digits = row->addr_digits > 0 ? row->addr_digits : 12;

	if (size == 0)
		return 0;
	buf[0] = '\0';
	if (!field_read(id, row, &v))
		return 0;
	switch (f->type) {
	case FT_RANGE: {
		char a[24], b[24];

		snprintf(buf, size, "%s-%s", field_hex(v.u, digits, a),
		    field_hex(v.u2, digits, b));
		break;
	}
	case FT_HEX:
		snprintf(buf, size, "%" PRIx64, v.u);
		break;
	case FT_TEXT:
		if (v.len >= size)
			v.len = size - 1;
		memcpy(buf, v.s, v.len);
		buf[v.len] = '\0';
		break;
	case FT_KB:
		fmt_kb(v.u, buf, size);
		break;
	case FT_DELTA:
		fmt_kb_delta(v.i, buf, size);
		break;
	case FT_RATE:
		fmt_rate(v.d, buf, size);
		break;
	case FT_BOOL:
		snprintf(buf, size, "%s", v.u ? "yes" : "no");
		break;
	}
	return strlen(buf);
}

static const struct header_fact header_fact_list[] = {
	{ "pid", "memtop pid", "the process watched, by its ID", "-p" },
	{ "comm", "",
	    "its name, escaped (a replay's state, the end of the target or a "
	    "late sample is said before it)",
	    "/proc/PID/comm" },
	{ "up", "up", "how long the process has been running",
	    "its start time in /proc/PID/stat against the time since boot" },
	{ "every", "every", "the time between samples (-d; + and - change it)",
	    "memtop" },
	{ "sample", "sample ms",
	    "what the last sample cost memtop: the wall-clock time of its "
	    "reads",
	    "memtop" },
	{ "regions", "regions regs",
	    "the mappings of the last sample (those gone are not counted)",
	    "the lines of /proc/PID/smaps" },
	{ "torn", "torn",
	    "mappings left out of the last read: it tore while the process "
	    "changed them",
	    "/proc/PID/smaps" },
	{ "cmd", "cmd", "the command line, escaped", "/proc/PID/cmdline" },
	{ "MemAvailable", "MemAvailable of avail",
	    "what the system can still give without swapping, of all its "
	    "memory",
	    "MemAvailable and MemTotal in /proc/meminfo" },
	{ "Go, JVM, CPython", "Go JVM CPython",
	    "the runtime the process runs, and its version where known "
	    "(go1.22.1, CPython 3.11)",
	    "the executable's Go build information, libjvm.so or "
	    "libpython in its mappings" },
	{ "cgroup", "cgroup cg of no limit",
	    "the memory cgroup's usage, of its limit, as a share of it (or "
	    "\"no limit\"); the limit is the smallest among the cgroup and "
	    "its ancestors",
	    "memory.current and memory.max (cgroup v2), memory.usage_in_bytes "
	    "and memory.limit_in_bytes (v1), of the cgroup in "
	    "/proc/PID/cgroup and its ancestors" },
	{ "OOM in", "OOM in at system MemAvailable avail SwapFree",
	    "how long until the OOM killer comes, at the rate at which what "
	    "the kernel cannot reclaim grows (THE OOM KILLER); \"(system)\" "
	    "without a cgroup limit",
	    "a line fitted to the last 60 seconds of the cgroup's anon, "
	    "shmem and unreclaimable kernel memory (or the process's anon, "
	    "shmem and swap, against MemAvailable and SwapFree)" },
	{ "no OOM projection",
	    "no OOM projection too short not growing "
	    "irregular limit",
	    "why there is no projection yet: too few samples, nothing "
	    "growing, or growth too irregular to fit a line",
	    "the same samples" },
	{ "memory pressure",
	    "memory pressure PSI at memory.high high under "
	    "OOM OOM!",
	    "the kernel thrashes (PSI full avg10 of 10% or more), throttles "
	    "(at memory.high) or is killing (under OOM)",
	    "memory.pressure, memory.events and memory.oom_control of the "
	    "cgroup" },
	{ "OOM kills", "OOM kills since start",
	    "the processes of the cgroup the OOM killer has killed since "
	    "memtop began to watch",
	    "oom_kill in the cgroup's memory.events (v1: memory.oom_control)" },
	{ "owner",
	    "pod container systemd docker containerd cri-o podman lxc "
	    "the root",
	    "who the cgroup is: a Kubernetes pod and container, a container, "
	    "a systemd unit",
	    "the cgroup's path" },
	{ "[cgroup path]", "",
	    "the cgroup's path, cut at its front when the line is short",
	    "/proc/PID/cgroup" },
	{ "ended",
	    "ended exit status killed by signal core dumped likely "
	    "OOM-killed cgroup limit its cgroup's the whole system "
	    "gone how is not known",
	    "once the target is gone (in a replay, at its last sample): how "
	    "it ended, in place of the cgroup's line",
	    "its exit status, the cgroup's oom_kill, /proc/vmstat and the "
	    "kernel log (THE OOM KILLER)" },
	{ "leak suspect",
	    "leak suspect for steady uneven in bursts across "
	    "cycles OOM in none yet too early to say nothing "
	    "grows what does not grow steadily the ranking L "
	    "class file",
	    "the region (or group) most likely to leak: its class and start, "
	    "its rate, how long it has grown and how steadily, and when it "
	    "would reach the limit (L lists the ranking)",
	    "the model's samples of each region (L in KEYS)" },
	{ "Java heap, Go heap",
	    "Java Go heap used of committed resident "
	    "old gen objs runtime",
	    "a line of the runtime's own figures, when there are some: heap "
	    "used and committed beside the heap regions' RSS, and the rate "
	    "of what grows (RUNTIME FIGURES)",
	    "hsperfdata for a JVM; for Go, the URL the runtime option names" },
};

size_t
field_header_facts(const struct header_fact **out)
{
	*out = header_fact_list;
	return sizeof header_fact_list / sizeof header_fact_list[0];
}

/* Text as troff: a backslash doubled, an option's dash escaped, a line
 * never starting with a control character. */
static void
field_man_text(FILE *f, const char *s)
{
	const char *p;

	if (*s == '.' || *s == '\'')
		fputs("\\&", f);
	for (p = s; *p != '\0'; p++) {
		if (*p == '\\')
			fputs("\\e", f);
		else if (*p == '-' &&
		    (p == s || p[-1] == ' ' || p[-1] == '(') && p[1] != ' ')
			fputs("\\-", f);
		else
			fputc(*p, f);
	}
}

/* ".TP", its tag line, then "DOC.\nSource: SOURCE." */
static void
field_man_entry(FILE *f, const char *tag, const char *doc, const char *source)
{
	fprintf(f, ".TP\n%s\n", tag);
	field_man_text(f, doc);
	fputs(".\nSource: ", f);
	field_man_text(f, source);
	fputs(".\n", f);
}

static void
field_man_columns(FILE *f)
{
	char tag[256];
	int id;

	for (id = 0; id < FIELD_COUNT; id++) {
		const struct field *fd = &fields[id];

		if (!(fd->flags & FIELD_COLUMN))
			continue;
		snprintf(tag, sizeof tag, ".BR %s \" (%s%s%s)\"", fd->name,
		    fd->title, fd->unit[0] ? ", " : "", fd->unit);
		field_man_entry(f, tag, fd->doc, fd->source);
	}
	fputs(".PP\nIn CSV and JSON, sizes are exact kB and a rate is kB/s "
	      "with three decimals (null in JSON, empty in CSV, until it is "
	      "known).\nA region has these keys:\n",
	    f);
	for (id = 0; id < FIELD_COUNT; id++) {
		const struct field *fd = &fields[id];

		if (!(fd->flags & (FIELD_CSV | FIELD_JSON)))
			continue;
		if (fd->type == FT_RANGE)
			snprintf(tag, sizeof tag, ".IR %s \", \" end", fd->key);
		else
			snprintf(tag, sizeof tag, ".I %s", fd->key);
		if (fd->flags & FIELD_COLUMN) {
			fprintf(f, ".TP\n%s\nthe column\n.BR %s .\n", tag,
			    fd->name);
			continue;
		}
		field_man_entry(f, tag, fd->doc, fd->source);
		if (!(fd->flags & FIELD_JSON))
			fputs("CSV only.\n", f);
	}
	fputs(".PP\nJSON's\n.I totals\nhave the process's", f);
	for (id = 0; id < FIELD_COUNT; id++) {
		if (fields[id].flags & FIELD_TOTAL)
			fprintf(f, "\n.IR %s ,", fields[id].key);
	}
	fputs("\nthe count of\n.I regions\nand\n.I rate_kb_s\n(of RSS).\n", f);
}

static void
field_man_header(FILE *f)
{
	const struct header_fact *h;
	size_t i, n = field_header_facts(&h);
	char tag[256];
	int id;

	for (i = 0; i < n; i++) {
		snprintf(tag, sizeof tag, ".B \"%s\"", h[i].name);
		field_man_entry(f, tag, h[i].doc, h[i].source);
		if (strcmp(h[i].name, "cmd") != 0)
			continue;
		/* The totals come after the command line. */
		for (id = 0; id < FIELD_COUNT; id++) {
			const struct field *fd = &fields[id];
			char doc[512], src[512];

			if (!(fd->flags & FIELD_HEADER))
				continue;
			snprintf(tag, sizeof tag, ".B %s", fd->title);
			snprintf(doc, sizeof doc,
			    "the process's %s (%s), with its trend over the "
			    "last samples and its rate per second",
			    fd->name, fd->doc);
			snprintf(src, sizeof src,
			    "the sum over its regions of %s", fd->source);
			field_man_entry(f, tag, doc, src);
		}
	}
}

void
field_man(FILE *f, const char *name)
{
	fprintf(f,
	    ".\\\" Made from src/field.c: MEMTOP_MAN_UPDATE=1 "
	    "tests/test-field writes it.\n");
	if (strcmp(name, "COLUMNS") == 0)
		field_man_columns(f);
	else if (strcmp(name, "HEADER") == 0)
		field_man_header(f);
}
