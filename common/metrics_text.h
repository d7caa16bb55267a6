/*
 * metrics_text.h - the Prometheus text exposition format (0.0.4) written
 * into a growing buffer: a family's HELP and TYPE lines, then its samples
 * (counters, gauges) or a histogram's _bucket{le=...} (cumulative, ending
 * with le="+Inf"), _sum and _count lines. Label values are escaped as the
 * format says (backslash, double quote, newline); labels are written in
 * the order given. Also the histogram a program observes into.
 *
 * Owns: the buffer (metrics_text_free). A metrics_text_t is used by one
 * thread at a time; a metrics_histogram_t is guarded by its owner. Fails
 * only for want of memory: the buffer then remembers it (oom) and every
 * later write is a no-op; metrics_text_take() returns NULL.
 */
#ifndef TIDEMARK_METRICS_TEXT_H
#define TIDEMARK_METRICS_TEXT_H

#include <stddef.h>
#include <stdint.h>

typedef struct metrics_text {
    char *buf;
    size_t len, cap;
    int oom;
} metrics_text_t;

typedef struct metrics_label {
    const char *name; /* [a-zA-Z_][a-zA-Z0-9_]*, not checked */
    const char *value;
} metrics_label_t;

#define METRICS_MAX_BUCKETS 16

/* Observations by upper bound (le): counts[i] those <= bounds[i] and above
 * bounds[i - 1]; counts[n_bounds] those above the last (+Inf). */
typedef struct metrics_histogram {
    const double *bounds; /* ascending, n_bounds <= METRICS_MAX_BUCKETS */
    size_t n_bounds;
    uint64_t counts[METRICS_MAX_BUCKETS + 1];
    uint64_t count;
    double sum;
} metrics_histogram_t;

/* An empty histogram over bounds (borrowed: a static table). */
void metrics_histogram_init(metrics_histogram_t *h, const double *bounds, size_t n_bounds);
void metrics_histogram_observe(metrics_histogram_t *h, double value);

/* The HELP and TYPE lines of family name; type is "counter", "gauge" or
 * "histogram". */
void metrics_text_family(metrics_text_t *t, const char *name, const char *type, const char *help);

/* One sample line: name{labels} value (no braces without labels). */
void metrics_text_sample(metrics_text_t *t, const char *name, const metrics_label_t *labels,
                         size_t n_labels, double value);

/* HELP, TYPE and one sample: a family of a single series. */
void metrics_text_single(metrics_text_t *t, const char *name, const char *type, const char *help,
                         double value);

/* The _bucket, _sum and _count lines of one histogram series (le after
 * the given labels). */
void metrics_text_histogram(metrics_text_t *t, const char *name, const metrics_label_t *labels,
                            size_t n_labels, const metrics_histogram_t *h);

/* The text written (NUL-terminated; the caller frees), or NULL after a
 * failed allocation; t is empty afterwards. */
char *metrics_text_take(metrics_text_t *t);

void metrics_text_free(metrics_text_t *t);

#endif
