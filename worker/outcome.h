/*
 * outcome.h - the worker's status vocabulary above PostgreSQL.
 *
 * One vocabulary per layer:
 *   pg_status_t (pg.h)  what a call that runs SQL returns, and nothing
 *                       else: pg, offsets, metadata, ddl, bookkeeping,
 *                       tableschema, the statements of tableapply and
 *                       fencing_claim(). PG_DATA is the only way to say
 *                       "this row's content".
 *   outcome_t (here)    what a step of the worker returns once PostgreSQL,
 *                       Kafka and the dead letters are all in it: a batch
 *                       (apply.h), a re-read of the stored offsets and the
 *                       seeks it leads to (fencing.h, consumer.h). A Kafka
 *                       failure is OUTCOME_RETRY, never PG_TRANSIENT.
 *   0 / -1              plain helpers that can only run out of memory or
 *                       have one way to fail (say so in their header).
 *
 * Header only; no state; any thread.
 */
#ifndef TIDEMARK_WORKER_OUTCOME_H
#define TIDEMARK_WORKER_OUTCOME_H

#include "pg.h"

typedef enum {
    OUTCOME_OK = 0,
    OUTCOME_FENCED, /* rolled back: a stored offset moved under this worker */
    OUTCOME_RETRY,  /* rolled back or not done: retry after a backoff */
    OUTCOME_FATAL   /* stop the worker */
} outcome_t;

/* A PostgreSQL status seen from a worker step: transient -> retry, data
 * or fatal -> fatal (a step that can dead-letter a row handles PG_DATA
 * before it gets here). */
static inline outcome_t outcome_from_pg(pg_status_t st)
{
    return st == PG_OK ? OUTCOME_OK : st == PG_TRANSIENT ? OUTCOME_RETRY : OUTCOME_FATAL;
}

#endif
