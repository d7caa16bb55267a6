/*
 * stream_schema.c - see stream_schema.h.
 */
#include "errstr.h"
#include "stream_schema.h"

#include <stdio.h>

/* Whether a field of type t can hold the stream's ids: not one that two
 * ids can share a value of. A float or double rounds 9007199254740993 to
 * ...992 (two API records, one row), a boolean has two values, and a
 * nested record, array or map is no key an API gives. */
static int id_type_ok(field_type_t t)
{
    switch (t) {
    case FT_FLOAT:
    case FT_DOUBLE:
    case FT_BOOLEAN:
    case FT_RECORD:
    case FT_ARRAY:
    case FT_MAP:
        return 0;
    default:
        return 1;
    }
}

int stream_schema_load(const tm_config_t *conf, const stream_conf_t *sc, record_schema_t **rs_out,
                       envelope_schema_t **es_out, char *errstr, size_t errstr_size)
{
    char err[512];
    record_schema_t *rs = NULL;
    envelope_schema_t *es = NULL;

    *rs_out = NULL;
    *es_out = NULL;
    if (record_schema_load(sc->schema_path, &rs, err, sizeof(err)) == 0) {
        const schema_field_t *id = record_schema_field(rs, sc->id_field);
        if (id && !id_type_ok(id->type))
            snprintf(
                err, sizeof(err),
                "id.field '%s' is a %s field: two ids could be one value of it, and one row. An id "
                "is a string, an integer (int, long), a uuid, a decimal, a date or time, "
                "bytes or an enum",
                sc->id_field, schema_field_avro_type(id, NULL, 0));
        else if ((es = envelope_schema_new(rs, err, sizeof(err))) != NULL) {
            *rs_out = rs;
            *es_out = es;
            return 0;
        }
    }
    if (rs)
        record_schema_destroy(rs);
    errstr_set(errstr, errstr_size, "%s:%d: [stream %s] schema: %s", conf->path,
               sc->schema_line ? sc->schema_line : sc->line, sc->name, err);
    return -1;
}
