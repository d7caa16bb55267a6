/*
 * schema_registry.h - a client of a Confluent Schema Registry, configured
 * by [schema_registry] (config.h): the producer registers each stream's
 * change-event schema under its subject and frames its events with the id
 * (wireframe.h, WIRE_CONFLUENT); the worker fetches the schema of an id it
 * does not know.
 *
 * Requests go through common/http.h: the section's timeout, TLS
 * (ssl.ca.location), HTTP Basic from basic.auth.user.info (a secret: never
 * logged), retries with backoff on transient failures (no answer, 408,
 * 429, 5xx); content type application/vnd.schemaregistry.v1+json. An
 * answer is cached for the life of the client: ids are stable per schema
 * in a registry, so neither a registration nor a fetched id is asked twice.
 *
 * The subject of a stream's schema follows subject.name.strategy: "topic"
 * gives <topic>-value, "topic_record" <topic>-<the change-event record's
 * full name>, as Confluent's TopicNameStrategy and
 * TopicRecordNameStrategy name them.
 *
 * Owns: its HTTP client, a copy of the credentials and the caches.
 * Thread-safe (a mutex; one request at a time). Create and destroy on one
 * thread.
 * Failures: sr_status_t says which kind; errstr names the registry URL
 * (credentials redacted), the subject or id, and the registry's own
 * error_code and message when it answered one. Never the secret, nor the
 * Basic header's base64 of it, whatever the answer echoes.
 */
#ifndef TIDEMARK_SCHEMA_REGISTRY_H
#define TIDEMARK_SCHEMA_REGISTRY_H

#include "compiler.h"
#include <stddef.h>
#include <stdint.h>
#include "config.h"

typedef struct schema_registry schema_registry_t;

typedef enum {
    SR_OK = 0,
    SR_UNAVAILABLE,   /* no usable answer after the retries (down, slow,
                         5xx, a body that is not the registry's JSON):
                         try again later */
    SR_REFUSED,       /* the registry said no: 409 incompatible, 422
                         invalid schema, 401/403 credentials; errstr holds
                         its error_code and message. Retrying will not help. */
    SR_NOT_FOUND,     /* schema_registry_fetch: no schema has this id (404) */
    SR_UNUSABLE,      /* schema_registry_fetch: the id's schema is not Avro
                         (PROTOBUF, JSON): nothing written with it can be
                         read here. Ids come from the events' bytes, so this
                         is the event's fault, not the worker's. */
    SR_NOT_FOUND_YET, /* the worker's registry seam (registrysource.h): a
                         404 for an id that has not had its grace: this
                         event is given up, the id asked again next time */
} sr_status_t;

/* A client for conf's [schema_registry] (conf->registry_url must be set).
 * No request is made here. NULL with errstr on ENOMEM or a bad CA path. */
schema_registry_t *schema_registry_new(const tm_config_t *conf, char *errstr, size_t errstr_size);

void schema_registry_destroy(schema_registry_t *sr);

/* The subject of the change-event schema whose record is record_fullname
 * on topic, under conf's strategy. Caller frees; NULL on ENOMEM. */
char *schema_registry_subject(const tm_config_t *conf, const char *topic,
                              const char *record_fullname);

/* Registers schema_json (Avro JSON) under subject (POST
 * /subjects/<subject>/versions): the registry's id in *id_out. The
 * registry answers the known id for a schema it already has. */
sr_status_t schema_registry_register(schema_registry_t *sr, const char *subject,
                                     const char *schema_json, uint32_t *id_out, char *errstr,
                                     size_t errstr_size) TM_WARN_UNUSED;

/* The schema with this id (GET /schemas/ids/<id>), as Avro JSON in
 * *json_out (caller frees). An id outside 1..2^31-1 is SR_NOT_FOUND
 * without a request: no registry holds one. */
sr_status_t schema_registry_fetch(schema_registry_t *sr, uint32_t id, char **json_out, char *errstr,
                                  size_t errstr_size) TM_WARN_UNUSED;

#endif
