/*
 * pg.c - see pg.h.
 */
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
static void set_err(char *errstr, size_t size, const char *sqlstate,
                    const char *msg)
{
    size_t n;

    if (!msg || !*msg)
        msg = "unknown error";
    if (strncmp(msg, "ERROR:  ", 8) == 0)
        msg += 8;
    n = strcspn(msg, "\n");
    if (sqlstate)
        snprintf(errstr, size, "%s: %.*s", sqlstate, (int)n, msg);
    else
        snprintf(errstr, size, "%.*s", (int)n, msg);
}

pg_status_t pg_ensure(pg_t *pg, char *errstr, size_t errstr_size)
{
    if (pg->conn && PQstatus(pg->conn) == CONNECTION_OK)
        return PG_OK;
    if (pg->conn)
        PQfinish(pg->conn);
    pg->conn = PQconnectdb(pg->conninfo);
    if (!pg->conn) {
        snprintf(errstr, errstr_size, "out of memory connecting");
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

pg_status_t pg_classify_sqlstate(const char *sqlstate, int connection_ok)
{
    if (!sqlstate || strlen(sqlstate) != 5)
        return connection_ok ? PG_FATAL : PG_TRANSIENT;
    if (!strncmp(sqlstate, "08", 2) || !strncmp(sqlstate, "40", 2) ||
        !strncmp(sqlstate, "53", 2) || !strncmp(sqlstate, "57P0", 4))
        return PG_TRANSIENT;
    if (!strncmp(sqlstate, "22", 2) || !strncmp(sqlstate, "23", 2))
        return PG_DATA;
    return connection_ok ? PG_FATAL : PG_TRANSIENT;
}

pg_status_t pg_exec(pg_t *pg, const char *sql, int nparams,
                    const char *const *params, PGresult **res_out,
                    char *errstr, size_t errstr_size)
{
    PGresult *res;
    ExecStatusType st;
    const char *state;
    pg_status_t kind;

    if (res_out)
        *res_out = NULL;
    if (!pg->conn || PQstatus(pg->conn) != CONNECTION_OK) {
        snprintf(errstr, errstr_size, "not connected to PostgreSQL");
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
    set_err(errstr, errstr_size, state,
            res ? PQresultErrorMessage(res) : PQerrorMessage(pg->conn));
    kind = pg_classify_sqlstate(state, PQstatus(pg->conn) == CONNECTION_OK);
    PQclear(res);
    return kind;
}

pg_status_t pg_cmd(pg_t *pg, const char *sql, char *errstr,
                   size_t errstr_size)
{
    return pg_exec(pg, sql, 0, NULL, NULL, errstr, errstr_size);
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
