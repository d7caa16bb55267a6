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

    /* every batch looks for runs that may have completed */
    "CREATE INDEX IF NOT EXISTS sync_metadata_running"
    " ON sync_metadata (id) WHERE sync_status = 'running'",

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

/*
 * A stream table about to be created while the group has stored offsets
 * for its topic was dropped, or `table` names another one now: going on
 * from those offsets would leave the new table without every record
 * applied before them, silently. The group forgets the topic instead, in
 * this transaction, and reads it again from its first message as a fresh
 * group would. Looked up for every stream before any is created: two
 * streams may share a table.
 */
static pg_status_t replay_into_new(pg_t *pg, const char *group, const stream_sql_t *ss,
                                   char *errstr, size_t errstr_size)
{
    int exists = 1;
    long n_rows = 0;
    pg_status_t st = tableschema_exists(pg, ss->table, &exists, errstr, errstr_size);

    if (st != PG_OK || exists || !group || !ss->topic)
        return st;
    st = offsets_forget_topic(pg, group, ss->topic, &n_rows, errstr, errstr_size);
    if (st == PG_OK && n_rows > 0)
        log_warn("the stream's table does not exist but this group has read its topic before "
                 "(the table was dropped, or `table` names another one): the table is created "
                 "and the topic replayed into it from its first message. Events retention has "
                 "taken are not replayed: `tidemark-producer run --once --full` publishes every "
                 "record again",
                 "stream=%s table=%s topic=%s group=%s partitions=%ld", ss->stream, ss->table,
                 ss->topic, group, n_rows);
    return st;
}

/*
 * Under delete.mode = hard, tombstones about to be created for a table
 * that exists: the mode was soft until now (or the tombstones were
 * dropped), and the rows it marked deleted would stay in a table whose
 * readers take every row for live. *switched says so.
 */
static pg_status_t mode_switched_to_hard(pg_t *pg, const stream_sql_t *ss, int *switched,
                                         char *errstr, size_t errstr_size)
{
    int table = 0, tombstones = 1;
    pg_status_t st = PG_OK;

    *switched = 0;
    if (!ss->tombstones)
        return PG_OK;
    st = tableschema_exists(pg, ss->tombstones, &tombstones, errstr, errstr_size);
    if (st == PG_OK && !tombstones)
        st = tableschema_exists(pg, ss->table, &table, errstr, errstr_size);
    *switched = st == PG_OK && !tombstones && table;
    return st;
}

/* ...so they move into the tombstones, which keep older events of those
 * ids out as any hard delete does. */
static pg_status_t move_soft_deleted(pg_t *pg, const stream_sql_t *ss, char *errstr,
                                     size_t errstr_size)
{
    char *count = NULL, err[512];
    pg_status_t st = pg_exec_value(pg, ss->move_soft_deleted, 0, NULL, &count, err, sizeof(err));

    if (st != PG_OK)
        errstr_set(errstr, errstr_size, "moving the rows marked deleted of %s: %s", ss->table, err);
    else if (count && strcmp(count, "0") != 0)
        log_warn("delete.mode = hard on a table kept under soft: the rows marked deleted "
                 "(_deleted) moved into its tombstones",
                 "stream=%s table=%s tombstones=%s rows=%s", ss->stream, ss->table, ss->tombstones,
                 count);
    free(count);
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
        st = replay_into_new(pg, group, streams[i], errstr, errstr_size);
    for (i = 0; st == PG_OK && i < n; i++) {
        int switched = 0;
        st = mode_switched_to_hard(pg, streams[i], &switched, errstr, errstr_size);
        /* tombstones first: a widened id widens theirs too */
        if (st == PG_OK && streams[i]->create_tombstones)
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
        if (st == PG_OK && switched)
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
