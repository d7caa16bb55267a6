/*
 * schemasource.h - the seam "fingerprint -> writer schema": where the
 * worker finds the change-event schema an event was written with when it
 * is not the stream's current one (envelope.h resolves it then).
 *
 * Today's one implementation reads <prefix>.schemas, the compacted topic
 * the producer publishes every schema to (schematopic.h). Events in the
 * Confluent wire format name their schema by a Schema Registry id, not a
 * fingerprint: registrysource.h is that seam.
 *
 * Owns: whatever impl holds; schema_source_destroy() frees it (the
 * struct itself is the caller's). Main thread only (a lookup may block on the network).
 */
#ifndef TIDEMARK_WORKER_SCHEMASOURCE_H
#define TIDEMARK_WORKER_SCHEMASOURCE_H

#include <stddef.h>
#include <stdint.h>

typedef struct schema_source {
    /* The writer schema (Avro JSON) with fingerprint fp, fetched or read
     * anew if the source does not hold it yet: 1 with *json_out (caller
     * frees); 0 when the source does not know fp; -1 with errstr when the
     * source could not be asked (a transient failure: retry later). */
    int (*lookup)(void *impl, uint64_t fp, char **json_out, char *errstr, size_t errstr_size);
    /* Calls fn for every schema the source can list now, after reading
     * what is new: a fingerprint's latest first, then each other schema
     * the source still holds under it (an older build published two
     * meanings under one; the check at start compares each). 0, or -1
     * with errstr. NULL when the source cannot list. */
    int (*each)(void *impl, void (*fn)(void *ctx, uint64_t fp, const char *json), void *ctx,
                char *errstr, size_t errstr_size);
    void (*destroy)(void *impl);
    void *impl;
} schema_source_t;

static inline int schema_source_lookup(schema_source_t *s, uint64_t fp, char **json_out,
                                       char *errstr, size_t errstr_size)
{
    return s->lookup(s->impl, fp, json_out, errstr, errstr_size);
}

static inline void schema_source_destroy(schema_source_t *s)
{
    if (s && s->destroy)
        s->destroy(s->impl);
}

#endif
