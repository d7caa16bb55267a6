/*
 * checkpoint_chunks.h - the chunk format of checkpoints (checkpoint.h
 * describes it): which chunks a tracker needs written, the head's view of
 * a tracker, and checking and loading chunks back into one.
 *
 * Owns: a checkpoint_chunks_t owns its chunks (checkpoint_chunks_clear).
 * Pure (no I/O): any thread, one tracker per thread. Returns PRODUCER_OK
 * or PRODUCER_FAILED (result.h) unless a function says otherwise.
 */
#ifndef TIDEMARK_CHECKPOINT_CHUNKS_H
#define TIDEMARK_CHECKPOINT_CHUNKS_H

#include "compiler.h"
#include <stddef.h>
#include <stdint.h>
#include "hwm.h"
#include "result.h"
#include "runrecord.h"

#define CHECKPOINT_CHUNK_BYTES    (256 * 1024)
#define CHECKPOINT_INLINE_BYTES   (32 * 1024)
#define CHECKPOINT_HEAD_MAX_BYTES 900000
#define CHECKPOINT_CANDIDATES     16
#define CHECKPOINT_FRAGMENTED_MIN 64

/* The sizes a checkpoint is cut to. */
typedef struct checkpoint_sizes {
    size_t chunk;      /* a chunk's message value, at most */
    size_t inline_ids; /* the pending ids a head carries inline, at most */
} checkpoint_sizes_t;

/* Room a message needs besides its value (key, headers, framing). */
#define CHECKPOINT_MESSAGE_MARGIN 1024

/*
 * The sizes for a producer whose messages may take max_message bytes
 * (librdkafka's message.max.bytes, which a topic's lower max.message.bytes
 * asks to lower): CHECKPOINT_CHUNK_BYTES and CHECKPOINT_INLINE_BYTES, or
 * less where they would not fit (a chunk max_message less the margin,
 * inline ids a quarter of max_message). With fixed sizes a sync-runs
 * topic limited to 64000 bytes refused every chunk, and every run failed
 * without moving its checkpoint.
 */
checkpoint_sizes_t checkpoint_sizes(size_t max_message);

/* The largest run record (a checkpoint's head) such a producer writes:
 * CHECKPOINT_HEAD_MAX_BYTES, or max_message less the margin. Its chunk
 * references are not cut: a tie set that needs more of them than that
 * fails the checkpoint, saying so. */
size_t checkpoint_head_max(size_t max_message);

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
 * inline), keys numbered from *seq on. t is not changed. Fails on ENOMEM
 * (errstr).
 */
int checkpoint_plan(const hwm_tracker_t *t, const checkpoint_sizes_t *sizes, const char *stream,
                    const char *run_id, unsigned *seq, checkpoint_chunks_t *out, char *errstr,
                    size_t errstr_size) TM_WARN_UNUSED;

/* The head's view of t into *head (zeroed first): value, pending ids
 * inline, chunk references. Fails on ENOMEM only. */
int checkpoint_head_view(const hwm_tracker_t *t, run_hwm_t *head) TM_WARN_UNUSED;

typedef enum checkpoint_decode_result {
    CHECKPOINT_DECODE_OK = 0,
    CHECKPOINT_DECODE_INVALID = -1, /* errstr says what is wrong with it */
    CHECKPOINT_DECODE_NOMEM = -2,   /* t may hold part of the chunk */
} checkpoint_decode_result_t;

/*
 * Checks a chunk's value against ref (bytes, sum, its own key, ids count,
 * well-formed) and, when t is not NULL, adds its ids to t (not pending).
 * Nothing is added unless the whole chunk is valid.
 */
checkpoint_decode_result_t checkpoint_decode_chunk(hwm_tracker_t *t, const run_chunk_ref_t *ref,
                                                   const char *value, size_t len, char *errstr,
                                                   size_t errstr_size) TM_WARN_UNUSED;

/*
 * Loads the id set of h (as checkpoint_read resolved it) into the empty
 * tracker t: value, the ids of every chunk whose data is there and
 * decodes (the others are left out, with a warning: their ids are
 * published again) and the inline ids, which stay pending. Fails on
 * ENOMEM only.
 */
int checkpoint_load_tracker(hwm_tracker_t *t, const run_hwm_t *h,
                            const char *stream) TM_WARN_UNUSED;

#endif
