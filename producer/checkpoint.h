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
 *          most CHECKPOINT_CHUNK_BYTES. A chunk key is written once and
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
#include "runrecord.h"

#define CHECKPOINT_CHUNK_BYTES    (256 * 1024)
#define CHECKPOINT_INLINE_BYTES   (32 * 1024)
#define CHECKPOINT_HEAD_MAX_BYTES 900000
#define CHECKPOINT_CANDIDATES     16
#define CHECKPOINT_FRAGMENTED_MIN 64

/*
 * For each of the n stream names, out[i] = its checkpoint or NULL.
 * Returns 0, or -1 with errstr (Kafka unreachable, read timed out); on -1
 * every out[i] is NULL.
 */
int checkpoint_read(const tm_config_t *conf, const char *const *streams, size_t n,
                    run_record_t **out, char *errstr, size_t errstr_size) TM_WARN_UNUSED;

/*
 * Produces the head rr to topic (key rr->stream) and waits for its ack.
 * 0 or -1 (also for a head over CHECKPOINT_HEAD_MAX_BYTES). Only this
 * record's own delivery report decides: the caller must have flushed and
 * checked the events (and chunks) the record covers before calling.
 */
int checkpoint_write(publisher_t *pub, const char *topic, const run_record_t *rr, char *errstr,
                     size_t errstr_size) TM_WARN_UNUSED;

/*
 * Loads the id set of h (as checkpoint_read resolved it) into the empty
 * tracker t: value, the ids of every chunk whose data is there and
 * decodes (the others are left out, with a warning: their ids are
 * published again) and the inline ids, which stay pending. Returns 0, or
 * -1 on ENOMEM.
 */
int checkpoint_load_tracker(hwm_tracker_t *t, const run_hwm_t *h,
                            const char *stream) TM_WARN_UNUSED;

/*
 * Step (1) for one tracker: writes the chunks the head needs (see above;
 * often none), waits for their acks, records them in t, and fills *head
 * (zeroed first; the caller run_hwm_clear()s it) with the head's view of
 * t. seq numbers this run's chunks (start at 0). 0, or -1 with errstr.
 */
int checkpoint_prepare(publisher_t *pub, const char *topic, const char *stream, const char *run_id,
                       unsigned *seq, hwm_tracker_t *t, run_hwm_t *head, char *errstr,
                       size_t errstr_size) TM_WARN_UNUSED;

/*
 * Step (3): tombstones the chunks old names and cur does not (cur NULL:
 * every one of old). Does not wait for the acks (a failed one fails the
 * run's next flush). 0, or -1 with errstr.
 */
int checkpoint_drop_unused(publisher_t *pub, const char *topic, const run_hwm_t *old,
                           const run_hwm_t *cur, char *errstr, size_t errstr_size) TM_WARN_UNUSED;

/* Tombstones keys[0..n) the same way. */
int checkpoint_drop_keys(publisher_t *pub, const char *topic, char *const *keys, size_t n,
                         char *errstr, size_t errstr_size) TM_WARN_UNUSED;

/* ---- the pure parts, exposed for unit tests ------------------------- */

/* FNV-1a 64 of len bytes. */
uint64_t checkpoint_sum(const void *data, size_t len);

typedef struct checkpoint_chunk {
    run_chunk_ref_t ref; /* key, ids, bytes, sum (no data) */
    char *value;         /* the message value, ref.bytes long */
} checkpoint_chunk_t;

typedef struct checkpoint_chunks {
    checkpoint_chunk_t *items;
    size_t n;
    int replace; /* the chunks hold every id (else: the pending ones) */
} checkpoint_chunks_t;

void checkpoint_chunks_clear(checkpoint_chunks_t *c);

/*
 * The chunks step (1) must write for t (none when pending ids fit
 * inline), keys numbered from *seq on. t is not changed. 0, or -1 with
 * errstr (ENOMEM).
 */
int checkpoint_plan(const hwm_tracker_t *t, const char *stream, const char *run_id, unsigned *seq,
                    checkpoint_chunks_t *out, char *errstr, size_t errstr_size) TM_WARN_UNUSED;

/* The head's view of t into *head (zeroed first): value, pending ids
 * inline, chunk references. 0, or -1 on ENOMEM. */
int checkpoint_head_view(const hwm_tracker_t *t, run_hwm_t *head) TM_WARN_UNUSED;

/*
 * Checks a chunk's value against ref (bytes, sum, its own key, ids count,
 * well-formed) and, when t is not NULL, adds its ids to t (not pending).
 * Nothing is added unless the whole chunk is valid. 0, -1 with errstr,
 * -2 on ENOMEM (t may then hold part of the chunk).
 */
int checkpoint_decode_chunk(hwm_tracker_t *t, const run_chunk_ref_t *ref, const char *value,
                            size_t len, char *errstr, size_t errstr_size) TM_WARN_UNUSED;

/*
 * Collects the messages of a scan of <prefix>.sync-runs for the given
 * streams (borrowed until destroy) and resolves each stream's checkpoint.
 * collect(): value NULL is a tombstone. Returns 0, or -1 on ENOMEM.
 * take(): stream i's checkpoint (see "Reading"), with its chunks' data and
 * stale_chunks, or NULL; the caller owns it.
 */
typedef struct checkpoint_collector checkpoint_collector_t;

checkpoint_collector_t *checkpoint_collector_new(const char *const *streams, size_t n);
int checkpoint_collect(checkpoint_collector_t *c, const char *key, size_t key_len,
                       const char *value, size_t len, int32_t partition, int64_t offset,
                       int64_t ts) TM_WARN_UNUSED;
run_record_t *checkpoint_collector_take(checkpoint_collector_t *c, size_t i);
void checkpoint_collector_destroy(checkpoint_collector_t *c);

#endif
