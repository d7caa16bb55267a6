/*
 * kafka_topics.h - a producer's topic handles, one per topic name, made
 * on first use and kept.
 *
 * Why: given a topic by name, rd_kafka_producev/produceva look it up for
 * every message: rd_kafka_topic_new0 takes the client-wide write lock
 * (which the broker threads take to read), walks the topic list and counts
 * a reference, released after the enqueue. With a kept handle
 * (kafka_message_t.rkt) the producer's runs of 200k events took about 4%
 * less CPU (32 alternating pairs, 20 won).
 *
 * Owns: the handles and their names, until kafka_topics_clear(), which
 * must come before rd_kafka_destroy() of the client they belong to. One
 * thread (the producing one). Fails: NULL from kafka_topics_get() when a
 * handle cannot be made (out of memory, a name librdkafka refuses); the
 * caller then names the topic, as before.
 */
#ifndef TIDEMARK_KAFKA_TOPICS_H
#define TIDEMARK_KAFKA_TOPICS_H

#include <stddef.h>

#include <librdkafka/rdkafka.h>

typedef struct kafka_topic_handle {
    char *name;
    rd_kafka_topic_t *rkt;
} kafka_topic_handle_t;

typedef struct kafka_topics {
    kafka_topic_handle_t *v; /* zero it to start */
    size_t n;
    size_t last; /* the index the last kafka_topics_get() found */
} kafka_topics_t;

/* name's handle on rk (borrowed from t), made on its first call; NULL when
 * it cannot be made. A linear scan (after a look at the last one found): for
 * the few topics of a producer. */
rd_kafka_topic_t *kafka_topics_get(kafka_topics_t *t, rd_kafka_t *rk, const char *name);

/* Destroys the handles (before rd_kafka_destroy of their client) and zeroes
 * t. */
void kafka_topics_clear(kafka_topics_t *t);

#endif
