/*
 * absentfields.c - the schema's fields an API left out of every record of
 * a page (see absentfields.h).
 */
#include "absentfields.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "url_redact.h"

/* Records in a row that must have a field warned about before a page
 * without it is warned about again: an API that sends it always, not one
 * that leaves it out when it is null. */
#define ABSENT_REARM_AFTER 100

typedef enum {
    FIELD_UNWATCHED = 0, /* skipped, or its records are dead-lettered */
    FIELD_ARMED,         /* a page without it is warned about */
    FIELD_WARNED,        /* warned about; re-armed by ABSENT_REARM_AFTER in a row */
} field_watch_t;

typedef struct {
    field_watch_t watch;
    size_t streak; /* FIELD_WARNED: the last records in a row that had it */
} field_state_t;

struct absentfields {
    const record_schema_t *rs;
    field_state_t *fields; /* by index of rs->fields */
};

/* Whether a field the API leaves out is written silently: with its
 * default, or as null. */
static int filled_silently(const schema_field_t *f)
{
    return f->default_avro || f->nullable;
}

static int skipped(const schema_field_t *f, const char *const *skip, size_t n_skip)
{
    for (size_t k = 0; k < n_skip; k++)
        if (skip[k] && strcmp(skip[k], f->name) == 0)
            return 1;
    return 0;
}

absentfields_t *absentfields_new(const record_schema_t *rs, const char *const *skip, size_t n_skip)
{
    absentfields_t *af = calloc(1, sizeof(*af));
    if (!af || !(af->fields = calloc(rs->n_fields ? rs->n_fields : 1, sizeof(*af->fields)))) {
        free(af);
        return NULL;
    }
    af->rs = rs;
    for (size_t i = 0; i < rs->n_fields; i++) {
        const schema_field_t *f = &rs->fields[i];
        if (filled_silently(f) && !skipped(f, skip, n_skip))
            af->fields[i].watch = FIELD_ARMED;
    }
    return af;
}

void absentfields_destroy(absentfields_t *af)
{
    if (!af)
        return;
    free(af->fields);
    free(af);
}

/* Whether element i of records is an object that lacks name: -1 when it
 * is no object (not counted), else 1 or 0. */
static int lacks(const json_t *records, size_t i, const char *name)
{
    const json_t *rec = json_array_get(records, i);
    if (!json_is_object(rec))
        return -1;
    return json_object_get(rec, name) == NULL;
}

/* Whether no object of records has name, and at least one object is
 * there. */
static int absent_from_all(const json_t *records, const char *name)
{
    int objects = 0;
    for (size_t i = 0, n = json_array_size(records); i < n; i++) {
        int l = lacks(records, i, name);
        if (l == 0)
            return 0;
        objects |= l == 1;
    }
    return objects;
}

/* A warned field's streak after this page: the objects in a row at its
 * end that have name, added to the streak before when every one has it. */
static size_t streak_after(const json_t *records, const char *name, size_t before)
{
    size_t run = 0;
    for (size_t i = json_array_size(records); i-- > 0;) {
        int l = lacks(records, i, name);
        if (l == 1)
            return run;
        run += l == 0;
        if (run >= ABSENT_REARM_AFTER)
            return run;
    }
    return before + run;
}

static void warn(const schema_field_t *f, const json_t *records, const char *stream,
                 const char *url)
{
    char red[1200], qf[300];
    log_warn(f->default_avro
                 ? "a field of the schema is absent from every record of a page: each was "
                   "written with the field's default (if the API renamed the field, its values "
                   "under the new name are dropped)"
                 : "a field of the schema is absent from every record of a page: each was "
                   "written with the field null (if the API renamed the field, its values "
                   "under the new name are dropped)",
             "stream=%s field=%s records=%zu url=%s", stream, log_quote(qf, sizeof(qf), f->name),
             json_array_size(records), url_redact_quoted(url ? url : "", red, sizeof(red)));
}

size_t absentfields_page(absentfields_t *af, const json_t *records, const char *stream,
                         const char *url)
{
    size_t warned = 0;
    for (size_t i = 0; i < af->rs->n_fields; i++) {
        field_state_t *st = &af->fields[i];
        const char *name = af->rs->fields[i].name;
        if (st->watch == FIELD_WARNED) {
            st->streak = streak_after(records, name, st->streak);
            if (st->streak >= ABSENT_REARM_AFTER)
                st->watch = FIELD_ARMED;
        } else if (st->watch == FIELD_ARMED && lacks(records, 0, name) != 0 &&
                   absent_from_all(records, name)) {
            warn(&af->rs->fields[i], records, stream, url);
            st->watch = FIELD_WARNED;
            st->streak = 0;
            warned++;
        }
    }
    return warned;
}
