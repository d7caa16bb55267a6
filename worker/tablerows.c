/*
 * tablerows.c - see tablerows.h.
 */
#include "tablerows.h"

#include <stdlib.h>
#include <string.h>

#include "copyrow.h"
#include "dedupe.h"
#include "idkey.h"

int row_set_init(row_set_t *rs, size_t cap, const char *copy, const char *name, const char *sql)
{
    memset(rs, 0, sizeof(*rs));
    strbuf_init(&rs->text);
    rs->copy = copy;
    rs->name = name;
    rs->sql = sql;
    rs->end = calloc(cap + 1, sizeof(*rs->end));
    rs->ev = calloc(cap + 1, sizeof(*rs->ev));
    return rs->end && rs->ev ? 0 : -1;
}

void row_set_added(row_set_t *rs, size_t ev)
{
    rs->end[rs->n] = rs->text.len;
    rs->ev[rs->n] = ev;
    rs->n++;
}

void row_set_clear(row_set_t *rs)
{
    strbuf_clear(&rs->text);
    free(rs->end);
    free(rs->ev);
    memset(rs, 0, sizeof(*rs));
}

static int add_reject(table_rows_t *tr, size_t ev, const char *why)
{
    char *copy = strdup(why);

    if (!copy)
        return -1;
    tr->rejects[tr->n_rejects++] = (row_reject_t){ev, copy};
    return 0;
}

static void drop_rejects(table_rows_t *tr)
{
    for (size_t i = 0; i < tr->n_rejects; i++)
        free(tr->rejects[i].why);
    tr->n_rejects = 0;
}

/* The canonical key of each live event of tr->ws; an event whose id is not
 * of the id field's type, or whose after.<id> names another row, is
 * rejected (no key). */
static int event_keys(table_rows_t *tr, const decoded_t *d)
{
    const worker_stream_t *ws = tr->ws;
    const schema_field_t *idf = record_schema_field(ws->rs, ws->sc->id_field);
    char why[512];

    for (size_t i = 0; i < d->n_events; i++) {
        const decoded_event_t *de = &d->events[i];

        if (de->ws != ws || de->dead)
            continue;
        int rc = idkey_canonical(idf, de->ev->id, &tr->keys[i], why, sizeof(why));
        if (rc == -2)
            return -1;
        if (rc == 0 && de->ev->op == CHANGE_OP_UPSERT)
            rc = idkey_check_after(idf, tr->keys[i], de->ev->after, why, sizeof(why));
        if (rc < 0) {
            free(tr->keys[i]);
            tr->keys[i] = NULL;
            if (add_reject(tr, i, why) < 0)
                return -1;
        }
    }
    return 0;
}

/* The events of the round, winners (and the tried ones among them) first. */
static size_t round_winners(const table_rows_t *tr, const batch_t *b, const decoded_t *d,
                            dedupe_item_t *items)
{
    size_t n = 0;

    for (size_t i = 0; i < d->n_events; i++) {
        const decoded_event_t *de = &d->events[i];

        if (de->ws != tr->ws || de->dead || !tr->keys[i])
            continue;
        const batch_msg_t *m = &b->msgs[de->msg];
        items[n++] = (dedupe_item_t){.id = tr->keys[i],
                                     .source_ts_ms = de->ev->source_ts_ms,
                                     .produced_at_ms = de->ev->produced_at_ms,
                                     .partition = m->partition,
                                     .offset = m->offset,
                                     .index = i};
    }
    return dedupe_latest(items, n);
}

/* The round's rows, its rejects after those already held. */
static int build_round(table_rows_t *tr, const batch_t *b, const decoded_t *d)
{
    dedupe_item_t *items = malloc((d->n_events + 1) * sizeof(*items));
    int rc = 0;

    strbuf_truncate(&tr->ups.text, 0);
    strbuf_truncate(&tr->dels.text, 0);
    tr->ups.n = tr->dels.n = tr->n_tried = 0;
    if (!items)
        return -1;
    size_t w = round_winners(tr, b, d, items);
    for (size_t i = 0; rc == 0 && i < w; i++) {
        size_t ev = items[i].index;
        const change_event_t *e = d->events[ev].ev;
        row_set_t *rs = e->op == CHANGE_OP_DELETE ? &tr->dels : &tr->ups;

        if (tr->tried[ev])
            continue; /* applied in an earlier round */
        tr->tried[ev] = 1;
        tr->n_tried++;
        int cr = copyrow_event(&rs->text, &tr->ws->sql, e, items[i].partition, items[i].offset);
        if (cr == COPYROW_OK)
            row_set_added(rs, ev);
        else
            rc = cr == COPYROW_NUL ? add_reject(tr, ev, COPYROW_NUL_WHY) : -1;
    }
    free(items);
    return rc;
}

int table_rows_round(table_rows_t *tr, const batch_t *b, const decoded_t *d)
{
    drop_rejects(tr);
    return build_round(tr, b, d);
}

int table_rows_build(table_rows_t *tr, const batch_t *b, const decoded_t *d,
                     const worker_stream_t *ws)
{
    const stream_sql_t *ss = &ws->sql;

    memset(tr, 0, sizeof(*tr));
    tr->ws = ws;
    tr->n_events = d->n_events;
    tr->keys = calloc(d->n_events + 1, sizeof(*tr->keys));
    tr->tried = calloc(d->n_events + 1, 1);
    /* an event is rejected once at most: a key refused, or a row */
    tr->rejects = calloc(d->n_events + 1, sizeof(*tr->rejects));
    int ok = row_set_init(&tr->ups, d->n_events, ss->copy_rows, ss->upsert_name, ss->upsert) == 0;
    ok &=
        row_set_init(&tr->dels, d->n_events, ss->copy_keys, ss->delete_name, ss->delete_rows) == 0;
    if (!ok || !tr->keys || !tr->tried || !tr->rejects || event_keys(tr, d) < 0)
        return -1;
    return build_round(tr, b, d);
}

void table_rows_clear(table_rows_t *tr)
{
    if (tr->keys)
        for (size_t i = 0; i < tr->n_events; i++)
            free(tr->keys[i]);
    free(tr->keys);
    free(tr->tried);
    if (tr->rejects)
        drop_rejects(tr);
    free(tr->rejects);
    row_set_clear(&tr->ups);
    row_set_clear(&tr->dels);
    memset(tr, 0, sizeof(*tr));
}
