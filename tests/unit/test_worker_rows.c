/*
 * test_worker_rows.c - the rows of a stream's events as tableapply.c
 * applies them (tablerows.h): the newest event per key in the first
 * round, refused keys and rows as rejects, the next round after a death,
 * none after a round where no event died; and the same rows built ahead
 * (rowsahead.h), taken once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "json_arena.h"
#include "copyrow.h"
#include "rowsahead.h"
#include "tablerows.h"

static const char *const SCHEMA = "{\"type\":\"record\",\"name\":\"R\",\"fields\":["
                                  "{\"name\":\"id\",\"type\":\"long\"},"
                                  "{\"name\":\"name\",\"type\":[\"null\",\"string\"]}]}";

/* One event of the fixture: its id, op, time and after (NULL: a delete). */
typedef struct fx_event {
    const char *id;
    change_op_t op;
    int64_t ts;
    const char *after;
} fx_event_t;

typedef struct fixture {
    stream_conf_t sc;
    worker_streams_t streams;
    worker_stream_t ws[2];
    batch_msg_t msgs[8];
    batch_t b;
    decoded_t d;
} fixture_t;

/* Events of ws[0] at offsets 0..n-1; ws[1] has none. */
static void fixture_init(fixture_t *f, const fx_event_t *evs, size_t n)
{
    char err[256] = "";

    memset(f, 0, sizeof(*f));
    f->sc.id_field = "id";
    for (size_t w = 0; w < 2; w++) {
        f->ws[w].sc = &f->sc;
        assert_int_equal(record_schema_parse(SCHEMA, &f->ws[w].rs, err, sizeof(err)), 0);
        assert_int_equal(stream_sql_build(f->ws[w].rs, w ? "u" : "t", "id", DELETE_MODE_SOFT, 0,
                                          &f->ws[w].sql, err, sizeof(err)),
                         0);
    }
    f->streams.items = f->ws;
    f->streams.n = 2;
    f->b.msgs = f->msgs;
    f->b.n = n;
    f->d.events = calloc(n + 1, sizeof(*f->d.events));
    f->d.n_events = n;
    for (size_t i = 0; i < n; i++) {
        change_event_t *ev = calloc(1, sizeof(*ev));
        json_error_t jerr;

        ev->op = evs[i].op;
        ev->id = strdup(evs[i].id);
        ev->run_id = strdup("run-1");
        ev->source_ts_ms = evs[i].ts;
        ev->after = evs[i].after ? json_loads(evs[i].after, JSON_ALLOW_NUL, &jerr) : NULL;
        f->msgs[i] = (batch_msg_t){.topic = "t", .partition = 0, .offset = (int64_t)i};
        f->d.events[i] = (decoded_event_t){.msg = i, .ws = &f->ws[0], .ev = ev};
    }
}

static void fixture_clear(fixture_t *f)
{
    decoded_clear(&f->d);
    for (size_t w = 0; w < 2; w++) {
        stream_sql_clear(&f->ws[w].sql);
        record_schema_destroy(f->ws[w].rs);
    }
}

/* The ids of the first column of each line of rs, joined by ','. */
static void first_columns(const row_set_t *rs, char *out, size_t size)
{
    size_t len = 0;

    out[0] = '\0';
    for (size_t i = 0; i < rs->n; i++) {
        const char *line = rs->text.buf + (i ? rs->end[i - 1] : 0);
        size_t id_len = strcspn(line, "\t");

        len += (size_t)snprintf(out + len, size - len, "%s%.*s", i ? "," : "", (int)id_len, line);
    }
}

static const fx_event_t EVENTS[] = {
    {"1", CHANGE_OP_UPSERT, 100, "{\"id\":1,\"name\":\"old\"}"},
    {"1", CHANGE_OP_UPSERT, 200, "{\"id\":1,\"name\":\"a\\u0000b\"}"}, /* newest: a NUL */
    {"x", CHANGE_OP_UPSERT, 100, "{\"name\":\"not a long\"}"},         /* key refused */
    {"2", CHANGE_OP_UPSERT, 100, "{\"id\":3}"},                        /* names another row */
    {"4", CHANGE_OP_DELETE, 300, NULL},
    {"4", CHANGE_OP_UPSERT, 100, "{\"id\":4,\"name\":\"gone\"}"},
};
#define N_EVENTS (sizeof(EVENTS) / sizeof(EVENTS[0]))

static void test_rounds(void **state)
{
    fixture_t f;
    table_rows_t tr;
    char ids[128];

    (void)state;
    fixture_init(&f, EVENTS, N_EVENTS);
    assert_int_equal(table_rows_build(&tr, &f.b, &f.d, &f.ws[0]), 0);
    /* the refused keys first, in event order, then the round's refused row */
    assert_int_equal(tr.n_rejects, 3);
    assert_int_equal(tr.rejects[0].ev, 2);
    assert_int_equal(tr.rejects[1].ev, 3);
    assert_int_equal(tr.rejects[2].ev, 1);
    assert_string_equal(tr.rejects[2].why, COPYROW_NUL_WHY);
    assert_int_equal(tr.n_tried, 2); /* 1's newest (refused) and 4's delete */
    assert_int_equal(tr.ups.n, 0);
    first_columns(&tr.dels, ids, sizeof(ids));
    assert_string_equal(ids, "4");
    /* the caller dead-letters the NUL row: 1's older event comes next */
    f.d.events[1].dead = 1;
    assert_int_equal(table_rows_round(&tr, &f.b, &f.d), 0);
    assert_int_equal(tr.n_rejects, 0);
    assert_int_equal(tr.n_tried, 1);
    first_columns(&tr.ups, ids, sizeof(ids));
    assert_string_equal(ids, "1");
    assert_int_equal(tr.dels.n, 0);
    /* no event died: nothing is left */
    assert_int_equal(table_rows_round(&tr, &f.b, &f.d), 0);
    assert_int_equal(tr.n_tried, 0);
    assert_int_equal(tr.ups.n + tr.dels.n, 0);
    table_rows_clear(&tr);
    fixture_clear(&f);
}

/* Built ahead: the same rows as built in turn, for the streams with live
 * events only, taken once. */
static void test_ahead(void **state)
{
    fixture_t f;
    table_rows_t in_turn, ahead;

    (void)state;
    fixture_init(&f, EVENTS, N_EVENTS);
    rows_ahead_t *ra = rows_ahead_build(&f.b, &f.d, &f.streams);
    assert_non_null(ra);
    assert_int_equal(ra->n, 1);
    assert_int_equal(rows_ahead_take(ra, &f.ws[1], &ahead), 0);
    assert_int_equal(rows_ahead_take(ra, &f.ws[0], &ahead), 1);
    table_rows_t again;
    assert_int_equal(rows_ahead_take(ra, &f.ws[0], &again), 0);
    assert_int_equal(rows_ahead_take(NULL, &f.ws[0], &again), 0);
    assert_int_equal(table_rows_build(&in_turn, &f.b, &f.d, &f.ws[0]), 0);
    assert_int_equal(ahead.n_rejects, in_turn.n_rejects);
    assert_int_equal(ahead.n_tried, in_turn.n_tried);
    assert_string_equal(ahead.dels.text.buf, in_turn.dels.text.buf);
    assert_int_equal(ahead.ups.text.len, in_turn.ups.text.len);
    table_rows_clear(&in_turn);
    table_rows_clear(&ahead);
    /* what is not taken is freed with the decoded batch */
    f.d.ahead = rows_ahead_build(&f.b, &f.d, &f.streams);
    assert_non_null(f.d.ahead);
    rows_ahead_free(ra);
    fixture_clear(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rounds),
        cmocka_unit_test(test_ahead),
    };
    json_arena_install(); /* as the programs run */
    return cmocka_run_group_tests(tests, NULL, NULL);
}
