/*
 * produce_limit.c - tidemark-bench-produce-limit: librdkafka's own produce
 * rate on a broker, the limit `make bench` sets tidemark-producer's rate
 * against (scripts/bench/limits.sh).
 *
 *   tidemark-bench-produce-limit -b BOOTSTRAP -s SOURCE -t TARGET [-X KEY=VALUE]... [-w]
 *
 * Reads every message of topic SOURCE into memory (the events the producer
 * wrote: the same keys, values and headers, so the same number, the same
 * sizes and the same compressibility), then produces them all to topic
 * TARGET with a producer set up like tidemark-producer's: the -X properties
 * (pass those of the [kafka] section, e.g. compression.type), then acks=all
 * and enable.idempotence=true, each message copied (RD_KAFKA_MSG_F_COPY) and
 * keyed like the original. The time runs from the first produce call to the
 * last delivery report (rd_kafka_flush); reading SOURCE and fetching
 * TARGET's metadata come before it. With -w it then prints READY on stdout
 * and waits for SIGUSR1 before it starts: so that the caller can start
 * something else at the same moment (scripts/bench/limits.sh reads the
 * demo API while the events are produced).
 *
 * Prints one line on stdout:
 *   RESULT messages=N bytes=B secs=S msgs_per_s=R read_secs=S2 read_msgs_per_s=R2
 * (B: the values' total size; S2: reading SOURCE, from the consumer's
 * creation to the last message: librdkafka's consume rate on the broker). Exit: 0 done, 1 failed (a
 * message not delivered, a broker error: the reason on stderr), 2 bad usage. A development fixture,
 * single-threaded: never linked into the programs.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>

#include "bench_clock.h"

#define TIMEOUT_MS      30000
#define READ_IDLE_MS    30000
#define FLUSH_MS        300000
#define MAX_PROPS       32
#define MAX_PARTITIONS  4096
#define POLL_EVERY_MSGS 1000

typedef struct {
    void *key, *value;
    size_t key_len, value_len;
    rd_kafka_headers_t *headers; /* NULL when the message had none */
} stored_msg_t;

typedef struct {
    stored_msg_t *msgs;
    size_t n, cap;
    size_t value_bytes;
} msg_store_t;

typedef struct {
    const char *bootstrap, *source, *target;
    const char *props[MAX_PROPS]; /* "KEY=VALUE" */
    int n_props;
    int wait_go; /* -w: READY, then SIGUSR1 before producing */
} options_t;

typedef struct {
    size_t delivered, failed;
    char first_error[256];
} delivery_t;

static void usage(FILE *out)
{
    fprintf(out, "usage: tidemark-bench-produce-limit -b BOOTSTRAP -s SOURCE -t TARGET\n"
                 "                                    [-X KEY=VALUE]... [-w]\n"
                 "Reads every message of SOURCE, then produces them all to TARGET\n"
                 "(idempotent, acks=all, the -X properties) and prints\n"
                 "RESULT messages=N bytes=B secs=S msgs_per_s=R read_secs=S2 read_msgs_per_s=R2\n");
}

/* Returns 0 to run, 1 after -h, 2 on bad usage. */
static int parse_args(int argc, char **argv, options_t *o)
{
    memset(o, 0, sizeof(*o));
    int c;
    while ((c = getopt(argc, argv, "b:s:t:X:wh")) != -1) {
        const char *v = optarg;
        switch (c) {
        case 'h':
            usage(stdout);
            return 1;
        case 'b':
            o->bootstrap = v;
            break;
        case 's':
            o->source = v;
            break;
        case 't':
            o->target = v;
            break;
        case 'X':
            if (o->n_props == MAX_PROPS || !strchr(v, '='))
                goto bad;
            o->props[o->n_props++] = v;
            break;
        case 'w':
            o->wait_go = 1;
            break;
        default:
            goto bad;
        }
    }
    if (optind == argc && o->bootstrap && o->source && o->target)
        return 0;
bad:
    usage(stderr);
    return 2;
}

/* Sets "KEY=VALUE"; on failure prints why and returns -1. */
static int set_prop(rd_kafka_conf_t *conf, const char *key, const char *value)
{
    char why[512];
    if (rd_kafka_conf_set(conf, key, value, why, sizeof(why)) != RD_KAFKA_CONF_OK) {
        fprintf(stderr, "produce-limit: %s=%s: %s\n", key, value, why);
        return -1;
    }
    return 0;
}

static int set_kv(rd_kafka_conf_t *conf, const char *kv)
{
    char key[256];
    const char *eq = strchr(kv, '=');
    size_t len = (size_t)(eq - kv);

    if (len >= sizeof(key)) {
        fprintf(stderr, "produce-limit: property name too long: %s\n", kv);
        return -1;
    }
    memcpy(key, kv, len);
    key[len] = '\0';
    return set_prop(conf, key, eq + 1);
}

static rd_kafka_t *client_new(rd_kafka_type_t type, rd_kafka_conf_t *conf)
{
    char why[512];
    rd_kafka_t *rk = rd_kafka_new(type, conf, why, sizeof(why));
    if (!rk) {
        rd_kafka_conf_destroy(conf);
        fprintf(stderr, "produce-limit: cannot create the client: %s\n", why);
    }
    return rk;
}

static int store_add(msg_store_t *st, rd_kafka_message_t *m)
{
    if (st->n == st->cap) {
        size_t cap = st->cap ? st->cap * 2 : 4096;
        stored_msg_t *p = realloc(st->msgs, cap * sizeof(*p));
        if (!p)
            return -1;
        st->msgs = p;
        st->cap = cap;
    }
    stored_msg_t *s = &st->msgs[st->n];
    memset(s, 0, sizeof(*s));
    if ((m->key_len && !(s->key = malloc(m->key_len))) ||
        (m->len && !(s->value = malloc(m->len)))) {
        free(s->key);
        return -1;
    }
    if (m->key_len)
        memcpy(s->key, m->key, m->key_len);
    if (m->len)
        memcpy(s->value, m->payload, m->len);
    s->key_len = m->key_len;
    s->value_len = m->len;
    if (rd_kafka_message_detach_headers(m, &s->headers) != RD_KAFKA_RESP_ERR_NO_ERROR)
        s->headers = NULL;
    st->value_bytes += m->len;
    st->n++;
    return 0;
}

static void store_free(msg_store_t *st)
{
    for (size_t i = 0; i < st->n; i++) {
        free(st->msgs[i].key);
        free(st->msgs[i].value);
        if (st->msgs[i].headers)
            rd_kafka_headers_destroy(st->msgs[i].headers);
    }
    free(st->msgs);
}

/* Assigns every partition of topic from its low watermark; *expected =
 * the messages there are to read. */
static int assign_all(rd_kafka_t *rk, const char *topic, size_t *expected)
{
    const rd_kafka_metadata_t *md;
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
    rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, rkt, &md, TIMEOUT_MS);
    rd_kafka_topic_destroy(rkt);
    if (err || md->topic_cnt != 1 || md->topics[0].err) {
        fprintf(stderr, "produce-limit: metadata of %s: %s\n", topic,
                rd_kafka_err2str(err ? err : md->topics[0].err));
        if (!err)
            rd_kafka_metadata_destroy(md);
        return -1;
    }
    int n = md->topics[0].partition_cnt;
    rd_kafka_metadata_destroy(md);
    rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(n);
    *expected = 0;
    for (int p = 0; p < n && p < MAX_PARTITIONS; p++) {
        int64_t lo, hi;
        err = rd_kafka_query_watermark_offsets(rk, topic, p, &lo, &hi, TIMEOUT_MS);
        if (err) {
            fprintf(stderr, "produce-limit: watermarks of %s/%d: %s\n", topic, p,
                    rd_kafka_err2str(err));
            rd_kafka_topic_partition_list_destroy(parts);
            return -1;
        }
        *expected += (size_t)(hi - lo);
        rd_kafka_topic_partition_list_add(parts, topic, p)->offset = lo;
    }
    err = rd_kafka_assign(rk, parts);
    rd_kafka_topic_partition_list_destroy(parts);
    if (err)
        fprintf(stderr, "produce-limit: assign %s: %s\n", topic, rd_kafka_err2str(err));
    return err ? -1 : 0;
}

/* Every message of topic into st. */
static int read_topic(const options_t *o, msg_store_t *st)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (set_prop(conf, "bootstrap.servers", o->bootstrap) ||
        set_prop(conf, "group.id", "tidemark-bench-produce-limit") ||
        set_prop(conf, "enable.auto.commit", "false")) {
        rd_kafka_conf_destroy(conf);
        return -1;
    }
    rd_kafka_t *rk = client_new(RD_KAFKA_CONSUMER, conf);
    if (!rk)
        return -1;
    size_t expected = 0;
    int rc = assign_all(rk, o->source, &expected);
    double idle_since = bench_now_s();
    while (rc == 0 && st->n < expected) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 500);
        if (!m) {
            if ((bench_now_s() - idle_since) * 1000 > READ_IDLE_MS) {
                fprintf(stderr, "produce-limit: %s: %zu of %zu messages read, then none\n",
                        o->source, st->n, expected);
                rc = -1;
            }
            continue;
        }
        idle_since = bench_now_s();
        if (m->err && m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            fprintf(stderr, "produce-limit: reading %s: %s\n", o->source,
                    rd_kafka_message_errstr(m));
            rc = -1;
        } else if (!m->err && store_add(st, m)) {
            fprintf(stderr, "produce-limit: out of memory\n");
            rc = -1;
        }
        rd_kafka_message_destroy(m);
    }
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return rc;
}

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    (void)rk;
    delivery_t *d = opaque;
    if (!m->err) {
        d->delivered++;
        return;
    }
    if (d->failed++ == 0)
        snprintf(d->first_error, sizeof(d->first_error), "%s", rd_kafka_err2str(m->err));
}

static rd_kafka_t *producer_new(const options_t *o, delivery_t *d)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    int bad = set_prop(conf, "bootstrap.servers", o->bootstrap) ||
              set_prop(conf, "client.id", "tidemark-bench-produce-limit");
    for (int i = 0; !bad && i < o->n_props; i++)
        bad = set_kv(conf, o->props[i]);
    /* after the -X properties, like tidemark-producer: they win */
    bad = bad || set_prop(conf, "acks", "all") || set_prop(conf, "enable.idempotence", "true");
    if (bad) {
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_conf_set_opaque(conf, d);
    return client_new(RD_KAFKA_PRODUCER, conf);
}

static rd_kafka_resp_err_t produce_one(rd_kafka_t *rk, const char *topic, const stored_msg_t *s)
{
    for (;;) {
        rd_kafka_headers_t *h = s->headers ? rd_kafka_headers_copy(s->headers) : NULL;
        rd_kafka_resp_err_t err = rd_kafka_producev(
            rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_KEY(s->key, s->key_len),
            RD_KAFKA_V_VALUE(s->value, s->value_len), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
            RD_KAFKA_V_HEADERS(h), RD_KAFKA_V_END);
        if (!err)
            return err;
        if (h)
            rd_kafka_headers_destroy(h); /* not taken over on failure */
        if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL)
            return err;
        rd_kafka_poll(rk, 10);
    }
}

/* SIGUSR1 is blocked in every thread (main blocks it before the first
 * client makes its threads), so that it waits here and nowhere else. */
static sigset_t go_signal(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    return set;
}

/* -w: READY on stdout, then waits for SIGUSR1. */
static int wait_for_go(void)
{
    sigset_t set = go_signal();
    int sig;
    printf("READY\n");
    fflush(stdout);
    if (sigwait(&set, &sig) != 0) {
        fprintf(stderr, "produce-limit: sigwait failed\n");
        return -1;
    }
    return 0;
}

/* Produces every stored message to o->target; *secs = first produce to
 * last delivery report. */
static int produce_all(const options_t *o, const msg_store_t *st, double *secs)
{
    delivery_t d = {0};
    rd_kafka_t *rk = producer_new(o, &d);
    if (!rk)
        return -1;
    const rd_kafka_metadata_t *md;
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, o->target, NULL);
    if (rd_kafka_metadata(rk, 0, rkt, &md, TIMEOUT_MS) == RD_KAFKA_RESP_ERR_NO_ERROR)
        rd_kafka_metadata_destroy(md); /* warm: the timing starts with a known leader */
    rd_kafka_topic_destroy(rkt);
    if (o->wait_go && wait_for_go() != 0) {
        rd_kafka_destroy(rk);
        return -1;
    }

    int rc = 0;
    double t0 = bench_now_s();
    for (size_t i = 0; i < st->n && rc == 0; i++) {
        rd_kafka_resp_err_t err = produce_one(rk, o->target, &st->msgs[i]);
        if (err) {
            fprintf(stderr, "produce-limit: produce to %s: %s\n", o->target, rd_kafka_err2str(err));
            rc = -1;
        } else if (i % POLL_EVERY_MSGS == 0) {
            rd_kafka_poll(rk, 0);
        }
    }
    rd_kafka_resp_err_t ferr = rd_kafka_flush(rk, FLUSH_MS);
    *secs = bench_now_s() - t0;
    if (rc == 0 && (ferr || d.failed || d.delivered != st->n)) {
        fprintf(stderr, "produce-limit: %zu of %zu delivered, %zu failed (%s)%s\n", d.delivered,
                st->n, d.failed, d.failed ? d.first_error : "none",
                ferr ? ", flush timed out" : "");
        rc = -1;
    }
    rd_kafka_destroy(rk);
    return rc;
}

int main(int argc, char **argv)
{
    options_t o;
    int rc = parse_args(argc, argv, &o);
    if (rc)
        return rc == 1 ? 0 : 2;
    if (o.wait_go) {
        sigset_t set = go_signal();
        if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0) {
            fprintf(stderr, "produce-limit: cannot block SIGUSR1\n");
            return 1;
        }
    }

    msg_store_t st = {0};
    double secs = 0;
    double t0 = bench_now_s();
    rc = read_topic(&o, &st);
    double read_secs = bench_now_s() - t0;
    if (rc == 0 && st.n == 0) {
        fprintf(stderr, "produce-limit: %s holds no messages\n", o.source);
        rc = -1;
    }
    if (rc == 0)
        rc = produce_all(&o, &st, &secs);
    if (rc) {
        store_free(&st);
        return 1;
    }
    printf("RESULT messages=%zu bytes=%zu secs=%.3f msgs_per_s=%.0f read_secs=%.3f "
           "read_msgs_per_s=%.0f\n",
           st.n, st.value_bytes, secs, secs > 0 ? (double)st.n / secs : 0.0, read_secs,
           read_secs > 0 ? (double)st.n / read_secs : 0.0);
    store_free(&st);
    return 0;
}
