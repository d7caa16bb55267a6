/*
 * consumer_position.c - where each assigned partition's fetcher stands:
 * the stored offset checked against the watermarks, offset.out_of_range,
 * the seeks of consumer_reposition() and the restarts of stopped
 * fetchers. See consumer.h and consumer_internal.h.
 */
#include "consumer_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errstr.h"
#include "isotime.h"
#include "kafka_meta.h"
#include "log.h"
#include "offsets.h"
#include "strbuf.h"

#define WATERMARK_TIMEOUT_MS 3000
/* after a watermark query failed, the next ones would wait as long: skip
 * them for a while (the fetch still catches a bad offset) */
#define WATERMARK_BACKOFF_MS 10000
#define SEEK_TIMEOUT_MS      5000
#define COMMITTED_TIMEOUT_MS 5000

static void set_expected(consumer_t *c, const assigned_tp_t *tp, int64_t expected)
{
    /* the partition is known to the offsets side: nothing to allocate */
    (void)c->db.set_expected(c->db.ctx, tp->topic, tp->partition, expected);
}

static const char *oor_name(offset_oor_t p)
{
    return p == OFFSET_OOR_EARLIEST ? "earliest" : p == OFFSET_OOR_LATEST ? "latest" : "fail";
}

/*
 * Events [from, low) of a partition were removed (retention, DeleteRecords)
 * before this group applied them: whatever offset.out_of_range does, the
 * records whose latest events they were are not in this table, and
 * sync_metadata may still show every run completed. Only a full run
 * publishes them again. (Compaction never moves the log start.)
 */
static void warn_events_lost(const char *topic, int32_t partition, int64_t from, int64_t low)
{
    log_warn("events removed from the partition before this group applied them: the records "
             "they carried are missing from the table until `tidemark-producer run --once "
             "--full` publishes every record again",
             "topic=%s partition=%" PRId32 " from=%" PRId64 " to=%" PRId64, topic, partition, from,
             low);
}

/*
 * Where offset.out_of_range sends a partition whose stored offset is not
 * to be gone on from, its watermarks known: with fail nowhere (stuck, its
 * start the stored offset), with earliest or latest to low or high. The
 * caller logs why, then calls store_start().
 */
static void policy_start(const consumer_t *c, int64_t stored, int64_t low, int64_t high,
                         placement_t *pl)
{
    pl->expected = stored;
    pl->stuck = c->oor == OFFSET_OOR_FAIL;
    pl->start = pl->stuck ? stored : c->oor == OFFSET_OOR_EARLIEST ? low : high;
}

/* Stores the start policy_start() moved a partition to, at once, so that
 * status and the next assignment agree (a stuck one keeps its offset). */
static void store_start(consumer_t *c, const char *topic, int32_t partition, placement_t *pl)
{
    if (!pl->stuck && c->db.store(c->db.ctx, topic, partition, pl->expected, pl->start))
        pl->expected = pl->start;
}

/*
 * A stored offset outside [low, high]: never skipped past silently. With
 * offset.out_of_range = fail the partition is stuck (the caller pauses
 * it) until reset-offsets moves its stored offset; with earliest or
 * latest it goes on from low or high, stored at once so that status and
 * the next assignment agree. low/high < 0: unknown (the fetch failed).
 */
static void out_of_range(consumer_t *c, const char *topic, int32_t partition, int64_t stored,
                         int64_t low, int64_t high, placement_t *pl)
{
    pl->expected = stored;
    if (c->oor != OFFSET_OOR_FAIL && (low < 0 || high < 0)) {
        /* watermarks unknown: the logical offsets say the same */
        pl->start = c->oor == OFFSET_OOR_EARLIEST ? RD_KAFKA_OFFSET_BEGINNING : RD_KAFKA_OFFSET_END;
        pl->stuck = 0;
        log_warn("stored offset outside the partition; going on from its "
                 "other end as offset.out_of_range says",
                 "topic=%s partition=%" PRId32 " stored=%" PRId64 " policy=%s start=%s", topic,
                 partition, stored, oor_name(c->oor),
                 c->oor == OFFSET_OOR_EARLIEST ? "beginning" : "end");
        return;
    }
    if (stored < low)
        warn_events_lost(topic, partition, stored, low);
    policy_start(c, stored, low, high, pl);
    if (pl->stuck)
        log_error("stored offset outside the partition; not applying the "
                  "partition until `tidemark-worker reset-offsets` moves it "
                  "(--stream NAME, or --runs for the run records' topic)",
                  "topic=%s partition=%" PRId32 " stored=%" PRId64 " low=%" PRId64 " high=%" PRId64
                  " policy=%s",
                  topic, partition, stored, low, high, oor_name(c->oor));
    else
        log_warn("stored offset outside the partition; going on from its "
                 "other end as offset.out_of_range says",
                 "topic=%s partition=%" PRId32 " stored=%" PRId64 " low=%" PRId64 " high=%" PRId64
                 " policy=%s start=%" PRId64,
                 topic, partition, stored, low, high, oor_name(c->oor), pl->start);
    store_start(c, topic, partition, pl);
}

/*
 * Below a stored offset inside [low, high] lies another message than the
 * one the batch that stored it applied (mark): the topic was deleted and
 * made again, and refilled past the stored offset. Going on from it would
 * skip the new topic's messages below it without a word: as for an offset
 * outside the partition, offset.out_of_range decides (fail: stuck until
 * reset-offsets moves it; earliest or latest: from low or high, stored at
 * once).
 */
static void other_message(consumer_t *c, const char *topic, int32_t partition, int64_t stored,
                          int64_t low, int64_t high, const offset_mark_t *mark,
                          const offset_mark_t *found, placement_t *pl)
{
    static const char what[] =
        "the message below the stored offset is not the one this group applied there: the "
        "topic was deleted and made again since, and filled past the stored offset";
    char fields[400];
    snprintf(fields, sizeof(fields),
             "topic=%s partition=%" PRId32 " stored=%" PRId64 " low=%" PRId64 " high=%" PRId64
             " applied_ts=%" PRId64 " found_ts=%" PRId64 " applied_key_sum=%" PRId64
             " found_key_sum=%" PRId64 " policy=%s",
             topic, partition, stored, low, high, mark->ts, found->ts, mark->key_sum,
             found->key_sum, oor_name(c->oor));
    policy_start(c, stored, low, high, pl);
    if (pl->stuck)
        log_error(what,
                  "%s action=\"not applying the partition until `tidemark-worker "
                  "reset-offsets` moves its stored offset (--stream NAME, or --runs for "
                  "the run records' topic)\"",
                  fields);
    else
        log_warn(what,
                 "%s start=%" PRId64 " action=\"going on from the partition's %s as "
                 "offset.out_of_range says\"",
                 fields, pl->start, c->oor == OFFSET_OOR_EARLIEST ? "start" : "end");
    store_start(c, topic, partition, pl);
}

/*
 * A partition without a stored offset. When the group has read its topic
 * before, every message ever in it is unread, and it gets a row as soon
 * as it is placed (below); so one without, whose low watermark is above 0,
 * was added while the workers were stopped and retention took its first
 * messages (offsets_outside()): never skipped past silently, but
 * offset.out_of_range decides, as for a stored offset outside it. A
 * partition placed at its start gets its row there at once: without it, a
 * partition that stayed empty (or whose first batch was not committed
 * yet) would look added-while-stopped after retention moved its start.
 */
static void place_unstored(consumer_t *c, const char *topic, int32_t partition, placement_t *pl)
{
    int64_t low = -1, high = -1;

    pl->start = RD_KAFKA_OFFSET_BEGINNING;
    if (kafka_query_watermarks(c->rk, topic, partition, &low, &high, WATERMARK_TIMEOUT_MS) !=
            RD_KAFKA_RESP_ERR_NO_ERROR ||
        low < 0 || high < 0)
        return; /* unknown: its first batch stores the row */
    int64_t start = low;
    /* a group that never read the topic starts at its log start, but what
     * was removed before that is not in its table either */
    if (low > 0)
        warn_events_lost(topic, partition, 0, low);
    if (offsets_outside(-1, c->db.has_topic(c->db.ctx, topic), low, high)) {
        if (c->oor == OFFSET_OOR_FAIL) {
            log_error("no stored offset, and retention took the partition's first messages "
                      "before they were read; not applying the partition until "
                      "`tidemark-worker reset-offsets` moves it (--stream NAME, or --runs "
                      "for the run records' topic)",
                      "topic=%s partition=%" PRId32 " low=%" PRId64 " high=%" PRId64 " policy=%s",
                      topic, partition, low, high, oor_name(c->oor));
            pl->stuck = 1;
            return;
        }
        start = c->oor == OFFSET_OOR_EARLIEST ? low : high;
        log_warn("no stored offset, and retention took the partition's first messages before "
                 "they were read; going on from its other end as offset.out_of_range says",
                 "topic=%s partition=%" PRId32 " low=%" PRId64 " high=%" PRId64
                 " policy=%s start=%" PRId64,
                 topic, partition, low, high, oor_name(c->oor), start);
    }
    /* from the start checked above even when its row could not be
     * stored now (a lock on sync_offsets): the fetch from the beginning
     * would pass a start that retention moved meanwhile, and with
     * offset.out_of_range = latest read what it said to leave;
     * consumer_store_passed() writes the row later */
    pl->start = start;
    if (c->db.store(c->db.ctx, topic, partition, -1, start))
        pl->expected = start;
}

void consumer_place(consumer_t *c, const char *topic, int32_t partition, int64_t stored,
                    placement_t *pl)
{
    pl->expected = stored;
    pl->start = stored;
    pl->stuck = 0;
    if (stored < 0) {
        place_unstored(c, topic, partition, pl);
        return;
    }
    if (isotime_monotonic_ms() < c->wm_skip_until)
        return; /* the fetch finds out (auto.offset.reset = error) */
    int64_t low = -1, high = -1;
    rd_kafka_resp_err_t err =
        kafka_query_watermarks(c->rk, topic, partition, &low, &high, WATERMARK_TIMEOUT_MS);
    if (err) {
        log_warn("cannot check the stored offset against the partition; "
                 "the fetch will",
                 "topic=%s partition=%" PRId32 " stored=%" PRId64 " error=%s", topic, partition,
                 stored, rd_kafka_err2name(err));
        c->wm_skip_until = isotime_monotonic_ms() + WATERMARK_BACKOFF_MS;
        return;
    }
    if (offsets_outside(stored, 1, low, high)) {
        out_of_range(c, topic, partition, stored, low, high, pl);
        return;
    }
    offset_mark_t mark, found;
    if (stored > low && c->db.mark(c->db.ctx, topic, partition, &mark) &&
        consumer_probe_mark(c, topic, partition, stored - 1, &mark, &found) == 0)
        other_message(c, topic, partition, stored, low, high, &mark, &found, pl);
}

/* The partitions restart() assigns: those with restart_at set, and under
 * EAGER every other one too, at its expected offset. NULL when none has
 * restart_at set. */
static rd_kafka_topic_partition_list_t *restart_list(consumer_t *c, int coop)
{
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new((int)c->n_tps + 1);
    int n = 0;

    for (size_t i = 0; i < c->n_tps; i++) {
        const assigned_tp_t *tp = &c->tps[i];
        int64_t at = tp->restart_at != RESTART_NONE ? tp->restart_at : consumer_tp_home(c, tp);

        n += tp->restart_at != RESTART_NONE;
        if (coop && tp->restart_at == RESTART_NONE)
            continue;
        rd_kafka_topic_partition_list_add(l, tp->topic, tp->partition)->offset = at;
    }
    if (n == 0) {
        rd_kafka_topic_partition_list_destroy(l);
        return NULL;
    }
    return l;
}

/*
 * Starts the fetchers of the partitions whose restart_at is set again
 * there, and resumes them. A fetcher stopped by the reset error cannot be
 * sought (librdkafka answers _STATE): only an assignment starts it again.
 * COOPERATIVE: those partitions are unassigned and assigned anew. EAGER
 * (assign() replaces the whole assignment): every partition is assigned
 * anew, the others at their stored offsets, so the caller must hold no
 * batch (the runner's hook, or a caller at an empty batch). 0 or -1
 * (logged; restart_at is then left for the next try).
 */
static int restart(consumer_t *c)
{
    int coop = consumer_is_coop(c);
    rd_kafka_topic_partition_list_t *l = restart_list(c, coop);
    rd_kafka_error_t *error = NULL;
    rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;

    if (!l)
        return 0;
    /* resumed before the fetchers start, paused after: as in on_assign() */
    for (size_t i = 0; i < c->n_tps; i++) {
        const assigned_tp_t *tp = &c->tps[i];

        if (tp->restart_at != RESTART_NONE || (!coop && !tp->stuck && !tp->held))
            consumer_set_paused(c, tp->topic, tp->partition, 0);
    }
    if (coop) {
        error = rd_kafka_incremental_unassign(c->rk, l);
        if (!error)
            error = rd_kafka_incremental_assign(c->rk, l);
        if (error)
            err = rd_kafka_error_code(error);
    } else {
        err = rd_kafka_assign(c->rk, l);
    }
    rd_kafka_topic_partition_list_destroy(l);
    if (error)
        rd_kafka_error_destroy(error);
    if (err) {
        log_warn("cannot restart the partitions' fetchers", "error=%s", rd_kafka_err2name(err));
        return -1;
    }
    for (size_t i = 0; i < c->n_tps; i++) {
        assigned_tp_t *tp = &c->tps[i];

        if (tp->restart_at != RESTART_NONE) {
            tp->floor = tp->restart_at >= 0 ? tp->restart_at : -1;
            consumer_tp_moved(tp);
            tp->restart_at = RESTART_NONE;
            if (tp->held)
                consumer_set_paused(c, tp->topic, tp->partition, 1);
        } else if (!coop) {
            int64_t home = consumer_tp_home(c, tp);
            tp->floor = home >= 0 ? home : -1;
            consumer_tp_moved(tp);
            if (tp->stuck || tp->held)
                consumer_set_paused(c, tp->topic, tp->partition, 1);
        }
    }
    return 0;
}

/*
 * The fetcher found its position outside the partition (the topic was
 * recreated, retention passed it): librdkafka does not jump by itself
 * (auto.offset.reset = error) and has stopped the fetcher.
 */
void consumer_on_offset_reset(consumer_t *c, const char *topic, int32_t partition, int64_t at)
{
    assigned_tp_t *tp = consumer_find_tp(c, topic, partition);

    if (!tp || tp->stuck)
        return;
    log_warn("fetch position outside the partition",
             "topic=%s partition=%" PRId32 " position=%" PRId64 " stored=%" PRId64, topic,
             partition, at, consumer_tp_expected(c, tp));
    /* the partition restarts from a committed position: apply the batch
     * in hand first (an EAGER restart moves every partition) */
    if (c->oor != OFFSET_OOR_FAIL && c->hooks.before_revoke)
        c->hooks.before_revoke(c->hooks.ctx, 0);
    if (!(tp = consumer_find_tp(c, topic, partition)))
        return;
    int64_t low = -1, high = -1;
    if (kafka_query_watermarks(c->rk, topic, partition, &low, &high, WATERMARK_TIMEOUT_MS))
        low = high = -1;
    placement_t pl;
    out_of_range(c, topic, partition, consumer_tp_expected(c, tp), low, high, &pl);
    tp->stuck = pl.stuck;
    set_expected(c, tp, pl.expected);
    if (pl.stuck) {
        consumer_set_paused(c, topic, partition, 1);
        return;
    }
    tp->restart_at = pl.start;
    (void)restart(c); /* a failure is retried by the idle check */
}

/* Seeks every partition of l. Returns the number of partitions whose
 * seek failed (each one marked in its element's err; a failed call marks
 * them all). */
static int seek_all(consumer_t *c, rd_kafka_topic_partition_list_t *l)
{
    if (l->cnt == 0)
        return 0;
    rd_kafka_error_t *error = rd_kafka_seek_partitions(c->rk, l, SEEK_TIMEOUT_MS);
    if (error) {
        log_warn("seek failed", "error=%s", rd_kafka_err2name(rd_kafka_error_code(error)));
        for (int i = 0; i < l->cnt; i++)
            l->elems[i].err = rd_kafka_error_code(error);
        rd_kafka_error_destroy(error);
        return l->cnt;
    }
    int failed = 0;
    for (int i = 0; i < l->cnt; i++)
        if (l->elems[i].err) {
            log_warn("seek failed", "topic=%s partition=%" PRId32 " error=%s", l->elems[i].topic,
                     l->elems[i].partition, rd_kafka_err2name(l->elems[i].err));
            failed++;
        }
    return failed;
}

/* What consumer_reposition() does: partitions sought in place, and
 * partitions whose fetcher must be restarted (stuck, or a restart that
 * failed before). */
typedef struct moves {
    rd_kafka_topic_partition_list_t *seeks; /* elems' opaque: the assigned_tp_t */
    assigned_tp_t **restarts;
    size_t n_restarts;
} moves_t;

/* Decides where tp goes, from its stored and expected offsets. */
static void plan_move(consumer_t *c, int all, assigned_tp_t *tp, moves_t *mv)
{
    int64_t stored = c->db.stored(c->db.ctx, tp->topic, tp->partition);
    int64_t expected = consumer_tp_expected(c, tp);

    if (tp->restart_at != RESTART_NONE && stored == expected) {
        mv->restarts[mv->n_restarts++] = tp; /* a restart that failed before */
        tp->pending_expected = expected;
        return;
    }
    /* a stuck partition waits for its stored offset to move */
    if ((!all || tp->stuck) && stored == expected)
        return;
    /* after a rolled-back batch the caller has logged why; an idle check
     * is the first to notice (reset-offsets while idle) */
    log_write(all ? (stored == expected ? LOG_DEBUG : LOG_INFO) : LOG_WARN,
              all ? "seeking to the stored offset"
                  : "offset moved under this worker; seeking to it",
              "topic=%s partition=%" PRId32 " expected=%" PRId64 " stored=%" PRId64, tp->topic,
              tp->partition, expected, stored);
    placement_t pl = {stored >= 0 ? stored : consumer_tp_home(c, tp), stored, 0};
    if (stored != expected)
        consumer_place(c, tp->topic, tp->partition, stored, &pl);
    if (pl.stuck) {
        if (!tp->stuck)
            consumer_set_paused(c, tp->topic, tp->partition, 1);
        tp->stuck = 1;
        set_expected(c, tp, pl.expected);
        tp->restart_at = RESTART_NONE;
        return;
    }
    tp->pending_expected = pl.expected;
    if (tp->stuck || tp->restart_at != RESTART_NONE) {
        /* its fetcher may have stopped: only restart() starts it */
        tp->restart_at = pl.start;
        mv->restarts[mv->n_restarts++] = tp;
        return;
    }
    rd_kafka_topic_partition_t *e =
        rd_kafka_topic_partition_list_add(mv->seeks, tp->topic, tp->partition);
    e->offset = pl.start;
    e->opaque = (void *)tp; /* c->tps does not change during the seek */
    tp->pending_floor = pl.start >= 0 ? pl.start : -1;
}

/* Lists tp's new stored offset for Kafka's group offsets (commit_moved). */
static void note_moved(rd_kafka_topic_partition_list_t *moved, const assigned_tp_t *tp)
{
    if (tp->pending_expected >= 0)
        rd_kafka_topic_partition_list_add(moved, tp->topic, tp->partition)->offset =
            tp->pending_expected;
}

/*
 * Kafka's group offsets follow stored offsets moved under the worker
 * (reset-offsets, whose own commit Kafka refuses while the group has
 * members): a batch commits them too, but on a quiet stream none comes,
 * and lag tools showed the skipped events as lag for good.
 */
static void commit_moved(consumer_t *c, rd_kafka_topic_partition_list_t *moved)
{
    if (moved->cnt > 0)
        consumer_commit_async(c, moved);
    rd_kafka_topic_partition_list_destroy(moved);
}

/*
 * Only a partition whose position really moved may take the stored offset
 * as its expected one: a batch read from the old position would pass the
 * compare-and-set and skip (or repeat) messages. A failed one keeps its
 * old expected offset, so that the idle check tries again and the next
 * batch's compare-and-set (or the caller's retry) catches it.
 */
static void settle_seeks(consumer_t *c, const rd_kafka_topic_partition_list_t *l,
                         rd_kafka_topic_partition_list_t *moved)
{
    for (int j = 0; j < l->cnt; j++) {
        assigned_tp_t *tp = l->elems[j].opaque;

        if (l->elems[j].err)
            continue;
        set_expected(c, tp, tp->pending_expected);
        tp->floor = tp->pending_floor;
        tp->placed_at = tp->pending_expected < 0 ? tp->floor : -1;
        consumer_tp_moved(tp);
        note_moved(moved, tp);
    }
}

/* Restarts mv's partitions: 0, or -1 (they keep their expected offsets). */
static int settle_restarts(consumer_t *c, const moves_t *mv, rd_kafka_topic_partition_list_t *moved)
{
    if (mv->n_restarts == 0)
        return 0;
    if (restart(c) < 0)
        return -1;
    for (size_t i = 0; i < mv->n_restarts; i++) {
        assigned_tp_t *tp = mv->restarts[i];

        tp->stuck = 0;
        set_expected(c, tp, tp->pending_expected);
        tp->placed_at = tp->pending_expected < 0 ? tp->floor : -1;
        note_moved(moved, tp);
        log_info("partition resumed at its new stored offset",
                 "topic=%s partition=%" PRId32 " offset=%" PRId64, tp->topic, tp->partition,
                 tp->floor);
    }
    return 0;
}

outcome_t consumer_reposition(consumer_t *c, int all, int *n_moved, char *errstr,
                              size_t errstr_size)
{
    moves_t mv = {NULL, calloc(c->n_tps + 1, sizeof(*mv.restarts)), 0};

    if (n_moved)
        *n_moved = 0;
    if (!mv.restarts) {
        errstr_set(errstr, errstr_size, "out of memory");
        return OUTCOME_FATAL;
    }
    mv.seeks = rd_kafka_topic_partition_list_new((int)c->n_tps + 1);
    for (size_t i = 0; i < c->n_tps; i++)
        plan_move(c, all, &c->tps[i], &mv);
    rd_kafka_topic_partition_list_t *committed =
        rd_kafka_topic_partition_list_new((int)c->n_tps + 1);
    int failed = seek_all(c, mv.seeks);
    settle_seeks(c, mv.seeks, committed);
    int moved = mv.seeks->cnt - failed;
    rd_kafka_topic_partition_list_destroy(mv.seeks);
    if (settle_restarts(c, &mv, committed) < 0)
        failed += (int)mv.n_restarts;
    else
        moved += (int)mv.n_restarts;
    free(mv.restarts);
    commit_moved(c, committed);
    if (n_moved)
        *n_moved = moved;
    if (failed) {
        errstr_set(errstr, errstr_size, "seek failed for %d partition%s", failed,
                   failed == 1 ? "" : "s");
        return OUTCOME_RETRY;
    }
    return OUTCOME_OK;
}

void consumer_hold_topic(consumer_t *c, const char *topic)
{
    for (size_t i = 0; i < c->n_tps; i++) {
        assigned_tp_t *tp = &c->tps[i];

        if (tp->held || strcmp(tp->topic, topic) != 0)
            continue;
        tp->held = 1;
        if (!tp->stuck)
            consumer_set_paused(c, tp->topic, tp->partition, 1);
    }
}

/* The held partitions of topic to seek home, and resume; a stuck one or
 * one waiting for a restart is only let go: its fetcher is theirs. */
static rd_kafka_topic_partition_list_t *release_list(consumer_t *c, const char *topic)
{
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new((int)c->n_tps + 1);

    for (size_t i = 0; i < c->n_tps; i++) {
        assigned_tp_t *tp = &c->tps[i];

        if (!tp->held || strcmp(tp->topic, topic) != 0)
            continue;
        if (tp->stuck || tp->restart_at != RESTART_NONE) {
            tp->held = 0;
            continue;
        }
        rd_kafka_topic_partition_t *e =
            rd_kafka_topic_partition_list_add(l, tp->topic, tp->partition);
        e->offset = consumer_tp_home(c, tp);
        e->opaque = (void *)tp; /* c->tps does not change during the seek */
    }
    return l;
}

int consumer_release_topic(consumer_t *c, const char *topic)
{
    rd_kafka_topic_partition_list_t *l = release_list(c, topic);
    int failed = seek_all(c, l);

    for (int j = 0; j < l->cnt; j++) {
        assigned_tp_t *tp = l->elems[j].opaque;

        if (l->elems[j].err)
            continue;
        tp->held = 0;
        tp->floor = l->elems[j].offset >= 0 ? l->elems[j].offset : -1;
        consumer_tp_moved(tp);
        consumer_set_paused(c, tp->topic, tp->partition, 0);
    }
    rd_kafka_topic_partition_list_destroy(l);
    return failed ? -1 : 0;
}

/*
 * Where tp's stored offset is to move with nothing of it in hand, or -1.
 * A partition with a stored offset: its end (an end-of-partition event)
 * when that lies past it and every message polled from it was committed
 * (tp->next is no further than the stored offset): the fetcher passed
 * offsets that hold no message for the worker. A partition placed at a
 * start it checked (tp->floor) whose row could not be stored then
 * (place_unstored()), nothing polled from it since: that start, or its
 * end past it.
 */
static int64_t passed_to(const consumer_t *c, const assigned_tp_t *tp, int64_t *expected)
{
    if (tp->stuck || tp->held || tp->restart_at != RESTART_NONE)
        return -1;
    *expected = consumer_tp_expected(c, tp);
    if (*expected < 0)
        return tp->floor >= 0 && tp->next <= tp->floor
                   ? (tp->end_at > tp->floor ? tp->end_at : tp->floor)
                   : -1;
    return tp->next <= *expected && tp->end_at > *expected ? tp->end_at : -1;
}

size_t consumer_store_passed(consumer_t *c)
{
    size_t n = 0;
    rd_kafka_topic_partition_list_t *commit = NULL;

    for (size_t i = 0; i < c->n_tps; i++) {
        assigned_tp_t *tp = &c->tps[i];
        int64_t expected, to = passed_to(c, tp, &expected);

        if (to < 0 || !c->db.store(c->db.ctx, tp->topic, tp->partition, expected, to))
            continue;
        set_expected(c, tp, to);
        tp->placed_at = -1;
        log_info(expected < 0 ? "stored offset written for a partition placed without one"
                              : "stored offset moved past records no message came from "
                                "(another client's aborted transactions, transaction markers)",
                 "topic=%s partition=%" PRId32 " from=%" PRId64 " to=%" PRId64, tp->topic,
                 tp->partition, expected, to);
        if (!commit)
            commit = rd_kafka_topic_partition_list_new((int)c->n_tps);
        rd_kafka_topic_partition_list_add(commit, tp->topic, tp->partition)->offset = to;
        n++;
    }
    if (commit) {
        consumer_commit_async(c, commit);
        rd_kafka_topic_partition_list_destroy(commit);
    }
    return n;
}

/* Whether p's committed offset carries tidemark's metadata. */
static int committed_by_us(const rd_kafka_topic_partition_t *p)
{
    size_t n = strlen(CONSUMER_COMMIT_METADATA);
    return p->metadata && p->metadata_size == n &&
           !memcmp(p->metadata, CONSUMER_COMMIT_METADATA, n);
}

/*
 * The worker commits to Kafka only offsets it stored in this database
 * first, so a committed offset in Kafka for a partition this database
 * holds none for means that another database's workers commit for this
 * group.id: a configuration copied with it unchanged. Kafka then splits
 * the partitions between the two sets of workers, neither table gets
 * every event, runs stay running in both, and nothing else says why. (A
 * database that is new for a group whose old one is gone is the other
 * way to get here.) Only partitions without a stored offset are judged:
 * reset-offsets moves this database's offsets back while Kafka may refuse
 * its commit, and a restore from backup leaves them older, both rightly.
 * One warning per assignment names the partitions; a lookup that fails
 * says nothing (Kafka's offsets serve lag tools only). A second one names
 * partitions whose committed offset differs from the stored one and was
 * not committed by tidemark (CONSUMER_COMMIT_METADATA): a user replaying
 * the Kafka way saw the worker go on as if nothing was asked.
 */
void consumer_warn_kafka_ahead(consumer_t *c, rd_kafka_t *rk,
                               const rd_kafka_topic_partition_list_t *parts)
{
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_copy(parts);
    strbuf_t sb, other;
    if (!l)
        return;
    strbuf_init(&sb);
    strbuf_init(&other);
    if (rd_kafka_committed(rk, l, COMMITTED_TIMEOUT_MS) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        for (int i = 0; i < l->cnt; i++) {
            const rd_kafka_topic_partition_t *p = &l->elems[i];
            int64_t stored = c->db.stored(c->db.ctx, p->topic, p->partition);
            /* any row: one of another table (a rolling change of `table`)
             * is the same database's, and its replay is warned of */
            if (!p->err && p->offset >= 0 && !c->db.has_row(c->db.ctx, p->topic, p->partition))
                strbuf_appendf(&sb, "%s%s:%" PRId32 "@%" PRId64, sb.len ? "," : "", p->topic,
                               p->partition, p->offset);
            else if (!p->err && p->offset >= 0 && stored >= 0 && p->offset != stored &&
                     !committed_by_us(p))
                strbuf_appendf(&other, "%s%s:%" PRId32 "@%" PRId64 "(stored:%" PRId64 ")",
                               other.len ? "," : "", p->topic, p->partition, p->offset, stored);
        }
    }
    rd_kafka_topic_partition_list_destroy(l);
    /* the lists are plain tokens (topic names are, config.c), written
     * whole: a quoted copy in a fixed buffer cut 128 partitions at 61 */
    char qg[600];
    if (other.len)
        log_warn("Kafka's group offsets of these partitions were set by another client "
                 "(kafka-consumer-groups --reset-offsets, or a tidemark older than this one): "
                 "the worker goes on from its stored offsets (sync_offsets, committed with the "
                 "rows) and commits them over Kafka's; to replay, use `tidemark-worker "
                 "reset-offsets`",
                 "group=%s partitions=%s",
                 log_quote(qg, sizeof(qg), c->group_id ? c->group_id : "-"), other.buf);
    strbuf_clear(&other);
    if (sb.len)
        log_warn("Kafka holds offsets of this group for partitions this database has none for: "
                 "does a worker writing another database use this group.id? Then Kafka splits "
                 "the partitions between them and neither table gets every event; give each "
                 "database its own group.id. (Once after this database's table was emptied and "
                 "its topic is replayed, which is logged before, this is expected.)",
                 "group=%s partitions=%s",
                 log_quote(qg, sizeof(qg), c->group_id ? c->group_id : "-"), sb.buf ? sb.buf : "");
    strbuf_clear(&sb);
}
