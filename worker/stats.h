/*
 * stats.h - the worker's counters, in one place: the batch loop (runner.c)
 * updates them, the log lines read them, and /metrics will read them next.
 *
 * worker_counters_t is a plain struct of totals since start (and two
 * gauges). worker_stats_t wraps it with a mutex: the main thread is the
 * only writer (every worker_stats_* function that changes it is called
 * from the batch loop); any thread may take a consistent copy with
 * worker_stats_snapshot(). Nothing here fails.
 */
#ifndef TIDEMARK_WORKER_STATS_H
#define TIDEMARK_WORKER_STATS_H

#include <pthread.h>
#include <stdint.h>

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
} worker_counters_t;

typedef struct worker_stats {
    pthread_mutex_t lock;
    worker_counters_t c;
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
void worker_stats_batch(worker_stats_t *s, const batch_counts_t *b);
void worker_stats_retry(worker_stats_t *s);
void worker_stats_fenced(worker_stats_t *s);
void worker_stats_partitions(worker_stats_t *s, int64_t assigned, int64_t stuck);

/* Any thread: a consistent copy. */
void worker_stats_snapshot(worker_stats_t *s, worker_counters_t *out);

#endif
