/*
 * dlq.c - dead-letter one source record (see dlq.h).
 */
#include "dlq.h"

#include <stdlib.h>
#include <string.h>

int dlq_send(publisher_t *pub, const char *dlq_topic, const char *key,
             const json_t *record, const char *error, const char *source_url,
             char *errstr, size_t errstr_size)
{
    char *text = json_dumps(record, JSON_COMPACT | JSON_ENCODE_ANY);
    const pub_header_t hdrs[] = {
        {"tidemark.error", error ? error : ""},
        {"tidemark.stage", "producer"},
        {"tidemark.source", source_url ? source_url : ""},
    };
    int rc = publisher_produce(pub, dlq_topic, key, text ? text : "null",
                               text ? strlen(text) : 4, hdrs, 3, NULL, errstr,
                               errstr_size);
    free(text);
    return rc;
}
