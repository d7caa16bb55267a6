/* test_dlq.c - the dead-letter contract (common/dlq.h): the headers of
 * each stage, and how much of a record a dead letter carries so that it
 * fits a Kafka message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dlq.h"

static void test_copy_limit(void **state)
{
    (void)state;
    static const struct {
        size_t max, limit;
    } cases[] = {
        {1000000, 1000000 - 16384}, /* librdkafka's default */
        {40000, 40000 - 16384},
        {32768, 16384}, /* too small to keep the overhead: half */
        {1000, 500},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        assert_int_equal(dlq_copy_limit(cases[i].max), cases[i].limit);
}

static void test_truncate_utf8(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        size_t limit, keep;
    } cases[] = {
        {"abcdef", 10, 6},           /* fits */
        {"abcdef", 6, 6},            /* exactly */
        {"abcdef", 3, 3},            /* ASCII: anywhere */
        {"ab\xc3\xa9z", 3, 2},       /* inside a 2-byte character: before it */
        {"ab\xc3\xa9z", 4, 4},       /* right after it */
        {"a\xe2\x82\xac", 3, 1},     /* inside a 3-byte character */
        {"a\xf0\x9f\x98\x80", 4, 1}, /* inside a 4-byte character */
        {"\xe2\x82\xac", 0, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t got = dlq_truncate_utf8(cases[i].text, strlen(cases[i].text), cases[i].limit);
        if (got != cases[i].keep)
            fail_msg("case %zu: kept %zu, want %zu", i, got, cases[i].keep);
    }
}

static void test_fit(void **state)
{
    (void)state;
    static const struct {
        size_t max, headers, key, value;
        size_t want_key, want_value;
    } cases[] = {
        {1000000, 200, 10, 1000, 10, 1000},             /* fits */
        {1000000, 200, 10, 998766, 10, 998766},         /* just fits */
        {1000000, 200, 10, 999000, 10, 998766},         /* the payload is cut */
        {1000000, 200, 0, 5000000, 0, 998776},          /* no key */
        {1000000, 200, 900000, 900000, 499388, 499388}, /* both halved */
        {1000000, 200, 2000000, 100, 998676, 100},      /* the key is cut */
        {1000, 200, 10, 10, 0, 0},                      /* no room at all */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        print_message("case %zu\n", i);
        size_t k, v;
        dlq_fit(cases[i].max, cases[i].headers, cases[i].key, cases[i].value, &k, &v);
        assert_int_equal(k, cases[i].want_key);
        assert_int_equal(v, cases[i].want_value);
        assert_true(k <= cases[i].key && v <= cases[i].value);
    }
}

/* The headers as "name=value,..." (the way kcat prints them). */
static void render(const dlq_headers_t *h, char *out, size_t size)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < h->n && used < size; i++)
        used += (size_t)snprintf(out + used, size - used, "%s%s=%s", i ? "," : "", h->h[i].name,
                                 h->h[i].value);
}

#define P DLQ_STAGE_PRODUCER
#define W DLQ_STAGE_WORKER

static void test_headers(void **state)
{
    (void)state;
    static const struct {
        dlq_stage_t stage;
        size_t key_len, orig_key_len, value_len, orig_value_len;
        const char *want;
    } cases[] = {
        {P, 3, 3, 10, 10, "tidemark.error=bad,tidemark.stage=producer,tidemark.source=src"},
        {P, 3, 3, 4, 10,
         "tidemark.error=bad,tidemark.stage=producer,tidemark.source=src,"
         "tidemark.original_size=10,tidemark.truncated=true"},
        {W, 3, 3, 10, 10,
         "tidemark.error=bad,tidemark.stage=worker,tidemark.source=src,"
         "tidemark.original_size=10"},
        {W, 3, 3, 4, 10,
         "tidemark.error=bad,tidemark.stage=worker,tidemark.source=src,"
         "tidemark.original_size=10,tidemark.truncated=value"},
        {W, 2, 3, 10, 10,
         "tidemark.error=bad,tidemark.stage=worker,tidemark.source=src,"
         "tidemark.original_size=10,tidemark.original_key_size=3,tidemark.truncated=key"},
        {W, 2, 3, 0, 10,
         "tidemark.error=bad,tidemark.stage=worker,tidemark.source=src,"
         "tidemark.original_size=10,tidemark.original_key_size=3,tidemark.truncated=key,value"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const dlq_letter_t l = {
            .stage = cases[i].stage,
            .error = "bad",
            .source = "src",
            .key_len = cases[i].key_len,
            .orig_key_len = cases[i].orig_key_len,
            .value_len = cases[i].value_len,
            .orig_value_len = cases[i].orig_value_len,
        };
        dlq_headers_t h;
        char got[512];
        dlq_headers_build(&l, &h);
        render(&h, got, sizeof(got));
        if (strcmp(got, cases[i].want))
            fail_msg("case %zu:\n got  %s\n want %s", i, got, cases[i].want);
        /* the estimate fit() works with is never short */
        size_t bytes = 0;
        for (size_t j = 0; j < h.n; j++)
            bytes += strlen(h.h[j].name) + strlen(h.h[j].value);
        assert_true(bytes <= dlq_headers_size(&l));
    }
}

/* tidemark.error is UTF-8 whatever the reason quotes, and never longer
 * than DLQ_ERROR_MAX nor than dlq_headers_size() says. */
static void test_error_text(void **state)
{
    (void)state;
    static char long_e[DLQ_ERROR_MAX + 10];
    memset(long_e, 'x', sizeof(long_e) - 1);
    memcpy(long_e + DLQ_ERROR_MAX - 1, "\xc3\xa9", 2); /* straddles the limit */
    static const struct {
        const char *error, *want;
    } cases[] = {
        {"id 'caf\xc3\xa9' is bad", "id 'caf\xc3\xa9' is bad"},
        {"id '5\xe9Y' is not an integer", "id '5\\xe9Y' is not an integer"},
        {"cut \xe2\x82", "cut \\xe2\\x82"}, /* a character cut in two by the reason */
        {"", ""},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const dlq_letter_t l = {.stage = W, .error = cases[i].error, .source = "s"};
        dlq_headers_t h;
        dlq_headers_build(&l, &h);
        assert_string_equal(h.h[0].value, cases[i].want);
        assert_true(strlen(h.h[0].value) <= dlq_headers_size(&l));
    }
    const dlq_letter_t l = {.stage = W, .error = long_e, .source = "s"};
    dlq_headers_t h;
    dlq_headers_build(&l, &h);
    assert_int_equal(strlen(h.h[0].value), DLQ_ERROR_MAX - 1); /* not half of the é */
}

/* tidemark.source from a page URL (dlq_send): UTF-8 whatever the source
 * sent, nothing cut, the same \xNN as tidemark.error. */
static void test_text_dup(void **state)
{
    (void)state;
    static const struct {
        const char *text, *want;
    } cases[] = {
        {"http://h/c?city=Orl\xe9\x61ns&skip=4", "http://h/c?city=Orl\\xe9ans&skip=4"},
        {"http://h/c?city=Orl\xc3\xa9\x61ns", "http://h/c?city=Orl\xc3\xa9\x61ns"},
        {"http://h/\xff\xfe", "http://h/\\xff\\xfe"},
        {"http://h/\xe2\x82", "http://h/\\xe2\\x82"}, /* a character cut in two */
        {"", ""},
        {NULL, ""},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *got = dlq_text_dup(cases[i].text);
        assert_non_null(got);
        if (strcmp(got, cases[i].want))
            fail_msg("case %zu:\n got  %s\n want %s", i, got, cases[i].want);
        free(got);
    }
    static char long_url[20000];
    memset(long_url, 'u', sizeof(long_url) - 1);
    long_url[100] = '\xe9';
    char *got = dlq_text_dup(long_url);
    assert_non_null(got);
    assert_int_equal(strlen(got), sizeof(long_url) - 1 + 3); /* whole: \xe9 for one byte */
    free(got);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_copy_limit), cmocka_unit_test(test_truncate_utf8),
        cmocka_unit_test(test_fit),        cmocka_unit_test(test_headers),
        cmocka_unit_test(test_error_text), cmocka_unit_test(test_text_dup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
