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
 * until every key has its newest valid event applied (tablerows.h builds
 * them; the first round of a batch decoded ahead comes built on the decode
 * thread, rowsahead.h).
 *
 * Statements: the rows (copyrow.h) are COPYed into the stream's stage
 * (emptied first when this transaction left rows in it: held_stages_t)
 * and applied from there by one prepared statement (sqlgen.h), at most
 * STMT_MAX_BYTES of COPY text and STMT_MAX_ROWS rows at a time, under a
 * savepoint. When that fails with PG_DATA (the content of a row: pg.h),
 * it is rolled back to its savepoint and its rows are tried by halves,
 * each under its own savepoint, down to the rows that fail alone: those
 * are dead-lettered (marked dead in the decoded_t, queued on the DLQ with
 * "apply: SQLSTATE: message") and the rest are applied. A row with a
 * string PostgreSQL text cannot hold is dead-lettered when it is built
 * (copyrow.h). Any other failure is returned as an outcome_t (outcome.h;
 * the caller rolls back the batch).
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

/*
 * The stages that hold rows in the transaction: a statement leaves its
 * rows in the stage (sqlgen.h), which empties itself only at the end of
 * the transaction, so the next COPY into it in the same transaction runs
 * empty_stage first. One per transaction body, started empty (the body
 * begins with empty stages, and so does one rolled back to its start):
 * room for one stage per stream, since streams may share a stage but
 * never hold more stages than there are streams. Borrows the stage
 * names.
 */
typedef struct held_stages {
    const char **names;
    size_t n, cap;
} held_stages_t;

/* 0, or -1 out of memory. */
int held_stages_init(held_stages_t *hs, size_t n_streams) TM_WARN_UNUSED;
void held_stages_free(held_stages_t *hs);

/* Applies the events of d that belong to ws: OUTCOME_OK, OUTCOME_RETRY
 * (PG_TRANSIENT, or a dead letter not queued), OUTCOME_FATAL. Notes in
 * held which stages now hold rows. *refused is set to 1 on an
 * OUTCOME_RETRY that is ws's table's refusal, not every stream's: a
 * statement of ws failed for a missing privilege (42501) or a lock or an
 * object in use (class 55; a lock timeout's errstr then names the
 * table), or every row was refused as the table's (above, and a NOT NULL
 * column no row can fill); 0 otherwise. */
outcome_t table_apply(pg_t *pg, const batch_t *b, decoded_t *d, const worker_stream_t *ws,
                      held_stages_t *held, dlq_queue_t *dlq, table_counts_t *counts, int *refused,
                      char *errstr, size_t errstr_size) TM_WARN_UNUSED;

/* Creates the stage of every stream of ws (sqlgen.h) on pg's connection,
 * outside any transaction: once per connection (pg_session()), before
 * its first batch. PG_OK, or how it failed (errstr set). */
pg_status_t table_stages_create(pg_t *pg, const worker_streams_t *ws, char *errstr,
                                size_t errstr_size) TM_WARN_UNUSED;

#endif
