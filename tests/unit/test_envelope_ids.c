/*
 * test_envelope_ids.c - events in both framings (wireframe.h) decoded by
 * one stream's envelope schema: single-object encoding by fingerprint,
 * the Confluent wire format by a Schema Registry id mapped with
 * envelope_add_writer_id (its own schema, an older or newer version
 * resolved, another record's, not a schema) or refused with a reason.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "envelope_versions.h"
#include "wireframe.h"

/* id's type changed: cannot be read */
static const char BAD[] = "{\"type\":\"record\",\"name\":\"Item\",\"namespace\":\"t\",\"fields\":["
                          "{\"name\":\"id\",\"type\":\"string\"}]}";

/* An event of v's schema with record_json, framed 00 + id when id > 0
 * (the body of its single-object encoding), else single-object. */
static void *encode(ver_t *v, const char *record_json, long id, size_t *len)
{
    json_error_t jerr;
    json_t *rec = json_loads(record_json, 0, &jerr);
    void *soe = NULL, *out = NULL;
    char err[512] = "";

    assert_non_null(rec);
    if (envelope_encode(v->es, CHANGE_OP_UPSERT, "7", 1000, "run-1", 0, 2000, rec, &soe, len, err,
                        sizeof(err)) != 0)
        print_error("%s\n", err);
    assert_non_null(soe);
    json_decref(rec);
    if (id < 0)
        return soe;
    wire_schema_ref_t ref = {.framing = WIRE_CONFLUENT, .schema_id = (uint32_t)id};
    assert_int_equal(
        wire_encode(&ref, (char *)soe + WIRE_SOE_HEADER, *len - WIRE_SOE_HEADER, &out, len), 0);
    free(soe);
    return out;
}

/* Each case: the writer schema of the event (ITEM_V1, ITEM_V2, ...), the registry
 * id it is framed with (-1: single-object), what the stream maps that id
 * to (a schema text, or NULL with refuse: a reason), and the outcome: the
 * row, or a fragment of the error. */
typedef struct id_case {
    const char *name;
    const char *writer, *record;
    long id;
    const char *mapped, *refuse;
    int add_rc;
    const char *row, *err;
} id_case_t;

static const id_case_t CASES[] = {
    {"single-object, own schema", ITEM_V2, "{\"id\":1,\"color\":\"b\"}", -1, NULL, NULL, 0,
     "{\"id\":1,\"color\":\"b\"}", NULL},
    {"00, id of the stream's own schema", ITEM_V2, "{\"id\":2,\"color\":\"g\"}", 42, ITEM_V2, NULL,
     0, "{\"id\":2,\"color\":\"g\"}", NULL},
    {"00, id with the big-endian bytes of a large id", ITEM_V2, "{\"id\":3,\"color\":\"g\"}",
     0x01020304L, ITEM_V2, NULL, 0, "{\"id\":3,\"color\":\"g\"}", NULL},
    {"00, an older version: the default fills the new field", ITEM_V1, "{\"id\":4}", 5, ITEM_V1,
     NULL, 0, "{\"id\":4,\"color\":\"red\"}", NULL},
    {"00, a newer version: its extra field dropped", ITEM_V3,
     "{\"id\":5,\"color\":\"x\",\"size\":9}", 6, ITEM_V3, NULL, 0, "{\"id\":5,\"color\":\"x\"}",
     NULL},
    {"00, an id not looked up", ITEM_V2, "{\"id\":6,\"color\":\"g\"}", 7, NULL, NULL, 0, NULL,
     "Schema Registry id 7 (Confluent wire format), which was not looked up"},
    {"00, an id of another record's schema", ITEM_V2, "{\"id\":7,\"color\":\"g\"}", 8, ORDER_V1,
     NULL, -1, NULL,
     "id 8 (Confluent wire format), which cannot be read: it is the schema of record 'Order', "
     "not 'Item'"},
    {"00, an id whose schema cannot be read as ours", ITEM_V2, "{\"id\":8,\"color\":\"g\"}", 9, BAD,
     NULL, -1, NULL, "field 'id' was written as string, which cannot be read as long"},
    {"00, an id whose text is not a schema", ITEM_V2, "{\"id\":9,\"color\":\"g\"}", 10, "{not json",
     NULL, -1, NULL, "Schema Registry id 10 (Confluent wire format), which cannot be read"},
    {"00, an id refused (unknown to the registry)", ITEM_V2, "{\"id\":10,\"color\":\"g\"}", 11,
     NULL, "schema id 11 is unknown to the registry", 0, NULL,
     "id 11 (Confluent wire format), which cannot be read: schema id 11 is unknown to the "
     "registry"},
};

static void run_case(const id_case_t *c)
{
    ver_t stream, writer;
    size_t len;
    char err[512] = "";

    ver_load(&stream, ITEM_V2);
    ver_load(&writer, c->writer);
    void *buf = encode(&writer, c->record, c->id, &len);
    if (c->mapped) {
        char *json = ver_event_schema_json(c->mapped);
        int rc = envelope_add_writer_id(stream.es, (uint32_t)c->id, json, err, sizeof(err));
        free(json);
        if (rc != c->add_rc)
            print_error("%s: add %d, want %d (%s)\n", c->name, rc, c->add_rc, err);
        assert_int_equal(rc, c->add_rc);
        assert_true(envelope_knows_writer_id(stream.es, (uint32_t)c->id));
        /* mapped once: a second answer changes nothing */
        assert_int_equal(envelope_add_writer_id(stream.es, (uint32_t)c->id,
                                                envelope_schema_json(stream.es), err, sizeof(err)),
                         c->add_rc);
    }
    if (c->refuse) {
        assert_int_equal(
            envelope_refuse_writer_id(stream.es, (uint32_t)c->id, c->refuse, err, sizeof(err)), 0);
        assert_true(envelope_knows_writer_id(stream.es, (uint32_t)c->id));
    }
    for (int round = 0; round < 2; round++) { /* the resolver is reused */
        change_event_t *ev = envelope_decode(stream.es, buf, len, err, sizeof(err));
        if (c->row) {
            if (!ev)
                print_error("%s: %s\n", c->name, err);
            assert_non_null(ev);
            char *row = json_dumps(ev->after, JSON_COMPACT);
            if (strcmp(row, c->row))
                print_error("%s: row %s, want %s\n", c->name, row, c->row);
            assert_string_equal(row, c->row);
            free(row);
            change_event_destroy(ev);
        } else {
            if (ev || !strstr(err, c->err))
                print_error("%s: err '%s', want '%s'\n", c->name, err, c->err);
            assert_null(ev);
            assert_non_null(strstr(err, c->err));
        }
    }
    free(buf);
    ver_unload(&writer);
    ver_unload(&stream);
}

static void test_both_framings(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(CASES) / sizeof(CASES[0]); i++)
        run_case(&CASES[i]);
}

/* A Confluent header cut short, and a byte of neither framing. */
static void test_bad_headers(void **state)
{
    static const struct {
        unsigned char bytes[8];
        size_t len;
        const char *err;
    } cases[] = {
        {{0x00}, 1, "truncated header: a Confluent wire format header cut short (1 of 5 bytes)"},
        {{0x00, 0, 0, 0}, 4, "truncated header: a Confluent wire format header cut short (4 of 5"},
        {{0xC3, 0x01, 1}, 3, "truncated header: a single-object encoding header cut short"},
        {{0x01, 0, 0, 0, 7, 0}, 6, "decode: not a framed Avro message: it starts with 01"},
        {{0x00, 0, 0, 0, 7}, 5, "Schema Registry id 7 (Confluent wire format), which was not"},
    };
    ver_t v;
    char err[512];

    (void)state;
    ver_load(&v, ITEM_V2);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        unsigned char *copy = malloc(cases[i].len); /* exact size: ASan sees overreads */
        memcpy(copy, cases[i].bytes, cases[i].len);
        err[0] = '\0';
        change_event_t *ev = envelope_decode(v.es, copy, cases[i].len, err, sizeof(err));
        if (ev || !strstr(err, cases[i].err))
            print_error("case %zu: err '%s', want '%s'\n", i, err, cases[i].err);
        assert_null(ev);
        assert_non_null(strstr(err, cases[i].err));
        free(copy);
    }
    /* a mapped id whose body is cut short: the body's error, not a crash */
    char e2[512];
    assert_int_equal(envelope_add_writer_id(v.es, 7, envelope_schema_json(v.es), e2, sizeof(e2)),
                     0);
    static const unsigned char cut[] = {0x00, 0, 0, 0, 7, 0x00};
    assert_null(envelope_decode(v.es, cut, sizeof(cut), err, sizeof(err)));
    assert_non_null(strstr(err, "decode: "));
    ver_unload(&v);
}

/* Hostile ids cannot grow the map without end: of the refused ids the
 * latest 1024 are kept, the ids of readable schemas all. */
static void test_refused_ids_bounded(void **state)
{
    ver_t v;
    char err[512];

    (void)state;
    ver_load(&v, ITEM_V2);
    assert_int_equal(
        envelope_add_writer_id(v.es, 900000, envelope_schema_json(v.es), err, sizeof(err)), 0);
    for (uint32_t id = 1; id <= 1100; id++)
        assert_int_equal(envelope_refuse_writer_id(v.es, id, "unknown", err, sizeof(err)), 0);
    assert_true(envelope_knows_writer_id(v.es, 900000));
    assert_false(envelope_knows_writer_id(v.es, 1));
    assert_false(envelope_knows_writer_id(v.es, 76));
    assert_true(envelope_knows_writer_id(v.es, 77));
    assert_true(envelope_knows_writer_id(v.es, 1100));
    static const unsigned char ev[] = {0x00, 0, 0, 0x04, 0x4c, 0x00};
    assert_null(envelope_decode(v.es, ev, sizeof(ev), err, sizeof(err)));
    assert_non_null(strstr(err, "Schema Registry id 1100 (Confluent wire format), which cannot "
                                "be read: unknown"));
    ver_unload(&v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_both_framings),
        cmocka_unit_test(test_bad_headers),
        cmocka_unit_test(test_refused_ids_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
