/*
 * test_pageguess.c - the last value of a name guessed from a body's bytes
 * (producer/pageguess.h), table-driven: what it finds, and where it
 * finds none or the wrong one (a guess the walk checks). No network.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "jsonnum.h"
#include "pageguess.h"

#define ZEROS64 "0000000000000000000000000000000000000000000000000000000000000000"

/* Each case: the body, then the value found as compact JSON ("" = none). */
static void test_last_value(void **state)
{
    (void)state;
    static const struct {
        const char *body, *want;
    } cases[] = {
        {"{\"data\":[{\"id\":1,\"u\":\"2024-01-01T00:00:00Z\"},{\"id\":2,\"u\":\"2024-01-02\"}]}",
         "\"2024-01-02\""},
        /* white space around the colon, a body that is the array */
        {"[ {\"u\" : \"a\"} ,\n {\"u\"  :\r\n\t\"b\"} ]", "\"b\""},
        /* epoch seconds and milliseconds; a fraction, an exponent and an
         * integer beyond int64 kept as their text (num:), as the page
         * reader keeps them */
        {"[{\"u\":1700000000}]", "1700000000"},
        {"[{\"u\":-5,\"x\":1},{\"u\":1.5e3, \"id\":7}]", "num:1.5e3"},
        {"[{\"u\":1700000000.25}]", "num:1700000000.25"},
        {"[{\"u\":123456789012345678901234567890}]", "num:123456789012345678901234567890"},
        /* the int64 limits: inside a json_integer, past them text */
        {"[{\"u\":-9223372036854775808}]", "-9223372036854775808"},
        {"[{\"u\":9223372036854775808}]", "num:9223372036854775808"},
        {"[{\"u\":-0}]", "0"},
        /* the name as a value, or ending another name, is no member of it */
        {"[{\"u\":\"x\",\"note\":\"u\"}]", "\"x\""},
        {"[{\"u\":\"x\",\"xu\":\"y\"}]", "\"x\""},
        {"[{\"u\":\"x\",\"tags\":[\"u\",\"u\"]}]", "\"x\""},
        /* the envelope after the records: its member, a wrong guess */
        {"{\"data\":[{\"u\":\"a\"}],\"meta\":{\"u\":\"z\"}}", "\"z\""},
        /* none: no such member, an escape, another kind of value */
        {"[{\"id\":1}]", ""},
        {"[]", ""},
        {"", ""},
        {"[{\"u\":\"2024\\u002d01\"}]", ""},
        {"[{\"u\":null}]", ""},
        {"[{\"u\":true}]", ""},
        {"[{\"u\":{\"a\":1}}]", ""},
        {"[{\"u\":[1]}]", ""},
        /* no JSON number, bytes that are not UTF-8, a control */
        {"[{\"u\":01}]", ""},
        {"[{\"u\":1.}]", ""},
        {"[{\"u\":-}]", ""},
        /* a number token of 128 bytes or more: no cursor or token is one */
        {"[{\"u\":1" ZEROS64 ZEROS64 "}]", ""},
        {"[{\"u\":\"\xff\"}]", ""},
        {"[{\"u\":\"a\tb\"}]", ""},
        /* a body cut short */
        {"[{\"u\":\"2024", ""},
        {"[{\"u\":", ""},
        {"[{\"u\"", ""},
        {"\"u\"", ""},
        {"u\":1", ""},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        json_t *v = NULL;
        int found = pageguess_last_value(cases[i].body, strlen(cases[i].body), "u", &v);
        char num[160], *got = NULL;
        if (found && jsonnum_is(v)) {
            snprintf(num, sizeof(num), "num:%s", jsonnum_text(v));
            got = strdup(num);
        } else if (found) {
            got = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        }
        if (strcmp(got ? got : "", cases[i].want) != 0)
            fail_msg("case %zu (%s): got %s, want %s", i, cases[i].body, got ? got : "none",
                     cases[i].want);
        assert_int_equal(found, cases[i].want[0] != '\0');
        free(got);
        json_decref(v);
    }
}

/* Only len bytes are read: a body is not NUL-terminated. */
static void test_reads_len_bytes(void **state)
{
    (void)state;
    static const char body[] = "[{\"u\":\"a\"},{\"u\":\"b\"}]";
    json_t *v = NULL;
    /* cut inside the second record: its name is there, its value not */
    size_t cut = strstr(body, "\"b\"") - body + 2;
    assert_int_equal(pageguess_last_value(body, cut, "u", &v), 0);
    cut = strstr(body, ",{") - body;
    assert_int_equal(pageguess_last_value(body, cut, "u", &v), 1);
    assert_string_equal(json_string_value(v), "a");
    json_decref(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_last_value),
        cmocka_unit_test(test_reads_len_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
