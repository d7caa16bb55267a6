/*
 * test_record_id.c - producer/recordid.c: reading of a record's id: strings,
 * integers (one beyond int64 as written), what is missing, and ids longer
 * than the id sets hold (IDSET_MAX_KEY), which must be told apart from a
 * missing id; a uuid id in lower case whatever case the API wrote (the
 * converter stores it so: one record must have one key); an id that is
 * not a value of its type told apart (no key of the topic is known to be
 * its row's).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "jsonpage.h"
#include "recordid.h"

typedef struct id_case {
    const char *item;  /* one record, as JSON text */
    field_type_t type; /* the id field's type */
    int result;        /* record_id_result_t */
    const char *id;    /* on RECORD_ID_OK and RECORD_ID_NOT_OF_TYPE */
} id_case_t;

/* The records of body's "data" array, read as the source reads a page. */
static void parse(const char *body, jsonpage_t *page)
{
    char err[256];
    assert_int_equal(jsonpage_parse(body, strlen(body), "data", page, err, sizeof(err)), 0);
    assert_non_null(page->records);
}

static void test_id_kinds(void **state)
{
    (void)state;
    static const id_case_t cases[] = {
        {"{\"id\": \"abc\"}", FT_STRING, RECORD_ID_OK, "abc"},
        {"{\"id\": 42}", FT_STRING, RECORD_ID_OK, "42"},
        {"{\"id\": -7}", FT_STRING, RECORD_ID_OK, "-7"},
        {"{\"id\": 123456789012345678901234567890}", FT_STRING, RECORD_ID_OK,
         "123456789012345678901234567890"},
        {"{\"id\": \"\"}", FT_STRING, RECORD_ID_MISSING, NULL},
        {"{\"id\": null}", FT_STRING, RECORD_ID_MISSING, NULL},
        {"{\"id\": 1.5}", FT_STRING, RECORD_ID_MISSING, NULL},
        {"{\"id\": true}", FT_STRING, RECORD_ID_MISSING, NULL},
        {"{\"id\": {\"a\": 1}}", FT_STRING, RECORD_ID_MISSING, NULL},
        {"{\"other\": 1}", FT_STRING, RECORD_ID_MISSING, NULL},
        {"17", FT_STRING, RECORD_ID_MISSING, NULL},
        /* a uuid id: RFC 4122 text in lower case; another form is no key
         * of the type (PostgreSQL may read it as a row's), as written */
        {"{\"id\": \"0F8FAD5B-D9CB-469F-A165-70867728950E\"}", FT_UUID, RECORD_ID_OK,
         "0f8fad5b-d9cb-469f-a165-70867728950e"},
        {"{\"id\": \"0f8fad5b-d9cb-469f-a165-70867728950e\"}", FT_UUID, RECORD_ID_OK,
         "0f8fad5b-d9cb-469f-a165-70867728950e"},
        {"{\"id\": \"0F8FAD5B-D9CB-469F-A165-70867728950E\"}", FT_STRING, RECORD_ID_OK,
         "0F8FAD5B-D9CB-469F-A165-70867728950E"},
        {"{\"id\": \"{0F8FAD5B-D9CB-469F-A165-70867728950E}\"}", FT_UUID, RECORD_ID_NOT_OF_TYPE,
         "{0F8FAD5B-D9CB-469F-A165-70867728950E}"},
        {"{\"id\": \"0F8FAD5BD9CB469FA16570867728950E\"}", FT_UUID, RECORD_ID_NOT_OF_TYPE,
         "0F8FAD5BD9CB469FA16570867728950E"},
        {"{\"id\": \"ABC\"}", FT_UUID, RECORD_ID_NOT_OF_TYPE, "ABC"},
        /* an integer id: as PostgreSQL reads it (a deleted endpoint's
         * "005" is record 5); no integer, or beyond the type, is no key of
         * the type, as written */
        {"{\"id\": \"005\"}", FT_LONG, RECORD_ID_OK, "5"},
        {"{\"id\": \" +7 \"}", FT_INT, RECORD_ID_OK, "7"},
        {"{\"id\": -0}", FT_LONG, RECORD_ID_OK, "0"},
        {"{\"id\": \"005\"}", FT_STRING, RECORD_ID_OK, "005"},
        {"{\"id\": \"abc\"}", FT_LONG, RECORD_ID_NOT_OF_TYPE, "abc"},
        {"{\"id\": \"4.2e1\"}", FT_LONG, RECORD_ID_NOT_OF_TYPE, "4.2e1"},
        {"{\"id\": 4294967296}", FT_INT, RECORD_ID_NOT_OF_TYPE, "4294967296"},
        {"{\"id\": 123456789012345678901234567890}", FT_LONG, RECORD_ID_NOT_OF_TYPE,
         "123456789012345678901234567890"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char body[256], id[RECORD_ID_SIZE];
        snprintf(body, sizeof(body), "{\"data\": [%s]}", cases[i].item);
        jsonpage_t page;
        parse(body, &page);
        int res =
            record_id_read(json_array_get(page.records, 0), "id", cases[i].type, id, sizeof(id));
        if (res != cases[i].result)
            fail_msg("case %zu (%s): result %d, want %d", i, cases[i].item, res, cases[i].result);
        if (cases[i].id)
            assert_string_equal(id, cases[i].id);
        jsonpage_clear(&page);
    }
}

/* Up to IDSET_MAX_KEY bytes an id is read whole (a URL as id); one byte
 * more is TOO_LONG, never MISSING. */
static void test_id_length(void **state)
{
    (void)state;
    static const struct {
        size_t len;
        int result;
    } cases[] = {
        {255, RECORD_ID_OK},
        {256, RECORD_ID_OK},
        {300, RECORD_ID_OK},
        {IDSET_MAX_KEY, RECORD_ID_OK},
        {IDSET_MAX_KEY + 1, RECORD_ID_TOO_LONG},
        {5000, RECORD_ID_TOO_LONG},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t len = cases[i].len;
        char *body = malloc(len + 64), id[RECORD_ID_SIZE];
        assert_non_null(body);
        int k = snprintf(body, len + 64, "{\"data\": [{\"id\": \"");
        memset(body + k, 'x', len);
        snprintf(body + k + len, 64, "\"}]}");
        jsonpage_t page;
        parse(body, &page);
        int res = record_id_read(json_array_get(page.records, 0), "id", FT_STRING, id, sizeof(id));
        if (res != cases[i].result)
            fail_msg("length %zu: result %d, want %d", len, res, cases[i].result);
        if (res == RECORD_ID_OK)
            assert_int_equal(strlen(id), len);
        jsonpage_clear(&page);
        free(body);
    }
    /* an integer too long for a small buffer is TOO_LONG as well */
    jsonpage_t page;
    char small[4];
    parse("{\"data\": [{\"id\": 123456}]}", &page);
    assert_int_equal(
        record_id_read(json_array_get(page.records, 0), "id", FT_LONG, small, sizeof(small)),
        RECORD_ID_TOO_LONG);
    jsonpage_clear(&page);
}

/* The dead letter's reason names what the API wrote where there is
 * something (a float spelling, an object), cut to fit. */
static void test_refused_reason(void **state)
{
    (void)state;
    static const struct {
        const char *item;
        int result;
        const char *what;
        const char *why;
    } cases[] = {
        {"{\"id\": 8.0}", RECORD_ID_MISSING,
         "deleted item: ", "deleted item: id field 'id' is 8.0: not a string or integer"},
        {"{\"id\": 5e0}", RECORD_ID_MISSING, "", "id field 'id' is 5e0: not a string or integer"},
        {"{\"id\": null}", RECORD_ID_MISSING, "", "id field 'id' is null: not a string or integer"},
        {"{\"id\": \"\"}", RECORD_ID_MISSING, "", "id field 'id' is \"\": not a string or integer"},
        {"{\"id\": {\"a\": 1}}", RECORD_ID_MISSING, "",
         "id field 'id' is {\"a\":1}: not a string or integer"},
        {"{\"other\": 1}", RECORD_ID_MISSING, "", "id field 'id' is missing"},
        {"17", RECORD_ID_MISSING, "", "id field 'id' is missing"},
        {"{\"id\": "
         "[\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"]}",
         RECORD_ID_MISSING, "",
         "id field 'id' is [\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...: not a "
         "string or integer"},
        {"{\"id\": \"x\"}", RECORD_ID_TOO_LONG, "", "id field 'id': id is longer than 1024 bytes"},
    };
    stream_conf_t sc = {0};
    sc.id_field = (char *)"id";
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char body[256], why[512];
        snprintf(body, sizeof(body), "{\"data\": [%s]}", cases[i].item);
        jsonpage_t page;
        parse(body, &page);
        record_id_refused(&sc, json_array_get(page.records, 0), cases[i].result, cases[i].what, why,
                          sizeof(why));
        if (strcmp(why, cases[i].why) != 0)
            fail_msg("case %zu (%s): \"%s\", want \"%s\"", i, cases[i].item, why, cases[i].why);
        jsonpage_clear(&page);
    }
}

/* A long value is cut between characters: the reason is UTF-8 (60 bytes
 * of ["x then é, two bytes each: 3 and 28 of them, not half a 29th). */
static void test_refused_cut_utf8(void **state)
{
    (void)state;
    char body[512] = "{\"data\": [{\"id\": [\"x", want[512] = "id field 'id' is [\"x", why[512];
    for (int i = 0; i < 60; i++)
        strcat(body, "\xc3\xa9");
    strcat(body, "\"]}]}");
    for (int i = 0; i < 28; i++)
        strcat(want, "\xc3\xa9");
    strcat(want, "...: not a string or integer");
    stream_conf_t sc = {0};
    sc.id_field = (char *)"id";
    jsonpage_t page;
    parse(body, &page);
    record_id_refused(&sc, json_array_get(page.records, 0), RECORD_ID_MISSING, "", why,
                      sizeof(why));
    assert_string_equal(why, want);
    jsonpage_clear(&page);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_id_kinds),
        cmocka_unit_test(test_id_length),
        cmocka_unit_test(test_refused_reason),
        cmocka_unit_test(test_refused_cut_utf8),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
