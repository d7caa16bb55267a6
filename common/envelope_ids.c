/*
 * envelope_ids.c - the Schema Registry ids of the change event's writer
 * schemas (envelope.h): an event in the Confluent wire format names its
 * writer by the registry's id, not by fingerprint. Each id is mapped to
 * the fingerprint of the schema it stands for, which envelope_writers.c
 * resolves as any other version; or to why its events cannot be read (at
 * most MAX_REFUSED_IDS of those).
 */
#include "errstr.h"
#include "envelope_priv.h"

#include <stdlib.h>
#include <string.h>

/* The most ids held with a reason (unknown to the registry, no registry,
 * a schema that cannot be read). Ids that stand for a readable schema are
 * as many as the registry has versions of the stream's schema. */
#define MAX_REFUSED_IDS 1024

const envelope_id_t *envelope_find_id(const envelope_schema_t *es, uint32_t id)
{
    for (size_t i = 0; i < es->n_ids; i++)
        if (es->ids[i].id == id)
            return &es->ids[i];
    return NULL;
}

void envelope_clear_ids(envelope_schema_t *es)
{
    for (size_t i = 0; i < es->n_ids; i++)
        free(es->ids[i].error);
    free(es->ids);
    es->ids = NULL;
    es->n_ids = 0;
}

int envelope_knows_writer_id(const envelope_schema_t *es, uint32_t id)
{
    return envelope_find_id(es, id) != NULL;
}

/* Forgets the oldest refused id once MAX_REFUSED_IDS are held: ids are
 * the events' own bytes, and hostile ones must not grow the map without
 * end. A forgotten id is only asked again. */
static void forget_oldest_refusal(envelope_schema_t *es)
{
    size_t refused = 0, oldest = es->n_ids;

    for (size_t i = 0; i < es->n_ids; i++)
        if (es->ids[i].error && refused++ == 0)
            oldest = i;
    if (refused < MAX_REFUSED_IDS)
        return;
    free(es->ids[oldest].error);
    memmove(&es->ids[oldest], &es->ids[oldest + 1], (es->n_ids - oldest - 1) * sizeof(es->ids[0]));
    es->n_ids--;
}

/* Maps id (not mapped yet) to fp, or to the reason why (when not NULL).
 * 0, or -1 when out of memory. */
static int map_id(envelope_schema_t *es, uint32_t id, uint64_t fp, const char *why)
{
    if (why)
        forget_oldest_refusal(es);
    envelope_id_t *grown = realloc(es->ids, (es->n_ids + 1) * sizeof(*grown));
    char *copy = why ? strdup(why) : NULL;

    if (grown)
        es->ids = grown;
    if (!grown || (why && !copy)) {
        free(copy);
        return -1;
    }
    es->ids[es->n_ids++] = (envelope_id_t){.id = id, .fingerprint = fp, .error = copy};
    return 0;
}

int envelope_add_writer_id(envelope_schema_t *es, uint32_t id, const char *json_text, char *errstr,
                           size_t errstr_size)
{
    const envelope_id_t *known = envelope_find_id(es, id);

    if (known) {
        if (known->error)
            errstr_set(errstr, errstr_size, "%s", known->error);
        return known->error ? -1 : 0;
    }
    char err[600] = "";
    uint64_t fp = 0;
    int rc = envelope_add_writer(es, json_text, &fp, err, sizeof(err));
    if (map_id(es, id, fp, rc == 0 ? NULL : err) != 0) {
        errstr_set(errstr, errstr_size, "out of memory");
        return -1;
    }
    if (rc != 0)
        errstr_set(errstr, errstr_size, "%s", err);
    return rc;
}

int envelope_refuse_writer_id(envelope_schema_t *es, uint32_t id, const char *why, char *errstr,
                              size_t errstr_size)
{
    if (envelope_find_id(es, id))
        return 0; /* the first answer stands, as the registry's ids do */
    if (map_id(es, id, 0, why) != 0) {
        errstr_set(errstr, errstr_size, "out of memory");
        return -1;
    }
    return 0;
}
