/*
 * streams.c - see streams.h.
 */
#include "errstr.h"
#include "streams.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "schematopic.h"
#include "stream_schema.h"
#include "topics.h"
#include "wireframe.h"

/*
 * Whether a stream other than sc may write sc's table: one whose table
 * has the same name, in any schema. Compared as spelt, "customers" and
 * "public.customers" were two tables, and each stream's tombstones were
 * weighed by the other topic's offsets: a restored row was deleted. Which
 * schema a bare name lands in is the search_path's to say, so a same name
 * counts as shared; for two tables that are not, the shared guard (by
 * order of production) is the one two partitions of a topic get anyway.
 */
static int table_shared(const tm_config_t *conf, const stream_conf_t *sc)
{
    for (size_t i = 0; i < conf->n_streams; i++)
        if (&conf->streams[i] != sc &&
            !strcmp(config_table_name(conf->streams[i].table), config_table_name(sc->table)))
            return 1;
    return 0;
}

static int load_one(const tm_config_t *conf, const stream_conf_t *sc, worker_stream_t *w,
                    char *errstr, size_t errstr_size)
{
    char err[512];

    w->sc = sc;
    topic_for_stream(conf, sc->name, w->topic, sizeof(w->topic));
    if (stream_schema_load(conf, sc, &w->rs, &w->es, errstr, errstr_size) < 0)
        return -1;
    if (stream_sql_build(w->rs, sc->table, sc->id_field, conf->delete_mode, table_shared(conf, sc),
                         &w->sql, err, sizeof(err)) < 0) {
        errstr_set(errstr, errstr_size, "%s:%d: [stream %s] %s", conf->path, sc->line, sc->name,
                   err);
        return -1;
    }
    w->sql.stream = sc->name;
    w->sql.topic = w->topic;
    return 0;
}

int worker_streams_load(const tm_config_t *conf, worker_streams_t *out, char *errstr,
                        size_t errstr_size)
{
    size_t i;

    memset(out, 0, sizeof(*out));
    out->items = calloc(conf->n_streams + 1, sizeof(*out->items));
    if (!out->items) {
        errstr_set(errstr, errstr_size, "out of memory");
        return -1;
    }
    for (i = 0; i < conf->n_streams; i++) {
        out->n++;
        if (load_one(conf, &conf->streams[i], &out->items[i], errstr, errstr_size) < 0) {
            worker_streams_clear(out);
            return -1;
        }
    }
    /* nothing is read here: see worker_streams_read_writers() */
    if (schematopic_new(conf, &out->writers, errstr, errstr_size) < 0 ||
        registry_source_new(conf, &out->ids, errstr, errstr_size) < 0) {
        worker_streams_clear(out);
        return -1;
    }
    return 0;
}

static void warn_unreadable(const worker_stream_t *w, const char *ref, const char *err)
{
    char q[800];

    log_warn("a writer schema of this stream cannot be read as its "
             "current schema; its events will be dead-lettered",
             "stream=%s %s error=%s", w->sc->name, ref, log_quote(q, sizeof(q), err));
}

typedef struct learn_ctx {
    worker_streams_t *ws;
    size_t added, refused;
    const tm_config_t *conf;
    char conflict[1024]; /* the first stream whose own fingerprint means another schema */
} learn_ctx_t;

/* A schema json the topic holds under w's own fingerprint fp (its latest
 * value or an earlier one, each is listed), when it means something else
 * (envelope_same_meaning()): the events written with it would be read
 * with w's meaning. Noted in ctx. */
static void check_own(learn_ctx_t *ctx, const worker_stream_t *w, uint64_t fp, const char *json)
{
    char err[600], topic[512];

    if (ctx->conflict[0] || !strcmp(json, envelope_schema_json(w->es)) ||
        envelope_same_meaning(w->es, json, err, sizeof(err)) == 0)
        return;
    topic_schemas(ctx->conf, topic, sizeof(topic));
    errstr_set(ctx->conflict, sizeof(ctx->conflict),
               "%s:%d: [stream %s] schema: %s holds the schema of its fingerprint (%016" PRIx64
               ") with another meaning: %s. " ENVELOPE_SAME_MEANING_ADVICE,
               ctx->conf->path, w->sc->line, w->sc->name, topic, fp, err);
}

static void learn_one(void *vctx, uint64_t fp, const char *json)
{
    learn_ctx_t *ctx = vctx;
    char err[600], ref[64];

    for (size_t i = 0; i < ctx->ws->n; i++) {
        worker_stream_t *w = &ctx->ws->items[i];

        if (!envelope_same_record(w->es, json))
            continue;
        /* with a registry, events name their schema by its id */
        if (fp == envelope_schema_fingerprint(w->es) && !ctx->conf->registry_url)
            check_own(ctx, w, fp, json);
        if (envelope_knows_writer(w->es, fp))
            continue;
        if (envelope_add_writer(w->es, json, NULL, err, sizeof(err)) == 0) {
            ctx->added++;
            continue;
        }
        ctx->refused++;
        snprintf(ref, sizeof(ref), "fingerprint=%016" PRIx64, fp);
        warn_unreadable(w, ref, err);
    }
}

int worker_streams_read_writers(const tm_config_t *conf, worker_streams_t *ws, char *errstr,
                                size_t errstr_size)
{
    learn_ctx_t ctx = {ws, 0, 0, conf, ""};
    char err[512], q[600];

    if (!ws->writers.each)
        return 0;
    if (ws->writers.each(ws->writers.impl, learn_one, &ctx, err, sizeof(err)) != 0) {
        log_warn("cannot read the writer schemas now; will retry when an event needs one. "
                 "The streams' schemas were not compared with the ones their fingerprints "
                 "stand for there (the producer compares them before it writes)",
                 "error=%s", log_quote(q, sizeof(q), err));
        return 0;
    }
    if (ctx.conflict[0]) {
        errstr_set(errstr, errstr_size, "%s", ctx.conflict);
        return -1;
    }
    log_info("writer schemas loaded", "added=%zu unreadable=%zu", ctx.added, ctx.refused);
    return 0;
}

/* A single-object-encoded message written with fingerprint fp. */
static int learn_writer_fp(const worker_streams_t *ws, worker_stream_t *w, uint64_t fp,
                           char *errstr, size_t errstr_size)
{
    char *json = NULL, err[600], ref[64];

    if (!ws->writers.lookup || envelope_knows_writer(w->es, fp))
        return 0;
    int rc = schema_source_lookup((schema_source_t *)&ws->writers, fp, &json, errstr, errstr_size);
    if (rc <= 0)
        return rc; /* 0: unknown everywhere, the decoder says so */
    snprintf(ref, sizeof(ref), "fingerprint=%016" PRIx64, fp);
    if (envelope_add_writer(w->es, json, NULL, err, sizeof(err)) == 0)
        log_info("writer schema added", "stream=%s %s", w->sc->name, ref);
    else
        warn_unreadable(w, ref, err);
    free(json);
    return 0;
}

/* A message in the Confluent wire format written with registry id id. */
static int learn_writer_id(const worker_streams_t *ws, worker_stream_t *w, uint32_t id,
                           char *errstr, size_t errstr_size)
{
    char *json = NULL, err[600], why[700], ref[64], q[700];

    if (envelope_knows_writer_id(w->es, id))
        return 0;
    if (!ws->ids.fetch)
        return envelope_refuse_writer_id(
            w->es, id, "no [schema_registry] is configured to look the id up", errstr, errstr_size);
    snprintf(ref, sizeof(ref), "schema_id=%" PRIu32, id);
    sr_status_t st = ws->ids.fetch(ws->ids.impl, id, &json, err, sizeof(err));
    switch (st) {
    case SR_OK:
        break;
    case SR_NOT_FOUND: /* the registry's ids are stable: remembered */
    case SR_UNUSABLE:
        snprintf(why, sizeof(why), "the Schema Registry %s (%s)",
                 st == SR_NOT_FOUND ? "does not know it" : "has no Avro schema for it", err);
        log_warn("a Schema Registry id whose schema cannot be had; its events will be "
                 "dead-lettered",
                 "stream=%s %s error=%s", w->sc->name, ref, log_quote(q, sizeof(q), err));
        return envelope_refuse_writer_id(w->es, id, why, errstr, errstr_size);
    case SR_NOT_FOUND_YET:
        errstr_set(errstr, errstr_size,
                   "decode: written with Schema Registry id %" PRIu32
                   " (Confluent wire format), which the Schema Registry does not know: %s",
                   id, err);
        return WORKER_LEARN_DEAD;
    case SR_UNAVAILABLE:
        errstr_set(errstr, errstr_size, "%s", err);
        return -1;
    default: /* SR_REFUSED */
        errstr_set(errstr, errstr_size, "%s", err);
        return WORKER_LEARN_REFUSED;
    }
    if (envelope_add_writer_id(w->es, id, json, err, sizeof(err)) == 0)
        log_info("writer schema added", "stream=%s %s", w->sc->name, ref);
    else
        warn_unreadable(w, ref, err);
    free(json);
    return 0;
}

int worker_streams_learn_writer(const worker_streams_t *ws, worker_stream_t *w, const void *value,
                                size_t len, char *errstr, size_t errstr_size)
{
    wire_schema_ref_t ref;
    const unsigned char *body;
    size_t body_len;

    if (wire_decode(value, len, &ref, &body, &body_len, NULL, 0) != WIRE_OK)
        return 0; /* the decoder says what is wrong */
    if (ref.framing == WIRE_CONFLUENT)
        return learn_writer_id(ws, w, ref.schema_id, errstr, errstr_size);
    return learn_writer_fp(ws, w, ref.fingerprint, errstr, errstr_size);
}

void worker_streams_clear(worker_streams_t *ws)
{
    size_t i;

    schema_source_destroy(&ws->writers);
    memset(&ws->writers, 0, sizeof(ws->writers));
    registry_source_destroy(&ws->ids);
    for (i = 0; i < ws->n; i++) {
        worker_stream_t *w = &ws->items[i];

        stream_sql_clear(&w->sql);
        envelope_schema_destroy(w->es);
        record_schema_destroy(w->rs);
    }
    free(ws->items);
    ws->items = NULL;
    ws->n = 0;
}

const worker_stream_t *worker_streams_by_name(const worker_streams_t *ws, const char *name)
{
    for (size_t i = 0; name && i < ws->n; i++)
        if (!strcmp(ws->items[i].sc->name, name))
            return &ws->items[i];
    return NULL;
}

char *worker_streams_tables_json(const worker_streams_t *ws)
{
    json_t *o = json_object();
    char *text = NULL;
    int bad = !o;

    for (size_t i = 0; !bad && i < ws->n; i++)
        bad = json_object_set_new(o, ws->items[i].topic, json_string(ws->items[i].sql.table)) < 0;
    if (!bad)
        text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return text;
}

worker_stream_t *worker_streams_by_topic(const worker_streams_t *ws, const char *topic)
{
    size_t i;

    for (i = 0; i < ws->n; i++)
        if (!strcmp(ws->items[i].topic, topic))
            return &ws->items[i];
    return NULL;
}
