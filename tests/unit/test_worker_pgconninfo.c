/*
 * test_worker_pgconninfo.c - a conninfo libpq does not parse refused
 * without its text, and libpq's connect errors cleared of the password
 * (worker/pg.h: pg_conninfo_check, pg_scrub_conninfo). No server needed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pg.h"

static void test_check(void **state)
{
    (void)state;
    char e[300];
    assert_int_equal(pg_conninfo_check("", e, sizeof(e)), 0);
    assert_int_equal(pg_conninfo_check("dbname=x password=s3cr3t", e, sizeof(e)), 0);
    assert_int_equal(pg_conninfo_check("postgresql://tm:pw@h/db", e, sizeof(e)), 0);
    /* parsed, though libpq reads the password's '@' as the host's */
    assert_int_equal(pg_conninfo_check("postgresql://tm:pw@SECRET@h/db", e, sizeof(e)), 0);

    assert_int_equal(pg_conninfo_check("postgresql://tm:Ab%3xSECRET@h/db", e, sizeof(e)), -1);
    assert_non_null(strstr(e, "[postgres] conninfo does not parse (a URI): a '%' not followed"));
    assert_null(strstr(e, "SECRET"));
    assert_int_equal(pg_conninfo_check("host=h password='SECRET", e, sizeof(e)), -1);
    assert_non_null(strstr(e, "(key = value): a quoted value without its closing quote"));
    assert_null(strstr(e, "SECRET"));
    assert_int_equal(pg_conninfo_check("host=h SECRET", e, sizeof(e)), -1);
    assert_null(strstr(e, "SECRET"));
}

static void test_scrub(void **state)
{
    (void)state;
    static const struct {
        const char *conninfo, *msg, *want;
    } cases[] = {
        {"postgresql://tm:pw@SECRET1@127.0.0.1:5432/db",
         "could not translate host name \"SECRET1@127.0.0.1\" to address",
         "could not translate host name \"***@127.0.0.1\" to address"},
        {"postgresql://tm:SECRET2/x@127.0.0.1:5432/db",
         "invalid integer value \"SECRET2\" for connection option \"port\"",
         "invalid integer value \"***\" for connection option \"port\""},
        {"postgresql://tm:Ab%3xSECRET3@h/db", "invalid percent-encoded token: \"Ab%3xSECRET3\"",
         "invalid percent-encoded token: \"***\""},
        /* %-decoded, as libpq holds it */
        {"postgresql://tm:S%40CRET4@h/db", "it was S@CRET4 and S%40CRET4", "it was *** and ***"},
        {"host=h password=SECRET5 port=x", "password SECRET5 refused", "password *** refused"},
        /* the user name alone is no secret */
        {"postgresql://tidemark@h/db", "password authentication failed for user \"tidemark\"",
         "password authentication failed for user \"tidemark\""},
        {"postgresql://tidemark:SECRET6@h/db",
         "password authentication failed for user \"tidemark\"",
         "password authentication failed for user \"tidemark\""},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char msg[200];
        strcpy(msg, cases[i].msg);
        pg_scrub_conninfo(cases[i].conninfo, msg);
        if (strcmp(msg, cases[i].want) != 0)
            fail_msg("case %zu: got '%s', want '%s'", i, msg, cases[i].want);
    }
    pg_scrub_conninfo(NULL, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check),
        cmocka_unit_test(test_scrub),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
