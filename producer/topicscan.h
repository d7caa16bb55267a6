/*
 * topicscan.h - read a whole topic once, from each partition's low to its
 * high watermark as they were when the scan started, without joining a
 * group or committing anything. The producer keeps its state in Kafka;
 * this is how it reads that state back: the checkpoints in
 * <prefix>.sync-runs (checkpoint.c) and, for full-sync reconciliation,
 * which ids a stream's topic holds (reconcile.c).
 *
 * The consumers only assign partitions and never commit. librdkafka
 * refuses assign() without a group.id, so each gets a throw-away unique one
 * that is never sent in a commit or join. A topic that does not exist yet
 * reads as empty. A partition is done at its last offset or at its end
 * (partition EOF: a trailing transaction marker is never delivered). Only
 * committed messages are read, as every consumer of the topic reads
 * them; an end below the stop offset (another client's transaction still
 * open) is waited on, and fails the scan if it stays there for
 * TOPICSCAN_IDLE_TIMEOUT_MS.
 *
 * Owns: two consumers (one reads every message, for the watermarks; one
 * the committed ones), made by the first scan and kept for the next ones
 * until topicscan_close() or a scan that fails. They take the settings of
 * the configuration the first scan was given: one per process. Messages
 * are handed to the callback borrowed (valid during the call only). Main
 * thread.
 */
#ifndef TIDEMARK_TOPICSCAN_H
#define TIDEMARK_TOPICSCAN_H

#include "compiler.h"
#include <stddef.h>
#include <librdkafka/rdkafka.h>
#include "config.h"

/* Without a message for this long, the scan fails (broker gone). */
#define TOPICSCAN_IDLE_TIMEOUT_MS 30000

/*
 * Called once per message, in offset order within a partition and in no
 * particular order across partitions. Returns 0 to go on, or -1 with
 * errstr set to stop the scan.
 */
typedef int (*topicscan_fn)(const rd_kafka_message_t *m, void *opaque, char *errstr,
                            size_t errstr_size);

/*
 * Reads topic, calling fn for each message. Returns 0 when every
 * partition was read to its high watermark; -1 with errstr when Kafka
 * failed, the scan stalled, a transaction held a partition's end back, fn
 * stopped it, or tm_running was cleared ("interrupted").
 */
int topicscan_read(const tm_config_t *conf, const char *topic, topicscan_fn fn, void *opaque,
                   char *errstr, size_t errstr_size) TM_WARN_UNUSED;

/* Closes the consumers the scans kept, if any. The producer calls it once,
 * before it exits. */
void topicscan_close(void);

#endif
