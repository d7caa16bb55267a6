/* test_kafka_client.c - the client factory (kafka_client.h): which
 * properties win, the error texts; the produce policy for a full local
 * queue (kafka_produce.h): poll, try again, give up at a deadline; what a
 * message carries, by name or by handle; and the kept topic handles
 * (kafka_topics.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "isotime.h"
#include "kafka_client.h"
#include "kafka_produce.h"
#include "kafka_topics.h"

/* A config as config_load() would build it, without a file; nothing
 * listens on the discard port, so nothing is ever delivered. */
static tm_config_t fake_conf(config_kv_t *props, size_t n)
{
    return (tm_config_t){
        .path = "t.conf",
        .bootstrap_servers = "127.0.0.1:9",
        .topic_prefix = "acme",
        .group_id = "g",
        .kafka_props = props,
        .n_kafka_props = n,
    };
}

/* A client as kafka_client_new() makes it, or the test fails with why. */
static rd_kafka_t *new_client(const tm_config_t *c, rd_kafka_type_t type,
                              const kafka_client_opts_t *opts)
{
    char err[512] = "";
    rd_kafka_t *rk = kafka_client_new(c, type, opts, err, sizeof(err));
    if (!rk)
        fail_msg("%s", err);
    return rk;
}

static void assert_prop(rd_kafka_t *rk, const char *key, const char *want)
{
    char val[256];
    size_t sz = sizeof(val);
    assert_int_equal(rd_kafka_conf_get(rd_kafka_conf(rk), key, val, &sz), RD_KAFKA_CONF_OK);
    if (strcmp(val, want))
        fail_msg("%s is %s, want %s", key, val, want);
}

/* What the caller sets wins over [kafka]; the rest of [kafka] stays. */
static void test_caller_wins(void **state)
{
    (void)state;
    config_kv_t props[] = {{"acks", "1", 3},
                           {"enable.auto.commit", "true", 4},
                           {"group.id", "theirs", 5},
                           {"linger.ms", "7", 6},
                           {"client.id", "mine", 7}};
    tm_config_t c = fake_conf(props, 5);
    static const kafka_prop_t extra[] = {{"enable.partition.eof", "true"}};
    const kafka_client_opts_t copts = {
        .client_id = "tidemark-x",
        .group_id = "ours",
        .manual_offsets = 1,
        .props = extra,
        .n_props = 1,
    };
    rd_kafka_t *rk = new_client(&c, RD_KAFKA_CONSUMER, &copts);
    assert_prop(rk, "group.id", "ours");
    assert_prop(rk, "enable.auto.commit", "false");
    assert_prop(rk, "enable.auto.offset.store", "false");
    assert_prop(rk, "enable.partition.eof", "true");
    assert_prop(rk, "linger.ms", "7");
    assert_prop(rk, "client.id", "mine"); /* the file wins over the default */
    assert_prop(rk, "bootstrap.servers", "127.0.0.1:9");
    rd_kafka_destroy(rk);

    const kafka_client_opts_t popts = {.client_id = "tidemark-y", .idempotent = 1};
    c.n_kafka_props = 1; /* acks=1 */
    rk = new_client(&c, RD_KAFKA_PRODUCER, &popts);
    assert_prop(rk, "acks", "-1"); /* librdkafka's spelling of all */
    assert_prop(rk, "enable.idempotence", "true");
    assert_int_equal(kafka_client_max_message_bytes(rk), 1000000);
    rd_kafka_destroy(rk);
}

/* A caller's default holds unless [kafka] names its key. */
static void test_defaults_yield(void **state)
{
    (void)state;
    config_kv_t props[] = {{"queued.max.messages.kbytes", "65536", 3}};
    tm_config_t c = fake_conf(props, 1);
    static const kafka_prop_t defaults[] = {{"queued.max.messages.kbytes", "4096"},
                                            {"queued.min.messages", "20000"}};
    const kafka_client_opts_t opts = {
        .client_id = "tidemark-x",
        .group_id = "g",
        .defaults = defaults,
        .n_defaults = 2,
    };
    rd_kafka_t *rk = new_client(&c, RD_KAFKA_CONSUMER, &opts);
    assert_prop(rk, "queued.max.messages.kbytes", "65536");
    assert_prop(rk, "queued.min.messages", "20000");
    rd_kafka_destroy(rk);

    c.n_kafka_props = 0;
    rk = new_client(&c, RD_KAFKA_CONSUMER, &opts);
    assert_prop(rk, "queued.max.messages.kbytes", "4096");
    rd_kafka_destroy(rk);
}

static void test_errors(void **state)
{
    (void)state;
    static const struct {
        const char *key, *value;
        const char *extra_key; /* a caller's property, or NULL */
        const char *want;      /* the start of errstr */
    } cases[] = {
        {"no.such.property", "1", NULL, "t.conf:3: [kafka] no.such.property: "},
        {"linger.ms", "1", "no.such.property", "no.such.property: "},
        /* refused only by rd_kafka_new(): idempotence needs <= 5 in flight */
        {"max.in.flight.requests.per.connection", "10", NULL,
         "cannot create the Kafka producer tidemark-z: "},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        config_kv_t props[] = {{(char *)cases[i].key, (char *)cases[i].value, 3}};
        tm_config_t c = fake_conf(props, 1);
        const kafka_prop_t extra[] = {{cases[i].extra_key, "1"}};
        const kafka_client_opts_t opts = {
            .client_id = "tidemark-z",
            .idempotent = 1,
            .props = extra,
            .n_props = cases[i].extra_key ? 1 : 0,
        };
        char err[512] = "";
        rd_kafka_t *rk = kafka_client_new(&c, RD_KAFKA_PRODUCER, &opts, err, sizeof(err));
        if (rk) {
            rd_kafka_destroy(rk);
            fail_msg("case %zu: created", i);
        }
        if (strncmp(err, cases[i].want, strlen(cases[i].want)))
            fail_msg("case %zu: errstr \"%s\", want \"%s...\"", i, err, cases[i].want);
    }
}

/* A queue that stays full (one message at most, no broker) ends in a
 * clear error after the deadline, not in a wait for ever. */
static void test_queue_full_deadline(void **state)
{
    (void)state;
    config_kv_t props[] = {{"queue.buffering.max.messages", "1", 3}};
    tm_config_t c = fake_conf(props, 1);
    char err[512] = "";
    const kafka_client_opts_t opts = {.client_id = "tidemark-q"};
    rd_kafka_t *rk = new_client(&c, RD_KAFKA_PRODUCER, &opts);
    const kafka_message_t m = {
        .topic = "t", .key = "k", .key_len = 1, .value = "v", .value_len = 1};
    assert_int_equal(kafka_produce(rk, &m, 300, err, sizeof(err)), RD_KAFKA_RESP_ERR_NO_ERROR);

    kafka_header_t h[] = {{"a", "b"}};
    const kafka_message_t full = {
        .topic = "t", .value = "v", .value_len = 1, .headers = kafka_headers_new(h, 1)};
    int64_t t0 = isotime_monotonic_ms();
    assert_int_equal(kafka_produce(rk, &full, 300, err, sizeof(err)),
                     RD_KAFKA_RESP_ERR__QUEUE_FULL);
    int64_t waited = isotime_monotonic_ms() - t0;
    assert_true(waited >= 300 && waited < 5000);
    assert_non_null(strstr(err, "produce to t: the local queue stayed full for 300 ms"));

    rd_kafka_purge(rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    rd_kafka_flush(rk, 1000);
    rd_kafka_destroy(rk);
}

/* kafka_produce_paced polls every KAFKA_PRODUCE_POLL_EVERY messages, and
 * a queue that stays full still ends in the same error at the deadline. */
static void test_paced(void **state)
{
    (void)state;
    char max[16];
    snprintf(max, sizeof(max), "%d", KAFKA_PRODUCE_POLL_EVERY + 1);
    config_kv_t props[] = {{"queue.buffering.max.messages", max, 3}};
    tm_config_t c = fake_conf(props, 1);
    char err[512] = "";
    const kafka_client_opts_t opts = {.client_id = "tidemark-p"};
    rd_kafka_t *rk = new_client(&c, RD_KAFKA_PRODUCER, &opts);
    const kafka_message_t m = {.topic = "t", .value = "v", .value_len = 1};
    unsigned unpolled = 0;
    for (int i = 1; i < KAFKA_PRODUCE_POLL_EVERY; i++) {
        assert_int_equal(kafka_produce_paced(rk, &m, 300, &unpolled, err, sizeof(err)), 0);
        assert_int_equal(unpolled, i);
    }
    assert_int_equal(kafka_produce_paced(rk, &m, 300, &unpolled, err, sizeof(err)), 0);
    assert_int_equal(unpolled, 0); /* polled */
    assert_int_equal(kafka_produce_paced(rk, &m, 300, &unpolled, err, sizeof(err)), 0);
    assert_int_equal(unpolled, 1);

    int64_t t0 = isotime_monotonic_ms();
    assert_int_equal(kafka_produce_paced(rk, &m, 300, &unpolled, err, sizeof(err)),
                     RD_KAFKA_RESP_ERR__QUEUE_FULL);
    int64_t waited = isotime_monotonic_ms() - t0;
    assert_true(waited >= 300 && waited < 5000);
    assert_non_null(strstr(err, "produce to t: the local queue stayed full for 300 ms"));
    assert_int_equal(unpolled, 0);

    rd_kafka_purge(rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    rd_kafka_flush(rk, 1000);
    rd_kafka_destroy(rk);
}

/* What a delivery report carried, for test_message_fields. */
struct delivered {
    int n;
    char topic[32], key[8], value[8], op[8];
    void *opaque;
};

static void note_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    (void)rk;
    struct delivered *d = opaque;
    rd_kafka_headers_t *hdrs = NULL;
    const void *op = NULL;
    size_t op_len = 0;
    d->n++;
    snprintf(d->topic, sizeof(d->topic), "%s", rd_kafka_topic_name(m->rkt));
    snprintf(d->key, sizeof(d->key), "%.*s", (int)m->key_len, (const char *)m->key);
    snprintf(d->value, sizeof(d->value), "%.*s", (int)m->len, (const char *)m->payload);
    if (rd_kafka_message_headers(m, &hdrs) == 0)
        rd_kafka_header_get_last(hdrs, "op", &op, &op_len);
    snprintf(d->op, sizeof(d->op), "%.*s", (int)op_len, op ? (const char *)op : "");
    d->opaque = m->_private;
}

/* A message named by its topic and one given a topic's handle carry their
 * topic, key, value, header and opaque to their delivery report. */
static void test_message_fields(void **state)
{
    (void)state;
    tm_config_t c = fake_conf(NULL, 0);
    char err[512] = "";
    struct delivered d = {0};
    const kafka_client_opts_t opts = {
        .client_id = "tidemark-f", .opaque = &d, .dr_msg_cb = note_delivery};
    rd_kafka_t *rk = new_client(&c, RD_KAFKA_PRODUCER, &opts);
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, "t.handle", NULL);
    assert_non_null(rkt);
    kafka_header_t h[] = {{"op", "upsert"}};
    for (int by_handle = 0; by_handle < 2; by_handle++) {
        int opaque;
        /* the handle wins over the name (which only errstr shows) */
        const kafka_message_t m = {.topic = "t.name",
                                   .rkt = by_handle ? rkt : NULL,
                                   .key = "k1",
                                   .key_len = 2,
                                   .value = "v1",
                                   .value_len = 2,
                                   .headers = kafka_headers_new(h, 1),
                                   .opaque = &opaque};
        memset(&d, 0, sizeof(d));
        assert_int_equal(kafka_produce(rk, &m, 300, err, sizeof(err)), 0);
        /* no broker: the purge reports the message as it was queued */
        rd_kafka_purge(rk, RD_KAFKA_PURGE_F_QUEUE);
        rd_kafka_flush(rk, 1000);
        assert_int_equal(d.n, 1);
        assert_string_equal(d.topic, by_handle ? "t.handle" : "t.name");
        assert_string_equal(d.key, "k1");
        assert_string_equal(d.value, "v1");
        assert_string_equal(d.op, "upsert");
        assert_ptr_equal(d.opaque, &opaque);
    }
    rd_kafka_topic_destroy(rkt);
    rd_kafka_destroy(rk);
}

/* One handle per name, whatever the order of the names asked for. */
static void test_topic_handles(void **state)
{
    (void)state;
    tm_config_t c = fake_conf(NULL, 0);
    const kafka_client_opts_t opts = {.client_id = "tidemark-h"};
    rd_kafka_t *rk = new_client(&c, RD_KAFKA_PRODUCER, &opts);
    kafka_topics_t t = {0};
    static const char *const names[] = {
        "acme.runs", "acme.customers", "acme.dlq", "acme.customers",
        "acme.runs", "acme.dlq",       "acme.dlq"}; /* the last one found, again */
    rd_kafka_topic_t *first[3] = {NULL};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        rd_kafka_topic_t *rkt = kafka_topics_get(&t, rk, names[i]);
        assert_non_null(rkt);
        assert_string_equal(rd_kafka_topic_name(rkt), names[i]);
        if (i < 3)
            first[i] = rkt;
        else /* the same handle again, not a new one */
            assert_ptr_equal(rkt, first[i == 3 ? 1 : i == 4 ? 0 : 2]);
    }
    assert_int_equal(t.n, 3);
    kafka_topics_clear(&t);
    assert_int_equal(t.n, 0);
    assert_null(t.v);
    rd_kafka_destroy(rk);
}

/* Once the idempotent producer has failed for good, a produce says so
 * with __FATAL, as rd_kafka_producev did, not with the error that caused
 * it (rd_kafka_produceva's code; found by review). */
static void test_fatal_error(void **state)
{
    (void)state;
    tm_config_t c = fake_conf(NULL, 0);
    char err[512] = "";
    const kafka_client_opts_t opts = {.client_id = "tidemark-x", .idempotent = 1};
    rd_kafka_t *rk = new_client(&c, RD_KAFKA_PRODUCER, &opts);
    assert_int_equal(
        rd_kafka_test_fatal_error(rk, RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER, "test"), 0);
    const kafka_message_t m = {.topic = "t", .value = "v", .value_len = 1};
    assert_int_equal(kafka_produce(rk, &m, 300, err, sizeof(err)), RD_KAFKA_RESP_ERR__FATAL);
    assert_non_null(strstr(err, "produce to t: "));
    rd_kafka_destroy(rk);
}

/* Any other refusal is returned at once, with the topic in errstr. */
static void test_too_large(void **state)
{
    (void)state;
    config_kv_t props[] = {{"message.max.bytes", "1000", 3}};
    tm_config_t c = fake_conf(props, 1);
    char err[512] = "";
    const kafka_client_opts_t opts = {.client_id = "tidemark-l"};
    rd_kafka_t *rk = new_client(&c, RD_KAFKA_PRODUCER, &opts);
    assert_int_equal(kafka_client_max_message_bytes(rk), 1000);
    static char big[5000];
    const kafka_message_t m = {.topic = "t", .value = big, .value_len = sizeof(big)};
    assert_int_equal(kafka_produce(rk, &m, 300, err, sizeof(err)),
                     RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE);
    assert_non_null(strstr(err, "produce to t: "));
    rd_kafka_destroy(rk);
}

/* A delivery report's error names what likely caused it where the broker's
 * words do not: a compacted DLQ refusing a keyless dead letter, a topic
 * whose limit is below the client's. Others are librdkafka's words. */
static void test_delivery_error(void **state)
{
    (void)state;
    assert_non_null(strstr(kafka_delivery_error(RD_KAFKA_RESP_ERR_INVALID_RECORD),
                           "the dead-letter topic must not be compacted"));
    assert_non_null(strstr(kafka_delivery_error(RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE),
                           "max.message.bytes is below [kafka] message.max.bytes"));
    assert_string_equal(kafka_delivery_error(RD_KAFKA_RESP_ERR__MSG_TIMED_OUT),
                        rd_kafka_err2str(RD_KAFKA_RESP_ERR__MSG_TIMED_OUT));
}

static void test_drain_ms(void **state)
{
    (void)state;
    static const struct {
        const char *timeout;
        int want;
    } cases[] = {
        {"300000", 305000}, /* librdkafka's default, plus the margin */
        {"1000", 6000},
        {"0", 305000}, /* infinite: bounded all the same */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        config_kv_t props[] = {{"message.timeout.ms", (char *)cases[i].timeout, 3}};
        tm_config_t c = fake_conf(props, 1);
        const kafka_client_opts_t opts = {.client_id = "tidemark-d"};
        rd_kafka_t *rk = new_client(&c, RD_KAFKA_PRODUCER, &opts);
        assert_int_equal(kafka_produce_drain_ms(rk), cases[i].want);
        rd_kafka_destroy(rk);
    }
}

/* The errors that are the broker refusing the client (librdkafka says
 * them once): a scan fails at once, the worker keeps them for /readyz. */
static void test_is_refusal(void **state)
{
    (void)state;
    assert_true(kafka_err_is_refusal(RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED));
    assert_true(kafka_err_is_refusal(RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED));
    assert_true(kafka_err_is_refusal(RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED));
    assert_false(kafka_err_is_refusal(RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART));
    assert_false(kafka_err_is_refusal(RD_KAFKA_RESP_ERR__PARTITION_EOF));
    assert_false(kafka_err_is_refusal(RD_KAFKA_RESP_ERR_NO_ERROR));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_caller_wins),    cmocka_unit_test(test_defaults_yield),
        cmocka_unit_test(test_errors),         cmocka_unit_test(test_queue_full_deadline),
        cmocka_unit_test(test_paced),          cmocka_unit_test(test_too_large),
        cmocka_unit_test(test_message_fields), cmocka_unit_test(test_topic_handles),
        cmocka_unit_test(test_fatal_error),    cmocka_unit_test(test_drain_ms),
        cmocka_unit_test(test_delivery_error), cmocka_unit_test(test_is_refusal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
