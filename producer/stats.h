/*
 * stats.h - the producer's counters, in one place: what a run did (the
 * "run completed"/"run failed" log lines and the run record read a run's
 * own producer_stats_t) and what the process did since it started (the
 * totals, for a /metrics endpoint).
 *
 * A run counts into its own plain struct (run code, main thread, no lock)
 * and hands what changed to the totals with producer_stats_flush() after
 * every page and at its end. The totals are written only through
 * producer_stats_flush() (the main thread, which runs the streams) and read
 * by any thread through producer_stats_snapshot(); a mutex guards them.
 * Counters only grow. Nothing here fails.
 *
 * Not counted here (not reachable from the run): HTTP retries, which the
 * HTTP client does internally.
 */
#ifndef TIDEMARK_PRODUCER_STATS_H
#define TIDEMARK_PRODUCER_STATS_H

#include <stdint.h>

typedef struct producer_stats {
    int64_t runs_completed;
    int64_t runs_failed;
    int64_t pages;           /* pages read, records and deleted endpoints */
    int64_t records_read;    /* records the records endpoint served */
    int64_t skipped;         /* already published unchanged, or dead-lettered this run */
    int64_t upserts;         /* upsert events published */
    int64_t deletes;         /* delete events published (each + a tombstone) */
    int64_t vanished;        /* of deletes: ids reconciliation found gone */
    int64_t stale_deletes;   /* held deletions not published: a newer version exists */
    int64_t dead_lettered;   /* records and deleted items sent to the DLQ */
    int64_t unidentified;    /* records served without a usable id */
    int64_t bytes_published; /* encoded change events produced */
    int64_t checkpoints;     /* run records written (start, progress, end) */
} producer_stats_t;

/* into += delta, field by field. Pure. */
void producer_stats_add(producer_stats_t *into, const producer_stats_t *delta);

/*
 * Adds (*now - *flushed) to the process totals and sets *flushed = *now.
 * Main thread (the runs).
 */
void producer_stats_flush(producer_stats_t *flushed, const producer_stats_t *now);

/* A consistent copy of the process totals. Any thread. */
void producer_stats_snapshot(producer_stats_t *out);

#endif
