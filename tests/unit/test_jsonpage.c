/*
 * test_jsonpage.c - the page reader (producer/jsonpage.h) and numbers kept
 * as text (common/jsonnum.h), table-driven: good pages and their exact
 * values, each kind of bad record isolated with its reason and raw bytes,
 * and bodies that are not JSON failing whole.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "json_arena.h"
#include "jsonpage.h"
#include "jsonnum.h"
#include "pager.h"

#define MAX_BAD 4

struct bad_want {
    int index; /* -1: no more */
    const char *reason;
    const char *raw;
};

struct page_case {
    const char *name;
    const char *path;
    const char *body;
    const char *records; /* jsonnum_dumps of the records array; NULL: none */
    struct bad_want bad[MAX_BAD];
};

#define NO_BAD                                                                                     \
    {                                                                                              \
        {                                                                                          \
            -1, NULL, NULL                                                                         \
        }                                                                                          \
    }

static char *dump(const json_t *v)
{
    char *s = jsonnum_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    assert_non_null(s);
    return s;
}

static void check_page(const struct page_case *c)
{
    jsonpage_t pg;
    char err[256] = "";
    int rc = jsonpage_parse(c->body, strlen(c->body), c->path, &pg, err, sizeof(err));
    if (rc != 0)
        print_error("case '%s': error '%s'\n", c->name, err);
    assert_int_equal(rc, 0);
    if (!c->records) {
        assert_null(pg.records);
    } else {
        assert_non_null(pg.records);
        char *got = dump(pg.records);
        if (strcmp(got, c->records) != 0)
            print_error("case '%s': records %s, want %s\n", c->name, got, c->records);
        assert_string_equal(got, c->records);
        free(got);
    }
    size_t n = 0;
    while (n < MAX_BAD && c->bad[n].index >= 0)
        n++;
    if (pg.n_bad != n)
        print_error("case '%s': %zu bad items, want %zu (first: %s)\n", c->name, pg.n_bad, n,
                    pg.n_bad ? pg.bad[0].reason : "-");
    assert_int_equal(pg.n_bad, n);
    for (size_t i = 0; i < n; i++) {
        const jsonpage_bad_t *b = &pg.bad[i];
        if (strcmp(b->reason, c->bad[i].reason) != 0)
            print_error("case '%s': bad %zu reason '%s', want '%s'\n", c->name, i, b->reason,
                        c->bad[i].reason);
        assert_int_equal(b->index, (size_t)c->bad[i].index);
        assert_string_equal(b->reason, c->bad[i].reason);
        assert_int_equal(b->raw_len, strlen(c->bad[i].raw));
        assert_memory_equal(b->raw, c->bad[i].raw, b->raw_len);
        assert_memory_equal(c->body + b->offset, b->raw, b->raw_len);
    }
    jsonpage_clear(&pg);
    assert_null(pg.root);
}

static void test_good_pages(void **state)
{
    (void)state;
    static const struct page_case cases[] = {
        {"bare array", "", "[{\"id\":1,\"n\":\"a\"},{\"id\":2}]",
         "[{\"id\":1,\"n\":\"a\"},{\"id\":2}]", NO_BAD},
        {"path NULL is the root", NULL, "[1,2]", "[1,2]", NO_BAD},
        {"whitespace everywhere", "", " \n\t[ 1 ,\r\n 2 ] \n", "[1,2]", NO_BAD},
        {"empty array", "data", "{\"data\":[]}", "[]", NO_BAD},
        {"nested records.path", "result.items",
         "{\"result\":{\"total\":2,\"items\":[{\"id\":\"a\"},{\"id\":\"b\"}]},\"next\":null}",
         "[{\"id\":\"a\"},{\"id\":\"b\"}]", NO_BAD},
        {"no array at the path", "data", "{\"data\":{\"id\":1}}", NULL, NO_BAD},
        {"path not found", "data", "{\"items\":[1]}", NULL, NO_BAD},
        {"null at the path: an empty page (Go's nil slice)", "data",
         "{\"data\":null,\"next\":\"t\"}", "[]", NO_BAD},
        {"null at a nested path", "result.items", "{\"result\":{\"items\":null}}", "[]", NO_BAD},
        {"null at the path of an error answer: no page", "data",
         "{\"data\":null,\"error\":\"rate limited\"}", NULL, NO_BAD},
        {"null at the path, errors empty: an empty page", "data", "{\"data\":null,\"errors\":[]}",
         "[]", NO_BAD},
        {"path elsewhere than the root array", "data", "[1]", NULL, NO_BAD},
        {"valid escapes and UTF-8", "",
         "[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\u20AC\\ud83d\\ude80 Zo\xc3\xab \xe6\x9d\xb1 "
         "\xf0\x9f\x9a\x80 \xf4\x8f\xbf\xbf\x7f\"]",
         "[\"\\\"\\\\/\\b\\f\\n\\r\\t\xc3\xa9\xe2\x82\xac\xf0\x9f\x9a\x80 Zo\xc3\xab "
         "\xe6\x9d\xb1 \xf0\x9f\x9a\x80 \xf4\x8f\xbf\xbf\x7f\"]",
         NO_BAD},
        {"escaped member names", "", "[{\"a\\u0062\":1,\"\\u00e9\":{\"x\\ty\":[true,false,null]}}]",
         "[{\"ab\":1,\"\xc3\xa9\":{\"x\\ty\":[true,false,null]}}]", NO_BAD},
        {"numbers keep their text", "",
         "[12345678901234567.89,1e400,-1E-400,0.10,1.5E+3,-0.0,0,-0,"
         "99999999999999999999,-99999999999999999999]",
         "[12345678901234567.89,1e400,-1E-400,0.10,1.5E+3,-0.0,0,0,"
         "99999999999999999999,-99999999999999999999]",
         NO_BAD},
        {"int64 limits", "",
         "[9223372036854775807,-9223372036854775808,9223372036854775808,"
         "-9223372036854775809]",
         "[9223372036854775807,-9223372036854775808,9223372036854775808,"
         "-9223372036854775809]",
         NO_BAD},
        {"a big integer in a member nobody reads", "data",
         "{\"data\":[{\"id\":7,\"ignored\":123456789012345678901234567890,"
         "\"also\":1e400}]}",
         "[{\"id\":7,\"ignored\":123456789012345678901234567890,\"also\":1e400}]", NO_BAD},
        {"duplicate members: the last wins", "", "[{\"a\":1,\"a\":2}]", "[{\"a\":2}]", NO_BAD},
        {"a UTF-8 byte order mark first", "data", "\xef\xbb\xbf{\"data\":[{\"id\":1}]}",
         "[{\"id\":1}]", NO_BAD},
        {"a byte order mark not first: a bad record",
         "",
         "[\xef\xbb\xbf"
         "1,2]",
         "[null,2]",
         {{0, "unexpected byte 0xef (expected a value) at offset 0 of the record",
           "\xef\xbb\xbf"
           "1"},
          {-1, NULL, NULL}}},
        {"records path key that is not an array elsewhere", "data",
         "{\"meta\":{\"data\":5},\"data\":[1]}", "[1]", NO_BAD},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        check_page(&cases[i]);
}

/* The string a byte is put into: longer than two of the scanner's
 * sixteen-byte turns, so that the byte meets every lane of a turn and the
 * bytes after the last whole turn. */
#define PLAIN_STRING     "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN"
#define PLAIN_STRING_LEN (sizeof(PLAIN_STRING) - 1)

/* What a string with byte c at position at of PLAIN_STRING must become:
 * itself for a byte 0x20-0x7f, a bad item naming the byte for a
 * control character or a lone byte >= 0x80. */
static void check_byte_in_string(unsigned c, size_t at)
{
    char body[PLAIN_STRING_LEN + 8], want[PLAIN_STRING_LEN + 2];
    const size_t n = sizeof("[\"" PLAIN_STRING "\"]"); /* the body's bytes and c */
    memcpy(body, "[\"" PLAIN_STRING "\"]", n);
    memmove(body + 2 + at + 1, body + 2 + at, n - 2 - at);
    body[2 + at] = (char)c;
    jsonpage_t pg;
    char err[256] = "";
    assert_int_equal(jsonpage_parse(body, n, "", &pg, err, sizeof(err)), 0);
    assert_int_equal(json_array_size(pg.records), 1);
    const json_t *got = json_array_get(pg.records, 0);
    if (c >= 0x20 && c < 0x80) {
        memcpy(want, PLAIN_STRING, PLAIN_STRING_LEN + 1);
        memmove(want + at + 1, want + at, PLAIN_STRING_LEN + 1 - at);
        want[at] = (char)c;
        if (pg.n_bad != 0 || !json_is_string(got) || strcmp(json_string_value(got), want) != 0)
            print_error("byte 0x%02x at %zu: not read as itself\n", c, at);
        assert_int_equal(pg.n_bad, 0);
        assert_string_equal(json_string_value(got), want);
    } else {
        char reason[JSONPAGE_REASON_SIZE];
        snprintf(reason, sizeof(reason),
                 c < 0x20 ? "control character 0x%02x in a string at offset %zu of the record"
                          : "invalid UTF-8 (byte 0x%02x) at offset %zu of the record",
                 c, at + 1);
        if (pg.n_bad != 1 || strcmp(pg.bad[0].reason, reason) != 0)
            print_error("byte 0x%02x at %zu: %zu bad items (%s)\n", c, at, pg.n_bad,
                        pg.n_bad ? pg.bad[0].reason : "-");
        assert_int_equal(pg.n_bad, 1);
        assert_string_equal(pg.bad[0].reason, reason);
        assert_true(json_is_null(got));
    }
    jsonpage_clear(&pg);
}

/* Strings of every length around the turns end where their quote is. */
static void check_string_length(size_t len)
{
    char body[PLAIN_STRING_LEN + 8];
    size_t n = (size_t)snprintf(body, sizeof(body), "[\"%.*s\"]", (int)len, PLAIN_STRING);
    jsonpage_t pg;
    char err[256] = "";
    assert_int_equal(jsonpage_parse(body, n, "", &pg, err, sizeof(err)), 0);
    assert_int_equal(pg.n_bad, 0);
    const json_t *got = json_array_get(pg.records, 0);
    assert_int_equal(json_string_length(got), len);
    assert_memory_equal(json_string_value(got), PLAIN_STRING, len);
    jsonpage_clear(&pg);
}

static void test_every_byte_in_a_string(void **state)
{
    (void)state;
    for (unsigned c = 0; c < 256; c++) {
        if (c == '"' || c == '\\') /* the string's end, an escape: test_bad_records */
            continue;
        for (size_t at = 0; at <= PLAIN_STRING_LEN; at++)
            check_byte_in_string(c, at);
    }
    for (size_t len = 0; len <= PLAIN_STRING_LEN; len++)
        check_string_length(len);
}

static void test_bad_records(void **state)
{
    (void)state;
    static const struct page_case cases[] = {
        {"Latin-1 byte",
         "data",
         "{\"data\":[{\"id\":1,\"name\":\"Jos\xe9\"},{\"id\":2}]}",
         "[{\"id\":1,\"name\":null},{\"id\":2}]",
         {{0, "invalid UTF-8 (byte 0xe9) at offset 19 of the record",
           "{\"id\":1,\"name\":\"Jos\xe9\"}"},
          {-1, NULL, NULL}}},
        {"\\u0000",
         "",
         "[{\"id\":1,\"n\":\"a\\u0000b\"},3]",
         "[{\"id\":1,\"n\":null},3]",
         {{0, "\\u0000 in a string at offset 14 of the record", "{\"id\":1,\"n\":\"a\\u0000b\"}"},
          {-1, NULL, NULL}}},
        {"lone high surrogate",
         "",
         "[1,{\"id\":2,\"n\":\"\\ud800x\"}]",
         "[1,{\"id\":2,\"n\":null}]",
         {{1, "lone surrogate \\ud800 at offset 13 of the record", "{\"id\":2,\"n\":\"\\ud800x\"}"},
          {-1, NULL, NULL}}},
        {"lone low surrogate",
         "",
         "[\"\\uDC00\"]",
         "[null]",
         {{0, "lone surrogate \\udc00 at offset 1 of the record", "\"\\uDC00\""},
          {-1, NULL, NULL}}},
        {"high surrogate then no low one",
         "",
         "[\"\\ud83d\\u0041\"]",
         "[null]",
         {{0, "lone surrogate \\ud83d at offset 1 of the record", "\"\\ud83d\\u0041\""},
          {-1, NULL, NULL}}},
        /* fuzz_convert: a name of bad bytes only, so nothing in the
         * string buffer (once memcpy from NULL: UBSan) */
        {"member name of one bad byte",
         "",
         "[{\"\x87\":1,\"id\":2}]",
         "[{\"id\":2}]",
         {{0, "invalid UTF-8 (byte 0x87) at offset 2 of the record", "{\"\x87\":1,\"id\":2}"},
          {-1, NULL, NULL}}},
        {"overlong UTF-8",
         "",
         "[\"\xc0\xaf\"]",
         "[null]",
         {{0, "invalid UTF-8 (byte 0xc0) at offset 1 of the record", "\"\xc0\xaf\""},
          {-1, NULL, NULL}}},
        {"UTF-8 encoded surrogate",
         "",
         "[\"\xed\xa0\x80\"]",
         "[null]",
         {{0, "invalid UTF-8 (byte 0xed) at offset 1 of the record", "\"\xed\xa0\x80\""},
          {-1, NULL, NULL}}},
        {"beyond U+10FFFF",
         "",
         "[\"\xf4\x90\x80\x80\"]",
         "[null]",
         {{0, "invalid UTF-8 (byte 0xf4) at offset 1 of the record", "\"\xf4\x90\x80\x80\""},
          {-1, NULL, NULL}}},
        {"truncated sequence",
         "",
         "[\"\xe2\x82\"]",
         "[null]",
         {{0, "invalid UTF-8 (byte 0xe2) at offset 1 of the record", "\"\xe2\x82\""},
          {-1, NULL, NULL}}},
        {"raw control character",
         "",
         "[\"a\nb\"]",
         "[null]",
         {{0, "control character 0x0a in a string at offset 2 of the record", "\"a\nb\""},
          {-1, NULL, NULL}}},
        {"invalid escapes",
         "",
         "[\"\\x\",\"\\u12\"]",
         "[null,null]",
         {{0, "invalid escape \\x at offset 1 of the record", "\"\\x\""},
          {1, "invalid \\u escape at offset 1 of the record", "\"\\u12\""},
          {-1, NULL, NULL}}},
        {"a bad member name leaves its member out",
         "",
         "[{\"id\":1,\"n\xe9\":2,\"m\":3}]",
         "[{\"id\":1,\"m\":3}]",
         {{0, "invalid UTF-8 (byte 0xe9) at offset 10 of the record",
           "{\"id\":1,\"n\xe9\":2,\"m\":3}"},
          {-1, NULL, NULL}}},
        {"NaN and Infinity",
         "",
         "[{\"id\":1,\"x\":NaN},{\"id\":2,\"y\":-Infinity},{\"id\":3}]",
         "[{\"id\":1,\"x\":null},{\"id\":2,\"y\":null},{\"id\":3}]",
         {{0, "invalid value 'NaN' at offset 12 of the record", "{\"id\":1,\"x\":NaN}"},
          {1, "invalid value '-Infinity' at offset 12 of the record", "{\"id\":2,\"y\":-Infinity}"},
          {-1, NULL, NULL}}},
        {"a syntax error inside a record",
         "data",
         "{\"data\":[{\"id\":1 \"x\":2}, {\"id\":2}]}",
         "[null,{\"id\":2}]",
         {{0, "unexpected '\"' (expected ',' or '}') at offset 8 of the record",
           "{\"id\":1 \"x\":2}"},
          {-1, NULL, NULL}}},
        /* an unescaped quote: "The "Best" Co" has two, so quotes still pair */
        {"two unescaped quotes in a string",
         "",
         "[{\"id\":1,\"n\":\"The \"Best\" Co\",\"m\":2},{\"id\":2}]",
         "[null,{\"id\":2}]",
         {{0, "unexpected 'B' (expected ',' or '}') at offset 18 of the record",
           "{\"id\":1,\"n\":\"The \"Best\" Co\",\"m\":2}"},
          {-1, NULL, NULL}}},
        /* one unescaped quote, and an escaped one in a later record: the
         * records in between are neither swallowed nor lost */
        {"one unescaped quote in a string",
         "",
         "[{\"id\":1,\"n\":\"a 13\" screen\",\"m\":2},{\"id\":2},"
         "{\"id\":3,\"n\":\"15\\\" laptop\"},{\"id\":4}]",
         "[null,{\"id\":2},{\"id\":3,\"n\":\"15\\\" laptop\"},{\"id\":4}]",
         {{0, "unexpected 's' (expected ',' or '}') at offset 19 of the record",
           "{\"id\":1,\"n\":\"a 13\" screen\",\"m\":2}"},
          {-1, NULL, NULL}}},
        {"one unescaped quote in the last record",
         "data",
         "{\"data\":[{\"id\":1},{\"id\":2,\"n\":\"a 13\" screen\"}],\"more\":false}",
         "[{\"id\":1},null]",
         {{1, "unexpected 's' (expected ',' or '}') at offset 19 of the record",
           "{\"id\":2,\"n\":\"a 13\" screen\"}"},
          {-1, NULL, NULL}}},
        /* a nested array of objects is no record boundary */
        {"a trailing comma in a record with line items",
         "",
         "[{\"id\":1,\"items\":[{\"s\":1},{\"s\":2}],},{\"id\":2}]",
         "[null,{\"id\":2}]",
         {{0, "unexpected '}' (expected a member name) at offset 34 of the record",
           "{\"id\":1,\"items\":[{\"s\":1},{\"s\":2}],}"},
          {-1, NULL, NULL}}},
        {"a bad byte outside a string inside a record",
         "",
         "[{\"id\":1,\xff},{\"id\":2}]",
         "[null,{\"id\":2}]",
         {{0, "unexpected byte 0xff (expected a member name) at offset 8 of the record",
           "{\"id\":1,\xff}"},
          {-1, NULL, NULL}}},
        {"the first problem is the reason",
         "",
         "[{\"n\":\"\xe9\",\"x\" 1}, 5]",
         "[null,5]",
         {{0, "invalid UTF-8 (byte 0xe9) at offset 6 of the record", "{\"n\":\"\xe9\",\"x\" 1}"},
          {-1, NULL, NULL}}},
        {"several bad records keep their index",
         "",
         "[\"\xe9\", 1 ,\"\\u0000\" , {\"a\":[\"\\ud800\"]} ]",
         "[null,1,null,{\"a\":[null]}]",
         {{0, "invalid UTF-8 (byte 0xe9) at offset 1 of the record", "\"\xe9\""},
          {2, "\\u0000 in a string at offset 1 of the record", "\"\\u0000\""},
          {3, "lone surrogate \\ud800 at offset 7 of the record", "{\"a\":[\"\\ud800\"]}"},
          {-1, NULL, NULL}}},
        {"nested arrays and strings with brackets in a bad record",
         "",
         "[{\"a\":[{\"b\":\"]}\\\"\"}],\"c\":\"\xe9\"},7]",
         "[{\"a\":[{\"b\":\"]}\\\"\"}],\"c\":null},7]",
         {{0, "invalid UTF-8 (byte 0xe9) at offset 25 of the record",
           "{\"a\":[{\"b\":\"]}\\\"\"}],\"c\":\"\xe9\"}"},
          {-1, NULL, NULL}}},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        check_page(&cases[i]);
}

/* Tokens that are no JSON value: more bad items than a table row holds. */
static void test_bad_tokens(void **state)
{
    (void)state;
    static const char body[] = "[01,1.,.5,+1,1e,-,tru,nulls,2]";
    static const char *const raw[] = {"01", "1.", ".5", "+1", "1e", "-", "tru", "nulls"};
    static const char *const want[] = {
        "invalid value '01'", "invalid value '1.'", "invalid value '.5'",  "invalid value '+1'",
        "invalid value '1e'", "invalid value '-'",  "invalid value 'tru'", "invalid value 'nulls'",
    };
    jsonpage_t pg;
    char err[256];
    assert_int_equal(jsonpage_parse(body, strlen(body), "", &pg, err, sizeof(err)), 0);
    assert_int_equal(pg.n_bad, 8);
    for (size_t i = 0; i < 8; i++) {
        char full[JSONPAGE_REASON_SIZE];
        snprintf(full, sizeof(full), "%s at offset 0 of the record", want[i]);
        assert_int_equal(pg.bad[i].index, i);
        assert_string_equal(pg.bad[i].reason, full);
        assert_string_equal(pg.bad[i].raw, raw[i]);
        assert_true(json_is_null(json_array_get(pg.records, i)));
    }
    assert_int_equal(json_integer_value(json_array_get(pg.records, 8)), 2);
    jsonpage_clear(&pg);
}

static void test_not_json(void **state)
{
    (void)state;
    static const struct {
        const char *name, *path, *body, *err;
    } cases[] = {
        {"empty", "data", "", "unexpected end of the body (expected a value) at byte 0"},
        {"only whitespace", "data", " \n",
         "unexpected end of the body (expected a value) at byte 2"},
        {"HTML", "data", "<html>", "unexpected '<' (expected a value) at byte 0"},
        {"truncated inside a record", "", "[{\"id\":1},{\"id\":2",
         "record 1: unexpected end of the body (expected ',' or '}') at byte 17"},
        {"truncated inside a string", "", "[{\"id\":1},{\"id\":\"ab",
         "record 1: unexpected end of the body in a string at byte 19"},
        {"truncated after the records", "data", "{\"data\":[{\"id\":1}]",
         "unexpected end of the body (expected ',' or '}') at byte 18"},
        {"trailing garbage", "", "[1] x",
         "unexpected 'x' (expected the end of the body) at byte 4"},
        {"two documents", "", "[1][2]", "unexpected '[' (expected the end of the body) at byte 3"},
        {"mismatched brackets in a bad record", "", "[{\"x\":[1,2}},{\"id\":2}]",
         "record 0: unexpected '}' (expected ',' or ']') at byte 10"},
        {"empty element", "", "[1,,2]", "record 1: unexpected ',' (expected a value) at byte 3"},
        {"trailing comma", "", "[1,]", "record 1: unexpected ']' (expected a value) at byte 3"},
        {"missing comma between records", "", "[{\"a\":1} {\"b\":2}]",
         "unexpected '{' (expected ',' or ']' after a record) at byte 9"},
        {"UTF-16, little-endian", "data", "\xff\xfe{\0}\0",
         "it starts with a UTF-16 byte order mark (FF FE): JSON between systems is UTF-8 (RFC "
         "8259), which is what tidemark reads"},
        {"UTF-16, big-endian", "data", "\xfe\xff\0{\0}",
         "it starts with a UTF-16 byte order mark (FE FF): JSON between systems is UTF-8 (RFC "
         "8259), which is what tidemark reads"},
        {"two arrays at records.path", "data", "{\"data\":[1],\"data\":[2]}",
         "a second array at records.path at byte 19"},
        {"records.path replaced by a later member", "data", "{\"data\":[1],\"data\":5}",
         "records.path names more than one member at byte 0"},
        {"two byte order marks", "", "\xef\xbb\xbf\xef\xbb\xbf[]",
         "unexpected byte 0xef (expected a value) at byte 3"},
        /* a record cut short inside a string: its end is the next one's */
        {"a record cut short inside a string", "",
         "[{\"id\":1,\"name\":\"a long name cut sh, {\"id\":2,\"name\":\"b\"}, {\"id\":3}]",
         "record 0: unexpected 'i' (expected ',' or '}') (where the record ends cannot be told, "
         "and a guess might take the next records into its dead letter) at byte 39"},
        /* cut right after a backslash (a Windows path): "\," escapes
         * nothing, and the next record's start is seen */
        {"a record cut short after a backslash", "",
         "[{\"id\":1,\"path\":\"C:\\, {\"id\":2,\"n\":\"b\"}, {\"id\":3}]",
         "record 0: unexpected 'i' (expected ',' or '}') (where the record ends cannot be told, "
         "and a guess might take the next records into its dead letter) at byte 24"},
        /* unescaped quotes that no reading of them pairs up before the
         * next records: isolating record 1 as one bad item would lose
         * records 2 to 4 in its dead letter */
        {"a bad record whose end cannot be told", "",
         "[{\"id\":1,\"n\":\"\"},{\"id\":2,\"n\":\"] ]\",ab\"},{\"id\":3,\"n\":\" b b\"},"
         "{\"id\":4,\"n\":\"\"},{\"id\":5,\"n\":\"\",\"}]",
         "record 1: unexpected 'a' (expected a member name) (where the record ends cannot be "
         "told, and a guess might take the next records into its dead letter) at byte 35"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        jsonpage_t pg;
        char err[256] = "";
        int rc = jsonpage_parse(cases[i].body, strlen(cases[i].body), cases[i].path, &pg, err,
                                sizeof(err));
        if (rc != -1 || strcmp(err, cases[i].err) != 0)
            print_error("case '%s': rc %d, error '%s', want '%s'\n", cases[i].name, rc, err,
                        cases[i].err);
        assert_int_equal(rc, -1);
        assert_string_equal(err, cases[i].err);
        assert_null(pg.root);
        assert_null(pg.records);
        assert_int_equal(pg.n_bad, 0);
    }
}

/* more.path's reader: a page walk (records [] asked at page 1) with the
 * flag at more; its advance's rc and errstr. */
static int read_more(const jsonpage_t *pg, const char *more, char *err, size_t err_size)
{
    stream_conf_t sc = {0};
    sc.name = "s";
    sc.url = "http://127.0.0.1:1/items";
    sc.cursor_field = "updated";
    sc.id_field = "id";
    sc.cursor_param = "since";
    sc.records_path = "data";
    sc.pagination = PAGINATION_PAGE;
    sc.page_param = "p";
    sc.page_size_param = "size";
    sc.page_size = 50;
    sc.page_first = 1;
    sc.page_empty_max = 10;
    sc.more_path = (char *)more;
    pager_walk_t w = {.sc = &sc};
    pager_walk_reset(&w, &pager_page, 0, 0);
    char *url = pager_page.url(&w);
    assert_non_null(url);
    pager_page_t page = {pg->root, pg->records, url, url, NULL, 0, pg};
    int rc = pager_page.advance(&w, &page, err, err_size);
    free(url);
    pager_walk_clear(&w);
    return rc;
}

/*
 * A bad value outside the records (the envelope): the page reads, its
 * records intact, and only a reader that lands on the value (or on a path
 * through it) fails, with the reason the whole page failed with before:
 * an API's free text beside its records must not fail every run, and a
 * next cursor or more flag that cannot be read must not end a walk.
 */
static void test_unreadable_envelope(void **state)
{
    (void)state;
    static const struct {
        const char *name, *path, *body;
        const char *records; /* jsonnum_dumps of the records; NULL: none */
        const char *reader;  /* "records", "error", "next" or "more", reading at probe */
        const char *probe;
        const char *want; /* the reason the reader fails with; NULL: it reads */
    } cases[] = {
        /* nobody reads it: the page and its records read */
        {"a lone surrogate in an unread member", "data",
         "{\"meta\":{\"note\":\"\\ud800\"},\"data\":[{\"id\":1}]}", "[{\"id\":1}]", "records",
         "data", NULL},
        {"a bad byte in an unread member", "data", "{\"meta\":\"\xe9\",\"data\":[{\"id\":1}]}",
         "[{\"id\":1}]", "next", "next", NULL},
        {"\\u0000 in an unread member", "data", "{\"debug\":\"\\u0000\",\"data\":[]}", "[]",
         "error", "error", NULL},
        {"a control character in an unread member", "data",
         "{\"message\":\"a\x01b\",\"data\":[{\"id\":2}]}", "[{\"id\":2}]", "records", "data", NULL},
        {"NaN in an unread member", "data", "{\"total\":NaN,\"data\":[],\"more\":false}", "[]",
         "more", "more", NULL},
        {"01 in an unread member", "data", "{\"count\":01,\"data\":[{\"id\":3}]}", "[{\"id\":3}]",
         "next", "meta.next", NULL},
        {"a bad member name (left out)", "data", "{\"\xe9\":1,\"data\":[{\"id\":4}]}",
         "[{\"id\":4}]", "records", "data", NULL},
        {"a bad value after a bad record", "data",
         "{\"data\":[{\"id\":\"\\ud800\"},{\"id\":5}],\"note\":\"\\udc00\"}",
         "[{\"id\":null},{\"id\":5}]", "next", "next", NULL},
        {"the records elsewhere", "data", "[\"\xe9\"]", NULL, "records", "data", NULL},
        /* a reader lands on it, or on a path through it */
        {"next.path a lone surrogate", "data", "{\"data\":[{\"id\":1}],\"next\":\"\\ud800\"}",
         "[{\"id\":1}]", "next", "next",
         "next.path 'next': lone surrogate \\ud800 at byte 27 (outside the records)"},
        {"next.path through a bad value", "data", "{\"links\":\"\xe9\",\"data\":[]}", "[]", "next",
         "links.next",
         "next.path 'links.next': invalid UTF-8 (byte 0xe9) at byte 10 (outside the "
         "records)"},
        {"next.path named whole", "data", "{\"@odata.nextLink\":\"a\\u0000\",\"data\":[]}", "[]",
         "next", "@odata.nextLink",
         "next.path '@odata.nextLink': \\u0000 in a string at byte 21 (outside the records)"},
        {"next.path a bad number", "data", "{\"cursor\":-01,\"data\":[]}", "[]", "next", "cursor",
         "next.path 'cursor': invalid value '-01' at byte 10 (outside the records)"},
        {"more.path NaN", "data", "{\"data\":[],\"has_more\":NaN}", "[]", "more", "has_more",
         "more.path 'has_more': invalid value 'NaN' at byte 22 (outside the records)"},
        {"more.path a bad literal", "data", "{\"data\":[],\"page\":{\"more\":tru}}", "[]", "more",
         "page.more",
         "more.path 'page.more': invalid value 'tru' at byte 26 (outside the records)"},
        {"records.path a bad string", "data", "{\"data\":\"\\ud800\"}", NULL, "records", "data",
         "lone surrogate \\ud800 at byte 9 (outside the records)"},
        {"records.path through a bad value", "result.items", "{\"result\":\"\xe9\"}", NULL,
         "records", "result.items", "invalid UTF-8 (byte 0xe9) at byte 11 (outside the records)"},
        {"the body a bad string", "", "\"\\udfff\"", NULL, "records", "",
         "lone surrogate \\udfff at byte 1 (outside the records)"},
        {"the body a bad token", "", "NaN", NULL, "records", "",
         "invalid value 'NaN' at byte 0 (outside the records)"},
        {"error a bad string", "data", "{\"data\":[],\"error\":\"\\ud800\"}", "[]", "error",
         "error", "lone surrogate \\ud800 at byte 20 (outside the records)"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        jsonpage_t pg;
        char err[512] = "";
        const char *body = cases[i].body;
        if (jsonpage_parse(body, strlen(body), cases[i].path, &pg, err, sizeof(err)) != 0)
            fail_msg("case '%s': the page fails: %s", cases[i].name, err);
        if (!cases[i].records) {
            assert_null(pg.records);
        } else {
            char *got = dump(pg.records);
            if (strcmp(got, cases[i].records) != 0)
                fail_msg("case '%s': records %s, want %s", cases[i].name, got, cases[i].records);
            free(got);
        }
        const char *reader = cases[i].reader, *probe = cases[i].probe, *why = NULL;
        int rc = 0;
        if (!strcmp(reader, "next")) {
            char *text = NULL;
            rc = pager_next_text(pg.root, &pg, "next.path", probe, &text, err, sizeof(err));
            free(text);
        } else if (!strcmp(reader, "more")) {
            rc = read_more(&pg, probe, err, sizeof(err));
        } else if ((why = jsonpage_unreadable_at(&pg, probe))) { /* records, error */
            rc = -1;
            snprintf(err, sizeof(err), "%s", why);
        }
        if (!cases[i].want && rc < 0)
            fail_msg("case '%s': %s fails: %s", cases[i].name, reader, err);
        if (cases[i].want && (rc >= 0 || !strstr(err, cases[i].want)))
            fail_msg("case '%s': %s: rc %d, '%s', want '%s'", cases[i].name, reader, rc, err,
                     cases[i].want);
        jsonpage_clear(&pg);
        assert_null(pg.unreadable);
        assert_int_equal(pg.n_unreadable, 0);
    }
}

/* Integers that fit int64 are json_integer; every other number is text. */
static void test_number_kinds(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int integer;      /* 1: json_integer */
        long long value;  /* when integer */
        int text_integer; /* jsonnum_is_integer, when kept as text */
    } cases[] = {
        {"0", 1, 0, 0},
        {"-0", 1, 0, 0},
        {"42", 1, 42, 0},
        {"9223372036854775807", 1, INT64_MAX, 0},
        {"-9223372036854775808", 1, INT64_MIN, 0},
        {"9223372036854775808", 0, 0, 1},
        {"-9223372036854775809", 0, 0, 1},
        {"18446744073709551616", 0, 0, 1},
        {"1.0", 0, 0, 0},
        {"1e2", 0, 0, 0},
        {"1e400", 0, 0, 0},
        {"-0.0", 0, 0, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char body[64];
        snprintf(body, sizeof(body), "[%s]", cases[i].text);
        jsonpage_t pg;
        char err[128];
        assert_int_equal(jsonpage_parse(body, strlen(body), "", &pg, err, sizeof(err)), 0);
        json_t *v = json_array_get(pg.records, 0);
        if (cases[i].integer) {
            assert_true(json_is_integer(v));
            assert_int_equal(json_integer_value(v), cases[i].value);
            assert_false(jsonnum_is(v));
        } else {
            assert_true(jsonnum_is(v));
            assert_false(jsonnum_is_string(v));
            assert_string_equal(jsonnum_text(v), cases[i].text);
            assert_int_equal(jsonnum_is_integer(v), cases[i].text_integer);
        }
        jsonpage_clear(&pg);
    }
}

/* Nesting: deep inside a record it is that record's problem. */
static void test_deep_nesting(void **state)
{
    (void)state;
    size_t depth = JSONPAGE_MAX_DEPTH + 10, n = 0;
    char *body = malloc(5 * depth + 64);
    assert_non_null(body);
    n += (size_t)sprintf(body + n, "[1,");
    for (size_t i = 0; i < depth; i++)
        body[n++] = '[';
    for (size_t i = 0; i < depth; i++)
        body[n++] = ']';
    n += (size_t)sprintf(body + n, ",2]");
    jsonpage_t pg;
    char err[256];
    assert_int_equal(jsonpage_parse(body, n, "", &pg, err, sizeof(err)), 0);
    assert_int_equal(json_array_size(pg.records), 3);
    assert_int_equal(pg.n_bad, 1);
    assert_int_equal(pg.bad[0].index, 1);
    assert_int_equal(pg.bad[0].raw_len, 2 * depth);
    char want[128];
    snprintf(want, sizeof(want), "nested deeper than %d levels at offset %d of the record",
             JSONPAGE_MAX_DEPTH, JSONPAGE_MAX_DEPTH - 1);
    assert_string_equal(pg.bad[0].reason, want);
    jsonpage_clear(&pg);

    /* outside the records it fails the page */
    n = 0;
    for (size_t i = 0; i < depth; i++)
        body[n++] = '{', body[n++] = '"', body[n++] = 'a', body[n++] = '"', body[n++] = ':';
    assert_int_equal(jsonpage_parse(body, n, "data", &pg, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "nested deeper than"));
    free(body);
}

/* A page of n records {"id": i, "name": "né", "v": i.25} (v in an array
 * when nested), the one in the middle with a bad byte in its name. */
static char *many_records(size_t n, int nested, size_t *len)
{
    char *body = malloc(n * 64 + 64);
    assert_non_null(body);
    *len = (size_t)sprintf(body, "{\"data\":[");
    for (size_t i = 0; i < n; i++)
        *len += (size_t)sprintf(body + *len, "%s{\"id\":%zu,\"name\":\"%s\",\"v\":%s%zu.25%s}",
                                i ? "," : "", i, i == n / 2 ? "bad\xff" : "n\\u00e9",
                                nested ? "[" : "", i, nested ? "]" : "");
    *len += (size_t)sprintf(body + *len, "]}");
    return body;
}

/* A large page: many records, one bad in the middle. */
static void test_many_records(void **state)
{
    (void)state;
    size_t n = 20000, len;
    char *body = many_records(n, 0, &len);
    jsonpage_t pg;
    char err[256];
    assert_int_equal(jsonpage_parse(body, len, "data", &pg, err, sizeof(err)), 0);
    assert_int_equal(json_array_size(pg.records), n);
    assert_int_equal(pg.n_bad, 1);
    assert_int_equal(pg.bad[0].index, n / 2);
    json_t *last = json_array_get(pg.records, n - 1);
    assert_string_equal(json_string_value(json_object_get(last, "name")), "n\xc3\xa9");
    assert_string_equal(jsonnum_text(json_object_get(last, "v")), "19999.25");
    jsonpage_clear(&pg);
    free(body);
}

static int in_extent(const jsonpage_extent_t *e, const void *p)
{
    uintptr_t a = (uintptr_t)e->at, x = (uintptr_t)p;
    return x >= a && x < a + e->len;
}

/*
 * Each record's extent (what jsonpage_prefetch asks for) holds its values:
 * the object, each member's value and a string's text, for every record,
 * the bad one's stand-in too, in the order of the array. Only a record
 * whose values begin a new arena chunk may have an empty one.
 */
static void test_record_extents(void **state)
{
    (void)state;
    size_t n = 20000, len;
    char *body = many_records(n, 1, &len);
    jsonpage_t pg;
    char err[256];
    assert_int_equal(jsonpage_parse(body, len, "data", &pg, err, sizeof(err)), 0);
    assert_int_equal(pg.n_extents, n);
    size_t empty = 0;
    for (size_t i = 0; i < n; i++) {
        const jsonpage_extent_t *e = &pg.extents[i];
        json_t *rec = json_array_get(pg.records, i), *name = json_object_get(rec, "name"),
               *v = json_object_get(rec, "v");
        if (e->len == 0) {
            empty++;
            continue;
        }
        if (!in_extent(e, rec) || !in_extent(e, json_object_get(rec, "id")) || !in_extent(e, v) ||
            !in_extent(e, json_array_get(v, 0)))
            fail_msg("record %zu: a value outside its extent", i);
        if (i == n / 2) /* the stand-in's name is null */
            assert_true(json_is_null(name));
        else if (!in_extent(e, name) || !in_extent(e, json_string_value(name)))
            fail_msg("record %zu: its name outside its extent", i);
        jsonpage_prefetch(&pg, i);
    }
    /* about a record per 256 KiB chunk starts one */
    assert_true(empty <= n / 100);
    jsonpage_prefetch(&pg, n); /* past the end: nothing */
    jsonpage_clear(&pg);
    assert_int_equal(pg.n_extents, 0);
    jsonpage_prefetch(&pg, 0); /* a cleared page: nothing */
    free(body);
}

static void test_jsonnum_to_plain(void **state)
{
    (void)state;
    static const struct {
        const char *text, *plain; /* plain NULL: -1 */
        size_t size;
    } cases[] = {
        {"0", "0", 64},
        {"-0", "0", 64},
        {"0.000", "0", 64},
        {"0e99999999999999999999", "0", 64},
        {"12", "12", 64},
        {"-12", "-12", 64},
        {"12345678901234567.89", "12345678901234567.89", 64},
        {"1.50", "1.5", 64},
        {"100", "100", 64},
        {"1e3", "1000", 64},
        {"1.5E+3", "1500", 64},
        {"1.25e1", "12.5", 64},
        {"-12e-3", "-0.012", 64},
        {"1e-1", "0.1", 64},
        {"123.456e-5", "0.00123456", 64},
        {"0.0012e2", "0.12", 64},
        {"99999999999999999999", "99999999999999999999", 64},
        {"1e400", NULL, 64},
        {"1e-400", NULL, 64},
        {"1e60",
         "1"
         "0000000000"
         "0000000000"
         "0000000000"
         "0000000000"
         "0000000000"
         "0000000000",
         64},
        {"1e62", NULL, 63},
        {"12", NULL, 2},
        {"12", "12", 3},
        {"1e99999999999999999999", NULL, 64},
        {"", NULL, 64},
        {"01", NULL, 64},
        {"1.", NULL, 64},
        {".5", NULL, 64},
        {"+1", NULL, 64},
        {"1e", NULL, 64},
        {"1e+", NULL, 64},
        {"NaN", NULL, 64},
        {"1 ", NULL, 64},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char buf[128];
        int rc = jsonnum_to_plain(cases[i].text, buf, cases[i].size);
        if (cases[i].plain) {
            if (rc != 0 || strcmp(buf, cases[i].plain) != 0)
                print_error("'%s': rc %d '%s', want '%s'\n", cases[i].text, rc, rc ? "" : buf,
                            cases[i].plain);
            assert_int_equal(rc, 0);
            assert_string_equal(buf, cases[i].plain);
        } else {
            if (rc != -1)
                print_error("'%s': rc %d '%s', want -1\n", cases[i].text, rc, buf);
            assert_int_equal(rc, -1);
        }
    }
}

/* Integer ids as the producer keys them: what "%lld" writes, at the
 * edges of int64 too. */
static void test_jsonnum_int_text(void **state)
{
    (void)state;
    static const json_int_t cases[] = {
        0, 1, -1, 9, 10, -10, 99, 100, 1234567890, -987654321, INT64_MAX, INT64_MIN, INT64_MIN + 1,
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char got[JSONNUM_INT_TEXT_SIZE], want[32];
        snprintf(want, sizeof(want), "%lld", (long long)cases[i]);
        assert_int_equal(jsonnum_int_text(cases[i], got), strlen(want));
        assert_string_equal(got, want);
    }
}

static void test_jsonnum_dumps(void **state)
{
    (void)state;
    json_t *obj = json_object();
    json_object_set_new(obj, "a", jsonnum_make("1e400", 5));
    json_object_set_new(obj, "b", json_string("say \"\\u0000\" \\"));
    json_object_set_new(obj, "c", json_pack("[s, o, i]", "x\"", jsonnum_make("-0.5", 4), 3));
    json_object_set_new(obj, "d", json_stringn("\"\0y", 3)); /* not a number: NUL inside */
    char *s = jsonnum_dumps(obj, JSON_COMPACT);
    assert_string_equal(s, "{\"a\":1e400,\"b\":\"say \\\"\\\\u0000\\\" \\\\\","
                           "\"c\":[\"x\\\"\",-0.5,3],\"d\":\"\\\"\\u0000y\"}");
    free(s);
    /* without any number, what json_dumps gives */
    s = jsonnum_dumps(json_object_get(obj, "b"), JSON_ENCODE_ANY);
    assert_string_equal(s, "\"say \\\"\\\\u0000\\\" \\\\\"");
    free(s);
    assert_false(jsonnum_is(json_object_get(obj, "d")));
    assert_true(jsonnum_is_string(json_object_get(obj, "d")));
    json_decref(obj);
}

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
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
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

/* records.absent_is_empty: which answers without the records are an
 * empty page (the array put in place), and which are not. */
static void test_absent_as_empty(void **state)
{
    (void)state;
    static const struct {
        const char *body, *path;
        int empty; /* 1: an empty page; 0: NULL, the page unchanged */
    } cases[] = {
        {"{\"_links\":{},\"page\":{\"number\":3}}", "_embedded.customers", 1},
        {"{\"_embedded\":{}}", "_embedded.customers", 1},
        {"{\"page\":1}", "data", 1},
        {"{\"_embedded\":[]}", "_embedded.customers", 0}, /* no object to go into */
        {"{\"_embedded\":7}", "_embedded.customers", 0},  /* no object to go into */
        {"{\"data\":{\"a\":1}}", "data", 0},              /* there, but no array */
        {"{\"error\":\"rate limited\"}", "data", 0},      /* an error answer */
        {"{\"errors\":[{\"m\":\"x\"}]}", "data", 0},      /* an error answer */
        {"[1]", "data", 0},                               /* no object */
        {"{}", "", 0},                                    /* the body is the array */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        jsonpage_t page;
        char err[200];
        const char *b = cases[i].body;
        /* parsed at another path: no records there, the answer kept whole */
        assert_int_equal(jsonpage_parse(b, strlen(b), "", &page, err, sizeof(err)), 0);
        json_t *arr = jsonpage_absent_as_empty(&page, cases[i].path);
        if (!arr != !cases[i].empty)
            fail_msg("case %zu (%s at %s): %s", i, b, cases[i].path, arr ? "empty" : "NULL");
        if (arr) {
            assert_ptr_equal(arr, jsonpage_at_path(page.root, cases[i].path));
            assert_ptr_equal(page.records, arr);
            assert_int_equal(json_array_size(arr), 0);
        }
        jsonpage_clear(&page);
    }
}

/* Whether an answer says it is an error, read as the page reader keeps
 * its values (exact numbers included): a page with records beside such a
 * member proves no full run's walk (source.c), so "no error" spelled as
 * APIs spell it, on every answer, must not read as one. */
static void test_says_error(void **state)
{
    (void)state;
    static const struct {
        const char *body;
        int says;
    } cases[] = {
        {"{\"data\":[1]}", 0},
        {"{\"data\":[1],\"errors\":null}", 0},
        {"{\"data\":[1],\"errors\":[]}", 0},
        {"{\"data\":[1],\"error\":{}}", 0},
        {"{\"data\":[1],\"error\":\"\"}", 0},
        {"{\"data\":[1],\"error\":false}", 0},
        {"{\"data\":[1],\"error\":0}", 0},
        {"{\"data\":[1],\"errors\":[{\"message\":\"timeout: results are partial\"}]}", 1},
        {"{\"data\":[1],\"error\":\"partial\"}", 1},
        {"{\"data\":[1],\"error\":{\"code\":504}}", 1},
        {"{\"data\":[1],\"error\":true}", 1},
        {"{\"data\":[1],\"error\":1}", 1},
        {"{\"data\":[1],\"errors\":[],\"error\":\"x\"}", 1}, /* either member says it */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        jsonpage_t page;
        char err[200];
        const char *b = cases[i].body;
        assert_int_equal(jsonpage_parse(b, strlen(b), "data", &page, err, sizeof(err)), 0);
        if (jsonpage_says_error(page.root) != cases[i].says)
            fail_msg("case %zu (%s): says %d, want %d", i, b, !cases[i].says, cases[i].says);
        jsonpage_clear(&page);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_pages),          cmocka_unit_test(test_bad_records),
        cmocka_unit_test(test_bad_tokens),          cmocka_unit_test(test_not_json),
        cmocka_unit_test(test_number_kinds),        cmocka_unit_test(test_deep_nesting),
        cmocka_unit_test(test_many_records),        cmocka_unit_test(test_jsonnum_to_plain),
        cmocka_unit_test(test_jsonnum_dumps),       cmocka_unit_test(test_json_path),
        cmocka_unit_test(test_absent_as_empty),     cmocka_unit_test(test_record_extents),
        cmocka_unit_test(test_jsonnum_int_text),    cmocka_unit_test(test_every_byte_in_a_string),
        cmocka_unit_test(test_unreadable_envelope), cmocka_unit_test(test_says_error),
    };
    json_arena_install(); /* as the producer runs: pages in arenas */
    return cmocka_run_group_tests(tests, NULL, NULL);
}
