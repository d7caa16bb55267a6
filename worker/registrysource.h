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
 * opened again only after a timeout without one): a replica of a registry
 * may lag a registration by a moment. After that, SR_NOT_FOUND (to be
 * remembered) only for an id whose own first 404 is a timeout old; a
 * younger one is SR_NOT_FOUND_YET (its event is dead-lettered, the id
 * asked again), so that unknown ids arriving all the time (garbage framed
 * like Confluent's) cannot keep the window spent and make a new, real id
 * refused for good at its first lookup. Without that section, fetch is
 * NULL: no id can be looked up, and such events are dead-lettered saying
 * so. A test fills the members with a fake.
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
     * SR_NOT_FOUND_YET when it has none now (asked again next time);
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

/* ---- the grace of unknown ids, a pure part exposed for tests ---- */

#define REGISTRY_GRACE_IDS 256 /* ids whose first 404 is kept (a ring) */

typedef struct registry_grace {
    int64_t grace_ms;
    int64_t window_start_ms;   /* monotonic: the first 404 of the window; 0: none yet */
    int64_t last_not_found_ms; /* monotonic: the latest 404 */
    struct {
        uint32_t id;
        int64_t first_ms;
    } seen[REGISTRY_GRACE_IDS];
    size_t n_seen, next_seen;
} registry_grace_t;

/* What a 404 for id at now_ms (monotonic) is, as fetch answers it:
 * SR_UNAVAILABLE (within the window: retry), SR_NOT_FOUND (the id's own
 * first 404 is grace_ms old: remember) or SR_NOT_FOUND_YET. */
sr_status_t registry_grace_judge(registry_grace_t *g, uint32_t id, int64_t now_ms);

#endif
