/*
 * topics.c - see topics.h.
 */
#include "topics.h"

#include <stdio.h>

#define SYNC_RUNS "sync-runs"
#define DLQ       "dlq"
#define SCHEMAS   "schemas"

const char *const topic_own_names[] = {SYNC_RUNS, DLQ, SCHEMAS, NULL};

const char *topic_for_stream(const tm_config_t *conf, const char *stream, char *buf, size_t size)
{
    snprintf(buf, size, "%s.%s", conf->topic_prefix, stream);
    return buf;
}

const char *topic_sync_runs(const tm_config_t *conf, char *buf, size_t size)
{
    return topic_for_stream(conf, SYNC_RUNS, buf, size);
}

const char *topic_dlq(const tm_config_t *conf, char *buf, size_t size)
{
    return topic_for_stream(conf, DLQ, buf, size);
}

const char *topic_schemas(const tm_config_t *conf, char *buf, size_t size)
{
    return topic_for_stream(conf, SCHEMAS, buf, size);
}
