/*
 * streams.h - what the worker needs per configured stream: its record
 * schema, change-event schema (for envelope_decode), topic name and SQL.
 *
 * Owns: every worker_stream_t in the set owns its schemas and SQL; the
 * set owns the writer-schema sources; the stream_conf_t is borrowed from
 * the tm_config_t, which must outlive the set. One thread at a time (an
 * envelope_schema_t is not thread-safe): the main thread, or the
 * decode-ahead thread's decode (decode.h).
 */
#ifndef TIDEMARK_WORKER_STREAMS_H
#define TIDEMARK_WORKER_STREAMS_H

#include "compiler.h"
#include <stddef.h>
#include "config.h"
#include "envelope.h"
#include "schema.h"
#include "registrysource.h"
#include "schemasource.h"
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
    /* where the writer schemas of events not written with a stream's
     * current schema are found (<prefix>.schemas); lookup NULL: nowhere */
    schema_source_t writers;
    /* where the writer schemas of events in the Confluent wire format are
     * found by registry id ([schema_registry]); fetch NULL: nowhere */
    registry_source_t ids;
} worker_streams_t;

/*
 * Loads every stream of conf. Returns 0, or -1 with errstr naming the
 * config file and stream ("tidemark.conf:14: [stream customers] schema:
 * ...") - a configuration error.
 */
int worker_streams_load(const tm_config_t *conf, worker_streams_t *out, char *errstr,
                        size_t errstr_size) TM_WARN_UNUSED;

void worker_streams_clear(worker_streams_t *ws);

/*
 * Reads the writer schemas known now and adds to each stream those of its
 * record (envelope_add_writer), so that the backlog decodes without a
 * lookup; one that cannot be read as the stream's schema is logged at warn
 * (its events will be dead-lettered with the reason). A source that
 * cannot be read is only warned about: lookups retry it. Main thread.
 * Fails (-1, errstr naming the config file, line and stream) only when
 * the source holds a schema under a stream's own fingerprint that means
 * something else (envelope_same_meaning()), its latest or an earlier
 * value still on the topic: the worker would read the
 * events written with it with its own meaning, a configuration error.
 */
int worker_streams_read_writers(const tm_config_t *conf, worker_streams_t *ws, char *errstr,
                                size_t errstr_size) TM_WARN_UNUSED;

/*
 * Before decoding a message of stream w: when it was written with a
 * schema w does not know, asks for it and adds it. By its framing: a
 * single-object-encoded message's fingerprint is asked of ws->writers, a
 * Confluent-framed message's registry id of ws->ids (the registry's 404,
 * or no registry configured, is remembered as the id's reason: its
 * events are dead-lettered with it). Returns 0 (known now, or unknown:
 * decoding then fails and the message is dead-lettered); -1 with errstr
 * when a source could not be asked (transient: retry the batch);
 * WORKER_LEARN_REFUSED with errstr when the registry refused the worker
 * (401/403: credentials that a retry will not fix; stop).
 */
#define WORKER_LEARN_REFUSED (-2)
/* Returned with errstr (the reason to dead-letter the message with) when
 * the id cannot be had now and is not to be remembered (SR_NOT_FOUND_YET). */
#define WORKER_LEARN_DEAD 1
int worker_streams_learn_writer(const worker_streams_t *ws, worker_stream_t *w, const void *value,
                                size_t len, char *errstr, size_t errstr_size) TM_WARN_UNUSED;

/* The stream whose topic is topic, or NULL. */
worker_stream_t *worker_streams_by_topic(const worker_streams_t *ws, const char *topic);

/* {"topic": "table", ...}: each stream's topic and table, quoted as its
 * SQL names it (sync_offsets.applied_table, offsets.h). The caller frees
 * it; NULL when out of memory. */
char *worker_streams_tables_json(const worker_streams_t *ws);

/* The stream named name, or NULL. */
const worker_stream_t *worker_streams_by_name(const worker_streams_t *ws, const char *name);

#endif
