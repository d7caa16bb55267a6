/*
 * refusals.h - the topics Kafka refuses the worker's consumer by ACL
 * (TOPIC_AUTHORIZATION_FAILED and the like), one entry per topic.
 *
 * librdkafka reports such a refusal once (a subscribed topic it may not
 * describe, a partition it may not fetch) and then retries in silence:
 * without this table the worker logged one warning at start and went on
 * answering /readyz "ready" while nothing of the topic was applied. The
 * consumer (consumer.c) notes each refusal here, clears a topic's when a
 * message or an end-of-partition event of it arrives, repeats the warning
 * when refusals_due() says so, and hands refusals_describe() to the
 * readiness probe through its hooks.
 *
 * Owns: the entries (topic, librdkafka's error name and message) and when
 * the warning was last said. Not thread-safe: the consumer's thread (the
 * main thread) only.
 */
#ifndef TIDEMARK_WORKER_REFUSALS_H
#define TIDEMARK_WORKER_REFUSALS_H

#include <stddef.h>
#include <stdint.h>

/* How often the warning about a standing refusal is repeated. */
#define REFUSALS_REPEAT_MS 60000

typedef struct refusal {
    char *topic;
    char *error; /* librdkafka's error name: TOPIC_AUTHORIZATION_FAILED */
    char *what;  /* its message: "Fetch from broker 1 failed: ..." */
} refusal_t;

typedef struct refusals {
    refusal_t *items;
    size_t n;
    int64_t warned_ms; /* monotonic ms of the last warning */
} refusals_t;

/* Notes that Kafka refuses topic (error, what) at now_ms, which counts as
 * a warning said. 1 when the table changed (a new topic, or another
 * error), 0 when not, -1 out of memory (the entry is then missing). */
int refusals_note(refusals_t *r, const char *topic, const char *error, const char *what,
                  int64_t now_ms);

/* A message or end of partition of topic arrived: 1 when a refusal of
 * it stood (now cleared), else 0. */
int refusals_clear(refusals_t *r, const char *topic);

/* Whether the warning is due again at now_ms (REFUSALS_REPEAT_MS since the
 * last); when it is, counts it as said. 0 with no refusal. */
int refusals_due(refusals_t *r, int64_t now_ms);

/* One line naming the first refused topic, the refusal and how many more
 * topics are refused; "" with none. Truncated to size. */
void refusals_describe(const refusals_t *r, char *buf, size_t size);

void refusals_free(refusals_t *r);

#endif
