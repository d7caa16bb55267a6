/*
 * metadata.c - see metadata.h.
 */
#include "errstr.h"
#include "metadata.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "isotime.h"
#include "log.h"
#include "strbuf.h"

static const char *ts_or_null(int has, int64_t ms, char *buf, size_t size)
{
    if (!has)
        return NULL;
    isotime_format(ms, buf, size);
    return buf;
}

static char *end_offsets_json(const run_record_t *rr)
{
    strbuf_t sb;

    strbuf_init(&sb);
    strbuf_append(&sb, "{");
    for (size_t i = 0; i < rr->n_end_offsets; i++)
        strbuf_appendf(&sb, "%s\"%" PRId32 "\":%" PRId64, i ? "," : "",
                       rr->end_offsets[i].partition, rr->end_offsets[i].offset);
    strbuf_append(&sb, "}");
    return strbuf_take(&sb);
}

pg_status_t metadata_apply_run_record(pg_t *pg, const run_record_t *rr, const char *topic,
                                      int not_configured, char *errstr, size_t errstr_size)
{
    char hwm[ISOTIME_BUFSIZE], started[ISOTIME_BUFSIZE];
    char records[24], deletes[24];
    char *ends = end_offsets_json(rr);
    const char *params[11];
    pg_status_t st;

    if (!ends) {
        errstr_set(errstr, errstr_size, "out of memory");
        return PG_FATAL;
    }
    snprintf(records, sizeof(records), "%" PRId64, rr->records);
    snprintf(deletes, sizeof(deletes), "%" PRId64, rr->deletes);
    params[0] = rr->stream;
    params[1] = rr->run_id;
    params[2] = rr->mode == RUN_MODE_FULL ? "true" : "false";
    params[3] = ts_or_null(rr->hwm.has_value, rr->hwm.value_ms, hwm, sizeof(hwm));
    params[4] = rr->status == RUN_STATUS_FAILED ? "failed"
                : not_configured                ? "not_configured"
                                                : "running";
    params[5] = ts_or_null(rr->started_at_ms != 0, rr->started_at_ms, started, sizeof(started));
    params[6] = topic;
    params[7] = ends;
    params[8] = run_status_name(rr->status);
    params[9] = records;
    params[10] = deletes;
    st = pg_exec(pg,
                 "INSERT INTO sync_metadata AS m (record_type, run_id, is_full_sync,"
                 " last_sync_timestamp, sync_status, started_at, topic, end_offsets,"
                 " producer_status, producer_records, producer_deletes, updated_at)"
                 " VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10, $11, now())"
                 " ON CONFLICT (run_id) DO UPDATE SET"
                 " record_type = EXCLUDED.record_type,"
                 " is_full_sync = EXCLUDED.is_full_sync,"
                 " last_sync_timestamp = EXCLUDED.last_sync_timestamp,"
                 " started_at = EXCLUDED.started_at, topic = EXCLUDED.topic,"
                 " end_offsets = EXCLUDED.end_offsets,"
                 " producer_status = EXCLUDED.producer_status,"
                 " producer_records = EXCLUDED.producer_records,"
                 " producer_deletes = EXCLUDED.producer_deletes,"
                 " sync_status = CASE WHEN EXCLUDED.producer_status = 'failed'"
                 "   THEN 'failed' WHEN m.sync_status = 'not_configured'"
                 "   THEN EXCLUDED.sync_status ELSE m.sync_status END,"
                 " updated_at = now()"
                 /* a replayed progress record must not undo the final one */
                 " WHERE m.producer_status IS NULL OR m.producer_status = 'running'"
                 "   OR EXCLUDED.producer_status <> 'running'",
                 11, params, NULL, errstr, errstr_size);
    free(ends);
    return st;
}

/* Creates the row if needed, locks it and returns its applied_offsets and
 * its end_offsets once final (*has_ends): not until the producer's last
 * run record (completed or failed) is applied. A progress record's are
 * where the run had got to, and its later events lie past them. */
static pg_status_t lock_run(pg_t *pg, const char *run_id, const char *stream, const char *topic,
                            int full_sync, applied_offsets_t *ao, applied_offsets_t *ends,
                            int *has_ends, char *errstr, size_t errstr_size)
{
    const char *params[4] = {stream, run_id, full_sync ? "true" : "false", topic};
    PGresult *res;
    pg_status_t st = pg_exec(pg,
                             "INSERT INTO sync_metadata AS m (record_type, run_id,"
                             " is_full_sync, sync_status, topic, updated_at)"
                             " VALUES ($1, $2, $3, 'running', $4, now())"
                             " ON CONFLICT (run_id) DO UPDATE SET updated_at = now(),"
                             " sync_status = CASE WHEN m.sync_status = 'not_configured'"
                             "  THEN 'running' ELSE m.sync_status END"
                             " RETURNING m.applied_offsets::text,"
                             " CASE WHEN m.producer_status IN ('completed', 'failed')"
                             "  THEN m.end_offsets::text END",
                             4, params, &res, errstr, errstr_size);

    if (st != PG_OK)
        return st;
    int bad = PQntuples(res) != 1 || PQgetisnull(res, 0, 0) ||
              applied_offsets_parse(PQgetvalue(res, 0, 0), ao) < 0;
    *has_ends = !bad && !PQgetisnull(res, 0, 1);
    if (!bad && applied_offsets_parse(PQgetvalue(res, 0, 1), ends) < 0) {
        applied_offsets_clear(ao);
        bad = 1;
    }
    PQclear(res);
    if (bad) {
        errstr_set(errstr, errstr_size,
                   "sync_metadata run %s: unreadable applied_offsets or end_offsets", run_id);
        return PG_FATAL;
    }
    return PG_OK;
}

pg_status_t metadata_count_events(pg_t *pg, const char *run_id, const char *stream,
                                  const char *topic, int full_sync, const runcount_event_t *evs,
                                  size_t n, const runcount_span_t *spans, size_t n_spans,
                                  char *errstr, size_t errstr_size)
{
    applied_offsets_t ao, ends;
    int64_t synced = 0, deleted = 0, dead = 0;
    char sbuf[24], dbuf[24], xbuf[24], *json = NULL;
    const char *params[5];
    pg_status_t st;

    int has_ends;
    st = lock_run(pg, run_id, stream, topic, full_sync, &ao, &ends, &has_ends, errstr, errstr_size);
    if (st != PG_OK)
        return st;
    int failed = runcount_apply(&ao, has_ends ? &ends : NULL, evs, n, spans, n_spans, &synced,
                                &deleted, &dead) < 0 ||
                 !(json = applied_offsets_to_json(&ao));
    applied_offsets_clear(&ao);
    applied_offsets_clear(&ends);
    if (failed) {
        errstr_set(errstr, errstr_size, "out of memory");
        return PG_FATAL;
    }
    snprintf(sbuf, sizeof(sbuf), "%" PRId64, synced);
    snprintf(dbuf, sizeof(dbuf), "%" PRId64, deleted);
    snprintf(xbuf, sizeof(xbuf), "%" PRId64, dead);
    params[0] = run_id;
    params[1] = sbuf;
    params[2] = dbuf;
    params[3] = json;
    params[4] = xbuf;
    st = pg_exec(pg,
                 "UPDATE sync_metadata SET"
                 " records_synced = records_synced + $2,"
                 " records_deleted = records_deleted + $3,"
                 " records_dead_lettered = records_dead_lettered + $5,"
                 " applied_offsets = $4::jsonb, updated_at = now()"
                 " WHERE run_id = $1",
                 5, params, NULL, errstr, errstr_size);
    free(json);
    return st;
}

/* The not_configured rows of conf's streams made running (the index
 * sync_metadata_not_configured finds them). */
static pg_status_t take_not_configured(pg_t *pg, const tm_config_t *conf, char *errstr,
                                       size_t errstr_size)
{
    strbuf_t sb;

    strbuf_init(&sb);
    strbuf_append(&sb, "{");
    for (size_t i = 0; i < conf->n_streams; i++) /* names are plain tokens (config.c) */
        strbuf_appendf(&sb, "%s%s", i ? "," : "", conf->streams[i].name);
    strbuf_append(&sb, "}");
    char *names = strbuf_take(&sb);
    if (!names) {
        errstr_set(errstr, errstr_size, "out of memory");
        return PG_FATAL;
    }
    const char *params[1] = {names};
    pg_status_t st = pg_exec(pg,
                             "UPDATE sync_metadata SET sync_status = 'running', updated_at = now()"
                             " WHERE id IN (SELECT id FROM sync_metadata"
                             "  WHERE sync_status = 'not_configured'"
                             "  AND record_type = ANY($1::text[]) FOR UPDATE SKIP LOCKED)",
                             1, params, NULL, errstr, errstr_size);
    free(names);
    return st;
}

pg_status_t metadata_complete_runs(pg_t *pg, const tm_config_t *conf, const char *stuck,
                                   const char *tables, PGresult **completed, char *errstr,
                                   size_t errstr_size)
{
    const char *params[3] = {conf->group_id, stuck ? stuck : "[]", tables ? tables : "{}"};
    PGresult *res = NULL;
    pg_status_t st = take_not_configured(pg, conf, errstr, errstr_size);

    if (st == PG_OK)
        st = pg_exec(
            pg,
            "UPDATE sync_metadata m SET sync_status = 'completed',"
            " completed_at = now(), updated_at = now()"
            " WHERE m.id IN (SELECT s.id FROM sync_metadata s"
            "  WHERE s.sync_status = 'running' AND s.producer_status = 'completed'"
            /* every published event applied or dead-lettered */
            /* in numeric: a row's bigints must not make every batch's
             * completion fail with 22003 (the counts are anyone's to
             * write in a run record) */
            "  AND s.records_synced::numeric + s.records_deleted + s.records_dead_lettered"
            "   >= COALESCE(s.producer_records, 0)::numeric + COALESCE(s.producer_deletes, 0)"
            "  AND NOT EXISTS (SELECT 1 FROM jsonb_each_text("
            "    COALESCE(s.end_offsets, '{}'::jsonb)) e"
            "   WHERE NOT EXISTS (SELECT 1 FROM sync_offsets o"
            "    WHERE o.consumer_group = $1 AND o.topic = s.topic"
            "    AND o.partition = e.key::int"
            "    AND o.next_offset >= e.value::bigint"
            /* applied to this worker's table (offsets_same_table()) */
            "    AND (o.applied_table IS NULL OR $3::jsonb->>o.topic IS NULL"
            "     OR o.applied_table = $3::jsonb->>o.topic)))"
            /* nor with events in a partition this worker does not apply */
            "  AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements($2::jsonb) x"
            "   WHERE x->>'topic' = s.topic"
            "   AND COALESCE(s.end_offsets, '{}'::jsonb) ? (x->>'partition'))"
            "  FOR UPDATE SKIP LOCKED)"
            " RETURNING m.run_id, m.record_type, m.records_synced,"
            " m.records_deleted, m.records_dead_lettered",
            3, params, &res, errstr, errstr_size);
    if (completed)
        *completed = st == PG_OK ? res : NULL;
    else if (st == PG_OK)
        PQclear(res);
    return st;
}

void metadata_log_completed(const PGresult *completed)
{
    for (int i = 0; completed && i < PQntuples(completed); i++) {
        char qr[300];
        log_info(
            "run completed", "stream=%s run=%s records=%s deletes=%s dead_letters=%s",
            PQgetvalue(completed, i, 1), log_quote(qr, sizeof(qr), PQgetvalue(completed, i, 0)),
            PQgetvalue(completed, i, 2), PQgetvalue(completed, i, 3), PQgetvalue(completed, i, 4));
    }
}
