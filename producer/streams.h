/*
 * streams.h - the configured streams with their loaded record schemas and
 * change-event schemas, loaded once at start-up.
 *
 * Owns: each record_schema_t, envelope_schema_t, oauth2_t and absentfields_t (the stream_conf_t is
 * borrowed from the config, which must outlive the set). Main thread only:
 * envelope schemas are not thread-safe.
 *
 * Fallible calls return PRODUCER_OK or PRODUCER_FAILED (result.h).
 */
#ifndef TIDEMARK_STREAMS_H
#define TIDEMARK_STREAMS_H

#include "compiler.h"
#include "result.h"
#include <stddef.h>
#include "absentfields.h"
#include "config.h"
#include "envelope.h"
#include "oauth2.h"
#include "schema.h"

typedef struct loaded_stream {
    const stream_conf_t *sc;
    record_schema_t *rs;
    envelope_schema_t *es;
    oauth2_t *oauth2;       /* its token across runs (auth.oauth2.*), or NULL */
    absentfields_t *absent; /* fields left out of whole pages, across runs */
} loaded_stream_t;

typedef struct stream_set {
    loaded_stream_t *items;
    size_t n;
} stream_set_t;

/*
 * Loads every stream of conf, or only the one named only (not NULL). A
 * schema that does not load is a configuration error:
 * "FILE:LINE: [stream NAME] schema: <reason>". An unknown `only` gives
 * "unknown stream 'NAME'" (errstr).
 */
int stream_set_load(const tm_config_t *conf, const char *only, stream_set_t *set, char *errstr,
                    size_t errstr_size) TM_WARN_UNUSED;

void stream_set_clear(stream_set_t *set);

#endif
