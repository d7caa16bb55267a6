/*
 * schema.h - a stream's record schema (an Avro record, schemas/NAME.avsc),
 * with the logical types that Debian's avro-c 1.11 does not know read from
 * the JSON ourselves.
 *
 * Owns: record_schema_t and everything in it, including the avro_schema_t
 * (one reference) and the schema's JSON text. Free with
 * record_schema_destroy(). Read-only after load: any thread may read it.
 */
#ifndef TIDEMARK_SCHEMA_H
#define TIDEMARK_SCHEMA_H

#include "compiler.h"
#include <stddef.h>
#include <avro.h>
#include <jansson.h>

typedef enum {
    FT_STRING,
    FT_INT,
    FT_LONG,
    FT_FLOAT,
    FT_DOUBLE,
    FT_BOOLEAN,
    FT_BYTES,
    FT_TIMESTAMP_MILLIS, /* long + logicalType timestamp-millis */
    FT_TIMESTAMP_MICROS, /* long + logicalType timestamp-micros */
    FT_DATE,             /* int + logicalType date: days since epoch */
    FT_DECIMAL,          /* bytes + logicalType decimal(precision, scale) */
    FT_UUID,             /* string + logicalType uuid: canonical lower-case text */
    FT_TIME_MILLIS,      /* int + logicalType time-millis: ms after midnight */
    FT_TIME_MICROS,      /* long + logicalType time-micros: us after midnight */
    FT_LOCAL_TS_MILLIS,  /* long + logicalType local-timestamp-millis (no zone) */
    FT_LOCAL_TS_MICROS,  /* long + logicalType local-timestamp-micros (no zone) */
    FT_ENUM,
    FT_RECORD, /* nested record, array and map: stored as jsonb */
    FT_ARRAY,
    FT_MAP
} field_type_t;

/* The unit of a timestamp field's JSON numbers (schema_field_t.epoch_unit).
 * EPOCH_CURSOR_S and EPOCH_CURSOR_MS read them as the cursor reader does:
 * seconds or milliseconds, a fraction or digits in a string allowed, so
 * that the cursor field's column says the time the cursor does. */
typedef enum { EPOCH_PLAIN_MS = 0, EPOCH_CURSOR_S, EPOCH_CURSOR_MS } epoch_unit_t;

typedef struct schema_field {
    char *name;
    field_type_t type;
    int nullable;                /* declared as ["null", T] (either order) */
    int precision;               /* FT_DECIMAL */
    int scale;                   /* FT_DECIMAL */
    json_t *type_json;           /* the non-null branch's JSON type (borrowed from
                                    record_schema_t.json_doc), for nested types */
    const json_t *type_resolved; /* type_json through schema_resolve_type():
                                    once per schema, not per record */
    /* A record schema's field: its value's Avro schema (the non-null
     * branch when nullable, else the field's own, borrowed from
     * record_schema_t.avro) and, when nullable, the union's null branch.
     * Looked up once per schema: avro-c finds a field, and a union's
     * branch, in a hash table, 3% of the producer's work when it was done
     * per record. */
    avro_schema_t value_avro;
    int null_branch;
    /* How a timestamp field's JSON numbers count time since 1970: as any
     * timestamp field does (integers of milliseconds), or as the cursor of
     * a stream read with cursor.format = unix or unix_ms (set by the
     * producer once loaded; EPOCH_PLAIN_MS from record_schema_*). */
    epoch_unit_t epoch_unit;
    /* The field's default (its "default" in the schema) as Avro binary of
     * the field's own type, union branch and all (avrodefault.h): what is
     * written for a record that leaves the field out. NULL when the field
     * has none, has one of a kind not written (a logical type, bytes, a
     * record...), or one that does not fit its type; in the last two
     * cases default_unfit says why. A schema with such a default still
     * loads: the field is left out as it was before defaults were
     * written. */
    unsigned char *default_avro;
    size_t default_len;
    char default_unfit[160];
    /* The default does not fit the field's type (not merely of a kind the
     * producer does not write): the worker then fills the field of an
     * older writer's events as if it had none. */
    int default_wrong;
} schema_field_t;

/* s through its named-type references (avro-c "links"): the schema a
 * link stands for. */
avro_schema_t schema_avro_deref(avro_schema_t s);

typedef struct record_schema {
    char *name;       /* short name, e.g. "Customer" */
    char *fullname;   /* namespace.name, or name */
    char *namespace;  /* NULL if none */
    json_t *json_doc; /* the parsed .avsc, logical types and all */
    avro_schema_t avro;
    schema_field_t *fields; /* in schema order: field i is Avro field i */
    size_t n_fields;
} record_schema_t;

/*
 * Loads and checks an .avsc file: it must be an Avro record whose fields
 * use only the types of field_type_t (unions only as ["null", T]).
 * Returns 0 with *out set, or -1 with errstr "PATH: field 'balance':
 * decimal without precision" and the like.
 */
int record_schema_load(const char *path, record_schema_t **out, char *errstr,
                       size_t errstr_size) TM_WARN_UNUSED;

/* The same from JSON text (errors are prefixed with "schema: "). */
int record_schema_parse(const char *json_text, record_schema_t **out, char *errstr,
                        size_t errstr_size) TM_WARN_UNUSED;

void record_schema_destroy(record_schema_t *rs);

/* The field named name, or NULL. */
const schema_field_t *record_schema_field(const record_schema_t *rs, const char *name);

/* Index of the field named name, or -1. */
int record_schema_field_index(const record_schema_t *rs, const char *name);

/*
 * SQL type of a field by README "PostgreSQL"'s mapping ("text", "numeric(12,2)",
 * "timestamptz", "jsonb", ...). Returns a static or rs-owned string.
 */
const char *schema_field_sql_type(const schema_field_t *f, char *buf, size_t size);

/*
 * The logical type of a value nested in a record, array, map or union (not
 * checked at load): 1 with f->type (and f->precision, f->scale for a
 * decimal) set when tj, a JSON type, is a logical type of field_type_t on
 * the Avro type base; 0 when it is none, an unknown one, or one on another
 * base type or with bad attributes (then the value is its base type, as
 * the Avro spec says).
 */
int schema_nested_logical(const json_t *tj, avro_schema_t base, schema_field_t *f);

/* type itself, unless it is a name ("Address", "com.x.Status"): then the
 * definition of the record, enum or fixed of that short name in doc (the
 * first one in a walk of it), NULL when there is none (a primitive type's
 * name, or no such type). type, when doc is NULL. */
const json_t *schema_resolve_type(const json_t *doc, const json_t *type);

/* A field's Avro type for messages: "int", "timestamp-millis",
 * "decimal(12,2)", "enum", "record", ... (static, or written into buf). */
const char *schema_field_avro_type(const schema_field_t *f, char *buf, size_t size);

#endif
