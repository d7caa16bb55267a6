/*
 * registrysource.h - the seam "Schema Registry id -> writer schema": where
 * the worker finds the change-event schema that an event in the Confluent
 * wire format (wireframe.h: 00, a 4-byte id) names by id. envelope.h maps
 * the id to it and resolves it against the stream's schema.
 *
 * The one implementation asks the registry of [schema_registry]
 * (schema_registry.h: GET /schemas/ids/{id}, cached there, retried with
 * backoff on an outage). An id the registry does not know is answered
 * SR_UNAVAILABLE (retry the batch) for the section's timeout after the
 * registry's first such answer (one window for all the ids it meets,
 * opened again only after a timeout without one), and SR_NOT_FOUND after:
 * a replica of a registry may lag a registration by a moment. Without that section, fetch is NULL:
 * no id can be looked up, and such events are dead-lettered saying so. A test fills the members
 * with a fake.
 *
 * Owns: whatever impl holds (the registry client); registry_source_destroy()
 * frees it (the struct itself is the caller's). fetch may be called from
 * any thread (the client is thread-safe): the main thread's decode or the
 * decode-ahead thread's (decode.h). Create and destroy on the main thread.
 * Failures: registry_source_new fails (errstr) on a client that cannot be
 * made (out of memory, a bad CA path): a configuration error.
 */
#ifndef TIDEMARK_WORKER_REGISTRYSOURCE_H
#define TIDEMARK_WORKER_REGISTRYSOURCE_H

#include "compiler.h"
#include <stddef.h>
#include <stdint.h>
#include "config.h"
#include "schema_registry.h"

typedef struct registry_source {
    /* The schema (Avro JSON) with registry id id: SR_OK with *json_out
     * (caller frees); SR_NOT_FOUND when the registry has no such id;
     * SR_UNAVAILABLE when it could not be asked (transient: retry later);
     * SR_REFUSED when it refused us (credentials: retrying will not help).
     * errstr says why on anything but SR_OK. */
    sr_status_t (*fetch)(void *impl, uint32_t id, char **json_out, char *errstr,
                         size_t errstr_size);
    void (*destroy)(void *impl);
    void *impl;
} registry_source_t;

/* The source of conf's [schema_registry]; all members NULL without one.
 * 0, or -1 with errstr. */
int registry_source_new(const tm_config_t *conf, registry_source_t *out, char *errstr,
                        size_t errstr_size) TM_WARN_UNUSED;

void registry_source_destroy(registry_source_t *s);

#endif
