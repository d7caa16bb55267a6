/*
 * ddl.c - see ddl.h.
 */
#include "errstr.h"
#include "ddl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "offsets.h"
#include "tableschema.h"

static const char *const bookkeeping_ddl[] = {
    "CREATE TABLE IF NOT EXISTS sync_offsets ("
    " consumer_group text NOT NULL, topic text NOT NULL,"
    " partition integer NOT NULL, next_offset bigint NOT NULL,"
    " updated_at timestamptz NOT NULL DEFAULT now(),"
    " PRIMARY KEY (consumer_group, topic, partition))",

    "CREATE TABLE IF NOT EXISTS sync_metadata ("
    " id bigserial PRIMARY KEY, record_type text NOT NULL,"
    " run_id text NOT NULL UNIQUE,"
    " is_full_sync boolean NOT NULL DEFAULT false,"
    " last_sync_timestamp timestamptz,"
    " records_synced bigint NOT NULL DEFAULT 0,"
    " records_deleted bigint NOT NULL DEFAULT 0,"
    " sync_status text NOT NULL, started_at timestamptz,"
    " completed_at timestamptz,"
    " created_at timestamptz NOT NULL DEFAULT now(),"
    " topic text, end_offsets jsonb, producer_status text,"
    " producer_records bigint, producer_deletes bigint,"
    " applied_offsets jsonb NOT NULL DEFAULT '{}', updated_at timestamptz)",

    /* events of a run sent to the DLQ: a run completes when synced +
     * deleted + dead-lettered reach what its producer published */
    /* (looked up first: ALTER TABLE would queue for an exclusive lock
     * behind the running workers' batches even when nothing is to do) */
    "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_attribute WHERE"
    " attrelid = 'sync_metadata'::regclass"
    " AND attname = 'records_dead_lettered' AND NOT attisdropped) THEN"
    " ALTER TABLE sync_metadata ADD COLUMN"
    " records_dead_lettered bigint NOT NULL DEFAULT 0; END IF; END $$",

    /* offsets an operator placed (reset-offsets) and no batch has moved
     * since: a table that holds nothing is to start from them, not to
     * replay its topic (replay_into_new) */
    "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_attribute WHERE"
    " attrelid = 'sync_offsets'::regclass"
    " AND attname = 'placed_by_reset' AND NOT attisdropped) THEN"
    " ALTER TABLE sync_offsets ADD COLUMN"
    " placed_by_reset boolean NOT NULL DEFAULT false; END IF; END $$",

    /* the table a row's batches were applied to (offsets.h): NULL, in
     * rows written before it or by reset-offsets, is any */
    "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_attribute WHERE"
    " attrelid = 'sync_offsets'::regclass"
    " AND attname = 'applied_table' AND NOT attisdropped) THEN"
    " ALTER TABLE sync_offsets ADD COLUMN applied_table text; END IF; END $$",

    /* the message just below next_offset, as the batch that stored it
     * read it (offsetmark.h), and its offset: NULL, in rows placed,
     * reset or written before them, is unknown; so is a last_offset
     * other than next_offset - 1 (an older worker moved the offset) */
    "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_attribute WHERE"
    " attrelid = 'sync_offsets'::regclass"
    " AND attname = 'last_offset' AND NOT attisdropped) THEN"
    " ALTER TABLE sync_offsets ADD COLUMN IF NOT EXISTS last_ts bigint,"
    " ADD COLUMN IF NOT EXISTS last_key_sum bigint,"
    " ADD COLUMN IF NOT EXISTS last_offset bigint; END IF; END $$",

    /* every batch looks for runs that may have completed */
    "CREATE INDEX IF NOT EXISTS sync_metadata_running"
    " ON sync_metadata (id) WHERE sync_status = 'running'",

    /* runs of streams a worker lacks (metadata.h): a worker given the
     * stream finds its own among every other deployment's */
    "CREATE INDEX IF NOT EXISTS sync_metadata_not_configured"
    " ON sync_metadata (record_type) WHERE sync_status = 'not_configured'",

    /* each stream's latest completed run (status, /metrics): the table
     * gains a row a run, 86,400 a day at poll.interval = 1s, and read
     * whole it outgrew the metrics probe's 1 s (the metric vanished) */
    "CREATE INDEX IF NOT EXISTS sync_metadata_completed"
    " ON sync_metadata (record_type, completed_at DESC, id DESC)"
    " WHERE sync_status = 'completed' AND completed_at IS NOT NULL",
    NULL};

static pg_status_t run(pg_t *pg, const char *sql, const char *what, char *errstr,
                       size_t errstr_size)
{
    char err[512];
    pg_status_t st = pg_cmd(pg, sql, err, sizeof(err));

    if (st != PG_OK)
        errstr_set(errstr, errstr_size, "creating %s: %s", what, err);
    return st;
}

/* Adds _produced_at to a table made before it existed (sqlgen.h), looked
 * up first for the reason above. */
static pg_status_t add_produced_at(pg_t *pg, const char *table, const char *alter, char *errstr,
                                   size_t errstr_size)
{
    const char *params[1] = {table};
    PGresult *res = NULL;
    char err[512];
    pg_status_t st;
    int has;

    st = pg_exec(pg,
                 "SELECT 1 FROM pg_attribute WHERE attrelid = $1::regclass"
                 " AND attname = '_produced_at' AND NOT attisdropped",
                 1, params, &res, err, sizeof(err));
    if (st != PG_OK) {
        errstr_set(errstr, errstr_size, "creating %s: %s", table, err);
        return st;
    }
    has = PQntuples(res) > 0;
    PQclear(res);
    return has ? PG_OK : run(pg, alter, table, errstr, errstr_size);
}

/* Whether ss's table holds nothing: missing (*exists 0), or without a
 * row. Its tombstones are left out: a TRUNCATE of the table alone leaves
 * them, and a table whose every record was deleted only replays its
 * deletions. */
static pg_status_t table_empty(pg_t *pg, const stream_sql_t *ss, int *empty, int *exists,
                               char *errstr, size_t errstr_size)
{
    int rows = 0;
    pg_status_t st = tableschema_exists(pg, ss->table, exists, errstr, errstr_size);

    if (st == PG_OK && *exists)
        st = tableschema_has_rows(pg, ss->table, &rows, errstr, errstr_size);
    *empty = st == PG_OK && !rows;
    return st;
}

/*
 * A stream table that holds nothing while the group has stored offsets
 * for its topic was dropped or emptied (TRUNCATE), or `table` names
 * another one now (made by the worker or beforehand): going on from those
 * offsets would leave it without every record applied before them,
 * silently. The group forgets the topic instead, in this transaction, and
 * reads it again from its first message as a fresh group would (what is
 * applied again changes nothing: rows are version-guarded). Looked up
 * for every stream before any table is created: two streams may share
 * one.
 */
/* A table of ss's unqualified name later on search_path than the
 * current schema, where an unqualified table is made, while the group has
 * stored offsets for its topic: builds before 2026-12-04 found the table
 * there through the path and wrote it, and this one would make an empty
 * table in the current schema and replay the topic into it, leaving the
 * readers' table behind for good. Refused (schema error: exit 2), naming
 * the table to set. A group that never read the topic (a second copy of a
 * stream under search_path = replay,public) makes its own, as meant. */
/* $1: the quoted name; the schema and name as `table` takes them */
static const char SQL_LATER_ON_PATH[] =
    "SELECT n.nspname || '.' || (SELECT c.relname FROM pg_class c"
    "        WHERE c.oid = to_regclass(quote_ident(n.nspname) || '.' || $1)),"
    "       current_schema() FROM pg_namespace n"
    " WHERE n.nspname = ANY (current_schemas(false)) AND n.nspname <> current_schema()"
    "   AND to_regclass(quote_ident(n.nspname) || '.' || $1) IS NOT NULL"
    "   AND EXISTS (SELECT 1 FROM sync_offsets o WHERE o.consumer_group = $2 AND o.topic = $3)"
    " ORDER BY array_position(current_schemas(false), n.nspname) LIMIT 1";

static pg_status_t refuse_later_on_path(pg_t *pg, const char *group, const stream_sql_t *ss,
                                        int *schema_error, char *errstr, size_t errstr_size)
{
    if (strstr(ss->table, "\".\""))
        return PG_OK; /* qualified: found where it says */
    const char *params[3] = {ss->table, group, ss->topic};
    PGresult *res = NULL;
    char err[512];
    pg_status_t st = pg_exec(pg, SQL_LATER_ON_PATH, 3, params, &res, err, sizeof(err));
    if (st != PG_OK) {
        errstr_set(errstr, errstr_size, "looking for table %s on search_path: %s", ss->table, err);
        return st;
    }
    if (PQntuples(res) == 1) {
        errstr_set(errstr, errstr_size,
                   "table %s is not in the current schema %s, where an unqualified table is "
                   "made, but %s, later on search_path, is, and this group has read topic %s: "
                   "an older build wrote that one. Set table = %s to go on writing it (or drop "
                   "it, and the topic is replayed into a new one)",
                   ss->table, PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 0), ss->topic,
                   PQgetvalue(res, 0, 0));
        *schema_error = 1;
        st = PG_FATAL;
    }
    PQclear(res);
    return st;
}

static pg_status_t replay_into_new(pg_t *pg, const char *group, const stream_sql_t *ss,
                                   int *schema_error, char *errstr, size_t errstr_size)
{
    int empty = 0, exists = 0;
    long n_rows = 0;

    if (!group || !ss->topic)
        return PG_OK;
    pg_status_t st = table_empty(pg, ss, &empty, &exists, errstr, errstr_size);
    if (st != PG_OK || !empty)
        return st;
    if (!exists)
        st = refuse_later_on_path(pg, group, ss, schema_error, errstr, errstr_size);
    if (st != PG_OK)
        return st;
    st = offsets_forget_topic(pg, group, ss->topic, &n_rows, errstr, errstr_size);
    char qt[300], qg[600];
    if (st == PG_OK && n_rows > 0)
        log_warn("the stream's table holds nothing but this group has read its topic before "
                 "(the table was dropped or emptied, or `table` names another one): the topic "
                 "is replayed into it from its first message. Events retention has taken are "
                 "not replayed: `tidemark-producer run --once --full` publishes every record "
                 "again",
                 "stream=%s table=%s topic=%s group=%s partitions=%ld", ss->stream,
                 log_quote(qt, sizeof(qt), ss->table), ss->topic, log_quote(qg, sizeof(qg), group),
                 n_rows);
    return st;
}

/*
 * Under delete.mode = hard, rows marked deleted (_deleted) are left by a
 * soft mode that was switched: a table whose readers take every row for
 * live would keep them for good. They move into the tombstones at every
 * start (none: a scan that finds nothing), which keep older events of
 * those ids out as any hard delete does. All at once first; a row
 * PostgreSQL refuses to delete (a foreign key to it, a trigger) would stop
 * the worker for good that way, so then one by one, each under a
 * savepoint, the refused ones left in place with a warning.
 */
static pg_status_t move_each_soft_deleted(pg_t *pg, const stream_sql_t *ss, long *moved,
                                          long *refused, char *why, size_t why_size, char *errstr,
                                          size_t errstr_size)
{
    char err[512];
    PGresult *ids = NULL;
    pg_status_t st = pg_exec(pg, ss->soft_deleted_ids, 0, NULL, &ids, errstr, errstr_size);
    for (int i = 0; st == PG_OK && i < PQntuples(ids); i++) {
        const char *params[1] = {PQgetvalue(ids, i, 0)};
        char *count = NULL;
        st = pg_cmd(pg, "SAVEPOINT tm_move", errstr, errstr_size);
        if (st != PG_OK)
            break;
        pg_status_t one =
            pg_exec_value(pg, ss->move_soft_deleted_one, 1, params, &count, err, sizeof(err));
        free(count);
        if (one == PG_OK) {
            (*moved)++;
        } else if (one == PG_DATA) {
            if (!(*refused)++)
                errstr_set(why, why_size, "id %s: %s", params[0], err);
            st = pg_cmd(pg, "ROLLBACK TO SAVEPOINT tm_move", errstr, errstr_size);
        } else {
            errstr_set(errstr, errstr_size, "%s", err);
            st = one;
        }
        if (st == PG_OK)
            st = pg_cmd(pg, "RELEASE SAVEPOINT tm_move", errstr, errstr_size);
    }
    PQclear(ids);
    return st;
}

static pg_status_t move_soft_deleted(pg_t *pg, const stream_sql_t *ss, char *errstr,
                                     size_t errstr_size)
{
    char *count = NULL, err[512], why[600] = "";
    long moved = 0, refused = 0;

    if (!ss->move_soft_deleted)
        return PG_OK;
    pg_status_t st = pg_cmd(pg, "SAVEPOINT tm_move_all", errstr, errstr_size);
    if (st != PG_OK)
        return st;
    pg_status_t all = pg_exec_value(pg, ss->move_soft_deleted, 0, NULL, &count, err, sizeof(err));
    if (all == PG_OK) {
        moved = count ? strtol(count, NULL, 10) : 0;
        st = pg_cmd(pg, "RELEASE SAVEPOINT tm_move_all", errstr, errstr_size);
    } else if (all == PG_DATA) {
        st = pg_cmd(pg, "ROLLBACK TO SAVEPOINT tm_move_all", errstr, errstr_size);
        if (st == PG_OK)
            st = move_each_soft_deleted(pg, ss, &moved, &refused, why, sizeof(why), errstr,
                                        errstr_size);
        if (st == PG_OK)
            st = pg_cmd(pg, "RELEASE SAVEPOINT tm_move_all", errstr, errstr_size);
    } else {
        errstr_set(errstr, errstr_size, "moving the rows marked deleted of %s: %s", ss->table, err);
        st = all;
    }
    free(count);
    char qt[300], qs[300];
    log_quote(qt, sizeof(qt), ss->table);
    if (st == PG_OK && moved > 0)
        log_warn("delete.mode = hard on a table kept under soft: the rows marked deleted "
                 "(_deleted) moved into its tombstones",
                 "stream=%s table=%s tombstones=%s rows=%ld", ss->stream, qt,
                 log_quote(qs, sizeof(qs), ss->tombstones), moved);
    if (st == PG_OK && refused > 0) {
        char q[700];
        log_warn("delete.mode = hard, but PostgreSQL refused to delete rows marked deleted: "
                 "they stay in the table until what refuses them is fixed (each start tries "
                 "again)",
                 "stream=%s table=%s rows=%ld first=%s", ss->stream, qt, refused,
                 log_quote(q, sizeof(q), why));
    }
    return st;
}

static pg_status_t create_all(pg_t *pg, const char *group, const stream_sql_t *const *streams,
                              size_t n, int *schema_error, char *errstr, size_t errstr_size)
{
    pg_status_t st;
    size_t i;

    st = run(pg, "SELECT pg_advisory_xact_lock(hashtext('tidemark-ddl'))", "tables (advisory lock)",
             errstr, errstr_size);
    for (i = 0; st == PG_OK && bookkeeping_ddl[i]; i++)
        st = run(pg, bookkeeping_ddl[i], "bookkeeping tables", errstr, errstr_size);
    for (i = 0; st == PG_OK && i < n; i++)
        st = replay_into_new(pg, group, streams[i], schema_error, errstr, errstr_size);
    for (i = 0; st == PG_OK && i < n; i++) {
        /* tombstones first: a widened id widens theirs too */
        if (streams[i]->create_tombstones)
            st = run(pg, streams[i]->create_tombstones, streams[i]->table, errstr, errstr_size);
        /* created, or brought in line with the schema (tableschema.h) */
        if (st == PG_OK)
            st = tableschema_ensure(pg, streams[i], schema_error, errstr, errstr_size);
        if (st == PG_OK)
            st = add_produced_at(pg, streams[i]->table, streams[i]->add_produced_at, errstr,
                                 errstr_size);
        if (st == PG_OK && streams[i]->tombstones)
            st = add_produced_at(pg, streams[i]->tombstones, streams[i]->add_produced_at_tombstones,
                                 errstr, errstr_size);
        if (st == PG_OK)
            st = move_soft_deleted(pg, streams[i], errstr, errstr_size);
    }
    return st;
}

/*
 * An ALTER TABLE waiting for a lock (a report's long transaction, a
 * pg_dump) holds its place in the table's lock queue, and every reader
 * that comes after it waits behind it: the DDL waits DDL_LOCK_WAIT_MS at
 * most, then gives way and is tried again (runner.c: for as long as the
 * lock is held), rather than the worker's full lock_timeout. 0 (the
 * session's own) is left alone.
 */
#define DDL_LOCK_WAIT_MS 2000

static pg_status_t limit_lock_waits(pg_t *pg, char *errstr, size_t errstr_size)
{
    int64_t ms = pg_lock_timeout(pg);
    char sql[64];
    if (ms <= 0)
        return PG_OK;
    snprintf(sql, sizeof(sql), "SET LOCAL lock_timeout = %lld",
             (long long)(ms < DDL_LOCK_WAIT_MS ? ms : DDL_LOCK_WAIT_MS));
    return run(pg, sql, "tables (lock_timeout)", errstr, errstr_size);
}

pg_status_t ddl_ensure(pg_t *pg, const char *group, const stream_sql_t *const *streams,
                       size_t n_streams, int *schema_error, char *errstr, size_t errstr_size)
{
    pg_status_t st;
    int dummy = 0;

    if (!schema_error)
        schema_error = &dummy;
    *schema_error = 0;
    st = run(pg, "BEGIN", "tables (BEGIN)", errstr, errstr_size);
    if (st != PG_OK)
        return st;
    st = limit_lock_waits(pg, errstr, errstr_size);
    if (st == PG_OK)
        st = create_all(pg, group, streams, n_streams, schema_error, errstr, errstr_size);
    if (st == PG_OK)
        st = run(pg, "COMMIT", "tables (COMMIT)", errstr, errstr_size);
    if (st != PG_OK)
        pg_rollback_quiet(pg);
    return st;
}

pg_status_t ddl_table_names(pg_t *pg, const char *tables_json, char **out, char *errstr,
                            size_t errstr_size)
{
    const char *params[1] = {tables_json};

    return pg_exec_value(pg,
                         "SELECT json_object_agg(t.key, COALESCE((SELECT format('%I.%I',"
                         " n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n"
                         " ON n.oid = c.relnamespace WHERE c.oid = to_regclass(t.value)),"
                         " t.value))::text FROM json_each_text($1::json) t",
                         1, params, out, errstr, errstr_size);
}
