/*
 * schema_registry.c - the Schema Registry client (see schema_registry.h):
 * registration and lookup over common/http.h, the answers read by
 * registry_answer.h, the caches.
 */
#include "schema_registry.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "basic_auth.h"
#include "errstr.h"
#include "http.h"
#include "oauth2_token.h"
#include "registry_answer.h"
#include "url_redact.h"

#define SR_CONTENT_TYPE      "application/vnd.schemaregistry.v1+json"
#define SR_MAX_RETRIES       5                    /* about 6 s of backoff, plus the timeouts */
#define SR_RETRY_MAX_WAIT_MS 30000LL              /* cap of a Retry-After */
#define SR_MAX_RESPONSE      (16LL * 1024 * 1024) /* a schema is small */

/* One registration (subject, schema) -> id, or one fetch id -> schema. */
typedef struct sr_entry {
    char *subject; /* NULL for a fetched id */
    char *schema;
    uint32_t id;
} sr_entry_t;

struct schema_registry {
    pthread_mutex_t mu;
    http_client_t *hc;
    char *base;         /* the url without trailing '/' */
    char *base_shown;   /* redacted, for messages */
    char *auth;         /* "Authorization: Basic ..." or NULL: a secret */
    const char *secret; /* the secret part of user info (in conf), or NULL */
    const char *token;  /* the base64 of user info, in auth: as secret */
    sr_entry_t *entries;
    size_t n_entries;
};

char *schema_registry_subject(const tm_config_t *conf, const char *topic,
                              const char *record_fullname)
{
    const char *suffix =
        conf->registry_subject_strategy == SUBJECT_TOPIC_RECORD ? record_fullname : "value";
    char *out = malloc(strlen(topic) + strlen(suffix) + 2);
    if (out)
        sprintf(out, "%s-%s", topic, suffix);
    return out;
}

/* A readable CA file, or -1 with errstr. */
static int check_ca(const char *ca, char *errstr, size_t errstr_size)
{
    FILE *f = fopen(ca, "r");
    if (f) {
        fclose(f);
        return 0;
    }
    errstr_set(errstr, errstr_size, "schema registry ssl.ca.location '%s': %s", ca,
               strerror(errno));
    return -1;
}

/* The client's parts that depend on conf: base URL, auth header, HTTP
 * client. 0, or -1 with errstr. */
static int setup(schema_registry_t *sr, const tm_config_t *conf, char *errstr, size_t errstr_size)
{
    size_t n = strlen(conf->registry_url);
    while (n > 0 && conf->registry_url[n - 1] == '/')
        n--;
    if (!(sr->base = strndup(conf->registry_url, n)) ||
        !(sr->base_shown = url_redact_dup(sr->base)))
        goto oom;
    if (conf->registry_basic_auth) {
        const char *colon = strchr(conf->registry_basic_auth, ':');
        sr->secret = colon ? colon + 1 : conf->registry_basic_auth;
        if (!(sr->auth =
                  basic_auth_header(conf->registry_basic_auth, strlen(conf->registry_basic_auth))))
            goto oom;
        sr->token = strrchr(sr->auth, ' ') + 1;
    }
    if (!(sr->hc = http_client_new(sr->auth, conf->registry_timeout_ms, SR_MAX_RETRIES, errstr,
                                   errstr_size)))
        return -1;
    http_client_set_limits(sr->hc, SR_RETRY_MAX_WAIT_MS, SR_MAX_RESPONSE);
    if (sr->auth && http_client_allow_auth(sr->hc, sr->base, errstr, errstr_size) != 0)
        return -1;
    if (conf->registry_ca_location && (check_ca(conf->registry_ca_location, errstr, errstr_size) ||
                                       http_client_set_ca(sr->hc, conf->registry_ca_location)))
        return -1;
    return 0;
oom:
    errstr_set(errstr, errstr_size, "out of memory");
    return -1;
}

schema_registry_t *schema_registry_new(const tm_config_t *conf, char *errstr, size_t errstr_size)
{
    if (!conf->registry_url) {
        errstr_set(errstr, errstr_size, "no [schema_registry] url");
        return NULL;
    }
    schema_registry_t *sr = calloc(1, sizeof(*sr));
    if (!sr) {
        errstr_set(errstr, errstr_size, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&sr->mu, NULL);
    if (setup(sr, conf, errstr, errstr_size) != 0) {
        schema_registry_destroy(sr);
        return NULL;
    }
    return sr;
}

void schema_registry_destroy(schema_registry_t *sr)
{
    if (!sr)
        return;
    for (size_t i = 0; i < sr->n_entries; i++) {
        free(sr->entries[i].subject);
        free(sr->entries[i].schema);
    }
    free(sr->entries);
    http_client_destroy(sr->hc);
    free(sr->base);
    free(sr->base_shown);
    free(sr->auth);
    pthread_mutex_destroy(&sr->mu);
    free(sr);
}

/* The cached entry of (subject, schema) (subject NULL: of id), or NULL. */
static const sr_entry_t *cached(const schema_registry_t *sr, const char *subject,
                                const char *schema, uint32_t id)
{
    for (size_t i = 0; i < sr->n_entries; i++) {
        const sr_entry_t *e = &sr->entries[i];
        if (subject ? e->subject && !strcmp(e->subject, subject) && !strcmp(e->schema, schema)
                    : !e->subject && e->id == id)
            return e;
    }
    return NULL;
}

/* Remembers an answer; a failure to (ENOMEM) only costs a request later. */
static void remember(schema_registry_t *sr, const char *subject, const char *schema, uint32_t id)
{
    sr_entry_t *n = realloc(sr->entries, (sr->n_entries + 1) * sizeof(*n));
    if (!n)
        return;
    sr->entries = n;
    sr_entry_t e = {subject ? strdup(subject) : NULL, strdup(schema), id};
    if ((subject && !e.subject) || !e.schema) {
        free(e.subject);
        free(e.schema);
        return;
    }
    sr->entries[sr->n_entries++] = e;
}

/* s without the credentials a registry (or a proxy) may echo: the
 * secret as configured or form-encoded, and the Basic header's base64. */
static void scrub(const schema_registry_t *sr, char *s)
{
    if (sr->secret)
        oauth2_scrub(s, sr->secret);
    if (sr->token)
        oauth2_scrub(s, sr->token);
}

/* errstr from what a failed call composed in why: the credentials
 * scrubbed first, while it is whole (the registry's words, and the JSON
 * parser's quote of a 2xx body that is not JSON, are echoes). */
static sr_status_t failed_call(const schema_registry_t *sr, sr_status_t st, char *why, char *errstr,
                               size_t errstr_size)
{
    if (st != SR_OK) {
        scrub(sr, why);
        errstr_set(errstr, errstr_size, "%s", why);
    }
    return st;
}

/*
 * A request that did not end in a 2xx answer (resp keeps a refusal's
 * status and body): its kind, with errstr naming what (the subject or
 * id), the registry and the registry's own words, the secret scrubbed.
 */
static sr_status_t failed(const schema_registry_t *sr, const char *what, int fetch,
                          const http_response_t *resp, const char *why, char *errstr,
                          size_t errstr_size)
{
    char *body = resp->body ? strndup(resp->body, resp->body_len) : NULL;
    if (body)
        scrub(sr, body); /* before it is cut to a preview */
    char said[REGISTRY_MESSAGE_MAX + 64];
    int code;
    registry_answer_error(body, body ? strlen(body) : 0, &code, said, sizeof(said));
    free(body);
    sr_status_t st = registry_status_of(resp->status, code, fetch);
    if (st == SR_UNAVAILABLE)
        errstr_set(errstr, errstr_size, "%s: schema registry %s unavailable: %s", what,
                   sr->base_shown, why);
    else if (st == SR_NOT_FOUND)
        errstr_set(errstr, errstr_size, "%s: not in schema registry %s (%s)", what, sr->base_shown,
                   said);
    else if (resp->status > 0)
        errstr_set(errstr, errstr_size, "%s: schema registry %s refused it: HTTP %ld, %s", what,
                   sr->base_shown, resp->status, said);
    else
        errstr_set(errstr, errstr_size, "%s: schema registry %s: %s", what, sr->base_shown, why);
    return st;
}

/* {"schema": "<schema_json>"}; caller frees. NULL on ENOMEM. */
static char *register_body(const char *schema_json)
{
    json_t *doc = json_pack("{s:s}", "schema", schema_json);
    char *out = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    json_decref(doc);
    return out;
}

static sr_status_t post_schema(schema_registry_t *sr, const char *subject, const char *schema_json,
                               uint32_t *id_out, char *errstr, size_t errstr_size)
{
    char what[512];
    snprintf(what, sizeof(what), "subject '%s'", subject);
    char *esc = http_escape(subject), *body = register_body(schema_json), *url = NULL;
    if (esc && body && (url = malloc(strlen(sr->base) + strlen(esc) + 32)))
        sprintf(url, "%s/subjects/%s/versions", sr->base, esc);
    free(esc);
    if (!url) {
        free(body);
        errstr_set(errstr, errstr_size, "%s: out of memory", what);
        return SR_UNAVAILABLE;
    }
    http_response_t resp = {0};
    char why[1024];
    sr_status_t st;
    if (http_post(sr->hc, url, SR_CONTENT_TYPE, body, sr->auth, &resp, why, sizeof(why)) != 0)
        st = failed(sr, what, 0, &resp, why, errstr, errstr_size);
    else if ((st = registry_answer_id(resp.body, resp.body_len, id_out, why, sizeof(why))) != SR_OK)
        errstr_set(errstr, errstr_size, "%s: schema registry %s: %s", what, sr->base_shown, why);
    http_response_clear(&resp);
    free(url);
    free(body);
    return st;
}

sr_status_t schema_registry_register(schema_registry_t *sr, const char *subject,
                                     const char *schema_json, uint32_t *id_out, char *errstr,
                                     size_t errstr_size)
{
    char why[2048];
    pthread_mutex_lock(&sr->mu);
    const sr_entry_t *e = cached(sr, subject, schema_json, 0);
    sr_status_t st = SR_OK;
    if (e)
        *id_out = e->id;
    else if ((st = post_schema(sr, subject, schema_json, id_out, why, sizeof(why))) == SR_OK)
        remember(sr, subject, schema_json, *id_out);
    pthread_mutex_unlock(&sr->mu);
    return failed_call(sr, st, why, errstr, errstr_size);
}

static sr_status_t get_schema(schema_registry_t *sr, uint32_t id, char **json_out, char *errstr,
                              size_t errstr_size)
{
    char what[64];
    snprintf(what, sizeof(what), "schema id %u", id);
    char *url = malloc(strlen(sr->base) + 32);
    if (!url) {
        errstr_set(errstr, errstr_size, "%s: out of memory", what);
        return SR_UNAVAILABLE;
    }
    sprintf(url, "%s/schemas/ids/%u", sr->base, id);
    http_response_t resp = {0};
    char why[1024];
    sr_status_t st;
    if (http_get_answer(sr->hc, url, &resp, why, sizeof(why)) != 0)
        st = failed(sr, what, 1, &resp, why, errstr, errstr_size);
    else if ((st = registry_answer_schema(resp.body, resp.body_len, json_out, why, sizeof(why))) !=
             SR_OK)
        errstr_set(errstr, errstr_size, "%s: schema registry %s: %s", what, sr->base_shown, why);
    http_response_clear(&resp);
    free(url);
    return st;
}

sr_status_t schema_registry_fetch(schema_registry_t *sr, uint32_t id, char **json_out, char *errstr,
                                  size_t errstr_size)
{
    *json_out = NULL;
    if (!registry_id_in_range(id)) {
        /* not asked: the real registry's id is a Java int, and it answers
         * one it cannot parse with a plain 404 that reads as a wrong URL
         * (refused), which would stop a worker on every start */
        errstr_set(errstr, errstr_size,
                   "schema id %u: not a Schema Registry id (those are 1 to %u), no registry "
                   "holds it",
                   id, REGISTRY_MAX_ID);
        return SR_NOT_FOUND;
    }
    char why[2048];
    pthread_mutex_lock(&sr->mu);
    const sr_entry_t *e = cached(sr, NULL, NULL, id);
    sr_status_t st = SR_OK;
    if (e) {
        if (!(*json_out = strdup(e->schema))) {
            errstr_set(why, sizeof(why), "schema id %u: out of memory", id);
            st = SR_UNAVAILABLE;
        }
    } else if ((st = get_schema(sr, id, json_out, why, sizeof(why))) == SR_OK) {
        remember(sr, NULL, *json_out, id);
    }
    pthread_mutex_unlock(&sr->mu);
    return failed_call(sr, st, why, errstr, errstr_size);
}
