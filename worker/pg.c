/*
 * pg.c - see pg.h.
 */
#include "errstr.h"
#include "pg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pg {
    char *conninfo;
    PGconn *conn;
};

pg_t *pg_new(const char *conninfo)
{
    pg_t *pg = calloc(1, sizeof(*pg));
    if (!pg)
        return NULL;
    pg->conninfo = strdup(conninfo ? conninfo : "");
    if (!pg->conninfo) {
        free(pg);
        return NULL;
    }
    return pg;
}

void pg_destroy(pg_t *pg)
{
    if (!pg)
        return;
    if (pg->conn)
        PQfinish(pg->conn);
    free(pg->conninfo);
    free(pg);
}

/* Copies the first line of msg (libpq messages end in "\n" and may carry
 * DETAIL lines) into errstr, prefixed with the SQLSTATE when known. */
static void set_err(char *errstr, size_t errstr_size, const char *sqlstate, const char *msg)
{
    if (!msg || !*msg)
        msg = "unknown error";
    if (strncmp(msg, "ERROR:  ", 8) == 0)
        msg += 8;
    int n = (int)strcspn(msg, "\n");
    if (sqlstate)
        errstr_set(errstr, errstr_size, "%s: %.*s", sqlstate, n, msg);
    else
        errstr_set(errstr, errstr_size, "%.*s", n, msg);
}

pg_status_t pg_ensure(pg_t *pg, char *errstr, size_t errstr_size)
{
    if (pg->conn && PQstatus(pg->conn) == CONNECTION_OK)
        return PG_OK;
    if (pg->conn)
        PQfinish(pg->conn);
    pg->conn = PQconnectdb(pg->conninfo);
    if (!pg->conn) {
        errstr_set(errstr, errstr_size, "out of memory connecting");
        return PG_TRANSIENT;
    }
    if (PQstatus(pg->conn) != CONNECTION_OK) {
        set_err(errstr, errstr_size, NULL, PQerrorMessage(pg->conn));
        PQfinish(pg->conn);
        pg->conn = NULL;
        return PG_TRANSIENT;
    }
    return PG_OK;
}

/* SQLSTATEs that no message can cause and that go away by themselves:
 * the batch is rolled back and retried after a backoff. Prefixes. */
static const char *const transient_states[] = {
    "08",    /* connection exception */
    "40",    /* transaction rollback: 40001 serialization, 40P01 deadlock */
    "53",    /* insufficient resources: disk full, out of memory, too many
                connections */
    "58",    /* system error: I/O */
    "57014", /* query canceled: statement_timeout */
    "57P01", /* admin shutdown, pg_terminate_backend */
    "57P02", /* crash shutdown */
    "57P03", /* cannot connect now: starting up, recovery */
    "57P05", /* idle session timeout */
    "55P03", /* lock not available: lock_timeout */
    "55006", /* object in use */
    "25006", /* read-only transaction: a standby after a failover */
    "25P04", /* transaction timeout */
    "42501", /* insufficient privilege: an operator fixes the grant */
    NULL};

/* SQLSTATEs that the content of a message can cause: the batch finds the
 * culprit and dead-letters it. */
static const char *const data_states[] = {
    "21", /* cardinality violation: one id twice in a statement */
    "22", /* data exception: bad value, out of range, encoding */
    "23", /* integrity constraint violation */
    "54", /* program limit exceeded: index row or jsonb too large */
    NULL};

/* States whose connection is not worth keeping: pg_ensure() connects
 * anew (a failover may have moved the primary). */
static const char *const reconnect_states[] = {"08", "57P0", "25006", NULL};

static int state_in(const char *sqlstate, const char *const *prefixes)
{
    size_t i;

    for (i = 0; prefixes[i]; i++)
        if (!strncmp(sqlstate, prefixes[i], strlen(prefixes[i])))
            return 1;
    return 0;
}

pg_status_t pg_classify_sqlstate(const char *sqlstate, int connection_ok)
{
    if (!sqlstate || strlen(sqlstate) != 5)
        return connection_ok ? PG_FATAL : PG_TRANSIENT;
    if (state_in(sqlstate, transient_states))
        return PG_TRANSIENT;
    if (state_in(sqlstate, data_states))
        return PG_DATA;
    return connection_ok ? PG_FATAL : PG_TRANSIENT;
}

pg_status_t pg_exec(pg_t *pg, const char *sql, int nparams, const char *const *params,
                    PGresult **res_out, char *errstr, size_t errstr_size)
{
    PGresult *res;
    ExecStatusType st;
    const char *state;
    char sqlstate[8];
    pg_status_t kind;

    if (res_out)
        *res_out = NULL;
    if (!pg->conn || PQstatus(pg->conn) != CONNECTION_OK) {
        errstr_set(errstr, errstr_size, "not connected to PostgreSQL");
        return PG_TRANSIENT;
    }
    res = PQexecParams(pg->conn, sql, nparams, NULL, params, NULL, NULL, 0);
    st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
        if (res_out)
            *res_out = res;
        else
            PQclear(res);
        return PG_OK;
    }
    state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    snprintf(sqlstate, sizeof(sqlstate), "%s", state ? state : "");
    set_err(errstr, errstr_size, state, res ? PQresultErrorMessage(res) : PQerrorMessage(pg->conn));
    PQclear(res);
    state = *sqlstate ? sqlstate : NULL;
    kind = pg_classify_sqlstate(state, PQstatus(pg->conn) == CONNECTION_OK);
    if (kind == PG_TRANSIENT &&
        (!state || PQstatus(pg->conn) != CONNECTION_OK || state_in(state, reconnect_states))) {
        PQfinish(pg->conn);
        pg->conn = NULL;
    }
    return kind;
}

pg_status_t pg_cmd(pg_t *pg, const char *sql, char *errstr, size_t errstr_size)
{
    return pg_exec(pg, sql, 0, NULL, NULL, errstr, errstr_size);
}

pg_status_t pg_exec_affected(pg_t *pg, const char *sql, int nparams, const char *const *params,
                             long *affected, char *errstr, size_t errstr_size)
{
    PGresult *res;
    pg_status_t st = pg_exec(pg, sql, nparams, params, &res, errstr, errstr_size);

    if (st == PG_OK) {
        *affected = pg_affected(res);
        PQclear(res);
    }
    return st;
}

pg_status_t pg_exec_value(pg_t *pg, const char *sql, int nparams, const char *const *params,
                          char **out, char *errstr, size_t errstr_size)
{
    PGresult *res;
    pg_status_t st = pg_exec(pg, sql, nparams, params, &res, errstr, errstr_size);

    *out = NULL;
    if (st != PG_OK)
        return st;
    if (PQntuples(res) > 0 && PQnfields(res) > 0 && !PQgetisnull(res, 0, 0) &&
        !(*out = strdup(PQgetvalue(res, 0, 0)))) {
        errstr_set(errstr, errstr_size, "out of memory");
        st = PG_FATAL;
    }
    PQclear(res);
    return st;
}

long pg_affected(PGresult *res)
{
    const char *s = res ? PQcmdTuples(res) : "";
    return *s ? strtol(s, NULL, 10) : -1;
}

void pg_rollback_quiet(pg_t *pg)
{
    char err[256];

    if (pg_cmd(pg, "ROLLBACK", err, sizeof(err)) != PG_OK) {
        /* nothing to do: a lost connection has rolled back already */
    }
}
