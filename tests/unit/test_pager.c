/*
 * test_pager.c - the pagers (producer/pager.h) without a network: URL
 * building, the table of styles, and each style's next page and end
 * rule, fed pages by hand. Whole walks against an HTTP API are in
 * test_source_paging.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fnv1a.h"
#include "jsonnum.h"
#include "pager.h"

static void test_url_with(void **state)
{
    (void)state;
    const char *p1[] = {"modified_since", "2026-11-25T12:00:00.123Z", "page", "2"};
    char *u = pager_url_with("http://h/c", p1, 2);
    assert_string_equal(u, "http://h/c?modified_since=2026-11-25T12%3A00%3A00.123Z&page=2");
    free(u);
    const char *p2[] = {"q", "a b&c", NULL, "x", "skip", NULL};
    u = pager_url_with("http://h/c?k=v", p2, 3);
    assert_string_equal(u, "http://h/c?k=v&q=a%20b%26c");
    free(u);
    u = pager_url_with("http://h/c", p2 + 2, 2);
    assert_string_equal(u, "http://h/c");
    free(u);
}

static stream_conf_t stream(pagination_t pg, cursor_precision_t prec)
{
    stream_conf_t sc = {0};
    sc.name = "s";
    sc.url = "http://127.0.0.1:1/items";
    sc.cursor_field = "updated";
    sc.id_field = "id";
    sc.cursor_param = "since";
    sc.cursor_precision = prec;
    sc.records_path = "data";
    sc.pagination = pg;
    sc.page_param = "p";
    sc.page_size_param = "size";
    sc.page_size = 50;
    sc.page_first = 1;
    sc.page_empty_max = 1000;
    sc.cursor_sorted = pg == PAGINATION_NONE || pg == PAGINATION_PAGE || pg == PAGINATION_OFFSET;
    return sc;
}

static void test_page_url(void **state)
{
    (void)state;
    const int64_t t = 1795608000123LL; /* 2026-11-25T12:00:00.123Z */
    static const struct {
        pagination_t pg;
        cursor_precision_t prec;
        int has_since;
        const char *token, *want;
    } cases[] = {
        {PAGINATION_PAGE, CURSOR_PRECISION_TIMESTAMP, 1, "1",
         "http://127.0.0.1:1/items?since=2026-11-25T12%3A00%3A00.123Z&size=50&p=1"},
        {PAGINATION_OFFSET, CURSOR_PRECISION_TIMESTAMP, 1, "100",
         "http://127.0.0.1:1/items?since=2026-11-25T12%3A00%3A00.123Z&size=50&p=100"},
        {PAGINATION_PAGE, CURSOR_PRECISION_DATE, 1, "3",
         "http://127.0.0.1:1/items?since=2026-11-25&size=50&p=3"},
        {PAGINATION_PAGE, CURSOR_PRECISION_TIMESTAMP, 0, "1",
         "http://127.0.0.1:1/items?size=50&p=1"},
        {PAGINATION_NONE, CURSOR_PRECISION_TIMESTAMP, 1, NULL,
         "http://127.0.0.1:1/items?since=2026-11-25T12%3A00%3A00.123Z"},
        {PAGINATION_CURSOR, CURSOR_PRECISION_TIMESTAMP, 0, NULL,
         "http://127.0.0.1:1/items?size=50"},
        {PAGINATION_CURSOR, CURSOR_PRECISION_TIMESTAMP, 0,
         "ab/c=", "http://127.0.0.1:1/items?size=50&p=ab%2Fc%3D"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        stream_conf_t sc = stream(cases[i].pg, cases[i].prec);
        int paged = cases[i].pg != PAGINATION_NONE;
        char *u = pager_page_url(&sc, cases[i].has_since, t, paged, cases[i].token);
        if (!u || strcmp(u, cases[i].want) != 0)
            fail_msg("case %zu: got '%s'\n want '%s'", i, u ? u : "(null)", cases[i].want);
        free(u);
    }
}

static void test_table(void **state)
{
    (void)state;
    static const struct {
        pagination_t style;
        const char *name;
    } cases[] = {
        {PAGINATION_NONE, "none"},     {PAGINATION_PAGE, "page"}, {PAGINATION_OFFSET, "offset"},
        {PAGINATION_CURSOR, "cursor"}, {PAGINATION_LINK, "link"}, {PAGINATION_NEXT_URL, "next_url"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const pager_t *p = pager_for(cases[i].style);
        if (!p || strcmp(p->name, cases[i].name) != 0 || !p->start || !p->url || !p->advance)
            fail_msg("case %zu: %s", i, p ? p->name : "(none)");
    }
    assert_null(pager_for((pagination_t)99));
}

/*
 * One page fed to a pager: its records (a JSON array) and body (NULL:
 * {"data": records}), then what advance must say (1 done, 0 next,
 * PAGER_AGAIN drop it and ask another, -1 error) and, for 0 and
 * PAGER_AGAIN, the URL requested next.
 */
typedef struct step {
    const char *records, *body, *link;
    int want;
    const char *next_url;
} step_t;

/* A step's body for a 204 No Content answer (its records: "[]"). */
#define NO_CONTENT "204"

static const char *more_path; /* the next run_steps' more.path */
static int end_on_204;        /* and its more.end_on_204 */

/* The pager's guess at the page after body (NULL: none), as source.c
 * asks it before the parse: from the body's bytes and the Link field. */
static char *guess_of(const pager_t *p, const pager_walk_t *w, json_t *body, const char *link,
                      const char *url, int *later_page)
{
    if (!p->guess)
        return NULL;
    char *text = json_dumps(body, JSON_ENCODE_ANY);
    assert_non_null(text);
    pager_answer_t a = {text, strlen(text), link, url, url};
    char *g = p->guess(w, &a, later_page);
    free(text);
    return g;
}

/* The token styles' next page is in the answer (a token or URL): a guess,
 * where the walk goes on, is that page. */
static int guess_is_exact(pagination_t style)
{
    return style == PAGINATION_CURSOR || style == PAGINATION_LINK || style == PAGINATION_NEXT_URL;
}

#define RUN_UNSORTED 1 /* run_steps()' flags: cursor.sorted = false */
#define RUN_UNCAPPED 2 /* none.uncapped = true */

static void run_steps(pagination_t style, int empty_end, int flags, const step_t *steps, size_t n)
{
    stream_conf_t sc = stream(style, CURSOR_PRECISION_TIMESTAMP);
    sc.next_path = "next";
    sc.more_path = (char *)more_path;
    sc.more_end_on_204 = end_on_204;
    if (flags & RUN_UNSORTED)
        sc.cursor_sorted = 0;
    sc.none_uncapped = (flags & RUN_UNCAPPED) != 0;
    const pager_t *p = pager_for(style);
    pager_walk_t w = {.sc = &sc, .empty_end = empty_end, .check_since = 1};
    pager_walk_reset(&w, p, 0, 0);
    char *url = p->url(&w);
    assert_non_null(url);
    for (size_t i = 0; i < n; i++) {
        json_t *records = json_loads(steps[i].records, 0, NULL);
        int no_content = steps[i].body && !strcmp(steps[i].body, NO_CONTENT);
        json_t *body = no_content      ? json_array()
                       : steps[i].body ? json_loads(steps[i].body, 0, NULL)
                                       : json_pack("{sO}", "data", records);
        assert_non_null(records);
        assert_non_null(body);
        pager_page_t page = {body, records, url, url, steps[i].link, no_content, NULL};
        char err[512] = "";
        int later_page = -1;
        char *guess = guess_of(p, &w, body, steps[i].link, url, &later_page);
        int rc = p->advance(&w, &page, err, sizeof(err));
        json_decref(records);
        json_decref(body);
        if (rc != steps[i].want)
            fail_msg("%s step %zu: %d, want %d (%s)", p->name, i, rc, steps[i].want, err);
        if (rc < 0 && !err[0])
            fail_msg("%s step %zu: an error without a message", p->name, i);
        if (rc == 1 && guess_is_exact(style) && guess) /* the last page: nothing to guess */
            fail_msg("%s step %zu: a guess after the last page: %s", p->name, i, guess);
        if (rc != 0 && rc != PAGER_AGAIN) {
            free(guess);
            break;
        }
        free(url);
        url = p->url(&w);
        assert_non_null(url);
        if (rc == 0 && guess_is_exact(style) &&
            (!guess || strcmp(guess, url) != 0 || later_page != w.later_page))
            fail_msg("%s step %zu: guessed '%s' (later page %d)\n next '%s' (%d)", p->name, i,
                     guess ? guess : "(none)", later_page, url, w.later_page);
        free(guess);
        if (steps[i].next_url && strcmp(url, steps[i].next_url) != 0)
            fail_msg("%s step %zu: next '%s'\n want '%s'", p->name, i, url, steps[i].next_url);
    }
    free(url);
    pager_walk_clear(&w);
}

#define RUN(style, empty_end, steps)                                                               \
    run_steps(style, empty_end, 0, steps, sizeof(steps) / sizeof(steps[0]))
#define U  "http://127.0.0.1:1/items"
#define T1 "{\"id\":1,\"updated\":\"2026-11-25T12:00:00Z\"}"
#define T2 "{\"id\":2,\"updated\":\"2026-11-25T12:00:01Z\"}"
#define T3 "{\"id\":3,\"updated\":\"2026-11-25T12:00:02Z\"}"
#define X1 "{\"id\":1,\"updated\":\"2026-11-25T12:00:02Z\"}"
#define X2 "{\"id\":2,\"updated\":\"2026-11-25T12:00:02Z\"}"
#define O1 "{\"id\":9,\"updated\":\"2026-11-23T21:59:59Z\"}" /* 38 h before T3, and 3 s */

static void test_seek_steps(void **state)
{
    (void)state;
    /* a page whose last record is later re-seeks at page 1; a shorter page ends */
    static const step_t page_walk[] = {
        {"[" T1 "," T2 "]", NULL, NULL, 0, U "?since=2026-11-25T12%3A00%3A01.000Z&size=50&p=1"},
        {"[" T2 "," T3 "]", NULL, NULL, 0, U "?since=2026-11-25T12%3A00%3A02.000Z&size=50&p=1"},
        {"[" T3 "]", NULL, NULL, 1, NULL},
    };
    RUN(PAGINATION_PAGE, 0, page_walk);
    /* ties at one since page by number; with empty_end a short page goes on */
    static const step_t ties[] = {
        {"[" X1 "," X2 "]", NULL, NULL, 0, U "?since=2026-11-25T12%3A00%3A02.000Z&size=50&p=1"},
        {"[" X2 "]", NULL, NULL, 0, U "?since=2026-11-25T12%3A00%3A02.000Z&size=50&p=2"},
        {"[]", NULL, NULL, 1, NULL},
    };
    RUN(PAGINATION_PAGE, 1, ties);
    /* the same first record at page 2 of one since: the page param is ignored */
    static const step_t ignored[] = {
        {"[" X1 "," X2 "]", NULL, NULL, 0, NULL},
        {"[" X2 "," X1 "]", NULL, NULL, 0, U "?since=2026-11-25T12%3A00%3A02.000Z&size=50&p=2"},
        {"[" X2 "," X1 "]", NULL, NULL, -1, NULL},
    };
    RUN(PAGINATION_PAGE, 0, ignored);
    /* an offset moves by what was served */
    static const step_t offsets[] = {
        {"[" X1 "," X2 "]", NULL, NULL, 0, U "?since=2026-11-25T12%3A00%3A02.000Z&size=50&p=0"},
        {"[" X2 "," X1 "]", NULL, NULL, 0, U "?since=2026-11-25T12%3A00%3A02.000Z&size=50&p=2"},
        {"[]", NULL, NULL, 1, NULL},
    };
    RUN(PAGINATION_OFFSET, 0, offsets);
    /* a since's first page starting further below it than a rounding
     * explains: the API ignores the cursor parameter */
    static const step_t since_ignored[] = {
        {"[" O1 "," T3 "]", NULL, NULL, 0, U "?since=2026-11-25T12%3A00%3A02.000Z&size=50&p=1"},
        {"[" O1 "," T3 "]", NULL, NULL, -1, NULL},
    };
    RUN(PAGINATION_PAGE, 0, since_ignored);
    static const step_t since_rounded[] = {
        {"[" T1 "," T3 "]", NULL, NULL, 0, U "?since=2026-11-25T12%3A00%3A02.000Z&size=50&p=1"},
        {"[" T1 "," T3 "]", NULL, NULL, 0, U "?since=2026-11-25T12%3A00%3A02.000Z&size=50&p=2"},
        {"[]", NULL, NULL, 1, NULL},
    };
    RUN(PAGINATION_PAGE, 0, since_rounded);
    /* an API that serves records after since (`>`): the page at T2's
     * since starts past T2, so the walk starts again, asking one
     * millisecond below each since from then on */
    static const step_t exclusive[] = {
        {"[" T1 "," T2 "]", NULL, NULL, 0, U "?since=2026-11-25T12%3A00%3A01.000Z&size=50&p=1"},
        {"[" T3 "]", NULL, NULL, PAGER_AGAIN, U "?size=50&p=1"},
        {"[" T1 "," T2 "]", NULL, NULL, 0, U "?since=2026-11-25T12%3A00%3A00.999Z&size=50&p=1"},
        {"[" T2 "," T3 "]", NULL, NULL, 0, U "?since=2026-11-25T12%3A00%3A01.999Z&size=50&p=1"},
        {"[" T3 "]", NULL, NULL, 1, NULL},
    };
    RUN(PAGINATION_PAGE, 0, exclusive);
    /* ... and its empty page at the walk's end says the same */
    static const step_t exclusive_end[] = {
        {"[" T1 "," T2 "]", NULL, NULL, 0, U "?since=2026-11-25T12%3A00%3A01.000Z&size=50&p=1"},
        {"[]", NULL, NULL, PAGER_AGAIN, U "?size=50&p=1"},
    };
    RUN(PAGINATION_PAGE, 0, exclusive_end);
    /* the record that set since, served again alone at a later cursor
     * on a page not full: it moved between the two requests (a cursor
     * that is the request's time). At first the walk cannot tell that
     * from an API filtering `>` that left the record's ties out, and
     * starts again one unit below each since; served so then, nothing
     * else lies past since: an incremental walk ends there, where it
     * asked again at each since for ever ... */
#define MOVED2 "{\"id\":2,\"updated\":\"2026-11-25T12:00:02Z\"}"
    static const step_t moved_alone[] = {
        {"[" T1 "," T2 "]", NULL, NULL, 0, U "?since=2026-11-25T12%3A00%3A01.000Z&size=50&p=1"},
        {"[" MOVED2 "]", NULL, NULL, PAGER_AGAIN, U "?size=50&p=1"},
        {"[" T1 "," T2 "]", NULL, NULL, 0, U "?since=2026-11-25T12%3A00%3A00.999Z&size=50&p=1"},
        {"[" MOVED2 "]", NULL, NULL, 1, NULL},
    };
    RUN(PAGINATION_PAGE, 0, moved_alone);
    /* ... a full run's asks the next page at that since (a page cut by
     * bytes may be short), which ends it empty */
    static const step_t moved_alone_full[] = {
        {"[" T1 "," T2 "]", NULL, NULL, 0, U "?since=2026-11-25T12%3A00%3A01.000Z&size=50&p=1"},
        {"[" MOVED2 "]", NULL, NULL, PAGER_AGAIN, U "?size=50&p=1"},
        {"[" T1 "," T2 "]", NULL, NULL, 0, U "?since=2026-11-25T12%3A00%3A00.999Z&size=50&p=1"},
        {"[" MOVED2 "]", NULL, NULL, 0, U "?since=2026-11-25T12%3A00%3A00.999Z&size=50&p=2"},
        {"[]", NULL, NULL, 1, NULL},
    };
    RUN(PAGINATION_PAGE, 1, moved_alone_full);
    /* ... another record alone there is served and followed */
    static const step_t other_alone[] = {
        {"[" T1 "," T2 "]", NULL, NULL, 0, U "?since=2026-11-25T12%3A00%3A01.000Z&size=50&p=1"},
        {"[" T2 "," T3 "]", NULL, NULL, 0, U "?since=2026-11-25T12%3A00%3A02.000Z&size=50&p=1"},
    };
    RUN(PAGINATION_PAGE, 1, other_alone);
    /* none: an answer in cursor order is followed at its last cursor (the
     * API may cap it) until an answer brings nothing new, which is dropped */
    static const step_t none[] = {
        {"[" T1 "," T2 "]", NULL, NULL, 0, U "?since=2026-11-25T12%3A00%3A01.000Z"},
        {"[" T2 "]", NULL, NULL, PAGER_END, NULL},
    };
    RUN(PAGINATION_NONE, 0, none);
    static const step_t none_capped[] = {
        {"[" T1 "," T2 "]", NULL, NULL, 0, U "?since=2026-11-25T12%3A00%3A01.000Z"},
        {"[" T2 "," T3 "]", NULL, NULL, 0, U "?since=2026-11-25T12%3A00%3A02.000Z"},
        {"[" T3 "]", NULL, NULL, PAGER_END, NULL},
    };
    RUN(PAGINATION_NONE, 0, none_capped);
    /* an API that rounds since down: the answer starts below it but holds
     * a record not served before, which is handed out */
    static const step_t none_rounded[] = {
        {"[" T1 "," T2 "]", NULL, NULL, 0, U "?since=2026-11-25T12%3A00%3A01.000Z"},
        {"[" T1 "," T2 "," T3 "]", NULL, NULL, 0, U "?since=2026-11-25T12%3A00%3A02.000Z"},
        {"[" T3 "]", NULL, NULL, PAGER_END, NULL},
    };
    RUN(PAGINATION_NONE, 0, none_rounded);
    /* an answer at the last cursor that starts below it (an API that
     * ignores since, or rounds it down): dropped, the walk is over; as
     * large as the largest, it may be capped: unproven, unless
     * none.uncapped says the API answers everything at once. Smaller, it
     * proves the end: no cap at the largest's size cut it */
    static const step_t none_ignored[] = {
        {"[" T1 "," T2 "]", NULL, NULL, 0, U "?since=2026-11-25T12%3A00%3A01.000Z"},
        {"[" T1 "," T2 "]", NULL, NULL, PAGER_END_UNPROVEN, NULL},
    };
    RUN(PAGINATION_NONE, 0, none_ignored);
    static const step_t none_ignored_uncapped[] = {
        {"[" T1 "," T2 "]", NULL, NULL, 0, U "?since=2026-11-25T12%3A00%3A01.000Z"},
        {"[" T1 "," T2 "]", NULL, NULL, PAGER_END, NULL},
    };
    run_steps(PAGINATION_NONE, 0, RUN_UNCAPPED, none_ignored_uncapped, 2);
    static const step_t none_ignored_smaller[] = {
        {"[" T1 "," T2 "," T3 "]", NULL, NULL, 0, U "?since=2026-11-25T12%3A00%3A02.000Z"},
        {"[" T2 "," T3 "]", NULL, NULL, PAGER_END, NULL},
    };
    RUN(PAGINATION_NONE, 0, none_ignored_smaller);
    /* out of cursor order: the answer is the walk, as before, and it may
     * be capped (a newest-first list): unproven, unless none.uncapped */
    static const step_t none_unsorted[] = {
        {"[" T2 "," T1 "]", NULL, NULL, PAGER_LAST_UNPROVEN, NULL}};
    RUN(PAGINATION_NONE, 0, none_unsorted);
    static const step_t none_unsorted_uncapped[] = {{"[" T2 "," T1 "]", NULL, NULL, 1, NULL}};
    run_steps(PAGINATION_NONE, 0, RUN_UNCAPPED, none_unsorted_uncapped, 1);
    /* all at the since it was asked from: the same records end the walk,
     * unproven (with a warning: a cap cannot be told from a whole tie
     * group), records not served before (a tie group past the cap) fail
     * it */
    static const step_t none_ties_same[] = {
        {"[" X1 "," X2 "]", NULL, NULL, 0, U "?since=2026-11-25T12%3A00%3A02.000Z"},
        {"[" X1 "," X2 "]", NULL, NULL, PAGER_END_UNPROVEN, NULL},
    };
    RUN(PAGINATION_NONE, 0, none_ties_same);
    static const step_t none_ties_capped[] = {
        {"[" T1 "," X1 "]", NULL, NULL, 0, U "?since=2026-11-25T12%3A00%3A02.000Z"},
        {"[" X1 "," X2 "]", NULL, NULL, -1, NULL},
    };
    RUN(PAGINATION_NONE, 0, none_ties_capped);
    /* the ids kept from an answer's last bucket are told apart as JSON
     * values: the string "1" is not the integer 1 ... */
    static const step_t none_ties_typed[] = {
        {"[" T1 "," X1 "]", NULL, NULL, 0, U "?since=2026-11-25T12%3A00%3A02.000Z"},
        {"[{\"id\":\"1\",\"updated\":\"2026-11-25T12:00:02Z\"}," X1 "]", NULL, NULL, -1, NULL},
    };
    RUN(PAGINATION_NONE, 0, none_ties_typed);
    /* ... and ids longer than an id set's key, alike in their first KiB,
     * are two */
    static char long1[1300], long2[1300], first[2800], second[2800];
    char id[1101];
    memset(id, 'a', sizeof(id) - 1);
    id[sizeof(id) - 1] = '\0';
    snprintf(long1, sizeof(long1), "{\"id\":\"%s1\",\"updated\":\"2026-11-25T12:00:02Z\"}", id);
    snprintf(long2, sizeof(long2), "{\"id\":\"%s2\",\"updated\":\"2026-11-25T12:00:02Z\"}", id);
    snprintf(first, sizeof(first), "[%s,%s]", T1, long1);
    snprintf(second, sizeof(second), "[%s,%s]", long1, long2);
    const step_t none_ties_long[] = {
        {first, NULL, NULL, 0, U "?since=2026-11-25T12%3A00%3A02.000Z"},
        {second, NULL, NULL, -1, NULL},
    };
    RUN(PAGINATION_NONE, 0, none_ties_long);
    /* ... nor is an id of 1023 bytes that spells a long id's key (its
     * first 1006 bytes, '#', the digest of the whole): a crafted id must
     * not pass for the long one kept (found by helper 123) */
    static char spelled[1024], rec3[1200], third[2800];
    const char *val = strstr(long1, "\"id\":\"") + 6;
    memcpy(spelled, val, 1006);
    snprintf(spelled + 1006, 18, "#%016llx", (unsigned long long)fnv1a64(val, strlen(id) + 1));
    snprintf(rec3, sizeof(rec3), "{\"id\":\"%s\",\"updated\":\"2026-11-25T12:00:02Z\"}", spelled);
    snprintf(third, sizeof(third), "[%s,%s]", long1, rec3);
    const step_t none_ties_spelled[] = {
        {first, NULL, NULL, 0, U "?since=2026-11-25T12%3A00%3A02.000Z"},
        {third, NULL, NULL, -1, NULL},
    };
    RUN(PAGINATION_NONE, 0, none_ties_spelled);
    /* a `>` filter: the record that set since not served again */
    static const step_t none_exclusive[] = {
        {"[" T1 "," T2 "]", NULL, NULL, 0, U "?since=2026-11-25T12%3A00%3A01.000Z"},
        {"[" T3 "]", NULL, NULL, PAGER_AGAIN, U},
    };
    RUN(PAGINATION_NONE, 0, none_exclusive);
    /* cursor.sorted = false: by number (or offset) at the walk's since,
     * never a re-seek at the last cursor, which would skip T1 on page 2 */
    static const step_t unsorted_pages[] = {
        {"[" T2 "," T3 "]", NULL, NULL, 0, U "?size=50&p=2"},
        {"[" T1 "]", NULL, NULL, 0, U "?size=50&p=3"},
        {"[]", NULL, NULL, 1, NULL},
    };
    run_steps(PAGINATION_PAGE, 1, RUN_UNSORTED, unsorted_pages, 3);
    static const step_t unsorted_offsets[] = {
        {"[" T2 "," T3 "]", NULL, NULL, 0, U "?size=50&p=2"},
        {"[" T1 "]", NULL, NULL, 0, U "?size=50&p=3"},
        {"[]", NULL, NULL, 1, NULL},
    };
    run_steps(PAGINATION_OFFSET, 1, RUN_UNSORTED, unsorted_offsets, 3);
}

#define MORE(recs, flag) "{\"data\":" recs ",\"has_more\":" flag "}"

/* more.path: the flag alone ends a page or offset walk. An empty or short
 * page that says more follow is walked past (an API that hides records
 * after paging); a body without the flag is an error, not an end. */
static void test_more_flag_steps(void **state)
{
    (void)state;
    more_path = "has_more";
    static const step_t page_walk[] = {
        {"[" T1 "," T2 "]", MORE("[" T1 "," T2 "]", "true"), NULL, 0,
         U "?since=2026-11-25T12%3A00%3A01.000Z&size=50&p=1"},
        {"[]", MORE("[]", "true"), NULL, 0, U "?since=2026-11-25T12%3A00%3A01.000Z&size=50&p=2"},
        {"[" T3 "]", MORE("[" T3 "]", "1"), NULL, 0,
         U "?since=2026-11-25T12%3A00%3A02.000Z&size=50&p=1"},
        {"[" T3 "]", MORE("[" T3 "]", "false"), NULL, 1, NULL},
    };
    RUN(PAGINATION_PAGE, 0, page_walk);
    /* an offset past a hidden page moves by the most a page held */
    static const step_t offset_walk[] = {
        {"[" T1 "," T2 "]", MORE("[" T1 "," T2 "]", "true"), NULL, 0,
         U "?since=2026-11-25T12%3A00%3A01.000Z&size=50&p=0"},
        {"[]", MORE("[]", "true"), NULL, 0, U "?since=2026-11-25T12%3A00%3A01.000Z&size=50&p=2"},
        {"[" T3 "]", MORE("[" T3 "]", "true"), NULL, 0,
         U "?since=2026-11-25T12%3A00%3A02.000Z&size=50&p=0"},
        {"[" T3 "]", MORE("[" T3 "]", "null"), NULL, 1, NULL},
    };
    RUN(PAGINATION_OFFSET, 1, offset_walk);
    /* an empty page before any record moves an offset by page.size on
     * trust; the first page with records, shorter than page.size, shows a
     * cap below it: the walk goes back and moves by what that page held */
    static const step_t hidden_first[] = {
        {"[]", MORE("[]", "true"), NULL, 0, U "?size=50&p=50"},
        {"[" T2 "]", MORE("[" T2 "]", "true"), NULL, 0, U "?size=50&p=0"},
        {"[]", MORE("[]", "true"), NULL, 0, U "?size=50&p=1"},
        {"[" T1 "]", MORE("[" T1 "]", "\"false\""), NULL, 1, NULL},
    };
    run_steps(PAGINATION_OFFSET, 1, RUN_UNSORTED, hidden_first, 4);
    /* an offset moved by fewer than the API paged (it hid two) overlaps:
     * the next page may start with the same record, which is no repeat */
    static const step_t overlap[] = {
        {"[" T2 "," T3 "]", MORE("[" T2 "," T3 "]", "true"), NULL, 0, U "?size=50&p=2"},
        {"[" T2 "," T3 "," T1 "]", MORE("[" T2 "," T3 "," T1 "]", "true"), NULL, 0,
         U "?size=50&p=5"},
        {"[]", MORE("[]", "0"), NULL, 1, NULL},
    };
    run_steps(PAGINATION_OFFSET, 1, RUN_UNSORTED, overlap, 3);
    /* an object or array there (a next page's link, its numbers) says
     * more; the walk ends where it turns none */
    static const step_t structured[] = {
        {"[" T1 "," T2 "]", MORE("[" T1 "," T2 "]", "{\"href\":\"/next\"}"), NULL, 0,
         U "?since=2026-11-25T12%3A00%3A01.000Z&size=50&p=1"},
        {"[" T2 "," T3 "]", MORE("[" T2 "," T3 "]", "[3]"), NULL, 0,
         U "?since=2026-11-25T12%3A00%3A02.000Z&size=50&p=1"},
        {"[" T3 "]", MORE("[" T3 "]", "null"), NULL, 1, NULL},
    };
    RUN(PAGINATION_PAGE, 0, structured);
    /* a full page that says none is the last */
    static const step_t last[] = {
        {"[" T1 "," T2 "]", MORE("[" T1 "," T2 "]", "false"), NULL, 1, NULL}};
    RUN(PAGINATION_PAGE, 1, last);
    /* a 204 (no body, no flag) may be the page past the last or a page
     * whose records the API hid, more following: an error, not an end
     * (taken for the end, a full run would delete what follows) */
    static const step_t no_content[] = {
        {"[" T1 "," T2 "]", MORE("[" T1 "," T2 "]", "true"), NULL, 0,
         U "?since=2026-11-25T12%3A00%3A01.000Z&size=50&p=1"},
        {"[" T2 "]", MORE("[" T2 "]", "true"), NULL, 0,
         U "?since=2026-11-25T12%3A00%3A01.000Z&size=50&p=2"},
        {"[]", NO_CONTENT, NULL, -1, NULL},
    };
    RUN(PAGINATION_PAGE, 0, no_content);
    /* unless more.end_on_204 says the API answers "none" so */
    static const step_t no_content_ends[] = {
        {"[" T1 "," T2 "]", MORE("[" T1 "," T2 "]", "true"), NULL, 0,
         U "?since=2026-11-25T12%3A00%3A01.000Z&size=50&p=1"},
        {"[" T2 "]", MORE("[" T2 "]", "true"), NULL, 0,
         U "?since=2026-11-25T12%3A00%3A01.000Z&size=50&p=2"},
        {"[]", NO_CONTENT, NULL, 1, NULL},
    };
    end_on_204 = 1;
    RUN(PAGINATION_PAGE, 0, no_content_ends);
    end_on_204 = 0;
    /* no flag (a misspelt more.path): an error naming the key */
    static const step_t missing[] = {
        {"[" T1 "]", "{\"data\":[" T1 "],\"hasMore\":false}", NULL, -1, NULL}};
    RUN(PAGINATION_PAGE, 0, missing);

    /* 1.0 and 0.0 as the page reader keeps them (jsonnum.h: text behind
     * a NUL, not a jansson number): 1.0 was read as "", none, and ended
     * the walk after its first page */
    {
        stream_conf_t jc = stream(PAGINATION_PAGE, CURSOR_PRECISION_TIMESTAMP);
        jc.more_path = "has_more";
        pager_walk_t jw = {.sc = &jc};
        pager_walk_reset(&jw, &pager_page, 0, 0);
        static const struct {
            const char *records, *flag;
            int want;
        } jsteps[] = {{"[" T1 "," T2 "]", "1.0", 0}, {"[" T2 "," T3 "]", "0.0", 1}};
        for (size_t i = 0; i < 2; i++) {
            json_t *recs = json_loads(jsteps[i].records, 0, NULL);
            json_t *jbody = json_pack("{sOso}", "data", recs, "has_more",
                                      jsonnum_make(jsteps[i].flag, strlen(jsteps[i].flag)));
            assert_non_null(jbody);
            pager_page_t jp = {jbody, recs, U, U, NULL, 0, NULL};
            char jerr[512] = "";
            assert_int_equal(pager_page.advance(&jw, &jp, jerr, sizeof(jerr)), jsteps[i].want);
            json_decref(recs);
            json_decref(jbody);
        }
        pager_walk_clear(&jw);
    }

    /* flags written as strings: booleans of other languages end the walk
     * (Python's str(False), str(None)); anything else says more */
    {
        static const struct {
            const char *flag;
            int want;
        } texts[] = {{"\"False\"", 1}, {"\"FALSE\"", 1}, {"\"None\"", 1},
                     {"\"null\"", 1},  {"\"0\"", 1},     {"\"\"", 1},
                     {"\"True\"", 0},  {"\"2\"", 0},     {"\"f\"", 0}};
        for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
            stream_conf_t tc = stream(PAGINATION_PAGE, CURSOR_PRECISION_TIMESTAMP);
            tc.more_path = "has_more";
            pager_walk_t tw = {.sc = &tc};
            pager_walk_reset(&tw, &pager_page, 0, 0);
            char text[256];
            snprintf(text, sizeof(text), "{\"data\":[" T1 "],\"has_more\":%s}", texts[i].flag);
            json_t *tbody = json_loads(text, 0, NULL);
            assert_non_null(tbody);
            pager_page_t tp = {tbody, json_object_get(tbody, "data"), U, U, NULL, 0, NULL};
            char terr[512] = "";
            if (pager_page.advance(&tw, &tp, terr, sizeof(terr)) != texts[i].want)
                fail_msg("more.path %s: want %d", texts[i].flag, texts[i].want);
            json_decref(tbody);
            pager_walk_clear(&tw);
        }
    }

    /* a flag that never says none over empty pages: an error, not a walk
     * for ever */
    stream_conf_t sc = stream(PAGINATION_PAGE, CURSOR_PRECISION_TIMESTAMP);
    sc.more_path = "has_more";
    pager_walk_t w = {.sc = &sc};
    pager_walk_reset(&w, &pager_page, 0, 0);
    json_t *body = json_loads(MORE("[]", "true"), 0, NULL);
    assert_non_null(body);
    pager_page_t page = {body, json_object_get(body, "data"), U, U, NULL, 0, NULL};
    char err[512] = "";
    int rc = 0, pages = 0;
    while (rc == 0 && pages < 5000) {
        rc = pager_page.advance(&w, &page, err, sizeof(err));
        pages++;
    }
    assert_int_equal(rc, -1);
    assert_int_equal(pages, 1001);
    assert_non_null(strstr(err, "more.path"));
    json_decref(body);
    pager_walk_clear(&w);

    /* an offset API that ignores the offset, saying more for ever: the
     * same first record once the offset moved page.size past where it
     * first led a page is an error; with full pages, at the second */
    sc.cursor_sorted = 0;
    body = json_loads(MORE("[" T1 "," T2 "]", "true"), 0, NULL);
    assert_non_null(body);
    page = (pager_page_t){body, json_object_get(body, "data"), U, U, NULL, 0, NULL};
    static const struct {
        int page_size, pages;
    } ignorers[] = {{50, 26}, {2, 2}};
    for (size_t k = 0; k < 2; k++) {
        sc.page_size = ignorers[k].page_size;
        pager_walk_reset(&w, &pager_offset, 0, 0);
        for (rc = 0, pages = 0; rc == 0 && pages < 5000; pages++)
            rc = pager_offset.advance(&w, &page, err, sizeof(err));
        assert_int_equal(rc, -1);
        assert_int_equal(pages, ignorers[k].pages);
        assert_non_null(strstr(err, "the same first record"));
        pager_walk_clear(&w);
    }
    json_decref(body);

    /* a full page after steps on trust confirms them: the walk goes on */
    sc.page_size = 2;
    pager_walk_reset(&w, &pager_offset, 0, 0);
    json_t *empty = json_loads(MORE("[]", "true"), 0, NULL);
    json_t *full = json_loads(MORE("[" T1 "," T2 "]", "true"), 0, NULL);
    assert_non_null(empty);
    assert_non_null(full);
    pager_page_t hidden = {empty, json_object_get(empty, "data"), U, U, NULL, 0, NULL};
    pager_page_t shown = {full, json_object_get(full, "data"), U, U, NULL, 0, NULL};
    assert_int_equal(pager_offset.advance(&w, &hidden, err, sizeof(err)), 0);
    assert_int_equal(w.page_no, 2);
    assert_int_equal(pager_offset.advance(&w, &shown, err, sizeof(err)), 0);
    assert_int_equal(w.page_no, 4); /* on, by the two served: not back to 0 */
    json_decref(empty);
    json_decref(full);
    pager_walk_clear(&w);
    more_path = NULL;
}

static void test_token_steps(void **state)
{
    (void)state;
    /* an empty page with a token goes on; no token ends */
    static const step_t cursor[] = {
        {"[" T1 "]", "{\"next\":\"a\"}", NULL, 0, U "?size=50&p=a"},
        {"[]", "{\"next\":7}", NULL, 0, U "?size=50&p=7"},
        {"[" T2 "]", "{}", NULL, 1, NULL},
    };
    RUN(PAGINATION_CURSOR, 0, cursor);
    static const step_t loop[] = {
        {"[" T1 "]", "{\"next\":\"a\"}", NULL, 0, NULL},
        {"[" T2 "]", "{\"next\":\"b\"}", NULL, 0, NULL},
        {"[" T3 "]", "{\"next\":\"a\"}", NULL, -1, NULL},
    };
    RUN(PAGINATION_CURSOR, 0, loop);
    /* an empty page naming the token it was asked with is the tail (a
     * Dropbox-style "ask again from here later"): the end, not a loop */
    static const step_t tail_same_token[] = {
        {"[" T1 "]", "{\"next\":\"a\"}", NULL, 0, U "?size=50&p=a"},
        {"[" T2 "]", "{\"next\":\"b\"}", NULL, 0, U "?size=50&p=b"},
        {"[]", "{\"next\":\"b\"}", NULL, 1, NULL},
    };
    RUN(PAGINATION_CURSOR, 0, tail_same_token);
    /* a page with records naming the token it was asked with is a loop */
    static const step_t same_token_with_records[] = {
        {"[" T1 "]", "{\"next\":\"a\"}", NULL, 0, NULL},
        {"[" T2 "]", "{\"next\":\"a\"}", NULL, -1, NULL},
    };
    RUN(PAGINATION_CURSOR, 0, same_token_with_records);
    static const step_t fresh_token_same_page[] = {
        {"[" T1 "]", "{\"next\":\"a\"}", NULL, 0, NULL},
        {"[" T1 "]", "{\"next\":\"b\"}", NULL, -1, NULL},
    };
    RUN(PAGINATION_CURSOR, 0, fresh_token_same_page);
    /* relative next links resolve; a link back to the first URL is a loop */
    static const step_t link[] = {
        {"[" T1 "]", "{}", "</items?c=2>; rel=next", 0, U "?c=2"},
        {"[" T2 "]", "{}", "<" U "?size=50>; rel=next", -1, NULL},
    };
    RUN(PAGINATION_LINK, 0, link);
    static const step_t link_end[] = {
        {"[" T1 "]", "{}", "<?c=2>; rel=next", 0, U "?c=2"},
        {"[" T2 "]", "{}", "<?c=1>; rel=prev", 1, NULL},
    };
    RUN(PAGINATION_LINK, 0, link_end);
    /* an empty page that links itself is the tail of a feed: the end */
    static const step_t link_tail[] = {
        {"[" T1 "]", "{}", "<?c=2>; rel=next", 0, U "?c=2"},
        {"[]", "{}", "<?c=2>; rel=next", 1, NULL},
    };
    RUN(PAGINATION_LINK, 0, link_tail);
    static const step_t link_bad[] = {{"[" T1 "]", "{}", "<ftp://x/y>; rel=next", -1, NULL}};
    RUN(PAGINATION_LINK, 0, link_bad);
    /* a cursor walk whose next.path holds no token fails (search_after's
     * array): taken for "none", every walk ended after its first page */
    static const step_t cursor_array[] = {{"[" T1 "]", "{\"next\":[1,2]}", NULL, -1, NULL}};
    RUN(PAGINATION_CURSOR, 0, cursor_array);
    /* next_url: the URL at next.path, absolute or relative, is followed;
     * none (absent or null) ends the walk; one on another scheme fails */
    static const step_t next_url[] = {
        {"[" T1 "]", "{\"next\":\"" U "?skip=1\"}", NULL, 0, U "?skip=1"},
        {"[" T2 "]", "{\"next\":\"/items?skip=2\"}", NULL, 0, U "?skip=2"},
        {"[]", "{\"next\":\"?skip=3\"}", NULL, 0, U "?skip=3"},
        {"[" T3 "]", "{\"next\":null}", NULL, 1, NULL},
    };
    RUN(PAGINATION_NEXT_URL, 0, next_url);
    static const step_t next_url_loop[] = {
        {"[" T1 "]", "{\"next\":\"?skip=1\"}", NULL, 0, U "?skip=1"},
        {"[" T2 "]", "{\"next\":\"" U "?size=50\"}", NULL, -1, NULL},
    };
    RUN(PAGINATION_NEXT_URL, 0, next_url_loop);
    static const step_t next_url_bad[] = {{"[" T1 "]", "{\"next\":\"ftp://x/y\"}", NULL, -1, NULL}};
    RUN(PAGINATION_NEXT_URL, 0, next_url_bad);
}

/*
 * Guesses the token styles must not make: a URL advance() refuses to
 * follow (it would be requested before advance() refused it: another
 * scheme, https to http), the page just asked, as asked or as answered
 * after a redirect (the tail of a feed), a token that names no page, an
 * escaped string (read as is, it would be another URL), a URL a record
 * holds under next.path's name on another path or host (the API's users
 * wrote it: an admin endpoint, a metadata address). And the ones they
 * make from a dotted next.path (its last component) and from a number.
 */
static void test_token_guesses(void **state)
{
    (void)state;
    static const struct {
        pagination_t style;
        const char *next_path, *asked, *body, *link, *want;
    } cases[] = {
        {PAGINATION_LINK, "next", "https://api.test/items", "{}", "<ftp://x/y>; rel=next", NULL},
        {PAGINATION_LINK, "next", "https://api.test/items", "{}",
         "<http://api.test/items?p=2>; rel=next", NULL},
        {PAGINATION_LINK, "next", "https://api.test/items?p=2", "{}", "<?p=2>; rel=next", NULL},
        {PAGINATION_LINK, "next", "https://api.test/items", "{}", "<?p=2>; rel=prev", NULL},
        {PAGINATION_LINK, "next", "https://api.test/items", "{}", "</items?p=2>; rel=\"next\"",
         "https://api.test/items?p=2"},
        {PAGINATION_NEXT_URL, "next", "https://api.test/items", "{\"next\":\"ftp://x/y\"}", NULL,
         NULL},
        {PAGINATION_NEXT_URL, "next", "https://api.test/items",
         "{\"next\":\"http://api.test/items?p=2\"}", NULL, NULL},
        {PAGINATION_NEXT_URL, "next", "https://api.test/items",
         "{\"next\":\"https:\\/\\/api.test\\/items?p=2\"}", NULL, NULL},
        {PAGINATION_NEXT_URL, "next", "https://api.test/items?p=2", "{\"next\":\"?p=2\"}", NULL,
         NULL},
        {PAGINATION_NEXT_URL, "next", "https://api.test/items", "{\"next\":null}", NULL, NULL},
        {PAGINATION_NEXT_URL, "links.next", "https://api.test/items",
         "{\"data\":[],\"links\":{\"next\":\"/items?p=2\"}}", NULL, "https://api.test/items?p=2"},
        {PAGINATION_NEXT_URL, "@odata.nextLink", "https://api.test/items",
         "{\"value\":[],\"@odata.nextLink\":\"items?p=2\"}", NULL, "https://api.test/items?p=2"},
        {PAGINATION_CURSOR, "next", "https://api.test/items", "{\"next\":\"\"}", NULL, NULL},
        {PAGINATION_CURSOR, "next", "https://api.test/items", "{\"next\":[1,2]}", NULL, NULL},
        {PAGINATION_CURSOR, "meta.after", "https://api.test/items",
         "{\"data\":[],\"meta\":{\"after\":12345678901}}", NULL,
         "https://api.test/items?size=50&p=12345678901"},
        /* the first page linking itself */
        {PAGINATION_LINK, "next", "https://api.test/items", "{}",
         "<https://api.test/items>; rel=next", NULL},
        /* a record's member of next.path's name after the envelope's */
        {PAGINATION_NEXT_URL, "next", "https://api.test/items",
         "{\"next\":\"https://api.test/items?p=2\",\"results\":[{\"id\":1,\"next\":"
         "\"https://api.test/admin/purge?all=1\"}]}",
         NULL, NULL},
        {PAGINATION_NEXT_URL, "next", "https://api.test/items",
         "{\"results\":[{\"next\":\"https://evil.example/items\"}]}", NULL, NULL},
        {PAGINATION_NEXT_URL, "next", "http://api.test/items",
         "{\"results\":[{\"next\":\"http://169.254.169.254/latest/meta-data/\"}]}", NULL, NULL},
        /* ... on the path that answered: a wrong guess (one request of the
         * walk's own kind, dropped), no more */
        {PAGINATION_NEXT_URL, "next", "https://api.test/items",
         "{\"results\":[{\"next\":\"/items?p=99\"}]}", NULL, "https://api.test/items?p=99"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        stream_conf_t sc = stream(cases[i].style, CURSOR_PRECISION_TIMESTAMP);
        sc.url = "https://api.test/items";
        sc.next_path = (char *)cases[i].next_path;
        const pager_t *p = pager_for(cases[i].style);
        pager_walk_t w = {.sc = &sc};
        pager_walk_reset(&w, p, 0, 0);
        if (strcmp(cases[i].asked, sc.url) != 0)
            w.token = strdup(cases[i].asked); /* a page after the first was asked */
        pager_answer_t a = {cases[i].body, strlen(cases[i].body), cases[i].link, cases[i].asked,
                            cases[i].asked};
        int later_page = -1;
        char *g = p->guess(&w, &a, &later_page);
        if (cases[i].want ? !g || strcmp(g, cases[i].want) != 0 : g != NULL)
            fail_msg("case %zu (%s): guessed '%s', want '%s'", i, p->name, g ? g : "(none)",
                     cases[i].want ? cases[i].want : "(none)");
        if (g)
            assert_int_equal(later_page, 0);
        free(g);
        pager_walk_clear(&w);
    }
    /* a redirected page (asked ?p=2, answered by ?p=2&r=1) that links the
     * URL asked, or the one that answered: the page just read */
    static const char *const self_links[] = {"</items?p=2>; rel=next", "<?p=2&r=1>; rel=next"};
    for (size_t i = 0; i < 2; i++) {
        stream_conf_t sc = stream(PAGINATION_LINK, CURSOR_PRECISION_TIMESTAMP);
        const pager_t *p = pager_for(PAGINATION_LINK);
        pager_walk_t w = {.sc = &sc};
        pager_walk_reset(&w, p, 0, 0);
        w.token = strdup("https://api.test/items?p=2");
        pager_answer_t a = {"{}", 2, self_links[i], "https://api.test/items?p=2",
                            "https://api.test/items?p=2&r=1"};
        int later_page = -1;
        char *g = p->guess(&w, &a, &later_page);
        if (g)
            fail_msg("self link %zu: guessed '%s'", i, g);
        pager_walk_clear(&w);
    }
}

/* pager_next_text: what next.path holds, as a cursor or next_url walk
 * reads it. */
static void test_next_text(void **state)
{
    (void)state;
    static const struct {
        const char *body, *path;
        int want;
        const char *text; /* want 1: the text; want -1: a word of the error */
    } cases[] = {
        {"{\"next\":\"a b\"}", "next", 1, "a b"},
        {"{\"next\":42}", "next", 1, "42"},
        {"{\"meta\":{\"next\":\"t\"}}", "meta.next", 1, "t"},
        /* a member whose own name has dots (OData, Graph) */
        {"{\"@odata.nextLink\":\"http://h/x\"}", "@odata.nextLink", 1, "http://h/x"},
        /* the last page: no member, null, false, "" */
        {"{}", "next", 0, NULL},
        {"{\"meta\":{}}", "meta.next", 0, NULL},
        {"{\"next\":null}", "next", 0, NULL},
        {"{\"next\":false}", "next", 0, NULL},
        {"{\"next\":\"\"}", "next", 0, NULL},
        /* null on the way (Go's nil pointer: "_links": {"next": null}) */
        {"{\"_links\":{\"next\":null}}", "_links.next.href", 0, NULL},
        {"{\"meta\":null}", "meta.next", 0, NULL},
        /* no token: fails, never "the last page" */
        {"{\"next\":[1,\"a\"]}", "next", -1, "an array"},
        {"{\"next\":{\"after\":\"x\"}}", "next", -1, "an object"},
        {"{\"next\":true}", "next", -1, "true"},
        {"{\"data\":[{\"id\":1}]}", "data.-1.id", -1, "'data' is an array"},
        {"[{\"id\":1}]", "next", -1, "the body is an array"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        json_error_t jerr;
        json_t *body = json_loads(cases[i].body, 0, &jerr);
        assert_non_null(body);
        char *text = NULL, err[300] = "";
        int rc = pager_next_text(body, NULL, "next.path", cases[i].path, &text, err, sizeof(err));
        if (rc != cases[i].want)
            fail_msg("case %zu: rc %d, want %d (%s)", i, rc, cases[i].want, err);
        if (rc == 1 && strcmp(text, cases[i].text) != 0)
            fail_msg("case %zu: '%s', want '%s'", i, text, cases[i].text);
        if (rc < 0 && (!strstr(err, cases[i].text) || !strstr(err, cases[i].path)))
            fail_msg("case %zu: error '%s' does not say '%s'", i, err, cases[i].text);
        if (rc <= 0)
            assert_null(text);
        free(text);
        json_decref(body);
    }
}

/* Empty pages that each name a new cursor are followed page.empty_max
 * times in a row (a page with records starts the count again), then the
 * walk fails: an API that mints a token per request would be walked for
 * ever. */
static void test_cursor_empty_pages_bounded(void **state)
{
    (void)state;
    stream_conf_t sc = stream(PAGINATION_CURSOR, CURSOR_PRECISION_TIMESTAMP);
    sc.next_path = "next";
    sc.page_empty_max = 5;
    pager_walk_t w = {.sc = &sc};
    pager_walk_reset(&w, &pager_cursor, 0, 0);
    json_t *empty = json_array(), *full = json_loads("[" T1 "]", 0, NULL);
    int rc = 0;
    long i;
    for (i = 0; rc == 0 && i < 2L * 5 + 10; i++) {
        /* one page with records after the first 5 empty ones */
        json_t *recs = i == 5 ? full : empty;
        json_t *body = json_pack("{sOsI}", "data", recs, "next", (json_int_t)i);
        pager_page_t page = {body, recs, U, U, NULL, 0, NULL};
        char err[512] = "";
        rc = pager_cursor.advance(&w, &page, err, sizeof(err));
        if (rc < 0 && !strstr(err, "5 empty pages in a row, each naming a new next cursor"))
            fail_msg("page %ld: '%s'", i, err);
        json_decref(body);
    }
    assert_int_equal(rc, -1);
    assert_int_equal(i, 2L * 5 + 2);
    json_decref(empty);
    json_decref(full);
    pager_walk_clear(&w);
}

static int allocs_left; /* jansson allocations that succeed, then NULL */

static void *failing_malloc(size_t size)
{
    return allocs_left-- > 0 ? malloc(size) : NULL;
}

/* The repeated-page guard keeps a copy of each page's first record (the
 * page's values go with the page); when the copy cannot be made, the walk
 * fails with a clear error instead of checking the next page against
 * nothing. */
static void test_repeat_guard_out_of_memory(void **state)
{
    (void)state;
    pager_walk_t w;
    memset(&w, 0, sizeof(w));
    json_t *records = json_pack("[{s:i,s:s}]", "id", 1, "name", "a");
    pager_page_t page = {.records = records, .url = "http://127.0.0.1/p"};
    char err[256] = "";

    assert_non_null(records);
    json_malloc_t saved_malloc;
    json_free_t saved_free;
    json_get_alloc_funcs(&saved_malloc, &saved_free);
    json_set_alloc_funcs(failing_malloc, saved_free);
    allocs_left = 0;
    int rc = pager_refuse_repeat(&w, &page, 1, "", err, sizeof(err));
    json_set_alloc_funcs(saved_malloc, saved_free);
    assert_int_equal(rc, -1);
    assert_string_equal(err, "out of memory");

    /* with memory, the same page is taken, then refused when repeated */
    assert_int_equal(pager_refuse_repeat(&w, &page, 1, "", err, sizeof(err)), 0);
    assert_int_equal(pager_refuse_repeat(&w, &page, 1, "", err, sizeof(err)), -1);
    assert_non_null(strstr(err, "the same records as the previous page"));
    json_decref(w.prev_first);
    json_decref(records);
}

/* A walk that found an API filtering `>` passes it on to the walks after
 * it (pager_walk_reset()); and under more.path, an empty page at a new
 * since says so only when it says no more pages follow. */
static void test_exclusive_kept(void **state)
{
    (void)state;
    stream_conf_t sc = stream(PAGINATION_PAGE, CURSOR_PRECISION_TIMESTAMP);
    pager_walk_t w = {.sc = &sc};
    pager_walk_reset(&w, &pager_page, 1, 1795608000000LL); /* 2026-11-25T12:00:00Z */
    w.exclusive = 1;
    pager_walk_reset(&w, &pager_page, 1, 1795608000000LL);
    char *url = pager_page.url(&w);
    assert_string_equal(url, U "?since=2026-11-25T11%3A59%3A59.999Z&size=50&p=1");
    free(url);
    pager_walk_clear(&w);

    static const struct {
        const char *flag;
        int want;
    } flags[] = {{"false", PAGER_AGAIN}, {"true", 0}};
    for (size_t i = 0; i < 2; i++) {
        stream_conf_t mc = stream(PAGINATION_PAGE, CURSOR_PRECISION_TIMESTAMP);
        mc.more_path = "has_more";
        pager_walk_t mw = {.sc = &mc};
        pager_walk_reset(&mw, &pager_page, 0, 0);
        char err[256] = "", text[256];
        json_t *b1 = json_loads(MORE("[" T1 "," T2 "]", "true"), 0, NULL);
        pager_page_t p1 = {b1, json_object_get(b1, "data"), U, U, NULL, 0, NULL};
        assert_int_equal(pager_page.advance(&mw, &p1, err, sizeof(err)), 0);
        snprintf(text, sizeof(text), "{\"data\":[],\"has_more\":%s}", flags[i].flag);
        json_t *b2 = json_loads(text, 0, NULL);
        pager_page_t p2 = {b2, json_object_get(b2, "data"), U, U, NULL, 0, NULL};
        if (pager_page.advance(&mw, &p2, err, sizeof(err)) != flags[i].want)
            fail_msg("more.path %s at a new since: want %d", flags[i].flag, flags[i].want);
        json_decref(b1);
        json_decref(b2);
        pager_walk_clear(&mw);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_url_with),
        cmocka_unit_test(test_page_url),
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_seek_steps),
        cmocka_unit_test(test_token_steps),
        cmocka_unit_test(test_token_guesses),
        cmocka_unit_test(test_next_text),
        cmocka_unit_test(test_cursor_empty_pages_bounded),
        cmocka_unit_test(test_repeat_guard_out_of_memory),
        cmocka_unit_test(test_more_flag_steps),
        cmocka_unit_test(test_exclusive_kept),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
