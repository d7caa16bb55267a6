/*
 * test_checkpoint_kafka.c - a checkpoint whose HWM holds a large tie set,
 * written and read back through Kafka with the producer's own code
 * (checkpoint_prepare, checkpoint_write, checkpoint_read) and the default
 * limits of librdkafka (message.max.bytes 1000000: nothing is raised).
 *
 *   TIDEMARK_TEST_IDS        ids at the HWM (default 100000)
 *   TIDEMARK_TEST_BOOTSTRAP  a broker to use (the devbroker: see
 *                            tests/integration/t_checkpoint_million.sh);
 *                            unset: an in-process librdkafka mock cluster
 *   TIDEMARK_TEST_PREFIX     topic.prefix (default ckpt)
 *
 * The mock cluster (the devbroker's too) drops a partition's oldest
 * messages past 5 MiB, so <prefix>.sync-runs needs enough partitions for
 * the set (a million ids are about 32 MB): the in-process cluster gets 32;
 * with TIDEMARK_TEST_BOOTSTRAP the caller creates the topic.
 *
 * Checks: every message fits the default limits; the set read back equals
 * the set written, id by id; a second checkpoint of the loaded set (the
 * next run, nothing changed) writes no chunk, only the head, and read
 * again as a follow pass reads (only what is new) it holds the same set; the tracker's
 * memory stays well under 200 MB for a million ids.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "checkpoint.h"
#include "publisher.h"
#include "isotime.h"
#include "runrecord.h"
#include "topics.h"
#include "topicscan.h"

#define AT     1795608000000LL /* 2026-11-25T12:00:00Z */
#define STREAM "customers"

static size_t env_size(const char *name, size_t dflt)
{
    const char *v = getenv(name);
    return v && *v ? (size_t)strtoull(v, NULL, 10) : dflt;
}

static void make_id(size_t i, char *id, size_t size, char *dg)
{
    snprintf(id, size, "cus_%07zu", i);
    snprintf(dg, HWM_DIGEST_SIZE, "%016llx", (unsigned long long)(i * 0x9e3779b97f4a7c15ULL));
}

/* Where the checkpoint goes: the given broker, or an in-process mock. */
typedef struct kafka_place {
    tm_config_t conf;
    char topic[256];
    rd_kafka_t *mock_rk;
    rd_kafka_mock_cluster_t *mc;
} kafka_place_t;

static void place_open(kafka_place_t *k)
{
    const char *bootstrap = getenv("TIDEMARK_TEST_BOOTSTRAP");
    const char *prefix = getenv("TIDEMARK_TEST_PREFIX");
    char err[512];

    *k = (kafka_place_t){
        .conf = {.path = "test.conf", .topic_prefix = prefix ? (char *)prefix : "ckpt"}};
    topic_sync_runs(&k->conf, k->topic, sizeof(k->topic));
    if (!bootstrap || !*bootstrap) {
        rd_kafka_conf_t *kc = rd_kafka_conf_new();
        /* the handle only carries the cluster: no warning about having no
         * bootstrap.servers of its own */
        assert_int_equal(rd_kafka_conf_set(kc, "log_level", "3", err, sizeof(err)), 0);
        assert_non_null((k->mock_rk = rd_kafka_new(RD_KAFKA_PRODUCER, kc, err, sizeof(err))));
        assert_non_null((k->mc = rd_kafka_mock_cluster_new(k->mock_rk, 3)));
        assert_int_equal(rd_kafka_mock_topic_create(k->mc, k->topic, 32, 3), 0);
        bootstrap = rd_kafka_mock_cluster_bootstraps(k->mc);
    }
    k->conf.bootstrap_servers = (char *)bootstrap;
}

static void place_close(kafka_place_t *k)
{
    if (k->mc)
        rd_kafka_mock_cluster_destroy(k->mc);
    if (k->mock_rk)
        rd_kafka_destroy(k->mock_rk);
}

/* The set: n ids at one cursor value, as a run leaves it. */
static void build_tracker(size_t n, hwm_tracker_t *t)
{
    char id[32], dg[HWM_DIGEST_SIZE];
    int64_t t0 = isotime_monotonic_ms();
    for (size_t i = 0; i < n; i++) {
        make_id(i, id, sizeof(id), dg);
        assert_int_equal(hwm_observe(t, CURSOR_CLOCK(CURSOR_PRECISION_TIMESTAMP), id, AT, dg), 0);
    }
    size_t mem = idset_memory(t->ids) + idset_memory(t->pending);
    print_message("tracker built in %lld ms, %zu MB\n", (long long)(isotime_monotonic_ms() - t0),
                  mem >> 20);
    assert_true(mem < (size_t)200 << 20);
}

/* Written as run.c writes a checkpoint: chunks, then the head (*head,
 * and *rr naming it). Returns the messages acknowledged. */
static int64_t write_checkpoint(publisher_t *pub, const char *topic, char *run_id, hwm_tracker_t *t,
                                run_hwm_t *head, run_record_t *rr, unsigned *seq)
{
    char err[512];

    publisher_reset(pub);
    *seq = 0;
    if (checkpoint_prepare(pub, topic, STREAM, run_id, seq, t, head, err, sizeof(err)) != 0)
        fail_msg("prepare %s: %s", run_id, err);
    *rr = (run_record_t){.stream = STREAM,
                         .run_id = run_id,
                         .status = RUN_STATUS_COMPLETED,
                         .started_at_ms = AT,
                         .finished_at_ms = AT,
                         .hwm = *head};
    if (checkpoint_write(pub, topic, rr, err, sizeof(err)) != 0)
        fail_msg("write %s: %s", run_id, err);
    return publisher_acked(pub);
}

/* Every message within the default limits; the chunks hold the n ids. */
static void check_chunks(const run_hwm_t *head, size_t n, int64_t written)
{
    assert_int_equal(written, (int64_t)head->n_chunks + 1);
    if (n * 32 > CHECKPOINT_CHUNK_BYTES)
        assert_true(head->n_chunks > 1);
    int64_t chunk_ids = (int64_t)head->n_ids;
    for (size_t i = 0; i < head->n_chunks; i++) {
        assert_true(head->chunks[i].bytes <= CHECKPOINT_CHUNK_BYTES);
        chunk_ids += head->chunks[i].ids;
    }
    assert_int_equal(chunk_ids, (int64_t)n);
}

/* The last checkpoint of STREAM, which must be run_id's. */
static run_record_t *read_checkpoint(const tm_config_t *conf, const char *run_id)
{
    const char *names[] = {STREAM};
    run_record_t *cp = NULL;
    char err[512];

    if (checkpoint_read(conf, names, 1, &cp, err, sizeof(err)) != 0)
        fail_msg("read %s: %s", run_id, err);
    assert_non_null(cp);
    assert_string_equal(cp->run_id, run_id);
    return cp;
}

/* The set loaded from cp equals the n ids written, id by id. */
static void load_and_compare(const run_record_t *cp, size_t n, hwm_tracker_t *back)
{
    char id[32], dg[HWM_DIGEST_SIZE];

    assert_int_equal(checkpoint_load_tracker(back, &cp->hwm, STREAM), 0);
    assert_int_equal(hwm_tracker_count(back), n);
    assert_true(back->has_value && back->value_ms == AT);
    for (size_t i = 0; i < n; i++) {
        make_id(i, id, sizeof(id), dg);
        if (!hwm_should_skip(back, CURSOR_CLOCK(CURSOR_PRECISION_TIMESTAMP), id, AT, dg))
            fail_msg("id %s was not read back with its digest", id);
    }
    make_id(n, id, sizeof(id), dg);
    assert_false(hwm_should_skip(back, CURSOR_CLOCK(CURSOR_PRECISION_TIMESTAMP), id, AT, dg));
}

static void test_round_trip(void **state)
{
    (void)state;
    const size_t n = env_size("TIDEMARK_TEST_IDS", 100000);
    char err[512];
    kafka_place_t k;
    place_open(&k);
    print_message("%zu ids at the HWM, through %s (%s)\n", n, k.conf.bootstrap_servers, k.topic);
    hwm_tracker_t t = {0};
    build_tracker(n, &t);
    publisher_t *pub = publisher_new(&k.conf, err, sizeof(err));
    if (!pub)
        fail_msg("%s", err);

    int64_t t0 = isotime_monotonic_ms();
    unsigned seq;
    run_hwm_t head;
    run_record_t rr;
    int64_t written = write_checkpoint(pub, k.topic, "run-1", &t, &head, &rr, &seq);
    print_message("checkpoint written in %lld ms: %zu chunks + the head (%lld messages)\n",
                  (long long)(isotime_monotonic_ms() - t0), head.n_chunks, (long long)written);
    check_chunks(&head, n, written);

    t0 = isotime_monotonic_ms();
    run_record_t *cp = read_checkpoint(&k.conf, "run-1");
    assert_int_equal(cp->hwm.n_chunks, head.n_chunks);
    hwm_tracker_t back = {0};
    load_and_compare(cp, n, &back);
    print_message("read back and loaded in %lld ms\n", (long long)(isotime_monotonic_ms() - t0));

    /* the next run, nothing changed: the head names the same chunks */
    run_hwm_t head2;
    assert_int_equal(write_checkpoint(pub, k.topic, "run-2", &back, &head2, &rr, &seq), 1);
    assert_int_equal(seq, 0); /* the head alone */
    assert_int_equal(head2.n_chunks, head.n_chunks);
    /* read as a follow pass reads it: only what is new on the topic, the
     * chunks from what the first read kept */
    run_record_t *cp2 = read_checkpoint(&k.conf, "run-2");
    assert_int_equal(cp2->n_stale_chunks, 0);
    for (size_t i = 0; i < cp2->hwm.n_chunks; i++)
        assert_non_null(cp2->hwm.chunks[i].data);
    hwm_tracker_t back2 = {0};
    load_and_compare(cp2, n, &back2);

    run_record_destroy(cp);
    run_record_destroy(cp2);
    run_hwm_clear(&head);
    run_hwm_clear(&head2);
    hwm_tracker_clear(&t);
    hwm_tracker_clear(&back);
    hwm_tracker_clear(&back2);
    publisher_destroy(pub);
    checkpoint_read_close();
    topicscan_close(); /* its consumers, before the cluster they read goes */
    place_close(&k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
