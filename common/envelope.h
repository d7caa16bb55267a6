/*
 * envelope.h - the change event (README "Kafka topics"): its Avro schema, derived from a stream's
 * record schema, and its events, encoded in Avro single-object encoding
 * (C3 01, the 8-byte little-endian CRC-64-AVRO fingerprint of the
 * schema's Parsing Canonical Form, Avro binary; wireframe.h holds the
 * framings, avsc.h the fingerprint, avrobin.h the check of the binary
 * before avro-c reads it), or, once the schema has a Schema Registry id,
 * in the Confluent wire format (00, the 4-byte big-endian id, Avro
 * binary).
 *
 *   record <Name>ChangeEvent {
 *     enum Op { UPSERT, DELETE } op; string id; timestamp-millis source_ts;
 *     string run_id; boolean full_sync; timestamp-millis produced_at;
 *     union { null, <Name> } after;
 *   }
 *
 * The event record takes the record schema's namespace; Op is named
 * "<Name>ChangeOp" so that several streams' schemas can share a registry.
 *
 * Owns: envelope_schema_t holds its own avro schema, value interface, JSON
 * text, the writer schemas added to it (with their resolvers) and a
 * reference to nothing else but the record schema it was built from,
 * which must outlive it. An envelope_schema_t is NOT thread-safe
 * (it keeps a reusable Avro value and write buffer): one per thread.
 * Failures: NULL or -1 with errstr set; a bad event is an error naming
 * why (for the dead-letter queue), never a crash or a read past its end.
 */
#ifndef TIDEMARK_ENVELOPE_H
#define TIDEMARK_ENVELOPE_H

#include "compiler.h"
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "schema.h"

typedef enum { CHANGE_OP_UPSERT = 0, CHANGE_OP_DELETE = 1 } change_op_t;

typedef struct envelope_schema envelope_schema_t;

/* One change event, decoded. Free with change_event_destroy(). */
typedef struct change_event {
    change_op_t op;
    char *id;
    int64_t source_ts_ms;
    char *run_id;
    int full_sync;
    int64_t produced_at_ms;
    json_t *after; /* row form (see convert.h); NULL for a delete */
} change_event_t;

/* Returns NULL with errstr set on failure. rs is borrowed. */
envelope_schema_t *envelope_schema_new(const record_schema_t *rs, char *errstr, size_t errstr_size);
void envelope_schema_destroy(envelope_schema_t *es);

/* The record schema es was made from (borrowed, as given). */
const record_schema_t *envelope_schema_record(const envelope_schema_t *es);

/* The change-event schema as pretty-printed Avro JSON (owned by es). It
 * keeps the record schema's logicalType, precision and scale. */
const char *envelope_schema_json(const envelope_schema_t *es);

/* CRC-64-AVRO fingerprint of the Parsing Canonical Form. */
uint64_t envelope_schema_fingerprint(const envelope_schema_t *es);

/* Whether this process already published the schema to <prefix>.schemas
 * (producer/schemapub.h sets it once Kafka acknowledged it). */
int envelope_schema_published(const envelope_schema_t *es);
void envelope_schema_set_published(envelope_schema_t *es);

/* The Schema Registry id of the schema (schema_registry.h), 0 when it
 * has none. Once set (the producer registered the schema), every event is
 * encoded in the Confluent wire format (00, the id, the body) instead of
 * single-object encoding. */
uint32_t envelope_schema_registry_id(const envelope_schema_t *es);
void envelope_schema_set_registry_id(envelope_schema_t *es, uint32_t id);

/* The change-event record's full name, "<record full name>ChangeEvent"
 * (a subject under subject.name.strategy = topic_record). Caller frees;
 * NULL on ENOMEM. */
char *envelope_schema_fullname(const envelope_schema_t *es);

/*
 * Encodes one event. record is the source JSON object for an upsert
 * (converted with convert_json_to_avro) and NULL for a delete. On success
 * returns 0 and *buf_out is a malloc'd buffer of *len_out bytes that the
 * caller frees. On a record that does not fit the schema returns -1 with
 * errstr naming the field (a per-record error: dead-letter it).
 */
int envelope_encode(envelope_schema_t *es, change_op_t op, const char *id, int64_t source_ts_ms,
                    const char *run_id, int full_sync, int64_t produced_at_ms, const json_t *record,
                    void **buf_out, size_t *len_out, char *errstr,
                    size_t errstr_size) TM_WARN_UNUSED;

/*
 * envelope_encode() without the copy: *buf_out points into es's write
 * buffer, valid until the next encode or envelope_schema_destroy(es).
 */
int envelope_encode_view(envelope_schema_t *es, change_op_t op, const char *id,
                         int64_t source_ts_ms, const char *run_id, int full_sync,
                         int64_t produced_at_ms, const json_t *record, const void **buf_out,
                         size_t *len_out, char *errstr, size_t errstr_size) TM_WARN_UNUSED;

/*
 * Decodes an event written with this schema or an added writer's, in
 * either framing: single-object encoding (by fingerprint) or the
 * Confluent wire format (by a mapped registry id, below). Returns a new
 * event, or NULL with errstr set (no framing's magic, a writer not known
 * or not readable, truncated or corrupt data).
 */
change_event_t *envelope_decode(envelope_schema_t *es, const void *buf, size_t len, char *errstr,
                                size_t errstr_size);

void change_event_destroy(change_event_t *ev);

/*
 * Reads only an event's op and source_ts, from the fields every version of
 * every stream's change event starts with, whatever its schema: for the
 * producer's look at what a topic already holds, which may mix both
 * framings (wireframe.h). 0, or -1 when buf is not a change event in
 * single-object encoding or the Confluent wire format.
 */
TM_WARN_UNUSED int envelope_peek(const void *buf, size_t len, change_op_t *op,
                                 int64_t *source_ts_ms);

/*
 * Schema evolution. An event written with another version of the
 * change-event schema (an older one, or a newer one) is decoded through
 * Avro schema resolution once that version was added here: fields are
 * matched by name, the writer's extra fields are dropped, int/long/float
 * promote as Avro says; a field of ours the writer did not have is its
 * default in the row form, or null (for a nullable field even without a
 * default). A writer whose fields cannot be read as ours (another type,
 * another decimal scale, a missing field with no default, another record
 * name) is remembered with the reason, and its events fail to decode with
 * it. Logical types are compared by us: avro-c 1.11 does not know them.
 */

/* The fingerprint in a single-object header: 0, or -1 when buf does not
 * start with one (another framing's header included). */
int envelope_peek_fingerprint(const void *buf, size_t len, uint64_t *fp);

/* Whether events with fingerprint fp are es's own or an added writer's
 * (a writer that cannot be read counts: its events fail with its reason). */
int envelope_knows_writer(const envelope_schema_t *es, uint64_t fp);

/*
 * Adds the writer schema json_text (Avro JSON of a change-event schema;
 * its fingerprint, the CRC-64-AVRO of its Parsing Canonical Form, goes to
 * *fp_out, may be NULL). Returns 0 when its events can be decoded; -1 with
 * errstr when they cannot (remembered as above) or the text is not a
 * schema at all (not remembered).
 */
int envelope_add_writer(envelope_schema_t *es, const char *json_text, uint64_t *fp_out,
                        char *errstr, size_t errstr_size) TM_WARN_UNUSED;

/* Whether json_text is a change-event schema of the same record (full
 * name) as es's: an earlier or later version of the same stream's. */
int envelope_same_record(const envelope_schema_t *es, const char *json_text);

/*
 * Whether json_text, a change-event schema with es's own fingerprint,
 * means what es means: every field of the stream's record the same
 * logical type and decimal scale. The Parsing Canonical Form leaves those
 * out, so events written with either are taken for es's own, and a
 * timestamp-millis swapped for timestamp-micros read every older event a
 * thousand times too early. 0, or -1 with errstr naming the field (or why
 * json_text is no such schema). Nested records are not compared.
 */
int envelope_same_meaning(const envelope_schema_t *es, const char *json_text, char *errstr,
                          size_t errstr_size) TM_WARN_UNUSED;

/* What both programs say after a refusal of envelope_same_meaning(). */
#define ENVELOPE_SAME_MEANING_ADVICE                                                               \
    "A fingerprint leaves logical types and decimal scales out, so the events already written "    \
    "would be read with the new one: give the field a new name instead"

/*
 * Schema Registry ids. An event in the Confluent wire format (wireframe.h:
 * 00, a 4-byte id, the body) names its writer schema by the registry's
 * id: envelope_decode reads it once the id is mapped here, to the schema
 * it stands for (resolved as any added writer, above) or to why its
 * events cannot be read. An id is mapped once: a registry's ids are
 * stable, so the first answer stands. Of the ids mapped to a reason only
 * the latest 1024 are kept (ids come from the events: hostile ones must
 * not grow the map without end); a forgotten one is looked up again.
 */

/* Whether id is mapped (to a writer, or to a reason). */
int envelope_knows_writer_id(const envelope_schema_t *es, uint32_t id);

/* Maps id to the writer schema json_text (envelope_add_writer). 0 when
 * its events can be decoded; -1 with errstr when they cannot (id mapped
 * to the reason, json_text not a schema included) or out of memory. */
int envelope_add_writer_id(envelope_schema_t *es, uint32_t id, const char *json_text, char *errstr,
                           size_t errstr_size) TM_WARN_UNUSED;

/* Maps id to why its events cannot be read (e.g. the registry does not
 * know it). 0, or -1 with errstr when out of memory. */
int envelope_refuse_writer_id(envelope_schema_t *es, uint32_t id, const char *why, char *errstr,
                              size_t errstr_size) TM_WARN_UNUSED;

#endif
