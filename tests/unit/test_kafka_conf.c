/* test_kafka_conf.c - building librdkafka's conf from [kafka], error lines
 * that name file:line:key, and the run flag's signals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "kafka_conf.h"
#include "log.h"
#include "signals.h"

/* A config as config_load() would build it, without a file. */
static tm_config_t *fake_conf(config_kv_t *props, size_t n)
{
    tm_config_t *c = calloc(1, sizeof(*c));
    assert_non_null(c);
    c->path = "t.conf";
    c->bootstrap_servers = "127.0.0.1:9";
    c->topic_prefix = "acme";
    c->kafka_props = props;
    c->n_kafka_props = n;
    return c;
}

static void assert_prop(rd_kafka_conf_t *kc, const char *key, const char *want)
{
    char val[256];
    size_t sz = sizeof(val);
    assert_int_equal(rd_kafka_conf_get(kc, key, val, &sz), RD_KAFKA_CONF_OK);
    assert_string_equal(val, want);
}

static void test_conf_new(void **state)
{
    config_kv_t props[] = {{"acks", "all", 3}, {"client.id", "mine", 4}, {"linger.ms", "7", 5}};
    tm_config_t *c = fake_conf(props, 3);
    char err[512] = "";
    (void)state;

    rd_kafka_conf_t *kc = kafka_conf_new(c, "tidemark-producer", err, sizeof(err));
    if (!kc)
        fail_msg("%s", err);
    assert_prop(kc, "bootstrap.servers", "127.0.0.1:9");
    assert_prop(kc, "acks", "-1"); /* librdkafka's spelling of all */
    assert_prop(kc, "linger.ms", "7");
    assert_prop(kc, "client.id", "mine"); /* the file wins over the default */
    rd_kafka_conf_destroy(kc);

    c->n_kafka_props = 0;
    kc = kafka_conf_new(c, "tidemark-worker", err, sizeof(err));
    assert_non_null(kc);
    assert_prop(kc, "client.id", "tidemark-worker");
    rd_kafka_conf_destroy(kc);
    free(c);
}

static void test_conf_errors(void **state)
{
    config_kv_t unknown[] = {{"acks", "all", 3}, {"no.such.property", "1", 9}};
    config_kv_t badval[] = {{"linger.ms", "soon", 4}};
    char err[512] = "";
    (void)state;

    tm_config_t *c = fake_conf(unknown, 2);
    assert_null(kafka_conf_new(c, "x", err, sizeof(err)));
    assert_string_equal(err, "t.conf:9: [kafka] no.such.property: No such configuration property: "
                             "\"no.such.property\"");
    free(c);

    c = fake_conf(badval, 1);
    assert_null(kafka_conf_new(c, "x", err, sizeof(err)));
    assert_int_equal(strncmp(err, "t.conf:4: [kafka] linger.ms: ", 29), 0);
    free(c);

    rd_kafka_conf_t *kc = rd_kafka_conf_new();
    assert_int_equal(kafka_conf_set(kc, "enable.idempotence", "maybe", err, sizeof(err)), -1);
    assert_int_equal(strncmp(err, "enable.idempotence: ", 20), 0);
    assert_int_equal(kafka_conf_set(kc, "enable.idempotence", "true", err, sizeof(err)), 0);
    rd_kafka_conf_destroy(kc);
}

/* Creates and destroys a producer from props at debug level, and returns
 * what it wrote to stderr in out. rd_kafka_destroy() joins librdkafka's
 * threads, so every line is written when it returns. */
static void capture_producer_log(config_kv_t *props, size_t n, char *out, size_t size)
{
    tm_config_t *c = fake_conf(props, n);
    char err[512], path[] = "/tmp/tm_kclog_XXXXXX";

    int fd = mkstemp(path);
    assert_true(fd >= 0);
    unlink(path);
    int saved = dup(STDERR_FILENO);
    dup2(fd, STDERR_FILENO);
    log_setup(LOG_DEBUG, 0);
    rd_kafka_conf_t *kc = kafka_conf_new(c, "tm-test", err, sizeof(err));
    assert_non_null(kc);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, kc, err, sizeof(err));
    assert_non_null(rk);
    kc = NULL; /* now owned by rk */
    rd_kafka_destroy(rk);
    log_setup(LOG_INFO, 0);
    dup2(saved, STDERR_FILENO);
    close(saved);

    ssize_t got = pread(fd, out, size - 1, 0);
    close(fd);
    assert_true(got > 0);
    out[got] = '\0';
    free(c);
}

/* librdkafka's own log lines come out through log.h. */
static void test_log_routing(void **state)
{
    config_kv_t props[] = {{"debug", "generic", 3}};
    char out[65536];
    (void)state;

    capture_producer_log(props, 1, out, sizeof(out));
    assert_non_null(strstr(out, "level=debug msg="));
    assert_non_null(strstr(out, " component=rdkafka facility="));
    assert_non_null(strstr(out, " client=tm-test#producer-"));
}

/* A consumer key in the shared [kafka] section is ignored by the producer:
 * librdkafka says so, and tidemark logs it at debug, not as a warning. */
static void test_shared_section_is_quiet(void **state)
{
    config_kv_t props[] = {{"session.timeout.ms", "6000", 3}};
    char out[65536];
    (void)state;

    capture_producer_log(props, 1, out, sizeof(out));
    const char *line = strstr(out, "will be ignored by this");
    assert_non_null(line); /* librdkafka did say it ... */
    while (line > out && line[-1] != '\n')
        line--;
    assert_memory_equal(line + strcspn(line, " ") + 1, "level=debug", 11);
}

static void test_signals(void **state)
{
    (void)state;
    signals_install();
    assert_int_equal(tm_running, 1);
    raise(SIGPIPE); /* ignored: the process lives on */
    assert_int_equal(tm_running, 1);
    raise(SIGTERM);
    assert_int_equal(tm_running, 0);
    signals_install();
    assert_int_equal(tm_running, 1);
    raise(SIGINT);
    assert_int_equal(tm_running, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conf_new),    cmocka_unit_test(test_conf_errors),
        cmocka_unit_test(test_log_routing), cmocka_unit_test(test_shared_section_is_quiet),
        cmocka_unit_test(test_signals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
