/*
 * dlq.h - the producer's dead letters: <prefix>.dlq, key = the original
 * id (or none), value = the original record's JSON text, headers
 * tidemark.error, tidemark.stage = producer, tidemark.source (the URL,
 * credential-like query parameters redacted: url_redact.h).
 *
 * A record whose text is larger than a message may be is cut to fit (at a
 * character boundary), with tidemark.original_size (bytes) and
 * tidemark.truncated = true added.
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

/* How much of a record's text a dead letter carries at most. */
size_t dlq_copy_limit(size_t max_message_bytes);

/* The length to keep of text (len bytes) for at most limit bytes, not
 * splitting a UTF-8 character. */
size_t dlq_truncate_utf8(const char *text, size_t len, size_t limit);

#endif
