/*
 * checkpoint.h - the producer's checkpoints in <prefix>.sync-runs: run
 * records (key: stream name; the latest one per stream is the checkpoint)
 * and the checkpoint chunks that carry large HWM id sets.
 *
 * Why chunks: the ids at the HWM (hwm.h) can be millions (every
 * record sharing one cursor value, or a busy day with cursor.precision =
 * date), about 30 bytes each in JSON, while Kafka takes at most about
 * 1 MB per message by default (broker message.max.bytes 1048588,
 * librdkafka message.max.bytes 1000000). The set is therefore split over
 * several messages of the same topic, with keys that start with the
 * stream name.
 *
 * On the wire (all JSON, so that `kcat | jq` keeps working on the topic):
 *   head   key "<stream>", the run record of runrecord.h, at most
 *          CHECKPOINT_HEAD_MAX_BYTES. Its hwm and deleted_hwm hold
 *          "value", "ids" (the ids not in any chunk, inline: at most about
 *          CHECKPOINT_INLINE_BYTES) and "chunks" (references: key, number
 *          of ids, bytes and FNV-1a 64 sum of each chunk's value).
 *   chunk  key "<stream>/ckpt/<run_id>/<n>" (run_chunk_key), value
 *          {"chunk":"<its own key>","ids":{"<id>":"<digest>",...}}, at
 *          most CHECKPOINT_CHUNK_BYTES (or what checkpoint_sizes() leaves
 *          under a lower message.max.bytes). A chunk key is written once and
 *          never reused: a chunk never changes.
 * The set is the chunks' ids in list order, then the inline ones; a later
 * entry for an id overrides an earlier one.
 *
 * Writing, in this order (checkpoint_prepare, checkpoint_write,
 * checkpoint_drop_unused): (1) the chunks the new head needs that do not
 * exist yet, each acknowledged; (2) the head naming them, acknowledged;
 * (3) tombstones for the chunks the previous head named and the new one
 * does not (and for the stale chunks the reader found). A head is produced
 * only once every chunk it names is acknowledged; a chunk is tombstoned
 * only once a head that no longer names it is acknowledged.
 *
 * What is written stays linear in the ids, also with progress checkpoints
 * every SYNC_PROGRESS_EVERY records into a tie set of a million ids:
 *   - ids not in a chunk yet ("pending") travel inline in the head while
 *     they take at most CHECKPOINT_INLINE_BYTES (each head rewrites at
 *     most that much);
 *   - past that, the pending ids go into new chunks appended to the list;
 *     ids already in a chunk are not written again, the new head names the
 *     old chunks and the new ones. 20,000 new ids cost about 600 KB of
 *     chunks once, and the head grows by about 100 bytes per chunk;
 *   - a list grown fragmented (more than CHECKPOINT_FRAGMENTED_MIN chunks
 *     and over 4 times what the set needs) is rewritten whole, which
 *     costs a constant factor amortized;
 *   - a new HWM bucket drops the old set: its chunks are tombstoned once
 *     the head that no longer names them is acknowledged.
 * A later run starts from the checkpoint's list: an unchanged tie set is
 * not written again. (CHECKPOINT_HEAD_MAX_BYTES bounds the list to about
 * 8,000 chunks, some 60 million short ids; past that a checkpoint fails
 * with a clear error.)
 *
 * Reading (checkpoint_read): one scan of the topic (topicscan.h: assign-
 * only, never commits, every partition from its low to its high
 * watermark; a topic that does not exist yet means "no checkpoint")
 * collects, per stream, its CHECKPOINT_CANDIDATES newest heads and every
 * chunk of the stream (the latest value per key; a tombstone removes it).
 * The collection is kept, and the next read for the same streams (follow
 * mode's next pass) adds only what was written since; a topic that is not
 * where that read left it is read whole again (topicscan_read_on).
 * Newest: within one partition the later offset; across partitions (a
 * custom partitioner could spread one key) the later timestamp. The
 * checkpoint is the newest head whose every chunk is there with the bytes
 * and sum the head names, and whose chunks decode. So:
 *   - a crash between chunk writes leaves chunks no head names: the
 *     previous head is the checkpoint, and the next run tombstones them
 *     (run_record_t.stale_chunks);
 *   - chunks of a newer checkpoint next to an older head: keys are unique
 *     and checked by sum, so no chunk can stand in for another;
 *   - a compacted topic keeps the latest head (they share a key) and every
 *     chunk it names (unique keys, tombstoned only after a newer head
 *     stopped naming them);
 *   - a head whose chunks are gone (retention, deletion by hand, a
 *     concurrent producer): the newest complete older head is used; if
 *     there is none, the newest head without its chunks (logged). Both
 *     only make records at the HWM be published again, never skipped.
 * The reader holds the chunks it finds in memory (about 30 bytes per id).
 *
 * Modules: checkpoint.c talks to Kafka (read, write, tombstones);
 * checkpoint_chunks.h is the chunk format (pure); checkpoint_collect.h
 * resolves a scan's messages into each stream's checkpoint (pure).
 *
 * Every function returns PRODUCER_OK or PRODUCER_FAILED with errstr
 * (result.h) unless it says otherwise.
 *
 * Owns: checkpoint_read() hands each run_record_t to the caller
 * (run_record_destroy), with the data of its chunk references.
 * checkpoint_chunks_t and the collector own what they hold. Main thread.
 */
#ifndef TIDEMARK_CHECKPOINT_H
#define TIDEMARK_CHECKPOINT_H

#include "compiler.h"
#include <stddef.h>
#include <stdint.h>
#include "hwm.h"
#include "config.h"
#include "publisher.h"
#include "result.h"
#include "runrecord.h"
#include "checkpoint_chunks.h"
#include "checkpoint_collect.h"

/*
 * For each of the n stream names, out[i] = its checkpoint or NULL.
 * Fails (errstr) when Kafka is unreachable or the read timed out; then
 * every out[i] is NULL. What it read is kept for the next call with the
 * same streams, which reads only what is new on the topic (checkpoint.c)
 * until checkpoint_read_close().
 */
int checkpoint_read(const tm_config_t *conf, const char *const *streams, size_t n,
                    run_record_t **out, char *errstr, size_t errstr_size) TM_WARN_UNUSED;

/* Frees what checkpoint_read() kept. The producer calls it once, before it
 * exits. */
void checkpoint_read_close(void);

/*
 * Produces the head rr to topic (key rr->stream) and waits for its ack.
 * Fails also for a head over CHECKPOINT_HEAD_MAX_BYTES. Only this
 * record's own delivery report decides: the caller must have flushed and
 * checked the events (and chunks) the record covers before calling.
 */
int checkpoint_write(publisher_t *pub, const char *topic, const run_record_t *rr, char *errstr,
                     size_t errstr_size) TM_WARN_UNUSED;

/*
 * cp (a stream's latest record, status running: its producer stopped
 * before the run ended, killed or crashed) written again as failed, with
 * its own HWMs, chunks and end offsets and the error "abandoned: ...",
 * so that sync_metadata does not show it running for good. Then logs it
 * (by: what found it, a run id or "reset"). As checkpoint_write.
 */
int checkpoint_write_abandoned(publisher_t *pub, const char *topic, const run_record_t *cp,
                               const char *by, char *errstr, size_t errstr_size) TM_WARN_UNUSED;

/*
 * Step (1) for one tracker: writes the chunks the head needs (see above;
 * often none), waits for their acks, records them in t, and fills *head
 * (zeroed first; the caller run_hwm_clear()s it) with the head's view of
 * t. seq numbers this run's chunks (start at 0).
 */
int checkpoint_prepare(publisher_t *pub, const char *topic, const char *stream, const char *run_id,
                       unsigned *seq, hwm_tracker_t *t, run_hwm_t *head, char *errstr,
                       size_t errstr_size) TM_WARN_UNUSED;

/*
 * Step (3): tombstones the chunks old names and cur does not (cur NULL:
 * every one of old). Does not wait for the acks (a failed one fails the
 * run's next flush).
 */
int checkpoint_drop_unused(publisher_t *pub, const char *topic, const run_hwm_t *old,
                           const run_hwm_t *cur, char *errstr, size_t errstr_size) TM_WARN_UNUSED;

/* Tombstones keys[0..n) the same way. */
int checkpoint_drop_keys(publisher_t *pub, const char *topic, char *const *keys, size_t n,
                         char *errstr, size_t errstr_size) TM_WARN_UNUSED;

#endif
