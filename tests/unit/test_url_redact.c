/*
 * test_url_redact.c - credentials out of URLs that are shown
 * (common/url_redact.h), table-driven.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "url_redact.h"

static const struct {
    const char *in, *want;
} cases[] = {
    {"http://h/customers?modified_since=2026-01-01&page=2",
     "http://h/customers?modified_since=2026-01-01&page=2"},
    {"https://h/c?api_key=s3cr3t&page=2", "https://h/c?api_key=***&page=2"},
    {"https://h/c?page=2&access_token=abc", "https://h/c?page=2&access_token=***"},
    {"https://h/c?API_KEY=x&Token=y&client_secret=z&password=p&X-Amz-Signature=q",
     "https://h/c?API_KEY=***&Token=***&client_secret=***&password=***&X-Amz-Signature=***"},
    {"https://h/c?passwd=1;apikey=2", "https://h/c?passwd=***;apikey=***"},
    {"https://h/c?auth=1&credentials=2", "https://h/c?auth=***&credentials=***"},
    /* %-encoded names are decoded before the match */
    {"https://h/c?api%5Fkey=x", "https://h/c?api%5Fkey=***"},
    {"https://h/c?%6Bey=x", "https://h/c?%6Bey=***"},
    /* a name without a value, an empty value, empty pairs */
    {"https://h/c?token&x=1", "https://h/c?token&x=1"},
    {"https://h/c?token=&&x=1", "https://h/c?token=***&&x=1"},
    {"https://h/c?", "https://h/c?"},
    /* userinfo goes as a whole */
    {"https://user:pw@h:8443/c?x=1", "https://***@h:8443/c?x=1"},
    {"https://user@h/c", "https://***@h/c"},
    /* an '@' in the path or query is not userinfo */
    {"https://h/c/a@b?mail=a@b", "https://h/c/a@b?mail=a@b"},
    /* fragments are parameter lists too */
    {"https://h/cb#access_token=x&state=1", "https://h/cb#access_token=***&state=1"},
    {"https://h/c?key=1#section", "https://h/c?key=***#section"},
    {"https://h/c#a?token=x", "https://h/c#a?token=***"},
    /* not a URL, or empty */
    {"", ""},
    {"customers?key=1", "customers?key=***"},
    {"no query at all", "no query at all"},
    /* a password with an unencoded '/', '?' or '#': libcurl does not
     * parse the URL, and all up to the last '@' goes */
    {"http://tm:pa/s3cr3t@h:9/c", "http://***@h:9/c"},
    {"http://tm:pa?s3cr3t@h:9/c?x=1", "http://***@h:9/c?x=1"},
    {"http://tm:pa#s3cr3t@h:9/c", "http://***@h:9/c"},
    {"http://tm:pa/s3@cr3t@h:9/c", "http://***@h:9/c"},
    /* ... but not when it does parse (the '@' is in the path), nor in
     * one that does not parse and has no '@' */
    {"http://h:9/c/a@b", "http://h:9/c/a@b"},
    {"http://h:bad/c?token=x", "http://h:bad/c?token=***"},
    /* libcurl takes one or three '/' after the scheme for two */
    {"http:/tm:s3cr3t@h:9/c", "http:/***@h:9/c"},
    {"http:///tm:s3cr3t@h:9/c", "http:///***@h:9/c"},
    {"HTTPS:/tm:s3cr3t@h/c?key=1", "HTTPS:/***@h/c?key=***"},
    /* the value may hold '=' */
    {"https://h/c?signature=a=b=c&x=y", "https://h/c?signature=***&x=y"},
};

static void test_redact(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char buf[256];
        const char *got = url_redact(cases[i].in, buf, sizeof(buf));
        if (strcmp(got, cases[i].want) != 0)
            fail_msg("case %zu: got '%s', want '%s'", i, got, cases[i].want);
        char *dup = url_redact_dup(cases[i].in);
        assert_non_null(dup);
        if (strcmp(dup, cases[i].want) != 0)
            fail_msg("case %zu (dup): got '%s', want '%s'", i, dup, cases[i].want);
        free(dup);
    }
}

static void test_truncation_and_null(void **state)
{
    (void)state;
    char buf[16];
    /* truncated, still NUL-terminated, and the secret never shows */
    assert_string_equal(url_redact("https://h/c?token=abcdef", buf, sizeof(buf)),
                        "https://h/c?tok");
    assert_string_equal(url_redact("https://h/?k=1&token=SECRETSECRET", buf, 12), "https://h/?");
    assert_string_equal(url_redact(NULL, buf, sizeof(buf)), "");
    assert_string_equal(url_redact("x", NULL, 0), "");
    char tiny[1] = {'z'};
    assert_string_equal(url_redact("abc", tiny, 1), "");
    char *d = url_redact_dup(NULL);
    assert_string_equal(d, "");
    free(d);
    /* a long URL through the allocating form keeps everything */
    char longurl[5000];
    strcpy(longurl, "https://h/c?x=");
    memset(longurl + strlen(longurl), 'a', 4000);
    strcpy(longurl + 14 + 4000, "&api_key=zzz");
    d = url_redact_dup(longurl);
    assert_int_equal(strlen(d), strlen(longurl));
    assert_non_null(strstr(d, "&api_key=***"));
    free(d);
}

/* an API's words cleared of the values url_redact masks in the URL it
 * was asked */
static void test_scrub_secrets(void **state)
{
    (void)state;
    char s[200];
    strcpy(s, "api_key abc%2Fdef (abc/def) is disabled; page=2 token=tok123 x=1");
    url_scrub_secrets("https://h/c?api_key=abc%2Fdef&page=2#access_token=tok123&x=1", s);
    assert_string_equal(s, "api_key *** (***) is disabled; page=2 token=*** x=1");
    /* a value shorter than 3 bytes is left (it would match too much) */
    strcpy(s, "k=ab");
    url_scrub_secrets("https://h/c?key=ab", s);
    assert_string_equal(s, "k=ab");
    url_scrub_secrets(NULL, s);
    url_scrub_secrets("https://h/c?key=abc", NULL);
    assert_string_equal(s, "k=ab");
}

static void test_param_is_secret(void **state)
{
    (void)state;
    assert_true(url_param_is_secret("api_key", 7));
    assert_true(url_param_is_secret("ACCESS_TOKEN", 12));
    assert_true(url_param_is_secret("sessionToken", 12));
    assert_false(url_param_is_secret("page", 4));
    assert_false(url_param_is_secret("modified_since", 14));
    assert_false(url_param_is_secret("per_page", 8));
    assert_false(url_param_is_secret("", 0));
    /* only the first len bytes count */
    assert_false(url_param_is_secret("pagekey", 4));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_redact),
        cmocka_unit_test(test_truncation_and_null),
        cmocka_unit_test(test_scrub_secrets),
        cmocka_unit_test(test_param_is_secret),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
