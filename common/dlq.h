/*
 * dlq.h - the dead-letter contract of both programs, in one place: what a
 * message on <prefix>.dlq carries, and how a copy too large for a Kafka
 * message is cut to fit. The producer sends its dead letters with
 * producer/dlq_send.h, the worker queues its own until its transaction
 * commits with worker/dlq_queue.h; both build them here.
 *
 * A dead letter's key is the original key (or none), its value the
 * original payload (or the start of it), and its headers:
 *   tidemark.error              the reason
 *   tidemark.stage              "producer" or "worker"
 *   tidemark.source             where it was: the source URL (credentials
 *                               redacted, as UTF-8 like tidemark.error) or
 *                               "<topic>/<partition>/<offset>"
 *   tidemark.original_size      the payload's size in bytes (from the
 *                               worker always, from the producer when cut)
 *   tidemark.original_key_size  the key's size in bytes, when it was cut
 *   tidemark.truncated          when something was cut: the producer writes
 *                               "true", the worker what was cut ("value",
 *                               "key" or "key,value")
 *
 * Owns nothing; pure. Any thread. Nothing here fails but dlq_text_dup
 * (ENOMEM).
 */
#ifndef TIDEMARK_DLQ_H
#define TIDEMARK_DLQ_H

#include <stddef.h>

#include "kafka_produce.h"

#define DLQ_HDR_ERROR             "tidemark.error"
#define DLQ_HDR_STAGE             "tidemark.stage"
#define DLQ_HDR_SOURCE            "tidemark.source"
#define DLQ_HDR_ORIGINAL_SIZE     "tidemark.original_size"
#define DLQ_HDR_ORIGINAL_KEY_SIZE "tidemark.original_key_size"
#define DLQ_HDR_TRUNCATED         "tidemark.truncated"

/* Largest raw value the producer dead-letters for a record that is not
 * valid JSON (well under Kafka's 1 MB default): the rest is cut. */
#define DLQ_RAW_MAX (64 * 1024)

/* The worker cuts tidemark.error past this many bytes. */
#define DLQ_ERROR_MAX 4000

/* The most headers a dead letter has. */
#define DLQ_MAX_HEADERS 6

typedef enum { DLQ_STAGE_PRODUCER, DLQ_STAGE_WORKER } dlq_stage_t;

/* What a dead letter says about itself: the sizes are those of the copy
 * sent (key_len, value_len) and of the original. */
typedef struct dlq_letter {
    dlq_stage_t stage;
    const char *error;
    const char *source;
    size_t key_len, orig_key_len;
    size_t value_len, orig_value_len;
} dlq_letter_t;

/* A letter's headers; the values point into l and into the struct. */
typedef struct dlq_headers {
    kafka_header_t h[DLQ_MAX_HEADERS];
    size_t n;
    char original_size[24];
    char original_key_size[24];
    /* tidemark.error: the reason as UTF-8 (a byte of it that is not is
     * written \xNN, no character cut in two), at most DLQ_ERROR_MAX bytes:
     * consumers read headers as text, and a reason quotes what was bad */
    char error[DLQ_ERROR_MAX + 1];
} dlq_headers_t;

/* Fills out with l's headers, as the contract above says. */
void dlq_headers_build(const dlq_letter_t *l, dlq_headers_t *out);

/* The most bytes l's headers take (names and values), whatever is cut. */
size_t dlq_headers_size(const dlq_letter_t *l);

/*
 * How much of a key and a payload to copy so that the dead letter fits
 * max_bytes (message.max.bytes) with headers_len bytes of headers and
 * Kafka's framing: the key is kept whole when it can be (at most half the
 * room otherwise), the payload gets the rest.
 */
void dlq_fit(size_t max_bytes, size_t headers_len, size_t key_len, size_t value_len,
             size_t *key_keep, size_t *value_keep);

/* How much of a record's text a producer dead letter carries at most. */
size_t dlq_copy_limit(size_t max_message_bytes);

/*
 * text as a header value a consumer can read as text: UTF-8, a byte that
 * starts no UTF-8 character written \xNN (as tidemark.error is), nothing
 * cut. For a header built from what a source sent (the page URL of
 * tidemark.source: a Link header may hold raw Latin-1). A new string
 * (caller frees); NULL on ENOMEM. NULL text gives "".
 */
char *dlq_text_dup(const char *text);

/* The length to keep of text (len bytes) for at most limit bytes, not
 * splitting a UTF-8 character. */
size_t dlq_truncate_utf8(const char *text, size_t len, size_t limit);

#endif
