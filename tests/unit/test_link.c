/*
 * test_link.c - RFC 8288 Link parsing and the target of a relation
 * (producer/link.h), table-driven. No network.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "link.h"

/* Each case: the field, then the expected "target|rel" of every
 * link-value (rel "-" = none), joined by " ; ", and the malformed count. */
static void test_parse(void **state)
{
    (void)state;
    static const struct {
        const char *field, *want;
        int malformed;
    } cases[] = {
        {"", "", 0},
        {"<a>", "a|-", 0},
        {"<a>; rel=next", "a|next", 0},
        {"<a>; rel=\"next\", <b>; rel=\"prev\"", "a|next ; b|prev", 0},
        /* a quoted comma and semicolon do not split the link-value */
        {"<a>; title=\"x, y; z\"; rel=\"next\", <b>; rel=last", "a|next ; b|last", 0},
        /* escaped quote inside a quoted string */
        {"<a>; title=\"say \\\"hi\\\", ok\"; rel=next", "a|next", 0},
        /* several rel types, spaces around '=' and ';' */
        {"<a> ;rel = \"next last\" ; type=\"application/json\"", "a|next last", 0},
        /* only the first rel counts */
        {"<a>; rel=prev; rel=next", "a|prev", 0},
        /* lines joined by '\n' are separate lists */
        {"<a>; rel=\"first\"\n<b>; rel=\"next\"", "a|first ; b|next", 0},
        /* an unterminated quote ends at the line's end and spares the next */
        {"<a>; rel=\"next\n<b>; rel=next", "b|next", 1},
        {"<a; rel=next\n<b>; rel=next", "b|next", 1},
        /* garbage between link-values is skipped */
        {"junk, <b>; rel=next", "b|next", 1},
        {"<a> junk, <b>; rel=next", "b|next", 1},
        /* empty elements of the list and a trailing ';' are tolerated */
        {" , ,<a>;, <b>; rel=next;", "a|- ; b|next", 0},
        /* a target with spaces around it, and an unquoted rel with two types */
        {"< /p?x=1 >; rel=next last", "/p?x=1|next last", 0},
        {"<a>; rel", "a|", 0},
        /* single quotes around a rel: not RFC 8288, but sent and meant */
        {"<a>; rel='next', <b>; rel='prev last'", "a|next ; b|prev last", 0},
        {"<a>; rel='", "a|'", 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        link_list_t l;
        assert_int_equal(link_parse(cases[i].field, &l), 0);
        char got[512] = "";
        for (size_t k = 0; k < l.n; k++)
            snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s|%s", k ? " ; " : "",
                     l.v[k].target, l.v[k].rel ? l.v[k].rel : "-");
        if (strcmp(got, cases[i].want) != 0 || l.malformed != cases[i].malformed)
            fail_msg("case %zu: got '%s' (malformed %d), want '%s' (%d)", i, got, l.malformed,
                     cases[i].want, cases[i].malformed);
        link_list_clear(&l);
    }
    link_list_t l;
    assert_int_equal(link_parse(NULL, &l), 0);
    assert_int_equal(l.n, 0);
    link_list_clear(&l);
}

static void test_rel_has(void **state)
{
    (void)state;
    assert_true(link_rel_has("next", "next"));
    assert_true(link_rel_has("NEXT", "next"));
    assert_true(link_rel_has("prev  next", "next"));
    assert_true(link_rel_has(" next\tlast ", "last"));
    assert_false(link_rel_has("nextish", "next"));
    assert_false(link_rel_has("prev", "next"));
    assert_false(link_rel_has("", "next"));
    assert_false(link_rel_has(NULL, "next"));
}

/* Each case: a Link field, and the rel="next" target resolved against
 * the base (NULL: none; "!": an error). */
typedef struct find_case {
    const char *field, *want;
} find_case_t;

static void check_find(const char *base, const find_case_t *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char *got = NULL, err[512] = "";
        int rc = link_find(cases[i].field, "next", base, &got, err, sizeof(err));
        const char *want = cases[i].want;
        if (want && strcmp(want, "!") == 0) {
            if (rc != -1 || got || !err[0])
                fail_msg("%s case %zu: rc %d, want an error", base, i, rc);
        } else if (!want) {
            if (rc != 0 || got)
                fail_msg("%s case %zu: rc %d '%s', want none (%s)", base, i, rc, got ? got : "",
                         err);
        } else if (rc != 1 || !got || strcmp(got, want) != 0) {
            fail_msg("%s case %zu: rc %d '%s', want '%s' (%s)", base, i, rc, got ? got : "", want,
                     err);
        }
        free(got);
    }
}

static void test_find(void **state)
{
    (void)state;
    static const find_case_t cases[] = {
        {NULL, NULL},
        {"", NULL},
        {"<http://127.0.0.1:9000/customers?page=1>; rel=\"first\"\n"
         "</customers?page=2>; rel=\"next\"",
         "http://127.0.0.1:9000/customers?page=2"},
        {"<?page=3>; title=\"a, b\"; rel=\"next\"", "http://127.0.0.1:9000/customers?page=3"},
        {"<page4>; rel=\"Next\"", "http://127.0.0.1:9000/page4"},
        {"<//other.host:81/c?page=5>; rel=next", "http://other.host:81/c?page=5"},
        {"<x>; rel=prev\n<y>; rel=last", NULL},
        /* the first next wins */
        {"<a1>; rel=next, <a2>; rel=next", "http://127.0.0.1:9000/a1"},
        /* a malformed value is fine when a good next is there */
        {"garbage\n<ok>; rel=next", "http://127.0.0.1:9000/ok"},
        /* ... and an error when none is: a next might have been in it */
        {"<a>; rel=\"next", "!"},
        {"<file:///etc/passwd>; rel=next", "!"},
        {"<javascript:x>; rel=next", "!"},
    };
    check_find("http://127.0.0.1:9000/customers?modified_since=x", cases,
               sizeof(cases) / sizeof(cases[0]));
    /* an https base: next links of a pagination = link walk (they were
     * source_link_next's cases) */
    static const find_case_t https_cases[] = {
        {"<https://api.example.com/v1/customers?page=2>; rel=\"next\"",
         "https://api.example.com/v1/customers?page=2"},
        {"<https://a/x?page=1>; rel=\"prev\", <https://a/x?page=3>; rel=\"next\"",
         "https://a/x?page=3"},
        {"<https://a/x?p=9>; rel=\"last\", <https://a/x?p=2>; rel=next; title=\"n\"",
         "https://a/x?p=2"},
        {"</v1/customers?cursor=abc>; rel=\"next\"",
         "https://api.example.com/v1/customers?cursor=abc"},
        {"<https://a/x?p=2>; rel=\"next last\"", "https://a/x?p=2"},
        {"<https://a/x?p=2>; REL=\"Next\"", "https://a/x?p=2"},
        {"<https://a/x?p=1>; rel=\"prev\"", NULL},
        {"<https://a/x?p=1>; rel=\"nextish\"", NULL},
        /* the first line's rel="first" no longer hides the second's next */
        {"<https://a/x?p=1>; rel=\"first\"\n<?page=2>; rel=\"next\"",
         "https://api.example.com/v1/customers?page=2"},
        {"garbage", "!"},
        {"<file:///etc/passwd>; rel=next", "!"},
        {"<http://api.example.com/v1/customers?page=2>; rel=next", "!"},
    };
    check_find("https://api.example.com/v1/customers?x=1", https_cases,
               sizeof(https_cases) / sizeof(https_cases[0]));
    /* an https page never leads to http */
    char *got = NULL, err[512] = "";
    assert_int_equal(
        link_find("<http://h/p2>; rel=next", "next", "https://h/p1", &got, err, sizeof(err)), -1);
    assert_null(got);
    assert_non_null(strstr(err, "https to plain http"));
}

/* A Link field that cannot be parsed fails with the field in the error,
 * its credentials masked: each target's (query parameters named like a
 * credential, a user:password@), and so the text between them. */
static void test_unparsed_redacted(void **state)
{
    (void)state;
    static const struct {
        const char *field, *hidden, *shown;
    } cases[] = {
        {"</items?page=1>; rel=\"prev\", <http://h/items?api_key=sekrit1&page=3; rel=\"next\"",
         "sekrit1", "api_key=***"},
        {"</items?page=1>; rel=\"prev\", <http://bob:hunter2@h/items?page=3; rel=\"next\"",
         "hunter2", "<http://***@h/items"},
        {"http://h/items?access_token=sekrit2; rel=next", "sekrit2", "access_token=***"},
        /* a later target without its angle brackets */
        {"</items?page=1>; rel=\"prev\", http://bob:hunter2@h/items?page=3; rel=\"next\"",
         "hunter2", "http://***@h/items"},
        /* ... whose password holds a ',' (RFC 3986 allows it unencoded) */
        {"</items?page=1>; rel=\"prev\", http://bob:hunter2,pw@h/items?page=3; rel=\"next\"",
         "hunter2", "http://***@h/items"},
        {"<http://h/a?page=2>; rel=next; <http://h/b?token=sekrit3", "sekrit3", "token=***"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *got = NULL, err[1024] = "";
        int rc = link_find(cases[i].field, "next", "http://h/items", &got, err, sizeof(err));
        if (rc != -1 || strstr(err, cases[i].hidden) || !strstr(err, cases[i].shown) ||
            !strstr(err, "could not be parsed"))
            fail_msg("case %zu: rc %d, error '%s'", i, rc, err);
        free(got);
    }
}

static void on_alarm(int sig)
{
    (void)sig;
    static const char msg[] = "test_long_unparsed: link_find still ran after 5 s\n";
    if (write(2, msg, sizeof(msg) - 1) < 0) {
    }
    _exit(1);
}

/*
 * An unparsable field as large as libcurl lets a response's headers be
 * (300 KiB), of short words: the error shows its first pieces, redacted,
 * and "...". Each bare word looks ahead to the next whitespace for a URL,
 * so redacting the whole field before cutting it took some 15 s at -O2
 * (and minutes for a field of 1 MiB); it takes milliseconds now: a
 * deadline with a margin of a hundred, not a timing.
 */
static void test_long_unparsed(void **state)
{
    (void)state;
    size_t n = 300 * 1024;
    char *field = malloc(n + 1);
    assert_non_null(field);
    for (size_t i = 0; i < n; i++)
        field[i] = i % 2 ? ',' : 'a';
    field[n] = '\0';
    char *got = NULL, err[1024] = "";
    signal(SIGALRM, on_alarm);
    alarm(5);
    int rc = link_find(field, "next", "http://h/items", &got, err, sizeof(err));
    alarm(0);
    assert_int_equal(rc, -1);
    if (!strstr(err, "could not be parsed") || !strstr(err, "'a,a,a,a,") || !strstr(err, "...'"))
        fail_msg("error '%s'", err);
    free(got);
    free(field);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),         cmocka_unit_test(test_rel_has),
        cmocka_unit_test(test_find),          cmocka_unit_test(test_unparsed_redacted),
        cmocka_unit_test(test_long_unparsed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
