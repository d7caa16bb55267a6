/*
 * topics.c - see topics.h.
 */
#include "topics.h"

#include <stdio.h>

const char *topic_for_stream(const tm_config_t *conf, const char *stream, char *buf, size_t size)
{
    snprintf(buf, size, "%s.%s", conf->topic_prefix, stream);
    return buf;
}

const char *topic_sync_runs(const tm_config_t *conf, char *buf, size_t size)
{
    return topic_for_stream(conf, "sync-runs", buf, size);
}

const char *topic_dlq(const tm_config_t *conf, char *buf, size_t size)
{
    return topic_for_stream(conf, "dlq", buf, size);
}

const char *topic_schemas(const tm_config_t *conf, char *buf, size_t size)
{
    return topic_for_stream(conf, "schemas", buf, size);
}
