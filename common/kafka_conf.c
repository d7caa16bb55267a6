/*
 * kafka_conf.c - the boundary to librdkafka's configuration.
 *
 * librdkafka reports a refused property as rd_kafka_conf_res_t plus a text
 * in a caller's buffer; here that becomes our 0/-1 with "KEY: reason", and
 * kafka_conf_new() adds the file and line of the [kafka] key that caused it.
 */
#include "errstr.h"
#include "kafka_conf.h"

#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#include "isotime.h"
#include "log.h"

int kafka_conf_set(rd_kafka_conf_t *kc, const char *key, const char *value, char *errstr,
                   size_t errstr_size)
{
    char reason[512];

    if (rd_kafka_conf_set(kc, key, value, reason, sizeof(reason)) != RD_KAFKA_CONF_OK) {
        errstr_set(errstr, errstr_size, "%s: %s", key, reason);
        return -1;
    }
    return 0;
}

/* librdkafka's levels are syslog's (0 emerg .. 7 debug). */
static log_level_t level_from_syslog(int level)
{
    if (level <= 3)
        return LOG_ERROR;
    if (level == 4)
        return LOG_WARN;
    if (level <= 6)
        return LOG_INFO;
    return LOG_DEBUG;
}

/* Runs on librdkafka's threads: log_write() is thread-safe (one write(2)
 * per line, no shared buffer). */
static void log_cb(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    log_level_t lv = level_from_syslog(level);

    /* [kafka] is shared by the producer and the consumer, so a key meant
     * for one is "ignored by this producer/consumer instance" in the
     * other: expected, not worth a warning on every start. */
    if (!strcmp(fac, "CONFWARN") && strstr(buf, "will be ignored by this"))
        lv = LOG_DEBUG;

    if (!log_enabled(lv))
        return;
    char qfac[64], qname[128];
    log_write(lv, buf, "component=rdkafka facility=%s client=%s",
              log_quote(qfac, sizeof(qfac), fac),
              log_quote(qname, sizeof(qname), rk ? rd_kafka_name(rk) : "-"));
}

/* The broker delays this client's requests (a quota, producer_byte_rate
 * or consumer_byte_rate, or request_percentage): said at most every
 * THROTTLE_LOG_EVERY_MS per process, or a throttled run would crawl, or
 * its deliveries time out, with no word of why. Runs where the client is
 * polled. */
#define THROTTLE_LOG_EVERY_MS 30000
static _Atomic int64_t throttle_logged_at = INT64_MIN;

static void throttle_cb(rd_kafka_t *rk, const char *broker_name, int32_t broker_id,
                        int throttle_time_ms, void *opaque)
{
    (void)broker_id, (void)opaque;
    int64_t now = isotime_monotonic_ms(), last = atomic_load(&throttle_logged_at);
    if (throttle_time_ms <= 0 || (last != INT64_MIN && now - last < THROTTLE_LOG_EVERY_MS) ||
        !atomic_compare_exchange_strong(&throttle_logged_at, &last, now))
        return;
    char qb[300], qname[128];
    log_warn("the broker throttles this client's requests (a quota on its user or client id): "
             "they go slower, and deliveries may time out",
             "client=%s broker=%s throttle_ms=%d",
             log_quote(qname, sizeof(qname), rd_kafka_name(rk)),
             log_quote(qb, sizeof(qb), broker_name), throttle_time_ms);
}

rd_kafka_conf_t *kafka_conf_new(const tm_config_t *conf, const char *client_id, char *errstr,
                                size_t errstr_size)
{
    rd_kafka_conf_t *kc = rd_kafka_conf_new();
    char why[600];

    if (kafka_conf_set(kc, "bootstrap.servers", conf->bootstrap_servers, why, sizeof(why)) < 0) {
        errstr_set(errstr, errstr_size, "%s: [kafka] %s", conf->path, why);
        goto fail;
    }
    /* client.id first, so that a client.id in [kafka] wins. */
    if (client_id && kafka_conf_set(kc, "client.id", client_id, why, sizeof(why)) < 0) {
        errstr_set(errstr, errstr_size, "%s", why);
        goto fail;
    }
    for (size_t i = 0; i < conf->n_kafka_props; i++) {
        const config_kv_t *kv = &conf->kafka_props[i];
        if (kafka_conf_set(kc, kv->key, kv->value, why, sizeof(why)) < 0) {
            errstr_set(errstr, errstr_size, "%s:%d: [kafka] %s", conf->path, kv->line, why);
            goto fail;
        }
    }
    rd_kafka_conf_set_log_cb(kc, log_cb);
    rd_kafka_conf_set_throttle_cb(kc, throttle_cb);
    return kc;
fail:
    rd_kafka_conf_destroy(kc);
    return NULL;
}
