/*
 * devbroker.c - tidemark-devbroker: librdkafka's mock cluster as a process
 * that real clients (kcat, tidemark-producer, several tidemark-workers in
 * one group) reach over TCP on 127.0.0.1.
 *
 *   tidemark-devbroker [--brokers N] [--topic NAME:PARTITIONS]...
 *                      [--bootstrap-file PATH] [--control PATH] [--help]
 *
 * Prints the bootstrap servers as one line on stdout and, with
 * --bootstrap-file, writes that line to PATH atomically (removed at exit).
 * Runs until SIGTERM/SIGINT. Exit: 0 after a signal, 1 on a runtime
 * failure, 2 on bad usage. A development fixture: never linked into the
 * programs.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "control.h"
#include "log.h"
#include "signals.h"
#include "../fixturelib/atomic_file.h"

#define DEVBROKER_MAX_TOPICS 64
#define DEVBROKER_POLL_MS    200

typedef struct {
    char name[256]; /* Kafka caps topic names at 249 bytes */
    int partitions;
} topic_opt_t;

typedef struct {
    int brokers;
    topic_opt_t topics[DEVBROKER_MAX_TOPICS];
    int topic_cnt;
    const char *bootstrap_file;
    const char *control_path;
} options_t;

static void usage(FILE *out)
{
    fprintf(out, "usage: tidemark-devbroker [--brokers N] [--topic NAME:PARTITIONS]...\n"
                 "                          [--bootstrap-file PATH] [--control PATH]\n"
                 "\n"
                 "An embedded Kafka cluster (librdkafka's mock cluster) on 127.0.0.1.\n"
                 "  --brokers N            brokers, ids 1..N (default 3)\n"
                 "  --topic NAME:PARTS     create a topic (repeatable; replication\n"
                 "                         factor min(3, N)); other topics auto-create\n"
                 "                         with 4 partitions\n"
                 "  --bootstrap-file PATH  also write the bootstrap servers to PATH\n"
                 "                         (atomically; removed at exit)\n"
                 "  --control PATH         read fault-injection commands from a FIFO\n"
                 "                         created at PATH, one per line:\n"
                 "                           broker ID down|up\n"
                 "                           rtt ID MS\n"
                 "                           fail API COUNT [ERROR]   e.g. fail Produce 3\n"
                 "                           clear API\n"
                 "                           topic NAME PARTITIONS\n"
                 "                           leader TOPIC PARTITION ID\n"
                 "                           coordinator group|transaction KEY ID\n"
                 "Runs until SIGTERM/SIGINT.\n");
}

/* "NAME:PARTITIONS" (split at the last ':', which a topic name cannot hold).
 * argv is left as is, so that ps shows the command line as typed. */
static int parse_topic(const char *arg, topic_opt_t *t)
{
    const char *colon = strrchr(arg, ':');
    char *end;
    long parts;

    if (!colon || colon == arg || (size_t)(colon - arg) >= sizeof(t->name))
        return -1;
    errno = 0;
    parts = strtol(colon + 1, &end, 10);
    if (errno || end == colon + 1 || *end || parts < 1 || parts > 100000)
        return -1;
    memcpy(t->name, arg, (size_t)(colon - arg));
    t->name[colon - arg] = '\0';
    t->partitions = (int)parts;
    return 0;
}

/* Returns 0 to run, 1 when --help was shown, 2 on bad usage. */
static int parse_options(int argc, char **argv, options_t *o)
{
    static const struct option longopts[] = {
        {"brokers", required_argument, NULL, 'b'},
        {"topic", required_argument, NULL, 't'},
        {"bootstrap-file", required_argument, NULL, 'f'},
        {"control", required_argument, NULL, 'c'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    char *end;

    memset(o, 0, sizeof(*o));
    o->brokers = 3;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'b':
            errno = 0;
            o->brokers = (int)strtol(optarg, &end, 10);
            if (errno || *end || end == optarg || o->brokers < 1 || o->brokers > 64) {
                fprintf(stderr, "tidemark-devbroker: --brokers: expected 1..64, got \"%s\"\n",
                        optarg);
                return 2;
            }
            break;
        case 't':
            if (o->topic_cnt == DEVBROKER_MAX_TOPICS) {
                fprintf(stderr, "tidemark-devbroker: at most %d --topic options\n",
                        DEVBROKER_MAX_TOPICS);
                return 2;
            }
            if (parse_topic(optarg, &o->topics[o->topic_cnt])) {
                fprintf(stderr,
                        "tidemark-devbroker: --topic: expected NAME:PARTITIONS, got \"%s\"\n",
                        optarg);
                return 2;
            }
            o->topic_cnt++;
            break;
        case 'f':
            o->bootstrap_file = optarg;
            break;
        case 'c':
            o->control_path = optarg;
            break;
        case 'h':
            usage(stdout);
            return 1;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "tidemark-devbroker: unexpected argument \"%s\"\n", argv[optind]);
        usage(stderr);
        return 2;
    }
    return 0;
}

/* librdkafka's log lines (the mock cluster's included) through our logger,
 * which is safe from librdkafka's threads. */
static void rk_log_cb(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    log_level_t lvl = level <= 3   ? LOG_ERROR
                      : level == 4 ? LOG_WARN
                      : level <= 6 ? LOG_INFO
                                   : LOG_DEBUG;
    (void)rk;
    /* This handle has no brokers on purpose: the warning says so. */
    if (!strcmp(fac, "CONFWARN"))
        lvl = LOG_DEBUG;
    if (log_enabled(lvl))
        log_write(lvl, buf, "component=devbroker fac=%s", fac);
}

/* The handle the mock cluster hangs off; it connects to nothing itself. */
static rd_kafka_t *bookkeeping_handle_new(char *errstr, size_t errstr_size)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_t *rk;

    if (rd_kafka_conf_set(conf, "client.id", "tidemark-devbroker", errstr, errstr_size) !=
        RD_KAFKA_CONF_OK) {
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    rd_kafka_conf_set_log_cb(conf, rk_log_cb);
    rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, errstr_size);
    if (!rk)
        rd_kafka_conf_destroy(conf);
    /* else conf is now owned by rk */
    return rk;
}

static int create_topics(rd_kafka_mock_cluster_t *mc, const options_t *o)
{
    int replication = o->brokers < 3 ? o->brokers : 3;

    for (int i = 0; i < o->topic_cnt; i++) {
        rd_kafka_resp_err_t err =
            rd_kafka_mock_topic_create(mc, o->topics[i].name, o->topics[i].partitions, replication);
        if (err) {
            log_error(rd_kafka_err2str(err), "component=devbroker topic=%s", o->topics[i].name);
            return -1;
        }
        log_info("topic created", "component=devbroker topic=%s partitions=%d", o->topics[i].name,
                 o->topics[i].partitions);
    }
    return 0;
}

/* Serves until the run flag drops; returns 0, or 1 if the FIFO failed. */
static int serve(control_t *ctl)
{
    char errstr[512];

    while (tm_running) {
        if (!ctl) {
            poll(NULL, 0, DEVBROKER_POLL_MS);
            continue;
        }
        if (control_poll(ctl, DEVBROKER_POLL_MS, errstr, sizeof(errstr))) {
            log_error(errstr, "component=%s", "devbroker");
            return 1;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    options_t opts;
    char errstr[512];
    rd_kafka_t *rk = NULL;
    rd_kafka_mock_cluster_t *mc = NULL;
    control_t *ctl = NULL;
    const char *bootstraps;
    int rc = 1;

    int prc = parse_options(argc, argv, &opts);
    if (prc)
        return prc == 1 ? 0 : 2;
    log_setup(LOG_INFO, 0);
    signals_install();

    if (!(rk = bookkeeping_handle_new(errstr, sizeof(errstr)))) {
        log_error(errstr, "component=%s", "devbroker");
        return 1;
    }
    if (!(mc = rd_kafka_mock_cluster_new(rk, opts.brokers))) {
        log_error("cannot create the mock cluster", "component=%s", "devbroker");
        goto out;
    }
    if (create_topics(mc, &opts))
        goto out;
    if (opts.control_path &&
        !(ctl = control_new(opts.control_path, mc, opts.brokers, errstr, sizeof(errstr)))) {
        log_error(errstr, "component=%s", "devbroker");
        goto out;
    }
    bootstraps = rd_kafka_mock_cluster_bootstraps(mc);
    printf("%s\n", bootstraps);
    fflush(stdout);
    if (opts.bootstrap_file &&
        write_file_atomic(opts.bootstrap_file, bootstraps, errstr, sizeof(errstr))) {
        log_error(errstr, "component=%s", "devbroker");
        goto out;
    }
    log_info("ready", "component=devbroker brokers=%d bootstrap=%s", opts.brokers, bootstraps);

    rc = serve(ctl);
    log_info("shutting down", "component=%s", "devbroker");
out:
    if (opts.bootstrap_file)
        unlink(opts.bootstrap_file);
    control_destroy(ctl);
    if (mc)
        rd_kafka_mock_cluster_destroy(mc);
    rd_kafka_destroy(rk);
    return rc;
}
