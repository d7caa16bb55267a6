/*
 * tableapply.h - applies one stream's events of a batch to its table
 * inside the caller's transaction.
 *
 * Keys: an event's key is its envelope id made canonical for the id
 * field's type (idkey.h); an event whose id is not of that type, or an
 * upsert whose after.<id> names another row, is dead-lettered.
 *
 * Rounds: the newest event per key (dedupe.h) goes in, upserts in one set
 * of statements and deletes in another (sqlgen.h). A key whose newest event
 * was dead-lettered gets its newest valid one in the next round, and so on
 * until every key has its newest valid event applied.
 *
 * Statements: each $1 holds at most STMT_MAX_BYTES of JSON and
 * STMT_MAX_ROWS rows. A statement that fails with PG_DATA (the content of
 * a row: pg.h) is rolled back to its savepoint and its rows are tried by
 * halves, each under its own savepoint, down to the rows that fail alone:
 * those are dead-lettered (marked dead in the decoded_t, queued on the
 * DLQ with "apply: SQLSTATE: message") and the rest are applied. Any other
 * failure is returned as an outcome_t (outcome.h; the caller rolls back
 * the batch).
 *
 * Kafka tombstones of the stream (decode.h) go last, in one more set of
 * statements (sqlgen.h orders them against the stored rows); they count
 * as deletes.
 *
 * Main thread; borrows everything it is given.
 */
#ifndef TIDEMARK_WORKER_TABLEAPPLY_H
#define TIDEMARK_WORKER_TABLEAPPLY_H

#include "compiler.h"
#include <stddef.h>
#include <jansson.h>
#include "batch.h"
#include "dlq_queue.h"
#include "decode.h"
#include "outcome.h"
#include "pg.h"
#include "streams.h"

typedef struct table_counts {
    size_t upserts;
    size_t deletes;
    size_t dead_letters;
} table_counts_t;

/* Applies the events of d that belong to ws: OUTCOME_OK, OUTCOME_RETRY
 * (PG_TRANSIENT, or a dead letter not queued), OUTCOME_FATAL. */
outcome_t table_apply(pg_t *pg, const batch_t *b, decoded_t *d, const worker_stream_t *ws,
                      dlq_queue_t *dlq, table_counts_t *counts, char *errstr,
                      size_t errstr_size) TM_WARN_UNUSED;

/*
 * The row one event contributes to its statement's $1 array (new
 * reference, NULL on allocation failure): for an upsert the row form plus
 * the id (when missing), "_source_ts", "_produced_at", "_kafka_partition" and
 * "_kafka_offset"; for a delete only the id field and those three.
 * Exposed for tests.
 */
json_t *table_event_row(const char *id_field, const change_event_t *ev, int32_t partition,
                        int64_t offset);

/* The row of a Kafka tombstone: the id field (id), "_produced_at" (the
 * message's timestamp; the epoch when it has none, timestamp_ms < 0),
 * "_kafka_partition" and "_kafka_offset". Exposed for tests. */
json_t *table_tombstone_row(const char *id_field, const char *id, int32_t partition, int64_t offset,
                            int64_t timestamp_ms);

#endif
