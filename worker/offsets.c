/*
 * offsets.c - see offsets.h.
 */
#include "errstr.h"
#include "offsets.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

void offsets_clear(stored_offsets_t *so)
{
    for (size_t i = 0; i < so->n; i++) {
        free(so->items[i].topic);
        free(so->items[i].applied_table);
    }
    free(so->items);
    so->items = NULL;
    so->n = 0;
}

pg_status_t offsets_read_group(pg_t *pg, const char *group, stored_offsets_t *out, char *errstr,
                               size_t errstr_size)
{
    const char *params[1] = {group};
    PGresult *res;
    pg_status_t st;
    int i, n;

    memset(out, 0, sizeof(*out));
    /* to_jsonb(): NULL where the column is not there yet */
    st = pg_exec(pg,
                 "SELECT topic, partition, next_offset, to_jsonb(o)->>'applied_table',"
                 " to_jsonb(o)->>'last_ts', to_jsonb(o)->>'last_key_sum',"
                 " to_jsonb(o)->>'last_offset'"
                 " FROM sync_offsets o WHERE consumer_group = $1",
                 1, params, &res, errstr, errstr_size);
    if (st != PG_OK)
        return st;
    n = PQntuples(res);
    out->items = calloc((size_t)n + 1, sizeof(*out->items));
    if (!out->items) {
        PQclear(res);
        errstr_set(errstr, errstr_size, "out of memory");
        return PG_FATAL;
    }
    for (i = 0; i < n; i++) {
        stored_offset_t *so = &out->items[out->n];

        so->topic = strdup(PQgetvalue(res, i, 0));
        so->applied_table = PQgetisnull(res, i, 3) ? NULL : strdup(PQgetvalue(res, i, 3));
        if (!so->topic || (!so->applied_table && !PQgetisnull(res, i, 3))) {
            free(so->topic);
            free(so->applied_table);
            PQclear(res);
            offsets_clear(out);
            errstr_set(errstr, errstr_size, "out of memory");
            return PG_FATAL;
        }
        so->partition = (int32_t)strtol(PQgetvalue(res, i, 1), NULL, 10);
        so->next_offset = strtoll(PQgetvalue(res, i, 2), NULL, 10);
        /* a mark of another offset is none: an older worker of the
         * group moved the offset and left the mark as it was */
        if (!PQgetisnull(res, i, 4) && !PQgetisnull(res, i, 5) && !PQgetisnull(res, i, 6) &&
            strtoll(PQgetvalue(res, i, 6), NULL, 10) == so->next_offset - 1)
            so->mark = (offset_mark_t){1, strtoll(PQgetvalue(res, i, 4), NULL, 10),
                                       strtoll(PQgetvalue(res, i, 5), NULL, 10)};
        out->n++;
    }
    PQclear(res);
    return PG_OK;
}

stored_offset_t *offsets_find(const stored_offsets_t *so, const char *topic, int32_t partition)
{
    for (size_t i = 0; i < so->n; i++)
        if (so->items[i].partition == partition && !strcmp(so->items[i].topic, topic))
            return &so->items[i];
    return NULL;
}

pg_status_t offsets_other_groups(pg_t *pg, const char *group, char **names, char *errstr,
                                 size_t errstr_size)
{
    const char *params[1] = {group};

    return pg_exec_value(pg,
                         "SELECT string_agg(g, ', ' ORDER BY g) FROM (SELECT DISTINCT"
                         " consumer_group AS g FROM sync_offsets WHERE consumer_group <> $1) o",
                         1, params, names, errstr, errstr_size);
}

pg_status_t offsets_forget_topic(pg_t *pg, const char *group, const char *topic, long *n_rows,
                                 char *errstr, size_t errstr_size)
{
    const char *params[2] = {group, topic};
    char *count = NULL;
    pg_status_t st = pg_exec_value(pg,
                                   "WITH d AS (DELETE FROM sync_offsets WHERE consumer_group = $1"
                                   " AND topic = $2 AND EXISTS (SELECT 1 FROM sync_offsets o"
                                   " WHERE o.consumer_group = $1 AND o.topic = $2"
                                   " AND NOT o.placed_by_reset) RETURNING 1)"
                                   " SELECT count(*) FROM d",
                                   2, params, &count, errstr, errstr_size);

    *n_rows = st == PG_OK && count ? strtol(count, NULL, 10) : 0;
    free(count);
    return st;
}

int64_t offsets_lookup(const stored_offsets_t *so, const char *topic, int32_t partition)
{
    const stored_offset_t *e = offsets_find(so, topic, partition);

    return e ? e->next_offset : -1;
}

int offsets_same_table(const char *applied_table, const char *table)
{
    return !applied_table || !table || !strcmp(applied_table, table);
}

int offsets_has_topic(const stored_offsets_t *so, const char *topic, const char *table)
{
    for (size_t i = 0; i < so->n; i++)
        if (!strcmp(so->items[i].topic, topic) &&
            offsets_same_table(so->items[i].applied_table, table))
            return 1;
    return 0;
}

int offsets_outside(int64_t stored, int topic_read, int64_t low, int64_t high)
{
    if (low < 0 || high < 0)
        return 0; /* unknown */
    if (stored < 0)
        return topic_read && low > 0;
    return stored < low || stored > high;
}

int offsets_set(stored_offsets_t *so, const char *topic, int32_t partition, int64_t next_offset)
{
    stored_offset_t *e = offsets_find(so, topic, partition);

    if (!e) {
        char *t = strdup(topic);
        stored_offset_t *items = t ? realloc(so->items, (so->n + 1) * sizeof(*items)) : NULL;

        if (!items) {
            free(t);
            return -1;
        }
        so->items = items;
        e = &so->items[so->n++];
        e->topic = t;
        e->partition = partition;
        e->applied_table = NULL;
    }
    e->next_offset = next_offset;
    return 0;
}

void offsets_remove(stored_offsets_t *so, const char *topic, int32_t partition)
{
    if (!topic) {
        while (so->n > 0) {
            so->n--;
            free(so->items[so->n].topic);
            free(so->items[so->n].applied_table);
        }
        return;
    }
    stored_offset_t *e = offsets_find(so, topic, partition);
    if (!e)
        return;
    free(e->topic);
    free(e->applied_table);
    *e = so->items[--so->n];
}

/* The statement of offsets_cas_all() for n partitions: v holds them,
 * ($7i+2, ..., $7i+8) = (topic, partition, next, expected, table, the
 * mark's timestamp and key sum: NULL when it has none); it returns those
 * that moved. NULL when out of memory. */
#define CAS_PARAMS 7
#define CAS_CHUNK  1000

static char *cas_all_sql(size_t n)
{
    strbuf_t sb;

    strbuf_init(&sb);
    strbuf_append(&sb, "WITH v (topic, partition, next_offset, expected, tbl, ts, ks) AS (VALUES ");
    for (size_t i = 0; i < n; i++)
        strbuf_appendf(&sb,
                       "%s($%zu::text, $%zu::int, $%zu::bigint, $%zu::bigint, $%zu::text,"
                       " $%zu::bigint, $%zu::bigint)",
                       i ? ", " : "", CAS_PARAMS * i + 2, CAS_PARAMS * i + 3, CAS_PARAMS * i + 4,
                       CAS_PARAMS * i + 5, CAS_PARAMS * i + 6, CAS_PARAMS * i + 7,
                       CAS_PARAMS * i + 8);
    /* a negative row (a DBA's -2 or -1: Kafka's words for the start and
     * the end) is read as none (consumer_position.h): replaced as a
     * missing one would be, or every batch of that partition was fenced
     * for good. So is a row applied to another table
     * (offsets_same_table(); NULL on either side: any): `table` changed,
     * and a member on the old configuration wrote it while this one
     * replayed the topic into the new table; kept, the new table would
     * never get the partition's messages before it. */
    strbuf_append(&sb, "), u AS (UPDATE sync_offsets o SET next_offset = v.next_offset,"
                       " updated_at = now(), placed_by_reset = false, applied_table = v.tbl,"
                       " last_ts = v.ts, last_key_sum = v.ks,"
                       " last_offset = CASE WHEN v.ks IS NULL THEN NULL ELSE v.next_offset - 1 END"
                       " FROM v WHERE"
                       " ((v.expected >= 0 AND o.next_offset = v.expected"
                       " AND (o.applied_table IS NULL OR v.tbl IS NULL OR o.applied_table = v.tbl))"
                       " OR (v.expected < 0 AND (o.next_offset < 0 OR o.applied_table <> v.tbl)))"
                       " AND o.consumer_group = $1 AND o.topic = v.topic"
                       " AND o.partition = v.partition"
                       " RETURNING o.topic, o.partition),"
                       /* no row expected: a row someone else wrote meanwhile fences us */
                       " i AS (INSERT INTO sync_offsets (consumer_group, topic, partition,"
                       " next_offset, applied_table, last_ts, last_key_sum, last_offset)"
                       " SELECT $1, topic, partition, next_offset, tbl, ts, ks,"
                       " CASE WHEN ks IS NULL THEN NULL ELSE next_offset - 1 END"
                       " FROM v WHERE expected < 0 ON CONFLICT DO NOTHING"
                       " RETURNING topic, partition)"
                       " SELECT topic, partition FROM u UNION ALL SELECT topic, partition FROM i");
    return strbuf_take(&sb);
}

/* Marks the moves the result of cas_all_sql() names. */
static void mark_moved(PGresult *res, offset_move_t *moves, size_t n)
{
    for (size_t i = 0; i < n; i++)
        moves[i].moved = 0;
    for (int r = 0; r < PQntuples(res); r++) {
        const char *topic = PQgetvalue(res, r, 0);
        int32_t partition = (int32_t)strtol(PQgetvalue(res, r, 1), NULL, 10);

        for (size_t i = 0; i < n; i++)
            if (moves[i].partition == partition && !strcmp(moves[i].topic, topic))
                moves[i].moved = 1;
    }
}

/* offsets_cas_all() of at most CAS_CHUNK partitions (CAS_PARAMS
 * parameters each: a statement takes at most 65535). */
static pg_status_t cas_chunk(pg_t *pg, const char *group, offset_move_t *moves, size_t n,
                             char *errstr, size_t errstr_size)
{
    char *sql = cas_all_sql(n);
    const char **params = calloc(CAS_PARAMS * n + 1, sizeof(*params));
    char(*nums)[24] = calloc(5 * n + 1, sizeof(*nums));
    pg_status_t st = PG_FATAL;

    errstr_set(errstr, errstr_size, "out of memory");
    if (sql && params && nums) {
        PGresult *res;

        params[0] = group;
        for (size_t i = 0; i < n; i++) {
            char(*num)[24] = &nums[5 * i];
            snprintf(num[0], sizeof(num[0]), "%" PRId32, moves[i].partition);
            snprintf(num[1], sizeof(num[0]), "%" PRId64, moves[i].next);
            snprintf(num[2], sizeof(num[0]), "%" PRId64, moves[i].expected);
            snprintf(num[3], sizeof(num[0]), "%" PRId64, moves[i].mark.ts);
            snprintf(num[4], sizeof(num[0]), "%" PRId64, moves[i].mark.key_sum);
            params[CAS_PARAMS * i + 1] = moves[i].topic;
            params[CAS_PARAMS * i + 2] = num[0];
            params[CAS_PARAMS * i + 3] = num[1];
            params[CAS_PARAMS * i + 4] = num[2];
            params[CAS_PARAMS * i + 5] = moves[i].table; /* NULL: SQL NULL */
            /* every other move clears the mark: it names no message */
            params[CAS_PARAMS * i + 6] = moves[i].mark.known ? num[3] : NULL;
            params[CAS_PARAMS * i + 7] = moves[i].mark.known ? num[4] : NULL;
        }
        st = pg_exec(pg, sql, (int)(CAS_PARAMS * n + 1), params, &res, errstr, errstr_size);
        if (st == PG_OK) {
            mark_moved(res, moves, n);
            PQclear(res);
        }
    }
    free(nums);
    free(params);
    free(sql);
    return st;
}

pg_status_t offsets_cas_all(pg_t *pg, const char *group, offset_move_t *moves, size_t n,
                            char *errstr, size_t errstr_size)
{
    pg_status_t st = PG_OK;

    for (size_t lo = 0; st == PG_OK && lo < n; lo += CAS_CHUNK)
        st = cas_chunk(pg, group, moves + lo, n - lo < CAS_CHUNK ? n - lo : CAS_CHUNK, errstr,
                       errstr_size);
    return st;
}

pg_status_t offsets_cas(pg_t *pg, const char *group, const char *topic, int32_t partition,
                        const char *table, int64_t expected, int64_t next, int *moved, char *errstr,
                        size_t errstr_size)
{
    offset_move_t one = {topic, partition, expected, next, 0, table, {0, 0, 0}};
    pg_status_t st = offsets_cas_all(pg, group, &one, 1, errstr, errstr_size);

    if (st == PG_OK)
        *moved = one.moved;
    return st;
}
