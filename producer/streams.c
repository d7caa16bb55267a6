/*
 * streams.c - load the streams' schemas (see streams.h).
 */
#include "errstr.h"
#include "streams.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stream_schema.h"

static int load_one(const tm_config_t *conf, const stream_conf_t *sc, loaded_stream_t *ls,
                    char *errstr, size_t errstr_size)
{
    ls->sc = sc;
    if (sc->oauth2_token_url && !(ls->oauth2 = oauth2_new(sc, errstr, errstr_size)))
        return PRODUCER_FAILED;
    if (stream_schema_load(conf, sc, &ls->rs, &ls->es, errstr, errstr_size) != 0)
        return PRODUCER_FAILED;
    /* cursor.format = unix or unix_ms: the API writes its cursor field in
     * seconds or milliseconds, a fraction or digits in a string allowed,
     * and a timestamp column of it must say the same time (a JSON number
     * in a timestamp field is otherwise an integer of milliseconds) */
    int at = sc->cursor_field ? record_schema_field_index(ls->rs, sc->cursor_field) : -1;
    if (at >= 0 && sc->cursor_format == CURSOR_FORMAT_UNIX)
        ls->rs->fields[at].epoch_unit = EPOCH_CURSOR_S;
    if (at >= 0 && sc->cursor_format == CURSOR_FORMAT_UNIX_MS)
        ls->rs->fields[at].epoch_unit = EPOCH_CURSOR_MS;
    /* their absence is handled where they are read: a record without an
     * id or cursor is dead-lettered, one without the soft-delete flag is
     * live */
    const char *skip[] = {sc->id_field, sc->cursor_field, sc->soft_delete_field};
    if (!(ls->absent = absentfields_new(ls->rs, skip, sizeof(skip) / sizeof(skip[0])))) {
        errstr_set(errstr, errstr_size, "out of memory");
        return PRODUCER_FAILED;
    }
    return PRODUCER_OK;
}

int stream_set_load(const tm_config_t *conf, const char *only, stream_set_t *set, char *errstr,
                    size_t errstr_size)
{
    set->n = 0;
    set->items = calloc(conf->n_streams ? conf->n_streams : 1, sizeof(*set->items));
    if (!set->items) {
        errstr_set(errstr, errstr_size, "out of memory");
        return PRODUCER_FAILED;
    }
    for (size_t i = 0; i < conf->n_streams; i++) {
        const stream_conf_t *sc = &conf->streams[i];
        if (only && strcmp(only, sc->name) != 0)
            continue;
        loaded_stream_t *ls = &set->items[set->n++];
        if (load_one(conf, sc, ls, errstr, errstr_size) != 0) {
            stream_set_clear(set);
            return PRODUCER_FAILED;
        }
    }
    if (only && set->n == 0) {
        errstr_set(errstr, errstr_size, "%s: unknown stream '%s'", conf->path, only);
        stream_set_clear(set);
        return PRODUCER_FAILED;
    }
    return PRODUCER_OK;
}

void stream_set_clear(stream_set_t *set)
{
    for (size_t i = 0; i < set->n; i++) {
        if (set->items[i].es)
            envelope_schema_destroy(set->items[i].es);
        if (set->items[i].rs)
            record_schema_destroy(set->items[i].rs);
        oauth2_destroy(set->items[i].oauth2);
        absentfields_destroy(set->items[i].absent);
    }
    free(set->items);
    set->items = NULL;
    set->n = 0;
}
