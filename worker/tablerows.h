/*
 * tablerows.h - the rows of one stream's events of a batch, as
 * tableapply.h applies them, built without touching PostgreSQL or the
 * dead-letter queue: each event's key (idkey.h), then round after round
 * the newest live event per key not tried yet (dedupe.h), as COPY lines
 * (copyrow.h) in an upsert set and a delete set. An event refused while
 * its rows are built (a key not of the id field's type, an after.<id>
 * naming another row, a string PostgreSQL text cannot hold) goes to
 * rejects, for the caller to dead-letter before the round is applied.
 *
 * Owns: a table_rows_t owns its keys, sets and rejects (free with
 * table_rows_clear()); it borrows the decoded_t, batch and stream.
 * Any thread, one table_rows_t per thread; it reads the stream's schema
 * and statements, which nothing changes while a worker runs. Fails only
 * when memory runs out (-1).
 */
#ifndef TIDEMARK_WORKER_TABLEROWS_H
#define TIDEMARK_WORKER_TABLEROWS_H

#include "compiler.h"
#include <stddef.h>
#include "batch.h"
#include "decode.h"
#include "streams.h"
#include "strbuf.h"

/* One set of rows to stage and apply: their COPY lines one after
 * another, and their events. */
typedef struct row_set {
    const char *copy;       /* the COPY that stages them */
    const char *name, *sql; /* the prepared statement that applies them */
    strbuf_t text;          /* the lines */
    size_t *end;            /* end[i]: where line i ends in text */
    size_t *ev;             /* index into d->events (n_events + t: tombstone t) */
    size_t n;
} row_set_t;

/* Room for cap rows; copy, name and sql say how they are applied. */
int row_set_init(row_set_t *rs, size_t cap, const char *copy, const char *name,
                 const char *sql) TM_WARN_UNUSED;
/* The line just appended to rs->text is event ev's. */
void row_set_added(row_set_t *rs, size_t ev);
void row_set_clear(row_set_t *rs);

/* An event to dead-letter with why (owned). */
typedef struct row_reject {
    size_t ev;
    char *why;
} row_reject_t;

typedef struct table_rows {
    const worker_stream_t *ws; /* borrowed */
    size_t n_events;           /* of the decoded_t */
    char **keys;               /* keys[i]: event i's key, NULL unless live and of ws */
    unsigned char *tried;      /* tried[i]: event i was in a round */
    row_set_t ups, dels;       /* the round built last */
    size_t n_tried;            /* events that round took (in a set or rejected) */
    row_reject_t *rejects;     /* to dead-letter before the round is applied */
    size_t n_rejects;
} table_rows_t;

/* The keys of ws's live events of d (refused ones into rejects), and the
 * first round. 0 or -1 (out of memory; clear tr either way). */
int table_rows_build(table_rows_t *tr, const batch_t *b, const decoded_t *d,
                     const worker_stream_t *ws) TM_WARN_UNUSED;

/* The next round: the newest live event of every key whose newest live
 * event was not tried yet (a round after one where no event died takes
 * none: n_tried 0). Empties the sets and the rejects first. 0 or -1. */
int table_rows_round(table_rows_t *tr, const batch_t *b, const decoded_t *d) TM_WARN_UNUSED;

void table_rows_clear(table_rows_t *tr);

#endif
