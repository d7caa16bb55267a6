/*
 * recordid.c - a record's id (see recordid.h).
 */
#include "recordid.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errstr.h"
#include "jsonnum.h"
#include "idkey.h"
#include "utf8.h"
#include "uuidtext.h"

record_id_result_t record_id_read(const json_t *rec, const char *field, field_type_t type,
                                  char *buf, size_t size)
{
    json_t *v = json_is_object(rec) ? json_object_get(rec, field) : NULL;
    const char *text = NULL;
    size_t len = 0;
    char num[JSONNUM_INT_TEXT_SIZE];
    if (jsonnum_is_integer(v)) {
        text = jsonnum_text(v);
        len = strlen(text);
    } else if (jsonnum_is_string(v) && json_string_length(v) > 0) {
        text = json_string_value(v);
        len = json_string_length(v);
    } else if (json_is_integer(v)) {
        len = jsonnum_int_text(json_integer_value(v), num);
        text = num;
    } else {
        return RECORD_ID_MISSING;
    }
    if (len >= size)
        return RECORD_ID_TOO_LONG;
    memcpy(buf, text, len + 1);
    /* The event's key is the id as idkey.h makes it canonical. An id that
     * is not a value of its type has none. idkey keeps a uuid's other
     * forms as they are, for the worker's PostgreSQL to judge, and drops
     * uuidtext's verdict: asked here instead, once */
    int refused = type == FT_UUID ? uuidtext_canonical(buf, len, buf) != 0
                                  : idkey_canonical_in_place(type, buf, &len) != 0;
    return refused ? RECORD_ID_NOT_OF_TYPE : RECORD_ID_OK; /* refused: buf untouched */
}

/* The JSON text of v, cut to fit buf (with "..." when cut); "" when it
 * cannot be written. */
static void value_text(const json_t *v, char *buf, size_t size)
{
    char *text = jsonnum_is(v) ? NULL : json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    const char *t = jsonnum_is(v) ? jsonnum_text(v) : text ? text : "";
    size_t len = strlen(t);
    if (len < size)
        memcpy(buf, t, len + 1);
    else /* not inside a character: the reason is UTF-8 */
        snprintf(buf, size, "%.*s...", utf8_cut_n(t, len, size - 4), t);
    free(text);
}

void record_id_refused(const stream_conf_t *sc, const json_t *rec, record_id_result_t res,
                       const char *what, char *why, size_t size)
{
    const json_t *v = json_is_object(rec) ? json_object_get(rec, sc->id_field) : NULL;
    char text[64];
    if (res == RECORD_ID_TOO_LONG) {
        errstr_set(why, size, "%sid field '%s': id is longer than %d bytes", what, sc->id_field,
                   IDSET_MAX_KEY);
    } else if (!v) {
        errstr_set(why, size, "%sid field '%s' is missing", what, sc->id_field);
    } else {
        value_text(v, text, sizeof(text));
        errstr_set(why, size, "%sid field '%s' is %s: not a string or integer", what, sc->id_field,
                   text);
    }
}
