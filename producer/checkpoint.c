/*
 * checkpoint.c - read the latest run record per stream; write one (see
 * checkpoint.h).
 */
#include "checkpoint.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kafka_conf.h"
#include "log.h"
#include "topicscan.h"

typedef struct found {
    int32_t partition;
    int64_t ts;
} found_t;

typedef struct take_ctx {
    const char *const *streams;
    size_t n;
    run_record_t **out;
    found_t *where;
} take_ctx_t;

/* Keeps m's run record in out[] if its key is one of streams and it is newer. */
static int take(const rd_kafka_message_t *m, void *opaque, char *errstr, size_t errstr_size)
{
    (void)errstr;
    (void)errstr_size;
    take_ctx_t *c = opaque;
    int64_t ts = rd_kafka_message_timestamp(m, NULL);
    for (size_t i = 0; i < c->n; i++) {
        if (!m->key || m->key_len != strlen(c->streams[i]) ||
            memcmp(m->key, c->streams[i], m->key_len) != 0)
            continue;
        if (c->out[i] && c->where[i].partition != m->partition && ts < c->where[i].ts)
            return 0;
        if (!m->payload)
            return 0; /* a tombstone would be a reset to "no checkpoint" */
        char err[256];
        run_record_t *rr = run_record_from_json(m->payload, m->len, err, sizeof err);
        if (!rr) {
            log_warn("ignoring a run record that does not parse",
                     "stream=%s partition=%d offset=%lld error=\"%s\"", c->streams[i],
                     (int)m->partition, (long long)m->offset, err);
            return 0;
        }
        run_record_destroy(c->out[i]);
        c->out[i] = rr;
        c->where[i] = (found_t){m->partition, ts};
        return 0;
    }
    return 0;
}

int checkpoint_read(const tm_config_t *conf, const char *const *streams, size_t n,
                    run_record_t **out, char *errstr, size_t errstr_size)
{
    char topic[512];
    topic_sync_runs(conf, topic, sizeof topic);
    for (size_t i = 0; i < n; i++)
        out[i] = NULL;
    take_ctx_t c = {streams, n, out, calloc(n ? n : 1, sizeof(found_t))};
    if (!c.where) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    int rc = topicscan_read(conf, "tidemark-producer-checkpoint", topic, take, &c, errstr,
                            errstr_size);
    free(c.where);
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
