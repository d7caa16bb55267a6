/*
 * test_url.c - RFC 3986 resolution, the rules for following a reference
 * and origins (common/url.h), table-driven. No network.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "url.h"

static void test_resolve(void **state)
{
    (void)state;
    static const char *base = "https://api.example.com/v1/customers?page=1#top";
    static const struct {
        const char *ref, *want; /* NULL want: an error */
    } cases[] = {
        {"https://other.example:8443/x?y=1", "https://other.example:8443/x?y=1"},
        {"//cdn.example.com/p?q=2", "https://cdn.example.com/p?q=2"},
        {"/abs?page=2", "https://api.example.com/abs?page=2"},
        {"rel?page=2", "https://api.example.com/v1/rel?page=2"},
        {"../x", "https://api.example.com/x"},
        {"?page=2", "https://api.example.com/v1/customers?page=2"},
        {"", "https://api.example.com/v1/customers?page=1"},
        {"#frag", "https://api.example.com/v1/customers?page=1"},
        {"/p#frag", "https://api.example.com/p"},
        {"  /p  ", "https://api.example.com/p"},
        {"HTTP://Example.COM/a", "http://Example.COM/a"},
        {"javascript:alert(1)", NULL},
        {"http://h/a b", NULL},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *got = NULL, err[256] = "";
        int rc = url_resolve(base, cases[i].ref, &got, err, sizeof(err));
        if (!cases[i].want) {
            if (rc != -1 || got || !err[0])
                fail_msg("case %zu '%s': got rc %d '%s', want an error", i, cases[i].ref, rc,
                         got ? got : "");
        } else if (rc != 0 || !got || strcmp(got, cases[i].want) != 0) {
            fail_msg("case %zu '%s': got rc %d '%s', want '%s' (%s)", i, cases[i].ref, rc,
                     got ? got : "", cases[i].want, err);
        }
        free(got);
    }
    char *got = NULL, err[256];
    assert_int_equal(url_resolve("not a url", "/x", &got, err, sizeof(err)), -1);
    assert_null(got);
}

static void test_check_follow(void **state)
{
    (void)state;
    static const struct {
        const char *from, *to;
        int rc;
        const char *err_part;
    } cases[] = {
        {NULL, "http://h/x", 0, NULL},
        {NULL, "https://h/x", 0, NULL},
        {"http://h/", "https://h/x", 0, NULL},
        {"http://h/", "http://other/x", 0, NULL},
        {"https://h/", "https://other:8443/x", 0, NULL},
        {"https://h/", "http://h/x", -1, "https to plain http"},
        {"HTTPS://h/", "HTTP://h/x", -1, "https to plain http"},
        {NULL, "file:///etc/passwd", -1, "scheme 'file' is not allowed"},
        {"https://h/", "ftp://h/x", -1, "scheme 'ftp' is not allowed"},
        {NULL, "gopher://h/", -1, "scheme 'gopher' is not allowed"},
        {NULL, "no scheme", -1, "is not a URL"},
        /* credentials in the query never reach the message */
        {NULL, "file:///x?api_key=SECRET", -1, "api_key=***"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char err[512] = "";
        int rc = url_check_follow(cases[i].from, cases[i].to, err, sizeof(err));
        if (rc != cases[i].rc || (cases[i].err_part && !strstr(err, cases[i].err_part)) ||
            strstr(err, "SECRET"))
            fail_msg("case %zu (%s -> %s): rc %d err '%s'", i, cases[i].from ? cases[i].from : "-",
                     cases[i].to, rc, err);
    }
}

/* url_same_origin: scheme, host and port; url_same_path: those and the
 * path, whatever the queries (a next page guessed from a body's bytes
 * must be on the path that answered). One table: each pair for both. */
static void test_same_origin_and_path(void **state)
{
    (void)state;
    static const struct {
        const char *a, *b;
        int origin, path;
    } cases[] = {
        {"https://api.example.com/v1/c", "https://api.example.com/other?x=1", 1, 0},
        {"https://api.example.com/", "https://API.Example.COM:443/x", 1, 0},
        {"http://h/", "http://h:80/", 1, 1},
        {"http://127.0.0.1:8080/a", "http://127.0.0.1:8080/b", 1, 0},
        {"http://127.0.0.1:8080/a", "http://127.0.0.1:8081/a", 0, 0},
        {"http://h/", "https://h/", 0, 0},
        {"http://h:443/", "https://h/", 0, 0},
        {"https://api.example.com/", "https://api.example.com.evil.net/", 0, 0},
        {"https://api.example.com/", "https://evil.net/?https://api.example.com/", 0, 0},
        {"https://user:pw@h/", "https://h/", 1, 1},
        {"https://api.test/items", "https://api.test/items?p=2", 1, 1},
        {"https://api.test/items?p=1#f", "https://API.test:443/items?p=2&x=%2F", 1, 1},
        {"https://api.test/items", "https://api.test/items/", 1, 0},
        {"https://api.test/items", "https://api.test/admin/purge?all=1", 1, 0},
        {"https://api.test/items", "https://api.test/items/../admin", 1, 0},
        {"https://api.test/items", "https://api.test/items/%2e%2e/admin", 1, 0},
        {"https://api.test/items", "https://evil.test/items", 0, 0},
        {"http://api.test/items", "http://169.254.169.254/items", 0, 0},
        {"https://api.test/items", "http://api.test/items", 0, 0},
        {"not a url", "not a url", 0, 0},
        {NULL, "http://h/", 0, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        if (url_same_origin(cases[i].a, cases[i].b) != cases[i].origin ||
            url_same_path(cases[i].a, cases[i].b) != cases[i].path)
            fail_msg("case %zu: %s vs %s: origin %d path %d", i, cases[i].a ? cases[i].a : "NULL",
                     cases[i].b, url_same_origin(cases[i].a, cases[i].b),
                     url_same_path(cases[i].a, cases[i].b));
}

/* one or three '/' after the scheme: kept as libcurl reads (and sends)
 * it; every other URL as it was written */
static void test_canonical_slashes(void **state)
{
    (void)state;
    static const struct {
        const char *in, *want;
    } cases[] = {
        {"http:/tm:pw@h:9/c?x=1", "http://tm:pw@h:9/c?x=1"},
        {"http:///tm:pw@h:9/c", "http://tm:pw@h:9/c"},
        {"HTTPS:/h/c", "https://h/c"},
        /* two '/': untouched, even where libcurl would write it otherwise */
        {"http://h", "http://h"},
        {"http://h/a/../b", "http://h/a/../b"},
        /* not parsed: left for the configuration's check to refuse */
        {"http:tm:pw@h/c", "http:tm:pw@h/c"},
        {"http:////h/c", "http:////h/c"},
        {"customers", "customers"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *u = strdup(cases[i].in);
        assert_non_null(u);
        assert_int_equal(url_canonical_slashes(&u), 0);
        if (strcmp(u, cases[i].want) != 0)
            fail_msg("case %zu: got '%s', want '%s'", i, u, cases[i].want);
        free(u);
    }
    char *none = NULL;
    assert_int_equal(url_canonical_slashes(&none), 0);
    assert_null(none);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resolve),
        cmocka_unit_test(test_check_follow),
        cmocka_unit_test(test_same_origin_and_path),
        cmocka_unit_test(test_canonical_slashes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
