/*
 * test_bodytext.c - a page body as UTF-8, whatever its answer declares
 * (bodytext.h): valid UTF-8 is read as it is, other bytes as the charset
 * declared, when they are of it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "bodytext.h"

static void test_bodies(void **state)
{
    static const struct {
        const char *name, *body, *charset;
        bodytext_t want;
        const char *text; /* BODYTEXT_CONVERTED: what it becomes */
        size_t len;       /* of body, when it holds a NUL (else 0) */
    } cases[] = {
        {"no charset", "{\"n\":\"M\xfcller\"}", "", BODYTEXT_AS_IS, NULL, 0},
        {"UTF-8 declared", "{\"n\":\"M\xc3\xbcller\"}", "UTF-8", BODYTEXT_AS_IS, NULL, 0},
        /* a Java server's default label on UTF-8: read as UTF-8, not "MÃ¼ller" */
        {"UTF-8 labelled ISO-8859-1", "{\"n\":\"M\xc3\xbcller\"}", "ISO-8859-1", BODYTEXT_AS_IS,
         NULL, 0},
        {"ASCII labelled ISO-8859-1", "{\"n\":\"Muller\"}", "ISO-8859-1", BODYTEXT_AS_IS, NULL, 0},
        {"Latin-1", "{\"n\":\"M\xfcller\"}", "ISO-8859-1", BODYTEXT_CONVERTED,
         "{\"n\":\"M\xc3\xbcller\"}", 0},
        {"windows-1252", "{\"n\":\"\x80 5\"}", "windows-1252", BODYTEXT_CONVERTED,
         "{\"n\":\"\xe2\x82\xac 5\"}", 0},
        {"Shift_JIS", "{\"n\":\"\x93\xfa\x96\x7b\"}", "Shift_JIS", BODYTEXT_CONVERTED,
         "{\"n\":\"\xe6\x97\xa5\xe6\x9c\xac\"}", 0},
        /* UTF-8 labelled ISO-8859-1 with one stray byte: still UTF-8 */
        {"UTF-8 with a stray byte", "[{\"n\":\"M\xc3\xbcller\"},{\"n\":\"\xe9\"}]", "ISO-8859-1",
         BODYTEXT_AS_IS, NULL, 0},
        /* UTF-16 of ASCII is not UTF-8 for its NUL bytes */
        {"UTF-16LE, ASCII only", "{\0}\0", "utf-16le", BODYTEXT_CONVERTED, "{}", 4},
        /* 0x81 is no character of windows-1252 */
        {"not of the charset", "{\"n\":\"\x81\"}", "windows-1252", BODYTEXT_UNREADABLE, NULL, 0},
        {"unknown charset", "{\"n\":\"M\xfcller\"}", "x-no-such-charset", BODYTEXT_UNREADABLE, NULL,
         0},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *out = (char *)"unset";
        size_t out_len = 99;
        bodytext_t got =
            bodytext_utf8(cases[i].body, cases[i].len ? cases[i].len : strlen(cases[i].body),
                          cases[i].charset, &out, &out_len);
        if (got != cases[i].want)
            fail_msg("%s: %d, want %d", cases[i].name, (int)got, (int)cases[i].want);
        if (got != BODYTEXT_CONVERTED) {
            if (out)
                fail_msg("%s: an output for a body read as it is", cases[i].name);
            continue;
        }
        if (out_len != strlen(cases[i].text) || strcmp(out, cases[i].text) != 0)
            fail_msg("%s: '%s', want '%s'", cases[i].name, out, cases[i].text);
        free(out);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bodies),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
