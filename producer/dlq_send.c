/*
 * dlq_send.c - dead-letter one source record (see dlq_send.h).
 */
#include "dlq_send.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlq.h"
#include "jsonnum.h"
#include "url_redact.h"

/*
 * Produces value[0..len) of a copy whose original was original_len bytes
 * (more when the caller cut it: the headers then say so).
 */
static int produce(publisher_t *pub, const char *dlq_topic, const char *key, const char *value,
                   size_t len, size_t original_len, const char *error, const char *source_url,
                   char *errstr, size_t errstr_size)
{
    /* credentials in the URL's query stay out of the topic; its bytes that
     * are not UTF-8 (a Link header's raw Latin-1) are written \xNN */
    char *redacted = url_redact_dup(source_url);
    char *source = redacted ? dlq_text_dup(redacted) : NULL;
    free(redacted);
    size_t key_len = key ? strlen(key) : 0;
    const dlq_letter_t letter = {
        .stage = DLQ_STAGE_PRODUCER,
        .error = error,
        .source = source,
        .key_len = key_len,
        .orig_key_len = key_len,
        .value_len = len,
        .orig_value_len = original_len,
    };
    dlq_headers_t hdrs;
    dlq_headers_build(&letter, &hdrs);
    int rc = publisher_produce(pub, dlq_topic, key, value, len, hdrs.h, hdrs.n, NULL, errstr,
                               errstr_size);
    free(source);
    return rc == 0 ? 0 : -1;
}

int dlq_send(publisher_t *pub, const char *dlq_topic, const char *key, const json_t *record,
             const char *error, const char *source_url, char *errstr, size_t errstr_size)
{
    char *text = jsonnum_dumps(record, JSON_COMPACT | JSON_ENCODE_ANY);
    const char *value = text ? text : "null";
    size_t len = strlen(value);
    /* A record too large for Kafka is one reason to be here: its copy must
     * fit, or the dead letter fails the way the event did. */
    size_t keep = dlq_truncate_utf8(value, len, dlq_copy_limit(publisher_max_message_bytes(pub)));
    int rc = produce(pub, dlq_topic, key, value, keep, len, error, source_url, errstr, errstr_size);
    free(text);
    return rc;
}

int dlq_send_raw(publisher_t *pub, const char *dlq_topic, const char *key, const char *raw,
                 size_t len, const char *error, const char *source_url, char *errstr,
                 size_t errstr_size)
{
    char why[600];
    size_t original_len = len;
    if (len > DLQ_RAW_MAX) {
        snprintf(why, sizeof(why), "%s (value cut to its first %d of %zu bytes)",
                 error ? error : "", DLQ_RAW_MAX, len);
        error = why;
        len = DLQ_RAW_MAX;
    }
    return produce(pub, dlq_topic, key, raw, len, original_len, error, source_url, errstr,
                   errstr_size);
}
