/*
 * tableapply.h - applies one stream's events of a batch to its table
 * inside the caller's transaction: the latest event per id (dedupe.h),
 * upserts in one statement and deletes in another (sqlgen.h). When a
 * statement fails with a data error (SQLSTATE class 22/23) it is rolled
 * back to a savepoint and its rows are applied one at a time, each under
 * its own savepoint; a row that still fails is dead-lettered (marked
 * dead in the decoded_t) and the rest go on.
 *
 * Main thread; borrows everything it is given.
 */
#ifndef TIDEMARK_WORKER_TABLEAPPLY_H
#define TIDEMARK_WORKER_TABLEAPPLY_H

#include <stddef.h>
#include <jansson.h>
#include "batch.h"
#include "deadletter.h"
#include "decode.h"
#include "pg.h"
#include "streams.h"

typedef struct table_counts {
    size_t upserts;
    size_t deletes;
    size_t dead_letters;
} table_counts_t;

/* Applies the events of d that belong to ws. */
pg_status_t table_apply(pg_t *pg, const batch_t *b, decoded_t *d,
                        const worker_stream_t *ws, deadletter_t *dlq,
                        table_counts_t *counts, char *errstr,
                        size_t errstr_size)
    __attribute__((warn_unused_result));

/*
 * The row one event contributes to its statement's $1 array (new
 * reference, NULL on allocation failure): for an upsert the row form plus
 * the id (when missing), "_source_ts", "_kafka_partition" and
 * "_kafka_offset"; for a delete only the id field and those three.
 * Exposed for tests.
 */
json_t *table_event_row(const char *id_field, const change_event_t *ev,
                        int32_t partition, int64_t offset);

#endif
