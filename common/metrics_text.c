/*
 * metrics_text.c - the Prometheus text format writer (see metrics_text.h).
 */
#include "metrics_text.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler.h"

static void put(metrics_text_t *t, const char *s, size_t n)
{
    if (t->oom)
        return;
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 4096;
        while (t->len + n + 1 > cap)
            cap *= 2;
        char *nb = realloc(t->buf, cap);
        if (!nb) {
            t->oom = 1;
            return;
        }
        t->buf = nb;
        t->cap = cap;
    }
    memcpy(t->buf + t->len, s, n);
    t->len += n;
    t->buf[t->len] = '\0';
}

static void puts_(metrics_text_t *t, const char *s)
{
    put(t, s, strlen(s));
}

static void putf(metrics_text_t *t, const char *fmt, ...) TM_PRINTF(2, 3);
static void putf(metrics_text_t *t, const char *fmt, ...)
{
    char b[64];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b, sizeof(b), fmt, ap);
    va_end(ap);
    put(t, b, n < 0 ? 0 : (size_t)n < sizeof(b) ? (size_t)n : sizeof(b) - 1);
}

/* s with backslash and newline escaped, and the double quote too when
 * quote (label values; HELP text leaves it). */
static void put_escaped(metrics_text_t *t, const char *s, int quote)
{
    for (; *s; s++) {
        if (*s == '\\')
            puts_(t, "\\\\");
        else if (*s == '\n')
            puts_(t, "\\n");
        else if (*s == '"' && quote)
            puts_(t, "\\\"");
        else
            put(t, s, 1);
    }
}

/* The shortest of %.15g..%.17g that reads back as v. */
static void put_shortest(metrics_text_t *t, double v)
{
    char b[64];
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(b, sizeof(b), "%.*g", prec, v);
        if (strtod(b, NULL) == v)
            break;
    }
    puts_(t, b);
}

/* A value as the format writes it: +Inf, -Inf, NaN, an integer without
 * exponent while it is exact, else the shortest round-trip form. */
static void put_value(metrics_text_t *t, double v)
{
    if (isnan(v))
        puts_(t, "NaN");
    else if (isinf(v))
        puts_(t, v > 0 ? "+Inf" : "-Inf");
    else if (v == floor(v) && fabs(v) < 9007199254740992.0)
        putf(t, "%.0f", v);
    else
        put_shortest(t, v);
}

void metrics_histogram_init(metrics_histogram_t *h, const double *bounds, size_t n_bounds)
{
    memset(h, 0, sizeof(*h));
    h->bounds = bounds;
    h->n_bounds = n_bounds < METRICS_MAX_BUCKETS ? n_bounds : METRICS_MAX_BUCKETS;
}

void metrics_histogram_observe(metrics_histogram_t *h, double value)
{
    size_t i = 0;
    while (i < h->n_bounds && value > h->bounds[i])
        i++;
    h->counts[i]++;
    h->count++;
    h->sum += value;
}

void metrics_text_family(metrics_text_t *t, const char *name, const char *type, const char *help)
{
    puts_(t, "# HELP ");
    puts_(t, name);
    puts_(t, " ");
    put_escaped(t, help, 0);
    puts_(t, "\n# TYPE ");
    puts_(t, name);
    puts_(t, " ");
    puts_(t, type);
    puts_(t, "\n");
}

/* name{labels[,le="le"]} (le may be NULL) */
static void put_series(metrics_text_t *t, const char *name, const metrics_label_t *labels,
                       size_t n_labels, const char *le)
{
    puts_(t, name);
    if (n_labels == 0 && !le)
        return;
    puts_(t, "{");
    for (size_t i = 0; i < n_labels; i++) {
        puts_(t, i ? "," : "");
        puts_(t, labels[i].name);
        puts_(t, "=\"");
        put_escaped(t, labels[i].value ? labels[i].value : "", 1);
        puts_(t, "\"");
    }
    if (le) {
        puts_(t, n_labels ? ",le=\"" : "le=\"");
        puts_(t, le);
        puts_(t, "\"");
    }
    puts_(t, "}");
}

void metrics_text_sample(metrics_text_t *t, const char *name, const metrics_label_t *labels,
                         size_t n_labels, double value)
{
    put_series(t, name, labels, n_labels, NULL);
    puts_(t, " ");
    put_value(t, value);
    puts_(t, "\n");
}

void metrics_text_single(metrics_text_t *t, const char *name, const char *type, const char *help,
                         double value)
{
    metrics_text_family(t, name, type, help);
    metrics_text_sample(t, name, NULL, 0, value);
}

void metrics_text_histogram(metrics_text_t *t, const char *name, const metrics_label_t *labels,
                            size_t n_labels, const metrics_histogram_t *h)
{
    char series[256], le[64];
    snprintf(series, sizeof(series), "%s_bucket", name);
    uint64_t cumulative = 0;
    for (size_t i = 0; i <= h->n_bounds; i++) {
        cumulative += h->counts[i];
        metrics_text_t tmp = {0};
        if (i < h->n_bounds) {
            put_value(&tmp, h->bounds[i]);
            snprintf(le, sizeof(le), "%s", tmp.buf ? tmp.buf : "");
        } else {
            snprintf(le, sizeof(le), "+Inf");
        }
        metrics_text_free(&tmp);
        put_series(t, series, labels, n_labels, le);
        puts_(t, " ");
        put_value(t, (double)cumulative);
        puts_(t, "\n");
    }
    snprintf(series, sizeof(series), "%s_sum", name);
    metrics_text_sample(t, series, labels, n_labels, h->sum);
    snprintf(series, sizeof(series), "%s_count", name);
    metrics_text_sample(t, series, labels, n_labels, (double)h->count);
}

char *metrics_text_take(metrics_text_t *t)
{
    char *out = t->oom ? NULL : t->buf ? t->buf : strdup("");
    if (t->oom)
        free(t->buf);
    memset(t, 0, sizeof(*t));
    return out;
}

void metrics_text_free(metrics_text_t *t)
{
    free(t->buf);
    memset(t, 0, sizeof(*t));
}
