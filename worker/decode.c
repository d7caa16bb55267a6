/*
 * decode.c - see decode.h.
 */
#include "errstr.h"
#include "decode.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rowsahead.h"
#include "utf8.h"

int decode_dead_letter(dlq_queue_t *dlq, const batch_msg_t *m, const char *error, char *errstr,
                       size_t errstr_size)
{
    return dlq_queue_add(dlq, m->key, m->key_len, m->value, m->value_len, error, m->topic,
                         m->partition, m->offset, errstr, errstr_size);
}

/* d->events and d->tombs have room for every message of the batch
 * (decode_batch): no reallocation per message. */
static void add_event(decoded_t *d, size_t msg, const worker_stream_t *ws, change_event_t *ev)
{
    decoded_event_t *ne = d->events;

    ne[d->n_events].msg = msg;
    ne[d->n_events].ws = ws;
    ne[d->n_events].ev = ev;
    ne[d->n_events].dead = 0;
    d->n_events++;
}

/* A tombstone of stream w: 0 added, 1 its key is unusable (why set), -1
 * out of memory. */
static int add_tomb(decoded_t *d, size_t msg, const worker_stream_t *w, const batch_msg_t *m,
                    char *why, size_t why_size)
{
    decoded_tomb_t *nt = d->tombs;
    json_t *probe;
    char *id;

    if (!m->key) {
        snprintf(why, why_size, "decode: a tombstone without a key");
        return 1;
    }
    if (memchr(m->key, '\0', m->key_len) ||
        !(probe = json_stringn((const char *)m->key, m->key_len))) {
        snprintf(why, why_size, "decode: a tombstone whose key is not UTF-8 text");
        return 1;
    }
    json_decref(probe);
    if (!(id = strndup((const char *)m->key, m->key_len)))
        return -1;
    nt[d->n_tombs].msg = msg;
    nt[d->n_tombs].ws = w;
    nt[d->n_tombs].id = id;
    nt[d->n_tombs].dead = 0;
    d->n_tombs++;
    return 0;
}

static int add_run(decoded_t *d, size_t msg, run_record_t *rr, int not_configured)
{
    decoded_run_t *nr = realloc(d->runs, (d->n_runs + 1) * sizeof(*nr));

    if (!nr)
        return -1;
    d->runs = nr;
    nr[d->n_runs].msg = msg;
    nr[d->n_runs].rr = rr;
    nr[d->n_runs].not_configured = not_configured;
    d->n_runs++;
    return 0;
}

/* A field whose name PostgreSQL cuts to 63 bytes goes under the name of
 * its column (tableschema.h allowed it only where that column exists):
 * jsonb_populate_recordset() matches keys to columns exactly. */
static int rename_cut_fields(const worker_stream_t *w, change_event_t *ev)
{
    for (size_t i = 0; ev->after && i < w->sql.n_columns; i++) {
        const sql_column_t *c = &w->sql.columns[i];
        json_t *v;

        if (!strcmp(c->field, c->column) || !(v = json_object_get(ev->after, c->field)))
            continue;
        if (json_object_set(ev->after, c->column, v) != 0 ||
            json_object_del(ev->after, c->field) != 0)
            return -1;
    }
    return 0;
}

/* A dead letter held in d until decoded_queue_rejects(). */
static int add_reject(decoded_t *d, size_t msg, const char *reason, char *errstr,
                      size_t errstr_size)
{
    decoded_reject_t *nr = realloc(d->rejects, (d->n_rejects + 1) * sizeof(*nr));

    if (nr)
        d->rejects = nr;
    if (!nr || !(nr[d->n_rejects].reason = strdup(reason))) {
        errstr_set(errstr, errstr_size, "out of memory");
        return -1;
    }
    nr[d->n_rejects++].msg = msg;
    return 0;
}

/* Whether run record rr's message is keyed by its stream, as the producer
 * writes it (a message without a key is taken as it is). Else 0 with why:
 * a record filed under one stream's key and naming another would be taken
 * for the other's. */
static int run_keyed_by_stream(const batch_msg_t *m, const run_record_t *rr, char *why,
                               size_t why_size)
{
    const char *stream = rr->stream ? rr->stream : "";
    size_t stream_len = strlen(stream);
    if (!m->key || (m->key_len == stream_len && !memcmp(m->key, stream, m->key_len)))
        return 1;
    errstr_set(why, why_size, "run record: its stream '%.*s%s' is not its key '%.*s%s'",
               UTF8_SHOWN_N(stream, stream_len), UTF8_SHOWN_N((const char *)m->key, m->key_len));
    return 0;
}

/* Decodes message i; its dead letter, if any, into dlq (defer: into
 * out->rejects). Returns 0 (decoded, skipped or dead-lettered), or -1 or
 * DECODE_REFUSED with errstr set (decode_batch). */
static int decode_one(const batch_t *b, size_t i, const worker_streams_t *ws,
                      const char *sync_runs_topic, dlq_queue_t *dlq, int defer, decoded_t *out,
                      char *errstr, size_t errstr_size)
{
    const batch_msg_t *m = &b->msgs[i];
    char why[512], reason[600];
    worker_stream_t *w;
    const worker_stream_t *event_of = NULL; /* a change event of this stream's */

    if (!m->value) {
        int rc;

        if (!(w = worker_streams_by_topic(ws, m->topic)))
            return 0; /* not a stream's: nothing to delete */
        rc = add_tomb(out, i, w, m, reason, sizeof(reason));
        if (rc < 0) {
            errstr_set(errstr, errstr_size, "out of memory");
            return -1;
        }
        if (rc == 0)
            return 0;
    } else if (!strcmp(m->topic, sync_runs_topic)) {
        if (run_chunk_key_stream(m->key, m->key_len))
            return 0; /* a checkpoint chunk: the producer's, not a run */
        run_record_t *rr = run_record_from_json(m->value, m->value_len, why, sizeof(why));
        if (rr && !run_keyed_by_stream(m, rr, why, sizeof(why))) {
            run_record_destroy(rr);
            rr = NULL;
        }
        if (rr) {
            /* another configuration's stream (another database's worker,
             * a member of this group not yet given the stream): kept
             * aside, not running (metadata.h) */
            if (add_run(out, i, rr, !worker_streams_by_name(ws, rr->stream)) == 0)
                return 0;
            run_record_destroy(rr);
            errstr_set(errstr, errstr_size, "out of memory");
            return -1;
        }
        snprintf(reason, sizeof(reason), "%s", why); /* it names the run record */
    } else if ((w = worker_streams_by_topic(ws, m->topic))) {
        /* another version of the stream's schema: look it up first */
        int rc = worker_streams_learn_writer(ws, w, m->value, m->value_len, errstr, errstr_size);
        if (rc < 0)
            return rc; /* -1 transient, or DECODE_REFUSED */
        if (rc == WORKER_LEARN_DEAD)
            errstr_set(why, sizeof(why), "%s", errstr);
        json_arena_t *prev = json_arena_enter(out->arena);
        change_event_t *ev = rc == WORKER_LEARN_DEAD
                                 ? NULL
                                 : envelope_decode(w->es, m->value, m->value_len, why, sizeof(why));
        int renamed = ev ? rename_cut_fields(w, ev) : -1;
        if (ev && renamed != 0)
            change_event_destroy(ev);
        json_arena_leave(prev);
        if (ev) {
            if (renamed == 0) {
                add_event(out, i, w, ev);
                return 0;
            }
            errstr_set(errstr, errstr_size, "out of memory");
            return -1;
        }
        snprintf(reason, sizeof(reason), "%s", why); /* says "decode: " */
        event_of = w;
    } else {
        return 0; /* not subscribed by this configuration */
    }
    out->dead_letters++;
    /* a header names a run only in the form the stream's producer writes */
    char run[BATCH_RUN_ID_MAX + 1];
    if (event_of && batch_msg_run_id(m, run, sizeof(run)) &&
        run_id_is_of_stream(run, event_of->sc->name)) {
        decoded_lost_t *l = &out->lost[out->n_lost];
        if (!(l->run_id = strdup(run))) {
            errstr_set(errstr, errstr_size, "out of memory");
            return -1;
        }
        l->msg = i;
        l->ws = event_of;
        out->n_lost++;
    }
    if (defer)
        return add_reject(out, i, reason, errstr, errstr_size);
    return decode_dead_letter(dlq, m, reason, errstr, errstr_size);
}

static int decode_all(const batch_t *b, const worker_streams_t *ws, const char *sync_runs_topic,
                      dlq_queue_t *dlq, int defer, decoded_t *out, char *errstr, size_t errstr_size)
{
    size_t i;

    memset(out, 0, sizeof(*out));
    out->events = malloc((b->n + 1) * sizeof(*out->events));
    out->tombs = malloc((b->n + 1) * sizeof(*out->tombs));
    out->lost = malloc((b->n + 1) * sizeof(*out->lost));
    out->arena = json_arena_new();
    if (!out->events || !out->tombs || !out->lost || !out->arena) {
        errstr_set(errstr, errstr_size, "out of memory");
        return -1;
    }
    for (i = 0; i < b->n; i++) {
        int rc = decode_one(b, i, ws, sync_runs_topic, dlq, defer, out, errstr, errstr_size);
        if (rc < 0)
            return rc;
    }
    return 0;
}

int decode_batch(const batch_t *b, const worker_streams_t *ws, const char *sync_runs_topic,
                 dlq_queue_t *dlq, decoded_t *out, char *errstr, size_t errstr_size)
{
    return decode_all(b, ws, sync_runs_topic, dlq, 0, out, errstr, errstr_size);
}

int decode_batch_deferred(const batch_t *b, const worker_streams_t *ws, const char *sync_runs_topic,
                          decoded_t *out, char *errstr, size_t errstr_size)
{
    return decode_all(b, ws, sync_runs_topic, NULL, 1, out, errstr, errstr_size);
}

int decoded_queue_rejects(const batch_t *b, const decoded_t *d, dlq_queue_t *dlq, char *errstr,
                          size_t errstr_size)
{
    for (size_t i = 0; i < d->n_rejects; i++)
        if (decode_dead_letter(dlq, &b->msgs[d->rejects[i].msg], d->rejects[i].reason, errstr,
                               errstr_size) < 0)
            return -1;
    return 0;
}

void decoded_clear(decoded_t *d)
{
    size_t i;

    for (i = 0; i < d->n_rejects; i++)
        free(d->rejects[i].reason);
    free(d->rejects);

    for (i = 0; i < d->n_events; i++) {
        /* the rows go with their arena, all at once (not one by one
         * through free(), which must never see an arena's block) */
        if (json_arena_owns(d->arena, d->events[i].ev->after))
            d->events[i].ev->after = NULL;
        change_event_destroy(d->events[i].ev);
    }
    for (i = 0; i < d->n_runs; i++)
        run_record_destroy(d->runs[i].rr);
    for (i = 0; i < d->n_tombs; i++)
        free(d->tombs[i].id);
    for (i = 0; i < d->n_lost; i++)
        free(d->lost[i].run_id);
    free(d->events);
    free(d->tombs);
    free(d->lost);
    free(d->runs);
    rows_ahead_free(d->ahead);
    json_arena_destroy(d->arena);
    memset(d, 0, sizeof(*d));
}
