/*
 * rowsahead.h - the first round of rows (tablerows.h) of every stream of
 * a batch, built on the decode thread (decodeahead.h) right after the
 * batch is decoded, so that when PostgreSQL finishes the batch before,
 * the main thread has the next one's COPY text ready to send instead of
 * building it between statements. It rides in the decoded_t
 * (decode.h: d->ahead), so it goes wherever the batch goes: dropped with
 * it when the batch before was fenced or failed, never used by a retry
 * (which decodes again on the main thread).
 *
 * table_apply() takes a stream's rows the first time it applies that
 * stream in the batch; a redo of the batch (a poisoned run marks more
 * events dead) and every later round are built on the main thread, from
 * the events as they are then. The rows are built before any dead letter
 * of the batch, from the same events, so the first apply finds them as
 * it would have built them.
 *
 * Owns: the table_rows_t of each stream until taken. Build on the thread
 * that decoded the batch, before handing it over; take and free on the
 * main thread. Fails: build returns NULL when memory runs out (nothing
 * is ahead: the main thread builds the rows).
 */
#ifndef TIDEMARK_WORKER_ROWSAHEAD_H
#define TIDEMARK_WORKER_ROWSAHEAD_H

#include "compiler.h"
#include "batch.h"
#include "decode.h"
#include "streams.h"
#include "tablerows.h"

typedef struct rows_ahead {
    table_rows_t *items; /* one per stream with live events in the batch */
    size_t n;
} rows_ahead_t;

/* The first round of every stream of ws that has live events in d. */
rows_ahead_t *rows_ahead_build(const batch_t *b, const decoded_t *d,
                               const worker_streams_t *ws) TM_WARN_UNUSED;

/* Moves ws's rows out of ra (may be NULL) into *out (the caller clears
 * it): 1, or 0 when there are none (taken already, or none built). */
int rows_ahead_take(rows_ahead_t *ra, const worker_stream_t *ws, table_rows_t *out) TM_WARN_UNUSED;

void rows_ahead_free(rows_ahead_t *ra);

#endif
