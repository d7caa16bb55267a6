/*
 * tableschema.c - see tableschema.h.
 */
#include "errstr.h"
#include "tableschema.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "strbuf.h"

/* "numeric(12,2)" -> 12, 2; 0 when type is not that form. */
static int numeric_typmod(const char *type, int *precision, int *scale)
{
    char rest;

    return sscanf(type, "numeric(%d,%d%c", precision, scale, &rest) == 3 && rest == ')' &&
           type[strlen(type) - 1] == ')';
}

int tableschema_widens(const char *from, const char *to)
{
    static const struct {
        const char *from, *to;
    } ok[] = {
        {"integer", "bigint"},           {"integer", "real"},
        {"integer", "double precision"}, {"bigint", "real"},
        {"bigint", "double precision"},  {"real", "double precision"},
    };
    int p1, s1, p2, s2;

    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
        if (!strcmp(from, ok[i].from) && !strcmp(to, ok[i].to))
            return 1;
    /* a larger precision at the same scale holds every value it held */
    return numeric_typmod(from, &p1, &s1) && numeric_typmod(to, &p2, &s2) && s1 == s2 && p2 > p1;
}

static const table_col_t *find_col(const table_col_t *cols, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(cols[i].name, name))
            return &cols[i];
    return NULL;
}

static int long_name_error(const stream_sql_t *ss, const sql_column_t *c, int exists, char *errstr,
                           size_t errstr_size)
{
    errstr_set(errstr, errstr_size,
               "field '%s' of table %s: its name is %zu bytes long and "
               "PostgreSQL keeps only the first %d of a column name, so its "
               "values would be stored nowhere; %s: rename the field to at "
               "most %d bytes",
               c->field, ss->table, strlen(c->field), STRBUF_IDENT_MAX,
               exists ? "the table has no column named its first 63 bytes"
                      : "the table does not exist yet",
               STRBUF_IDENT_MAX);
    return -1;
}

int tableschema_plan(const stream_sql_t *ss, int exists, const table_col_t *cols, size_t n_cols,
                     ts_action_t *actions, size_t *n_actions, char *errstr, size_t errstr_size)
{
    size_t n = 0;

    *n_actions = 0;
    for (size_t i = 0; i < ss->n_columns; i++) {
        const sql_column_t *c = &ss->columns[i];
        int cut = strcmp(c->field, c->column) != 0;
        const table_col_t *have = exists ? find_col(cols, n_cols, c->column) : NULL;

        if (!have) {
            if (cut)
                return long_name_error(ss, c, exists, errstr, errstr_size);
            if (!exists)
                continue; /* CREATE TABLE makes it */
            if (c->is_id) {
                errstr_set(errstr, errstr_size,
                           "table %s has no column \"%s\" for the id field: "
                           "it was not made for this stream (point `table` "
                           "elsewhere, or drop it)",
                           ss->table, c->column);
                return -1;
            }
            actions[n++] = (ts_action_t){TS_ADD_COLUMN, c, NULL};
        } else if (!strcmp(have->type, c->type)) {
            continue;
        } else if (tableschema_widens(have->type, c->type)) {
            actions[n++] = (ts_action_t){TS_ALTER_TYPE, c, have->type};
        } else {
            errstr_set(errstr, errstr_size,
                       "field '%s' changed type incompatibly: table %s has "
                       "column \"%s\" of type %s, the schema now says %s "
                       "(column type %s); only the widenings Avro resolves "
                       "(int -> long, float or double; long -> float or "
                       "double; float -> double; a larger decimal precision "
                       "at the same scale) are applied to a table",
                       c->field, ss->table, c->column, have->type, c->avro, c->type);
            return -1;
        }
    }
    *n_actions = n;
    return 0;
}

int tableschema_check_bookkeeping(const stream_sql_t *ss, const table_col_t *cols, size_t n_cols,
                                  char *errstr, size_t errstr_size)
{
    static const char *const needed[] = {
        "_source_ts",    "_deleted",   "_deleted_at", "_kafka_partition",
        "_kafka_offset", "_synced_at", NULL};
    char missing[256] = "";
    for (size_t i = 0; needed[i]; i++) {
        if (find_col(cols, n_cols, needed[i]))
            continue;
        size_t l = strlen(missing);
        snprintf(missing + l, sizeof(missing) - l, "%s%s", l ? ", " : "", needed[i]);
    }
    if (!missing[0])
        return 0;
    errstr_set(errstr, errstr_size,
               "table %s has no column %s, which the worker keeps in every table it writes: it "
               "was not made by tidemark-worker. Let the worker create it (point `table` "
               "elsewhere, or drop it), or add them as the README's PostgreSQL section lists",
               ss->table, missing);
    return -1;
}

/* Why an index on the id column is no arbiter; NULL: it is one. */
static const char *not_arbiter(const table_index_t *x)
{
    if (x->n_keys != 1)
        return "on more columns than it";
    if (x->expression)
        return "on an expression";
    if (x->partial)
        return "partial (WHERE ...)";
    if (x->deferrable)
        return "deferrable";
    if (!x->valid)
        return "not valid (a failed CREATE INDEX CONCURRENTLY?)";
    return NULL;
}

int tableschema_check_arbiter(const stream_sql_t *ss, const char *table, const table_index_t *idx,
                              size_t n_idx, char *errstr, size_t errstr_size)
{
    const sql_column_t *id = NULL;
    const char *why = NULL;
    char near[160] = "";

    for (size_t i = 0; !id && i < ss->n_columns; i++)
        if (ss->columns[i].is_id)
            id = &ss->columns[i];
    if (!id)
        return 0; /* stream_sql_build() refused that already */
    for (size_t i = 0; i < n_idx; i++) {
        if (strcmp(idx[i].column, id->column))
            continue;
        const char *w = not_arbiter(&idx[i]);
        if (!w)
            return 0;
        if (!why)
            why = w;
    }
    /* the index that was meant to be it, if any: what to change */
    if (why)
        snprintf(near, sizeof(near), " (its unique index on \"%s\" is %s)", id->column, why);
    errstr_set(errstr, errstr_size,
               "table %s has no primary key or unique index on exactly (\"%s\"), the id.field of "
               "stream %s%s, which the stream's upserts need (ON CONFLICT: every batch would "
               "fail); give the table one, or give the stream a table of its own",
               table, id->column, ss->stream ? ss->stream : "?", near);
    return -1;
}

/* ---- the statements ---------------------------------------------------- */

static pg_status_t fail(pg_status_t st, const char *what, const char *table, const char *err,
                        char *errstr, size_t errstr_size)
{
    errstr_set(errstr, errstr_size, "%s %s: %s", what, table, err);
    return st;
}

/*
 * *exists: whether the table exists. An unqualified name is looked up
 * where CREATE TABLE puts it, in current_schema() (the first schema of
 * search_path that exists), as sync_offsets and sync_metadata are: under
 * search_path = replay,public a table found in public through the path
 * made a second group write into the first group's table while its
 * offsets went to replay. Once created, the name resolves to it first.
 */
pg_status_t tableschema_exists(pg_t *pg, const char *table, int *exists, char *errstr,
                               size_t errstr_size)
{
    const char *params[1] = {table};
    PGresult *res = NULL;
    char err[512];
    /* sqlgen_append_table() writes a qualified name "schema"."name" */
    const char *sql =
        strstr(table, "\".\"")
            ? "SELECT to_regclass($1) IS NOT NULL"
            : "SELECT to_regclass(quote_ident(current_schema()) || '.' || $1) IS NOT NULL";
    pg_status_t st = pg_exec(pg, sql, 1, params, &res, err, sizeof(err));

    if (st != PG_OK)
        return fail(st, "looking for table", table, err, errstr, errstr_size);
    *exists = PQntuples(res) == 1 && !strcmp(PQgetvalue(res, 0, 0), "t");
    PQclear(res);
    return PG_OK;
}

/* The table's columns: name, type. */
static const char SQL_COLUMNS[] = "SELECT a.attname, format_type(a.atttypid, a.atttypmod)"
                                  " FROM pg_attribute a WHERE a.attrelid = to_regclass($1)"
                                  " AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum";

/* The table's unique indexes, as table_index_t wants them. */
static const char SQL_UNIQUE_INDEXES[] =
    "SELECT coalesce(a.attname, ''), i.indnkeyatts, NOT i.indimmediate,"
    " i.indpred IS NOT NULL, i.indexprs IS NOT NULL, i.indisvalid"
    " FROM pg_index i LEFT JOIN pg_attribute a"
    " ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]"
    " WHERE i.indrelid = to_regclass($1) AND i.indisunique";

/* Whether the table is one whose own indexes the arbiter comes from: an
 * ordinary or partitioned table (a view's comes from the table under it). */
static const char SQL_HAS_OWN_INDEXES[] =
    "SELECT relkind IN ('r', 'p') FROM pg_class WHERE oid = to_regclass($1)";

/* A catalog query about table ($1: its quoted name) into *res; what says
 * what it reads, for the error. */
static pg_status_t read_catalog(pg_t *pg, const char *sql, const char *what, const char *table,
                                PGresult **res, char *errstr, size_t errstr_size)
{
    const char *params[1] = {table};
    char err[512];
    pg_status_t st = pg_exec(pg, sql, 1, params, res, err, sizeof(err));

    if (st != PG_OK)
        return fail(st, what, table, err, errstr, errstr_size);
    return PG_OK;
}

static int is_true(const PGresult *res, int row, int col)
{
    return !strcmp(PQgetvalue(res, row, col), "t");
}

pg_status_t tableschema_has_rows(pg_t *pg, const char *table, int *rows, char *errstr,
                                 size_t errstr_size)
{
    char err[256], *value = NULL;
    strbuf_t sb;

    strbuf_init(&sb);
    strbuf_appendf(&sb, "SELECT EXISTS (SELECT 1 FROM %s)", table);
    char *sql = strbuf_take(&sb);
    if (!sql) {
        errstr_set(errstr, errstr_size, "out of memory");
        return PG_FATAL;
    }
    pg_status_t st = pg_exec_value(pg, sql, 0, NULL, &value, err, sizeof(err));
    if (st != PG_OK)
        errstr_set(errstr, errstr_size, "reading %s: %s", table, err);
    *rows = st != PG_OK || !value || strcmp(value, "f") != 0;
    free(sql);
    free(value);
    return st;
}

static pg_status_t run_action(pg_t *pg, const char *table, const ts_action_t *a, char *errstr,
                              size_t errstr_size)
{
    strbuf_t sb;
    char err[512], *sql;
    pg_status_t st;

    strbuf_init(&sb);
    strbuf_appendf(&sb, "ALTER TABLE %s ", table);
    if (a->kind == TS_ADD_COLUMN) {
        strbuf_append(&sb, "ADD COLUMN IF NOT EXISTS ");
        strbuf_append_ident(&sb, a->col->column);
        strbuf_appendf(&sb, " %s", a->col->type);
    } else {
        strbuf_append(&sb, "ALTER COLUMN ");
        strbuf_append_ident(&sb, a->col->column);
        strbuf_appendf(&sb, " TYPE %s", a->col->type);
    }
    if (!(sql = strbuf_take(&sb))) {
        errstr_set(errstr, errstr_size, "out of memory");
        return PG_FATAL;
    }
    st = pg_cmd(pg, sql, err, sizeof(err));
    free(sql);
    if (st != PG_OK)
        return fail(st,
                    a->kind == TS_ADD_COLUMN ? "adding a column to" : "changing a column type of",
                    table, err, errstr, errstr_size);
    /* A column added to rows the worker wrote from older events (an older
     * schema, or a column a DBA renamed) stays NULL there: the version
     * guard does not apply an event twice. A failed look aborted the
     * transaction: it fails the DDL too. */
    int rows = 0;
    if (a->kind == TS_ADD_COLUMN &&
        (st = tableschema_has_rows(pg, table, &rows, errstr, errstr_size)) != PG_OK)
        return st;
    char qt[300], qc[300], qty[300], qfrom[300];
    log_quote(qt, sizeof(qt), table);
    log_quote(qc, sizeof(qc), a->col->column);
    log_quote(qty, sizeof(qty), a->col->type);
    if (a->kind == TS_ADD_COLUMN && rows)
        log_warn("column added for a field the table lacks; the rows already there hold NULL in "
                 "it until their records are published again: events already applied are not "
                 "applied again, even replayed, but `tidemark-producer run --once --full` "
                 "publishes every record anew",
                 "table=%s column=%s type=%s", qt, qc, qty);
    else if (a->kind == TS_ADD_COLUMN)
        log_info("column added for a field the table lacks", "table=%s column=%s type=%s", qt, qc,
                 qty);
    else
        log_info("column type widened", "table=%s column=%s from=%s to=%s", qt, qc,
                 log_quote(qfrom, sizeof(qfrom), a->from_type), qty);
    return PG_OK;
}

/* The id column of the tombstone table follows the table's. */
static pg_status_t widen_tombstones(pg_t *pg, const stream_sql_t *ss, const ts_action_t *a,
                                    char *errstr, size_t errstr_size)
{
    ts_action_t t = *a;

    if (!ss->tombstones || !a->col->is_id || a->kind != TS_ALTER_TYPE)
        return PG_OK;
    return run_action(pg, ss->tombstones, &t, errstr, errstr_size);
}

/* Logs the columns that no field names any more (kept, see .h). */
static void note_kept(const stream_sql_t *ss, const table_col_t *cols, size_t n)
{
    static const char *const own[] = {
        "_source_ts",    "_deleted",     "_deleted_at", "_kafka_partition",
        "_kafka_offset", "_produced_at", "_synced_at",  NULL};

    for (size_t i = 0; i < n; i++) {
        int named = 0;
        for (size_t j = 0; !named && own[j]; j++)
            named = !strcmp(cols[i].name, own[j]);
        for (size_t j = 0; !named && j < ss->n_columns; j++)
            named = !strcmp(cols[i].name, ss->columns[j].column);
        if (!named) {
            char qt[300], qc[300];
            log_info("column kept for a field the schema no longer has", "table=%s column=%s",
                     log_quote(qt, sizeof(qt), ss->table), log_quote(qc, sizeof(qc), cols[i].name));
        }
    }
}

/* Row i of SQL_UNIQUE_INDEXES (its strings borrowed from res). */
static table_index_t index_of(const PGresult *res, int i)
{
    return (table_index_t){PQgetvalue(res, i, 0), atoi(PQgetvalue(res, i, 1)), is_true(res, i, 2),
                           is_true(res, i, 3),    is_true(res, i, 4),          is_true(res, i, 5)};
}

static pg_status_t evolve(pg_t *pg, const stream_sql_t *ss, PGresult *res, PGresult *indexes,
                          int own_indexes, int *schema_error, char *errstr, size_t errstr_size)
{
    size_t n_cols = (size_t)PQntuples(res), n_act = 0, n_idx = (size_t)PQntuples(indexes);
    table_col_t *cols = calloc(n_cols + 1, sizeof(*cols));
    ts_action_t *acts = calloc(ss->n_columns + 1, sizeof(*acts));
    table_index_t *idx = calloc(n_idx + 1, sizeof(*idx));
    pg_status_t st = PG_OK;

    if (!cols || !acts || !idx) {
        errstr_set(errstr, errstr_size, "out of memory");
        st = PG_FATAL;
        goto out;
    }
    for (size_t i = 0; i < n_cols; i++) {
        cols[i].name = PQgetvalue(res, (int)i, 0);
        cols[i].type = PQgetvalue(res, (int)i, 1);
    }
    for (int i = 0; i < (int)n_idx; i++)
        idx[i] = index_of(indexes, i);
    if (tableschema_check_bookkeeping(ss, cols, n_cols, errstr, errstr_size) < 0 ||
        tableschema_plan(ss, 1, cols, n_cols, acts, &n_act, errstr, errstr_size) < 0 ||
        (own_indexes &&
         tableschema_check_arbiter(ss, ss->table, idx, n_idx, errstr, errstr_size) < 0)) {
        *schema_error = 1;
        st = PG_FATAL;
        goto out;
    }
    note_kept(ss, cols, n_cols);
    for (size_t i = 0; st == PG_OK && i < n_act; i++) {
        st = run_action(pg, ss->table, &acts[i], errstr, errstr_size);
        if (st == PG_OK)
            st = widen_tombstones(pg, ss, &acts[i], errstr, errstr_size);
    }
out:
    free(cols);
    free(acts);
    free(idx);
    return st;
}

/* table's unique indexes into *indexes, and *own: whether the arbiter
 * comes from them (SQL_HAS_OWN_INDEXES). */
static pg_status_t read_unique_indexes(pg_t *pg, const char *table, PGresult **indexes, int *own,
                                       char *errstr, size_t errstr_size)
{
    PGresult *kind = NULL;
    pg_status_t st = read_catalog(pg, SQL_HAS_OWN_INDEXES, "reading the kind of", table, &kind,
                                  errstr, errstr_size);

    *own = st == PG_OK && PQntuples(kind) == 1 && is_true(kind, 0, 0);
    PQclear(kind);
    if (st == PG_OK)
        st = read_catalog(pg, SQL_UNIQUE_INDEXES, "reading the indexes of", table, indexes, errstr,
                          errstr_size);
    return st;
}

/* <table>__tombstones (delete.mode = hard) takes upserts with the same
 * ON CONFLICT as the table: one a user made without a key made the first
 * deletion of every start fail with 42P10. */
static pg_status_t check_tombstones_key(pg_t *pg, const stream_sql_t *ss, int *schema_error,
                                        char *errstr, size_t errstr_size)
{
    PGresult *indexes = NULL;
    int own = 0;
    pg_status_t st = read_unique_indexes(pg, ss->tombstones, &indexes, &own, errstr, errstr_size);
    size_t n_idx = st == PG_OK ? (size_t)PQntuples(indexes) : 0;
    table_index_t *idx = calloc(n_idx + 1, sizeof(*idx));

    if (st == PG_OK && !idx) {
        errstr_set(errstr, errstr_size, "out of memory");
        st = PG_FATAL;
    }
    for (size_t i = 0; st == PG_OK && i < n_idx; i++)
        idx[i] = index_of(indexes, (int)i);
    if (st == PG_OK && own &&
        tableschema_check_arbiter(ss, ss->tombstones, idx, n_idx, errstr, errstr_size) < 0) {
        *schema_error = 1;
        st = PG_FATAL;
    }
    free(idx);
    PQclear(indexes);
    return st;
}

/*
 * What a DBA may have made of a table that ON CONFLICT cannot write, or
 * writes around, read in one row: its child tables by inheritance (a
 * plain table's: a partitioned one's partitions are its own), its
 * generated columns, its INSERT or UPDATE rules, its enabled BEFORE row
 * triggers, and whether row-level security applies to this role.
 */
static const char SQL_SHAPE[] =
    "SELECT (SELECT string_agg(i.inhrelid::regclass::text, ', ') FROM pg_inherits i"
    "         WHERE i.inhparent = c.oid AND c.relkind = 'r'),"
    "       (SELECT string_agg(a.attname, E'\\n') FROM pg_attribute a"
    "         WHERE a.attrelid = c.oid AND a.attgenerated <> '' AND NOT a.attisdropped),"
    "       (SELECT string_agg(r.rulename, ', ') FROM pg_rewrite r"
    "         WHERE r.ev_class = c.oid AND r.ev_type IN ('2', '3')),"
    "       (SELECT string_agg(t.tgname, ', ') FROM pg_trigger t"
    "         WHERE t.tgrelid = c.oid AND NOT t.tgisinternal AND t.tgenabled <> 'D'"
    "           AND (t.tgtype & 3) = 3),"
    "       c.relrowsecurity AND NOT (SELECT r.rolsuper OR r.rolbypassrls FROM pg_roles r"
    "         WHERE r.rolname = current_user)"
    "         AND (c.relforcerowsecurity OR NOT pg_has_role(c.relowner, 'USAGE'))"
    "  FROM pg_class c WHERE c.oid = to_regclass($1)";

/* The first line of list (column names, one a line) that the stream's
 * statements write, a field's or a bookkeeping column, into out; 0 when
 * there is none. */
static int written_in(const stream_sql_t *ss, const char *list, char *out, size_t out_size)
{
    for (const char *p = list; *p;) {
        size_t n = strcspn(p, "\n");
        if (n < out_size) {
            memcpy(out, p, n);
            out[n] = '\0';
            if (stream_sql_writes(ss, out))
                return 1;
        }
        p += n + (p[n] == '\n');
    }
    return 0;
}

/*
 * Refuses (schema error) what every batch would fail on, or would write
 * around without a word: child tables by inheritance (ON CONFLICT sees the
 * parent's index alone, and an id moved to a child was written again in
 * the parent: two rows of one record), a generated column the stream
 * writes, INSERT or UPDATE rules (INSERT ... ON CONFLICT refuses them).
 * Warns of what the worker cannot see: a BEFORE row trigger that returns
 * NULL skips the row, counted as applied; under delete.mode = hard, a
 * DELETE skips the rows a row-level security policy hides.
 */
static pg_status_t check_shape(pg_t *pg, const stream_sql_t *ss, int *schema_error, char *errstr,
                               size_t errstr_size)
{
    PGresult *res = NULL;
    char q[600], qt[300];
    pg_status_t st = read_catalog(pg, SQL_SHAPE, "reading what is made of", ss->table, &res, errstr,
                                  errstr_size);
    if (st != PG_OK || PQntuples(res) != 1) {
        PQclear(res);
        return st;
    }
    const char *children = PQgetvalue(res, 0, 0), *generated = PQgetvalue(res, 0, 1),
               *rules = PQgetvalue(res, 0, 2), *triggers = PQgetvalue(res, 0, 3);
    char gen_buf[STRBUF_IDENT_MAX + 1];
    const char *gen_col = written_in(ss, generated, gen_buf, sizeof(gen_buf)) ? gen_buf : NULL;
    int is_field = gen_col && !stream_sql_bookkeeping(gen_col);
    if (*children)
        errstr_set(errstr, errstr_size,
                   "table %s has child tables by inheritance (%s): ON CONFLICT sees the "
                   "parent's unique index alone, and a record in a child would be written "
                   "again in the parent, two rows of one id. Give the stream a table without "
                   "children",
                   ss->table, children);
    else if (gen_col)
        errstr_set(errstr, errstr_size,
                   "table %s: column \"%s\" is generated, and the stream writes it (%s): "
                   "every batch would fail. Drop the expression (ALTER TABLE ... ALTER COLUMN "
                   "... DROP EXPRESSION)%s",
                   ss->table, gen_col,
                   is_field ? "a field of the schema" : "a column the worker keeps in every table",
                   is_field ? " or the field" : "");
    else if (*rules)
        errstr_set(errstr, errstr_size,
                   "table %s has INSERT or UPDATE rules (%s), which INSERT ... ON CONFLICT "
                   "refuses: every batch would fail. Use triggers instead",
                   ss->table, rules);
    if (*children || gen_col || *rules) {
        *schema_error = 1;
        PQclear(res);
        return PG_FATAL;
    }
    if (*triggers)
        log_warn("the stream's table has BEFORE row triggers: one that returns NULL skips the "
                 "row, which the worker counts as applied and never retries",
                 "table=%s triggers=%s", log_quote(qt, sizeof(qt), ss->table),
                 log_quote(q, sizeof(q), triggers));
    if (ss->tombstones && is_true(res, 0, 4))
        log_warn("row-level security applies to the worker on the stream's table: under "
                 "delete.mode = hard a DELETE skips the rows a policy hides from it, without "
                 "an error, and those deletions are lost",
                 "table=%s", log_quote(qt, sizeof(qt), ss->table));
    PQclear(res);
    return PG_OK;
}

pg_status_t tableschema_ensure(pg_t *pg, const stream_sql_t *ss, int *schema_error, char *errstr,
                               size_t errstr_size)
{
    int exists = 0;
    size_t n_act;
    char err[512];
    PGresult *res = NULL, *indexes = NULL;
    pg_status_t st;

    *schema_error = 0;
    st = tableschema_exists(pg, ss->table, &exists, errstr, errstr_size);
    if (st != PG_OK)
        return st;
    if (!exists) {
        ts_action_t *acts = calloc(ss->n_columns + 1, sizeof(*acts));
        int rc;

        if (!acts) {
            errstr_set(errstr, errstr_size, "out of memory");
            return PG_FATAL;
        }
        rc = tableschema_plan(ss, 0, NULL, 0, acts, &n_act, errstr, errstr_size);
        free(acts);
        if (rc < 0) {
            *schema_error = 1;
            return PG_FATAL;
        }
        st = pg_cmd(pg, ss->create_table, err, sizeof(err));
        if (st != PG_OK)
            return fail(st, "creating", ss->table, err, errstr, errstr_size);
        return ss->tombstones ? check_tombstones_key(pg, ss, schema_error, errstr, errstr_size)
                              : PG_OK;
    }
    int own = 0;
    st = read_catalog(pg, SQL_COLUMNS, "reading the columns of", ss->table, &res, errstr,
                      errstr_size);
    if (st == PG_OK)
        st = read_unique_indexes(pg, ss->table, &indexes, &own, errstr, errstr_size);
    if (st == PG_OK)
        st = evolve(pg, ss, res, indexes, own, schema_error, errstr, errstr_size);
    if (st == PG_OK)
        st = check_shape(pg, ss, schema_error, errstr, errstr_size);
    PQclear(res);
    PQclear(indexes);
    if (st == PG_OK && ss->tombstones)
        st = check_tombstones_key(pg, ss, schema_error, errstr, errstr_size);
    return st;
}
