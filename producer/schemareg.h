/*
 * schemareg.h - the producer's side of the Schema Registry
 * ([schema_registry], common/schema_registry.h): each stream's
 * change-event schema is registered under its subject (<topic>-value, or
 * <topic>-<record full name> under topic_record) before the stream's
 * first event, and the id the registry gave is kept in the stream's
 * envelope schema (envelope_schema_set_registry_id) for the life of the
 * process: from then on every event of the stream is written in the
 * Confluent wire format, 00 + that id, and the registry is not asked
 * again. A new process registers again; the registry answers the same id
 * for the same schema.
 *
 * Failure classes: the registry refused the schema (409 incompatible,
 * 422, 401/403, any other 4xx) -- the producer stops at start, exit 1,
 * with the subject and the registry's message (in follow mode after an
 * outage at start: after the run that got the refusal, follow.c); the registry is unavailable
 * (no answer, 5xx, too slow) after the client's retries -- the run fails
 * before it writes any event (follow mode tries again next pass).
 *
 * Owns nothing (the client and the streams are borrowed). Main thread.
 */
#ifndef TIDEMARK_SCHEMAREG_H
#define TIDEMARK_SCHEMAREG_H

#include "compiler.h"
#include <stddef.h>
#include "config.h"
#include "envelope.h"
#include "schema_registry.h"
#include "streams.h"

typedef enum schemareg_result {
    SCHEMAREG_OK = 0,
    SCHEMAREG_UNAVAILABLE = -1, /* try again later (the next run) */
    SCHEMAREG_REFUSED = -2,     /* retrying will not help: stop */
} schemareg_result_t;

/* es's schema registered for the stream whose topic is topic, unless es
 * holds its id already. errstr names the subject (and the registry's
 * message) unless SCHEMAREG_OK. */
schemareg_result_t schemareg_ensure(const tm_config_t *conf, schema_registry_t *sr,
                                    const char *topic, envelope_schema_t *es, char *errstr,
                                    size_t errstr_size) TM_WARN_UNUSED;

/* At start, every stream of set, in turn: SCHEMAREG_OK; SCHEMAREG_REFUSED
 * with errstr when the registry refused one (the producer exits 1);
 * SCHEMAREG_UNAVAILABLE with errstr at the first stream it could not
 * register (the rest are not asked: each run registers its stream). */
schemareg_result_t schemareg_start(const tm_config_t *conf, schema_registry_t *sr,
                                   stream_set_t *set, char *errstr,
                                   size_t errstr_size) TM_WARN_UNUSED;

#endif
