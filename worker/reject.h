/*
 * reject.h - a message of the batch that cannot be applied: marked dead,
 * counted, and queued on the dead-letter topic (deadletter.h) with the
 * reason "<stage>: <why>" (stage: "apply", "sync_metadata"). One place
 * for it, so that every stage words and counts its dead letters alike.
 *
 * Main thread (the DLQ producer is the batch's). Fails only when the dead
 * letter cannot be queued: OUTCOME_RETRY with errstr (the batch is rolled
 * back and retried, never skipped).
 */
#ifndef TIDEMARK_WORKER_REJECT_H
#define TIDEMARK_WORKER_REJECT_H

#include "compiler.h"
#include <stddef.h>
#include "batch.h"
#include "dlq_queue.h"
#include "outcome.h"

/* Queues m with "<stage>: <why>"; sets *dead (may be NULL) and adds one to
 * *count first. */
outcome_t reject_message(dlq_queue_t *dlq, const batch_msg_t *m, const char *stage, const char *why,
                         int *dead, size_t *count, char *errstr, size_t errstr_size) TM_WARN_UNUSED;

#endif
