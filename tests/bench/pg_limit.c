/*
 * pg_limit.c - tidemark-bench-pg-limit: PostgreSQL's own rate at the work
 * tidemark-worker does per batch, the limit `make bench` sets the worker's
 * apply rate against (scripts/bench/limits.sh).
 *
 *   tidemark-bench-pg-limit -s SOURCE -k KEY [-t TARGET] [-b BATCH]
 *                           [-g GUARD] [-o ORDER]
 *
 * Connects with the libpq environment (PGHOST, PGDATABASE, ...). Reads
 * every row of table SOURCE (the table the worker filled: the same rows,
 * every column) into memory in ORDER (default: KEY), creates TARGET
 * (default SOURCE_pglimit, dropped first) as `LIKE SOURCE INCLUDING ALL`
 * (the same columns, defaults, constraints and indexes) and a temporary
 * staging table, then, per BATCH rows (default 1000), in one transaction:
 *
 *   COPY stage FROM STDIN (text format);
 *   INSERT INTO TARGET AS cur SELECT * FROM stage
 *     ON CONFLICT (KEY) DO UPDATE SET every other column = EXCLUDED's
 *     WHERE GUARD;                            -- a prepared statement
 *   COMMIT                                    -- stage empties itself
 *
 * GUARD is an SQL condition on cur and EXCLUDED (default: every row
 * replaces: true). The time runs from the first BEGIN to the last COMMIT.
 * Then checks that TARGET holds as many rows as SOURCE, drops it, and
 * prints one line on stdout:
 *   RESULT rows=N batches=B secs=S rows_per_s=R
 * Exit: 0 done, 1 failed (PostgreSQL's error on stderr), 2 bad usage. A
 * development fixture: never linked into the programs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "bench_clock.h"

#define SQL_MAX 16384

typedef struct {
    const char *source, *key, *target, *guard, *order;
    long batch;
} options_t;

typedef struct {
    char **rows; /* COPY text lines, each with its newline */
    int *lens;
    size_t n, cap;
} rows_t;

static void usage(FILE *out)
{
    fprintf(out, "usage: tidemark-bench-pg-limit -s SOURCE -k KEY [-t TARGET] [-b BATCH]\n"
                 "                               [-g GUARD] [-o ORDER]\n"
                 "Per BATCH rows of SOURCE: COPY into a temporary table, INSERT .. ON\n"
                 "CONFLICT (KEY) DO UPDATE .. WHERE GUARD into TARGET, COMMIT. Prints\n"
                 "RESULT rows=N batches=B secs=S rows_per_s=R\n");
}

/* Returns 0 to run, 1 after -h, 2 on bad usage. */
static int parse_args(int argc, char **argv, options_t *o)
{
    memset(o, 0, sizeof(*o));
    o->batch = 1000;
    o->guard = "true";
    int c;
    while ((c = getopt(argc, argv, "s:k:t:g:o:b:h")) != -1) {
        const char *v = optarg;
        char *end;
        switch (c) {
        case 'h':
            usage(stdout);
            return 1;
        case 's':
            o->source = v;
            break;
        case 'k':
            o->key = v;
            break;
        case 't':
            o->target = v;
            break;
        case 'g':
            o->guard = v;
            break;
        case 'o':
            o->order = v;
            break;
        case 'b':
            o->batch = strtol(v, &end, 10);
            if (*end || o->batch < 1 || o->batch > 10000000)
                goto bad;
            break;
        default:
            goto bad;
        }
    }
    if (optind == argc && o->source && o->key)
        return 0;
bad:
    usage(stderr);
    return 2;
}

/* Runs sql; 0 when its result has the status wanted, else prints the error. */
static int exec_ok(PGconn *c, const char *sql, ExecStatusType want)
{
    PGresult *r = PQexec(c, sql);
    int ok = PQresultStatus(r) == want;
    if (!ok)
        fprintf(stderr, "pg-limit: %.200s: %s", sql, PQerrorMessage(c));
    PQclear(r);
    return ok ? 0 : -1;
}

/* One text value of a one-row query with $1 = arg, malloc'ed. */
static char *query_text(PGconn *c, const char *sql, const char *arg, const char *arg2)
{
    const char *params[2] = {arg, arg2};
    PGresult *r = PQexecParams(c, sql, arg2 ? 2 : 1, NULL, params, NULL, NULL, 0);
    char *v = NULL;
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 && !PQgetisnull(r, 0, 0))
        v = strdup(PQgetvalue(r, 0, 0));
    else
        fprintf(stderr, "pg-limit: %.120s: %s", sql,
                PQresultStatus(r) == PGRES_TUPLES_OK ? "no such table or columns\n"
                                                     : PQerrorMessage(c));
    PQclear(r);
    return v;
}

static int rows_add(rows_t *rs, char *line, int len)
{
    if (rs->n == rs->cap) {
        size_t cap = rs->cap ? rs->cap * 2 : 4096;
        char **r = realloc(rs->rows, cap * sizeof(*r));
        if (r)
            rs->rows = r;
        int *l = r ? realloc(rs->lens, cap * sizeof(*l)) : NULL;
        if (!l)
            return -1;
        rs->lens = l;
        rs->cap = cap;
    }
    rs->rows[rs->n] = line;
    rs->lens[rs->n++] = len;
    return 0;
}

static void rows_free(rows_t *rs)
{
    for (size_t i = 0; i < rs->n; i++)
        PQfreemem(rs->rows[i]);
    free(rs->rows);
    free(rs->lens);
}

/* Every row of `sql` (a COPY ... TO STDOUT) into rs. */
static int read_rows(PGconn *c, const char *sql, rows_t *rs)
{
    if (exec_ok(c, sql, PGRES_COPY_OUT))
        return -1;
    char *line;
    int len;
    while ((len = PQgetCopyData(c, &line, 0)) > 0) {
        if (rows_add(rs, line, len)) {
            PQfreemem(line);
            fprintf(stderr, "pg-limit: out of memory\n");
            return -1;
        }
    }
    PGresult *r = PQgetResult(c);
    int ok = len == -1 && PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok)
        fprintf(stderr, "pg-limit: reading the rows: %s", PQerrorMessage(c));
    PQclear(r);
    while ((r = PQgetResult(c)))
        PQclear(r);
    return ok ? 0 : -1;
}

/* COPY stage FROM STDIN with rows [from, to). */
static int copy_batch(PGconn *c, const char *copy_sql, const rows_t *rs, size_t from, size_t to)
{
    if (exec_ok(c, copy_sql, PGRES_COPY_IN))
        return -1;
    for (size_t i = from; i < to; i++)
        if (PQputCopyData(c, rs->rows[i], rs->lens[i]) != 1)
            break;
    PQputCopyEnd(c, NULL);
    PGresult *r = PQgetResult(c);
    int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok)
        fprintf(stderr, "pg-limit: COPY into the staging table: %s", PQerrorMessage(c));
    PQclear(r);
    while ((r = PQgetResult(c)))
        PQclear(r);
    return ok ? 0 : -1;
}

/* Every batch, timed; *secs = first BEGIN to last COMMIT. */
static int merge_all(PGconn *c, const char *copy_sql, const rows_t *rs, long batch, double *secs)
{
    double t0 = bench_now_s();
    for (size_t from = 0; from < rs->n; from += (size_t)batch) {
        size_t to = from + (size_t)batch < rs->n ? from + (size_t)batch : rs->n;
        if (exec_ok(c, "BEGIN", PGRES_COMMAND_OK) || copy_batch(c, copy_sql, rs, from, to))
            return -1;
        PGresult *r = PQexecPrepared(c, "merge", 0, NULL, NULL, NULL, 0);
        int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
        if (!ok)
            fprintf(stderr, "pg-limit: the merge: %s", PQerrorMessage(c));
        PQclear(r);
        if (!ok || exec_ok(c, "COMMIT", PGRES_COMMAND_OK))
            return -1;
    }
    *secs = bench_now_s() - t0;
    return 0;
}

/* The tables and the prepared merge; *cols = SOURCE's column list
 * (malloc'ed, also on failure: free it). */
static int prepare(PGconn *c, const options_t *o, const char *target, char **cols)
{
    static const char cols_sql[] =
        "SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) FROM pg_attribute "
        "WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped";
    static const char set_sql[] =
        "SELECT string_agg(format('%I = EXCLUDED.%I', attname, attname), ', ' ORDER BY attnum) "
        "FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped "
        "AND attname <> $2";
    char sql[SQL_MAX];
    char *set = NULL;
    int rc = -1;

    *cols = query_text(c, cols_sql, o->source, NULL);
    if (!*cols || !(set = query_text(c, set_sql, o->source, o->key)))
        goto out;
    snprintf(sql, sizeof(sql),
             "DROP TABLE IF EXISTS %s; CREATE TABLE %s (LIKE %s INCLUDING ALL);"
             " CREATE TEMP TABLE tidemark_bench_stage (LIKE %s INCLUDING DEFAULTS)"
             " ON COMMIT DELETE ROWS",
             target, target, o->source, o->source);
    if (exec_ok(c, sql, PGRES_COMMAND_OK))
        goto out;
    int n = snprintf(sql, sizeof(sql),
                     "INSERT INTO %s AS cur (%s) SELECT %s FROM tidemark_bench_stage"
                     " ON CONFLICT (%s) DO UPDATE SET %s WHERE %s",
                     target, *cols, *cols, o->key, set, o->guard);
    if (n < 0 || (size_t)n >= sizeof(sql)) {
        fprintf(stderr, "pg-limit: the merge statement is too long\n");
        goto out;
    }
    PGresult *r = PQprepare(c, "merge", sql, 0, NULL);
    rc = PQresultStatus(r) == PGRES_COMMAND_OK ? 0 : -1;
    if (rc)
        fprintf(stderr, "pg-limit: preparing %.300s: %s", sql, PQerrorMessage(c));
    PQclear(r);
out:
    free(set);
    return rc;
}

/* 0 when target holds n rows; then drops it. */
static int check_and_drop(PGconn *c, const char *target, size_t n)
{
    char sql[1024], want[32];
    snprintf(sql, sizeof(sql), "SELECT count(*)::text = $1 FROM %s", target);
    snprintf(want, sizeof(want), "%zu", n);
    char *v = query_text(c, sql, want, NULL);
    int ok = v && !strcmp(v, "t");
    if (v && !ok)
        fprintf(stderr, "pg-limit: %s does not hold the %zu rows read\n", target, n);
    free(v);
    snprintf(sql, sizeof(sql), "DROP TABLE %s", target);
    return ok && exec_ok(c, sql, PGRES_COMMAND_OK) == 0 ? 0 : -1;
}

static int run(PGconn *c, const options_t *o)
{
    char target[512], copy_out[SQL_MAX], copy_in[SQL_MAX];
    char *cols = NULL;
    rows_t rs = {0};
    double secs = 0;
    int rc = -1;

    if (o->target)
        snprintf(target, sizeof(target), "%s", o->target);
    else
        snprintf(target, sizeof(target), "%s_pglimit", o->source);
    if (prepare(c, o, target, &cols))
        goto out;
    snprintf(copy_out, sizeof(copy_out), "COPY (SELECT %s FROM %s ORDER BY %s) TO STDOUT", cols,
             o->source, o->order ? o->order : o->key);
    snprintf(copy_in, sizeof(copy_in), "COPY tidemark_bench_stage (%s) FROM STDIN", cols);
    if (read_rows(c, copy_out, &rs) || merge_all(c, copy_in, &rs, o->batch, &secs) ||
        check_and_drop(c, target, rs.n))
        goto out;
    printf("RESULT rows=%zu batches=%zu secs=%.3f rows_per_s=%.0f\n", rs.n,
           (rs.n + (size_t)o->batch - 1) / (size_t)o->batch, secs,
           secs > 0 ? (double)rs.n / secs : 0.0);
    rc = 0;
out:
    free(cols);
    rows_free(&rs);
    return rc;
}

int main(int argc, char **argv)
{
    options_t o;
    int rc = parse_args(argc, argv, &o);
    if (rc)
        return rc == 1 ? 0 : 2;

    PGconn *c = PQconnectdb("");
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "pg-limit: cannot connect: %s", PQerrorMessage(c));
        PQfinish(c);
        return 1;
    }
    rc = run(c, &o) ? 1 : 0;
    PQfinish(c);
    return rc;
}
