/*
 * dlq.h - the producer's dead letters: <prefix>.dlq, key = the original
 * id (or none), value = the original record's JSON text (numbers as the
 * source wrote them), or the record's raw bytes when it could not be read
 * as JSON, headers tidemark.error, tidemark.stage = producer,
 * tidemark.source (the URL, credential-like query parameters redacted:
 * url_redact.h).
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

#include "compiler.h"
#include <stddef.h>
#include <jansson.h>
#include "publisher.h"

/* Largest raw value dlq_send_raw writes (well under Kafka's 1 MB default). */
#define DLQ_RAW_MAX (64 * 1024)

/* Returns 0, or -1 with errstr when the message could not be enqueued. */
int dlq_send(publisher_t *pub, const char *dlq_topic, const char *key, const json_t *record,
             const char *error, const char *source_url, char *errstr,
             size_t errstr_size) TM_WARN_UNUSED;

/* How much of a record's text a dead letter carries at most. */
size_t dlq_copy_limit(size_t max_message_bytes);

/* The length to keep of text (len bytes) for at most limit bytes, not
 * splitting a UTF-8 character. */
size_t dlq_truncate_utf8(const char *text, size_t len, size_t limit);

/*
 * Like dlq_send, for a record that is not valid JSON (a bad item of
 * jsonpage.h): the value is raw[0..len) as it came, cut to its first
 * DLQ_RAW_MAX bytes when longer (tidemark.error then says so).
 */
int dlq_send_raw(publisher_t *pub, const char *dlq_topic, const char *key, const char *raw,
                 size_t len, const char *error, const char *source_url, char *errstr,
                 size_t errstr_size) TM_WARN_UNUSED;

#endif
