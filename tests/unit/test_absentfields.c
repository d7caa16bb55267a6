/*
 * test_absentfields.c - the fields an API left out of every record of a
 * page (absentfields.h): which pages are warned about, and when a field
 * warned about is warned about again. Each case is a run of pages and
 * the fields warned about after each one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "absentfields.h"
#include "schema.h"

/* id and updated_at are skipped (the id and cursor field); nick is
 * nullable, region has a default, code has neither (its records are
 * dead-lettered: never warned about). */
static const char SCHEMA[] = "{\"type\": \"record\", \"name\": \"C\", \"fields\": ["
                             "{\"name\": \"id\", \"type\": \"long\"},"
                             "{\"name\": \"updated_at\", \"type\": [\"null\", \"string\"]},"
                             "{\"name\": \"nick\", \"type\": [\"null\", \"string\"]},"
                             "{\"name\": \"region\", \"type\": \"string\", \"default\": \"eu\"},"
                             "{\"name\": \"code\", \"type\": \"string\"}]}";

#define FULL      "{\"id\": 1, \"nick\": \"a\", \"region\": \"x\", \"code\": \"c\"}"
#define NO_NICK   "{\"id\": 2, \"region\": \"x\", \"code\": \"c\"}"
#define NO_REGION "{\"id\": 3, \"nick\": \"a\", \"code\": \"c\"}"
#define BARE      "{\"id\": 4}"

#define MAX_PAGES 6

typedef struct absent_case {
    const char *name;
    const char *pages[MAX_PAGES]; /* JSON arrays; "R100": 100 FULL records */
    size_t warned[MAX_PAGES];     /* fields warned about after each page */
} absent_case_t;

static const absent_case_t cases[] = {
    {"every field there", {"[" FULL "," FULL "]"}, {0}},
    {"an empty page says nothing", {"[]"}, {0}},
    {"a page of no objects says nothing", {"[1, null, \"x\"]"}, {0}},
    {"nick and region absent from all", {"[" BARE "," BARE "]"}, {2}},
    {"absent from the first record only", {"[" NO_NICK "," FULL "]"}, {0}},
    {"absent from the last record only", {"[" FULL "," NO_NICK "]"}, {0}},
    {"absent from every object, among non-objects", {"[null, " NO_REGION ", 7]"}, {1}},
    {"warned once while it stays absent",
     {"[" NO_REGION "]", "[" NO_REGION "]", "[" FULL "," NO_REGION "]"},
     {1, 0, 0}},
    {"a few records with it do not re-arm",
     {"[" NO_REGION "]", "[" FULL "," FULL "]", "[" NO_REGION "]"},
     {1, 0, 0}},
    {"a hundred in a row re-arm: a rename later is warned",
     {"[" NO_REGION "]", "R100", "[" NO_REGION "]"},
     {1, 0, 1}},
    {"the hundred counted across pages",
     {"[" NO_REGION "]", "R50", "R50", "[" NO_REGION "]"},
     {1, 0, 0, 1}},
    {"a record without it breaks the row",
     {"[" NO_REGION "]", "R50", "[" FULL "," NO_REGION "]", "R50", "[" NO_REGION "]"},
     {1, 0, 0, 0, 0}},
};

/* Page text: spelled out, or "RN": N FULL records. Caller decrefs. */
static json_t *page_of(const char *text)
{
    if (text[0] != 'R')
        return json_loads(text, 0, NULL);
    json_t *arr = json_array();
    for (int i = 0, n = atoi(text + 1); i < n; i++)
        json_array_append_new(arr, json_loads(FULL, 0, NULL));
    return arr;
}

static void test_cases(void **state)
{
    (void)state;
    char err[256];
    record_schema_t *rs = NULL;
    assert_int_equal(record_schema_parse(SCHEMA, &rs, err, sizeof(err)), 0);
    const char *skip[] = {"id", "updated_at", NULL, "not_in_schema"};
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        absentfields_t *af = absentfields_new(rs, skip, 4);
        assert_non_null(af);
        for (size_t p = 0; p < MAX_PAGES && cases[c].pages[p]; p++) {
            json_t *page = page_of(cases[c].pages[p]);
            assert_non_null(page);
            size_t got = absentfields_page(af, page, "s", "http://api/x?token=secret");
            if (got != cases[c].warned[p])
                fail_msg("%s, page %zu: %zu warned, expected %zu", cases[c].name, p + 1, got,
                         cases[c].warned[p]);
            json_decref(page);
        }
        absentfields_destroy(af);
    }
    record_schema_destroy(rs);
}

/* A schema with no field to watch, and a record schema of no fields. */
static void test_nothing_watched(void **state)
{
    (void)state;
    char err[256];
    record_schema_t *rs = NULL;
    assert_int_equal(record_schema_parse("{\"type\": \"record\", \"name\": \"C\", \"fields\": ["
                                         "{\"name\": \"code\", \"type\": \"string\"}]}",
                                         &rs, err, sizeof(err)),
                     0);
    absentfields_t *af = absentfields_new(rs, NULL, 0);
    json_t *page = json_loads("[{}]", 0, NULL);
    assert_int_equal(absentfields_page(af, page, "s", NULL), 0);
    json_decref(page);
    absentfields_destroy(af);
    record_schema_destroy(rs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases),
        cmocka_unit_test(test_nothing_watched),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
