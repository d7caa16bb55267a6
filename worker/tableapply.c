/*
 * tableapply.c - see tableapply.h.
 */
#include "tableapply.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "copyrow.h"
#include "dedupe.h"
#include "errstr.h"
#include "idkey.h"
#include "reject.h"

/* The most COPY text and rows of one statement: a statement that fails
 * is searched for its culprits by halves, and its text is held whole. */
#define STMT_MAX_BYTES ((size_t)64 << 20)
#define STMT_MAX_ROWS  5000

/* One set of rows to stage and apply: their COPY lines one after
 * another, and their events. */
typedef struct row_set {
    const char *copy;       /* the COPY that stages them */
    const char *name, *sql; /* the prepared statement that applies them */
    strbuf_t text;          /* the lines */
    size_t *end;            /* end[i]: where line i ends in text */
    size_t *ev;             /* index into d->events (n_events + t: tombstone t) */
    size_t n;
} row_set_t;

typedef struct table_ctx {
    pg_t *pg;
    const batch_t *b;
    decoded_t *d;
    dlq_queue_t *dlq;
    table_counts_t *counts;
} table_ctx_t;

/* ev: an index into d->events, or n_events + an index into d->tombs. */
static outcome_t dead_letter(table_ctx_t *tc, size_t ev, const char *why, char *errstr,
                             size_t errstr_size)
{
    const decoded_t *d = tc->d;
    size_t msg = ev < d->n_events ? d->events[ev].msg : d->tombs[ev - d->n_events].msg;
    int *dead = ev < d->n_events ? &d->events[ev].dead : &d->tombs[ev - d->n_events].dead;

    return reject_message(tc->dlq, &tc->b->msgs[msg], "apply", why, dead, &tc->counts->dead_letters,
                          errstr, errstr_size);
}

static size_t row_start(const row_set_t *rs, size_t i)
{
    return i ? rs->end[i - 1] : 0;
}

/* Stages rows [lo, hi) and applies them. */
static pg_status_t stage_and_apply(pg_t *pg, const row_set_t *rs, size_t lo, size_t hi, char *why,
                                   size_t why_size)
{
    size_t from = row_start(rs, lo);
    pg_status_t st =
        pg_copy_in(pg, rs->copy, rs->text.buf + from, rs->end[hi - 1] - from, why, why_size);

    if (st == PG_OK)
        st = pg_exec_prepared(pg, rs->name, rs->sql, 0, NULL, NULL, why, why_size);
    return st;
}

/*
 * Runs rows [lo, hi) in one statement under a savepoint. When the content
 * of a row fails it (PG_DATA), the savepoint is rolled back (the stage
 * with it) and each half is tried on its own, down to the row that fails
 * alone: that one is dead-lettered, the others are applied.
 */
static outcome_t exec_range(table_ctx_t *tc, const row_set_t *rs, size_t lo, size_t hi,
                            char *errstr, size_t errstr_size)
{
    char why[512];
    pg_status_t st = pg_cmd(tc->pg, "SAVEPOINT tm_rows", errstr, errstr_size);

    if (st != PG_OK)
        return outcome_from_pg(st);
    st = stage_and_apply(tc->pg, rs, lo, hi, why, sizeof(why));
    if (st == PG_OK)
        return outcome_from_pg(pg_cmd(tc->pg, "RELEASE SAVEPOINT tm_rows", errstr, errstr_size));
    if (st != PG_DATA) {
        errstr_set(errstr, errstr_size, "%s", why);
        return outcome_from_pg(st);
    }
    st = pg_cmd(tc->pg, "ROLLBACK TO SAVEPOINT tm_rows", errstr, errstr_size);
    if (st == PG_OK)
        st = pg_cmd(tc->pg, "RELEASE SAVEPOINT tm_rows", errstr, errstr_size);
    if (st != PG_OK)
        return outcome_from_pg(st);
    if (hi - lo == 1)
        return dead_letter(tc, rs->ev[lo], why, errstr, errstr_size);
    size_t mid = lo + (hi - lo) / 2;
    outcome_t oc = exec_range(tc, rs, lo, mid, errstr, errstr_size);
    return oc == OUTCOME_OK ? exec_range(tc, rs, mid, hi, errstr, errstr_size) : oc;
}

/* Applies rs in statements of at most STMT_MAX_BYTES and STMT_MAX_ROWS. */
static outcome_t exec_set(table_ctx_t *tc, const row_set_t *rs, char *errstr, size_t errstr_size)
{
    outcome_t st = OUTCOME_OK;

    for (size_t lo = 0, hi; st == OUTCOME_OK && lo < rs->n; lo = hi) {
        size_t from = row_start(rs, lo);

        for (hi = lo + 1;
             hi < rs->n && hi - lo < STMT_MAX_ROWS && rs->end[hi] - from <= STMT_MAX_BYTES; hi++)
            ;
        st = exec_range(tc, rs, lo, hi, errstr, errstr_size);
    }
    return st;
}

static void row_set_clear(row_set_t *rs)
{
    strbuf_clear(&rs->text);
    free(rs->end);
    free(rs->ev);
    memset(rs, 0, sizeof(*rs));
}

/* Room for cap rows; copy, name and sql say how they are applied. */
static int row_set_init(row_set_t *rs, size_t cap, const char *copy, const char *name,
                        const char *sql)
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

/* Empty again, for the next round. */
static void row_set_reset(row_set_t *rs)
{
    strbuf_truncate(&rs->text, 0);
    rs->n = 0;
}

/* The line just appended to rs->text is event ev's. */
static void row_set_added(row_set_t *rs, size_t ev)
{
    rs->end[rs->n] = rs->text.len;
    rs->ev[rs->n] = ev;
    rs->n++;
}

/*
 * The canonical key of each live event of ws (idkey.h) into keys[i] (NULL
 * for the others); an event whose id is not of the id field's type, or
 * whose after.<id> names another row, is dead-lettered.
 */
static outcome_t event_keys(table_ctx_t *tc, const worker_stream_t *ws, char **keys, char *errstr,
                            size_t errstr_size)
{
    const schema_field_t *idf = record_schema_field(ws->rs, ws->sc->id_field);
    char why[512];
    outcome_t st = OUTCOME_OK;

    for (size_t i = 0; st == OUTCOME_OK && i < tc->d->n_events; i++) {
        decoded_event_t *de = &tc->d->events[i];
        int rc;

        if (de->ws != ws || de->dead)
            continue;
        rc = idkey_canonical(idf, de->ev->id, &keys[i], why, sizeof(why));
        if (rc == -2) {
            errstr_set(errstr, errstr_size, "out of memory");
            return OUTCOME_FATAL;
        }
        if (rc == 0 && de->ev->op == CHANGE_OP_UPSERT)
            rc = idkey_check_after(idf, keys[i], de->ev->after, why, sizeof(why));
        if (rc < 0) {
            free(keys[i]);
            keys[i] = NULL;
            st = dead_letter(tc, i, why, errstr, errstr_size);
        }
    }
    return st;
}

/*
 * One round: the newest live event of every id whose newest live event
 * was not tried yet. Round one takes the newest of each id; a later round
 * takes, for an id whose newest was dead-lettered, the newest valid one
 * left. Fills ups and dels; tried[] marks what they hold, *n_tried counts
 * it (a row PostgreSQL text cannot hold is dead-lettered here: tried, in
 * neither set).
 */
static outcome_t round_rows(table_ctx_t *tc, const worker_stream_t *ws, char **keys,
                            unsigned char *tried, row_set_t *ups, row_set_t *dels, size_t *n_tried,
                            char *errstr, size_t errstr_size)
{
    const decoded_t *d = tc->d;
    dedupe_item_t *items = malloc((d->n_events + 1) * sizeof(*items));
    size_t n = 0;
    outcome_t oc = OUTCOME_OK;

    *n_tried = 0;
    errstr_set(errstr, errstr_size, "out of memory");
    if (!items)
        return OUTCOME_FATAL;
    for (size_t i = 0; i < d->n_events; i++) {
        const decoded_event_t *de = &d->events[i];

        if (de->ws != ws || de->dead || !keys[i])
            continue;
        const batch_msg_t *m = &tc->b->msgs[de->msg];
        items[n++] = (dedupe_item_t){.id = keys[i],
                                     .source_ts_ms = de->ev->source_ts_ms,
                                     .produced_at_ms = de->ev->produced_at_ms,
                                     .partition = m->partition,
                                     .offset = m->offset,
                                     .index = i};
    }
    size_t w = dedupe_latest(items, n);
    for (size_t i = 0; oc == OUTCOME_OK && i < w; i++) {
        size_t ev = items[i].index;
        const decoded_event_t *de = &d->events[ev];
        row_set_t *rs = de->ev->op == CHANGE_OP_DELETE ? dels : ups;

        if (tried[ev])
            continue; /* applied in an earlier round */
        tried[ev] = 1;
        (*n_tried)++;
        int rc = copyrow_event(&rs->text, &ws->sql, de->ev, items[i].partition, items[i].offset);
        if (rc == COPYROW_OK)
            row_set_added(rs, ev);
        else if (rc == COPYROW_NUL)
            oc = dead_letter(tc, ev, COPYROW_NUL_WHY, errstr, errstr_size);
        else
            oc = OUTCOME_FATAL;
    }
    free(items);
    return oc;
}

/*
 * The Kafka tombstones of ws, after its events (their statement orders
 * them against whatever the events left): the latest per key, by (Kafka
 * timestamp, partition, offset). A tombstone whose key is not of the id
 * field's type is dead-lettered; one whose statement fails alone too
 * (exec_set) is dead-lettered as an event would be, through the event
 * index space: rs->ev holds n_events + t for tombstone t.
 */
static outcome_t apply_tombs(table_ctx_t *tc, const worker_stream_t *ws, char *errstr,
                             size_t errstr_size)
{
    const schema_field_t *idf = record_schema_field(ws->rs, ws->sc->id_field);
    decoded_t *d = tc->d;
    dedupe_item_t *items = calloc(d->n_tombs + 1, sizeof(*items));
    char **keys = calloc(d->n_tombs + 1, sizeof(*keys));
    outcome_t st = OUTCOME_OK;
    row_set_t rs;
    size_t i, n = 0, w;
    char why[512];

    memset(&rs, 0, sizeof(rs));
    if (!items || !keys ||
        row_set_init(&rs, d->n_tombs, ws->sql.copy_keys, ws->sql.tombstone_name,
                     ws->sql.tombstone_rows) < 0) {
        errstr_set(errstr, errstr_size, "out of memory");
        st = OUTCOME_FATAL;
    }
    for (i = 0; st == OUTCOME_OK && i < d->n_tombs; i++) {
        const decoded_tomb_t *dt = &d->tombs[i];
        const batch_msg_t *m = &tc->b->msgs[dt->msg];
        int rc;

        if (dt->ws != ws || dt->dead)
            continue;
        rc = idkey_canonical(idf, dt->id, &keys[i], why, sizeof(why));
        if (rc == -2) {
            errstr_set(errstr, errstr_size, "out of memory");
            st = OUTCOME_FATAL;
        } else if (rc < 0) {
            st = dead_letter(tc, d->n_events + i, why, errstr, errstr_size);
        } else {
            items[n].id = keys[i];
            items[n].produced_at_ms = m->timestamp;
            items[n].partition = m->partition;
            items[n].offset = m->offset;
            items[n].index = i;
            n++;
        }
    }
    w = st == OUTCOME_OK ? dedupe_latest(items, n) : 0;
    for (i = 0; st == OUTCOME_OK && i < w; i++) {
        const batch_msg_t *m = &tc->b->msgs[d->tombs[items[i].index].msg];

        if (copyrow_tombstone(&rs.text, items[i].id, m->partition, m->offset, m->timestamp) < 0) {
            errstr_set(errstr, errstr_size, "out of memory");
            st = OUTCOME_FATAL;
        } else {
            row_set_added(&rs, d->n_events + items[i].index);
        }
    }
    if (st == OUTCOME_OK) {
        tc->counts->deletes += rs.n;
        st = exec_set(tc, &rs, errstr, errstr_size);
    }
    row_set_clear(&rs);
    for (i = 0; keys && i < d->n_tombs; i++)
        free(keys[i]);
    free(keys);
    free(items);
    return st;
}

outcome_t table_apply(pg_t *pg, const batch_t *b, decoded_t *d, const worker_stream_t *ws,
                      dlq_queue_t *dlq, table_counts_t *counts, char *errstr, size_t errstr_size)
{
    table_ctx_t tc = {pg, b, d, dlq, counts};
    char **keys = calloc(d->n_events + 1, sizeof(*keys));
    unsigned char *tried = calloc(d->n_events + 1, 1);
    const stream_sql_t *ss = &ws->sql;
    row_set_t ups, dels;
    outcome_t st = OUTCOME_FATAL;

    errstr_set(errstr, errstr_size, "out of memory");
    int ok = row_set_init(&ups, d->n_events, ss->copy_rows, ss->upsert_name, ss->upsert) == 0;
    ok &= row_set_init(&dels, d->n_events, ss->copy_keys, ss->delete_name, ss->delete_rows) == 0;
    if (ok && keys && tried)
        st = event_keys(&tc, ws, keys, errstr, errstr_size);
    while (st == OUTCOME_OK) {
        size_t n_tried;

        row_set_reset(&ups);
        row_set_reset(&dels);
        st = round_rows(&tc, ws, keys, tried, &ups, &dels, &n_tried, errstr, errstr_size);
        if (st != OUTCOME_OK || n_tried == 0)
            break; /* every id has its newest valid event applied */
        counts->upserts += ups.n;
        counts->deletes += dels.n;
        st = exec_set(&tc, &ups, errstr, errstr_size);
        if (st == OUTCOME_OK)
            st = exec_set(&tc, &dels, errstr, errstr_size);
    }
    row_set_clear(&ups);
    row_set_clear(&dels);
    if (st == OUTCOME_OK && d->n_tombs > 0)
        st = apply_tombs(&tc, ws, errstr, errstr_size);
    for (size_t i = 0; keys && i < d->n_events; i++)
        free(keys[i]);
    free(keys);
    free(tried);
    return st;
}

pg_status_t table_stages_create(pg_t *pg, const worker_streams_t *ws, char *errstr,
                                size_t errstr_size)
{
    pg_status_t st = PG_OK;

    for (size_t i = 0; st == PG_OK && i < ws->n; i++)
        st = pg_cmd(pg, ws->items[i].sql.create_stage, errstr, errstr_size);
    return st;
}
