/*
 * dlq_send.h - the producer's dead letters (the contract: common/dlq.h):
 * to <prefix>.dlq, key = the original id (or none), value = the original
 * record's JSON text (numbers as the source wrote them), or the record's
 * raw bytes when it could not be read as JSON; tidemark.stage = producer,
 * tidemark.source = the URL, credential-like query parameters redacted
 * (url_redact.h).
 *
 * A record whose text is larger than a message may be is cut to fit (at a
 * character boundary, dlq_copy_limit), with tidemark.original_size and
 * tidemark.truncated = true.
 *
 * Dead letters go through the run's publisher, so the flush before a
 * checkpoint waits for their acknowledgement too. Stateless; the
 * publisher's thread. Fails with -1 and errstr when the message could not
 * be enqueued (publisher_produce).
 */
#ifndef TIDEMARK_DLQ_SEND_H
#define TIDEMARK_DLQ_SEND_H

#include "compiler.h"
#include <stddef.h>
#include <jansson.h>
#include "publisher.h"

/* Returns 0, or -1 with errstr when the message could not be enqueued. */
int dlq_send(publisher_t *pub, const char *dlq_topic, const char *key, const json_t *record,
             const char *error, const char *source_url, char *errstr,
             size_t errstr_size) TM_WARN_UNUSED;

/*
 * Like dlq_send, for a record that is not valid JSON (a bad item of
 * jsonpage.h): the value is raw[0..len) as it came, cut to its first
 * DLQ_RAW_MAX bytes when longer (tidemark.error then says so).
 */
int dlq_send_raw(publisher_t *pub, const char *dlq_topic, const char *key, const char *raw,
                 size_t len, const char *error, const char *source_url, char *errstr,
                 size_t errstr_size) TM_WARN_UNUSED;

#endif
