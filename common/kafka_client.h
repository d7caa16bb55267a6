/*
 * kafka_client.h - the one factory of librdkafka clients. Every producer,
 * consumer and admin handle of both programs is built here from the
 * configuration, so that bootstrap.servers, the [kafka] pass-through keys,
 * client.id, the log callback (kafka_conf.h) and the error texts are the
 * same for all of them.
 *
 * Properties are set in this order: bootstrap.servers, client.id, the
 * [kafka] keys, the caller's defaults (opts->defaults, each only when
 * [kafka] does not set its key: tuning that the user may change), then what
 * the caller asks for (group.id, the property sets of the flags,
 * opts->props). What the caller asks for wins over [kafka]: tidemark's
 * guarantees rest on those (acks=all, idempotence, offsets never
 * committed behind its back).
 *
 * Owns nothing: the handle returned is the caller's (rd_kafka_destroy).
 * Any thread. Fails with NULL and errstr: "FILE:LINE: [kafka] KEY: reason"
 * for a [kafka] key librdkafka refuses, "KEY: reason" for one of the
 * caller's, "cannot create the Kafka consumer CLIENT_ID: reason" when
 * rd_kafka_new() refuses the whole.
 */
#ifndef TIDEMARK_KAFKA_CLIENT_H
#define TIDEMARK_KAFKA_CLIENT_H

#include <stddef.h>

#include <librdkafka/rdkafka.h>

#include "compiler.h"
#include "config.h"

typedef struct kafka_prop {
    const char *key;
    const char *value;
} kafka_prop_t;

typedef struct kafka_client_opts {
    const char *client_id; /* client.id, unless [kafka] sets one */
    const char *group_id;  /* group.id, or NULL */
    /* acks=all and enable.idempotence=true: a producer whose writes are
     * acknowledged by every in-sync replica, once each */
    int idempotent;
    /* enable.auto.commit=false and enable.auto.offset.store=false: a
     * consumer that never commits offsets on its own */
    int manual_offsets;
    const kafka_prop_t *props; /* n_props more, after the above */
    size_t n_props;
    /* n_defaults properties that a [kafka] key of the same name replaces */
    const kafka_prop_t *defaults;
    size_t n_defaults;
    void *opaque; /* handed to every callback */
    void (*dr_msg_cb)(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque);
    void (*rebalance_cb)(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                         rd_kafka_topic_partition_list_t *parts, void *opaque);
    void (*offset_commit_cb)(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                             rd_kafka_topic_partition_list_t *offsets, void *opaque);
    /* the errors rd_kafka_poll() serves; NULL: librdkafka logs each one
     * again, at error level, whatever it logged it at first */
    void (*error_cb)(rd_kafka_t *rk, int err, const char *reason, void *opaque);
} kafka_client_opts_t;

/* A new client of type for conf's cluster, built as opts says. */
rd_kafka_t *kafka_client_new(const tm_config_t *conf, rd_kafka_type_t type,
                             const kafka_client_opts_t *opts, char *errstr,
                             size_t errstr_size) TM_WARN_UNUSED;

/*
 * The producer both programs write with: idempotent, acks=all (whatever
 * [kafka] says), dr_msg_cb called with opaque for each delivery report.
 * A shorthand for kafka_client_new(); fails the same way.
 */
rd_kafka_t *kafka_producer_new(const tm_config_t *conf, const char *client_id,
                               void (*dr_msg_cb)(rd_kafka_t *rk, const rd_kafka_message_t *m,
                                                 void *opaque),
                               void *opaque, char *errstr, size_t errstr_size) TM_WARN_UNUSED;

/* What a message of rk may hold at most, key and headers included: its
 * message.max.bytes (librdkafka's default, 1000000, if unreadable). */
size_t kafka_client_max_message_bytes(rd_kafka_t *rk);

/* Whether err is the broker refusing this client (an ACL on a topic, a
 * group or the cluster, or its credentials): librdkafka says such an
 * error once and then retries in silence. */
int kafka_err_is_refusal(rd_kafka_resp_err_t err);

#endif
