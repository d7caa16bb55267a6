/*
 * tableapply.c - see tableapply.h.
 */
#include "tableapply.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dedupe.h"
#include "isotime.h"

json_t *table_event_row(const char *id_field, const change_event_t *ev,
                        int32_t partition, int64_t offset)
{
    char ts[ISOTIME_BUFSIZE];
    json_t *row;
    int bad = 0;

    if (ev->op == CHANGE_OP_UPSERT && ev->after)
        row = json_deep_copy(ev->after);
    else
        row = json_object();
    if (!row)
        return NULL;
    if (!json_object_get(row, id_field) || json_is_null(json_object_get(row, id_field)))
        bad |= json_object_set_new(row, id_field, json_string(ev->id));
    isotime_format(ev->source_ts_ms, ts, sizeof(ts));
    bad |= json_object_set_new(row, "_source_ts", json_string(ts));
    bad |= json_object_set_new(row, "_kafka_partition", json_integer(partition));
    bad |= json_object_set_new(row, "_kafka_offset", json_integer(offset));
    if (bad) {
        json_decref(row);
        return NULL;
    }
    return row;
}

/* Runs sql with $1 = the JSON text of rows. */
static pg_status_t exec_rows(pg_t *pg, const char *sql, json_t *rows,
                             char *errstr, size_t errstr_size)
{
    char *text = json_dumps(rows, JSON_COMPACT);
    const char *params[1] = {text};
    pg_status_t st;

    if (!text) {
        snprintf(errstr, errstr_size, "out of memory encoding rows");
        return PG_FATAL;
    }
    st = pg_exec(pg, sql, 1, params, NULL, errstr, errstr_size);
    free(text);
    return st;
}

/* The per-record fallback: each row under its own savepoint; a row that
 * fails with a data error is dead-lettered. */
static pg_status_t exec_one_by_one(pg_t *pg, const char *sql, json_t *rows,
                                   const size_t *ev_idx, const batch_t *b,
                                   decoded_t *d, deadletter_t *dlq,
                                   table_counts_t *counts, char *errstr,
                                   size_t errstr_size)
{
    char why[512], reason[600];
    size_t i;
    pg_status_t st;

    for (i = 0; i < json_array_size(rows); i++) {
        json_t *one = json_array();
        decoded_event_t *de = &d->events[ev_idx[i]];

        if (!one || json_array_append(one, json_array_get(rows, i)) < 0) {
            json_decref(one);
            snprintf(errstr, errstr_size, "out of memory");
            return PG_FATAL;
        }
        st = pg_cmd(pg, "SAVEPOINT tm_row", errstr, errstr_size);
        if (st != PG_OK) {
            json_decref(one);
            return st;
        }
        st = exec_rows(pg, sql, one, why, sizeof(why));
        json_decref(one);
        if (st == PG_OK) {
            st = pg_cmd(pg, "RELEASE SAVEPOINT tm_row", errstr, errstr_size);
        } else if (st == PG_DATA) {
            st = pg_cmd(pg, "ROLLBACK TO SAVEPOINT tm_row", errstr,
                        errstr_size);
            if (st != PG_OK)
                return st;
            snprintf(reason, sizeof(reason), "apply: %s", why);
            de->dead = 1;
            counts->dead_letters++;
            if (decode_dead_letter(dlq, &b->msgs[de->msg], reason, errstr,
                                   errstr_size) < 0)
                return PG_TRANSIENT;
        } else {
            snprintf(errstr, errstr_size, "%s", why);
        }
        if (st != PG_OK)
            return st;
    }
    return PG_OK;
}

/* Applies rows with sql in one statement, falling back to one by one. */
static pg_status_t exec_set(pg_t *pg, const char *sql, json_t *rows,
                            const size_t *ev_idx, const batch_t *b,
                            decoded_t *d, deadletter_t *dlq,
                            table_counts_t *counts, char *errstr,
                            size_t errstr_size)
{
    char why[512];
    pg_status_t st;

    if (json_array_size(rows) == 0)
        return PG_OK;
    st = pg_cmd(pg, "SAVEPOINT tm_set", errstr, errstr_size);
    if (st != PG_OK)
        return st;
    st = exec_rows(pg, sql, rows, why, sizeof(why));
    if (st == PG_OK)
        return pg_cmd(pg, "RELEASE SAVEPOINT tm_set", errstr, errstr_size);
    if (st != PG_DATA) {
        snprintf(errstr, errstr_size, "%s", why);
        return st;
    }
    st = pg_cmd(pg, "ROLLBACK TO SAVEPOINT tm_set", errstr, errstr_size);
    if (st != PG_OK)
        return st;
    return exec_one_by_one(pg, sql, rows, ev_idx, b, d, dlq, counts, errstr,
                           errstr_size);
}

/* The winners of ws's events, as dedupe items. */
static dedupe_item_t *winners(const batch_t *b, const decoded_t *d,
                              const worker_stream_t *ws, size_t *n_out)
{
    dedupe_item_t *items = malloc((d->n_events + 1) * sizeof(*items));
    size_t i, n = 0;

    if (!items)
        return NULL;
    for (i = 0; i < d->n_events; i++) {
        const decoded_event_t *de = &d->events[i];

        if (de->ws != ws)
            continue;
        items[n].id = de->ev->id;
        items[n].source_ts_ms = de->ev->source_ts_ms;
        items[n].partition = b->msgs[de->msg].partition;
        items[n].offset = b->msgs[de->msg].offset;
        items[n].index = i;
        n++;
    }
    *n_out = dedupe_latest(items, n);
    return items;
}

/* Splits the winners into the upsert and delete row arrays. */
static int build_rows(const batch_t *b, const decoded_t *d,
                      const worker_stream_t *ws, const dedupe_item_t *items,
                      size_t n, json_t *ups, size_t *up_idx, json_t *dels,
                      size_t *del_idx)
{
    size_t i, nu = 0, nd = 0;

    for (i = 0; i < n; i++) {
        const decoded_event_t *de = &d->events[items[i].index];
        json_t *row = table_event_row(ws->sc->id_field, de->ev,
                                      b->msgs[de->msg].partition,
                                      b->msgs[de->msg].offset);
        int del = de->ev->op == CHANGE_OP_DELETE;

        if (!row || json_array_append_new(del ? dels : ups, row) < 0)
            return -1;
        if (del)
            del_idx[nd++] = items[i].index;
        else
            up_idx[nu++] = items[i].index;
    }
    return 0;
}

pg_status_t table_apply(pg_t *pg, const batch_t *b, decoded_t *d,
                        const worker_stream_t *ws, deadletter_t *dlq,
                        table_counts_t *counts, char *errstr,
                        size_t errstr_size)
{
    size_t n = 0;
    dedupe_item_t *items = winners(b, d, ws, &n);
    size_t *up_idx = malloc((n + 1) * sizeof(size_t));
    size_t *del_idx = malloc((n + 1) * sizeof(size_t));
    json_t *ups = json_array(), *dels = json_array();
    pg_status_t st = PG_FATAL;

    snprintf(errstr, errstr_size, "out of memory");
    if (items && up_idx && del_idx && ups && dels &&
        build_rows(b, d, ws, items, n, ups, up_idx, dels, del_idx) == 0) {
        counts->upserts += json_array_size(ups);
        counts->deletes += json_array_size(dels);
        st = exec_set(pg, ws->sql.upsert, ups, up_idx, b, d, dlq, counts,
                      errstr, errstr_size);
        if (st == PG_OK)
            st = exec_set(pg, ws->sql.delete_rows, dels, del_idx, b, d, dlq,
                          counts, errstr, errstr_size);
    }
    json_decref(ups);
    json_decref(dels);
    free(items);
    free(up_idx);
    free(del_idx);
    return st;
}
