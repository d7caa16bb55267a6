/*
 * kafka_admin.c - tidemark-kafka-admin: the topic operations the tests on
 * the real broker need, through librdkafka's admin API. One call takes
 * milliseconds where Kafka's own kafka-topics (a JVM) takes a second of
 * CPU, which counts on a 2-core machine that starts a broker per scenario.
 *
 *   tidemark-kafka-admin -b BOOTSTRAP create NAME PARTITIONS [KEY=VALUE]...
 *   tidemark-kafka-admin -b BOOTSTRAP partitions NAME TOTAL
 *   tidemark-kafka-admin -b BOOTSTRAP delete NAME
 *
 * create: a topic with replication factor 1 and the given topic configs;
 * partitions: grows a topic to TOTAL partitions; delete: deletes a topic.
 * Each waits for the controller's answer (30 s at most). Exit: 0 done, 1
 * refused or failed (the broker's error on stderr), 2 bad usage. A
 * development fixture: never linked into the programs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <librdkafka/rdkafka.h>

#define ADMIN_TIMEOUT_MS 30000

static void usage(FILE *out)
{
    fprintf(out, "usage: tidemark-kafka-admin -b BOOTSTRAP create NAME PARTITIONS [KEY=VALUE]...\n"
                 "       tidemark-kafka-admin -b BOOTSTRAP partitions NAME TOTAL\n"
                 "       tidemark-kafka-admin -b BOOTSTRAP delete NAME\n"
                 "Topic operations on a Kafka cluster (replication factor 1), through\n"
                 "librdkafka's admin API; each waits for the controller's answer.\n");
}

static int parse_count(const char *s, int *out)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < 1 || v > 100000)
        return -1;
    *out = (int)v;
    return 0;
}

static rd_kafka_t *handle_new(const char *bootstrap, char *errstr, size_t errstr_size)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_t *rk;

    if (rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap, errstr, errstr_size) ||
        rd_kafka_conf_set(conf, "client.id", "tidemark-kafka-admin", errstr, errstr_size)) {
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, errstr_size);
    if (!rk)
        rd_kafka_conf_destroy(conf);
    return rk;
}

/* Waits for the admin result event of the request sent on q. NULL on
 * timeout; else the event, which the caller destroys. */
static rd_kafka_event_t *await_result(rd_kafka_queue_t *q)
{
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, ADMIN_TIMEOUT_MS + 5000);
    if (!ev)
        fprintf(stderr, "tidemark-kafka-admin: no answer within %d ms\n", ADMIN_TIMEOUT_MS);
    return ev;
}

/* The request's own error, then the topic's; 0 when both are fine. */
static int check_topic_results(rd_kafka_event_t *ev, const rd_kafka_topic_result_t **res, size_t n,
                               const char *what)
{
    if (rd_kafka_event_error(ev)) {
        fprintf(stderr, "tidemark-kafka-admin: %s: %s\n", what, rd_kafka_event_error_string(ev));
        return 1;
    }
    for (size_t i = 0; i < n; i++) {
        if (rd_kafka_topic_result_error(res[i])) {
            const char *msg = rd_kafka_topic_result_error_string(res[i]);
            fprintf(stderr, "tidemark-kafka-admin: %s %s: %s: %s\n", what,
                    rd_kafka_topic_result_name(res[i]),
                    rd_kafka_err2name(rd_kafka_topic_result_error(res[i])), msg ? msg : "");
            return 1;
        }
    }
    return 0;
}

static int cmd_create(rd_kafka_t *rk, rd_kafka_queue_t *q, int argc, char **argv)
{
    char errstr[512];
    int parts, rc = 1;
    rd_kafka_NewTopic_t *nt;
    rd_kafka_AdminOptions_t *opts;
    rd_kafka_event_t *ev;

    if (argc < 2 || parse_count(argv[1], &parts)) {
        usage(stderr);
        return 2;
    }
    nt = rd_kafka_NewTopic_new(argv[0], parts, 1, errstr, sizeof(errstr));
    if (!nt) {
        fprintf(stderr, "tidemark-kafka-admin: create %s: %s\n", argv[0], errstr);
        return 2;
    }
    for (int i = 2; i < argc; i++) {
        char *eq = strchr(argv[i], '=');
        if (!eq || eq == argv[i]) {
            fprintf(stderr, "tidemark-kafka-admin: expected KEY=VALUE, got \"%s\"\n", argv[i]);
            rd_kafka_NewTopic_destroy(nt);
            return 2;
        }
        *eq = '\0';
        rd_kafka_resp_err_t err = rd_kafka_NewTopic_set_config(nt, argv[i], eq + 1);
        *eq = '=';
        if (err) {
            fprintf(stderr, "tidemark-kafka-admin: config %s: %s\n", argv[i],
                    rd_kafka_err2str(err));
            rd_kafka_NewTopic_destroy(nt);
            return 2;
        }
    }
    opts = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
    if (rd_kafka_AdminOptions_set_operation_timeout(opts, ADMIN_TIMEOUT_MS, errstr,
                                                    sizeof(errstr)) ||
        rd_kafka_AdminOptions_set_request_timeout(opts, ADMIN_TIMEOUT_MS, errstr, sizeof(errstr))) {
        fprintf(stderr, "tidemark-kafka-admin: %s\n", errstr);
        goto out;
    }
    rd_kafka_CreateTopics(rk, &nt, 1, opts, q);
    if ((ev = await_result(q))) {
        size_t n;
        const rd_kafka_topic_result_t **res =
            rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
        rc = check_topic_results(ev, res, n, "create");
        rd_kafka_event_destroy(ev);
    }
out:
    rd_kafka_AdminOptions_destroy(opts);
    rd_kafka_NewTopic_destroy(nt);
    return rc;
}

static int cmd_partitions(rd_kafka_t *rk, rd_kafka_queue_t *q, int argc, char **argv)
{
    char errstr[512];
    int total, rc = 1;
    rd_kafka_NewPartitions_t *np;
    rd_kafka_AdminOptions_t *opts;
    rd_kafka_event_t *ev;

    if (argc != 2 || parse_count(argv[1], &total)) {
        usage(stderr);
        return 2;
    }
    np = rd_kafka_NewPartitions_new(argv[0], (size_t)total, errstr, sizeof(errstr));
    if (!np) {
        fprintf(stderr, "tidemark-kafka-admin: partitions %s: %s\n", argv[0], errstr);
        return 2;
    }
    opts = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATEPARTITIONS);
    if (rd_kafka_AdminOptions_set_operation_timeout(opts, ADMIN_TIMEOUT_MS, errstr,
                                                    sizeof(errstr))) {
        fprintf(stderr, "tidemark-kafka-admin: %s\n", errstr);
        goto out;
    }
    rd_kafka_CreatePartitions(rk, &np, 1, opts, q);
    if ((ev = await_result(q))) {
        size_t n;
        const rd_kafka_topic_result_t **res =
            rd_kafka_CreatePartitions_result_topics(rd_kafka_event_CreatePartitions_result(ev), &n);
        rc = check_topic_results(ev, res, n, "partitions");
        rd_kafka_event_destroy(ev);
    }
out:
    rd_kafka_AdminOptions_destroy(opts);
    rd_kafka_NewPartitions_destroy(np);
    return rc;
}

static int cmd_delete(rd_kafka_t *rk, rd_kafka_queue_t *q, int argc, char **argv)
{
    char errstr[512];
    int rc = 1;
    rd_kafka_DeleteTopic_t *dt;
    rd_kafka_AdminOptions_t *opts;
    rd_kafka_event_t *ev;

    if (argc != 1) {
        usage(stderr);
        return 2;
    }
    dt = rd_kafka_DeleteTopic_new(argv[0]);
    opts = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_DELETETOPICS);
    if (rd_kafka_AdminOptions_set_operation_timeout(opts, ADMIN_TIMEOUT_MS, errstr,
                                                    sizeof(errstr))) {
        fprintf(stderr, "tidemark-kafka-admin: %s\n", errstr);
        goto out;
    }
    rd_kafka_DeleteTopics(rk, &dt, 1, opts, q);
    if ((ev = await_result(q))) {
        size_t n;
        const rd_kafka_topic_result_t **res =
            rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(ev), &n);
        rc = check_topic_results(ev, res, n, "delete");
        rd_kafka_event_destroy(ev);
    }
out:
    rd_kafka_AdminOptions_destroy(opts);
    rd_kafka_DeleteTopic_destroy(dt);
    return rc;
}

int main(int argc, char **argv)
{
    char errstr[512];
    const char *bootstrap;
    rd_kafka_t *rk;
    rd_kafka_queue_t *q;
    int rc;

    if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        usage(stdout);
        return 0;
    }
    if (argc < 4 || strcmp(argv[1], "-b")) {
        usage(stderr);
        return 2;
    }
    bootstrap = argv[2];
    if (strcmp(argv[3], "create") && strcmp(argv[3], "partitions") && strcmp(argv[3], "delete")) {
        fprintf(stderr, "tidemark-kafka-admin: unknown command \"%s\"\n", argv[3]);
        usage(stderr);
        return 2;
    }
    if (!(rk = handle_new(bootstrap, errstr, sizeof(errstr)))) {
        fprintf(stderr, "tidemark-kafka-admin: %s\n", errstr);
        return 2;
    }
    q = rd_kafka_queue_new(rk);
    if (!strcmp(argv[3], "create"))
        rc = cmd_create(rk, q, argc - 4, argv + 4);
    else if (!strcmp(argv[3], "partitions"))
        rc = cmd_partitions(rk, q, argc - 4, argv + 4);
    else
        rc = cmd_delete(rk, q, argc - 4, argv + 4);
    rd_kafka_queue_destroy(q);
    rd_kafka_destroy(rk);
    return rc;
}
