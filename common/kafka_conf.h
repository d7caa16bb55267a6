/*
 * kafka_conf.h - the boundary to librdkafka's configuration: builds an
 * rd_kafka_conf_t from [kafka] (bootstrap.servers plus every pass-through
 * key) and routes librdkafka's own log lines through log.h. Clients are
 * built on it by kafka_client.h; topic names are in topics.h.
 *
 * Owns nothing long-lived: kafka_conf_new() returns a conf the caller owns
 * until it hands it to rd_kafka_new() (which then owns it). Any thread
 * (the log callback runs on librdkafka's). Fails with NULL or -1 and
 * errstr naming the key and librdkafka's reason.
 */
#ifndef TIDEMARK_KAFKA_CONF_H
#define TIDEMARK_KAFKA_CONF_H

#include "compiler.h"
#include <stddef.h>
#include <librdkafka/rdkafka.h>
#include "config.h"

/*
 * A new conf with bootstrap.servers, the [kafka] pass-through keys (a key
 * librdkafka rejects is reported as "FILE:LINE: [kafka] KEY: <librdkafka's
 * reason>"), client.id = client_id, and a log callback into log.h.
 * Returns NULL with errstr set.
 */
rd_kafka_conf_t *kafka_conf_new(const tm_config_t *conf, const char *client_id, char *errstr,
                                size_t errstr_size);

/*
 * Sets one property, formatting librdkafka's refusal into errstr.
 * Returns 0 or -1.
 */
int kafka_conf_set(rd_kafka_conf_t *kc, const char *key, const char *value, char *errstr,
                   size_t errstr_size) TM_WARN_UNUSED;

#endif
