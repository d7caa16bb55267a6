/*
 * pg.h - the libpq boundary: one connection, statements with text
 * parameters, libpq's error idiom (PQresultStatus + PQerrorMessage +
 * SQLSTATE) turned into ours, transactions and savepoints.
 *
 * Every failure is sorted into one of three kinds:
 *   PG_TRANSIENT  no message could have caused it and it goes away by
 *                 itself or by an operator's hand: the connection was lost
 *                 (class 08, 57P01-57P03), the server asks to retry (40001,
 *                 40P01), a timeout (57014 statement, 55P03 lock), a
 *                 read-only standby after a failover (25006), resources
 *                 (class 53: disk full, memory; 58: I/O), a missing
 *                 privilege (42501). Roll back, pg_ensure() and retry the
 *                 whole transaction after a backoff; never skip. After
 *                 classes 08, 57P0x and 25006 the connection is closed
 *                 here, so that pg_ensure() opens a new one;
 *   PG_DATA       the content of a message can have caused it (classes 21
 *                 cardinality, 22 data, 23 constraint, 54 program limit,
 *                 e.g. an index row or a jsonb value too large): find the
 *                 culprit record by record and dead-letter it;
 *   PG_FATAL      anything else (a table of the wrong shape, a bug): stop.
 *
 * pg_status_t is the vocabulary of calls that run SQL, and only of them
 * (outcome.h: a worker step that also involves Kafka or the dead letters
 * returns an outcome_t).
 *
 * Owns: pg_t owns its PGconn, the names of the statements prepared on
 * it, and its conninfo copy (a secret: never logged). Results handed out
 * through res_out belong to the caller, who PQclear()s them. Not
 * thread-safe: one pg_t per thread (the worker uses it only on its main
 * thread, rebalance callbacks included); pg_cancel_on_stop()'s watch
 * runs on a thread of its own.
 */
#ifndef TIDEMARK_WORKER_PG_H
#define TIDEMARK_WORKER_PG_H

#include "compiler.h"
#include <stddef.h>
#include <stdint.h>
#include <libpq-fe.h>

typedef enum { PG_OK = 0, PG_TRANSIENT = -1, PG_DATA = -2, PG_FATAL = -3 } pg_status_t;

typedef struct pg pg_t;

/* A handle that is not connected yet. NULL on allocation failure. */
pg_t *pg_new(const char *conninfo);

/*
 * Each connection made from now on sets lock_timeout to ms (0: leaves the
 * session's, from the server, the role or conninfo's options). A lock
 * another session holds (a user's open transaction on a row, a migration's
 * table lock) then fails the statement with 55P03 after ms, and the batch
 * is retried with a warning naming the relation, where it would wait for
 * ever, silently.
 */
void pg_set_lock_timeout(pg_t *pg, int64_t ms);

/* What pg_set_lock_timeout() set (0: the session's own). */
int64_t pg_lock_timeout(const pg_t *pg);

/*
 * Once SIGTERM/SIGINT/SIGHUP cleared the run flag, a statement of pg
 * still running grace_ms later is cancelled (pgcancel.h): a lock wait no
 * longer holds the stop for up to lock_timeout. Its call fails as a
 * transient 57014. Returns 0, or -1 when the watch could not start (the
 * stop then waits for the statement).
 */
int pg_cancel_on_stop(pg_t *pg, int64_t grace_ms) TM_WARN_UNUSED;

/*
 * A new connection (blocking; any thread, the result its own): conninfo,
 * then the extra keys and values (NULL-terminated, at most 4; NULL: none),
 * then client_encoding = UTF8, which the conninfo cannot override: the
 * events' text is UTF-8. Check PQstatus(); NULL when out of memory.
 */
PGconn *pg_connect_utf8(const char *conninfo, const char *const *keys, const char *const *values);
void pg_destroy(pg_t *pg);

/*
 * Whether libpq parses conninfo (PQconninfoParse): 0, or -1 with errstr
 * saying what kind of mistake it is ("a '%' not followed by two hex
 * digits"), never libpq's own message: it quotes the part it could not
 * read, which may be the password. For the start-up check (exit 2).
 */
int pg_conninfo_check(const char *conninfo, char *errstr, size_t errstr_size) TM_WARN_UNUSED;

/*
 * Clears msg (a libpq message about connecting with conninfo; in place)
 * of the password as oauth2_scrub does: the password= value, and in a URI
 * what lies between "://" and the last '@' (whole, after the user name,
 * and in the pieces libpq may have taken for a host or port: a password
 * with an unencoded '@' or '/' is read as one).
 */
void pg_scrub_conninfo(const char *conninfo, char *msg);

/* Connects (or reconnects when the connection is bad). Returns PG_OK or
 * PG_TRANSIENT with errstr set. A healthy connection is left alone. */
pg_status_t pg_ensure(pg_t *pg, char *errstr, size_t errstr_size) TM_WARN_UNUSED;

/*
 * Runs sql with nparams text parameters (a NULL entry is SQL NULL).
 * On PG_OK, *res_out (if res_out is not NULL) is the result, which the
 * caller PQclear()s; otherwise the result is cleared here. On failure
 * errstr holds "SQLSTATE: message" (first line of the server's message).
 */
pg_status_t pg_exec(pg_t *pg, const char *sql, int nparams, const char *const *params,
                    PGresult **res_out, char *errstr, size_t errstr_size) TM_WARN_UNUSED;

/*
 * pg_exec of a statement by prepared name: the first call on a connection
 * prepares sql as name (a new connection prepares again), later ones
 * only bind and execute it. name must always stand for the same sql.
 */
pg_status_t pg_exec_prepared(pg_t *pg, const char *name, const char *sql, int nparams,
                             const char *const *params, PGresult **res_out, char *errstr,
                             size_t errstr_size) TM_WARN_UNUSED;

/*
 * Runs sql, a COPY ... FROM STDIN, with data (len bytes in COPY's format)
 * as its input. Fails as pg_exec does; a row the server refuses for its
 * content (a bad value: class 22) is PG_DATA.
 */
pg_status_t pg_copy_in(pg_t *pg, const char *sql, const char *data, size_t len, char *errstr,
                       size_t errstr_size) TM_WARN_UNUSED;

/* Which connection pg holds: a number that changes with every new
 * connection, 0 when there is none. Session state (temporary tables)
 * made under one number is gone under another. */
uint64_t pg_session(const pg_t *pg);

/* The most commands pg_defer() holds. */
#define PG_DEFERRED_MAX 8

/*
 * Defers sql, a command without parameters whose result is only checked
 * (BEGIN, SAVEPOINT, RELEASE SAVEPOINT): it is sent with the next
 * statement, ahead of it in one round trip (libpq's pipeline mode; before
 * a COPY, one simple query). That statement's call fails as the first of
 * them that failed (the server skips the rest); pg_rollback_quiet() and a
 * lost connection drop them. sql must outlive that call (a literal).
 * PG_OK, or the failure of sending them when PG_DEFERRED_MAX are waiting.
 */
pg_status_t pg_defer(pg_t *pg, const char *sql, char *errstr, size_t errstr_size) TM_WARN_UNUSED;

/* pg_exec without parameters or result. */
pg_status_t pg_cmd(pg_t *pg, const char *sql, char *errstr, size_t errstr_size) TM_WARN_UNUSED;

/* pg_exec of a query for one value: *out is the first column of the first
 * row as text (the caller frees it), NULL when there is no row or it is
 * SQL NULL. Out of memory: PG_FATAL. */
pg_status_t pg_exec_value(pg_t *pg, const char *sql, int nparams, const char *const *params,
                          char **out, char *errstr, size_t errstr_size) TM_WARN_UNUSED;

/* ROLLBACK, ignoring its failure (the connection may be gone: a lost
 * connection rolls back on the server anyway); the deferred commands are
 * dropped, and with a deferred BEGIN nothing is sent. */
void pg_rollback_quiet(pg_t *pg);

/* The SQLSTATE of the last statement, or of the failure to connect: ""
 * when it passed, or failed without one (pg_rollback_quiet() keeps the
 * one it rolls back for). */
const char *pg_last_sqlstate(const pg_t *pg);

/* Forgets it: what fails next without a statement leaves "". */
void pg_forget_sqlstate(pg_t *pg);

/* The column the last statement's error names (a NOT NULL violation's,
 * say), or "". */
const char *pg_last_column(const pg_t *pg);

/* Whether a transient error (its SQLSTATE and message) may come from the
 * batch's size, so that a smaller batch would pass: a statement timeout
 * (57014 saying so, not an operator's cancel), a transaction timeout, out
 * of memory or temp_file_limit. Not a full disk or too many connections:
 * no batch size helps there. Pure: exposed for tests. */
int pg_error_shrinks(const char *sqlstate, const char *message);

/* Classifies a SQLSTATE ("22P02", ...) and its message (NULL: none). NULL
 * means no state: transient when the connection is bad, else fatal. Pure:
 * exposed for tests. */
pg_status_t pg_classify_sqlstate(const char *sqlstate, const char *message, int connection_ok);

#endif
