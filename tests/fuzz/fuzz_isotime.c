/*
 * fuzz_isotime.c - isotime_parse on any text; whatever parses formats and
 * parses back to the same instant (and a date-only value to its day).
 */
#include "fuzz.h"
#include "isotime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_cstr(data, size), err[256], buf[ISOTIME_BUFSIZE * 2];
    int64_t ms, back;
    int date_only = -1, d2 = -1;

    if (isotime_parse(s, &ms, &date_only, err, sizeof(err)) == 0) {
        FUZZ_CHECK(date_only == 0 || date_only == 1, "date_only %d", date_only);
        isotime_format(ms, buf, sizeof(buf));
        FUZZ_CHECK(isotime_parse(buf, &back, &d2, err, sizeof(err)) == 0,
                   "'%s' -> %lld -> '%s' does not parse: %s", s, (long long)ms, buf, err);
        FUZZ_CHECK(back == ms && d2 == 0, "'%s' -> %lld -> '%s' -> %lld", s, (long long)ms, buf,
                   (long long)back);
        if (date_only) {
            FUZZ_CHECK(isotime_day_start(ms) == ms, "'%s' is a date, %lld not a day", s,
                       (long long)ms);
            isotime_format_date(ms, buf, sizeof(buf));
            FUZZ_CHECK(isotime_parse(buf, &back, &d2, err, sizeof(err)) == 0 && back == ms &&
                           d2 == 1,
                       "'%s' -> '%s' -> %lld", s, buf, (long long)back);
            FUZZ_CHECK(isotime_days_to_ms(isotime_ms_to_days(ms)) == ms, "'%s' days", s);
        }
    } else {
        FUZZ_CHECK(err[0] != '\0', "'%s' fails without a reason", s);
    }
    free(s);
    return 0;
}
