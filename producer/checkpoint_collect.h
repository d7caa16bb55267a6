/*
 * checkpoint_collect.h - resolving each stream's checkpoint from the
 * messages of one scan of <prefix>.sync-runs (checkpoint.h, "Reading"):
 * the CHECKPOINT_CANDIDATES newest heads per stream and every chunk of
 * theirs, then the newest head whose chunks are all there and valid.
 *
 * Owns: the collector owns the heads and chunk data it holds until take()
 * hands a head to the caller. Pure (no I/O): one thread per collector.
 */
#ifndef TIDEMARK_CHECKPOINT_COLLECT_H
#define TIDEMARK_CHECKPOINT_COLLECT_H

#include "compiler.h"
#include <stddef.h>
#include <stdint.h>
#include "result.h"
#include "runrecord.h"

/*
 * Collects the messages of a scan of <prefix>.sync-runs for the given
 * streams (borrowed until destroy) and resolves each stream's checkpoint.
 * collect(): value NULL is a tombstone; fails on ENOMEM only.
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
