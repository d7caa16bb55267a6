/*
 * kafka_client.c - see kafka_client.h.
 */
#include "kafka_client.h"

#include <stdlib.h>
#include <string.h>

#include "errstr.h"
#include "kafka_conf.h"

#define DEFAULT_MESSAGE_MAX_BYTES 1000000

static const kafka_prop_t IDEMPOTENT[] = {
    {"acks", "all"},
    {"enable.idempotence", "true"},
};

static const kafka_prop_t MANUAL_OFFSETS[] = {
    {"enable.auto.commit", "false"},
    {"enable.auto.offset.store", "false"},
};

static int set_props(rd_kafka_conf_t *kc, const kafka_prop_t *props, size_t n, char *errstr,
                     size_t errstr_size)
{
    for (size_t i = 0; i < n; i++)
        if (kafka_conf_set(kc, props[i].key, props[i].value, errstr, errstr_size) < 0)
            return -1;
    return 0;
}

static int in_kafka_section(const tm_config_t *conf, const char *key)
{
    for (size_t i = 0; i < conf->n_kafka_props; i++)
        if (!strcmp(conf->kafka_props[i].key, key))
            return 1;
    return 0;
}

/* The caller's defaults that [kafka] leaves alone. */
static int set_defaults(rd_kafka_conf_t *kc, const tm_config_t *conf,
                        const kafka_client_opts_t *opts, char *errstr, size_t errstr_size)
{
    for (size_t i = 0; i < opts->n_defaults; i++)
        if (!in_kafka_section(conf, opts->defaults[i].key) &&
            kafka_conf_set(kc, opts->defaults[i].key, opts->defaults[i].value, errstr,
                           errstr_size) < 0)
            return -1;
    return 0;
}

/* The caller's properties, after the [kafka] ones (so that they win). */
static int set_opts(rd_kafka_conf_t *kc, const kafka_client_opts_t *opts, char *errstr,
                    size_t errstr_size)
{
    if (opts->group_id && kafka_conf_set(kc, "group.id", opts->group_id, errstr, errstr_size) < 0)
        return -1;
    if (opts->idempotent && set_props(kc, IDEMPOTENT, sizeof(IDEMPOTENT) / sizeof(IDEMPOTENT[0]),
                                      errstr, errstr_size) < 0)
        return -1;
    if (opts->manual_offsets &&
        set_props(kc, MANUAL_OFFSETS, sizeof(MANUAL_OFFSETS) / sizeof(MANUAL_OFFSETS[0]), errstr,
                  errstr_size) < 0)
        return -1;
    if (set_props(kc, opts->props, opts->n_props, errstr, errstr_size) < 0)
        return -1;
    if (opts->dr_msg_cb)
        rd_kafka_conf_set_dr_msg_cb(kc, opts->dr_msg_cb);
    if (opts->rebalance_cb)
        rd_kafka_conf_set_rebalance_cb(kc, opts->rebalance_cb);
    if (opts->offset_commit_cb)
        rd_kafka_conf_set_offset_commit_cb(kc, opts->offset_commit_cb);
    if (opts->error_cb)
        rd_kafka_conf_set_error_cb(kc, opts->error_cb);
    if (opts->opaque)
        rd_kafka_conf_set_opaque(kc, opts->opaque);
    return 0;
}

rd_kafka_t *kafka_client_new(const tm_config_t *conf, rd_kafka_type_t type,
                             const kafka_client_opts_t *opts, char *errstr, size_t errstr_size)
{
    rd_kafka_conf_t *kc = kafka_conf_new(conf, opts->client_id, errstr, errstr_size);
    if (!kc)
        return NULL;
    if (set_defaults(kc, conf, opts, errstr, errstr_size) < 0 ||
        set_opts(kc, opts, errstr, errstr_size) < 0) {
        rd_kafka_conf_destroy(kc);
        return NULL;
    }
    char why[512];
    rd_kafka_t *rk = rd_kafka_new(type, kc, why, sizeof(why));
    if (!rk) {
        rd_kafka_conf_destroy(kc); /* not taken over on failure */
        errstr_set(errstr, errstr_size, "cannot create the Kafka %s %s: %s",
                   type == RD_KAFKA_PRODUCER ? "producer" : "consumer",
                   opts->client_id ? opts->client_id : "", why);
        return NULL;
    }
    return rk; /* kc is now owned by rk */
}

rd_kafka_t *kafka_producer_new(const tm_config_t *conf, const char *client_id,
                               void (*dr_msg_cb)(rd_kafka_t *rk, const rd_kafka_message_t *m,
                                                 void *opaque),
                               void *opaque, char *errstr, size_t errstr_size)
{
    const kafka_client_opts_t opts = {
        .client_id = client_id,
        .idempotent = 1,
        .dr_msg_cb = dr_msg_cb,
        .opaque = opaque,
    };
    return kafka_client_new(conf, RD_KAFKA_PRODUCER, &opts, errstr, errstr_size);
}

size_t kafka_client_max_message_bytes(rd_kafka_t *rk)
{
    char buf[32];
    size_t size = sizeof(buf);
    if (rd_kafka_conf_get(rd_kafka_conf(rk), "message.max.bytes", buf, &size) != RD_KAFKA_CONF_OK)
        return DEFAULT_MESSAGE_MAX_BYTES;
    return (size_t)strtoull(buf, NULL, 10);
}

int kafka_err_is_refusal(rd_kafka_resp_err_t err)
{
    return err == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED ||
           err == RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED ||
           err == RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED ||
           err == RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED;
}
