/*
 * checkpoint.c - read the latest run record per stream; write one (see
 * checkpoint.h).
 */
#include "checkpoint.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "isotime.h"
#include "kafka_conf.h"
#include "log.h"

#define READ_TIMEOUT_MS 30000
#define META_TIMEOUT_MS 10000

typedef struct found {
    int32_t partition;
    int64_t ts;
} found_t;

static rd_kafka_t *reader_new(const tm_config_t *conf, char *errstr, size_t errstr_size)
{
    rd_kafka_conf_t *kc = kafka_conf_new(conf, "tidemark-producer-checkpoint",
                                         errstr, errstr_size);
    if (!kc)
        return NULL;
    char group[64];
    unsigned r = (unsigned)isotime_now_ms();
    int fd = open("/dev/urandom", O_RDONLY);
    if (fd >= 0) {
        if (read(fd, &r, sizeof r) != (ssize_t)sizeof r)
            r ^= (unsigned)getpid();
        close(fd);
    }
    snprintf(group, sizeof group, "tidemark-checkpoint-reader-%d-%08x", (int)getpid(), r);
    if (kafka_conf_set(kc, "group.id", group, errstr, errstr_size) != 0 ||
        kafka_conf_set(kc, "enable.auto.commit", "false", errstr, errstr_size) != 0 ||
        kafka_conf_set(kc, "enable.auto.offset.store", "false", errstr, errstr_size) != 0 ||
        kafka_conf_set(kc, "enable.partition.eof", "false", errstr, errstr_size) != 0 ||
        kafka_conf_set(kc, "isolation.level", "read_uncommitted", errstr, errstr_size) != 0) {
        rd_kafka_conf_destroy(kc);
        return NULL;
    }
    char kerr[512];
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, kc, kerr, sizeof kerr);
    if (!rk) {
        rd_kafka_conf_destroy(kc);
        snprintf(errstr, errstr_size, "cannot create the Kafka consumer: %s", kerr);
        return NULL;
    }
    return rk; /* kc now owned by rk */
}

/*
 * The partitions of topic with their [low, high) range into *list (only
 * non-empty ones). Returns 0 (an unknown topic gives an empty list) or -1.
 */
static int plan(rd_kafka_t *rk, const char *topic, rd_kafka_topic_partition_list_t **list,
                char *errstr, size_t errstr_size)
{
    *list = NULL;
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t err = rkt ? rd_kafka_metadata(rk, 0, rkt, &md, META_TIMEOUT_MS)
                                  : rd_kafka_last_error();
    if (rkt)
        rd_kafka_topic_destroy(rkt);
    if (err) {
        snprintf(errstr, errstr_size, "metadata for %s: %s", topic, rd_kafka_err2str(err));
        return -1;
    }
    int rc = 0;
    *list = rd_kafka_topic_partition_list_new(8);
    if (md->topic_cnt == 1 && md->topics[0].err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        const struct rd_kafka_metadata_topic *t = &md->topics[0];
        for (int i = 0; i < t->partition_cnt && rc == 0; i++) {
            int64_t lo, hi;
            int32_t part = t->partitions[i].id;
            err = rd_kafka_query_watermark_offsets(rk, topic, part, &lo, &hi, META_TIMEOUT_MS);
            if (err) {
                snprintf(errstr, errstr_size, "watermarks of %s [%d]: %s", topic,
                         (int)part, rd_kafka_err2str(err));
                rc = -1;
            } else if (hi > lo) {
                rd_kafka_topic_partition_t *tp =
                    rd_kafka_topic_partition_list_add(*list, topic, part);
                tp->offset = lo;
                /* remember where to stop: the last offset to read */
                tp->opaque = (void *)(intptr_t)(hi - 1);
            }
        }
    } else if (md->topic_cnt == 1 &&
               md->topics[0].err != RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) {
        snprintf(errstr, errstr_size, "metadata for %s: %s", topic,
                 rd_kafka_err2str(md->topics[0].err));
        rc = -1;
    }
    rd_kafka_metadata_destroy(md);
    if (rc) {
        rd_kafka_topic_partition_list_destroy(*list);
        *list = NULL;
    }
    return rc;
}

/* Keeps m's run record in out[] if its key is one of streams and it is newer. */
static void take(const rd_kafka_message_t *m, const char *const *streams, size_t n,
                 run_record_t **out, found_t *where)
{
    int64_t ts = rd_kafka_message_timestamp(m, NULL);
    for (size_t i = 0; i < n; i++) {
        if (!m->key || m->key_len != strlen(streams[i]) ||
            memcmp(m->key, streams[i], m->key_len) != 0)
            continue;
        if (out[i] && where[i].partition != m->partition && ts < where[i].ts)
            return;
        if (!m->payload)
            return; /* a tombstone would be a reset to "no checkpoint" */
        char err[256];
        run_record_t *rr = run_record_from_json(m->payload, m->len, err, sizeof err);
        if (!rr) {
            log_warn("ignoring a run record that does not parse",
                     "stream=%s partition=%d offset=%lld error=\"%s\"", streams[i],
                     (int)m->partition, (long long)m->offset, err);
            return;
        }
        run_record_destroy(out[i]);
        out[i] = rr;
        where[i] = (found_t){m->partition, ts};
        return;
    }
}

/* Reads every assigned partition up to its stop offset. */
static int drain(rd_kafka_t *rk, rd_kafka_topic_partition_list_t *list,
                 const char *const *streams, size_t n, run_record_t **out,
                 char *errstr, size_t errstr_size)
{
    found_t *where = calloc(n ? n : 1, sizeof *where);
    int left = list->cnt, rc = 0;
    int64_t deadline = isotime_monotonic_ms() + READ_TIMEOUT_MS;
    while (left > 0 && rc == 0 && where) {
        if (isotime_monotonic_ms() > deadline) {
            snprintf(errstr, errstr_size, "timed out reading %s", list->elems[0].topic);
            rc = -1;
            break;
        }
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 200);
        if (!m)
            continue;
        if (m->err) {
            if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
                snprintf(errstr, errstr_size, "reading %s: %s", list->elems[0].topic,
                         rd_kafka_message_errstr(m));
                rc = rd_kafka_fatal_error(rk, NULL, 0) ? -1 : 0;
            }
        } else {
            take(m, streams, n, out, where);
            for (int i = 0; i < list->cnt; i++) {
                rd_kafka_topic_partition_t *tp = &list->elems[i];
                if (tp->partition == m->partition && tp->opaque &&
                    m->offset >= (int64_t)(intptr_t)tp->opaque) {
                    tp->opaque = NULL; /* done */
                    left--;
                }
            }
        }
        rd_kafka_message_destroy(m);
    }
    if (!where) {
        snprintf(errstr, errstr_size, "out of memory");
        rc = -1;
    }
    free(where);
    return rc;
}

int checkpoint_read(const tm_config_t *conf, const char *const *streams, size_t n,
                    run_record_t **out, char *errstr, size_t errstr_size)
{
    char topic[512];
    topic_sync_runs(conf, topic, sizeof topic);
    for (size_t i = 0; i < n; i++)
        out[i] = NULL;
    rd_kafka_t *rk = reader_new(conf, errstr, errstr_size);
    if (!rk)
        return -1;
    rd_kafka_topic_partition_list_t *list = NULL;
    int rc = plan(rk, topic, &list, errstr, errstr_size);
    if (rc == 0 && list->cnt > 0) {
        rd_kafka_resp_err_t err = rd_kafka_assign(rk, list);
        if (err) {
            snprintf(errstr, errstr_size, "assign %s: %s", topic, rd_kafka_err2str(err));
            rc = -1;
        } else {
            rc = drain(rk, list, streams, n, out, errstr, errstr_size);
        }
    }
    if (list)
        rd_kafka_topic_partition_list_destroy(list);
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    if (rc)
        for (size_t i = 0; i < n; i++) {
            run_record_destroy(out[i]);
            out[i] = NULL;
        }
    return rc;
}

int checkpoint_write(publisher_t *pub, const char *topic, const run_record_t *rr,
                     char *errstr, size_t errstr_size)
{
    char *json = run_record_to_json(rr);
    if (!json) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    pub_delivery_t d = {0};
    int rc = publisher_produce(pub, topic, rr->stream, json, strlen(json), NULL, 0, &d,
                               errstr, errstr_size);
    free(json);
    /* Only this record's own report decides: the caller flushed and checked
     * the events before it (and a failed-run record must still go out). */
    if (rc == 0) {
        char ferr[256];
        int frc = publisher_flush(pub, ferr, sizeof ferr); /* settles d in any case */
        (void)frc;
    }
    if (rc == 0 && (!d.done || d.err)) {
        snprintf(errstr, errstr_size, "run record to %s: %s", topic,
                 d.done ? rd_kafka_err2str(d.err) : "no delivery report");
        rc = -1;
    }
    return rc;
}
