/* test_topics.c - the names of tidemark's topics (topics.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "topics.h"

static void test_names(void **state)
{
    (void)state;
    tm_config_t c = {.topic_prefix = "acme"};
    char buf[64];
    assert_string_equal(topic_for_stream(&c, "customers", buf, sizeof(buf)), "acme.customers");
    assert_string_equal(topic_sync_runs(&c, buf, sizeof(buf)), "acme.sync-runs");
    assert_string_equal(topic_dlq(&c, buf, sizeof(buf)), "acme.dlq");
    assert_string_equal(topic_schemas(&c, buf, sizeof(buf)), "acme.schemas");
}

/* A buffer too small for the name holds its start, terminated. */
static void test_cut(void **state)
{
    (void)state;
    tm_config_t c = {.topic_prefix = "acme"};
    char small[8];
    assert_string_equal(topic_for_stream(&c, "customers", small, sizeof(small)), "acme.cu");
    assert_string_equal(topic_schemas(&c, small, sizeof(small)), "acme.sc");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_cut),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
