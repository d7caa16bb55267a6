/*
 * streams.h - what the worker needs per configured stream: its record
 * schema, change-event schema (for envelope_decode), topic name and SQL.
 *
 * Owns: every worker_stream_t in the set owns its schemas and SQL; the
 * stream_conf_t is borrowed from the tm_config_t, which must outlive the
 * set. Main thread only (an envelope_schema_t is not thread-safe).
 */
#ifndef TIDEMARK_WORKER_STREAMS_H
#define TIDEMARK_WORKER_STREAMS_H

#include <stddef.h>
#include "config.h"
#include "envelope.h"
#include "schema.h"
#include "sqlgen.h"

typedef struct worker_stream {
    const stream_conf_t *sc; /* borrowed */
    record_schema_t *rs;
    envelope_schema_t *es;
    char topic[256];
    stream_sql_t sql;
} worker_stream_t;

typedef struct worker_streams {
    worker_stream_t *items;
    size_t n;
} worker_streams_t;

/*
 * Loads every stream of conf. Returns 0, or -1 with errstr naming the
 * config file and stream ("tidemark.conf:14: [stream customers] schema:
 * ...") - a configuration error.
 */
int worker_streams_load(const tm_config_t *conf, worker_streams_t *out,
                        char *errstr, size_t errstr_size)
    __attribute__((warn_unused_result));

void worker_streams_clear(worker_streams_t *ws);

/* The stream whose topic is topic, or NULL. */
worker_stream_t *worker_streams_by_topic(const worker_streams_t *ws,
                                         const char *topic);

#endif
