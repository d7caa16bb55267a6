/*
 * topicscan.h - read a whole topic once, from each partition's low to its
 * high watermark as they were when the scan started, without joining a
 * group or committing anything; or, after such a read, what was written
 * since (topicscan_read_on). The producer keeps its state in Kafka;
 * this is how it reads that state back: the checkpoints in
 * <prefix>.sync-runs (checkpoint.c, read on from pass to pass) and, for
 * full-sync reconciliation, which ids a stream's topic holds
 * (reconcile.c).
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
#include <stdint.h>
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
 * stopped it, tm_running was cleared ("interrupted"), or a partition
 * went back to an offset already handed (librdkafka starts it over from
 * the earliest when the log was cut under the read): fn is never handed
 * an offset twice, and what it built is to be dropped.
 */
int topicscan_read(const tm_config_t *conf, const char *topic, topicscan_fn fn, void *opaque,
                   char *errstr, size_t errstr_size) TM_WARN_UNUSED;

/*
 * Where the reads of a topic stand, so that the next one reads only what
 * is new (topicscan_read_on): per partition, the high watermark the last
 * read went to and the last message it was handed. The next read starts
 * at that message again and must find it as it was (offset, timestamp and
 * a sum of its key): a topic deleted and made again, or truncated, has
 * other messages there, and offsets alone may not show it. A zeroed
 * topicscan_marks_t is "nothing read yet". The caller owns it
 * (topicscan_marks_clear).
 */
typedef struct topicscan_mark {
    int32_t partition;
    int64_t next;          /* the high watermark the last read went to */
    int64_t last_offset;   /* the last message it was handed, or -1 */
    int64_t last_ts;       /* that message's timestamp (-1: none) */
    uint64_t last_key_sum; /* FNV-1a of its key (length included) */
} topicscan_mark_t;

typedef struct topicscan_marks {
    topicscan_mark_t *v;
    size_t n;
    int valid; /* 0: no read yet, the next one reads everything */
} topicscan_marks_t;

/* topicscan_read_on(): the topic is not where the marks left it. */
#define TOPICSCAN_MOVED 1

/*
 * Reads what topic holds past *marks, calling fn for each new message,
 * and moves the marks to where this read ended; with marks not valid,
 * reads it all, as topicscan_read(). Returns 0; TOPICSCAN_MOVED (errstr
 * says why) when the marks no longer fit the topic: a partition's low
 * watermark above where the next read starts (messages removed before
 * they were read), a high watermark below the last read's, a partition
 * gone, the topic gone, or the last message read not found as it was;
 * and, in a read of it all too, a partition gone back to an offset
 * already handed (see topicscan_read()). fn may have been called for some messages first: whatever
 * the caller built from the earlier reads is to be dropped and the topic read whole again. -1 with
 * errstr as topicscan_read(). The marks are cleared (not valid) unless 0 is returned.
 */
int topicscan_read_on(const tm_config_t *conf, const char *topic, topicscan_marks_t *marks,
                      topicscan_fn fn, void *opaque, char *errstr,
                      size_t errstr_size) TM_WARN_UNUSED;

void topicscan_marks_clear(topicscan_marks_t *marks);

/*
 * Pure parts of topicscan_read_on, for unit tests: where a read of a
 * partition holding [lo, hi) starts after mark m (lo for a partition not
 * read before, or one whose reads handed nothing: nothing can be handed
 * twice; otherwise m's last message, read again and compared), or -1 when
 * m does not fit it; and whether a message is m's last one as it was.
 */
int64_t topicscan_start(const topicscan_mark_t *m, int64_t lo, int64_t hi);
int topicscan_mark_matches(const topicscan_mark_t *m, int64_t offset, int64_t ts, const void *key,
                           size_t key_len);

/* Closes the consumers the scans kept, if any. The producer calls it once,
 * before it exits. */
void topicscan_close(void);

#endif
