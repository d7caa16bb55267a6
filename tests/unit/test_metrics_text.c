/*
 * test_metrics_text.c - common/metrics_text.h: the Prometheus text
 * format, table-driven: escaping, label order, values, histogram buckets
 * (cumulative, +Inf, _sum, _count), HELP/TYPE lines.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "metrics_text.h"

static void expect_text(metrics_text_t *t, const char *want, size_t i)
{
    char *got = metrics_text_take(t);
    assert_non_null(got);
    if (strcmp(got, want) != 0)
        fail_msg("case %zu:\ngot:\n%s\nwant:\n%s", i, got, want);
    free(got);
}

static void test_samples(void **state)
{
    (void)state;
    static const struct {
        metrics_label_t labels[3];
        size_t n;
        double value;
        const char *want;
    } cases[] = {
        {{{NULL, NULL}}, 0, 0, "m 0\n"},
        {{{NULL, NULL}}, 0, 42, "m 42\n"},
        {{{NULL, NULL}}, 0, -3, "m -3\n"},
        {{{NULL, NULL}}, 0, 0.25, "m 0.25\n"},
        {{{NULL, NULL}}, 0, 0.1 + 0.2, "m 0.30000000000000004\n"},
        {{{NULL, NULL}}, 0, 1e300, "m 1e+300\n"},
        {{{NULL, NULL}}, 0, 1764547200.123, "m 1764547200.123\n"},
        {{{NULL, NULL}}, 0, 9007199254740993.0, "m 9007199254740992\n"},
        {{{NULL, NULL}}, 0, INFINITY, "m +Inf\n"},
        {{{NULL, NULL}}, 0, -INFINITY, "m -Inf\n"},
        {{{NULL, NULL}}, 0, NAN, "m NaN\n"},
        {{{"a", "x"}}, 1, 1, "m{a=\"x\"} 1\n"},
        /* the order given, not sorted */
        {{{"z", "1"}, {"a", "2"}, {"m", "3"}}, 3, 7, "m{z=\"1\",a=\"2\",m=\"3\"} 7\n"},
        /* escaping of label values: backslash, double quote, newline */
        {{{"s", "a\\b"}}, 1, 1, "m{s=\"a\\\\b\"} 1\n"},
        {{{"s", "say \"hi\""}}, 1, 1, "m{s=\"say \\\"hi\\\"\"} 1\n"},
        {{{"s", "two\nlines"}}, 1, 1, "m{s=\"two\\nlines\"} 1\n"},
        {{{"s", "\\\"\n"}}, 1, 1, "m{s=\"\\\\\\\"\\n\"} 1\n"},
        /* other bytes (UTF-8, braces, commas, '=') as they are */
        {{{"s", "é{,}="}}, 1, 1, "m{s=\"é{,}=\"} 1\n"},
        {{{"s", ""}}, 1, 1, "m{s=\"\"} 1\n"},
        {{{"s", NULL}}, 1, 1, "m{s=\"\"} 1\n"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        metrics_text_t t = {0};
        metrics_text_sample(&t, "m", cases[i].labels, cases[i].n, cases[i].value);
        expect_text(&t, cases[i].want, i);
    }
}

static void test_family(void **state)
{
    (void)state;
    static const struct {
        const char *help, *type, *want;
    } cases[] = {
        {"Plain.", "counter", "# HELP m_total Plain.\n# TYPE m_total counter\n"},
        /* HELP escapes backslash and newline, not the double quote */
        {"a \\ b\nc \"d\"", "gauge", "# HELP m_total a \\\\ b\\nc \"d\"\n# TYPE m_total gauge\n"},
        {"", "histogram", "# HELP m_total \n# TYPE m_total histogram\n"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        metrics_text_t t = {0};
        metrics_text_family(&t, "m_total", cases[i].type, cases[i].help);
        expect_text(&t, cases[i].want, i);
    }
    metrics_text_t t = {0};
    metrics_text_single(&t, "up", "gauge", "Up.", 1);
    expect_text(&t, "# HELP up Up.\n# TYPE up gauge\nup 1\n", 99);
}

static const double bounds[] = {0.1, 1, 2.5};

static void test_histogram(void **state)
{
    (void)state;
    static const struct {
        double obs[6];
        size_t n_obs;
        metrics_label_t label;
        size_t n_labels;
        const char *want;
    } cases[] = {
        {{0},
         0,
         {NULL, NULL},
         0,
         "h_bucket{le=\"0.1\"} 0\nh_bucket{le=\"1\"} 0\nh_bucket{le=\"2.5\"} 0\n"
         "h_bucket{le=\"+Inf\"} 0\nh_sum 0\nh_count 0\n"},
        /* a value on a bound is in that bucket (le: less or equal); the
         * buckets are cumulative; past the last only +Inf */
        {{0.05, 1, 1.5, 2.5, 3, 100},
         6,
         {NULL, NULL},
         0,
         "h_bucket{le=\"0.1\"} 1\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"2.5\"} 4\n"
         "h_bucket{le=\"+Inf\"} 6\nh_sum 108.05\nh_count 6\n"},
        /* le comes after the series' labels */
        {{0.5},
         1,
         {"stream", "a\"b"},
         1,
         "h_bucket{stream=\"a\\\"b\",le=\"0.1\"} 0\n"
         "h_bucket{stream=\"a\\\"b\",le=\"1\"} 1\nh_bucket{stream=\"a\\\"b\",le=\"2.5\"} 1\n"
         "h_bucket{stream=\"a\\\"b\",le=\"+Inf\"} 1\nh_sum{stream=\"a\\\"b\"} 0.5\n"
         "h_count{stream=\"a\\\"b\"} 1\n"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        metrics_histogram_t h;
        metrics_histogram_init(&h, bounds, sizeof(bounds) / sizeof(bounds[0]));
        for (size_t k = 0; k < cases[i].n_obs; k++)
            metrics_histogram_observe(&h, cases[i].obs[k]);
        metrics_text_t t = {0};
        metrics_text_histogram(&t, "h", &cases[i].label, cases[i].n_labels, &h);
        expect_text(&t, cases[i].want, i);
    }
}

static void test_empty_and_growth(void **state)
{
    (void)state;
    metrics_text_t t = {0};
    char *s = metrics_text_take(&t);
    assert_string_equal(s, "");
    free(s);
    /* past the first allocation */
    for (int i = 0; i < 2000; i++)
        metrics_text_sample(&t, "some_rather_long_metric_name_total", NULL, 0, i);
    s = metrics_text_take(&t);
    assert_non_null(s);
    assert_non_null(strstr(s, "some_rather_long_metric_name_total 1999\n"));
    free(s);
    metrics_text_sample(&t, "x", NULL, 0, 1);
    metrics_text_free(&t);
    metrics_text_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_samples),
        cmocka_unit_test(test_family),
        cmocka_unit_test(test_histogram),
        cmocka_unit_test(test_empty_and_growth),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
