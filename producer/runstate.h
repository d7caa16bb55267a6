/*
 * runstate.h - the state of one run of one stream (run_t) and the calls
 * the run's modules make on each other. Private to the run: only
 * run.c and the run*.c modules below include it.
 *
 *   run.c           run_once(): set-up, the order of the steps, the end
 *   runmode.h       full or incremental, from the checkpoint (pure)
 *   runcheckpoint.c the run records this run writes: start, progress, end
 *   runpublish.c    one change event (+ tombstone) or one dead letter
 *   runwalk.c       the page loop both walks share
 *   runrecords.c    the records walk: skip, publish, move the HWM
 *   runsecond.c     the records walked again for what the first walk missed
 *   rundeleted.c    the deleted endpoint's walks: its deletions held
 *   runheld.c       the held deletions: late-deletion check against the
 *                   topic, publishing them
 *   runreconcile.c  full runs: the topic's live ids, the vanished ones
 *
 * The tracker (hwm.h) is the HWM this run has reached: the largest cursor
 * published and the ids + digests at its bucket. `durable` is the HWM the
 * last written run record holds, as written (inline ids and chunk
 * references, checkpoint.h). A run record may only hold a HWM below which
 * every record was published: the tracker once its walk is over (held at
 * the walk's start when the pages are not in cursor order) or, during a
 * walk, when the pages come in cursor order; else the durable one. A
 * failed run writes the best such HWM Kafka acknowledged, so a crash or
 * failure re-publishes and never skips.
 *
 * Every function here returns PRODUCER_OK or PRODUCER_FAILED with errstr
 * (result.h) unless it says otherwise. Main thread (the envelope schema
 * is not thread-safe).
 */
#ifndef TIDEMARK_RUNSTATE_H
#define TIDEMARK_RUNSTATE_H

#include "compiler.h"
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "absentfields.h"
#include "config.h"
#include "envelope.h"
#include "heldeletes.h"
#include "http.h"
#include "hwm.h"
#include "idset.h"
#include "jsonpage.h"
#include "pageshift.h"
#include "publisher.h"
#include "reconcile.h"
#include "result.h"
#include "runmode.h"
#include "runrecord.h"
#include "schema_registry.h"
#include "source.h"
#include "stats.h"

typedef struct run {
    const tm_config_t *conf;
    const stream_conf_t *sc;
    envelope_schema_t *es;
    field_type_t id_type; /* the id field's: ids read as the worker reads them
                             (recordid.h, reconcile.h) */
    publisher_t *pub;
    const run_record_t *cp;
    int allow_mass_delete; /* --allow-mass-delete */
    http_client_t *hc;
    const http_auth_t *auth;     /* the stream's token source (oauth2.h), or NULL */
    schema_registry_t *registry; /* NULL: no registry (single-object encoding) */
    int *registry_refused;       /* run_opts_t's */
    absentfields_t *absent;      /* run_opts_t's */
    int64_t wait_limit_ms;       /* run_opts_t's */
    int deleted_deferrals;       /* run_opts_t's */
    int deleted_deferred;        /* its deleted endpoint's wait was not waited */
    char topic[512], dlq_topic[512], runs_topic[512];
    char run_id[RUN_ID_SIZE];
    run_mode_decision_t mode;     /* full or incremental, resumed */
    char source[RUN_SOURCE_SIZE]; /* run_source_digest() of the url */
    int64_t started_at, last_full_at;
    hwm_tracker_t tracker, del_tracker; /* reached by this run */
    run_hwm_t durable, del_durable;     /* in the last run record written */
    unsigned chunk_seq;                 /* numbers this run's checkpoint chunks */
    int stale_dropped;                  /* cp->stale_chunks tombstoned */
    int own_hwm;                        /* durable is the records walk's own (a checkpoint of its
                                           tracker), not the HWM from before a full run */
    producer_stats_t stats;             /* this run's counters */
    producer_stats_t flushed;           /* what of them the totals hold */
    int64_t since_progress;             /* events since the last checkpoint */
    int64_t progress_at;                /* when the run last wrote a progress
                                           checkpoint (monotonic ms); 0: none yet */
    int records_done;                   /* every page of the records endpoint handled */
    int deletes_done;                   /* ... and of the deleted endpoint (or none) */
    int fetch_complete;                 /* the records walk ended by its end rule */
    int fetch_proves_all;               /* ... and proved it was served every record
                                           (source_proves_all): what reconciliation needs.
                                           An answer that may be capped or cut beside an
                                           error holds no HWM back (an API that says
                                           "errors" on every page would stop it for good) */
    idset_t *dlq_digests;               /* digests of items dead-lettered this run that
                                         * no HWM covers (run_first_dead_letter) */
    int progress_off_logged;
    int reconciled;     /* a full run's reconciliation is done */
    heldeletes_t *held; /* the deleted endpoint's, until the records walk */
    int walk_has_since; /* where the records walk started */
    int64_t walk_since;
    int del_walk_has_since; /* where the deleted walk started */
    int del_mark_dropped;   /* drop_mark_past_clock(): every deletion is asked of the topic */
    int64_t del_walk_since;
    /* records whose cursor was past the API's clock (runrecords.c): how
     * many, the first one, and each one's cursor by id */
    int64_t future_cursors, future_first_cursor, future_first_api_now;
    char future_first_id[128];
    idset_t *future_ids;
    int has_max_cursor;              /* once the records walk is over: */
    int64_t max_cursor;              /* the largest cursor published (run_outrank()) */
    reconcile_t *recon;              /* full runs: the ids Kafka holds */
    int confirming;                  /* in the second walk of the records (runsecond.c) */
    pageshift_t *shift;              /* what the records walk paged by number (page, offset) */
    int64_t second_missed;           /* records the second walk handled: the first missed them */
    int second_unproven;             /* the second walk ended unproven (runsecond.c) */
    int64_t second_unidentified;     /* records it served without an id it could read */
    int dates_unknown;               /* a local date was taken for UTC's (daytz.h) */
    source_asked_t second_last_page; /* where its last page was asked */
    int64_t second_until;            /* the last cursor bucket the second walk needs */
    int walk_ended;                  /* a handler's word: run_walk() ends after this page */
    int since_exclusive;             /* the records walk found the API filters `>` (source.h) */
    pageshift_t *del_shift;          /* what the deleted walk paged by number (page, offset) */
    int del_second;                  /* in the deleted endpoint's second walk (rundeleted.c) */
    int64_t del_second_until;        /* the last deleted_at that walk needs */
    int64_t del_second_missed;       /* deletions it held: the first walk missed them */
    /* Records of the current page put in the tracker at its bucket with an
     * empty digest, whose digest is still to compute (runrecords.c):
     * borrowed from the page, settled before the page goes and before a
     * checkpoint reads the tracker. */
    const json_t **later;
    size_t n_later, cap_later;
    int64_t later_bucket;     /* the tracker's bucket they were put in */
    const json_t *page_items; /* the page a walk is handling (runwalk.c), or NULL */
    size_t page_index;        /* the item in hand, in page_items */
    idset_t *page_decider;    /* id -> the index of its deciding copy in page_items
                               * (runrecords.c other_copy_decides()), built at
                               * most once a page */
    int page_decider_built;
    /* The previous item on this page with a cursor, for run_check_order()
     * (run_walk() forgets it at each page): its cursor and bucket. */
    int order_has_prev;
    int64_t order_prev, order_prev_bucket;
} run_t;

/* errstr = "out of memory"; returns PRODUCER_FAILED. */
int run_oom(char *errstr, size_t errstr_size);

/* ---- runpublish.c ---- */

/* Produces a tombstone of key (compaction drops the key's messages), with
 * a delete's headers and reason (NULL: none). */
int run_publish_tombstone(run_t *r, const char *key, const char *reason, char *errstr,
                          size_t errstr_size);

/*
 * Encodes and produces one event (+ a tombstone after a delete). A
 * per-record failure (it does not encode, Kafka will never take its size)
 * dead-letters it instead: *dlqd = 1, and the run goes on. reason (NULL:
 * none) goes in a RUN_REASON_HEADER header of both.
 */
int run_publish(run_t *r, change_op_t op, const char *id, int64_t source_ts, const json_t *rec,
                const char *url, const char *reason, int *dlqd, char *errstr,
                size_t errstr_size) TM_WARN_UNUSED;

/* Sends rec (id may be NULL) to the DLQ with the reason why; logged. */
int run_dead_letter(run_t *r, const char *id, const json_t *rec, const char *why, const char *url,
                    char *errstr, size_t errstr_size) TM_WARN_UNUSED;

/* The same for a bad item of a page (not valid JSON): its raw bytes. */
int run_dead_letter_raw(run_t *r, const char *id, const jsonpage_bad_t *bad, const char *url,
                        char *errstr, size_t errstr_size) TM_WARN_UNUSED;

/* Whether an item that no HWM can cover (no usable cursor, or no usable
 * id and no date) with this digest is met for the first time this run (1;
 * 0 again: a seek walk is served the item that set its since again, a
 * walk again serves it again), so that it is dead-lettered once a run
 * (r->dlq_digests). -1 on ENOMEM. */
int run_first_dead_letter(run_t *r, const char *digest) TM_WARN_UNUSED;

/* ---- runcheckpoint.c ---- */

/*
 * Writes the run record that marks the start (HWMs unchanged). When the
 * checkpoint is another run's `running` record, that run's producer
 * stopped before it ended (killed, crashed): it is first written again as
 * `failed`, saying so, or it would stay `running` in sync_metadata for
 * good.
 */
int run_mark_start(run_t *r, char *errstr, size_t errstr_size) TM_WARN_UNUSED;

/*
 * Every SYNC_PROGRESS_EVERY events, a `running` record with the HWMs it
 * is safe to resume from (see runcheckpoint.c), the deferred digests
 * settled first (run_settle_deferred()); after the run's first, no sooner
 * than progress.interval after the one before. Call once per event.
 */
int run_maybe_progress(run_t *r, char *errstr, size_t errstr_size) TM_WARN_UNUSED;

/* Flushes, then writes the `completed` record with both trackers. */
int run_mark_completed(run_t *r, char *errstr, size_t errstr_size) TM_WARN_UNUSED;

/*
 * After a failure (error): settles the delivery reports, then writes the
 * `failed` record with the best HWMs Kafka acknowledged. Its own failure
 * is only logged.
 */
void run_mark_failed(run_t *r, const char *error);

/* ---- runwalk.c ---- */

/* What a walk does with one item of a page (bad: a bad item of the page,
 * item its stand-in; url: the page's). */
typedef int (*run_item_fn)(run_t *r, source_t *src, const json_t *item, const jsonpage_bad_t *bad,
                           const char *url, char *errstr, size_t errstr_size);

/* What a walk does once every item of a page (items, an array: empty for
 * an empty page) was handled, before the page is freed. url: the page's. */
typedef int (*run_page_fn)(run_t *r, source_t *src, const json_t *items, const char *url,
                           char *errstr, size_t errstr_size);

/*
 * Every item of every page src serves, to handle, until the walk's end
 * (PRODUCER_OK; also after a page whose handler set r->walk_ended, which
 * the caller resets), a failure of the source, of handle or of page_done,
 * or a stop ("interrupted"). page_done (NULL: none) after each page's items.
 * Counts pages and flushes the run's counters after each page. The caller
 * started src and destroys it.
 */
int run_walk(run_t *r, source_t *src, run_item_fn handle, run_page_fn page_done, char *errstr,
             size_t errstr_size) TM_WARN_UNUSED;

/* Where and how a second walk of an endpoint goes (run_walk_again()). */
typedef struct run_again {
    const stream_conf_t *sc; /* the endpoint, as source_new() takes it */
    int has_since;           /* 0: from the start */
    int64_t since;
    int exclusive; /* the first walk found the API filters `>` */
    int empty_end; /* it ends only on an empty page (source_require_empty_end()) */
} run_again_t;

/*
 * A second walk (runsecond.c, rundeleted.c): run_walk() over a new source
 * of again->sc from again's since. *complete: it ended by its end rule,
 * or by a handler's word (r->walk_ended, reset here); 0 after one that
 * ended on an empty page that says it is an error. *proves_all (NULL: not
 * asked): *complete, and no answer left it open whether the API served
 * every record (source_proves_all()): what a deletion needs.
 */
int run_walk_again(run_t *r, const run_again_t *again, run_item_fn handle, run_page_fn page_done,
                   int *complete, int *proves_all, char *errstr, size_t errstr_size) TM_WARN_UNUSED;

/*
 * After a walk whose pages are not in cursor order (records with
 * cursor.sorted = false; deletions paged by cursor or link): an item on a
 * page already read that changed during the walk got a cursor at or after
 * the walk's start, perhaps below the largest cursor seen, and was not
 * served again. So t may not pass the walk's start in the API's clock
 * (mark, source_api_started_at()): min(largest cursor seen, mark), with an
 * empty id set when lowered (hwm_tracker_cap()), logged with walk
 * ("records" or "deleted"). The items between the two are read, and
 * published, again by the next run: duplicates, which the worker ignores.
 */
void run_hold_at_walk_start(run_t *r, hwm_tracker_t *t, const cursor_clock_t *clock, int64_t mark,
                            const char *walk);

/*
 * After a walk whose pages are not in cursor order ended unproven (on an
 * empty page that says it is an error: source_complete() false): the
 * pages it did not read may hold any cursor at all, below the largest
 * one it saw, so t keeps where it was before the walk (had, prev: its
 * value then). A walk that had none fails instead (errstr): no HWM can
 * be kept, and the next run reads everything again. Returns
 * PRODUCER_OK or PRODUCER_FAILED.
 */
int run_hold_unproven(run_t *r, hwm_tracker_t *t, const cursor_clock_t *clock, int had,
                      int64_t prev, const char *walk, char *errstr,
                      size_t errstr_size) TM_WARN_UNUSED;

/*
 * For a walk that counts on ascending cursor order: the seek walk
 * (page, offset: it re-asks from the last record's cursor) and the
 * progress checkpoints of cursor.sorted (at the largest cursor yet). An
 * item whose cursor's bucket lies below the previous item's on the same
 * page fails the walk (PRODUCER_FAILED, errstr: endpoint (NULL: none),
 * both cursors, remedy): going on would skip, or checkpoint past, the
 * items below the cursors passed. Only within a page: an API whose since
 * is coarser than its cursors (seconds, say) starts a new since below the
 * last cursor, and that is no disorder. The caller leaves out items past
 * the API's clock (run_past_api_clock()), which move no HWM: a sentinel
 * such as 2099-01-01 may be listed anywhere.
 */
int run_check_order(run_t *r, const cursor_clock_t *clock, int64_t cursor, const char *endpoint,
                    const char *remedy, char *errstr, size_t errstr_size) TM_WARN_UNUSED;

/*
 * Whether a cursor (or deleted_at) is past the API's clock, api_now_ms
 * (source_page_api_now()), by more than a clock skew (5 min; 14 h more
 * for a date cursor, whose date may be labelled in a zone ahead of UTC):
 * no time the API has reached. Such an item is published but does not
 * move an HWM, which would skip every change to come. Pure.
 */
int run_past_api_clock(cursor_precision_t precision, int64_t cursor_ms, int64_t api_now_ms);

/* ---- runrecords.c ---- */

/* Walks the records endpoint from the HWM (minus lookback). */
int run_fetch_records(run_t *r, char *errstr, size_t errstr_size) TM_WARN_UNUSED;

/*
 * Puts the digests of the records deferred at the tracker's bucket into
 * it (runrecords.c), unless it moved on to another bucket since (it
 * dropped those ids then): before a checkpoint reads the tracker.
 */
int run_settle_deferred(run_t *r, char *errstr, size_t errstr_size) TM_WARN_UNUSED;

/*
 * One record of a records walk (a run_item_fn): skipped, published or
 * dead-lettered, as run_fetch_records() handles each. While r->confirming
 * (the second walk, runsecond.c) it moves no HWM: the first walk's hold
 * at its start was decided already.
 */
int run_handle_record(run_t *r, source_t *src, const json_t *rec, const jsonpage_bad_t *bad,
                      const char *url, char *errstr, size_t errstr_size) TM_WARN_UNUSED;

/*
 * Walks the records endpoint from since (every record when !has_since)
 * only to show which held deletions are stale (heldeletes_served()): it
 * publishes nothing and moves no HWM. For undated deletions that the
 * records walk could not vouch for (runheld.c). *proven: it read every
 * page, to the empty one (source_complete(): not so after an empty page
 * that says it is an error). Else an id it did not serve may still be
 * live.
 */
int run_recheck_held(run_t *r, int has_since, int64_t since, int *proven, char *errstr,
                     size_t errstr_size) TM_WARN_UNUSED;

/*
 * The source_ts of a deletion that has no time of its own in the API's
 * clock (an item without deleted_at, a reconciliation delete), given the
 * producer's clock mark for it: the mark, or 1 ms past the largest cursor
 * published when that is later (see runrecords.c). Pure.
 */
int64_t run_outrank(const run_t *r, int64_t mark);

/* ---- runsecond.c ---- */

/*
 * After a records walk that read to its end: walks the records again when
 * it paged by number (r->shift) or, in a full run, left ids unserved that
 * Kafka holds live, and publishes each record it missed (moving no HWM).
 * Fails when that walk fails; one that ends unproven holds the HWM back
 * and keeps a full run from deleting.
 */
int run_second_walk(run_t *r, char *errstr, size_t errstr_size) TM_WARN_UNUSED;

/* ---- rundeleted.c ---- */

/* Walks the deleted endpoint from the deleted HWM (minus lookback) and
 * holds its deletions in r->held; walks it again over what it paged by
 * number (pageshift.h) and holds what the first walk missed. */
int run_fetch_deleted(run_t *r, char *errstr, size_t errstr_size) TM_WARN_UNUSED;

/* ---- runheld.c ---- */

/* After the records walk: publishes the held deletions that are not stale. */
int run_publish_held(run_t *r, char *errstr, size_t errstr_size) TM_WARN_UNUSED;

/* ---- runreconcile.c ---- */

/* Before a full run fetches: which ids the stream's topic holds as live. */
int run_scan_topic(run_t *r, char *errstr, size_t errstr_size) TM_WARN_UNUSED;

/*
 * After a full fetch that completed: a delete event (+ tombstone) for every
 * id live in Kafka that the API did not serve, unless that proves nothing
 * or is a mass deletion (failure, nothing deleted).
 */
int run_publish_vanished(run_t *r, char *errstr, size_t errstr_size) TM_WARN_UNUSED;

/* The ids live in Kafka that no walk of this run served so far. */
size_t run_count_vanished(const run_t *r);

#endif
