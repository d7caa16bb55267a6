/*
 * pg.c - see pg.h.
 */
#include "errstr.h"
#include "log.h"
#include "oauth2_token.h"
#include "pg.h"
#include "pgcancel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pg {
    char *conninfo;
    PGconn *conn;
    uint64_t session;        /* counts connections made */
    int64_t lock_timeout_ms; /* set on each connection when > 0 */
    char **prepared;         /* the statement names prepared on conn */
    size_t n_prepared;
    const char *deferred[PG_DEFERRED_MAX]; /* pg_defer(): not sent yet */
    size_t n_deferred;
    char last_sqlstate[8]; /* of the last statement: "" when it passed */
    char last_column[64];  /* the column its error names, or "" */
    pgcancel_t *canceller; /* pg_cancel_on_stop(), NULL: none */
};

static void forget_prepared(pg_t *pg)
{
    for (size_t i = 0; i < pg->n_prepared; i++)
        free(pg->prepared[i]);
    free(pg->prepared);
    pg->prepared = NULL;
    pg->n_prepared = 0;
}

/* Closes the connection (a new one has no prepared statements). */
static void disconnect(pg_t *pg)
{
    pgcancel_connection(pg->canceller, NULL);
    if (pg->conn)
        PQfinish(pg->conn);
    pg->conn = NULL;
    pg->n_deferred = 0;
    forget_prepared(pg);
}

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

void pg_set_lock_timeout(pg_t *pg, int64_t ms)
{
    pg->lock_timeout_ms = ms;
}

int64_t pg_lock_timeout(const pg_t *pg)
{
    return pg->lock_timeout_ms;
}

int pg_cancel_on_stop(pg_t *pg, int64_t grace_ms)
{
    if (!pg->canceller)
        pg->canceller = pgcancel_start(grace_ms);
    pgcancel_connection(pg->canceller, pg->conn);
    return pg->canceller ? 0 : -1;
}

void pg_destroy(pg_t *pg)
{
    if (!pg)
        return;
    disconnect(pg);
    pgcancel_stop(pg->canceller);
    free(pg->conninfo);
    free(pg);
}

/* What kind of mistake libpq's parse error names (its message quotes the
 * text, which may be the password: only the kind is shown). */
static const struct {
    const char *prefix, *kind;
} parse_errors[] = {
    {"invalid percent-encoded token", "a '%' not followed by two hex digits (write '%' as %25)"},
    {"forbidden value %00", "a %00 in a %-encoded value"},
    {"missing \"=\" after", "a word without '=' after it (key = value ...)"},
    {"unterminated quoted string", "a quoted value without its closing quote"},
    {"invalid connection option", "an option name libpq does not know"},
    {"end of string reached when looking for matching \"]\"", "an IPv6 host without its ']'"},
    {"IPv6 host address may not be empty", "an empty IPv6 host ('[]')"},
    {"unexpected character", "an unexpected character after a host in the URI"},
    {"extra key/value separator", "a URI query parameter with two '='"},
    {"missing key/value separator", "a URI query parameter without '='"},
    {"invalid URI query parameter", "a URI query parameter libpq does not know"},
};

int pg_conninfo_check(const char *conninfo, char *errstr, size_t errstr_size)
{
    char *msg = NULL;
    PQconninfoOption *opts = PQconninfoParse(conninfo ? conninfo : "", &msg);
    if (opts) {
        PQconninfoFree(opts);
        return 0;
    }
    const char *kind = msg ? "a mistake libpq names" : "out of memory";
    for (size_t i = 0; msg && i < sizeof(parse_errors) / sizeof(parse_errors[0]); i++)
        if (strncmp(msg, parse_errors[i].prefix, strlen(parse_errors[i].prefix)) == 0)
            kind = parse_errors[i].kind;
    int uri = conninfo &&
              (!strncmp(conninfo, "postgresql://", 13) || !strncmp(conninfo, "postgres://", 11));
    errstr_set(errstr, errstr_size,
               "[postgres] conninfo does not parse (%s): %s; libpq's own message is not shown, "
               "it may quote the password",
               uri ? "a URI" : "key = value", kind);
    PQfreemem(msg);
    return -1;
}

void pg_scrub_conninfo(const char *conninfo, char *msg)
{
    if (!conninfo || !msg)
        return;
    PQconninfoOption *opts = PQconninfoParse(conninfo, NULL);
    for (PQconninfoOption *o = opts; o && o->keyword; o++)
        if (o->val && !strcmp(o->keyword, "password"))
            oauth2_scrub(msg, o->val);
    PQconninfoFree(opts);
    const char *sep = strstr(conninfo, "://");
    const char *at = sep ? strrchr(sep + 3, '@') : NULL;
    char *ui = at ? strndup(sep + 3, (size_t)(at - sep - 3)) : NULL;
    if (!ui)
        return;
    /* the user name alone is no secret (and names the role in libpq's
     * messages); what follows its ':' is */
    char *pw = strchr(ui, ':');
    if (pw || strpbrk(ui, "@/"))
        oauth2_scrub(msg, ui);
    if (pw) {
        oauth2_scrub(msg, ++pw);
        char *save = NULL;
        for (char *tok = strtok_r(pw, ":@/,?[]", &save); tok;
             tok = strtok_r(NULL, ":@/,?[]", &save))
            oauth2_scrub(msg, tok);
    }
    free(ui);
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

/*
 * A notice (a user's trigger that RAISEs NOTICE or WARNING, PostgreSQL's
 * own warnings) as one log line: libpq's default prints it raw on
 * stderr, which breaks log.format = json. Warnings at warn, the rest at
 * debug: an audit trigger may notice every row.
 */
static void log_notice(void *arg, const PGresult *res)
{
    (void)arg;
    const char *sev = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
    const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
    char q[1100];
    log_write(sev && strcmp(sev, "WARNING") == 0 ? LOG_WARN : LOG_DEBUG, "postgresql notice",
              "severity=%s sqlstate=%s message=%s", sev ? sev : "-", state ? state : "-",
              log_quote(q, sizeof(q), msg ? msg : ""));
}

/*
 * The conninfo, with client_encoding = UTF8 after it (an entry after an
 * expanded dbname overrides the string's): the events' text is UTF-8,
 * and a session in a LATIN1 database's own encoding stored its bytes as
 * mojibake ("Müller" as "MÃ¼ller"), without an error. In UTF8 the server
 * converts, and refuses (22P05) what the database cannot hold.
 */
PGconn *pg_connect_utf8(const char *conninfo, const char *const *keys, const char *const *values)
{
    const char *k[7] = {"dbname"}, *v[7] = {conninfo};
    size_t n = 1;
    for (size_t i = 0; keys && keys[i] && n < 5; i++, n++) {
        k[n] = keys[i];
        v[n] = values[i];
    }
    k[n] = "client_encoding";
    v[n] = "UTF8";
    return PQconnectdbParams(k, v, 1);
}

/* The session's settings that the configuration makes: lock_timeout. */
static pg_status_t set_session(pg_t *pg, char *errstr, size_t errstr_size)
{
    char sql[64];
    /* format_type() quotes "text", "jsonb", ... under it: the table's
     * column types are compared by that text (tableschema.c) */
    pg_status_t st = pg_cmd(pg, "SET quote_all_identifiers = off", errstr, errstr_size);
    if (st != PG_OK || pg->lock_timeout_ms <= 0)
        return st;
    snprintf(sql, sizeof(sql), "SET lock_timeout = %lld", (long long)pg->lock_timeout_ms);
    return pg_cmd(pg, sql, errstr, errstr_size);
}

pg_status_t pg_ensure(pg_t *pg, char *errstr, size_t errstr_size)
{
    if (pg->conn && PQstatus(pg->conn) == CONNECTION_OK)
        return PG_OK;
    disconnect(pg);
    pg->last_sqlstate[0] = '\0'; /* a failure here has none */
    pg->conn = pg_connect_utf8(pg->conninfo, NULL, NULL);
    if (!pg->conn) {
        errstr_set(errstr, errstr_size, "out of memory connecting");
        return PG_TRANSIENT;
    }
    if (PQstatus(pg->conn) != CONNECTION_OK) {
        /* scrubbed whole: a cut could leave a password's first bytes */
        char *msg = strdup(PQerrorMessage(pg->conn));
        pg_scrub_conninfo(pg->conninfo, msg);
        set_err(errstr, errstr_size, NULL, msg ? msg : "cannot connect (out of memory)");
        free(msg);
        disconnect(pg);
        return PG_TRANSIENT;
    }
    PQsetNoticeReceiver(pg->conn, log_notice, NULL);
    pgcancel_connection(pg->canceller, pg->conn);
    if (set_session(pg, errstr, errstr_size) != PG_OK) {
        disconnect(pg);
        return PG_TRANSIENT;
    }
    pg->session++;
    return PG_OK;
}

const char *pg_last_sqlstate(const pg_t *pg)
{
    return pg->last_sqlstate;
}

void pg_forget_sqlstate(pg_t *pg)
{
    pg->last_sqlstate[0] = '\0';
    pg->last_column[0] = '\0';
}

const char *pg_last_column(const pg_t *pg)
{
    return pg->last_sqlstate[0] ? pg->last_column : "";
}

uint64_t pg_session(const pg_t *pg)
{
    return pg->conn ? pg->session : 0;
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
    "55",    /* object not in prerequisite state: 55P03 lock_timeout, 55006
                object in use, 55000 a table published without a replica
                identity (a DBA's CREATE PUBLICATION ... FOR ALL TABLES):
                the table's to mend, the batch's to retry */
    "25006", /* read-only transaction: a standby after a failover */
    "25P04", /* transaction timeout */
    "25P03", /* idle-in-transaction timeout: FATAL, the session ends */
    "42501", /* insufficient privilege: an operator fixes the grant */
    NULL};

/* SQLSTATEs that the content of a message can cause: the batch finds the
 * culprit and dead-letters it. */
static const char *const data_states[] = {
    "21", /* cardinality violation: one id twice in a statement */
    "22", /* data exception: bad value, out of range, encoding */
    "23", /* integrity constraint violation */
    "54", /* program limit exceeded: index row or jsonb too large */
    "P0", /* a trigger's or rule's RAISE EXCEPTION (P0001), ASSERT (P0004):
             a business rule refusing a row, say */
    /* the other failures of a trigger or a function it calls, which may
     * come of one row's content alone (a branch for some rows without a
     * RETURN: 2F005; a PL/Python error: 38000) */
    "09", /* triggered action exception */
    "27", /* triggered data change violation */
    "2F", /* SQL routine exception */
    "38", /* external routine exception */
    "39", /* external routine invocation exception */
    NULL};

/* A row-level security policy's WITH CHECK refusing a row: 42501, as a
 * missing grant is, but the row's content (the message in English, the
 * server's default; under another lc_messages it stays a grant). */
static int rls_refused(const char *sqlstate, const char *message)
{
    return !strcmp(sqlstate, "42501") && message &&
           strstr(message, "violates row-level security policy");
}

/* States whose connection is not worth keeping: pg_ensure() connects
 * anew (a failover may have moved the primary). */
static const char *const reconnect_states[] = {"08", "57P0", "25006", "25P03", NULL};

static int state_in(const char *sqlstate, const char *const *prefixes)
{
    size_t i;

    for (i = 0; prefixes[i]; i++)
        if (!strncmp(sqlstate, prefixes[i], strlen(prefixes[i])))
            return 1;
    return 0;
}

int pg_error_shrinks(const char *sqlstate, const char *message)
{
    static const char *const size_states[] = {
        "25P04", /* transaction_timeout */
        "53200", /* out of memory */
        "53400", /* configuration limit exceeded: temp_file_limit */
        NULL};
    if (!sqlstate)
        return 0;
    /* 57014 is also a cancel by an operator (pg_cancel_backend), which
     * says nothing of the batch. Only its English words tell it from the
     * statement timeout: under another lc_messages (a server set up in
     * German says "Zeitüberschreitung") reading "statement timeout" kept
     * a batch too large for the timeout retried as it was, for ever. So
     * any 57014 counts but the cancel that says so; an operator's cancels
     * elsewhere only make batches smaller for a while. */
    if (!strcmp(sqlstate, "57014"))
        return !message || strstr(message, "due to user request") == NULL;
    return state_in(sqlstate, size_states);
}

pg_status_t pg_classify_sqlstate(const char *sqlstate, const char *message, int connection_ok)
{
    if (!sqlstate || strlen(sqlstate) != 5)
        return connection_ok ? PG_FATAL : PG_TRANSIENT;
    if (rls_refused(sqlstate, message))
        return PG_DATA;
    if (state_in(sqlstate, transient_states))
        return PG_TRANSIENT;
    if (state_in(sqlstate, data_states))
        return PG_DATA;
    return connection_ok ? PG_FATAL : PG_TRANSIENT;
}

/* A lock's error (lock_timeout, or a NOWAIT) gets what was waiting (its
 * context names the row and relation) and, when the configuration set
 * the timeout, the key. */
static void say_lock_holder(const pg_t *pg, const PGresult *res, char *errstr, size_t errstr_size)
{
    const char *ctx = PQresultErrorField(res, PG_DIAG_CONTEXT);
    size_t len = strlen(errstr);
    if (len + 1 >= errstr_size)
        return;
    snprintf(errstr + len, errstr_size - len, "%s%.*s%s: another session holds the lock%s",
             ctx ? " (" : "", ctx ? (int)strcspn(ctx, "\n") : 0, ctx ? ctx : "", ctx ? ")" : "",
             pg->lock_timeout_ms > 0 ? " ([postgres] lock_timeout)" : "");
}

/* Turns res (consumed) into a status: PG_OK hands it to *res_out (when
 * res_out is not NULL); otherwise errstr says why, and a connection not
 * worth keeping is closed. */
static pg_status_t finish(pg_t *pg, PGresult *res, PGresult **res_out, char *errstr,
                          size_t errstr_size)
{
    ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    char sqlstate[8];

    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
        pg->last_sqlstate[0] = '\0';
        if (res_out)
            *res_out = res;
        else
            PQclear(res);
        return PG_OK;
    }
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *column = res ? PQresultErrorField(res, PG_DIAG_COLUMN_NAME) : NULL;
    snprintf(sqlstate, sizeof(sqlstate), "%s", state ? state : "");
    memcpy(pg->last_sqlstate, sqlstate, sizeof(sqlstate));
    snprintf(pg->last_column, sizeof(pg->last_column), "%s", column ? column : "");
    set_err(errstr, errstr_size, state, res ? PQresultErrorMessage(res) : PQerrorMessage(pg->conn));
    if (!strcmp(sqlstate, "55P03"))
        say_lock_holder(pg, res, errstr, errstr_size);
    PQclear(res);
    state = *sqlstate ? sqlstate : NULL;
    pg_status_t kind = pg_classify_sqlstate(state, errstr, PQstatus(pg->conn) == CONNECTION_OK);
    if (kind == PG_TRANSIENT &&
        (!state || PQstatus(pg->conn) != CONNECTION_OK || state_in(state, reconnect_states)))
        disconnect(pg);
    return kind;
}

static int connected(pg_t *pg, char *errstr, size_t errstr_size)
{
    if (pg->conn && PQstatus(pg->conn) == CONNECTION_OK)
        return 1;
    errstr_set(errstr, errstr_size, "not connected to PostgreSQL");
    pg->last_sqlstate[0] = '\0';
    return 0;
}

/* Sends the deferred commands and then the statement (name: prepared;
 * else sql) as one pipeline. */
static int pipeline_send(pg_t *pg, const char *name, const char *sql, int nparams,
                         const char *const *params)
{
    for (size_t i = 0; i < pg->n_deferred; i++)
        if (!PQsendQueryParams(pg->conn, pg->deferred[i], 0, NULL, NULL, NULL, NULL, 0))
            return -1;
    int ok = name ? PQsendQueryPrepared(pg->conn, name, nparams, params, NULL, NULL, 0)
                  : PQsendQueryParams(pg->conn, sql, nparams, NULL, params, NULL, NULL, 0);
    return ok && PQpipelineSync(pg->conn) == 1 ? 0 : -1;
}

/* A pipeline that cannot be read to its end: a new connection is the way
 * out (libpq would stay in pipeline mode). */
static pg_status_t pipeline_broken(pg_t *pg, pg_status_t st, const char *what, char *errstr,
                                   size_t errstr_size)
{
    if (st == PG_OK)
        errstr_set(errstr, errstr_size, "%s: %s", what, PQerrorMessage(pg->conn));
    disconnect(pg);
    return st == PG_OK ? PG_TRANSIENT : st;
}

/* Reads the results of n statements and the sync: the status of the
 * first that failed (the server skips those after it: "aborted"). */
static pg_status_t pipeline_results(pg_t *pg, size_t n, PGresult **res_out, char *errstr,
                                    size_t errstr_size)
{
    pg_status_t st = PG_OK;

    for (size_t i = 0; i < n; i++) {
        PGresult *res = PQgetResult(pg->conn);

        if (!res)
            return pipeline_broken(pg, st, "reading a pipeline", errstr, errstr_size);
        if (st != PG_OK || PQresultStatus(res) == PGRES_PIPELINE_ABORTED)
            PQclear(res);
        else
            st = finish(pg, res, i + 1 == n ? res_out : NULL, errstr, errstr_size);
        if (!pg->conn)
            return st;                               /* closed by finish() */
        if ((res = PQgetResult(pg->conn)) != NULL) { /* the NULL after each statement */
            PQclear(res);
            return pipeline_broken(pg, st, "reading a pipeline", errstr, errstr_size);
        }
    }
    PGresult *sync = PQgetResult(pg->conn);
    int synced = sync && PQresultStatus(sync) == PGRES_PIPELINE_SYNC;
    PQclear(sync);
    if (!synced || PQexitPipelineMode(pg->conn) != 1)
        return pipeline_broken(pg, st, "ending a pipeline", errstr, errstr_size);
    return st;
}

/* The deferred commands and the statement in one round trip. */
static pg_status_t pipeline(pg_t *pg, const char *name, const char *sql, int nparams,
                            const char *const *params, PGresult **res_out, char *errstr,
                            size_t errstr_size)
{
    size_t n = pg->n_deferred + 1;

    if (PQenterPipelineMode(pg->conn) != 1) {
        errstr_set(errstr, errstr_size, "pipeline mode: %s", PQerrorMessage(pg->conn));
        return PG_FATAL;
    }
    int sent = pipeline_send(pg, name, sql, nparams, params);
    pg->n_deferred = 0;
    if (sent < 0)
        return pipeline_broken(pg, PG_OK, "sending a pipeline", errstr, errstr_size);
    pg_status_t st = pipeline_results(pg, n, res_out, errstr, errstr_size);
    if (st != PG_OK && res_out && *res_out) {
        PQclear(*res_out);
        *res_out = NULL;
    }
    return st;
}

pg_status_t pg_defer(pg_t *pg, const char *sql, char *errstr, size_t errstr_size)
{
    pg_status_t st = PG_OK;

    if (pg->n_deferred == PG_DEFERRED_MAX) /* full: they all go now */
        st = pg_cmd(pg, pg->deferred[--pg->n_deferred], errstr, errstr_size);
    if (st == PG_OK)
        pg->deferred[pg->n_deferred++] = sql;
    return st;
}

pg_status_t pg_exec(pg_t *pg, const char *sql, int nparams, const char *const *params,
                    PGresult **res_out, char *errstr, size_t errstr_size)
{
    if (res_out)
        *res_out = NULL;
    if (!connected(pg, errstr, errstr_size))
        return PG_TRANSIENT;
    pgcancel_busy(pg->canceller);
    pg_status_t st =
        pg->n_deferred > 0
            ? pipeline(pg, NULL, sql, nparams, params, res_out, errstr, errstr_size)
            : finish(pg, PQexecParams(pg->conn, sql, nparams, NULL, params, NULL, NULL, 0), res_out,
                     errstr, errstr_size);
    pgcancel_idle(pg->canceller);
    return st;
}

static int is_prepared(const pg_t *pg, const char *name)
{
    for (size_t i = 0; i < pg->n_prepared; i++)
        if (!strcmp(pg->prepared[i], name))
            return 1;
    return 0;
}

/* Prepares sql as name on this connection unless it was already. */
static pg_status_t prepare(pg_t *pg, const char *name, const char *sql, int nparams, char *errstr,
                           size_t errstr_size)
{
    if (is_prepared(pg, name))
        return PG_OK;
    char *copy = strdup(name);
    if (!copy) {
        errstr_set(errstr, errstr_size, "out of memory");
        return PG_FATAL;
    }
    pg_status_t st =
        finish(pg, PQprepare(pg->conn, name, sql, nparams, NULL), NULL, errstr, errstr_size);
    char **np = st == PG_OK ? realloc(pg->prepared, (pg->n_prepared + 1) * sizeof(*np)) : NULL;
    if (np) {
        pg->prepared = np;
        np[pg->n_prepared++] = copy;
        return PG_OK;
    }
    free(copy);
    if (st == PG_OK) { /* prepared, but not remembered: forget it on the server */
        disconnect(pg);
        errstr_set(errstr, errstr_size, "out of memory");
        st = PG_FATAL;
    }
    return st;
}

pg_status_t pg_exec_prepared(pg_t *pg, const char *name, const char *sql, int nparams,
                             const char *const *params, PGresult **res_out, char *errstr,
                             size_t errstr_size)
{
    if (res_out)
        *res_out = NULL;
    if (!connected(pg, errstr, errstr_size))
        return PG_TRANSIENT;
    pgcancel_busy(pg->canceller);
    pg_status_t st = prepare(pg, name, sql, nparams, errstr, errstr_size);
    if (st == PG_OK)
        st = pg->n_deferred > 0
                 ? pipeline(pg, name, sql, nparams, params, res_out, errstr, errstr_size)
                 : finish(pg, PQexecPrepared(pg->conn, name, nparams, params, NULL, NULL, 0),
                          res_out, errstr, errstr_size);
    pgcancel_idle(pg->canceller);
    return st;
}

/* Sends sql (a COPY) after the deferred commands, as one simple query:
 * the COPY's result, or the first failure's (NULL: out of memory, errstr
 * says so). */
static PGresult *copy_start(pg_t *pg, const char *sql, char *errstr, size_t errstr_size)
{
    if (pg->n_deferred == 0)
        return PQexec(pg->conn, sql);
    size_t len = strlen(sql) + 1;
    for (size_t i = 0; i < pg->n_deferred; i++)
        len += strlen(pg->deferred[i]) + 2;
    char *all = malloc(len);
    if (!all) {
        errstr_set(errstr, errstr_size, "out of memory");
        return NULL;
    }
    size_t at = 0;
    for (size_t i = 0; i < pg->n_deferred; i++)
        at += (size_t)snprintf(all + at, len - at, "%s; ", pg->deferred[i]);
    snprintf(all + at, len - at, "%s", sql);
    pg->n_deferred = 0;
    PGresult *res = PQexec(pg->conn, all);
    free(all);
    return res;
}

#define COPY_PIECE ((size_t)1 << 20)

/* pg_copy_in() on a connection. */
static pg_status_t copy_in(pg_t *pg, const char *sql, const char *data, size_t len, char *errstr,
                           size_t errstr_size)
{
    PGresult *res = copy_start(pg, sql, errstr, errstr_size);
    if (!res || PQresultStatus(res) != PGRES_COPY_IN)
        return finish(pg, res, NULL, errstr, errstr_size);
    PQclear(res);
    /* In pieces of 1 MiB: libpq keeps its output buffer as large as the
     * largest piece handed to it, for the life of the connection. */
    int ok = 1;
    for (size_t at = 0; ok && at < len;) {
        size_t n = len - at < COPY_PIECE ? len - at : COPY_PIECE;
        ok = PQputCopyData(pg->conn, data + at, (int)n) == 1;
        at += n;
    }
    if (PQputCopyEnd(pg->conn, ok ? NULL : "tidemark: sending the rows failed") != 1) {
        /* libpq may stay in COPY state: PQgetResult would answer
         * PGRES_COPY_IN for ever. A new connection is the way out. */
        errstr_set(errstr, errstr_size, "ending COPY: %s", PQerrorMessage(pg->conn));
        disconnect(pg);
        return PG_TRANSIENT;
    }
    pg_status_t st = PG_OK;
    /* the COPY's own result, then NULL */
    while ((res = PQgetResult(pg->conn)) != NULL) {
        if (PQresultStatus(res) == PGRES_COPY_IN) { /* still in COPY: see above */
            PQclear(res);
            errstr_set(errstr, errstr_size, "COPY did not end: %s", PQerrorMessage(pg->conn));
            disconnect(pg);
            return PG_TRANSIENT;
        }
        pg_status_t one = finish(pg, res, NULL, errstr, errstr_size);
        if (st == PG_OK)
            st = one;
        if (!pg->conn)
            break;
    }
    if (st == PG_OK && !ok) {
        errstr_set(errstr, errstr_size, "sending COPY data: %s",
                   pg->conn ? PQerrorMessage(pg->conn) : "connection closed");
        disconnect(pg);
        st = PG_TRANSIENT;
    }
    return st;
}

pg_status_t pg_copy_in(pg_t *pg, const char *sql, const char *data, size_t len, char *errstr,
                       size_t errstr_size)
{
    if (!connected(pg, errstr, errstr_size))
        return PG_TRANSIENT;
    pgcancel_busy(pg->canceller);
    pg_status_t st = copy_in(pg, sql, data, len, errstr, errstr_size);
    pgcancel_idle(pg->canceller);
    return st;
}

pg_status_t pg_cmd(pg_t *pg, const char *sql, char *errstr, size_t errstr_size)
{
    return pg_exec(pg, sql, 0, NULL, NULL, errstr, errstr_size);
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

void pg_rollback_quiet(pg_t *pg)
{
    char err[256];
    /* a BEGIN not sent yet, or a transaction a failed COMMIT ended:
     * there is none to roll back (and PostgreSQL would warn that there is
     * none) */
    int begun = !(pg->n_deferred > 0 && !strcmp(pg->deferred[0], "BEGIN")) &&
                !(pg->conn && PQtransactionStatus(pg->conn) == PQTRANS_IDLE);

    char failed[sizeof(pg->last_sqlstate)]; /* what made us roll back */
    memcpy(failed, pg->last_sqlstate, sizeof(failed));
    pg->n_deferred = 0; /* rolled back as well */
    if (begun && pg_cmd(pg, "ROLLBACK", err, sizeof(err)) != PG_OK) {
        /* nothing to do: a lost connection has rolled back already */
    }
    memcpy(pg->last_sqlstate, failed, sizeof(failed));
}
