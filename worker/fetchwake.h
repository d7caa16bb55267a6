/*
 * fetchwake.h - wakes librdkafka's fetchers when the consumer's prefetch
 * queue runs low, so that a full queue does not cost a second of idling.
 *
 * librdkafka stops fetching a partition while the consumer queue holds
 * queued.min.messages messages or queued.max.messages.kbytes, and its
 * broker thread then sleeps until a request or a response of its own
 * wakes it, or for up to a second (librdkafka before 2.2 has no
 * fetch.queue.backoff.ms; from 2.2 that setting defaults to the same
 * second). A worker that drains the queue faster than that waits for the
 * rest of the second with nothing to apply: with 20000 messages of
 * prefetch the apply rate cannot pass about 20000 a second, whatever
 * PostgreSQL could take. The wake is a ListOffsets request for the
 * assigned partitions (rd_kafka_offsets_for_times: one request to each
 * partition's leader), whose sending wakes the leader's broker thread,
 * which then decides again which partitions to fetch. It is made on a
 * thread of its own, so the main thread never waits for it; its answer
 * is not waited for (it may wait behind a fetch the broker holds for
 * fetch.wait.max.ms) and is thrown away.
 *
 * Owns: the thread and the partition list it is given. fetchwake_due()
 * is pure; fetchwake_start(), fetchwake_poke() and fetchwake_stop() are
 * for the thread that polls the consumer (the main thread). Fails: start
 * returns NULL when no thread could be made (then nothing wakes the
 * fetchers early: slower, not wrong); a failed or timed-out request is
 * ignored (the next poke tries again).
 */
#ifndef TIDEMARK_WORKER_FETCHWAKE_H
#define TIDEMARK_WORKER_FETCHWAKE_H

#include "compiler.h"
#include <stddef.h>
#include <stdint.h>
#include <librdkafka/rdkafka.h>

/* The least time between two wakes, and how long the thread waits for a
 * wake's answers (they do not matter: a late one is dropped). */
#define FETCHWAKE_INTERVAL_MS 50
#define FETCHWAKE_TIMEOUT_MS  20

/* Half of librdkafka's thresholds: queued.min.messages and
 * queued.max.messages.kbytes (in bytes). */
typedef struct fetchwake_marks {
    size_t msgs;
    size_t bytes;
} fetchwake_marks_t;

/* What one look at the consumer queue saw: the messages in it and their
 * estimated bytes, and the messages (and bytes) taken from it since the
 * last wake. */
typedef struct fetchwake_look {
    size_t queued, bytes;
    size_t taken, taken_bytes;
} fetchwake_look_t;

/* When to wake. *armed is set once what came in since the last wake
 * (queued + taken) reaches a mark: the queue may have filled up and
 * librdkafka stopped fetching. An armed queue that holds less than both
 * marks now is due, unless a wake is under way (busy) or the last one
 * (last_ms; < 0: none yet) was less than FETCHWAKE_INTERVAL_MS ago. Due:
 * returns 1 and disarms (the caller starts counting `taken` afresh). A
 * quiet topic or an idle worker never wakes anything. */
int fetchwake_due(int *armed, const fetchwake_marks_t *marks, const fetchwake_look_t *look,
                  int busy, int64_t now_ms, int64_t last_ms);

typedef struct fetchwake fetchwake_t;

/* Starts the waking thread for rk's consumer. NULL when no thread could
 * be made. */
fetchwake_t *fetchwake_start(rd_kafka_t *rk);

/* A message of len bytes (key and value) was taken from the queue: its
 * size goes into the estimate of the queue's bytes. fw may be NULL. */
void fetchwake_note(fetchwake_t *fw, size_t len);

/* Whether the fetchers should be woken now (fetchwake_due() on the
 * consumer queue's length); cheap: most calls only read the clock. fw may
 * be NULL (then 0). */
int fetchwake_wanted(fetchwake_t *fw);

/* Takes parts (the assigned partitions, their offsets set to
 * RD_KAFKA_OFFSET_END; fetchwake destroys the list) and has the thread
 * wake their leaders, unless a wake is under way (then parts is destroyed
 * at once). Never waits for the request. fw may be NULL. */
void fetchwake_poke(fetchwake_t *fw, rd_kafka_topic_partition_list_t *parts);

/* Waits for a wake under way (FETCHWAKE_TIMEOUT_MS at most) and ends the
 * thread; before the consumer is closed. fw may be NULL. */
void fetchwake_stop(fetchwake_t *fw);

#endif
