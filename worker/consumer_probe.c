/*
 * consumer_probe.c - reads the one message just below a stored offset,
 * for consumer_place() to compare with the offset's mark (offsetmark.h),
 * through a client of its own: the group member's fetchers stay where the
 * assignment puts them, and no message of the probe reaches a batch. See
 * consumer_internal.h.
 */
#include "consumer_internal.h"

#include <inttypes.h>
#include <string.h>

#include "isotime.h"
#include "kafka_client.h"
#include "log.h"

/* How long a probe waits for its message: on a slow broker the check is
 * skipped (unknown), never the partition; and the next ones for a while,
 * so that an assignment of many partitions does not wait for each. */
#define PROBE_TIMEOUT_MS 5000
#define PROBE_BACKOFF_MS 30000
#define PROBE_POLL_MS    100
#define PROBE_NOTHING    "nothing read in time"

/* The probe's errors (a refused topic, a broker down) make its answer
 * unknown, which consumer_probe_mark() logs: librdkafka logged each too. */
static void probe_error(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
    (void)rk, (void)err, (void)reason, (void)opaque;
}

/* The probe client, made the first time (NULL: it could not be, logged
 * once). It has the group's id (made without one, every probe of
 * t_kafka_recreated_refilled came back unknown; not looked into
 * further), but it never subscribes: it never joins the group, and
 * commits nothing. */
static rd_kafka_t *probe_client(consumer_t *c)
{
    if (c->probe || c->probe_failed)
        return c->probe;
    static const kafka_prop_t props[] = {
        {"auto.offset.reset", "error"}, /* a message gone is an answer, not a jump */
        {"enable.partition.eof", "true"},
        {"fetch.wait.max.ms", "50"}, /* it reads what is there */
    };
    static const kafka_prop_t defaults[] = {{"queued.max.messages.kbytes", "1024"}};
    const kafka_client_opts_t opts = {
        .client_id = "tidemark-worker-probe",
        .group_id = c->group_id,
        .manual_offsets = 1,
        .props = props,
        .n_props = sizeof(props) / sizeof(props[0]),
        .defaults = defaults,
        .n_defaults = sizeof(defaults) / sizeof(defaults[0]),
        .error_cb = probe_error,
    };
    char err[512];
    c->probe = kafka_client_new(c->conf, RD_KAFKA_CONSUMER, &opts, err, sizeof(err));
    if (!c->probe) {
        c->probe_failed = 1;
        log_warn("cannot make the client that reads the message below each stored offset; a "
                 "topic deleted and made again is not told from the one the group read",
                 "error=%s", err);
        return NULL;
    }
    rd_kafka_poll_set_consumer(c->probe);
    return c->probe;
}

/* The first message or end of the partition polled from rk within the
 * timeout: its offset and mark, or why there is none (-1). */
static int first_of_partition(rd_kafka_t *rk, const char *topic, int32_t partition, int64_t *offset,
                              offset_mark_t *found, const char **why)
{
    int64_t deadline = isotime_monotonic_ms() + PROBE_TIMEOUT_MS;
    *why = PROBE_NOTHING;
    while (isotime_monotonic_ms() < deadline) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, PROBE_POLL_MS);
        if (!m)
            continue;
        int same_topic = m->rkt && !strcmp(rd_kafka_topic_name(m->rkt), topic);
        int ours = same_topic && m->partition == partition;
        int rc = -1;
        /* an earlier probe's message or end, still queued, or another
         * topic's error: not this probe's answer (an error of this topic,
         * a refused topic, is: unknown) */
        if (m->rkt && !ours &&
            !(same_topic && m->err && m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)) {
            rd_kafka_message_destroy(m);
            continue;
        }
        if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            *why = "the partition ends there";
        } else if (m->err) {
            *why = rd_kafka_err2name(m->err);
        } else {
            *offset = m->offset;
            *found = offset_mark_of(rd_kafka_message_timestamp(m, NULL), m->key, m->key_len);
            rc = 0;
        }
        rd_kafka_message_destroy(m);
        return rc;
    }
    return -1;
}

int consumer_probe_mark(consumer_t *c, const char *topic, int32_t partition, int64_t at,
                        const offset_mark_t *mark, offset_mark_t *found)
{
    rd_kafka_t *rk = isotime_monotonic_ms() < c->probe_skip_until ? NULL : probe_client(c);
    if (!rk)
        return -1;
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, topic, partition)->offset = at;
    rd_kafka_resp_err_t err = rd_kafka_assign(rk, l);
    rd_kafka_topic_partition_list_destroy(l);
    const char *why = rd_kafka_err2name(err);
    int64_t offset = -1;
    int rc = -1;
    if (!err && first_of_partition(rk, topic, partition, &offset, found, &why) == 0) {
        if (offset == at)
            rc = offset_mark_same(mark, found);
        else
            why = "another offset came first (compacted, a transaction's marker or aborted)";
    }
    (void)rd_kafka_assign(rk, NULL);
    if (rc < 0 && !strcmp(why, PROBE_NOTHING)) {
        c->probe_skip_until = isotime_monotonic_ms() + PROBE_BACKOFF_MS;
        log_warn("the message below a stored offset could not be read in time; stored offsets "
                 "are not checked against theirs for a while",
                 "topic=%s partition=%" PRId32 " offset=%" PRId64 " for_ms=%d", topic, partition,
                 at, PROBE_BACKOFF_MS);
    } else if (rc < 0)
        log_debug("the message below the stored offset could not be read; not compared",
                  "topic=%s partition=%" PRId32 " offset=%" PRId64 " why=\"%s\"", topic, partition,
                  at, why);
    return rc;
}
