/*
 * pgcancel.h - cancels a PostgreSQL statement that outlasts the stop.
 *
 * A statement can wait on a lock another session holds for up to
 * [postgres] lock_timeout (60 s by default; for ever at 0), and libpq's
 * calls block: a SIGTERM meanwhile was served only when the wait ended,
 * later than a supervisor's stop allows (Kubernetes kills after 30 s,
 * without the group leave). A thread of its own watches the run flag
 * (signals.h): once it is cleared, a statement still in flight after the
 * grace period (counted from the later of the stop and the statement's
 * start) is cancelled (PQcancel: 57014 on the main thread, a transient
 * failure: the batch is rolled back and the worker stops without
 * committing it; nothing is lost). A statement that ends within the
 * grace, as a batch's do, is left alone.
 *
 * Owns: the thread and the PGcancel of the watched connection. Threads:
 * pgcancel_start/stop and the connection and statement marks on the
 * thread that owns the connection (pg.c, the main thread); the watch
 * thread only reads them, under the module's lock. Fails: start returns
 * NULL when no thread or memory could be had (the stop then waits for
 * the statement, as before).
 */
#ifndef TIDEMARK_WORKER_PGCANCEL_H
#define TIDEMARK_WORKER_PGCANCEL_H

#include "compiler.h"
#include <stdint.h>
#include <libpq-fe.h>

typedef struct pgcancel pgcancel_t;

/* Starts the watch with grace_ms of grace. */
pgcancel_t *pgcancel_start(int64_t grace_ms) TM_WARN_UNUSED;

/* Stops and joins the thread and frees it all (NULL: nothing). */
void pgcancel_stop(pgcancel_t *pc);

/* The connection statements now go to (NULL: none): its cancel key is
 * taken here. Call after each connect and before each PQfinish. */
void pgcancel_connection(pgcancel_t *pc, PGconn *conn);

/* A statement (or several in one round trip) was sent, or its results
 * were all read. pc may be NULL. */
void pgcancel_busy(pgcancel_t *pc);
void pgcancel_idle(pgcancel_t *pc);

#endif
