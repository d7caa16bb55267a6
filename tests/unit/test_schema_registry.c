/*
 * test_schema_registry.c - common/schema_registry.h and registry_answer.h:
 * subject naming, the registry's answers read as hostile input, the kind
 * of each failed status (pure, table-driven); then the client against a
 * loopback registry (libmicrohttpd): the POST's content type, body and
 * Basic auth, the caches, a refusal's message, an unknown id, a secret
 * the registry echoes kept out of errstr, and over TLS a registry whose
 * certificate only ssl.ca.location verifies (fixtures/registry-tls.*: a
 * self-signed certificate for IP 127.0.0.1, valid until 2126).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <microhttpd.h>

#include "http.h"
#include "loopback.h"
#include "registry_answer.h"
#include "schema_registry.h"
#include "signals.h"

/* ---- subjects -------------------------------------------------------------- */

static void test_subject(void **state)
{
    (void)state;
    static const struct {
        subject_strategy_t strategy;
        const char *topic, *record, *want;
    } cases[] = {
        {SUBJECT_TOPIC, "tidemark.customers", "tidemark.change.customers",
         "tidemark.customers-value"},
        {SUBJECT_TOPIC_RECORD, "tidemark.customers", "tidemark.change.customers",
         "tidemark.customers-tidemark.change.customers"},
        {SUBJECT_TOPIC_RECORD, "t", "Rec", "t-Rec"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        tm_config_t conf = {.registry_subject_strategy = cases[i].strategy};
        char *got = schema_registry_subject(&conf, cases[i].topic, cases[i].record);
        assert_non_null(got);
        assert_string_equal(got, cases[i].want);
        free(got);
    }
}

/* ---- answers ---------------------------------------------------------------- */

static void test_answer_id(void **state)
{
    (void)state;
    static const struct {
        const char *body;
        sr_status_t want;
        uint32_t id;
        const char *err; /* a part of errstr */
    } cases[] = {
        {"{\"id\": 1}", SR_OK, 1, NULL},
        {"{\"id\": 70000}", SR_OK, 70000, NULL},
        {"\xef\xbb\xbf{\"id\": 3}", SR_OK, 3, NULL}, /* a byte order mark first */
        {"{\"id\": 2147483647}", SR_OK, 2147483647u, NULL},
        {"{\"id\": 2147483648}", SR_UNAVAILABLE, 0, "\"id\" 2147483648 is not between 1 and"},
        {"{\"id\": 0}", SR_UNAVAILABLE, 0, "\"id\" 0 is not between"},
        {"{\"id\": -5}", SR_UNAVAILABLE, 0, "\"id\" -5 is not between"},
        {"{\"id\": 7.0}", SR_UNAVAILABLE, 0, "\"id\" is not an integer"},
        {"{\"id\": \"7\"}", SR_UNAVAILABLE, 0, "\"id\" is not an integer"},
        {"{\"id\": 99999999999999999999999}", SR_UNAVAILABLE, 0, "not JSON"},
        {"{\"version\": 1}", SR_UNAVAILABLE, 0, "\"id\" is missing"},
        {"[1]", SR_UNAVAILABLE, 0, "not a JSON object"},
        {"{\"id\": 1, \"id\": 2}", SR_UNAVAILABLE, 0, "not JSON"},
        {"<html><body>502 Bad Gateway</body></html>", SR_UNAVAILABLE, 0, "not JSON"},
        {"", SR_UNAVAILABLE, 0, "not JSON"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint32_t id = 0;
        char err[256] = "";
        sr_status_t st =
            registry_answer_id(cases[i].body, strlen(cases[i].body), &id, err, sizeof(err));
        if (st != cases[i].want || (st == SR_OK && id != cases[i].id) ||
            (cases[i].err && !strstr(err, cases[i].err)))
            fail_msg("case %zu (%s): status %d id %u err '%s'", i, cases[i].body, st, id, err);
    }
}

static void test_answer_schema(void **state)
{
    (void)state;
    static const struct {
        const char *body;
        sr_status_t want;
        const char *schema; /* SR_OK: the schema; else a part of errstr */
    } cases[] = {
        {"{\"schema\": \"{\\\"type\\\":\\\"string\\\"}\"}", SR_OK, "{\"type\":\"string\"}"},
        {"{\"schema\": \"\\\"long\\\"\"}", SR_OK, "\"long\""},
        {"{\"schema\": \"\\\"long\\\"\", \"schemaType\": \"AVRO\"}", SR_OK, "\"long\""},
        {"{\"schema\": \"syntax = 'proto3';\", \"schemaType\": \"PROTOBUF\"}", SR_UNUSABLE,
         "not an Avro schema (schemaType PROTOBUF)"},
        {"{\"schema\": \"\\\"long\\\"\", \"schemaType\": 3}", SR_UNUSABLE, "schemaType not a"},
        {"{\"schema\": \"\\\"long\\\"\", \"schemaType\": \"A\\nB\\u0001"
         "CDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefghijklmnopqrstuvwxyz\"}",
         SR_UNUSABLE, "(schemaType A B?CDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefghi)"},
        {"{\"schema\": \"not json\"}", SR_UNAVAILABLE, "\"schema\" is not JSON"},
        {"{\"schema\": \"\"}", SR_UNAVAILABLE, "\"schema\" is empty"},
        {"{\"schema\": {\"type\": \"string\"}}", SR_UNAVAILABLE, "\"schema\" is not a string"},
        {"{\"id\": 3}", SR_UNAVAILABLE, "\"schema\" is missing"},
        {"<html>404</html>", SR_UNAVAILABLE, "not JSON"},
        {"\"schema\"", SR_UNAVAILABLE, "not JSON"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *json = NULL, err[256] = "";
        sr_status_t st =
            registry_answer_schema(cases[i].body, strlen(cases[i].body), &json, err, sizeof(err));
        int ok =
            st == cases[i].want && (st == SR_OK ? json && !strcmp(json, cases[i].schema)
                                                : !json && strstr(err, cases[i].schema) != NULL);
        if (!ok)
            fail_msg("case %zu (%s): status %d json %s err '%s'", i, cases[i].body, st,
                     json ? json : "NULL", err);
        free(json);
    }
}

static void test_answer_error(void **state)
{
    (void)state;
    static const struct {
        const char *body;
        int code;
        const char *want;
    } cases[] = {
        {"{\"error_code\": 409, \"message\": \"Schema being registered is incompatible\"}", 409,
         "error_code 409: Schema being registered is incompatible"},
        {"{\"error_code\": 40403, \"message\": \"Schema 7 not found\"}", 40403,
         "error_code 40403: Schema 7 not found"},
        {"{\"error_code\": 401}", 401, "error_code 401: (no message)"},
        {"{\"error_code\": 422, \"message\": \"bad\\n\\u0001line\"}", 422,
         "error_code 422: bad ?line"},
        {"{\"error_code\": \"409\", \"message\": \"x\"}", REGISTRY_NO_CODE,
         "a body that is not the registry's JSON: {\"error_code\": \"409\", \"message\": \"x\"}"},
        {"<html>\n<body>502   Bad Gateway</body>\n</html>", REGISTRY_NO_CODE,
         "a body that is not the registry's JSON: <html> <body>502 Bad Gateway</body> </html>"},
        {"", REGISTRY_NO_CODE, "an empty body"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char buf[512];
        int code = 0;
        registry_answer_error(cases[i].body, strlen(cases[i].body), &code, buf, sizeof(buf));
        if (code != cases[i].code || strcmp(buf, cases[i].want) != 0)
            fail_msg("case %zu: code %d '%s'", i, code, buf);
    }
    /* a long message is cut; a small buffer is never overrun */
    char big[2000], buf[600], tiny[8];
    int code;
    snprintf(big, sizeof(big), "{\"error_code\": 409, \"message\": \"%01500d\"}", 0);
    registry_answer_error(big, strlen(big), &code, buf, sizeof(buf));
    assert_int_equal(strlen(buf), strlen("error_code 409: ") + REGISTRY_MESSAGE_MAX);
    registry_answer_error(big, strlen(big), &code, tiny, sizeof(tiny));
    assert_string_equal(tiny, "error_c");
}

static void test_status_of(void **state)
{
    (void)state;
    static const struct {
        long status;
        int code, fetch;
        sr_status_t want;
    } cases[] = {
        {200, REGISTRY_NO_CODE, 0, SR_UNAVAILABLE}, /* a 2xx not taken: never SR_OK */
        {204, REGISTRY_NO_CODE, 1, SR_UNAVAILABLE},
        {0, REGISTRY_NO_CODE, 0, SR_UNAVAILABLE}, /* no answer after the retries */
        {503, 50003, 0, SR_UNAVAILABLE},
        {500, REGISTRY_NO_CODE, 1, SR_UNAVAILABLE},
        {429, REGISTRY_NO_CODE, 0, SR_UNAVAILABLE},
        {408, REGISTRY_NO_CODE, 1, SR_UNAVAILABLE},
        {409, 409, 0, SR_REFUSED},
        {422, 42201, 0, SR_REFUSED},
        {401, 401, 0, SR_REFUSED},
        {403, 40301, 1, SR_REFUSED},
        {415, 415, 0, SR_REFUSED},
        {404, 40403, 1, SR_NOT_FOUND},
        {404, 40403, 0, SR_REFUSED},            /* a registration is never "not found" */
        {404, REGISTRY_NO_CODE, 1, SR_REFUSED}, /* a wrong URL's page, not the registry */
        {404, 40401, 1, SR_REFUSED},
        {302, REGISTRY_NO_CODE, 0, SR_REFUSED},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        if (registry_status_of(cases[i].status, cases[i].code, cases[i].fetch) != cases[i].want)
            fail_msg("case %zu: status %ld code %d fetch %d", i, cases[i].status, cases[i].code,
                     cases[i].fetch);
}

/* ---- against a loopback registry -------------------------------------------- */

#define SECRET "pa55w0rd-TOPSECRET"

typedef struct reg {
    struct MHD_Daemon *d;
    char base[64];
    int n;          /* requests answered */
    char method[8]; /* the last request's */
    char path[128];
    char ctype[96];
    char authz[128];
    char body[512];
    size_t body_len;
} reg_t;

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    (void)version;
    reg_t *r = cls;
    if (loopback_post_body(method, upload, upload_size, con_cls, r, r->body, sizeof(r->body),
                           &r->body_len))
        return MHD_YES;
    r->n++;
    const char *ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
    const char *az = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    snprintf(r->method, sizeof(r->method), "%s", method);
    snprintf(r->path, sizeof(r->path), "%s", url);
    snprintf(r->ctype, sizeof(r->ctype), "%s", ct ? ct : "");
    snprintf(r->authz, sizeof(r->authz), "%s", az ? az : "");
    unsigned status = 200;
    const char *body = "{}";
    if (!strcmp(url, "/subjects/ok-value/versions"))
        body = "{\"id\": 70000}";
    else if (!strcmp(url, "/subjects/bad-value/versions"))
        status = 409, body = "{\"error_code\": 409, \"message\": \"Schema being registered is "
                             "incompatible with an earlier schema\"}";
    else if (!strcmp(url, "/subjects/echo-value/versions"))
        status = 401, body = "{\"error_code\": 401, \"message\": \"bad password " SECRET "\"}";
    else if (!strcmp(url, "/subjects/echo64-value/versions"))
        status = 401, body = "{\"error_code\": 401, \"message\": \"got Authorization: Basic "
                             "dXNlcjpwYTU1dzByZC1UT1BTRUNSRVQ=\"}";
    else if (!strcmp(url, "/subjects/escaped-value/versions"))
        status = 403,
        body = "{\"error_code\": 40301, \"message\": \"bad password pa55w0rd\\u002dTOPSECRET\"}";
    else if (!strcmp(url, "/subjects/cut-value/versions"))
        body = "{\"id\": \"" SECRET; /* a 2xx that is not JSON: jansson quotes it */
    else if (!strcmp(url, "/schemas/ids/71"))
        body = "{\"schema\": \"\\\"long\\\"\", \"schemaType\": \"" SECRET "\"}";
    else if (!strcmp(url, "/schemas/ids/70000"))
        body = "{\"schema\": \"\\\"long\\\"\"}";
    else if (!strcmp(url, "/schemas/ids/5"))
        status = 404, body = "{\"error_code\": 40403, \"message\": \"Schema 5 not found\"}";
    else if (!strcmp(url, "/schemas/ids/6"))
        status = 404, body = "<html>Not Found</html>";
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_PERSISTENT);
    enum MHD_Result ret = MHD_queue_response(c, status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static int setup(void **state)
{
    reg_t *r = calloc(1, sizeof(*r));
    r->d = loopback_start(on_request, r, "/", r->base, sizeof(r->base));
    *state = r;
    return 0;
}

static int teardown(void **state)
{
    reg_t *r = *state;
    loopback_stop(r->d);
    free(r);
    return 0;
}

static schema_registry_t *client(reg_t *r, char *user_info)
{
    tm_config_t conf = {
        .registry_url = r->base, .registry_basic_auth = user_info, .registry_timeout_ms = 5000};
    char err[256];
    schema_registry_t *sr = schema_registry_new(&conf, err, sizeof(err));
    if (!sr)
        fail_msg("schema_registry_new: %s", err);
    return sr;
}

static void test_register(void **state)
{
    reg_t *r = *state;
    schema_registry_t *sr = client(r, "user:" SECRET);
    uint32_t id = 0;
    char err[512] = "";
    assert_int_equal(schema_registry_register(sr, "ok-value", "\"long\"", &id, err, sizeof(err)),
                     SR_OK);
    assert_int_equal(id, 70000);
    assert_string_equal(r->method, "POST");
    assert_string_equal(r->path, "/subjects/ok-value/versions"); /* the base's '/' dropped */
    assert_string_equal(r->ctype, "application/vnd.schemaregistry.v1+json");
    assert_string_equal(r->authz, "Basic dXNlcjpwYTU1dzByZC1UT1BTRUNSRVQ=");
    assert_string_equal(r->body, "{\"schema\":\"\\\"long\\\"\"}");
    /* cached: not asked again */
    int n = r->n;
    id = 0;
    assert_int_equal(schema_registry_register(sr, "ok-value", "\"long\"", &id, err, sizeof(err)),
                     SR_OK);
    assert_int_equal(id, 70000);
    assert_int_equal(r->n, n);

    /* refused: the subject and the registry's words */
    assert_int_equal(schema_registry_register(sr, "bad-value", "\"long\"", &id, err, sizeof(err)),
                     SR_REFUSED);
    assert_non_null(strstr(err, "subject 'bad-value'"));
    assert_non_null(strstr(err, "HTTP 409, error_code 409: Schema being registered is "
                                "incompatible with an earlier schema"));
    /* a refusal that echoes the secret: never in errstr */
    assert_int_equal(schema_registry_register(sr, "echo-value", "\"long\"", &id, err, sizeof(err)),
                     SR_REFUSED);
    assert_non_null(strstr(err, "HTTP 401"));
    assert_null(strstr(err, SECRET));
    assert_null(strstr(err, "dXNlcj")); /* nor the header */
    /* nor when it echoes the Basic header, the secret JSON-escaped, or a
     * 2xx answer cut in the middle of it (the JSON parser's message
     * quotes the text near the error) */
    static const char *const echoes[] = {"echo64-value", "escaped-value", "cut-value"};
    for (size_t i = 0; i < sizeof(echoes) / sizeof(echoes[0]); i++) {
        assert_int_not_equal(
            schema_registry_register(sr, echoes[i], "\"long\"", &id, err, sizeof(err)), SR_OK);
        if (strstr(err, SECRET) || strstr(err, "dXNlcj"))
            fail_msg("%s: the secret in errstr: %s", echoes[i], err);
    }
    char *json = NULL;
    assert_int_equal(schema_registry_fetch(sr, 71, &json, err, sizeof(err)), SR_UNUSABLE);
    assert_null(json);
    if (strstr(err, SECRET))
        fail_msg("a schemaType echoing the secret in errstr: %s", err);
    schema_registry_destroy(sr);
}

static void test_fetch(void **state)
{
    reg_t *r = *state;
    schema_registry_t *sr = client(r, NULL);
    char *json = NULL, err[512] = "";
    assert_int_equal(schema_registry_fetch(sr, 70000, &json, err, sizeof(err)), SR_OK);
    assert_string_equal(json, "\"long\"");
    assert_string_equal(r->method, "GET");
    assert_string_equal(r->authz, ""); /* none configured */
    free(json);
    int n = r->n;
    assert_int_equal(schema_registry_fetch(sr, 70000, &json, err, sizeof(err)), SR_OK);
    assert_int_equal(r->n, n); /* cached */
    free(json);
    assert_int_equal(schema_registry_fetch(sr, 5, &json, err, sizeof(err)), SR_NOT_FOUND);
    assert_null(json);
    assert_non_null(strstr(err, "schema id 5: not in schema registry"));
    assert_non_null(strstr(err, "error_code 40403: Schema 5 not found"));
    /* a 404 that is not the registry's: a wrong URL, not an unknown id */
    assert_int_equal(schema_registry_fetch(sr, 6, &json, err, sizeof(err)), SR_REFUSED);
    assert_non_null(strstr(err, "not the registry's JSON: <html>Not Found</html>"));
    /* ids no registry holds (the real one answers a plain 404 for an id
     * that is not a Java int): not found, without asking */
    static const uint32_t not_ids[] = {0, 2147483648u, 4294967295u};
    for (size_t i = 0; i < sizeof(not_ids) / sizeof(not_ids[0]); i++) {
        n = r->n;
        assert_int_equal(schema_registry_fetch(sr, not_ids[i], &json, err, sizeof(err)),
                         SR_NOT_FOUND);
        assert_null(json);
        assert_non_null(strstr(err, "not a Schema Registry id"));
        assert_int_equal(r->n, n);
    }
    schema_registry_destroy(sr);
}

static void test_new_errors(void **state)
{
    (void)state;
    char err[256];
    tm_config_t none = {0};
    assert_null(schema_registry_new(&none, err, sizeof(err)));
    tm_config_t bad_ca = {.registry_url = "http://127.0.0.1:1",
                          .registry_ca_location = "/nonexistent/ca.pem",
                          .registry_timeout_ms = 1000};
    assert_null(schema_registry_new(&bad_ca, err, sizeof(err)));
    assert_non_null(strstr(err, "/nonexistent/ca.pem"));
    /* no request is made at creation: nothing needs to listen */
    tm_config_t down = {.registry_url = "http://127.0.0.1:1", .registry_timeout_ms = 1000};
    schema_registry_t *sr = schema_registry_new(&down, err, sizeof(err));
    assert_non_null(sr);
    schema_registry_destroy(sr);
}

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    static char buf[8192];
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    return strdup(buf);
}

static void test_tls_ca(void **state)
{
    (void)state;
    if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
        skip();
    reg_t *r = calloc(1, sizeof(*r));
    char *key = read_text("fixtures/registry-tls.key"),
         *cert = read_text("fixtures/registry-tls.crt");
    r->d = loopback_start_tls(on_request, r, key, cert, "", r->base, sizeof(r->base));
    tm_config_t conf = {.registry_url = r->base, .registry_timeout_ms = 5000};
    char err[512];
    uint32_t id = 0;
    /* the system's CAs do not know it: no usable answer */
    schema_registry_t *sr = schema_registry_new(&conf, err, sizeof(err));
    assert_non_null(sr);
    assert_int_equal(schema_registry_register(sr, "ok-value", "\"long\"", &id, err, sizeof(err)),
                     SR_UNAVAILABLE);
    assert_non_null(strstr(err, "certificate"));
    schema_registry_destroy(sr);
    /* ssl.ca.location does */
    conf.registry_ca_location = "fixtures/registry-tls.crt";
    sr = schema_registry_new(&conf, err, sizeof(err));
    assert_non_null(sr);
    assert_int_equal(schema_registry_register(sr, "ok-value", "\"long\"", &id, err, sizeof(err)),
                     SR_OK);
    assert_int_equal(id, 70000);
    schema_registry_destroy(sr);
    loopback_stop(r->d);
    free(key);
    free(cert);
    free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_subject),
        cmocka_unit_test(test_answer_id),
        cmocka_unit_test(test_answer_schema),
        cmocka_unit_test(test_answer_error),
        cmocka_unit_test(test_status_of),
        cmocka_unit_test(test_new_errors),
        cmocka_unit_test_setup_teardown(test_register, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fetch, setup, teardown),
        cmocka_unit_test(test_tls_ca),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
