/*
 * dlq.c - dead-letter one source record (see dlq.h).
 */
#include "dlq.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonnum.h"

static int produce(publisher_t *pub, const char *dlq_topic, const char *key, const char *value,
                   size_t len, const char *error, const char *source_url, char *errstr,
                   size_t errstr_size)
{
    const pub_header_t hdrs[] = {
        {"tidemark.error", error ? error : ""},
        {"tidemark.stage", "producer"},
        {"tidemark.source", source_url ? source_url : ""},
    };
    return publisher_produce(pub, dlq_topic, key, value, len, hdrs, 3, NULL, errstr,
                             errstr_size);
}

int dlq_send(publisher_t *pub, const char *dlq_topic, const char *key,
             const json_t *record, const char *error, const char *source_url,
             char *errstr, size_t errstr_size)
{
    char *text = jsonnum_dumps(record, JSON_COMPACT | JSON_ENCODE_ANY);
    int rc = produce(pub, dlq_topic, key, text ? text : "null", text ? strlen(text) : 4, error,
                     source_url, errstr, errstr_size);
    free(text);
    return rc;
}

int dlq_send_raw(publisher_t *pub, const char *dlq_topic, const char *key, const char *raw,
                 size_t len, const char *error, const char *source_url, char *errstr,
                 size_t errstr_size)
{
    char why[600];
    if (len > DLQ_RAW_MAX) {
        snprintf(why, sizeof why, "%s (value cut to its first %d of %zu bytes)",
                 error ? error : "", DLQ_RAW_MAX, len);
        error = why;
        len = DLQ_RAW_MAX;
    }
    return produce(pub, dlq_topic, key, raw, len, error, source_url, errstr, errstr_size);
}
