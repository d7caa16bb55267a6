/*
 * test_checkpoint.c - checkpoints that outgrow one Kafka message
 * (producer/checkpoint.h), without Kafka: what a checkpoint writes (inline
 * or in chunks, and how much over a run with progress checkpoints), chunk
 * encoding and its checks, and how a reader resolves the chunks found on
 * the topic: a half-written or damaged set is never used, the newest
 * complete checkpoint is (the order of heads: test_checkpoint_collect.c;
 * the checks of one chunk: test_checkpoint_decode.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "checkpoint.h"
#include "isotime.h"
#include "runrecord.h"

#define AT 1795608000000LL /* 2026-11-25T12:00:00Z */

static const char *const streams[] = {"customers", "orders"};

/* Digest of id i (16 hex digits, like hwm_digest's). */
static void digest_of(size_t i, unsigned gen, char *buf)
{
    snprintf(buf, HWM_DIGEST_SIZE, "%08x%08x", gen, (unsigned)(i * 2654435761u));
}

/* A tracker with ids from..to-1 at AT (digest generation gen). */
static void observe_range(hwm_tracker_t *t, size_t from, size_t to, unsigned gen)
{
    char id[32], dg[HWM_DIGEST_SIZE];
    for (size_t i = from; i < to; i++) {
        snprintf(id, sizeof(id), "cus_%06zu", i);
        digest_of(i, gen, dg);
        assert_int_equal(hwm_observe(t, CURSOR_CLOCK(CURSOR_PRECISION_TIMESTAMP), id, AT, dg), 0);
    }
}

/* True when a and b hold the same ids with the same digests. */
static void assert_same_set(const hwm_tracker_t *a, const hwm_tracker_t *b)
{
    assert_int_equal(hwm_tracker_count(a), hwm_tracker_count(b));
    size_t pos = 0;
    const char *id;
    void *v;
    while (a->ids && idset_next(a->ids, &pos, &id, &v)) {
        const hwm_entry_t *ea = v, *eb = hwm_find_id(b, id);
        if (!eb || ea->kind != eb->kind || ea->value != eb->value)
            fail_msg("id %s differs", id);
    }
}

/* ---- a simulated producer: checkpoints into an in-memory topic -------- */

typedef struct msg {
    char *key, *value; /* value NULL: tombstone */
    size_t len;
} msg_t;

typedef struct topic {
    msg_t *m;
    size_t n;
    size_t chunk_bytes, head_bytes, max_value;
} topic_t;

static void put(topic_t *t, const char *key, const char *value, size_t len)
{
    t->m = realloc(t->m, (t->n + 1) * sizeof(*t->m));
    assert_non_null(t->m);
    msg_t *m = &t->m[t->n++];
    m->key = strdup(key);
    m->value = value ? malloc(len + 1) : NULL;
    if (value) {
        memcpy(m->value, value, len);
        m->value[len] = '\0';
    }
    m->len = len;
    if (len > t->max_value)
        t->max_value = len;
}

static void topic_free(topic_t *t)
{
    for (size_t i = 0; i < t->n; i++) {
        free(t->m[i].key);
        free(t->m[i].value);
    }
    free(t->m);
    memset(t, 0, sizeof(*t));
}

/* The message.max.bytes write_ckpt() cuts to: librdkafka's default,
 * unless a test sets another. */
static size_t g_max_message = 1000000;

/* What checkpoint_prepare does, with the topic in memory: chunks, then the
 * head. *head receives the head's hwm (caller clears). */
static void write_ckpt(topic_t *tp, hwm_tracker_t *t, const char *stream, const char *run_id,
                       unsigned *seq, run_hwm_t *head)
{
    checkpoint_chunks_t cs;
    char err[256];
    checkpoint_sizes_t sz = checkpoint_sizes(g_max_message);
    assert_int_equal(checkpoint_plan(t, &sz, stream, run_id, seq, &cs, err, sizeof(err)), 0);
    run_chunk_ref_t refs[4096];
    assert_true(cs.n < 4096);
    for (size_t i = 0; i < cs.n; i++) {
        assert_true(cs.items[i].ref.bytes <= (int64_t)sz.chunk);
        put(tp, cs.items[i].ref.key, cs.items[i].value, (size_t)cs.items[i].ref.bytes);
        tp->chunk_bytes += (size_t)cs.items[i].ref.bytes;
        refs[i] = cs.items[i].ref;
    }
    if (cs.n)
        assert_int_equal(hwm_tracker_chunked(t, refs, cs.n, cs.replace), 0);
    checkpoint_chunks_clear(&cs);
    assert_int_equal(checkpoint_head_view(t, head), 0);
    run_record_t rr = {.stream = (char *)stream,
                       .run_id = (char *)run_id,
                       .status = RUN_STATUS_RUNNING,
                       .started_at_ms = AT,
                       .hwm = *head};
    char *json = run_record_to_json(&rr);
    assert_non_null(json);
    assert_true(strlen(json) <= CHECKPOINT_HEAD_MAX_BYTES);
    put(tp, stream, json, strlen(json));
    tp->head_bytes += strlen(json);
    free(json);
}

/* Tombstones old's chunks that cur does not name (checkpoint_drop_unused). */
static void drop_unused(topic_t *tp, const run_hwm_t *old, const run_hwm_t *cur)
{
    for (size_t i = 0; i < old->n_chunks; i++) {
        int used = 0;
        for (size_t j = 0; j < cur->n_chunks; j++)
            used |= strcmp(old->chunks[i].key, cur->chunks[j].key) == 0;
        if (!used)
            put(tp, old->chunks[i].key, NULL, 0);
    }
}

/* Reads the topic back (one partition, offsets in order, except the
 * messages listed in skip[]) and resolves stream 0. Halfway, a checkpoint
 * is picked and dropped, as a follow pass does before the next read adds
 * what is new: picking must leave the collector as it was. */
static run_record_t *read_back(const topic_t *tp, const size_t *skip, size_t n_skip)
{
    checkpoint_collector_t *c = checkpoint_collector_new(streams, 2);
    assert_non_null(c);
    run_record_t *rr;
    for (size_t i = 0; i < tp->n; i++) {
        if (i == tp->n / 2) {
            assert_int_equal(checkpoint_collector_pick(c, 0, &rr), 0);
            run_record_destroy(rr);
        }
        int skipped = 0;
        for (size_t k = 0; k < n_skip; k++)
            skipped |= skip[k] == i;
        if (!skipped)
            assert_int_equal(checkpoint_collect(c, tp->m[i].key, strlen(tp->m[i].key),
                                                tp->m[i].value, tp->m[i].len, 0, (int64_t)i,
                                                AT + (int64_t)i),
                             0);
    }
    assert_int_equal(checkpoint_collector_pick(c, 0, &rr), 0);
    checkpoint_collector_destroy(c);
    return rr;
}

/* The set a read-back record holds. */
static void load(hwm_tracker_t *t, const run_record_t *rr)
{
    memset(t, 0, sizeof(*t));
    assert_non_null(rr);
    assert_int_equal(checkpoint_load_tracker(t, &rr->hwm, rr->stream), 0);
}

/* ---- tests ----------------------------------------------------------- */

/* A small set travels inline in the head, as records always did. */
static void test_small_set_inline(void **state)
{
    (void)state;
    hwm_tracker_t t = {0};
    observe_range(&t, 0, 3, 1);
    checkpoint_chunks_t cs;
    unsigned seq = 0;
    char err[256];
    checkpoint_sizes_t sz = checkpoint_sizes(g_max_message);
    assert_int_equal(checkpoint_plan(&t, &sz, "customers", "r1", &seq, &cs, err, sizeof(err)), 0);
    assert_int_equal(cs.n, 0);
    assert_int_equal(seq, 0);
    run_hwm_t head;
    assert_int_equal(checkpoint_head_view(&t, &head), 0);
    assert_int_equal(head.n_ids, 3);
    assert_int_equal(head.n_chunks, 0);
    assert_true(head.has_value && head.value_ms == AT);
    assert_int_equal(strlen(head.digests[0]), 16);
    run_hwm_clear(&head);
    hwm_tracker_clear(&t);
}

/* Past CHECKPOINT_INLINE_BYTES the pending ids go into chunks that decode
 * back to the same set. */
static void test_chunks_round_trip(void **state)
{
    (void)state;
    hwm_tracker_t t = {0}, back;
    topic_t tp = {0};
    run_hwm_t head;
    unsigned seq = 0;
    observe_range(&t, 0, 30000, 1);
    assert_true(t.pending_bytes > CHECKPOINT_INLINE_BYTES);
    write_ckpt(&tp, &t, "customers", "r1", &seq, &head);
    assert_true(head.n_chunks >= 3); /* 30,000 ids: ~1 MB */
    assert_int_equal(head.n_ids, 0); /* nothing left inline */
    assert_int_equal(t.pending_bytes, 0);
    int64_t ids = 0;
    for (size_t i = 0; i < head.n_chunks; i++) {
        ids += head.chunks[i].ids;
        char want[64];
        snprintf(want, sizeof(want), "customers/ckpt/r1/%zu", i);
        assert_string_equal(head.chunks[i].key, want);
    }
    assert_int_equal(ids, 30000);
    assert_true(tp.max_value <= CHECKPOINT_CHUNK_BYTES);

    run_record_t *rr = read_back(&tp, NULL, 0);
    assert_non_null(rr);
    assert_string_equal(rr->run_id, "r1");
    assert_int_equal(rr->n_stale_chunks, 0);
    for (size_t i = 0; i < rr->hwm.n_chunks; i++)
        assert_non_null(rr->hwm.chunks[i].data);
    load(&back, rr);
    assert_same_set(&t, &back);
    assert_int_equal(back.n_chunks, head.n_chunks); /* referenced, not rewritten */
    assert_int_equal(back.pending_bytes, 0);
    assert_true(back.has_value && back.value_ms == AT);

    /* a later run with the set unchanged writes no chunk at all */
    size_t before = tp.chunk_bytes;
    run_hwm_t head2;
    unsigned seq2 = 0;
    write_ckpt(&tp, &back, "customers", "r2", &seq2, &head2);
    assert_int_equal(tp.chunk_bytes, before);
    assert_int_equal(head2.n_chunks, head.n_chunks);
    assert_string_equal(head2.chunks[0].key, "customers/ckpt/r1/0");

    run_hwm_clear(&head);
    run_hwm_clear(&head2);
    run_record_destroy(rr);
    hwm_tracker_clear(&back);
    hwm_tracker_clear(&t);
    topic_free(&tp);
}

/* A producer whose messages may take 64000 bytes (message.max.bytes
 * lowered for a sync-runs topic so limited): every chunk, and the head,
 * fit such a message, and the set reads back whole. With the fixed sizes
 * a chunk took 256 KiB and every checkpoint was refused. */
static void test_small_messages(void **state)
{
    (void)state;
    hwm_tracker_t t = {0}, back;
    topic_t tp = {0};
    run_hwm_t head;
    unsigned seq = 0;
    g_max_message = 64000;
    checkpoint_sizes_t sz = checkpoint_sizes(g_max_message);
    assert_true(sz.chunk + CHECKPOINT_MESSAGE_MARGIN <= 64000 && sz.inline_ids <= 16000);
    observe_range(&t, 0, 3000, 1);
    write_ckpt(&tp, &t, "customers", "r1", &seq, &head);
    assert_true(head.n_chunks >= 2);
    assert_true(tp.max_value + CHECKPOINT_MESSAGE_MARGIN <= 64000);
    run_record_t *rr = read_back(&tp, NULL, 0);
    assert_non_null(rr);
    load(&back, rr);
    assert_same_set(&t, &back);
    g_max_message = 1000000;
    /* and the defaults are the documented ones */
    sz = checkpoint_sizes(1000000);
    assert_int_equal(sz.chunk, CHECKPOINT_CHUNK_BYTES);
    assert_int_equal(sz.inline_ids, CHECKPOINT_INLINE_BYTES);
    assert_int_equal(checkpoint_head_max(1000000), CHECKPOINT_HEAD_MAX_BYTES);
    /* every limit leaves a chunk and a head room for the key and framing
     * (at 8192 a chunk took all of it, and librdkafka refused it) */
    static const size_t limits[] = {1000, 4096, 8192, 9216, 12000, 64000};
    for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
        sz = checkpoint_sizes(limits[i]);
        if (sz.chunk + 400 > limits[i] || checkpoint_head_max(limits[i]) + 400 > limits[i] ||
            sz.inline_ids >= checkpoint_head_max(limits[i]))
            fail_msg("message.max.bytes %zu: chunk %zu, head %zu, inline %zu", limits[i], sz.chunk,
                     checkpoint_head_max(limits[i]), sz.inline_ids);
    }
    run_hwm_clear(&head);
    run_record_destroy(rr);
    hwm_tracker_clear(&back);
    hwm_tracker_clear(&t);
    topic_free(&tp);
}

/* Inline ids override chunk ids: a changed digest, later in the order. */
static void test_override_order(void **state)
{
    (void)state;
    hwm_tracker_t t = {0}, back;
    topic_t tp = {0};
    run_hwm_t h1, h2;
    unsigned seq = 0;
    observe_range(&t, 0, 5000, 1);
    write_ckpt(&tp, &t, "customers", "r1", &seq, &h1);
    assert_true(h1.n_chunks > 0);
    observe_range(&t, 10, 12, 2); /* two ids change: inline in the next head */
    write_ckpt(&tp, &t, "customers", "r1", &seq, &h2);
    assert_int_equal(h2.n_ids, 2);
    assert_int_equal(h2.n_chunks, h1.n_chunks);
    run_record_t *rr = read_back(&tp, NULL, 0);
    load(&back, rr);
    assert_same_set(&t, &back);
    char dg[HWM_DIGEST_SIZE];
    digest_of(10, 2, dg);
    assert_true(
        hwm_should_skip(&back, CURSOR_CLOCK(CURSOR_PRECISION_TIMESTAMP), "cus_000010", AT, dg));
    digest_of(10, 1, dg);
    assert_false(
        hwm_should_skip(&back, CURSOR_CLOCK(CURSOR_PRECISION_TIMESTAMP), "cus_000010", AT, dg));
    run_hwm_clear(&h1);
    run_hwm_clear(&h2);
    run_record_destroy(rr);
    hwm_tracker_clear(&back);
    hwm_tracker_clear(&t);
    topic_free(&tp);
}

/*
 * The half-written cases of checkpoint.h, table-driven. The topic holds
 * H1 (complete: chunks c1..) and then a newer checkpoint H2 of another
 * set (chunks c2..). Each case removes or damages messages; the reader
 * must pick the newest complete head and never mix the sets.
 */
enum {
    DROP_NONE,
    DROP_C2_FIRST,
    DROP_C2_LAST_AND_H2,
    DROP_H2,
    TOMBSTONE_C2,
    DAMAGE_C2,
    FOREIGN_C2,
    DROP_ALL_C,
    ONLY_LATEST
};

/* The topic of every half-written case: H1, an orders checkpoint, H2. */
typedef struct half_topic {
    topic_t tp;
    hwm_tracker_t t1, t2, to;
    run_hwm_t h1, h2, ho;
    size_t h1_msgs, c2_first, c2_last, h2_at;
} half_topic_t;

static void half_topic_write(half_topic_t *h)
{
    unsigned seq = 0, so = 0;
    memset(h, 0, sizeof(*h));
    observe_range(&h->t1, 0, 10000, 1);
    write_ckpt(&h->tp, &h->t1, "customers", "r1", &seq, &h->h1);
    h->h1_msgs = h->tp.n;
    /* another stream's chunk in between, which H2 may name by mistake */
    observe_range(&h->to, 0, 2000, 9);
    write_ckpt(&h->tp, &h->to, "orders", "o1", &so, &h->ho);
    h->c2_first = h->tp.n;
    seq = 0;
    observe_range(&h->t2, 50000, 60000, 2);
    write_ckpt(&h->tp, &h->t2, "customers", "r2", &seq, &h->h2);
    h->h2_at = h->tp.n - 1;
    h->c2_last = h->h2_at - 1;
    assert_true(h->h1.n_chunks >= 2 && h->h2.n_chunks >= 2 && h->ho.n_chunks >= 1);
}

static void half_topic_free(half_topic_t *h)
{
    run_hwm_clear(&h->h1);
    run_hwm_clear(&h->h2);
    run_hwm_clear(&h->ho);
    hwm_tracker_clear(&h->t1);
    hwm_tracker_clear(&h->t2);
    hwm_tracker_clear(&h->to);
    topic_free(&h->tp);
}

/* Same key, other content (a writer that reused a key). */
static void damage_chunk(topic_t *tp, size_t at)
{
    char *v = strdup(tp->m[at].value);
    char *p = strstr(v, "\"cus_");
    assert_non_null(p);
    p[4] = 'X';
    put(tp, tp->m[at].key, v, strlen(v));
    free(v);
}

/* H2' (run r3) names the orders chunk instead of its own first one. */
static void put_foreign_head(half_topic_t *h)
{
    run_hwm_t bad;
    assert_int_equal(run_hwm_copy(&bad, &h->h2), 0);
    free(bad.chunks[0].key);
    bad.chunks[0] = (run_chunk_ref_t){.key = strdup(h->ho.chunks[0].key),
                                      .ids = h->ho.chunks[0].ids,
                                      .bytes = h->ho.chunks[0].bytes,
                                      .sum = h->ho.chunks[0].sum};
    run_record_t rr = {.stream = "customers",
                       .run_id = "r3",
                       .status = RUN_STATUS_RUNNING,
                       .started_at_ms = AT,
                       .hwm = bad};
    char *json = run_record_to_json(&rr);
    put(&h->tp, "customers", json, strlen(json));
    free(json);
    run_hwm_clear(&bad);
}

/* Damages the topic as case `how` says; the offsets the reader must not
 * see go to skip. Returns how many. */
static size_t half_topic_damage(half_topic_t *h, int how, size_t *skip)
{
    size_t n_skip = 0;
    switch (how) {
    case DROP_C2_FIRST:
        skip[n_skip++] = h->c2_first;
        break;
    case DROP_C2_LAST_AND_H2:
        skip[n_skip++] = h->c2_last;
        skip[n_skip++] = h->h2_at;
        break;
    case DROP_H2:
        skip[n_skip++] = h->h2_at;
        break;
    case TOMBSTONE_C2:
        put(&h->tp, h->tp.m[h->c2_first].key, NULL, 0);
        break;
    case DAMAGE_C2:
        damage_chunk(&h->tp, h->c2_first);
        break;
    case FOREIGN_C2:
        put_foreign_head(h);
        skip[n_skip++] = h->h2_at; /* r3 is the newest, and incomplete */
        break;
    case DROP_ALL_C:
        for (size_t i = 0; i < h->tp.n; i++)
            if (strchr(h->tp.m[i].key, '/') && strncmp(h->tp.m[i].key, "customers/", 10) == 0)
                skip[n_skip++] = i;
        break;
    case ONLY_LATEST:
        for (size_t i = 0; i < h->h1_msgs; i++) /* H1 and its chunks, compacted */
            skip[n_skip++] = i;
        drop_unused(&h->tp, &h->h1, &h->h2); /* as the producer does after H2 */
        break;
    }
    return n_skip;
}

/* rr holds want's set (NULL: none, only the HWM), and stale chunks iff
 * want_stale, never one rr uses nor another stream's. */
static void check_resolved(const run_record_t *rr, const hwm_tracker_t *want, int want_stale,
                           const char *why)
{
    hwm_tracker_t back;
    load(&back, rr);
    if (want) {
        assert_same_set(want, &back);
    } else {
        assert_int_equal(hwm_tracker_count(&back), 0);
        assert_int_equal(rr->hwm.n_chunks, 0);
        assert_true(back.has_value); /* the HWM itself is kept */
    }
    if ((rr->n_stale_chunks > 0) != want_stale)
        fail_msg("%s: %zu stale chunks", why, rr->n_stale_chunks);
    for (size_t i = 0; i < rr->n_stale_chunks; i++) {
        assert_int_equal(strncmp(rr->stale_chunks[i], "customers/ckpt/", 15), 0);
        for (size_t k = 0; k < rr->hwm.n_chunks; k++)
            assert_string_not_equal(rr->stale_chunks[i], rr->hwm.chunks[k].key);
    }
    hwm_tracker_clear(&back);
}

static void test_half_written(void **state)
{
    (void)state;
    static const struct {
        int how;
        const char *want_run; /* NULL: no checkpoint */
        int want_set;         /* 1: H1's set, 2: H2's set, 0: empty */
        int want_stale;       /* stale chunks listed */
        const char *why;
    } cases[] = {
        {DROP_NONE, "r2", 2, 1, "everything there: the newest (H1's chunks are stale)"},
        {DROP_C2_FIRST, "r1", 1, 1, "a chunk of H2 missing: H1"},
        {DROP_C2_LAST_AND_H2, "r1", 1, 1, "crash between chunk writes: no H2, H1"},
        {DROP_H2, "r1", 1, 1, "crash before the head: its chunks are stale"},
        {TOMBSTONE_C2, "r1", 1, 1, "a chunk of H2 tombstoned: H1"},
        {DAMAGE_C2, "r1", 1, 1, "a chunk of H2 rewritten: sum differs, H1"},
        {FOREIGN_C2, "r1", 1, 1, "H2 names another stream's chunk: H1"},
        {DROP_ALL_C, "r2", 0, 0, "no complete head: the newest, without ids"},
        {ONLY_LATEST, "r2", 2, 0, "compacted: only the latest head and its chunks"},
    };
    for (size_t ci = 0; ci < sizeof(cases) / sizeof(cases[0]); ci++) {
        half_topic_t h;
        half_topic_write(&h);
        size_t skip[64];
        size_t n_skip = half_topic_damage(&h, cases[ci].how, skip);
        run_record_t *rr = read_back(&h.tp, skip, n_skip);
        if (!cases[ci].want_run) {
            assert_null(rr);
        } else {
            assert_non_null(rr);
            if (strcmp(rr->run_id, cases[ci].want_run) != 0)
                fail_msg("case %zu (%s): run %s", ci, cases[ci].why, rr->run_id);
            const hwm_tracker_t *want = cases[ci].want_set == 1   ? &h.t1
                                        : cases[ci].want_set == 2 ? &h.t2
                                                                  : NULL;
            check_resolved(rr, want, cases[ci].want_stale, cases[ci].why);
        }
        run_record_destroy(rr);
        half_topic_free(&h);
    }
}

/*
 * A run into one tie group of 200,000 ids with a progress checkpoint every
 * 20,000 records: every id is written once (chunk bytes about those of one
 * full write), heads stay small, and the whole is linear, not quadratic.
 */
static void test_progress_is_linear(void **state)
{
    (void)state;
    hwm_tracker_t t = {0}, back;
    topic_t tp = {0};
    run_hwm_t durable = {0}, head;
    unsigned seq = 0;
    const size_t total = 200000, every = 20000;
    for (size_t at = 0; at < total; at += every) {
        observe_range(&t, at, at + every, 1);
        write_ckpt(&tp, &t, "customers", "r1", &seq, &head);
        drop_unused(&tp, &durable, &head);
        run_hwm_clear(&durable);
        durable = head;
    }
    /* one full write of the set, for comparison */
    checkpoint_chunks_t all;
    hwm_tracker_t fresh = {0};
    unsigned s2 = 0;
    char err[256];
    observe_range(&fresh, 0, total, 1);
    checkpoint_sizes_t sz = checkpoint_sizes(g_max_message);
    assert_int_equal(checkpoint_plan(&fresh, &sz, "customers", "x", &s2, &all, err, sizeof(err)),
                     0);
    size_t once = 0;
    for (size_t i = 0; i < all.n; i++)
        once += (size_t)all.items[i].ref.bytes;
    print_message("200k ids in 10 progress checkpoints: %zu bytes of chunks (one write: %zu), "
                  "%zu bytes of heads, %zu chunks\n",
                  tp.chunk_bytes, once, tp.head_bytes, durable.n_chunks);
    assert_true(tp.chunk_bytes <= once + once / 20);
    assert_true(tp.head_bytes < once / 20);
    /* re-writing the set at each checkpoint would be 5.5 times one write */
    int64_t ids = 0;
    for (size_t i = 0; i < durable.n_chunks; i++)
        ids += durable.chunks[i].ids;
    assert_int_equal(ids, (int64_t)total); /* each id in exactly one chunk */

    run_record_t *rr = read_back(&tp, NULL, 0);
    load(&back, rr);
    assert_same_set(&fresh, &back);

    checkpoint_chunks_clear(&all);
    run_record_destroy(rr);
    run_hwm_clear(&durable);
    hwm_tracker_clear(&back);
    hwm_tracker_clear(&fresh);
    hwm_tracker_clear(&t);
    topic_free(&tp);
}

/* Many small additions across runs: the chunk list is rewritten whole once
 * it is fragmented, so that it stays bounded. */
static void test_fragmented_rewrite(void **state)
{
    (void)state;
    hwm_tracker_t t = {0};
    topic_t tp = {0};
    run_hwm_t head;
    unsigned seq = 0;
    size_t next = 0, rewrites = 0, max_chunks = 0;
    for (int round = 0; round < 150; round++) {
        /* just past the inline limit: one small chunk each time */
        size_t before = t.n_chunks;
        while (t.pending_bytes <= CHECKPOINT_INLINE_BYTES) {
            observe_range(&t, next, next + 1, 1);
            next++;
        }
        write_ckpt(&tp, &t, "customers", "r", &seq, &head);
        if (t.n_chunks <= before)
            rewrites++;
        if (t.n_chunks > max_chunks)
            max_chunks = t.n_chunks;
        run_hwm_clear(&head);
    }
    print_message("%zu ids in 150 small steps: %zu rewrites, at most %zu chunks\n", next, rewrites,
                  max_chunks);
    assert_true(rewrites >= 1);
    assert_true(max_chunks <= 4 * (t.bytes / CHECKPOINT_CHUNK_BYTES + 1) + 1 ||
                max_chunks <= CHECKPOINT_FRAGMENTED_MIN + 1);
    hwm_tracker_clear(&t);
    topic_free(&tp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_small_set_inline),   cmocka_unit_test(test_small_messages),
        cmocka_unit_test(test_chunks_round_trip),  cmocka_unit_test(test_override_order),
        cmocka_unit_test(test_half_written),       cmocka_unit_test(test_progress_is_linear),
        cmocka_unit_test(test_fragmented_rewrite),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
