/*
 * dlq.c - dead-letter one source record (see dlq.h).
 */
#include "dlq.h"

#include <stdlib.h>
#include <string.h>

#include "url_redact.h"

int dlq_send(publisher_t *pub, const char *dlq_topic, const char *key,
             const json_t *record, const char *error, const char *source_url,
             char *errstr, size_t errstr_size)
{
    char *text = json_dumps(record, JSON_COMPACT | JSON_ENCODE_ANY);
    /* credentials in the URL's query stay out of the topic */
    char *source = url_redact_dup(source_url);
    const pub_header_t hdrs[] = {
        {"tidemark.error", error ? error : ""},
        {"tidemark.stage", "producer"},
        {"tidemark.source", source ? source : ""},
    };
    int rc = publisher_produce(pub, dlq_topic, key, text ? text : "null",
                               text ? strlen(text) : 4, hdrs, 3, NULL, errstr,
                               errstr_size);
    free(text);
    free(source);
    return rc;
}
