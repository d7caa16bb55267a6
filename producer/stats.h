/*
 * stats.h - the producer's counters, in one place: what a run did (the
 * "run completed"/"run failed" log lines and the run record read a run's
 * own producer_stats_t) and what the process did since it started (the
 * totals, per stream and in all, for /metrics: stats_metrics.h).
 *
 * A run counts into its own plain struct (run code, main thread, no lock)
 * and hands what changed to the totals with producer_stats_flush() after
 * every page and at its end; producer_stats_run_end() records how the run
 * ended. HTTP answers are counted by producer_stats_http(), the observer
 * the run sets on its HTTP client (http.h), on whichever thread GETs. The
 * totals are read by any thread through producer_stats_snapshot() and
 * producer_stats_streams(); one mutex guards them, held only to copy.
 * Counters only grow. Every flush is a heartbeat of the main loop
 * (metrics_health.h). Nothing here fails but for want of memory, where a
 * stream's per-stream totals are then not kept (the process totals are).
 *
 * Not counted here (not reachable from the run): HTTP retries, which the
 * HTTP client does internally (each attempt is an answer, though).
 */
#ifndef TIDEMARK_PRODUCER_STATS_H
#define TIDEMARK_PRODUCER_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "metrics_text.h"
#include "runrecord.h"

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
    int64_t revived;         /* of upserts: ids deleted before, served again (full runs) */
    int64_t dead_lettered;   /* records and deleted items sent to the DLQ */
    int64_t unidentified;    /* records served without a usable id */
    int64_t bytes_published; /* encoded change events produced */
    int64_t checkpoints;     /* run records written (start, progress, end) */
    int64_t page_guesses;    /* next pages asked on a guess (source_guess_counts) */
    int64_t guesses_taken;   /* of them, answers a walk took */
} producer_stats_t;

/* How a stream's last pass failed (producer_stream_totals.last_failed). */
#define LAST_FAILED_NONE       0
#define LAST_FAILED_RUN        1 /* its run failed */
#define LAST_FAILED_CHECKPOINT 2 /* no run: its checkpoint could not be read */
#define LAST_FAILED_LOCK       3 /* no run: its run lock could not be taken */

/* HTTP status codes counted apart per stream; more go under code "other". */
#define PRODUCER_STATS_MAX_CODES 16

/* What the process did for one stream (a copy: producer_stats_streams). */
typedef struct producer_stream_totals {
    const char *name;        /* owned by the totals: valid until exit */
    producer_stats_t counts; /* flushed by its runs */
    int64_t runs[2][2];      /* [full][failed] */
    int last_failed;         /* its last pass failed: a LAST_FAILED_* */
    int64_t last_success_ms; /* end of its last completed run; 0: none */
    int has_hwm;             /* the HWM of its last run record, if any */
    int64_t hwm_ms;
    struct {
        long code; /* 0: no answer (connection, timeout); -1: other */
        int64_t n;
    } http[PRODUCER_STATS_MAX_CODES + 1];
    size_t n_http;
} producer_stream_totals_t;

/* into += delta, field by field. Pure. */
void producer_stats_add(producer_stats_t *into, const producer_stats_t *delta);

/*
 * Adds (*now - *flushed) to the process totals and stream's and sets
 * *flushed = *now. Main thread (the runs).
 */
void producer_stats_flush(const char *stream, producer_stats_t *flushed,
                          const producer_stats_t *now);

/* Makes stream known to the totals (all zero) before its first run, so
 * that /metrics lists it from the start. Main thread. */
void producer_stats_stream(const char *stream);

/* A run of stream ended: full or incremental, completed or failed, with
 * hwm the HWM its last run record holds. Main thread. */
void producer_stats_run_end(const char *stream, int full, int completed, const run_hwm_t *hwm);

/* A pass of stream failed before its run began (how: LAST_FAILED_CHECKPOINT
 * or LAST_FAILED_LOCK). Counts no run; /readyz says so until a run
 * completes. Main thread. */
void producer_stats_not_run(const char *stream, int how);

/* An HTTP answer (status, or 0 when none came) after seconds, for the
 * stream named by ctx (a const char *): http.h's observer. Any thread. */
void producer_stats_http(void *ctx, long status, double seconds);

/* A consistent copy of the process totals. Any thread. */
void producer_stats_snapshot(producer_stats_t *out);

/*
 * A copy of every stream's totals, in the order first seen, and of the
 * HTTP request duration histogram (may be NULL): *out (caller frees), *n.
 * -1 when out of memory. Any thread.
 */
int producer_stats_streams(producer_stream_totals_t **out, size_t *n, metrics_histogram_t *http);

#endif
