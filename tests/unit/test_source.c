/*
 * test_source.c - URL building, records.path extraction and Link header
 * parsing of producer/source.h, table-driven. No network.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../producer/source.h"
#include "../../producer/run.h"

static void test_json_path(void **state)
{
    (void)state;
    json_t *doc = json_loads("{\"data\":[1,2],\"result\":{\"items\":[3],\"n\":{\"x\":[]}},"
                             "\"next\":\"tok\"}",
                             0, NULL);
    assert_non_null(doc);
    static const struct {
        const char *path;
        int is_array;
        size_t size;
    } cases[] = {
        {"data", 1, 2},    {"result.items", 1, 1}, {"result.n.x", 1, 0},        {"result", 0, 0},
        {"missing", 0, 0}, {"data.deeper", 0, 0},  {"result.items.more", 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *v = jsonpage_at_path(doc, cases[i].path);
        if (json_is_array(v) != cases[i].is_array)
            fail_msg("case %zu (%s)", i, cases[i].path);
        if (cases[i].is_array)
            assert_int_equal(json_array_size(v), cases[i].size);
    }
    assert_ptr_equal(jsonpage_at_path(doc, ""), doc);
    assert_ptr_equal(jsonpage_at_path(doc, NULL), doc);
    assert_string_equal(json_string_value(jsonpage_at_path(doc, "next")), "tok");
    json_decref(doc);
}

static void test_link_next(void **state)
{
    (void)state;
    static const char *base = "https://api.example.com/v1/customers?x=1";
    /* want: the URL, NULL for none, "!" for an error */
    static const struct {
        const char *link, *want;
    } cases[] = {
        {"<https://api.example.com/v1/customers?page=2>; rel=\"next\"",
         "https://api.example.com/v1/customers?page=2"},
        {"<https://a/x?page=1>; rel=\"prev\", <https://a/x?page=3>; rel=\"next\"",
         "https://a/x?page=3"},
        {"<https://a/x?p=9>; rel=\"last\", <https://a/x?p=2>; rel=next; title=\"n\"",
         "https://a/x?p=2"},
        {"</v1/customers?cursor=abc>; rel=\"next\"",
         "https://api.example.com/v1/customers?cursor=abc"},
        {"<https://a/x?p=2>; rel=\"next last\"", "https://a/x?p=2"},
        {"<https://a/x?p=2>; REL=\"Next\"", "https://a/x?p=2"},
        {"<https://a/x?p=1>; rel=\"prev\"", NULL},
        {"<https://a/x?p=1>; rel=\"nextish\"", NULL},
        {"", NULL},
        {NULL, NULL},
        /* the first line's rel="first" no longer hides the second's next */
        {"<https://a/x?p=1>; rel=\"first\"\n<?page=2>; rel=\"next\"",
         "https://api.example.com/v1/customers?page=2"},
        {"garbage", "!"},
        {"<file:///etc/passwd>; rel=next", "!"},
        {"<http://api.example.com/v1/customers?page=2>; rel=next", "!"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = NULL, err[512] = "";
        int rc = source_link_next(cases[i].link, base, &got, err, sizeof err);
        const char *want = cases[i].want;
        if (want && strcmp(want, "!") == 0) {
            if (rc != -1 || got || !err[0])
                fail_msg("case %zu: rc %d, want an error", i, rc);
        } else if (!want) {
            if (rc != 0 || got)
                fail_msg("case %zu: rc %d got '%s', want none (%s)", i, rc, got ? got : "", err);
        } else if (rc != 1 || !got || strcmp(got, want) != 0) {
            fail_msg("case %zu: rc %d got '%s', want '%s' (%s)", i, rc, got ? got : "(none)", want,
                     err);
        }
        free(got);
    }
}

static void test_url_with(void **state)
{
    (void)state;
    const char *p1[] = {"modified_since", "2026-11-25T12:00:00.123Z", "page", "2"};
    char *u = source_url_with("http://h/c", p1, 2);
    assert_string_equal(u, "http://h/c?modified_since=2026-11-25T12%3A00%3A00.123Z&page=2");
    free(u);
    const char *p2[] = {"q", "a b&c", NULL, "x", "skip", NULL};
    u = source_url_with("http://h/c?k=v", p2, 3);
    assert_string_equal(u, "http://h/c?k=v&q=a%20b%26c");
    free(u);
    u = source_url_with("http://h/c", p2 + 2, 2);
    assert_string_equal(u, "http://h/c");
    free(u);
}

static stream_conf_t stream(pagination_t pg, cursor_precision_t prec)
{
    stream_conf_t sc = {0};
    sc.name = "s";
    sc.url = "http://127.0.0.1:1/items";
    sc.cursor_field = "updated";
    sc.cursor_param = "since";
    sc.cursor_precision = prec;
    sc.records_path = "data";
    sc.pagination = pg;
    sc.page_param = "p";
    sc.page_size_param = "size";
    sc.page_size = 50;
    return sc;
}

static void test_page_url(void **state)
{
    (void)state;
    const int64_t t = 1795608000123LL; /* 2026-11-25T12:00:00.123Z */
    static const struct {
        pagination_t pg;
        cursor_precision_t prec;
        int has_since;
        const char *token, *want;
    } cases[] = {
        {PAGINATION_PAGE, CURSOR_PRECISION_TIMESTAMP, 1, "1",
         "http://127.0.0.1:1/items?since=2026-11-25T12%3A00%3A00.123Z&size=50&p=1"},
        {PAGINATION_OFFSET, CURSOR_PRECISION_TIMESTAMP, 1, "100",
         "http://127.0.0.1:1/items?since=2026-11-25T12%3A00%3A00.123Z&size=50&p=100"},
        {PAGINATION_PAGE, CURSOR_PRECISION_DATE, 1, "3",
         "http://127.0.0.1:1/items?since=2026-11-25&size=50&p=3"},
        {PAGINATION_PAGE, CURSOR_PRECISION_TIMESTAMP, 0, "1",
         "http://127.0.0.1:1/items?size=50&p=1"},
        {PAGINATION_NONE, CURSOR_PRECISION_TIMESTAMP, 1, NULL,
         "http://127.0.0.1:1/items?since=2026-11-25T12%3A00%3A00.123Z"},
        {PAGINATION_CURSOR, CURSOR_PRECISION_TIMESTAMP, 0, NULL,
         "http://127.0.0.1:1/items?size=50"},
        {PAGINATION_CURSOR, CURSOR_PRECISION_TIMESTAMP, 0,
         "ab/c=", "http://127.0.0.1:1/items?size=50&p=ab%2Fc%3D"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        stream_conf_t sc = stream(cases[i].pg, cases[i].prec);
        char *u = source_page_url(&sc, cases[i].has_since, t, cases[i].token);
        if (!u || strcmp(u, cases[i].want) != 0)
            fail_msg("case %zu: got '%s'\n want '%s'", i, u ? u : "(null)", cases[i].want);
        free(u);
    }
}

static void test_run_id(void **state)
{
    (void)state;
    char a[128], b[128];
    run_make_id("customers", 1795608000123LL, a, sizeof a);
    run_make_id("customers", 1795608000123LL, b, sizeof b);
    assert_int_equal(strncmp(a, "customers-20261125T120000Z-", 27), 0);
    assert_int_equal(strlen(a), 27 + 8);
    assert_string_not_equal(a, b); /* random suffix */
}

/* The API's clock at the walk's first answer (source_api_mark). */
static void test_api_mark(void **state)
{
    (void)state;
    static const struct {
        int64_t date, sent, answered, want;
    } cases[] = {
        {0, 5000, 9000, 5000},                /* no Date: the producer's clock */
        {100000, 5000, 5200, 98800},          /* Date - 1 s - 200 ms on the way */
        {100000, 5000, 4000, 99000},          /* clock stepped back: no negative */
        {7200000, 3600000, 3600000, 7199000}, /* API an hour ahead: its clock */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (source_api_mark(cases[i].date, cases[i].sent, cases[i].answered) != cases[i].want)
            fail_msg("case %zu: %lld, want %lld", i,
                     (long long)source_api_mark(cases[i].date, cases[i].sent, cases[i].answered),
                     (long long)cases[i].want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_path), cmocka_unit_test(test_link_next),
        cmocka_unit_test(test_url_with),  cmocka_unit_test(test_page_url),
        cmocka_unit_test(test_run_id),    cmocka_unit_test(test_api_mark),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
