/*
 * decodeahead.h - decodes the next batch on a thread of its own while the
 * main thread applies the batch before it, and builds its first round of
 * COPY rows (rowsahead.h), so that decoding (Avro into rows) and
 * PostgreSQL's work overlap instead of taking turns (runner.c).
 * One batch at a time: decodeahead_start() hands it over,
 * decodeahead_finish() waits for the thread and hands the result back.
 * Between the two, the batch and the streams' decoders are the thread's:
 * the caller must not touch the batch, decode anything, or poll the
 * consumer (a rebalance callback would apply); it may use PostgreSQL, the
 * dead-letter queue and the fencing state, and seek the consumer.
 *
 * Owns: the thread, from start to finish. Main thread only. Fails: start
 * returns -1 when no thread could be made (nothing started: decode on
 * the main thread); finish returns decode_batch_deferred()'s outcome.
 */
#ifndef TIDEMARK_WORKER_DECODEAHEAD_H
#define TIDEMARK_WORKER_DECODEAHEAD_H

#include "compiler.h"
#include <pthread.h>
#include <stddef.h>
#include "batch.h"
#include "decode.h"
#include "streams.h"

typedef struct decodeahead {
    pthread_t thread;
    int running;
    const batch_t *batch;
    const worker_streams_t *streams;
    const char *sync_runs_topic;
    decoded_t out;
    int rc;
    char err[512];
} decodeahead_t;

/* Starts decoding b (decode_batch_deferred()). Returns 0, or -1 when no
 * thread could be made. */
int decodeahead_start(decodeahead_t *da, const batch_t *b, const worker_streams_t *ws,
                      const char *sync_runs_topic) TM_WARN_UNUSED;

/* Whether a decode was started and not finished. */
int decodeahead_running(const decodeahead_t *da);

/* Waits for the decode started last; *out gets its result (free it with
 * decoded_clear(), also on failure). Returns 0, or -1 with errstr set. */
int decodeahead_finish(decodeahead_t *da, decoded_t *out, char *errstr,
                       size_t errstr_size) TM_WARN_UNUSED;

#endif
