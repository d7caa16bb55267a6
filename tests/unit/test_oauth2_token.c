/*
 * test_oauth2_token.c - common/oauth2_token.h, table-driven: the token
 * endpoint's answer read as hostile input, the renewal decision, the
 * HTTP Basic credentials and the form body, an error answer's summary.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "oauth2_token.h"

#define UNKNOWN OAUTH2_EXPIRES_UNKNOWN

static const struct {
    const char *name, *body;
    const char *token;  /* NULL: refused */
    int64_t expires_ms; /* when accepted */
    const char *why;    /* when refused: a part of the reason */
} parse_cases[] = {
    {"full", "{\"access_token\":\"abc.DEF-_~+/=\",\"token_type\":\"Bearer\",\"expires_in\":3600}",
     "abc.DEF-_~+/=", 3600000, NULL},
    {"bearer in any case, no expires_in", "{\"access_token\":\"t\",\"token_type\":\"bEaReR\"}", "t",
     UNKNOWN, NULL},
    {"no token_type: Bearer", "{\"access_token\":\"t\",\"expires_in\":60}", "t", 60000, NULL},
    {"expires_in null", "{\"access_token\":\"t\",\"expires_in\":null}", "t", UNKNOWN, NULL},
    {"a byte order mark first", "\xef\xbb\xbf{\"access_token\":\"t\",\"expires_in\":60}", "t",
     60000, NULL},
    {"expires_in as a string", "{\"access_token\":\"t\",\"expires_in\":\"3599\"}", "t", 3599000,
     NULL},
    {"expires_in fractional", "{\"access_token\":\"t\",\"expires_in\":1.5}", "t", 1500, NULL},
    {"expires_in past int64 clamps", "{\"access_token\":\"t\",\"expires_in\":99999999999999999999}",
     "t", OAUTH2_MAX_EXPIRES_MS, NULL},
    {"expires_in a long string clamps",
     "{\"access_token\":\"t\",\"expires_in\":\"99999999999999\"}", "t", OAUTH2_MAX_EXPIRES_MS,
     NULL},
    {"expires_in a fractional string", "{\"access_token\":\"t\",\"expires_in\":\"3600.5\"}", "t",
     3600500, NULL},
    {"expires_in 0 clamps", "{\"access_token\":\"t\",\"expires_in\":0}", "t", 1000, NULL},
    {"expires_in negative clamps", "{\"access_token\":\"t\",\"expires_in\":-5}", "t", 1000, NULL},
    {"expires_in huge clamps", "{\"access_token\":\"t\",\"expires_in\":1e300}", "t",
     OAUTH2_MAX_EXPIRES_MS, NULL},
    {"other fields ignored",
     "{\"access_token\":\"t\",\"scope\":\"a b\",\"refresh_token\":\"r\",\"x\":[1,{}]}", "t",
     UNKNOWN, NULL},
    {"expires_in not digits", "{\"access_token\":\"t\",\"expires_in\":\"12abc\"}", NULL, 0,
     "expires_in is not a number"},
    {"expires_in empty string", "{\"access_token\":\"t\",\"expires_in\":\"\"}", NULL, 0,
     "expires_in is not a number"},
    {"expires_in a bare fraction", "{\"access_token\":\"t\",\"expires_in\":\".5\"}", NULL, 0,
     "expires_in is not a number"},
    {"expires_in two points", "{\"access_token\":\"t\",\"expires_in\":\"1.2.3\"}", NULL, 0,
     "expires_in is not a number"},
    {"expires_in a boolean", "{\"access_token\":\"t\",\"expires_in\":true}", NULL, 0,
     "expires_in is not a number"},
    {"token_type mac", "{\"access_token\":\"t\",\"token_type\":\"mac\"}", NULL, 0,
     "token_type is not Bearer"},
    {"token_type DPoP", "{\"access_token\":\"t\",\"token_type\":\"DPoP\"}", NULL, 0,
     "token_type is not Bearer"},
    {"token_type a number", "{\"access_token\":\"t\",\"token_type\":1}", NULL, 0,
     "token_type is not Bearer"},
    {"no access_token", "{\"token_type\":\"Bearer\"}", NULL, 0, "access_token is missing"},
    {"access_token a number", "{\"access_token\":42}", NULL, 0, "access_token is missing"},
    {"access_token null", "{\"access_token\":null}", NULL, 0, "access_token is missing"},
    {"access_token empty", "{\"access_token\":\"\"}", NULL, 0, "access_token is empty"},
    {"CR LF in the token (header injection)", "{\"access_token\":\"t\\r\\nX-Evil: 1\"}", NULL, 0,
     "byte 0x0d at 1"},
    {"space in the token", "{\"access_token\":\"a b\"}", NULL, 0, "byte 0x20 at 1"},
    {"NUL in the token", "{\"access_token\":\"a\\u0000b\"}", NULL, 0, "not a JSON object"},
    {"TAB in the token", "{\"access_token\":\"a\\tb\"}", NULL, 0, "byte 0x09 at 1"},
    {"DEL in the token", "{\"access_token\":\"a\\u007f\"}", NULL, 0, "byte 0x7f at 1"},
    {"non-ASCII in the token", "{\"access_token\":\"\\u00e9\"}", NULL, 0, "byte 0xc3 at 0"},
    {"an array", "[{\"access_token\":\"t\"}]", NULL, 0, "not a JSON object"},
    {"not JSON", "<html>login</html>", NULL, 0, "not a JSON object"},
    {"empty body", "", NULL, 0, "not a JSON object"},
    {"duplicate keys", "{\"access_token\":\"a\",\"access_token\":\"b\"}", NULL, 0,
     "not a JSON object"},
};

static void test_parse(void **state)
{
    (void)state;
    int failures = 0;
    for (size_t i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
        char err[256] = "";
        oauth2_token_t t;
        const char *body = parse_cases[i].body;
        int rc = oauth2_token_parse(body, strlen(body), &t, err, sizeof(err));
        const char *want = parse_cases[i].token;
        if (want ? rc != 0 || strcmp(t.access_token, want) != 0 ||
                       t.expires_in_ms != parse_cases[i].expires_ms
                 : rc == 0 || t.access_token || !strstr(err, parse_cases[i].why)) {
            print_error("case '%s': rc=%d token=%s expires=%lld err=%s\n", parse_cases[i].name, rc,
                        rc == 0 ? t.access_token : "-", (long long)t.expires_in_ms, err);
            failures++;
        }
        if (rc == 0)
            oauth2_token_clear(&t);
    }
    assert_int_equal(failures, 0);
}

/* An answer that is not JSON: the reason names the place, never the text
 * there (jansson's message quotes the input near the error, which may be
 * the token). */
static void test_parse_error_hides_the_token(void **state)
{
    (void)state;
    static const char *const bodies[] = {
        "{\"access_token\":\"tok-SECRETTOKEN\x01\"}",     /* a control character */
        "{\"access_token\":\"tok-SECRETTOKEN\\x\"}",      /* a bad escape */
        "{\"access_token\":\"tok-SECRETTOKEN\"",          /* cut short */
        "{\"access_token\":\"tok-SECRETTOKEN\" \"x\":1}", /* a comma missing */
        "access_token=tok-SECRETTOKEN&token_type=bearer", /* a form answer */
    };
    int failures = 0;
    for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
        char err[256] = "";
        oauth2_token_t t;
        int rc = oauth2_token_parse(bodies[i], strlen(bodies[i]), &t, err, sizeof(err));
        if (rc != -1 || strstr(err, "SECRET") || !strstr(err, "not a JSON object")) {
            print_error("body %zu: rc=%d err=%s\n", i, rc, err);
            failures++;
        }
        if (rc == 0)
            oauth2_token_clear(&t);
    }
    assert_int_equal(failures, 0);
}

/* The longest token accepted, and one byte more. */
static void test_parse_token_size(void **state)
{
    (void)state;
    size_t n = OAUTH2_MAX_TOKEN + 1;
    char *body = malloc(n + 64);
    assert_non_null(body);
    for (int extra = 0; extra <= 1; extra++) {
        size_t len = OAUTH2_MAX_TOKEN + (size_t)extra;
        strcpy(body, "{\"access_token\":\"");
        memset(body + strlen(body), 'a', len);
        strcpy(body + 17 + len, "\"}");
        oauth2_token_t t;
        char err[256] = "";
        int rc = oauth2_token_parse(body, strlen(body), &t, err, sizeof(err));
        if (!extra) {
            assert_int_equal(rc, 0);
            assert_int_equal(strlen(t.access_token), len);
            oauth2_token_clear(&t);
        } else {
            assert_int_equal(rc, -1);
            assert_non_null(strstr(err, "longer than"));
        }
    }
    free(body);
}

static const struct {
    int64_t obtained, expires, now;
    int due, expired;
} due_cases[] = {
    {0, UNKNOWN, INT64_MAX / 2, 0, 0}, /* unknown: only a 401 renews it */
    {0, 3600000, 3539999, 0, 0},       /* an hour: 60 s ahead */
    {0, 3600000, 3540000, 1, 0},
    {0, 3600000, 3599999, 1, 0}, /* due, still valid: kept if renewal fails */
    {0, 3600000, 3600000, 1, 1},
    {5000, 3000, 7699, 0, 0}, /* 3 s: a tenth, 300 ms ahead */
    {5000, 3000, 7700, 1, 0},
    {5000, 3000, 9000, 1, 1}, /* long expired */
    {0, 1000, 899, 0, 0},     /* 1 s: 100 ms ahead */
    {0, 1000, 900, 1, 0},
    {0, 600000, 539999, 0, 0}, /* 10 min: a tenth is 60 s, the cap */
    {0, 600000, 540000, 1, 0},
    {0, 1200000, 1139999, 0, 0}, /* 20 min: 60 s, not 120 */
    {0, 1200000, 1140000, 1, 0},
    {1000, 3000, 0, 0, 0}, /* now before obtained (a caller's bug): not due */
};

static void test_refresh_due(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(due_cases) / sizeof(due_cases[0]); i++) {
        if (oauth2_refresh_due(due_cases[i].obtained, due_cases[i].expires, due_cases[i].now) !=
            due_cases[i].due)
            fail_msg("case %zu: want due=%d", i, due_cases[i].due);
        if (oauth2_expired(due_cases[i].obtained, due_cases[i].expires, due_cases[i].now) !=
            due_cases[i].expired)
            fail_msg("case %zu: want expired=%d", i, due_cases[i].expired);
    }
}

static const struct {
    const char *id, *secret, *want;
} basic_cases[] = {
    /* RFC 6749 2.3.1's example */
    {"s6BhdRkqt3", "gX1fBat3bV", "Authorization: Basic czZCaGRSa3F0MzpnWDFmQmF0M2JW"},
    /* form-encoded first: ':' '@' ' ' '+' '/' UTF-8; "*.-_" stay */
    {"id:1", "p@ss w+rd/\xc3\xa9*.-_",
     "Authorization: Basic aWQlM0ExOnAlNDBzcyt3JTJCcmQlMkYlQzMlQTkqLi1f"},
    {"id", "", "Authorization: Basic aWQ6"},
};

static void test_basic_header(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(basic_cases) / sizeof(basic_cases[0]); i++) {
        char *got = oauth2_basic_header(basic_cases[i].id, basic_cases[i].secret);
        assert_non_null(got);
        if (strcmp(got, basic_cases[i].want) != 0)
            fail_msg("case %zu: got '%s', want '%s'", i, got, basic_cases[i].want);
        free(got);
    }
}

static const struct {
    const char *in, *want;
} form_cases[] = {
    {"", ""},
    {"read write", "read+write"},
    {"a:b/c?d=e&f", "a%3Ab%2Fc%3Fd%3De%26f"},
    {"AZaz09-._*~", "AZaz09-._*%7E"},
    {"%+\r\n", "%25%2B%0D%0A"},
};

static void test_form_and_body(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(form_cases) / sizeof(form_cases[0]); i++) {
        char *got = oauth2_form_encode(form_cases[i].in);
        assert_non_null(got);
        if (strcmp(got, form_cases[i].want) != 0)
            fail_msg("case %zu: got '%s', want '%s'", i, got, form_cases[i].want);
        free(got);
    }
    char *b = oauth2_request_body(NULL);
    assert_string_equal(b, "grant_type=client_credentials");
    free(b);
    b = oauth2_request_body("read:customers write&x");
    assert_string_equal(b, "grant_type=client_credentials&scope=read%3Acustomers+write%26x");
    free(b);
}

static const struct {
    const char *body, *want;
} describe_cases[] = {
    {"{\"error\":\"invalid_client\",\"error_description\":\"bad secret\"}",
     "invalid_client (bad secret)"},
    {"{\"error\":\"invalid_scope\"}", "invalid_scope"},
    {"{\"error\":\"invalid_grant\",\"error_description\":\"\"}", "invalid_grant"},
    {"{\"error\":\"x\\r\\ny\",\"error_description\":\"a\\u0001b\\u001bc\"}", "xy (abc)"},
    {"{\"error\":42}", ""},
    {"{\"message\":\"no\"}", ""},
    {"<html>", ""},
    {"", ""},
};

static void test_error_describe(void **state)
{
    (void)state;
    char buf[512];
    for (size_t i = 0; i < sizeof(describe_cases) / sizeof(describe_cases[0]); i++) {
        const char *b = describe_cases[i].body;
        const char *got = oauth2_error_describe(b, strlen(b), NULL, buf, sizeof(buf));
        if (strcmp(got, describe_cases[i].want) != 0)
            fail_msg("case %zu: got '%s', want '%s'", i, got, describe_cases[i].want);
    }
    /* each part is cut at 200 bytes, and the whole at the buffer */
    char body[1200];
    snprintf(body, sizeof(body), "{\"error\":\"%0500d\",\"error_description\":\"%0500d\"}", 0, 0);
    assert_int_equal(strlen(oauth2_error_describe(body, strlen(body), NULL, buf, sizeof(buf))),
                     200 + 2 + 200 + 1);
    char tiny[8];
    assert_int_equal(strlen(oauth2_error_describe(body, strlen(body), NULL, tiny, sizeof(tiny))),
                     7);
    assert_string_equal(oauth2_error_describe(NULL, 0, NULL, buf, sizeof(buf)), "");
}

/* A server that echoes the secret in error_description: none of it in
 * the summary, not even its first bytes where a part is cut at 200 bytes
 * or where a control character split it. */
static void test_error_describe_hides_the_secret(void **state)
{
    (void)state;
    static const char secret[] = "S3cretValue-0123456789";
    char body[600], buf[512];
    /* the secret starts 10 bytes before the cut */
    snprintf(body, sizeof(body),
             "{\"error\":\"invalid_client\",\"error_description\":\"%0190d%s\"}", 0, secret);
    const char *secrets[] = {secret, NULL};
    oauth2_error_describe(body, strlen(body), secrets, buf, sizeof(buf));
    assert_null(strstr(buf, "S3cretValu"));
    assert_non_null(strstr(buf, "***"));
    /* in the error itself, and split by a control character */
    snprintf(body, sizeof(body),
             "{\"error\":\"bad %s\",\"error_description\":\"got S3cret\\u0001Value-0123456789\"}",
             secret);
    oauth2_error_describe(body, strlen(body), secrets, buf, sizeof(buf));
    assert_string_equal(buf, "bad *** (got ***)");
}

/* A server that echoes the Basic credentials it was sent: their base64
 * decodes straight back to id:secret, so it goes as the secret does, even
 * where a part is cut at 200 bytes. */
static void test_error_describe_hides_the_basic_credentials(void **state)
{
    (void)state;
    char *basic = oauth2_basic_header("client", "S3cretValue-0123456789");
    assert_non_null(basic);
    const char *b64 = strstr(basic, "Basic ") + 6;
    const char *secrets[] = {"S3cretValue-0123456789", b64, NULL};
    char body[600], buf[512];
    snprintf(body, sizeof(body),
             "{\"error\":\"invalid_client\",\"error_description\":\"%0190d%s\"}", 0, b64);
    oauth2_error_describe(body, strlen(body), secrets, buf, sizeof(buf));
    char head[11];
    snprintf(head, sizeof(head), "%.10s", b64);
    assert_null(strstr(buf, head));
    assert_non_null(strstr(buf, "***"));
    free(basic);
}

static const struct {
    const char *in, *secret, *want;
} scrub_cases[] = {
    {"bad secret s3cr3t given", "s3cr3t", "bad secret *** given"},
    {"s3cr3ts3cr3t and s3cr3t", "s3cr3t", "****** and ***"},
    {"no secret here", "s3cr3t", "no secret here"},
    {"a***b", "***", "a***b"}, /* replaced by itself: must end */
    {"ab ab", "ab", "ab ab"},  /* too short to scrub */
    {"", "s3cr3t", ""},
    /* echoed form-encoded, as the request carried it */
    {"got client_secret=p%40ss+w%2Frd%21", "p@ss w/rd!", "got client_secret=***"},
    {"got p%40ss+w%2Frd%21 and p@ss w/rd!", "p@ss w/rd!", "got *** and ***"},
    /* a quote cut short shows the secret's head only */
    {"invalid value 'KEY-0123456789...' at byte 0", "KEY-0123456789abcdef",
     "invalid value '***...' at byte 0"},
    {"'xKEY-0123456...' and 'KEY-0123...'", "KEY-0123456789abcdef", "'x***...' and '***...'"},
    {"see KEY-012... here", "KEY-0123456789abcdef", "see KEY-012... here"}, /* 7 bytes: a word */
    {"KEY-0123456789abcdef...", "KEY-0123456789abcdef", "***..."},
    {"...", "KEY-0123456789abcdef", "..."},
};

static void test_scrub(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(scrub_cases) / sizeof(scrub_cases[0]); i++) {
        char buf[128];
        snprintf(buf, sizeof(buf), "%s", scrub_cases[i].in);
        oauth2_scrub(buf, scrub_cases[i].secret);
        if (strcmp(buf, scrub_cases[i].want) != 0)
            fail_msg("case %zu: got '%s', want '%s'", i, buf, scrub_cases[i].want);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_parse_token_size),
        cmocka_unit_test(test_refresh_due),
        cmocka_unit_test(test_basic_header),
        cmocka_unit_test(test_form_and_body),
        cmocka_unit_test(test_error_describe),
        cmocka_unit_test(test_scrub),
        cmocka_unit_test(test_parse_error_hides_the_token),
        cmocka_unit_test(test_error_describe_hides_the_secret),
        cmocka_unit_test(test_error_describe_hides_the_basic_credentials),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
