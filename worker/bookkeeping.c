/*
 * bookkeeping.c - see bookkeeping.h.
 */
#include "bookkeeping.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ddl.h"

static pg_status_t tables_present(pg_t *pg, int *present, char *errstr, size_t errstr_size)
{
    char *value;
    pg_status_t st = pg_exec_value(pg,
                                   "SELECT to_regclass('sync_offsets') IS NOT NULL"
                                   " AND to_regclass('sync_metadata') IS NOT NULL",
                                   0, NULL, &value, errstr, errstr_size);

    *present = value && !strcmp(value, "t");
    free(value);
    return st;
}

pg_status_t bookkeeping_open(pg_t *pg, int create, int *present, char *errstr, size_t errstr_size)
{
    pg_status_t st = pg_ensure(pg, errstr, errstr_size);

    *present = 0;
    if (st != PG_OK)
        return st;
    if (!create)
        return tables_present(pg, present, errstr, errstr_size);
    /* a command line tool: no "already exists, skipping" NOTICEs */
    st = pg_cmd(pg, "SET client_min_messages = warning", errstr, errstr_size);
    if (st == PG_OK)
        st = ddl_ensure(pg, NULL, NULL, 0, NULL, errstr, errstr_size);
    *present = st == PG_OK;
    return st;
}

static pg_status_t upsert_offset(pg_t *pg, const char *group, const char *topic, int32_t partition,
                                 int64_t offset, char *errstr, size_t errstr_size)
{
    char pbuf[16], obuf[24];
    const char *params[4] = {group, topic, pbuf, obuf};

    snprintf(pbuf, sizeof(pbuf), "%" PRId32, partition);
    snprintf(obuf, sizeof(obuf), "%" PRId64, offset);
    return pg_exec(pg,
                   "INSERT INTO sync_offsets (consumer_group, topic,"
                   " partition, next_offset, placed_by_reset) VALUES ($1, $2, $3, $4, true)"
                   " ON CONFLICT (consumer_group, topic, partition)"
                   /* applied_table NULL: where an operator said to start,
                    * whichever table the members apply it to */
                   " DO UPDATE SET next_offset = EXCLUDED.next_offset,"
                   " updated_at = now(), placed_by_reset = true, applied_table = NULL,"
                   " last_ts = NULL, last_key_sum = NULL, last_offset = NULL",
                   4, params, NULL, errstr, errstr_size);
}

static pg_status_t delete_offset(pg_t *pg, const char *group, const char *topic, int32_t partition,
                                 char *errstr, size_t errstr_size)
{
    char pbuf[16];
    const char *params[3] = {group, topic, pbuf};

    snprintf(pbuf, sizeof(pbuf), "%" PRId32, partition);
    return pg_exec(pg,
                   "DELETE FROM sync_offsets WHERE consumer_group = $1 AND topic = $2"
                   " AND partition = $3",
                   3, params, NULL, errstr, errstr_size);
}

pg_status_t bookkeeping_write_offsets(pg_t *pg, const char *group, const char *topic,
                                      const int32_t *partitions, const int64_t *offsets, size_t n,
                                      const int32_t *gone, size_t n_gone, char *errstr,
                                      size_t errstr_size)
{
    pg_status_t st = pg_cmd(pg, "BEGIN", errstr, errstr_size);

    for (size_t i = 0; st == PG_OK && i < n; i++)
        st = upsert_offset(pg, group, topic, partitions[i], offsets[i], errstr, errstr_size);
    for (size_t j = 0; st == PG_OK && j < n_gone; j++)
        st = delete_offset(pg, group, topic, gone[j], errstr, errstr_size);
    if (st == PG_OK)
        st = pg_cmd(pg, "COMMIT", errstr, errstr_size);
    if (st != PG_OK)
        pg_rollback_quiet(pg);
    return st;
}

/* clang-format off */
#define ISO_UTC(col) \
    "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"

static const char LAST_RUN_SQL[] =
    "SELECT run_id, " ISO_UTC("completed_at") ","
    " coalesce(" ISO_UTC("last_sync_timestamp") ", '-'),"
    " records_synced, records_deleted,"
    " (extract(epoch FROM now() - completed_at) * 1000)::bigint"
    " FROM sync_metadata WHERE record_type = $1"
    " AND sync_status = 'completed' AND completed_at IS NOT NULL"
    " ORDER BY completed_at DESC, id DESC LIMIT 1";
/* clang-format on */

pg_status_t bookkeeping_last_run(pg_t *pg, const char *stream, admin_last_run_t *out, char *errstr,
                                 size_t errstr_size)
{
    const char *params[1] = {stream};
    PGresult *res;
    pg_status_t st;

    memset(out, 0, sizeof(*out));
    st = pg_exec(pg, LAST_RUN_SQL, 1, params, &res, errstr, errstr_size);
    if (st != PG_OK)
        return st;
    if (PQntuples(res) == 1) {
        out->found = 1;
        snprintf(out->run_id, sizeof(out->run_id), "%s", PQgetvalue(res, 0, 0));
        snprintf(out->completed_at, sizeof(out->completed_at), "%s", PQgetvalue(res, 0, 1));
        snprintf(out->hwm, sizeof(out->hwm), "%s", PQgetvalue(res, 0, 2));
        out->records_synced = strtoll(PQgetvalue(res, 0, 3), NULL, 10);
        out->records_deleted = strtoll(PQgetvalue(res, 0, 4), NULL, 10);
        out->staleness_ms = strtoll(PQgetvalue(res, 0, 5), NULL, 10);
    }
    PQclear(res);
    return PG_OK;
}
