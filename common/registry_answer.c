/*
 * registry_answer.c - the Schema Registry's answers read as hostile input
 * (see registry_answer.h).
 */
#include "registry_answer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "errstr.h"
#include "http.h"
#include "utf8.h"

#define PREVIEW_MAX 120 /* bytes of a body that is not the registry's JSON */

/* The JSON object of body, or NULL with errstr. */
static json_t *load_object(const char *body, size_t len, char *errstr, size_t errstr_size)
{
    json_error_t jerr;
    size_t bom = utf8_bom(body, len);
    json_t *root = body ? json_loadb(body + bom, len - bom, JSON_REJECT_DUPLICATES, &jerr) : NULL;
    if (!root) {
        errstr_set(errstr, errstr_size, "not the registry's answer: the body is not JSON (%s)",
                   body ? jerr.text : "none");
        return NULL;
    }
    if (!json_is_object(root)) {
        errstr_set(errstr, errstr_size, "not the registry's answer: the body is not a JSON object");
        json_decref(root);
        return NULL;
    }
    return root;
}

sr_status_t registry_answer_id(const char *body, size_t len, uint32_t *id, char *errstr,
                               size_t errstr_size)
{
    json_t *root = load_object(body, len, errstr, errstr_size);
    if (!root)
        return SR_UNAVAILABLE;
    const json_t *v = json_object_get(root, "id");
    sr_status_t st = SR_UNAVAILABLE;
    if (!json_is_integer(v))
        errstr_set(errstr, errstr_size, "not the registry's answer: \"id\" is %s",
                   v ? "not an integer" : "missing");
    else if (json_integer_value(v) < 1 || json_integer_value(v) > REGISTRY_MAX_ID)
        errstr_set(errstr, errstr_size,
                   "not the registry's answer: \"id\" %lld is not between 1 and %u",
                   (long long)json_integer_value(v), REGISTRY_MAX_ID);
    else {
        *id = (uint32_t)json_integer_value(v);
        st = SR_OK;
    }
    json_decref(root);
    return st;
}

/* Appends the printable ASCII of s[0..n) to buf (of size), whitespace
 * runs as one space, others as '?'. */
static void append_printable(char *buf, size_t size, const char *s, size_t n)
{
    size_t o = strlen(buf);
    for (size_t i = 0; i < n && o + 1 < size; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n') {
            if (o > 0 && buf[o - 1] != ' ')
                buf[o++] = ' ';
        } else {
            buf[o++] = ch > ' ' && ch < 127 ? (char)ch : '?';
        }
    }
    buf[o] = '\0';
}

sr_status_t registry_answer_schema(const char *body, size_t len, char **json, char *errstr,
                                   size_t errstr_size)
{
    *json = NULL;
    json_t *root = load_object(body, len, errstr, errstr_size);
    if (!root)
        return SR_UNAVAILABLE;
    const json_t *v = json_object_get(root, "schema"), *type = json_object_get(root, "schemaType");
    sr_status_t st = SR_UNAVAILABLE;
    json_t *parsed = NULL;
    if (!json_is_string(v) || json_string_length(v) == 0)
        errstr_set(errstr, errstr_size, "not the registry's answer: \"schema\" is %s",
                   !v                  ? "missing"
                   : json_is_string(v) ? "empty"
                                       : "not a string");
    else if (type && !(json_is_string(type) && strcmp(json_string_value(type), "AVRO") == 0)) {
        char shown[48] = ""; /* PROTOBUF, JSON: a hostile one is cut, printable */
        if (json_is_string(type))
            append_printable(shown, sizeof(shown), json_string_value(type),
                             json_string_length(type));
        errstr_set(errstr, errstr_size, "the schema is not an Avro schema (schemaType %s)",
                   json_is_string(type) ? shown : "not a string");
        st = SR_UNUSABLE;
    } else if (!(parsed = json_loadb(json_string_value(v), json_string_length(v), JSON_DECODE_ANY,
                                     NULL)))
        errstr_set(errstr, errstr_size, "not the registry's answer: \"schema\" is not JSON");
    else if (!(*json = strdup(json_string_value(v))))
        errstr_set(errstr, errstr_size, "out of memory");
    else
        st = SR_OK;
    json_decref(parsed);
    json_decref(root);
    return st;
}

const char *registry_answer_error(const char *body, size_t len, int *code, char *buf, size_t size)
{
    *code = REGISTRY_NO_CODE;
    if (size == 0)
        return buf;
    buf[0] = '\0';
    size_t bom = utf8_bom(body, len);
    json_t *root = body && len > bom ? json_loadb(body + bom, len - bom, 0, NULL) : NULL;
    const json_t *ec = json_object_get(root, "error_code"), *msg = json_object_get(root, "message");
    if (json_is_integer(ec) && json_integer_value(ec) > 0 && json_integer_value(ec) < 1000000) {
        *code = (int)json_integer_value(ec);
        snprintf(buf, size, "error_code %d: ", *code);
        if (json_is_string(msg))
            append_printable(buf, size, json_string_value(msg),
                             json_string_length(msg) < REGISTRY_MESSAGE_MAX
                                 ? json_string_length(msg)
                                 : REGISTRY_MESSAGE_MAX);
        else
            append_printable(buf, size, "(no message)", 12);
    } else if (body && len) {
        snprintf(buf, size, "a body that is not the registry's JSON: ");
        append_printable(buf, size, body, len < PREVIEW_MAX ? len : PREVIEW_MAX);
    } else {
        snprintf(buf, size, "an empty body");
    }
    json_decref(root);
    return buf;
}

sr_status_t registry_status_of(long status, int code, int fetch)
{
    /* a 2xx in a failed request: one the client could not take (out of
     * memory); never SR_OK, which would leave the caller without an id */
    if (status == 0 || (status >= 200 && status < 300) || http_status_transient(status))
        return SR_UNAVAILABLE;
    if (fetch && status == 404 && code == 40403)
        return SR_NOT_FOUND;
    return SR_REFUSED;
}
