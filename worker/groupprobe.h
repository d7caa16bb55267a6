/*
 * groupprobe.h - the Kafka side of the admin commands (reset-offsets,
 * status): a short-lived consumer handle with the worker's group.id that
 * never subscribes, so it never joins the group nor disturbs the running
 * workers. Through it: a topic's partitions, their watermarks, offsets by
 * timestamp, and a commit of the group's offsets (for lag tools only: the
 * database is the source of truth).
 *
 * Owns: groupprobe_t owns its rd_kafka_t. Partition lists handed out
 * (groupprobe_partitions) belong to the caller, who free()s them. Main
 * thread only.
 */
#ifndef TIDEMARK_WORKER_GROUPPROBE_H
#define TIDEMARK_WORKER_GROUPPROBE_H

#include "compiler.h"
#include <stddef.h>
#include <stdint.h>
#include "config.h"

#define GROUPPROBE_TIMEOUT_MS 10000

typedef struct groupprobe groupprobe_t;

/* A handle for conf's cluster and group. NULL with errstr set. */
groupprobe_t *groupprobe_new(const tm_config_t *conf, char *errstr, size_t errstr_size);
void groupprobe_destroy(groupprobe_t *ak);

/* groupprobe_partitions(): the cluster does not know the topic (or it has
 * no partitions), as it answers for a moment about one just created. */
#define GROUPPROBE_NO_TOPIC (-2)

/*
 * The partition ids of topic, ascending, into a new array *out (caller
 * frees) of *n. -1 with errstr set when the cluster cannot be reached,
 * GROUPPROBE_NO_TOPIC with errstr set when the topic does not exist.
 */
int groupprobe_partitions(groupprobe_t *ak, const char *topic, int32_t **out, size_t *n,
                          char *errstr, size_t errstr_size) TM_WARN_UNUSED;

/* Low (first kept) and high (next to be written) watermark of a
 * partition. 0, or -1 with errstr set. */
int groupprobe_watermarks(groupprobe_t *ak, const char *topic, int32_t partition, int64_t *low,
                          int64_t *high, char *errstr, size_t errstr_size) TM_WARN_UNUSED;

/*
 * For each of the n partitions: the first offset whose timestamp is at or
 * after ts_ms, into offsets[i], or -1 when the partition holds no such
 * message (every message is older). 0, or -1 with errstr set.
 */
int groupprobe_offsets_for_time(groupprobe_t *ak, const char *topic, const int32_t *partitions,
                                size_t n, int64_t ts_ms, int64_t *offsets, char *errstr,
                                size_t errstr_size) TM_WARN_UNUSED;

/*
 * Commits offsets[i] for partitions[i] as the group's committed offsets,
 * from outside the group (generation -1, no member id). A real broker
 * refuses that while the group has active members (UNKNOWN_MEMBER_ID,
 * ILLEGAL_GENERATION, REBALANCE_IN_PROGRESS): -1 with errstr naming the
 * error; the caller decides how much it matters.
 */
int groupprobe_commit(groupprobe_t *ak, const char *topic, const int32_t *partitions,
                      const int64_t *offsets, size_t n, char *errstr,
                      size_t errstr_size) TM_WARN_UNUSED;

#endif
