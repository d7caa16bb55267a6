/*
 * kafka_topics.c - see kafka_topics.h.
 */
#include "kafka_topics.h"

#include <stdlib.h>
#include <string.h>

rd_kafka_topic_t *kafka_topics_get(kafka_topics_t *t, rd_kafka_t *rk, const char *name)
{
    /* the topic of the last call first: a run sends most messages to one */
    if (t->last < t->n && strcmp(t->v[t->last].name, name) == 0)
        return t->v[t->last].rkt;
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->v[i].name, name) == 0) {
            t->last = i;
            return t->v[i].rkt;
        }
    kafka_topic_handle_t *grown = realloc(t->v, (t->n + 1) * sizeof(*grown));
    if (!grown)
        return NULL;
    t->v = grown;
    char *copy = strdup(name);
    rd_kafka_topic_t *rkt = copy ? rd_kafka_topic_new(rk, name, NULL) : NULL;
    if (!rkt) {
        free(copy);
        return NULL;
    }
    t->last = t->n;
    t->v[t->n++] = (kafka_topic_handle_t){copy, rkt};
    return rkt;
}

void kafka_topics_clear(kafka_topics_t *t)
{
    for (size_t i = 0; i < t->n; i++) {
        rd_kafka_topic_destroy(t->v[i].rkt);
        free(t->v[i].name);
    }
    free(t->v);
    *t = (kafka_topics_t){0};
}
