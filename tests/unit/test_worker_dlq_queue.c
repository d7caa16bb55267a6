/*
 * test_worker_dlq_queue.c - the worker's dead-letter queue against
 * librdkafka's mock cluster: a flush that times out while the broker is
 * down gives up its dead letters, and they do not come back later. Once
 * the broker is up, a batch with more dead letters than the first (the
 * item array grows, moving it) flushes exactly its own: the DLQ topic
 * holds them and no more, and the acknowledged count says so. The give-up
 * used to leave the first message queued with its item's address as its
 * opaque: its report, served by the next flush, wrote into the freed array
 * (under ASan, as make check runs it: heap-use-after-free in dr_cb).
 * And a fatal producer error is not retried for ever.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>
#include <string.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "config.h"
#include "topics.h"
/* the module itself, to reach its producer (rd_kafka_test_fatal_error) */
#include "../../worker/dlq_queue.c"

#define SECOND_BATCH 40

typedef struct mock_kafka {
    rd_kafka_t *rk; /* carries the cluster */
    rd_kafka_mock_cluster_t *mc;
    tm_config_t conf;
    char dlq[256];
} mock_kafka_t;

static void mock_open(mock_kafka_t *k)
{
    char err[512];
    rd_kafka_conf_t *kc = rd_kafka_conf_new();

    memset(k, 0, sizeof(*k));
    assert_int_equal(rd_kafka_conf_set(kc, "log_level", "3", err, sizeof(err)), 0);
    assert_non_null((k->rk = rd_kafka_new(RD_KAFKA_PRODUCER, kc, err, sizeof(err))));
    assert_non_null((k->mc = rd_kafka_mock_cluster_new(k->rk, 1)));
    k->conf = (tm_config_t){.path = "test.conf", .topic_prefix = "dlqq"};
    topic_dlq(&k->conf, k->dlq, sizeof(k->dlq));
    assert_int_equal(rd_kafka_mock_topic_create(k->mc, k->dlq, 1, 1), 0);
    k->conf.bootstrap_servers = (char *)rd_kafka_mock_cluster_bootstraps(k->mc);
}

static void mock_close(mock_kafka_t *k)
{
    rd_kafka_mock_cluster_destroy(k->mc);
    rd_kafka_destroy(k->rk);
}

/* The DLQ topic's high watermark, as a consumer would see it. */
static int64_t dlq_messages(mock_kafka_t *k)
{
    char err[512];
    rd_kafka_conf_t *kc = rd_kafka_conf_new();
    int64_t lo = -1, hi = -1;

    assert_int_equal(
        rd_kafka_conf_set(kc, "bootstrap.servers", k->conf.bootstrap_servers, err, sizeof(err)), 0);
    rd_kafka_t *c = rd_kafka_new(RD_KAFKA_CONSUMER, kc, err, sizeof(err));
    assert_non_null(c);
    assert_int_equal(rd_kafka_query_watermark_offsets(c, k->dlq, 0, &lo, &hi, 10000), 0);
    rd_kafka_destroy(c);
    return hi;
}

static void add(dlq_queue_t *d, int i)
{
    char err[256], value[32];

    snprintf(value, sizeof(value), "poison %d", i);
    assert_int_equal(dlq_queue_add(d, "k", 1, value, strlen(value), "cannot decode", "tm.customers",
                                   0, i, err, sizeof(err)),
                     0);
}

/* Each test: a mock cluster and a queue producing to it. */
typedef struct fixture {
    mock_kafka_t k;
    dlq_queue_t *d;
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof(*f));
    char err[512] = "";

    assert_non_null(f);
    mock_open(&f->k);
    f->d = dlq_queue_new(&f->k.conf, err, sizeof(err));
    assert_non_null(f->d);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;

    dlq_queue_destroy(f->d);
    mock_close(&f->k);
    free(f);
    return 0;
}

static void test_given_up_letters_stay_given_up(void **state)
{
    fixture_t *f = *state;
    mock_kafka_t *k = &f->k;
    dlq_queue_t *d = f->d;
    char err[512] = "";

    /* the broker down: the flush gives up */
    assert_int_equal(rd_kafka_mock_broker_set_down(k->mc, 1), 0);
    add(d, 0);
    assert_int_equal(dlq_queue_flush(d, 300, err, sizeof(err)), -1);
    /* the topic named (whether the cluster has it is not known here:
     * the broker is down) */
    assert_non_null(strstr(err, "dead-letter flush to "));
    assert_non_null(strstr(err, ": timed out after 300 ms"));
    assert_int_equal(dlq_queue_pending(d), 0);

    /* up again: a larger batch (the item array moves) */
    assert_int_equal(rd_kafka_mock_broker_set_up(k->mc, 1), 0);
    for (int i = 1; i <= SECOND_BATCH; i++)
        add(d, i);
    err[0] = '\0';
    assert_int_equal(dlq_queue_flush(d, 20000, err, sizeof(err)), 0);
    assert_int_equal(dlq_queue_count(d), SECOND_BATCH);
    assert_int_equal(dlq_messages(k), SECOND_BATCH);
}

/* A fatal error (as a refused IdempotentWrite gives) is not retried for
 * ever: the flush says so, and the worker stops with it. */
static void test_fatal_producer_error(void **state)
{
    fixture_t *f = *state;
    dlq_queue_t *d = f->d;
    char err[512] = "";
    add(d, 0);
    assert_int_equal(dlq_queue_flush(d, 20000, err, sizeof(err)), 0);
    assert_int_equal(
        rd_kafka_test_fatal_error(d->rk, RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED, "refused"),
        RD_KAFKA_RESP_ERR_NO_ERROR);
    add(d, 1);
    assert_int_equal(dlq_queue_flush(d, 20000, err, sizeof(err)), -2);
    assert_non_null(strstr(err, "dead-letter producer: fatal error: "));
    assert_non_null(strstr(err, "refused"));
    assert_int_equal(dlq_queue_pending(d), 0);
    assert_int_equal(dlq_queue_count(d), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_given_up_letters_stay_given_up, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fatal_producer_error, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
