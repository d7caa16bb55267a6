/*
 * runlock.h - one producer process at a time runs a stream on a host.
 *
 * Nothing in Kafka keeps two producers of one stream apart, and runs
 * that overlap (a cron job slower than its interval, `run --once --full`
 * started by hand beside a follow-mode producer) lose records: one run's
 * deletion held from before a restore lands after the other run's
 * upsert, while the other's checkpoint says that version is published;
 * and each run marks the other's `running` record abandoned. Before a
 * run reads its checkpoint it takes an exclusive flock(2) on a file
 * named for the stream's cluster, topic prefix and name, in
 * [producer] lock.dir (unset: /run/lock when world-writable, else /tmp), and
 * keeps it until the run ends. flock is released by the kernel when its
 * holder dies, so a killed run never leaves it held.
 *
 * Producers on other hosts (Kubernetes replicas) are not seen: the README
 * says to run one producer per stream.
 *
 * Owns: the lock's descriptor. Main thread.
 */
#ifndef TIDEMARK_RUNLOCK_H
#define TIDEMARK_RUNLOCK_H

#include "compiler.h"
#include <stddef.h>
#include "config.h"

typedef struct runlock {
    int fd; /* -1: not held */
} runlock_t;

#define RUNLOCK_INIT                                                                               \
    {                                                                                              \
        -1                                                                                         \
    }

typedef enum runlock_result {
    RUNLOCK_HELD = 0,  /* taken: release it at the run's end */
    RUNLOCK_BUSY = 1,  /* another process holds it: errstr says which */
    RUNLOCK_ERROR = -1 /* the file cannot be opened or locked: errstr says why */
} runlock_result_t;

/* Takes the lock of stream; with wait, waits for its holder's end (in
 * slices: a stop request ends the wait, RUNLOCK_ERROR "interrupted"). */
runlock_result_t runlock_take(const tm_config_t *conf, const char *stream, int wait,
                              runlock_t *lock, char *errstr, size_t errstr_size) TM_WARN_UNUSED;

/* Releases a lock taken (nothing when not held). */
void runlock_release(runlock_t *lock);

#endif
