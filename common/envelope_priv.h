/*
 * envelope_priv.h - what envelope.c (the event schema, encode, decode),
 * envelope_writers.c (other versions of the event schema, resolved into
 * this one) and envelope_ids.c (Schema Registry ids of those versions)
 * share. Internal to those files: other modules use envelope.h.
 */
#ifndef TIDEMARK_ENVELOPE_PRIV_H
#define TIDEMARK_ENVELOPE_PRIV_H

#include "envelope.h"

#include <avro.h>
#include "avroenc.h"

/* The event record's fields: op, id, source_ts, run_id, full_sync,
 * produced_at, after. */
#define ENVELOPE_FIELDS 7

/* Where extract() finds the fields in the values of one schema: looked up
 * by name once per schema, not once per event (convert.h). */
typedef struct fields_at {
    avro_schema_t event;        /* the schema they were found in; NULL: none yet */
    int field[ENVELOPE_FIELDS]; /* each one's index in it, -1: absent */
    avro_schema_t after;        /* the schema of the after record they were found in */
    int *after_at;              /* convert_row_fields_at() of it */
} fields_at_t;

/* An earlier (or later) version of the event schema that events may have
 * been written with, resolved into this one. */
typedef struct envelope_writer {
    uint64_t fingerprint;
    char *error;           /* NULL, or why its events cannot be read */
    avro_schema_t wschema; /* the writer's event schema */
    avro_schema_t rschema; /* ours, less what the writer does not have */
    avro_value_iface_t *riface;
    avro_value_t rvalue; /* what a read fills: an rschema value */
    avro_value_iface_t *resolver;
    avro_value_t resolved; /* a wschema-shaped value writing into rvalue */
    fields_at_t at;        /* in rvalue */
} envelope_writer_t;

/* A Schema Registry id that events named (the Confluent wire format) and
 * what it stands for: a writer by fingerprint, or why it cannot be read. */
typedef struct envelope_id {
    uint32_t id;
    uint64_t fingerprint; /* es's own, or an added writer's (when !error) */
    char *error;          /* NULL, or why its events cannot be read */
} envelope_id_t;

struct envelope_schema {
    const record_schema_t *rs; /* borrowed */
    char *json_text;           /* pretty-printed event schema */
    avro_schema_t avro;
    avro_value_iface_t *iface;
    avro_value_t value; /* reused by decode: not thread-safe */
    fields_at_t at;     /* in value */
    avroenc_t enc;      /* the last encoded event (envelope_encode_view) */
    envelope_id_t *ids; /* registry ids of writers: envelope_ids.c */
    size_t n_ids;
    uint64_t fingerprint;
    envelope_writer_t *writers;
    size_t n_writers;
    int published;        /* envelope_schema_set_published() */
    uint32_t registry_id; /* envelope_schema_set_registry_id(); 0: none */
};

/* The added writer with fingerprint fp, or NULL. */
envelope_writer_t *envelope_find_writer(const envelope_schema_t *es, uint64_t fp);

/* Frees every added writer (for envelope_schema_destroy). */
void envelope_clear_writers(envelope_schema_t *es);

/* The registry id id, as mapped (envelope_ids.c), or NULL. */
const envelope_id_t *envelope_find_id(const envelope_schema_t *es, uint32_t id);

/* Frees the map of registry ids (for envelope_schema_destroy). */
void envelope_clear_ids(envelope_schema_t *es);

#endif
