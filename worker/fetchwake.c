/*
 * fetchwake.c - see fetchwake.h.
 */
#include "fetchwake.h"

#include <pthread.h>
#include <stdlib.h>

#include "isotime.h"
#include "log.h"

struct fetchwake {
    rd_kafka_t *rk;
    rd_kafka_queue_t *queue; /* the consumer queue, for its length */
    fetchwake_marks_t marks;
    size_t avg_len;            /* of the messages taken: the queue's bytes, estimated */
    size_t taken, taken_bytes; /* since the last wake */
    int armed;
    int64_t last_ms;
    int64_t last_look_ms;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    rd_kafka_topic_partition_list_t *parts; /* the wake to make; NULL: none */
    int busy;                               /* a wake is given or under way */
    int stop;
};

int fetchwake_due(int *armed, const fetchwake_marks_t *marks, const fetchwake_look_t *look,
                  int busy, int64_t now_ms, int64_t last_ms)
{
    if (look->queued + look->taken >= marks->msgs ||
        look->bytes + look->taken_bytes >= marks->bytes)
        *armed = 1;
    if (look->queued >= marks->msgs || look->bytes >= marks->bytes)
        return 0; /* still full enough */
    if (!*armed || busy || (last_ms >= 0 && now_ms - last_ms < FETCHWAKE_INTERVAL_MS))
        return 0;
    *armed = 0;
    return 1;
}

static void *wake_thread(void *arg)
{
    fetchwake_t *fw = arg;

    pthread_mutex_lock(&fw->lock);
    for (;;) {
        while (!fw->parts && !fw->stop)
            pthread_cond_wait(&fw->cond, &fw->lock);
        if (!fw->parts)
            break;
        rd_kafka_topic_partition_list_t *parts = fw->parts;
        fw->parts = NULL;
        pthread_mutex_unlock(&fw->lock);
        /* Sending the requests wakes the broker threads; their answers do
         * not matter, and may wait behind a fetch the broker holds for
         * fetch.wait.max.ms: not waited for (librdkafka drops a late one) */
        rd_kafka_resp_err_t err = rd_kafka_offsets_for_times(fw->rk, parts, FETCHWAKE_TIMEOUT_MS);
        if (err && err != RD_KAFKA_RESP_ERR__TIMED_OUT)
            log_debug("fetcher wake-up failed", "error=%s", rd_kafka_err2name(err));
        rd_kafka_topic_partition_list_destroy(parts);
        pthread_mutex_lock(&fw->lock);
        fw->busy = 0;
    }
    pthread_mutex_unlock(&fw->lock);
    return NULL;
}

/* rk's integer property name, or dflt when unreadable. */
static long conf_long(rd_kafka_t *rk, const char *name, long dflt)
{
    char buf[32];
    size_t size = sizeof(buf);

    if (rd_kafka_conf_get(rd_kafka_conf(rk), name, buf, &size) != RD_KAFKA_CONF_OK)
        return dflt;
    long v = strtol(buf, NULL, 10);
    return v > 0 ? v : dflt;
}

fetchwake_t *fetchwake_start(rd_kafka_t *rk)
{
    fetchwake_t *fw = calloc(1, sizeof(*fw));

    if (!fw)
        return NULL;
    fw->rk = rk;
    /* librdkafka's defaults when unreadable */
    fw->marks.msgs = (size_t)conf_long(rk, "queued.min.messages", 100000) / 2;
    fw->marks.bytes = (size_t)conf_long(rk, "queued.max.messages.kbytes", 65536) * 512;
    fw->last_ms = -1;
    fw->queue = rd_kafka_queue_get_consumer(rk);
    pthread_mutex_init(&fw->lock, NULL);
    pthread_cond_init(&fw->cond, NULL);
    if (!fw->queue || pthread_create(&fw->thread, NULL, wake_thread, fw) != 0) {
        if (fw->queue)
            rd_kafka_queue_destroy(fw->queue);
        pthread_cond_destroy(&fw->cond);
        pthread_mutex_destroy(&fw->lock);
        free(fw);
        return NULL;
    }
    return fw;
}

void fetchwake_note(fetchwake_t *fw, size_t len)
{
    if (!fw)
        return;
    /* a moving average over about 64 messages */
    fw->avg_len = fw->avg_len ? fw->avg_len + len / 64 - fw->avg_len / 64 : len;
    fw->taken++;
    fw->taken_bytes += len;
}

/* The queue is looked at this often at most (its length takes a lock). */
#define LOOK_EVERY_MS 5

int fetchwake_wanted(fetchwake_t *fw)
{
    if (!fw)
        return 0;
    int64_t now = isotime_monotonic_ms();
    if (now - fw->last_look_ms < LOOK_EVERY_MS)
        return 0;
    fw->last_look_ms = now;
    size_t queued = rd_kafka_queue_length(fw->queue);
    fetchwake_look_t look = {queued, queued * fw->avg_len, fw->taken, fw->taken_bytes};
    pthread_mutex_lock(&fw->lock);
    int busy = fw->busy;
    pthread_mutex_unlock(&fw->lock);
    if (!fetchwake_due(&fw->armed, &fw->marks, &look, busy, now, fw->last_ms))
        return 0;
    fw->taken = fw->taken_bytes = 0;
    return 1;
}

void fetchwake_poke(fetchwake_t *fw, rd_kafka_topic_partition_list_t *parts)
{
    if (!fw || !parts || parts->cnt == 0) {
        if (parts)
            rd_kafka_topic_partition_list_destroy(parts);
        return;
    }
    pthread_mutex_lock(&fw->lock);
    if (fw->busy || fw->stop) {
        pthread_mutex_unlock(&fw->lock);
        rd_kafka_topic_partition_list_destroy(parts);
        return;
    }
    fw->parts = parts;
    fw->busy = 1;
    fw->last_ms = isotime_monotonic_ms();
    pthread_cond_signal(&fw->cond);
    pthread_mutex_unlock(&fw->lock);
}

void fetchwake_stop(fetchwake_t *fw)
{
    if (!fw)
        return;
    pthread_mutex_lock(&fw->lock);
    fw->stop = 1;
    pthread_cond_signal(&fw->cond);
    pthread_mutex_unlock(&fw->lock);
    pthread_join(fw->thread, NULL);
    if (fw->parts) /* given but not taken */
        rd_kafka_topic_partition_list_destroy(fw->parts);
    rd_kafka_queue_destroy(fw->queue);
    pthread_cond_destroy(&fw->cond);
    pthread_mutex_destroy(&fw->lock);
    free(fw);
}
