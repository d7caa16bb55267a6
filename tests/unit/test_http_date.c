/*
 * test_http_date.c - common/http_date.h: Retry-After and Date header
 * values, table-driven.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "http_date.h"

static void test_retry_after(void **state)
{
    (void)state;
    /* now = Sun, 06 Nov 1994 08:49:37 GMT */
    const int64_t now = 784111777000LL;
    const int64_t cap = 300000;
    static const struct {
        const char *v;
        int rc;
        int64_t ms;
    } cases[] = {
        {"0", 0, 0},
        {"2", 0, 2000},
        {" 120 ", 0, 120000},
        {"300", 0, 300000},
        {"301", 0, 300000},                           /* capped */
        {"99999999999999999999999999", 0, 300000},    /* huge: capped, no overflow */
        {"Sun, 06 Nov 1994 08:49:47 GMT", 0, 10000},  /* IMF-fixdate, 10 s ahead */
        {"Sunday, 06-Nov-94 08:49:57 GMT", 0, 20000}, /* RFC 850 */
        {"Sun Nov  6 08:50:07 1994", 0, 30000},       /* asctime */
        {"Sun, 06 Nov 1994 08:49:37 GMT", 0, 0},      /* now */
        {"Sat, 05 Nov 1994 08:49:37 GMT", 0, 0},      /* the past */
        {"Fri, 31 Dec 2100 23:59:59 GMT", 0, 300000}, /* far future: capped */
        /* fuzz_retry_after: a year past what milliseconds in int64 hold
         * (curl_getdate reads it); its * 1000 overflowed (UBSan) */
        {"Dec999999999&s6", 0, 300000},
        {"", -1, 0},
        {"   ", -1, 0},
        {"soon", -1, 0},
        {"-5", -1, 0},
        {"1.5", -1, 0},
        {"10s", -1, 0},
        {"10 20", -1, 0},
        {"Sun, 06 Nov", -1, 0},
        {"Someday, 99 Foo 1994 99:99:99 GMT", -1, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int64_t ms = -7;
        int rc = http_retry_after_ms(cases[i].v, now, cap, &ms);
        if (rc != cases[i].rc || (rc == 0 && ms != cases[i].ms))
            fail_msg("case %zu '%s': rc %d ms %lld, want rc %d ms %lld", i, cases[i].v, rc,
                     (long long)ms, cases[i].rc, (long long)cases[i].ms);
    }
    int64_t ms;
    assert_int_equal(http_retry_after_ms(NULL, now, cap, &ms), -1);
    assert_int_equal(http_retry_after_ms("5", now, 0, &ms), 0);
    assert_int_equal(ms, 0);
    assert_int_equal(http_retry_after_ms("5", now, INT64_MAX, &ms), 0);
    assert_int_equal(ms, 5000);
}

/* The Date header as the API's clock (http_response_t.date_ms). */
static void test_date(void **state)
{
    (void)state;
    static const struct {
        const char *v;
        int rc;
        int64_t ms;
    } cases[] = {
        {"Sun, 06 Nov 1994 08:49:37 GMT", 0, 784111777000LL}, /* IMF-fixdate */
        {" Sun, 06 Nov 1994 08:49:37 GMT\r\n", 0, 784111777000LL},
        {"Sunday, 06-Nov-94 08:49:37 GMT", 0, 784111777000LL}, /* RFC 850 */
        {"Sun Nov  6 08:49:37 1994", 0, 784111777000LL},       /* asctime */
        {"Tue, 01 Dec 2026 15:56:29 GMT", 0, 1796140589000LL},
        {"", -1, 0},
        {"   ", -1, 0},
        {"yesterday", -1, 0},
        {"1700000000", -1, 0}, /* not an HTTP-date */
        {"Someday, 99 Foo 1994 99:99:99 GMT", -1, 0},
        /* a year past what milliseconds in int64 hold (curl_getdate
         * reads it): not a date, not an overflow (UBSan) */
        {"Dec999999999&s6", -1, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int64_t ms = -7;
        int rc = http_date_ms(cases[i].v, &ms);
        if (rc != cases[i].rc || (rc == 0 && ms != cases[i].ms) || (rc != 0 && ms != -7))
            fail_msg("case %zu '%s': rc %d ms %lld, want rc %d ms %lld", i, cases[i].v, rc,
                     (long long)ms, cases[i].rc, (long long)cases[i].ms);
    }
    int64_t ms;
    assert_int_equal(http_date_ms(NULL, &ms), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_retry_after),
        cmocka_unit_test(test_date),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
