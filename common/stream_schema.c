/*
 * stream_schema.c - see stream_schema.h.
 */
#include "errstr.h"
#include "stream_schema.h"

#include <stdio.h>

int stream_schema_load(const tm_config_t *conf, const stream_conf_t *sc, record_schema_t **rs_out,
                       envelope_schema_t **es_out, char *errstr, size_t errstr_size)
{
    char err[512];
    record_schema_t *rs = NULL;
    envelope_schema_t *es = NULL;

    *rs_out = NULL;
    *es_out = NULL;
    if (record_schema_load(sc->schema_path, &rs, err, sizeof(err)) == 0 &&
        (es = envelope_schema_new(rs, err, sizeof(err))) != NULL) {
        *rs_out = rs;
        *es_out = es;
        return 0;
    }
    if (rs)
        record_schema_destroy(rs);
    errstr_set(errstr, errstr_size, "%s:%d: [stream %s] schema: %s", conf->path,
               sc->schema_line ? sc->schema_line : sc->line, sc->name, err);
    return -1;
}
