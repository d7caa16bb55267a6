/*
 * registry_answer.h - the pure parts of the Schema Registry client
 * (schema_registry.c): reading the registry's answers as hostile input,
 * and what kind of failure a status is.
 *
 * - A registration's answer is a JSON object whose "id" is an integer
 *   from 1 to 2^31-1 (Java's int, as the registry's ids are): a float, a
 *   string, 0, a negative or a larger number is not the registry's answer.
 * - A fetched schema's answer is a JSON object whose "schema" is a
 *   non-empty string of JSON text (an Avro schema); "schemaType", when
 *   present, must be "AVRO": a Protobuf or JSON Schema id cannot frame an
 *   Avro datum.
 * - An error answer is {"error_code": N, "message": "..."}; anything else
 *   (an HTML page of a proxy) is described by its first printable bytes.
 *
 * Pure functions over the caller's bytes; any thread. The readers return
 * an sr_status_t with a reason in errstr; describe never fails.
 */
#ifndef TIDEMARK_REGISTRY_ANSWER_H
#define TIDEMARK_REGISTRY_ANSWER_H

#include "compiler.h"
#include <stddef.h>
#include <stdint.h>

#include "schema_registry.h"

#define REGISTRY_MAX_ID 2147483647u

/* Whether a registry can hold id: its ids are Java ints from 1. */
static inline int registry_id_in_range(uint32_t id)
{
    return id >= 1 && id <= REGISTRY_MAX_ID;
}
#define REGISTRY_NO_CODE     (-1) /* the answer held no error_code */
#define REGISTRY_MESSAGE_MAX 400  /* bytes of the registry's message kept */

/* The id of a 2xx answer to POST /subjects/S/versions: SR_OK, or
 * SR_UNAVAILABLE ("not the registry's answer: ...") with errstr. */
sr_status_t registry_answer_id(const char *body, size_t len, uint32_t *id, char *errstr,
                               size_t errstr_size) TM_WARN_UNUSED;

/* The schema of a 2xx answer to GET /schemas/ids/N into *json (caller
 * frees): SR_OK; SR_UNAVAILABLE when it is not the registry's answer;
 * SR_REFUSED when it is a schema of another type than Avro. */
sr_status_t registry_answer_schema(const char *body, size_t len, char **json, char *errstr,
                                   size_t errstr_size) TM_WARN_UNUSED;

/*
 * What an error answer says: "error_code 409: <message>" (the message cut
 * to REGISTRY_MESSAGE_MAX bytes, only printable ASCII kept), or "a body
 * that is not the registry's JSON: <its first printable bytes>", or "an
 * empty body". *code takes its error_code (REGISTRY_NO_CODE when none).
 * Writes into buf and returns it.
 */
const char *registry_answer_error(const char *body, size_t len, int *code, char *buf, size_t size);

/*
 * The kind of a failed request: status is the answer's HTTP status (0:
 * none came, the retries ran out), code its error_code. 408, 429, 5xx and
 * no answer: SR_UNAVAILABLE, as is a 2xx (the client could not take it:
 * out of memory), never SR_OK. For a fetch, 404 with error_code 40403 (no
 * schema has this id): SR_NOT_FOUND. Any other answer (401, 403, 409, 422,
 * another 4xx, a 404 that is not the registry's, a 3xx): SR_REFUSED, as
 * asking again will not change it.
 */
sr_status_t registry_status_of(long status, int code, int fetch);

#endif
