/*
 * offsets.c - see offsets.h.
 */
#include "errstr.h"
#include "offsets.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void offsets_clear(stored_offsets_t *so)
{
    for (size_t i = 0; i < so->n; i++)
        free(so->items[i].topic);
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
    st = pg_exec(pg,
                 "SELECT topic, partition, next_offset FROM sync_offsets"
                 " WHERE consumer_group = $1",
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

        if (!(so->topic = strdup(PQgetvalue(res, i, 0)))) {
            PQclear(res);
            offsets_clear(out);
            errstr_set(errstr, errstr_size, "out of memory");
            return PG_FATAL;
        }
        so->partition = (int32_t)strtol(PQgetvalue(res, i, 1), NULL, 10);
        so->next_offset = strtoll(PQgetvalue(res, i, 2), NULL, 10);
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

int64_t offsets_lookup(const stored_offsets_t *so, const char *topic, int32_t partition)
{
    const stored_offset_t *e = offsets_find(so, topic, partition);

    return e ? e->next_offset : -1;
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
    }
    e->next_offset = next_offset;
    return 0;
}

void offsets_remove(stored_offsets_t *so, const char *topic, int32_t partition)
{
    if (!topic) {
        while (so->n > 0)
            free(so->items[--so->n].topic);
        return;
    }
    stored_offset_t *e = offsets_find(so, topic, partition);
    if (!e)
        return;
    free(e->topic);
    *e = so->items[--so->n];
}

pg_status_t offsets_cas(pg_t *pg, const char *group, const char *topic, int32_t partition,
                        int64_t expected, int64_t next, int *moved, char *errstr,
                        size_t errstr_size)
{
    char pbuf[16], ebuf[24], nbuf[24];
    const char *params[5] = {group, topic, pbuf, nbuf, ebuf};
    long affected = 0;
    pg_status_t st;

    snprintf(pbuf, sizeof(pbuf), "%" PRId32, partition);
    snprintf(nbuf, sizeof(nbuf), "%" PRId64, next);
    snprintf(ebuf, sizeof(ebuf), "%" PRId64, expected);
    if (expected < 0)
        /* no row expected: a row someone else wrote meanwhile fences us */
        st = pg_exec_affected(pg,
                              "INSERT INTO sync_offsets (consumer_group, topic,"
                              " partition, next_offset) VALUES ($1, $2, $3, $4)"
                              " ON CONFLICT DO NOTHING",
                              4, params, &affected, errstr, errstr_size);
    else
        st = pg_exec_affected(pg,
                              "UPDATE sync_offsets SET next_offset = $4,"
                              " updated_at = now() WHERE consumer_group = $1"
                              " AND topic = $2 AND partition = $3"
                              " AND next_offset = $5",
                              5, params, &affected, errstr, errstr_size);
    if (st == PG_OK)
        *moved = affected == 1;
    return st;
}
