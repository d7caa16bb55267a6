/*
 * schemapub.c - see schemapub.h.
 */
#include "schemapub.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "avsc.h"
#include "errstr.h"
#include "log.h"
#include "topicscan.h"
#include "topics.h"

#define ADMIN_TIMEOUT_MS 10000

/* 1 when the cluster lists topic, 0 when not, -1 with errstr. A request
 * for all topics: one for the topic alone could auto-create it. */
static int topic_listed(rd_kafka_t *rk, const char *topic, char *errstr, size_t errstr_size)
{
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 1, NULL, &md, ADMIN_TIMEOUT_MS);
    int found = 0;

    if (err) {
        errstr_set(errstr, errstr_size, "metadata: %s", rd_kafka_err2str(err));
        return -1;
    }
    for (int i = 0; i < md->topic_cnt && !found; i++)
        found = !strcmp(md->topics[i].topic, topic) && !md->topics[i].err;
    rd_kafka_metadata_destroy(md);
    return found;
}

/* CreateTopics with cleanup.policy=compact: the error of the topic (0, or
 * TOPIC_ALREADY_EXISTS when another producer was first). */
static rd_kafka_resp_err_t create_compacted(rd_kafka_t *rk, const char *topic, char *errstr,
                                            size_t errstr_size)
{
    rd_kafka_NewTopic_t *nt = rd_kafka_NewTopic_new(topic, 1, -1, errstr, errstr_size);
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_AdminOptions_t *opts = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
    rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR__FAIL;
    rd_kafka_event_t *ev = NULL;

    if (!nt || !q || !opts || rd_kafka_NewTopic_set_config(nt, "cleanup.policy", "compact") ||
        rd_kafka_AdminOptions_set_request_timeout(opts, ADMIN_TIMEOUT_MS, errstr, errstr_size)) {
        errstr_set(errstr, errstr_size, "cannot build the CreateTopics request");
        goto out;
    }
    rd_kafka_CreateTopics(rk, &nt, 1, opts, q);
    ev = rd_kafka_queue_poll(q, ADMIN_TIMEOUT_MS + 2000);
    if (!ev) {
        err = RD_KAFKA_RESP_ERR__TIMED_OUT;
        errstr_set(errstr, errstr_size, "CreateTopics timed out");
    } else if ((err = rd_kafka_event_error(ev))) {
        errstr_set(errstr, errstr_size, "%s", rd_kafka_event_error_string(ev));
    } else {
        const rd_kafka_CreateTopics_result_t *res = rd_kafka_event_CreateTopics_result(ev);
        size_t n = 0;
        const rd_kafka_topic_result_t **tr =
            res ? rd_kafka_CreateTopics_result_topics(res, &n) : NULL;
        err = n == 1 ? rd_kafka_topic_result_error(tr[0]) : RD_KAFKA_RESP_ERR__FAIL;
        if (err)
            errstr_set(errstr, errstr_size, "%s",
                       n == 1 && rd_kafka_topic_result_error_string(tr[0])
                           ? rd_kafka_topic_result_error_string(tr[0])
                           : rd_kafka_err2str(err));
    }
out:
    if (ev)
        rd_kafka_event_destroy(ev);
    if (opts)
        rd_kafka_AdminOptions_destroy(opts);
    if (q)
        rd_kafka_queue_destroy(q);
    if (nt)
        rd_kafka_NewTopic_destroy(nt);
    return err;
}

/* The topic exists afterwards, compacted if we created it. -1 only when
 * the cluster cannot be asked at all. */
static int ensure_topic(rd_kafka_t *rk, const char *topic, char *errstr, size_t errstr_size)
{
    char err[512], q[600];
    int listed = topic_listed(rk, topic, errstr, errstr_size);

    if (listed != 0)
        return listed < 0 ? -1 : 0;
    rd_kafka_resp_err_t rc = create_compacted(rk, topic, err, sizeof(err));
    if (!rc)
        log_info("topic created", "topic=%s cleanup.policy=compact", topic);
    else if (rc != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
        log_warn("cannot create the schema topic with cleanup.policy=compact; "
                 "relying on the broker's auto-creation (create it compacted "
                 "by hand, or old events' schemas may expire)",
                 "topic=%s error=%s", topic, log_quote(q, sizeof(q), err));
    return 0;
}

/* Every value one key of the schemas topic holds, as the scan reads it:
 * not only the latest. An older build published a schema under a key that
 * already held another meaning of it (a fingerprint leaves logical types
 * out), and the events written under the earlier value are still on the
 * stream's topic: compared with the latest alone, they were read with a
 * meaning they never had. */
typedef struct published {
    const char *key;
    char **json; /* the distinct values since the last tombstone, oldest first */
    size_t n;
} published_t;

static void published_clear(published_t *p)
{
    for (size_t i = 0; i < p->n; i++)
        free(p->json[i]);
    free(p->json);
    p->json = NULL;
    p->n = 0;
}

/* A message of key: its value is kept unless already held; one that is
 * not the schema its key names (a stranger's, as the worker reads them:
 * avsc_keyed_schema()) is skipped, or it would refuse our schema at every
 * run. */
static int take_published(const rd_kafka_message_t *m, void *opaque, char *errstr,
                          size_t errstr_size)
{
    published_t *p = opaque;
    uint64_t fp;
    int oom = 0;
    if (m->key_len != 16 || memcmp(m->key, p->key, 16) != 0)
        return 0;
    if (!m->payload) { /* a tombstone: nothing held under it now */
        published_clear(p);
        return 0;
    }
    char *json = avsc_keyed_schema(m->key, m->key_len, m->payload, m->len, &fp, &oom);
    if (oom) {
        errstr_set(errstr, errstr_size, "out of memory");
        return -1;
    }
    if (!json)
        return 0;
    for (size_t i = 0; i < p->n; i++)
        if (!strcmp(p->json[i], json)) { /* each run publishes it again */
            free(json);
            return 0;
        }
    char **grown = realloc(p->json, (p->n + 1) * sizeof(*grown));
    if (!grown) {
        free(json);
        errstr_set(errstr, errstr_size, "out of memory");
        return -1;
    }
    p->json = grown;
    p->json[p->n++] = json;
    return 0;
}

/*
 * What the topic already holds under es's fingerprint must mean what es
 * means: a field's timestamp-millis swapped for timestamp-micros (or a
 * decimal's scale changed) keeps the fingerprint, and every worker would
 * read the events already written with the new meaning. Every value the
 * key still holds is compared (the topic is compacted: an earlier one is
 * seen until compaction removes it). 0, or -1 with errstr: no event may
 * be written then.
 */
static int check_published(const tm_config_t *conf, const envelope_schema_t *es, const char *topic,
                           const char *key, char *errstr, size_t errstr_size)
{
    published_t p = {key, NULL, 0};
    char err[512];
    int rc = 0;

    if (topicscan_read(conf, topic, take_published, &p, err, sizeof(err)) != 0) {
        errstr_set(errstr, errstr_size, "reading the schemas on %s: %s", topic, err);
        published_clear(&p);
        return -1;
    }
    /* each value, the earlier ones too: events were written under each */
    for (size_t i = 0; i < p.n && rc == 0; i++)
        if (strcmp(p.json[i], envelope_schema_json(es)) != 0 &&
            envelope_same_meaning(es, p.json[i], err, sizeof(err)) != 0) {
            errstr_set(errstr, errstr_size,
                       "%s holds the schema of this fingerprint (%s) with another meaning: "
                       "%s. " ENVELOPE_SAME_MEANING_ADVICE,
                       topic, key, err);
            rc = -1;
        }
    published_clear(&p);
    return rc;
}

int schemapub_publish(const tm_config_t *conf, publisher_t *pub, envelope_schema_t *es,
                      char *errstr, size_t errstr_size)
{
    char topic[512], key[17], err[512];
    const char *json = envelope_schema_json(es);
    pub_delivery_t d = {0};

    if (envelope_schema_published(es))
        return 0;
    topic_schemas(conf, topic, sizeof(topic));
    snprintf(key, sizeof(key), "%016" PRIx64, envelope_schema_fingerprint(es));
    if (ensure_topic(publisher_rk(pub), topic, err, sizeof(err)) != 0) {
        errstr_set(errstr, errstr_size, "publishing the schema to %s: %s", topic, err);
        return -1;
    }
    /* with a registry, events name their schema by its id: no confusion */
    if (!conf->registry_url && check_published(conf, es, topic, key, errstr, errstr_size) != 0)
        return -1;
    publisher_reset(pub);
    if (publisher_produce(pub, topic, key, json, strlen(json), NULL, 0, &d, err, sizeof(err)) !=
            0 ||
        publisher_flush(pub, err, sizeof(err)) != 0) {
        errstr_set(errstr, errstr_size, "publishing the schema to %s: %s", topic, err);
        return -1;
    }
    if (!d.done || d.err) {
        errstr_set(errstr, errstr_size, "publishing the schema to %s: %s", topic,
                   d.done ? rd_kafka_err2str(d.err) : "no delivery report");
        return -1;
    }
    publisher_reset(pub); /* the run's counts start after it */
    envelope_schema_set_published(es);
    log_debug("schema published", "topic=%s fingerprint=%s", topic, key);
    return 0;
}
