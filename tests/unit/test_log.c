/* test_log.c - log_quote() cases, level parsing, and the lines log_write()
 * puts on stderr in both formats (stderr is redirected to a file). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "log.h"

static void test_quote(void **state)
{
    static const struct {
        const char *in;
        size_t size;
        const char *out;
    } cases[] = {
        {"customers", 64, "customers"},
        {"topic.x-1/2:3", 64, "topic.x-1/2:3"},
        {"", 64, "\"\""},
        {"two words", 64, "\"two words\""},
        {"a=b", 64, "\"a=b\""},
        {"say \"hi\"", 64, "\"say \\\"hi\\\"\""},
        {"back\\slash", 64, "\"back\\\\slash\""},
        {"l1\nl2\tx\r", 64, "\"l1\\nl2\\tx\\r\""},
        {"bell\a", 64, "\"bell\\u0007\""},
        {"caf\xc3\xa9", 64, "caf\xc3\xa9"}, /* UTF-8 is not escaped */
        {"5\xe9Y", 64, "\"5\\\\xe9Y\""},    /* a byte that is not UTF-8 is written \xNN */
        {"\xc3(", 64, "\"\\\\xc3(\""},
        {"caf\xc3\xa9 au lait", 8, "\"caf\xc3\xa9\""}, /* a character is never cut */
        {"caf\xc3\xa9", 5, "caf"},
        {"truncated value", 8, "\"trunc\""}, /* quotes survive truncation */
        {"a\"b", 4, "\"a\""},                /* an escape is never cut in half */
        {"plaintoolong", 5, "plai"},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char buf[64];
        memset(buf, 'X', sizeof(buf));
        const char *r = log_quote(buf, cases[i].size, cases[i].in);
        assert_ptr_equal(r, buf);
        if (strcmp(buf, cases[i].out) != 0)
            fail_msg("quote('%s', %zu) = '%s', want '%s'", cases[i].in, cases[i].size, buf,
                     cases[i].out);
    }
}

static void test_level_parse(void **state)
{
    (void)state;
    assert_int_equal(log_level_parse("error"), LOG_ERROR);
    assert_int_equal(log_level_parse("warn"), LOG_WARN);
    assert_int_equal(log_level_parse("info"), LOG_INFO);
    assert_int_equal(log_level_parse("debug"), LOG_DEBUG);
    assert_int_equal(log_level_parse("INFO"), -1);
    assert_int_equal(log_level_parse(""), -1);
    assert_int_equal(log_level_parse(NULL), -1);
}

/* Runs fn with stderr pointed at a temp file; returns what was written. */
static char *capture(void (*fn)(void))
{
    char path[] = "/tmp/tm_log_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    unlink(path);
    int saved = dup(STDERR_FILENO);
    assert_true(dup2(fd, STDERR_FILENO) >= 0);
    fn();
    assert_true(dup2(saved, STDERR_FILENO) >= 0);
    close(saved);
    off_t n = lseek(fd, 0, SEEK_END);
    char *buf = calloc(1, (size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(pread(fd, buf, (size_t)n, 0), n);
    close(fd);
    return buf;
}

static void emit_lines(void)
{
    char q[64];
    log_info("run completed", "stream=%s records=%d", "customers", 120);
    log_debug("not shown", "x=%d", 1);
    log_warn("bad record: \"x\"\n", "stream=s partition=%d offset=%lld url=%s id=007 ratio=0.5", 3,
             99LL, log_quote(q, sizeof(q), "http://h/p?a=1 b"));
    log_error("no pairs", NULL);
}

static void test_logfmt_lines(void **state)
{
    (void)state;
    log_setup(LOG_INFO, 0);
    assert_true(log_enabled(LOG_INFO));
    assert_false(log_enabled(LOG_DEBUG));
    char *out = capture(emit_lines);

    char *l1 = out, *l2 = strchr(l1, '\n') + 1, *l3 = strchr(l2, '\n') + 1;
    assert_int_equal(strncmp(l1, "ts=", 3), 0);
    assert_int_equal(l1[3 + 24], ' '); /* ts=YYYY-MM-DDTHH:MM:SS.mmmZ */
    assert_int_equal(l1[3 + 23], 'Z');
    *(l2 - 1) = *(l3 - 1) = '\0'; /* one string per line */
    assert_string_equal(l1 + 28, "level=info msg=\"run completed\" stream=customers records=120");
    assert_string_equal(l2 + 28, "level=warn msg=\"bad record: \\\"x\\\"\\n\" stream=s partition=3 "
                                 "offset=99 url=\"http://h/p?a=1 b\" id=007 ratio=0.5");
    assert_string_equal(l3 + 28, "level=error msg=\"no pairs\"\n");
    free(out);
}

static void test_json_lines(void **state)
{
    (void)state;
    log_setup(LOG_INFO, 1);
    char *out = capture(emit_lines);
    log_setup(LOG_INFO, 0);

    json_error_t je;
    char *l2 = strchr(out, '\n') + 1, *l3 = strchr(l2, '\n') + 1;
    json_t *a = json_loadb(out, (size_t)(l2 - out), 0, &je);
    json_t *b = json_loadb(l2, (size_t)(l3 - l2), 0, &je);
    json_t *c = json_loads(l3, 0, &je);
    if (!a || !b || !c)
        fail_msg("not JSON: %s (%s)", out, je.text);

    assert_string_equal(json_string_value(json_object_get(a, "level")), "info");
    assert_string_equal(json_string_value(json_object_get(a, "msg")), "run completed");
    assert_string_equal(json_string_value(json_object_get(a, "stream")), "customers");
    assert_int_equal(json_integer_value(json_object_get(a, "records")), 120); /* a number */
    assert_int_equal(strlen(json_string_value(json_object_get(a, "ts"))), 24);

    assert_string_equal(json_string_value(json_object_get(b, "msg")), "bad record: \"x\"\n");
    assert_int_equal(json_integer_value(json_object_get(b, "offset")), 99);
    assert_string_equal(json_string_value(json_object_get(b, "url")), "http://h/p?a=1 b");
    assert_string_equal(json_string_value(json_object_get(b, "id")), "007"); /* not a number */
    assert_true(json_is_real(json_object_get(b, "ratio")));

    assert_int_equal(json_object_size(c), 3); /* ts, level, msg */
    json_decref(a);
    json_decref(b);
    json_decref(c);
    free(out);
}

static void emit_long(void)
{
    char big[5000];
    memset(big, 'v', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    log_info(big, "k=%s", big);
}

static void emit_not_utf8(void)
{
    log_warn("apply: id '5\xe9Y' is not an integer", "id=%s", "5\xe9Y");
}

/* A line that quotes bytes that are not UTF-8 (a dead letter's id) is
 * still UTF-8, and JSON, with them as \xNN. */
static void test_json_line_not_utf8(void **state)
{
    (void)state;
    log_setup(LOG_INFO, 1);
    char *out = capture(emit_not_utf8);
    log_setup(LOG_INFO, 0);
    json_error_t je;
    json_t *a = json_loads(out, 0, &je);
    if (!a)
        fail_msg("not JSON: %s (%s)", out, je.text);
    assert_string_equal(json_string_value(json_object_get(a, "msg")),
                        "apply: id '5\\xe9Y' is not an integer");
    assert_string_equal(json_string_value(json_object_get(a, "id")), "5\\xe9Y");
    json_decref(a);
    free(out);
}

/* Values a caller printed as is although a source chose them (a run id
 * from a Kafka message, a group.id with a space and a quote): */
static void emit_unquoted(void)
{
    log_info("run", "run_id=%s group=%s error=\"%s\"",
             "evil\nts=2000-01-01T00:00:00.000Z level=error msg=forged\r\x1b[2J", "tm x \"blue",
             "near '\"x\\q\x01' \xe9");
}

/* Each still makes one line: a newline, a carriage return or an escape
 * sequence in them is written escaped, never as itself (that forged a
 * line of its own); in JSON the line is one valid object, whatever quotes
 * and backslashes they hold; in both a byte that is not UTF-8 is \xNN. */
static void test_unquoted_values_stay_one_line(void **state)
{
    (void)state;
    for (int json = 0; json <= 1; json++) {
        log_setup(LOG_INFO, json);
        char *out = capture(emit_unquoted);
        log_setup(LOG_INFO, 0);
        size_t n = strlen(out);
        assert_true(n > 0 && out[n - 1] == '\n');
        assert_ptr_equal(strchr(out, '\n'), out + n - 1);
        assert_null(strchr(out, '\r'));
        assert_null(strchr(out, '\x1b'));
        assert_null(strchr(out, '\x01'));
        assert_null(strchr(out, '\xe9'));
        if (json) {
            json_error_t je;
            json_t *o = json_loads(out, 0, &je);
            if (!o)
                fail_msg("not JSON: %s (%s)", out, je.text);
            assert_string_equal(json_string_value(json_object_get(o, "level")), "info");
            assert_string_equal(json_string_value(json_object_get(o, "_level")), "error");
            assert_string_equal(json_string_value(json_object_get(o, "run_id")),
                                "evil\nts=2000-01-01T00:00:00.000Z");
            json_decref(o);
        } else {
            assert_non_null(strstr(out, " run_id=evil\\nts=2000-01-01T00:00:00.000Z level=error "
                                        "msg=forged\\r\\u001b[2J group=tm x \"blue error="));
            assert_non_null(strstr(out, "\\u0001' \\\\xe9\"\n"));
        }
        free(out);
    }
}

static void test_long_line_is_whole(void **state)
{
    (void)state;
    log_setup(LOG_INFO, 0);
    char *out = capture(emit_long);
    /* ts + level + msg + " k=" + value + "\n" */
    assert_int_equal(strlen(out), 28 + strlen("level=info msg=") + 4999 + 3 + 4999 + 1);
    assert_int_equal(strchr(out, '\n') - out, (long)strlen(out) - 1);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quote),
        cmocka_unit_test(test_level_parse),
        cmocka_unit_test(test_logfmt_lines),
        cmocka_unit_test(test_json_lines),
        cmocka_unit_test(test_json_line_not_utf8),
        cmocka_unit_test(test_unquoted_values_stay_one_line),
        cmocka_unit_test(test_long_line_is_whole),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
