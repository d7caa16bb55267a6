/*
 * tableapply.c - see tableapply.h.
 */
#include "tableapply.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dedupe.h"
#include "errstr.h"
#include "idkey.h"
#include "isotime.h"
#include "reject.h"

/* Completes row with what every row carries: "_produced_at",
 * "_kafka_partition", "_kafka_offset". bad != 0: an earlier set failed.
 * Returns row, or NULL (row released) on allocation failure. */
static json_t *finish_row(json_t *row, int bad, int64_t produced_at_ms, int32_t partition,
                          int64_t offset)
{
    char ts[ISOTIME_BUFSIZE];

    isotime_format(produced_at_ms, ts, sizeof(ts));
    bad |= json_object_set_new(row, "_produced_at", json_string(ts));
    bad |= json_object_set_new(row, "_kafka_partition", json_integer(partition));
    bad |= json_object_set_new(row, "_kafka_offset", json_integer(offset));
    if (bad) {
        json_decref(row);
        return NULL;
    }
    return row;
}

json_t *table_event_row(const char *id_field, const change_event_t *ev, int32_t partition,
                        int64_t offset)
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
    return finish_row(row, bad, ev->produced_at_ms, partition, offset);
}

/* The largest $1 of one statement (JSON text) and the most rows in it:
 * PostgreSQL refuses a jsonb value past 256 MiB (54000), and a statement
 * that fails is searched for its culprits by halves. */
#define STMT_MAX_BYTES ((size_t)64 << 20)
#define STMT_MAX_ROWS  5000

/* One statement's rows: their JSON texts and events. */
typedef struct row_set {
    const char *sql;
    char **texts;
    size_t *lens;
    size_t *ev; /* index into d->events */
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

/* "[row,row,...]" of rows [lo, hi); NULL when out of memory. */
static char *join_rows(const row_set_t *rs, size_t lo, size_t hi)
{
    size_t i, len = 2, at = 0;
    char *text;

    for (i = lo; i < hi; i++)
        len += rs->lens[i] + 1;
    if (!(text = malloc(len + 1)))
        return NULL;
    text[at++] = '[';
    for (i = lo; i < hi; i++) {
        if (i > lo)
            text[at++] = ',';
        memcpy(text + at, rs->texts[i], rs->lens[i]);
        at += rs->lens[i];
    }
    text[at++] = ']';
    text[at] = '\0';
    return text;
}

/*
 * Runs rows [lo, hi) in one statement under a savepoint. When the content
 * of a row fails it (PG_DATA), the savepoint is rolled back and each half
 * is tried on its own, down to the row that fails alone: that one is
 * dead-lettered, the others are applied.
 */
static outcome_t exec_range(table_ctx_t *tc, const row_set_t *rs, size_t lo, size_t hi,
                            char *errstr, size_t errstr_size)
{
    char why[512];
    char *text = join_rows(rs, lo, hi);
    const char *params[1] = {text};

    if (!text) {
        errstr_set(errstr, errstr_size, "out of memory encoding rows");
        return OUTCOME_FATAL;
    }
    pg_status_t st = pg_cmd(tc->pg, "SAVEPOINT tm_rows", errstr, errstr_size);
    if (st != PG_OK) {
        free(text);
        return outcome_from_pg(st);
    }
    st = pg_exec(tc->pg, rs->sql, 1, params, NULL, why, sizeof(why));
    free(text);
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
    size_t lo = 0, hi, bytes;

    while (st == OUTCOME_OK && lo < rs->n) {
        bytes = rs->lens[lo];
        for (hi = lo + 1;
             hi < rs->n && hi - lo < STMT_MAX_ROWS && bytes + rs->lens[hi] + 1 <= STMT_MAX_BYTES;
             hi++)
            bytes += rs->lens[hi] + 1;
        st = exec_range(tc, rs, lo, hi, errstr, errstr_size);
        lo = hi;
    }
    return st;
}

static void row_set_clear(row_set_t *rs)
{
    for (size_t i = 0; i < rs->n; i++)
        free(rs->texts[i]);
    free(rs->texts);
    free(rs->lens);
    free(rs->ev);
    memset(rs, 0, sizeof(*rs));
}

static int row_set_init(row_set_t *rs, const char *sql, size_t cap)
{
    memset(rs, 0, sizeof(*rs));
    rs->sql = sql;
    rs->texts = calloc(cap + 1, sizeof(*rs->texts));
    rs->lens = calloc(cap + 1, sizeof(*rs->lens));
    rs->ev = calloc(cap + 1, sizeof(*rs->ev));
    return rs->texts && rs->lens && rs->ev ? 0 : -1;
}

static int row_set_add(row_set_t *rs, json_t *row, size_t ev)
{
    char *text = json_dumps(row, JSON_COMPACT);

    if (!text)
        return -1;
    rs->texts[rs->n] = text;
    rs->lens[rs->n] = strlen(text);
    rs->ev[rs->n] = ev;
    rs->n++;
    return 0;
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
 * left. Fills ups and dels; tried[] marks what they hold.
 */
static int round_rows(const table_ctx_t *tc, const worker_stream_t *ws, char **keys,
                      unsigned char *tried, row_set_t *ups, row_set_t *dels)
{
    const decoded_t *d = tc->d;
    dedupe_item_t *items = malloc((d->n_events + 1) * sizeof(*items));
    size_t i, n = 0, w;
    int rc = 0;

    if (!items)
        return -1;
    for (i = 0; i < d->n_events; i++) {
        const decoded_event_t *de = &d->events[i];

        if (de->ws != ws || de->dead || !keys[i])
            continue;
        items[n].id = keys[i];
        items[n].source_ts_ms = de->ev->source_ts_ms;
        items[n].produced_at_ms = de->ev->produced_at_ms;
        items[n].partition = tc->b->msgs[de->msg].partition;
        items[n].offset = tc->b->msgs[de->msg].offset;
        items[n].index = i;
        n++;
    }
    w = dedupe_latest(items, n);
    for (i = 0; rc == 0 && i < w; i++) {
        size_t ev = items[i].index;
        const decoded_event_t *de = &d->events[ev];
        int del = de->ev->op == CHANGE_OP_DELETE;
        json_t *row;

        if (tried[ev])
            continue; /* applied in an earlier round */
        tried[ev] = 1;
        row = table_event_row(ws->sc->id_field, de->ev, tc->b->msgs[de->msg].partition,
                              tc->b->msgs[de->msg].offset);
        rc = row ? row_set_add(del ? dels : ups, row, ev) : -1;
        json_decref(row);
    }
    free(items);
    return rc;
}

json_t *table_tombstone_row(const char *id_field, const char *id, int32_t partition, int64_t offset,
                            int64_t timestamp_ms)
{
    json_t *row = json_object();

    if (!row)
        return NULL;
    int bad = json_object_set_new(row, id_field, json_string(id));
    /* no timestamp: produced at the epoch, before anything of another
     * partition (its own partition orders it by offset) */
    return finish_row(row, bad, timestamp_ms >= 0 ? timestamp_ms : 0, partition, offset);
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
    if (!items || !keys || row_set_init(&rs, ws->sql.tombstone_rows, d->n_tombs) < 0) {
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
        json_t *row = table_tombstone_row(ws->sc->id_field, items[i].id, m->partition, m->offset,
                                          m->timestamp);

        if (!row || row_set_add(&rs, row, d->n_events + items[i].index) < 0) {
            errstr_set(errstr, errstr_size, "out of memory");
            st = OUTCOME_FATAL;
        }
        json_decref(row);
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
    row_set_t ups, dels;
    outcome_t st = OUTCOME_FATAL;

    errstr_set(errstr, errstr_size, "out of memory");
    if (keys && tried)
        st = event_keys(&tc, ws, keys, errstr, errstr_size);
    while (st == OUTCOME_OK) {
        memset(&ups, 0, sizeof(ups));
        memset(&dels, 0, sizeof(dels));
        if (row_set_init(&ups, ws->sql.upsert, d->n_events) < 0 ||
            row_set_init(&dels, ws->sql.delete_rows, d->n_events) < 0 ||
            round_rows(&tc, ws, keys, tried, &ups, &dels) < 0) {
            errstr_set(errstr, errstr_size, "out of memory");
            st = OUTCOME_FATAL;
        } else if (ups.n + dels.n == 0) {
            break; /* every id has its newest valid event applied */
        } else {
            counts->upserts += ups.n;
            counts->deletes += dels.n;
            st = exec_set(&tc, &ups, errstr, errstr_size);
            if (st == OUTCOME_OK)
                st = exec_set(&tc, &dels, errstr, errstr_size);
        }
        row_set_clear(&ups);
        row_set_clear(&dels);
    }
    row_set_clear(&ups); /* after the break */
    row_set_clear(&dels);
    if (st == OUTCOME_OK && d->n_tombs > 0)
        st = apply_tombs(&tc, ws, errstr, errstr_size);
    for (size_t i = 0; keys && i < d->n_events; i++)
        free(keys[i]);
    free(keys);
    free(tried);
    return st;
}
