/*
 * apply.h - one batch, one PostgreSQL transaction:
 *
 *   decode   each stream message with envelope_decode (undecodable ->
 *            dead letter; a tombstone holds nothing to apply) and each
 *            <prefix>.sync-runs message with run_record_from_json;
 *   BEGIN
 *   fence    compare-and-set each partition's sync_offsets from its
 *            expected offset to the batch's last offset + 1 (first, so
 *            that a fenced batch does no work and holds the row lock);
 *   SAVEPOINT tm_body
 *   upsert   per stream table, the newest valid event per key, in
 *   delete   statements split by bytes and rows; the rows that PostgreSQL
 *            refuses for their content are found by halves under
 *            savepoints and dead-lettered (tableapply.h);
 *   runs     run records -> sync_metadata, each under a savepoint (one
 *            refused for its content is dead-lettered); events counted
 *            once per run (runcount.h), each run under a savepoint: a run
 *            whose row is refused (its run_id) dead-letters its events,
 *            and the body is rolled back to tm_body and done again
 *            without them; completed runs marked (metadata.h);
 *   flush    the dead letters, produced and acknowledged by Kafka;
 *   COMMIT
 *
 * A per-message failure never fails the batch. Any other one rolls it back
 * (outcome.h): OUTCOME_FENCED (the fence missed), OUTCOME_RETRY (pg.h
 * PG_TRANSIENT: no message could have caused it, or a dead letter not
 * acknowledged; retried) or OUTCOME_FATAL; the dead letters queued are
 * discarded then. An OUTCOME_RETRY that one stream's table caused (a
 * statement of that stream refused: apply_result_t.refused) says which
 * stream, so that the runner can hold it and apply the rest.
 *
 * The caller then commits the same offsets to Kafka and moves each
 * partition's expected offset (fencing_committed() of
 * apply_result_t.parts).
 *
 * Owns: nothing between calls. apply_result_t owns its parts array (free
 * with apply_result_clear()); its topic pointers borrow from the batch.
 * Main thread.
 */
#ifndef TIDEMARK_WORKER_APPLY_H
#define TIDEMARK_WORKER_APPLY_H

#include "compiler.h"
#include <stddef.h>
#include <stdint.h>
#include "batch.h"
#include "config.h"
#include "consumer.h"
#include "decode.h"
#include "dlq_queue.h"
#include "fencing.h"
#include "outcome.h"
#include "pg.h"
#include "streams.h"
#include "tableapply.h"

typedef struct apply_ctx {
    const tm_config_t *conf;
    pg_t *pg;
    consumer_t *consumer; /* its stuck partitions hold runs back */
    fencing_t *fencing;
    dlq_queue_t *dlq;
    const worker_streams_t *streams;
    /* worker_streams_tables_json() of streams: the rows of another table
     * do not complete a run (metadata_complete_runs()) */
    const char *tables_json;
    char sync_runs_topic[256];
    uint64_t staged_session; /* the pg_session() whose stages exist */
    /* A COMMIT refused by a deferred constraint: the batch's next attempts
     * check every constraint at each statement, where one row's failure
     * is found and dead-lettered (run_tx()); the runner clears it when the
     * batch is done, whatever became of it. */
    int immediate_constraints;
} apply_ctx_t;

typedef struct apply_result {
    part_range_t *parts;
    size_t n_parts;
    size_t events;  /* change events decoded */
    size_t upserts; /* rows offered to the upsert statements */
    size_t deletes; /* rows offered to the delete statements */
    size_t run_records;
    size_t dead_letters;
    /* the rows of each of ctx->streams (by index), for the metrics; NULL
     * when there was no memory for them */
    table_counts_t *per_stream;
    /* OUTCOME_FENCED: the first partition whose stored offset moved */
    const part_range_t *fenced;
    /* OUTCOME_RETRY: 1 when it was the table of one stream that refused
     * (table_apply()'s refused), refused_stream its index in ctx->streams:
     * the other streams may go on without it (streamhold.h); 0 when the
     * failure is every stream's */
    int refused;
    size_t refused_stream;
    /* OUTCOME_RETRY: the COMMIT was sent, so the batch may be in the
     * database all the same (a connection lost before the reply) */
    int commit_sent;
    /* the runs the batch's transaction completes, logged once it commits
     * (metadata_complete_runs()); NULL: none or not asked */
    PGresult *completed_runs;
} apply_result_t;

/* Applies b (non-empty). errstr says why on OUTCOME_RETRY/OUTCOME_FATAL. */
outcome_t apply_batch(apply_ctx_t *ctx, const batch_t *b, apply_result_t *res, char *errstr,
                      size_t errstr_size);

/* Applies b as d says (d from decode_batch_deferred() on b, its rejects
 * not queued yet); d is the caller's to free after, whatever the outcome,
 * and good for nothing else (the apply marks events dead): a retry goes
 * through apply_batch(). */
outcome_t apply_decoded(apply_ctx_t *ctx, const batch_t *b, decoded_t *d, apply_result_t *res,
                        char *errstr, size_t errstr_size);

void apply_result_clear(apply_result_t *res);

/* The partitions of b with their next offsets (expected left at -1):
 * exposed for tests. 0 or -1 on allocation failure. */
int apply_part_ranges(const batch_t *b, part_range_t **out, size_t *n_out) TM_WARN_UNUSED;

#endif
