/*
 * stream_schema.h - a stream's schemas as both programs load them at
 * start-up: the record schema of its `schema` file and the change-event
 * schema built from it.
 *
 * Owns nothing: the caller owns what it gets back and frees it with
 * envelope_schema_destroy() then record_schema_destroy() (the envelope
 * borrows the record schema). Main thread, at start-up.
 */
#ifndef TIDEMARK_STREAM_SCHEMA_H
#define TIDEMARK_STREAM_SCHEMA_H

#include "compiler.h"
#include <stddef.h>
#include "config.h"
#include "envelope.h"
#include "schema.h"

/*
 * Loads sc's schemas. A schema that does not load or does not fit the
 * change event is a configuration error, reported as
 * "FILE:LINE: [stream NAME] schema: reason" with the line of the schema
 * key. Returns 0 with both set, or -1 with neither.
 */
int stream_schema_load(const tm_config_t *conf, const stream_conf_t *sc, record_schema_t **rs_out,
                       envelope_schema_t **es_out, char *errstr, size_t errstr_size) TM_WARN_UNUSED;

#endif
