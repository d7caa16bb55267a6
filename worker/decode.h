/*
 * decode.h - turns a batch's messages into what apply.c works on: change
 * events of the configured streams and run records of <prefix>.sync-runs.
 * A message that cannot be decoded is dead-lettered here (it still counts
 * as consumed); when it is a change event of a stream topic whose
 * tidemark.run header names a run of that stream (batch.h,
 * run_id_is_of_stream()), it is listed in lost, so that the run counts it
 * as dead-lettered and can complete (apply.c: not past the run's end). A checkpoint chunk of
 * <prefix>.sync-runs (runrecord.h: the producer's own state, no run of its own), a tombstone of any
 * other topic than a stream's, or a message of an unknown topic yields nothing. A tombstone (null
 * value) of a stream topic is a delete of the row its key names (sqlgen.h says how it is ordered):
 * it belongs to no run, so it goes to tombs, not events; one without a key, or whose key is not
 * UTF-8 text, is dead-lettered. An event written with another version of its stream's schema is
 * decoded once the writer schema is found (streams.h: the worker asks <prefix>.schemas when it
 * meets an unknown fingerprint, the Schema Registry when it meets an unknown id of the Confluent
 * wire format); a field whose name PostgreSQL cuts to 63 bytes is renamed to its column's name.
 *
 * Owns: decoded_t owns its events, run records and the rows built ahead
 * of it (free with decoded_clear()); the stream pointers and message
 * indexes refer to the caller's streams and batch. One thread at a time (envelope schemas are
 * not thread-safe): the main thread, or decodeahead's while the main
 * thread waits for it or only applies.
 */
#ifndef TIDEMARK_WORKER_DECODE_H
#define TIDEMARK_WORKER_DECODE_H

#include "compiler.h"
#include <stddef.h>
#include "batch.h"
#include "dlq_queue.h"
#include "envelope.h"
#include "json_arena.h"
#include "runrecord.h"
#include "streams.h"

typedef struct decoded_event {
    size_t msg;                /* index into the batch */
    const worker_stream_t *ws; /* borrowed */
    change_event_t *ev;
    int dead; /* dead-lettered when applied */
} decoded_event_t;

typedef struct decoded_run {
    size_t msg;
    run_record_t *rr;
    int not_configured; /* of a stream this configuration lacks */
} decoded_run_t;

/* A Kafka tombstone of a stream topic. */
typedef struct decoded_tomb {
    size_t msg;                /* index into the batch */
    const worker_stream_t *ws; /* borrowed */
    char *id;                  /* the key as text */
    int dead;
} decoded_tomb_t;

/* A change event dead-lettered at decode, of the run its header names. */
typedef struct decoded_lost {
    size_t msg;                /* index into the batch */
    const worker_stream_t *ws; /* borrowed */
    char *run_id;              /* the run its header names (owned) */
} decoded_lost_t;

/* A dead letter of decode_batch_deferred(), not queued yet. */
typedef struct decoded_reject {
    size_t msg; /* index into the batch */
    char *reason;
} decoded_reject_t;

typedef struct decoded {
    decoded_event_t *events;
    size_t n_events;
    decoded_tomb_t *tombs;
    size_t n_tombs;
    decoded_run_t *runs;
    size_t n_runs;
    decoded_lost_t *lost; /* room for every message, as events */
    size_t n_lost;
    decoded_reject_t *rejects; /* decode_batch_deferred()'s dead letters */
    size_t n_rejects;
    size_t dead_letters;
    struct rows_ahead *ahead; /* rows built ahead (rowsahead.h), or NULL */
    json_arena_t *arena;      /* the events' rows (ev->after), released whole */
} decoded_t;

/*
 * Decodes every message of b. Returns 0; -1 with errstr set when a dead
 * letter could not be queued, a writer-schema source could not be asked,
 * or memory ran out (transient: retry the batch); DECODE_REFUSED with
 * errstr when the Schema Registry refused the worker (streams.h: stop).
 * out is filled either way; free with decoded_clear().
 */
#define DECODE_REFUSED WORKER_LEARN_REFUSED

int decode_batch(const batch_t *b, const worker_streams_t *ws, const char *sync_runs_topic,
                 dlq_queue_t *dlq, decoded_t *out, char *errstr, size_t errstr_size) TM_WARN_UNUSED;

/*
 * decode_batch(), with the dead letters held in out->rejects instead of
 * queued: it touches no dead-letter queue, so that it may run on a thread
 * of its own while the main thread applies the batch before (runner.c,
 * decodeahead.h), as long as no other thread decodes meanwhile (the
 * envelope schemas and the writer-schema source are not thread-safe).
 * decoded_queue_rejects() queues them when the batch is applied.
 */
int decode_batch_deferred(const batch_t *b, const worker_streams_t *ws, const char *sync_runs_topic,
                          decoded_t *out, char *errstr, size_t errstr_size) TM_WARN_UNUSED;

/* Queues d's rejects (from decode_batch_deferred()) into dlq. Returns 0 or
 * -1 with errstr set. */
int decoded_queue_rejects(const batch_t *b, const decoded_t *d, dlq_queue_t *dlq, char *errstr,
                          size_t errstr_size) TM_WARN_UNUSED;

void decoded_clear(decoded_t *d);

/* Dead-letters message m of b with reason error ("stage: why"). */
int decode_dead_letter(dlq_queue_t *dlq, const batch_msg_t *m, const char *error, char *errstr,
                       size_t errstr_size) TM_WARN_UNUSED;

#endif
