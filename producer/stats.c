/*
 * stats.c - the producer's counters (see stats.h).
 */
#include "stats.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "isotime.h"
#include "metrics_health.h"

/* seconds: an API answers in milliseconds to minutes */
static const double http_buckets[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                                      1,     2.5,  5,     10,   30,  60,   120};

static pthread_mutex_t totals_lock = PTHREAD_MUTEX_INITIALIZER;
static producer_stats_t totals;
static producer_stream_totals_t *streams; /* per stream, first seen first */
static size_t n_streams, cap_streams;
static metrics_histogram_t http_seconds;

/* Every field of the struct, for the field-by-field operations. */
#define STATS_FIELDS(X)                                                                            \
    X(runs_completed)                                                                              \
    X(runs_failed)                                                                                 \
    X(pages)                                                                                       \
    X(records_read)                                                                                \
    X(skipped)                                                                                     \
    X(upserts)                                                                                     \
    X(deletes)                                                                                     \
    X(vanished)                                                                                    \
    X(stale_deletes)                                                                               \
    X(revived)                                                                                     \
    X(dead_lettered)                                                                               \
    X(unidentified)                                                                                \
    X(bytes_published)                                                                             \
    X(checkpoints)                                                                                 \
    X(page_guesses)                                                                                \
    X(guesses_taken)

/* A field added to the struct but not to STATS_FIELDS fails the build. */
#define STATS_ONE(f) +1
_Static_assert(sizeof(producer_stats_t) == (0 STATS_FIELDS(STATS_ONE)) * sizeof(int64_t),
               "every producer_stats_t field is in STATS_FIELDS");

void producer_stats_add(producer_stats_t *into, const producer_stats_t *delta)
{
#define STATS_ADD(f) into->f += delta->f;
    STATS_FIELDS(STATS_ADD)
#undef STATS_ADD
}

/* The totals of stream, added when first seen; NULL when out of memory.
 * Under totals_lock. */
static producer_stream_totals_t *stream_totals(const char *stream)
{
    for (size_t i = 0; i < n_streams; i++)
        if (strcmp(streams[i].name, stream) == 0)
            return &streams[i];
    if (n_streams == cap_streams) {
        size_t cap = cap_streams ? cap_streams * 2 : 8;
        producer_stream_totals_t *ns = realloc(streams, cap * sizeof(*ns));
        if (!ns)
            return NULL;
        streams = ns;
        cap_streams = cap;
    }
    char *name = strdup(stream);
    if (!name)
        return NULL;
    producer_stream_totals_t *st = &streams[n_streams++];
    memset(st, 0, sizeof(*st));
    st->name = name;
    return st;
}

void producer_stats_flush(const char *stream, producer_stats_t *flushed,
                          const producer_stats_t *now)
{
    producer_stats_t delta = *now;
#define STATS_SUB(f) delta.f -= flushed->f;
    STATS_FIELDS(STATS_SUB)
#undef STATS_SUB
    pthread_mutex_lock(&totals_lock);
    producer_stats_add(&totals, &delta);
    producer_stream_totals_t *st = stream_totals(stream);
    if (st)
        producer_stats_add(&st->counts, &delta);
    pthread_mutex_unlock(&totals_lock);
    *flushed = *now;
    metrics_heartbeat();
}

void producer_stats_stream(const char *stream)
{
    pthread_mutex_lock(&totals_lock);
    (void)stream_totals(stream);
    pthread_mutex_unlock(&totals_lock);
}

void producer_stats_run_end(const char *stream, int full, int completed, const run_hwm_t *hwm)
{
    int64_t now = isotime_now_ms();
    pthread_mutex_lock(&totals_lock);
    producer_stream_totals_t *st = stream_totals(stream);
    if (st) {
        st->runs[full != 0][!completed]++;
        st->last_failed = completed ? LAST_FAILED_NONE : LAST_FAILED_RUN;
        if (completed)
            st->last_success_ms = now;
        st->has_hwm = hwm && hwm->has_value;
        st->hwm_ms = st->has_hwm ? hwm->value_ms : 0;
    }
    pthread_mutex_unlock(&totals_lock);
    metrics_heartbeat();
}

void producer_stats_not_run(const char *stream, int how)
{
    pthread_mutex_lock(&totals_lock);
    producer_stream_totals_t *st = stream_totals(stream);
    if (st)
        st->last_failed = how;
    pthread_mutex_unlock(&totals_lock);
    metrics_heartbeat();
}

/* Counts one answer of code into st: its own row, or "other" (-1) once
 * PRODUCER_STATS_MAX_CODES codes have rows. */
static void count_code(producer_stream_totals_t *st, long code)
{
    size_t i = 0;
    while (i < st->n_http && st->http[i].code != code)
        i++;
    if (i == st->n_http && i >= PRODUCER_STATS_MAX_CODES) {
        code = -1;
        for (i = 0; i < st->n_http && st->http[i].code != -1; i++)
            ;
    }
    if (i == st->n_http) {
        st->http[i].code = code;
        st->http[i].n = 0;
        st->n_http++;
    }
    st->http[i].n++;
}

void producer_stats_http(void *ctx, long status, double seconds)
{
    pthread_mutex_lock(&totals_lock);
    if (!http_seconds.bounds)
        metrics_histogram_init(&http_seconds, http_buckets,
                               sizeof(http_buckets) / sizeof(http_buckets[0]));
    metrics_histogram_observe(&http_seconds, seconds);
    producer_stream_totals_t *st = stream_totals(ctx);
    if (st)
        count_code(st, status);
    pthread_mutex_unlock(&totals_lock);
}

void producer_stats_snapshot(producer_stats_t *out)
{
    pthread_mutex_lock(&totals_lock);
    *out = totals;
    pthread_mutex_unlock(&totals_lock);
}

int producer_stats_streams(producer_stream_totals_t **out, size_t *n, metrics_histogram_t *http)
{
    pthread_mutex_lock(&totals_lock);
    *n = n_streams;
    *out = malloc((n_streams ? n_streams : 1) * sizeof(**out));
    if (*out)
        memcpy(*out, streams, n_streams * sizeof(**out));
    if (http && !http_seconds.bounds)
        metrics_histogram_init(http, http_buckets, sizeof(http_buckets) / sizeof(http_buckets[0]));
    else if (http)
        *http = http_seconds;
    pthread_mutex_unlock(&totals_lock);
    return *out ? 0 : -1;
}
