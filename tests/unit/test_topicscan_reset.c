/*
 * test_topicscan_reset.c - a whole read of a topic (topicscan_read(), as
 * reconciliation and keylatest read one) during which librdkafka goes
 * back to the partition's earliest offset: the in-process mock cluster
 * answers a fetch with OFFSET_OUT_OF_RANGE, as a broker does once an
 * unclean leader election cut the log, and the reader's auto.offset.reset
 * (earliest) starts the partition over. Handed again after later ones,
 * an older message of a key would stand as its latest (keylatest.c) and
 * be counted twice: the read must end with an error that names the
 * offsets, having handed no offset twice.
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

#include "topicscan.h"

#define TOPIC       "scan.reset"
#define MESSAGES    2000
#define BATCH       20  /* messages a batch, so that a fetch holds a few */
#define RESET_AFTER 100 /* handed messages before the fetch that fails */
#define API_FETCH   1   /* the Kafka protocol's key of Fetch (the header has no names) */

typedef struct handed {
    rd_kafka_mock_cluster_t *mc;
    int times[MESSAGES]; /* by offset */
    int n;
} handed_t;

static int count_message(const rd_kafka_message_t *m, void *opaque, char *errstr,
                         size_t errstr_size)
{
    handed_t *h = opaque;
    (void)errstr, (void)errstr_size;
    assert_true(m->offset >= 0 && m->offset < MESSAGES);
    h->times[m->offset]++;
    if (++h->n == RESET_AFTER) /* the next fetch is refused: back to the start */
        rd_kafka_mock_push_request_errors(h->mc, API_FETCH, 1,
                                          RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE);
    return 0;
}

/* MESSAGES messages of key k<i> on TOPIC, in batches of BATCH. */
static void produce_all(const char *bootstrap)
{
    char err[512], key[16], value[200];
    rd_kafka_conf_t *kc = rd_kafka_conf_new();
    assert_int_equal(rd_kafka_conf_set(kc, "bootstrap.servers", bootstrap, err, sizeof(err)), 0);
    assert_int_equal(rd_kafka_conf_set(kc, "batch.num.messages", "20", err, sizeof(err)), 0);
    rd_kafka_t *p = rd_kafka_new(RD_KAFKA_PRODUCER, kc, err, sizeof(err));
    assert_non_null(p);
    memset(value, 'v', sizeof(value));
    for (int i = 0; i < MESSAGES; i++) {
        snprintf(key, sizeof(key), "k%d", i);
        assert_int_equal(rd_kafka_producev(p, RD_KAFKA_V_TOPIC(TOPIC), RD_KAFKA_V_PARTITION(0),
                                           RD_KAFKA_V_KEY(key, strlen(key)),
                                           RD_KAFKA_V_VALUE(value, sizeof(value)),
                                           RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                           RD_KAFKA_V_END),
                         RD_KAFKA_RESP_ERR_NO_ERROR);
        if ((i + 1) % BATCH == 0)
            assert_int_equal(rd_kafka_flush(p, 10000), RD_KAFKA_RESP_ERR_NO_ERROR);
    }
    assert_int_equal(rd_kafka_flush(p, 10000), RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_destroy(p);
}

static void test_whole_read_reset_to_earliest(void **state)
{
    (void)state;
    char err[512];
    rd_kafka_conf_t *kc = rd_kafka_conf_new();
    assert_int_equal(rd_kafka_conf_set(kc, "log_level", "3", err, sizeof(err)), 0);
    rd_kafka_t *mock_rk = rd_kafka_new(RD_KAFKA_PRODUCER, kc, err, sizeof(err));
    assert_non_null(mock_rk);
    rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(mock_rk, 1);
    assert_non_null(mc);
    assert_int_equal(rd_kafka_mock_topic_create(mc, TOPIC, 1, 1), 0);
    const char *bootstrap = rd_kafka_mock_cluster_bootstraps(mc);
    produce_all(bootstrap);

    /* a prefetch far smaller than the partition (about 450 KiB) and
     * small fetches: the refused fetch comes while most of it is still
     * to be read */
    config_kv_t props[] = {{"queued.max.messages.kbytes", "64", 0},
                           {"max.partition.fetch.bytes", "1024", 0}};
    tm_config_t conf = {.path = "test.conf",
                        .bootstrap_servers = (char *)bootstrap,
                        .kafka_props = props,
                        .n_kafka_props = 2};
    handed_t *h = calloc(1, sizeof(*h));
    assert_non_null(h);
    h->mc = mc;
    err[0] = '\0';
    int rc = topicscan_read(&conf, TOPIC, count_message, h, err, sizeof(err));
    topicscan_close();
    int twice = -1;
    for (int i = 0; i < MESSAGES && twice < 0; i++)
        if (h->times[i] > 1)
            twice = i;
    int n = h->n;
    free(h);
    rd_kafka_mock_cluster_destroy(mc);
    rd_kafka_destroy(mock_rk);

    if (twice >= 0)
        fail_msg("offset %d was handed twice (%d messages handed, rc %d: %s)", twice, n, rc, err);
    if (rc != -1 || !strstr(err, TOPIC " partition 0: offset ") || !strstr(err, "was read again"))
        fail_msg("the read returned %d after %d messages: '%s'", rc, n, err);
    if (n < RESET_AFTER || n >= MESSAGES)
        fail_msg("%d messages handed: the reset did not come mid-read", n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_whole_read_reset_to_earliest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
