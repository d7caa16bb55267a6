/*
 * dlq.h - the producer's dead letters: <prefix>.dlq, key = the original
 * id (or none), value = the original record's JSON text, headers
 * tidemark.error, tidemark.stage = producer, tidemark.source (the URL,
 * credential-like query parameters redacted: url_redact.h).
 *
 * Dead letters go through the run's publisher, so the flush before a
 * checkpoint waits for their acknowledgement too. Stateless; the
 * publisher's thread.
 */
#ifndef TIDEMARK_DLQ_H
#define TIDEMARK_DLQ_H

#include <stddef.h>
#include <jansson.h>
#include "publisher.h"

/* Returns 0, or -1 with errstr when the message could not be enqueued. */
int dlq_send(publisher_t *pub, const char *dlq_topic, const char *key,
             const json_t *record, const char *error, const char *source_url,
             char *errstr, size_t errstr_size) TM_WARN_UNUSED;

#endif
