/*
 * stats.c - see stats.h.
 */
#include "stats.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* seconds: a batch takes milliseconds to minutes */
static const double batch_buckets[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                                       1,     2.5,  5,     10,   30,  60,   300};

void worker_stats_init(worker_stats_t *s)
{
    memset(s, 0, sizeof(*s));
    s->c.lag_ms = -1;
    metrics_histogram_init(&s->batch_seconds, batch_buckets,
                           sizeof(batch_buckets) / sizeof(batch_buckets[0]));
    clock_gettime(CLOCK_MONOTONIC, &s->batch_started);
    pthread_mutex_init(&s->lock, NULL);
}

void worker_stats_destroy(worker_stats_t *s)
{
    pthread_mutex_destroy(&s->lock);
    free(s->rows);
    free(s->lags);
}

void worker_stats_batch_start(worker_stats_t *s)
{
    clock_gettime(CLOCK_MONOTONIC, &s->batch_started); /* the writer's own field */
}

void worker_stats_batch(worker_stats_t *s, const batch_counts_t *b)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double seconds = (double)(now.tv_sec - s->batch_started.tv_sec) +
                     (double)(now.tv_nsec - s->batch_started.tv_nsec) / 1e9;
    pthread_mutex_lock(&s->lock);
    s->c.batches++;
    s->c.kafka_commits++;
    s->c.messages += b->messages;
    s->c.events += b->events;
    s->c.upserts += b->upserts;
    s->c.deletes += b->deletes;
    s->c.run_records += b->run_records;
    s->c.dead_letters += b->dead_letters;
    s->c.lag_ms =
        b->newest_ts_ms >= 0 && b->now_ms >= b->newest_ts_ms ? b->now_ms - b->newest_ts_ms : -1;
    metrics_histogram_observe(&s->batch_seconds, seconds);
    pthread_mutex_unlock(&s->lock);
}

void worker_stats_streams(worker_stats_t *s, const worker_streams_t *streams,
                          const table_counts_t *per_stream)
{
    pthread_mutex_lock(&s->lock);
    if (!s->rows && streams->n > 0 && (s->rows = calloc(streams->n, sizeof(*s->rows)))) {
        s->n_rows = streams->n;
        for (size_t i = 0; i < streams->n; i++)
            s->rows[i].name = streams->items[i].sc->name;
    }
    for (size_t i = 0; per_stream && i < s->n_rows; i++) {
        s->rows[i].upserts += (int64_t)per_stream[i].upserts;
        s->rows[i].deletes += (int64_t)per_stream[i].deletes;
    }
    pthread_mutex_unlock(&s->lock);
}

void worker_stats_retry(worker_stats_t *s)
{
    pthread_mutex_lock(&s->lock);
    s->c.retries++;
    pthread_mutex_unlock(&s->lock);
}

void worker_stats_fenced(worker_stats_t *s)
{
    pthread_mutex_lock(&s->lock);
    s->c.fenced++;
    pthread_mutex_unlock(&s->lock);
}

void worker_stats_partitions(worker_stats_t *s, int64_t assigned, int64_t stuck)
{
    pthread_mutex_lock(&s->lock);
    s->c.assigned = assigned;
    s->c.stuck = stuck;
    pthread_mutex_unlock(&s->lock);
}

void worker_stats_set_lags(worker_stats_t *s, const worker_partition_lag_t *lags, size_t n,
                           int joined)
{
    worker_partition_lag_t *copy = n ? malloc(n * sizeof(*copy)) : NULL;
    if (copy)
        memcpy(copy, lags, n * sizeof(*copy));
    pthread_mutex_lock(&s->lock);
    free(s->lags);
    s->lags = copy;
    s->n_lags = copy ? n : 0;
    s->c.joined = joined;
    pthread_mutex_unlock(&s->lock);
}

void worker_stats_set_refused(worker_stats_t *s, const char *why)
{
    pthread_mutex_lock(&s->lock);
    snprintf(s->refused, sizeof(s->refused), "%s", why ? why : "");
    pthread_mutex_unlock(&s->lock);
}

void worker_stats_set_held(worker_stats_t *s, const char *why)
{
    pthread_mutex_lock(&s->lock);
    snprintf(s->held, sizeof(s->held), "%s", why ? why : "");
    pthread_mutex_unlock(&s->lock);
}

int worker_stats_held(worker_stats_t *s, char *why, size_t why_size)
{
    pthread_mutex_lock(&s->lock);
    int standing = s->held[0] != '\0';
    if (standing && why_size)
        snprintf(why, why_size, "%s", s->held);
    pthread_mutex_unlock(&s->lock);
    return standing;
}

int worker_stats_refused(worker_stats_t *s, char *why, size_t why_size)
{
    pthread_mutex_lock(&s->lock);
    int standing = s->refused[0] != '\0';
    if (standing && why_size)
        snprintf(why, why_size, "%s", s->refused);
    pthread_mutex_unlock(&s->lock);
    return standing;
}

void worker_stats_snapshot(worker_stats_t *s, worker_counters_t *out)
{
    pthread_mutex_lock(&s->lock);
    *out = s->c;
    pthread_mutex_unlock(&s->lock);
}

/* A malloc'ed copy of n items of size each (NULL when n is 0 or no memory). */
static void *copy_of(const void *items, size_t n, size_t size)
{
    void *p = n ? malloc(n * size) : NULL;
    if (p)
        memcpy(p, items, n * size);
    return p;
}

void worker_stats_detail(worker_stats_t *s, worker_stats_detail_t *out)
{
    pthread_mutex_lock(&s->lock);
    out->rows = copy_of(s->rows, s->n_rows, sizeof(*s->rows));
    out->n_rows = out->rows ? s->n_rows : 0;
    out->lags = copy_of(s->lags, s->n_lags, sizeof(*s->lags));
    out->n_lags = out->lags ? s->n_lags : 0;
    out->batch_seconds = s->batch_seconds;
    pthread_mutex_unlock(&s->lock);
}

void worker_stats_detail_free(worker_stats_detail_t *d)
{
    free(d->rows);
    free(d->lags);
    memset(d, 0, sizeof(*d));
}
