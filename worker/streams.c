/*
 * streams.c - see streams.h.
 */
#include "streams.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kafka_conf.h"
#include "stream_schema.h"

static int load_one(const tm_config_t *conf, const stream_conf_t *sc,
                    worker_stream_t *w, char *errstr, size_t errstr_size)
{
    char err[512];

    w->sc = sc;
    topic_for_stream(conf, sc->name, w->topic, sizeof(w->topic));
    if (stream_schema_load(conf, sc, &w->rs, &w->es, errstr, errstr_size) < 0)
        return -1;
    if (stream_sql_build(w->rs, sc->table, sc->id_field, conf->delete_mode,
                         &w->sql, err, sizeof(err)) < 0) {
        snprintf(errstr, errstr_size, "%s:%d: [stream %s] %s", conf->path,
                 sc->line, sc->name, err);
        return -1;
    }
    return 0;
}

int worker_streams_load(const tm_config_t *conf, worker_streams_t *out,
                        char *errstr, size_t errstr_size)
{
    size_t i;

    out->n = 0;
    out->items = calloc(conf->n_streams + 1, sizeof(*out->items));
    if (!out->items) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    for (i = 0; i < conf->n_streams; i++) {
        out->n++;
        if (load_one(conf, &conf->streams[i], &out->items[i], errstr,
                     errstr_size) < 0) {
            worker_streams_clear(out);
            return -1;
        }
    }
    return 0;
}

void worker_streams_clear(worker_streams_t *ws)
{
    size_t i;

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

worker_stream_t *worker_streams_by_topic(const worker_streams_t *ws,
                                         const char *topic)
{
    size_t i;

    for (i = 0; i < ws->n; i++)
        if (!strcmp(ws->items[i].topic, topic))
            return &ws->items[i];
    return NULL;
}
