/*
 * run.h - one run of one stream: decide the mode from the checkpoint,
 * mark the run's start, fetch pages from the HWM, skip what was already
 * published unchanged, publish change events (and dead letters), poll the
 * deleted endpoint, and write the run record only after Kafka acknowledged
 * every event it covers. A full run also reconciles (reconcile.h): before
 * fetching it reads which ids the stream's topic holds as live, and after
 * a fetch that completed it publishes a delete (+ tombstone) for each of
 * them the API no longer served, counted in `deletes`.
 *
 * The deleted endpoint is walked like the main one (source.h), with its
 * deleted.* paging keys, from the deleted HWM minus lookback.
 *
 * Reconciliation deletes nothing unless the records walk ended by its end
 * rule and every record served had an id; more vanished ids than
 * full_sync.max_delete_ratio of the live ones fail the run, nothing
 * deleted, unless opts->allow_mass_delete.
 *
 * Progress checkpoints (every SYNC_PROGRESS_EVERY events, and no sooner
 * than progress.interval after the last checkpoint) only hold a HWM
 * below which every record was published: none during a walk whose pages
 * are not in cursor order (cursor.sorted = false).
 *
 * Failure classes: a record that cannot be identified or converted goes to
 * the DLQ and the run goes on; an HTTP failure after retries, a pagination
 * loop, a refused mass deletion or a failed delivery fails the run: a
 * `failed` run record keeps the last durable HWM, or, when the records
 * walk was over and Kafka acknowledged it (a failing deleted endpoint),
 * the records' new HWM with the deleted HWM unchanged. A full run whose
 * deleted endpoint fails still reconciles (that needs the records walk
 * only), and then counts as a full run for full_sync.every. A
 * Retry-After longer than opts->wait_limit_ms (follow mode) fails the run
 * at that request, the deleted endpoint's too (the API asked not to be asked
 * again before then): the run ends there, its records not walked.
 *
 * The run's steps live in runstate.h's modules; this header is the whole
 * of what the rest of the producer calls.
 *
 * Owns nothing past the call: the publisher, envelope schema and config are
 * borrowed. Main thread (the envelope schema is not thread-safe).
 */
#ifndef TIDEMARK_RUN_H
#define TIDEMARK_RUN_H

#include "compiler.h"
#include <stddef.h>
#include <stdint.h>
#include "absentfields.h"
#include "config.h"
#include "envelope.h"
#include "http.h"
#include "publisher.h"
#include "result.h"
#include "runrecord.h"
#include "schema_registry.h"

/* Events between progress checkpoints, at least (and progress.interval). */
#define SYNC_PROGRESS_EVERY 20000

typedef struct run_opts {
    int force_full;              /* --full */
    int allow_mass_delete;       /* --allow-mass-delete: a full run may delete more
                                    than full_sync.max_delete_ratio of the live ids */
    const http_auth_t *auth;     /* the stream's auth source, outliving runs (its
                                    cached token); NULL: none */
    schema_registry_t *registry; /* [schema_registry]'s client (schemareg.h),
                                    outliving runs; NULL: no registry */
    int *registry_refused;       /* set to 1 when the registry refused the
                                    stream's schema (may be NULL) */
    absentfields_t *absent;      /* the stream's watch over fields its API leaves
                                    out of whole pages, outliving runs; NULL: none */
    int64_t wait_limit_ms;       /* the HTTP client's wait limit (http.h: follow
                                    mode); 0: every wait to retry is waited */
    int64_t *retry_due_ms;       /* set at the run's end to when a wait to retry
                                    that was not waited ends, else 0 (may be NULL) */
    int *records_walked;         /* set at the run's end: 1 when its records walk
                                    was whole (may be NULL) */
    int *deleted_deferred;       /* set at the run's end: 1 when a wait its deleted
                                    endpoint asked for, on the records' origin, was
                                    not waited (may be NULL) */
    int deleted_deferrals;       /* runs in a row before this one that did so: under
                                    max.retries, such a wait ends the run; from then
                                    on it is the deleted endpoint failing for good,
                                    and the records are read */
} run_opts_t;

/*
 * Runs stream sc once. cp is its latest checkpoint (NULL: none). Returns
 * PRODUCER_OK when the run completed, PRODUCER_FAILED when it failed
 * (errstr says why; it was logged). Its counters are in the process
 * totals (stats.h) on return.
 */
int run_once(const tm_config_t *conf, const stream_conf_t *sc, envelope_schema_t *es,
             publisher_t *pub, const run_record_t *cp, const run_opts_t *opts, char *errstr,
             size_t errstr_size) TM_WARN_UNUSED;

#endif
