/*
 * stats.h - the worker's counters, in one place: the batch loop (runner.c)
 * updates them, the log lines and /metrics (stats_metrics.h) read them.
 *
 * worker_counters_t is a plain struct of totals since start (and two
 * gauges). worker_stats_t wraps it with a mutex, together with the rows
 * applied per stream, the batch duration histogram and the consumer lag
 * per assigned partition (stats_lag.h fills it) and the topic Kafka
 * refuses and the stream held back, if any (for /readyz): the main thread is the
 * only writer (every worker_stats_* function that changes it is called
 * from the batch loop); any thread may take a consistent copy with
 * worker_stats_snapshot(), worker_stats_detail() and
 * worker_stats_refused() and worker_stats_held(), the lock held only
 * to copy. Nothing here fails but for want of memory, where a copy or a
 * partition's lag is then missing.
 */
#ifndef TIDEMARK_WORKER_STATS_H
#define TIDEMARK_WORKER_STATS_H

#include <pthread.h>
#include <stdint.h>
#include <time.h>

#include "metrics_text.h"
#include "streams.h"
#include "tableapply.h"

typedef struct worker_counters {
    int64_t batches;      /* batches committed */
    int64_t messages;     /* Kafka messages in them */
    int64_t events;       /* change events decoded in them */
    int64_t upserts;      /* rows offered to upsert statements */
    int64_t deletes;      /* rows offered to delete statements */
    int64_t run_records;  /* <prefix>.sync-runs records applied */
    int64_t dead_letters; /* messages sent to the dead-letter topic */
    int64_t retries;      /* batches rolled back by a transient failure */
    int64_t fenced;       /* batches rolled back by the fence */
    int64_t kafka_commits;
    /* gauges */
    int64_t assigned; /* partitions assigned */
    int64_t stuck;    /* partitions stuck out of range */
    int64_t lag_ms;   /* now - Kafka timestamp of the newest message of the
                         last batch, when it was committed; -1: unknown */
    int64_t joined;   /* the consumer is a member of its group (its
                         assignment, maybe empty, is the group's word) */
} worker_counters_t;

/* Rows applied to one stream's table since start. */
typedef struct worker_stream_rows {
    const char *name; /* borrowed from the streams (worker_stats_streams) */
    int64_t upserts, deletes;
} worker_stream_rows_t;

/* One assigned partition: the next offset a committed batch left, and
 * its lag (high watermark - that offset; -1 unknown). */
typedef struct worker_partition_lag {
    char topic[256];
    int32_t partition;
    int64_t next;
    int64_t lag;
} worker_partition_lag_t;

typedef struct worker_stats {
    pthread_mutex_t lock;
    worker_counters_t c;
    worker_stream_rows_t *rows;
    size_t n_rows;
    metrics_histogram_t batch_seconds;
    struct timespec batch_started;
    worker_partition_lag_t *lags;
    size_t n_lags;
    /* Kafka refuses a subscribed topic by ACL (refusals.h): the line
     * /readyz answers; "" when none stands */
    char refused[512];
    /* a stream held back because its table refuses writes
     * (streamhold.h): the line /readyz answers; "" when none is */
    char held[512];
} worker_stats_t;

/* A committed batch, as the batch loop saw it. */
typedef struct batch_counts {
    int64_t messages, events, upserts, deletes, run_records, dead_letters;
    int64_t newest_ts_ms; /* Kafka timestamp of the newest message; -1 */
    int64_t now_ms;       /* wall clock at the commit */
} batch_counts_t;

void worker_stats_init(worker_stats_t *s);
void worker_stats_destroy(worker_stats_t *s);

/* Writers: the main thread only. */
/* A batch starts being applied: its duration runs from here to its
 * worker_stats_batch(), retries included. */
void worker_stats_batch_start(worker_stats_t *s);
void worker_stats_batch(worker_stats_t *s, const batch_counts_t *b);
/* The rows of a committed batch per stream: per_stream[i] belongs to
 * streams->items[i] (NULL: none counted). */
void worker_stats_streams(worker_stats_t *s, const worker_streams_t *streams,
                          const table_counts_t *per_stream);
void worker_stats_retry(worker_stats_t *s);
void worker_stats_fenced(worker_stats_t *s);
void worker_stats_partitions(worker_stats_t *s, int64_t assigned, int64_t stuck);
/* The lag table becomes lags[n] (copied; stats_lag.c computes it). */
void worker_stats_set_lags(worker_stats_t *s, const worker_partition_lag_t *lags, size_t n,
                           int joined);

/* why ("" or NULL: none) becomes the standing refusal (copied, cut to
 * fit). */
void worker_stats_set_refused(worker_stats_t *s, const char *why);
/* why ("" or NULL: none) becomes the standing hold (copied, cut to fit). */
void worker_stats_set_held(worker_stats_t *s, const char *why);

/* Any thread: a consistent copy. */
void worker_stats_snapshot(worker_stats_t *s, worker_counters_t *out);
/* Any thread: the standing refusal copied into why: 1, or 0 with none. */
int worker_stats_refused(worker_stats_t *s, char *why, size_t why_size);
/* Any thread: the standing hold copied into why: 1, or 0 with none. */
int worker_stats_held(worker_stats_t *s, char *why, size_t why_size);

/* Any thread: copies of the rows per stream, the lag table (each caller
 * frees; NULL with n 0 when out of memory) and the batch histogram. */
typedef struct worker_stats_detail {
    worker_stream_rows_t *rows;
    size_t n_rows;
    worker_partition_lag_t *lags;
    size_t n_lags;
    metrics_histogram_t batch_seconds;
} worker_stats_detail_t;
void worker_stats_detail(worker_stats_t *s, worker_stats_detail_t *out);
void worker_stats_detail_free(worker_stats_detail_t *d);

#endif
