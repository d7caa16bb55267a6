/*
 * fuzz_retry_after.c - http_retry_after_ms on any header value: the wait
 * it gives is never negative and never above the cap; http_date_ms (the
 * Date header) on the same value: a date it gives is after the epoch.
 */
#include "fuzz.h"
#include "http_date.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const int64_t now = 1795608000000; /* 2026-11-25T12:00:00Z */
    static const int64_t caps[] = {0, 1000, 3600000, INT64_MAX};
    char *s = fuzz_cstr(data, size);

    for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
        int64_t wait = -12345;
        if (http_retry_after_ms(s, now, caps[i], &wait) == 0)
            FUZZ_CHECK(wait >= 0 && wait <= caps[i], "'%s' cap %lld: wait %lld", s,
                       (long long)caps[i], (long long)wait);
        int64_t w2 = -12345;
        if (http_retry_after_ms(s, 0, caps[i], &w2) == 0)
            FUZZ_CHECK(w2 >= 0 && w2 <= caps[i], "'%s' at epoch 0: wait %lld", s, (long long)w2);
    }
    int64_t date = -12345;
    if (http_date_ms(s, &date) == 0)
        FUZZ_CHECK(date > 0, "'%s': date %lld", s, (long long)date);
    free(s);
    return 0;
}
