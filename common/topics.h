/*
 * topics.h - the names of tidemark's Kafka topics, in one place:
 * "<prefix>.<stream>" for a stream's change events, "<prefix>.sync-runs"
 * for run records and checkpoints, "<prefix>.dlq" for dead letters and
 * "<prefix>.schemas" for every change-event schema (keyed by its
 * fingerprint). The prefix is [kafka] topic.prefix; config.c refuses a
 * stream named like one of tidemark's own topics.
 *
 * Owns nothing; pure. Any thread. Never fails: a name longer than buf is
 * cut (buf always holds a string), and buf is returned.
 */
#ifndef TIDEMARK_TOPICS_H
#define TIDEMARK_TOPICS_H

#include <stddef.h>

#include "config.h"

/* The names after "<prefix>." of tidemark's own topics, NULL-ended: no
 * stream may take one. */
extern const char *const topic_own_names[];

const char *topic_for_stream(const tm_config_t *conf, const char *stream, char *buf, size_t size);
const char *topic_sync_runs(const tm_config_t *conf, char *buf, size_t size);
const char *topic_dlq(const tm_config_t *conf, char *buf, size_t size);
const char *topic_schemas(const tm_config_t *conf, char *buf, size_t size);

#endif
