/*
 * export-om.h - the OpenMetrics / Prometheus text exposition of what memtop
 * watches (memtop --listen, and -b --format openmetrics|prometheus).  Pure:
 * it reads models and the facts export.c hands it and writes text into
 * growable buffers; no I/O, no locks, no threads.
 *
 * Every metric family is one entry of a table (export_om_family()), which
 * doc/metrics.md and memtop(1) list; a family's samples are written per
 * target into that target's own buffer for the family (export_om_target),
 * and export_om_assemble() puts each family's header and every target's
 * lines together, family by family, as both formats require.  Label values
 * from the target (comm, command line, paths) are escaped to printable
 * UTF-8 first (esc_text), then as the formats escape label values, and
 * capped: no byte a target chose can end a line or a label.
 *
 * Cardinality is bounded: per target the totals, one series per class (a
 * fixed set of names plus the user's classes), the EXPORT_OM_FILES_MAX
 * biggest file objects (the rest counted, not named) and the
 * EXPORT_OM_SUSPECTS_MAX top leak suspects, the only series with an
 * address in a label.
 */
#ifndef MEMTOP_EXPORT_OM_H
#define MEMTOP_EXPORT_OM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "suspect.h"
#include "verdict.h"

#define EXPORT_OM_FILES_MAX    20  /* file objects named per target */
#define EXPORT_OM_SUSPECTS_MAX 5   /* suspects named per target */
#define EXPORT_OM_PATH_MAX     160 /* bytes of a path label (then a hash) */
#define EXPORT_OM_COMMAND_MAX  256 /* bytes of the command line label */

enum export_om_format {
	EXPORT_OM_PROMETHEUS,  /* text/plain; version=0.0.4 */
	EXPORT_OM_OPENMETRICS, /* application/openmetrics-text; 1.0.0 */
};
/* "prometheus" or "openmetrics" (--format); -1 for neither. */
int export_om_format_lookup(const char *name);
/* The Content-Type header of a format. */
const char *export_om_content_type(enum export_om_format f);
/*
 * The format an Accept header asks for: OpenMetrics when it names
 * application/openmetrics-text with a q-value above 0 and no higher one
 * for text/plain; the Prometheus text format for text/plain, text/ *,
 * * / *, an empty or absent header.  -1 when it accepts neither (406).
 */
int export_om_negotiate(const char *accept);

enum export_om_type { OM_GAUGE, OM_COUNTER };

/* Every family, in the order of the exposition. */
enum export_om_family_id {
	/* per target, while it runs and after it ended */
	OMF_PROCESS_INFO,
	OMF_PROCESS_RUNNING,
	OMF_PROCESS_START,
	/* per target, while it runs */
	OMF_RESIDENT,
	OMF_PSS,
	OMF_SWAP,
	OMF_ANON,
	OMF_PRIVATE_DIRTY,
	OMF_GROWTH,
	OMF_REGIONS,
	OMF_LAST_SAMPLE,
	OMF_CLASS_RESIDENT,
	OMF_CLASS_PSS,
	OMF_CLASS_SWAP,
	OMF_CLASS_ANON,
	OMF_CLASS_PRIVATE_DIRTY,
	OMF_CLASS_GROWTH,
	OMF_CLASS_REGIONS,
	OMF_FILE_RESIDENT,
	OMF_FILE_PSS,
	OMF_FILE_SWAP,
	OMF_FILE_ANON,
	OMF_FILE_PRIVATE_DIRTY,
	OMF_FILE_GROWTH,
	OMF_FILE_REGIONS,
	OMF_FILE_OMITTED,
	OMF_FILE_OMITTED_RESIDENT,
	OMF_OOM_PROJECTION,
	OMF_OOM_LIMIT,
	OMF_OOM_UNRECLAIMABLE,
	OMF_CGROUP_LIMIT,
	OMF_CGROUP_USAGE,
	OMF_SUSPECT_GROWTH,
	OMF_SUSPECT_CONFIDENCE,
	OMF_SUSPECT_RESIDENT,
	OMF_SUSPECT_GROWING,
	OMF_SUSPECT_OMITTED,
	/* per target, again after it ended */
	OMF_CGROUP_OOM_KILLS,
	OMF_END_INFO,
	OMF_END_TIME,
	OMF_SAMPLES,
	OMF_SAMPLE_SECONDS,
	OMF_SAMPLE_DURATION,
	/* memtop's own, built with the exposition */
	OMF_BUILD_INFO,
	OMF_TARGETS,
	OMF_TARGETS_OMITTED,
	OMF_TARGETS_ENDED,
	OMF_ERRORS,
	OMF_BUILD_SECONDS,
	/* memtop's own, at each scrape (the tail) */
	OMF_SCRAPES,
	OMF_HTTP_ERRORS,
	OMF_SELF_CPU,
	OMF_SELF_RESIDENT,
	OMF_COUNT
};
/* The families of the body, and of the tail written at each scrape. */
#define OMF_BODY_END OMF_SCRAPES

struct export_om_family {
	const char *name; /* a counter's without _total */
	enum export_om_type type;
	const char *unit;   /* "bytes", "seconds", ... or "" */
	const char *labels; /* its labels, space-separated (for the docs) */
	const char *help;
};
const struct export_om_family *export_om_family(enum export_om_family_id id);

/* A growable text buffer (memory from xmalloc: never fails). */
struct export_om_buf {
	char *p;
	size_t len, cap;
};
void export_om_buf_put(struct export_om_buf *b, const char *s, size_t n);
void export_om_buf_printf(struct export_om_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void export_om_buf_free(struct export_om_buf *b);

/*
 * Append name="value" to b, value from raw bytes (the target's, maybe):
 * escaped to printable UTF-8 (esc_text), then as label values are escaped
 * (\\ \" \n), at most max bytes of the escaped text; a value cut short
 * ends in "..." and 8 hex digits of the whole value's hash, so two long
 * values stay two series.  A ',' goes first unless b is empty or ends in
 * '{' or ','.
 */
void export_om_label(struct export_om_buf *b, const char *name, const char *raw,
    size_t len, size_t max);

/* One sample line of family id: the name (+ _total of a counter), the
 * labels (already written, "" for none), the value.  A NaN or infinite
 * value writes nothing. */
void export_om_sample(struct export_om_buf *b, enum export_om_family_id id,
    const char *labels, double value);

/* What export.c knows of a target beyond its model. */
struct export_om_facts {
	bool running;               /* false once it ended */
	uint64_t start_time_s;      /* unix seconds it started, 0 unknown */
	struct end_verdict verdict; /* ended: how */
	double ended_wall;          /* ended: when memtop saw it */
	uint64_t samples;           /* ingested */
	double sample_s;            /* all samples' wall time */
};

/* One target's lines, a buffer per family. */
struct export_om_target {
	struct export_om_buf fam[OMF_COUNT];
};
void export_om_target_free(struct export_om_target *t);

/*
 * Write target's lines from the model's latest sample and x (the ranking
 * sr is reused from one call to the next).  Families of a running target
 * only are left empty once it ended.  Nothing when the model has no
 * sample yet.
 */
void export_om_target_build(struct export_om_target *t, struct model *m,
    struct suspect_ranking *sr, const struct export_om_facts *x);

/* What memtop says of itself. */
struct export_om_self {
	size_t targets, targets_omitted; /* running; over the cap */
	uint64_t ended[4];               /* targets ended, by enum end_reason */
	uint64_t errors[4];              /* by enum export_om_error */
	double build_s;                  /* the last exposition's build */
	uint64_t scrapes;                /* /metrics answered */
	uint64_t http_errors[4];         /* by enum export_om_http_error */
	double cpu_s;                    /* memtop's CPU time */
	uint64_t rss_bytes; /* memtop's resident memory, 0 unknown */
};
enum export_om_error { OM_ERR_OPEN, OM_ERR_SAMPLE, OM_ERR_RECORD, OM_ERR_SCAN };
enum export_om_http_error {
	OM_HTTP_404,
	OM_HTTP_405,
	OM_HTTP_406,
	OM_HTTP_413
};

/* The families of memtop itself, of the body (build) or the tail (scrape),
 * into t. */
void export_om_self_body(
    struct export_om_target *t, const struct export_om_self *s);
void export_om_self_tail(
    struct export_om_target *t, const struct export_om_self *s);

/*
 * The exposition of families [first, end) of the n targets (and of self,
 * which may be NULL), appended to out in format f: each family with lines
 * gets its header (HELP, TYPE and, in OpenMetrics, UNIT) and then every
 * target's lines in the order given.  With eof, OpenMetrics' "# EOF".
 */
void export_om_assemble(struct export_om_buf *out, enum export_om_format f,
    struct export_om_target *const *targets, size_t n,
    const struct export_om_target *self, enum export_om_family_id first,
    enum export_om_family_id end, bool eof);

#endif
