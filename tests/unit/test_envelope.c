/*
 * test_envelope.c - the change-event schema, its single-object encoding,
 * and decoding of good and bad buffers (the canonical form and
 * fingerprint: test_avsc.c; the binary check: test_avrobin.c; framings:
 * test_wireframe.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "avsc.h"
#include "envelope.h"
#include "jsonnum.h"
#include "schema.h"

#define CUSTOMER "../../schemas/customer.avsc"
#define KITCHEN  "fixtures/kitchen.avsc"

static const char customer_rec[] =
    "{\"id\": 17, \"name\": \"Zoë \\\"Q\\\"\\t\\n東京\","
    " \"email\": \"z@example.com\", \"country\": \"DE\","
    " \"balance\": \"-1234.50\", \"tier\": \"gold\", \"phone\": null,"
    " \"signup_date\": \"2024-03-01\", \"is_deleted\": false,"
    " \"last_modified\": \"2026-01-01T00:00:10.000Z\"}";

static const char customer_row[] =
    "{\"id\": 17, \"name\": \"Zoë \\\"Q\\\"\\t\\n東京\","
    " \"email\": \"z@example.com\", \"country\": \"DE\","
    " \"balance\": \"-1234.50\", \"tier\": \"gold\", \"phone\": null,"
    " \"signup_date\": \"2024-03-01\", \"is_deleted\": false,"
    " \"last_modified\": \"2026-01-01T00:00:10.000Z\"}";

typedef struct {
    record_schema_t *rs;
    envelope_schema_t *es;
} fixture_t;

static int setup_path(void **state, const char *path)
{
    fixture_t *f = calloc(1, sizeof(*f));
    char err[512];

    if (!f)
        return -1;
    if (record_schema_load(path, &f->rs, err, sizeof(err)) != 0 ||
        !(f->es = envelope_schema_new(f->rs, err, sizeof(err)))) {
        print_error("%s\n", err);
        record_schema_destroy(f->rs);
        free(f);
        return -1;
    }
    *state = f;
    return 0;
}

static int setup_customer(void **state)
{
    return setup_path(state, CUSTOMER);
}

static int setup_kitchen(void **state)
{
    return setup_path(state, KITCHEN);
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    envelope_schema_destroy(f->es);
    record_schema_destroy(f->rs);
    free(f);
    return 0;
}

static json_t *loads(const char *text)
{
    json_error_t jerr;
    json_t *j = json_loads(text, JSON_DECODE_ANY, &jerr);
    if (!j)
        print_error("bad test JSON '%s': %s\n", text, jerr.text);
    assert_non_null(j);
    return j;
}

/* ---- the event schema ------------------------------------------------- */

static void test_event_schema(void **state)
{
    fixture_t *f = *state;
    json_t *doc = loads(envelope_schema_json(f->es));
    static const char *const names[] = {"op",        "id",          "source_ts", "run_id",
                                        "full_sync", "produced_at", "after"};
    json_t *fields = json_object_get(doc, "fields");
    char err[256];

    assert_string_equal(json_string_value(json_object_get(doc, "type")), "record");
    assert_string_equal(json_string_value(json_object_get(doc, "name")), "CustomerChangeEvent");
    assert_string_equal(json_string_value(json_object_get(doc, "namespace")), "io.tidemark.demo");
    assert_int_equal(json_array_size(fields), 7);
    for (size_t i = 0; i < 7; i++)
        assert_string_equal(json_string_value(json_object_get(json_array_get(fields, i), "name")),
                            names[i]);

    json_t *op = json_object_get(json_array_get(fields, 0), "type");
    json_t *want_op = loads("{\"type\": \"enum\", \"name\": \"CustomerChangeOp\","
                            " \"symbols\": [\"UPSERT\", \"DELETE\"]}");
    assert_true(json_equal(op, want_op));
    json_decref(want_op);
    for (size_t i = 2; i <= 5; i += 3) { /* source_ts, produced_at */
        json_t *t = json_object_get(json_array_get(fields, i), "type");
        assert_string_equal(json_string_value(json_object_get(t, "type")), "long");
        assert_string_equal(json_string_value(json_object_get(t, "logicalType")),
                            "timestamp-millis");
    }
    json_t *after = json_array_get(fields, 6);
    assert_true(json_is_null(json_object_get(after, "default")));
    json_t *un = json_object_get(after, "type");
    assert_string_equal(json_string_value(json_array_get(un, 0)), "null");
    /* the record schema as is, logical types and docs included */
    assert_true(json_equal(json_array_get(un, 1), f->rs->json_doc));

    /* the fingerprint is the CRC-64-AVRO of the printed schema's PCF */
    char *pcf = avsc_canonical_form(doc, err, sizeof(err));
    assert_non_null(pcf);
    assert_true(avsc_crc64(pcf, strlen(pcf)) == envelope_schema_fingerprint(f->es));
    assert_non_null(strstr(pcf, "{\"name\":\"io.tidemark.demo.CustomerTier\","
                                "\"type\":\"enum\",\"symbols\":[\"bronze\","
                                "\"silver\",\"gold\"]}"));
    free(pcf);
    json_decref(doc);
}

static void test_event_schema_no_namespace(void **state)
{
    record_schema_t *rs = NULL;
    char err[256];

    (void)state;
    assert_int_equal(record_schema_parse("{\"type\":\"record\",\"name\":\"T\","
                                         "\"fields\":[{\"name\":\"a\","
                                         "\"type\":\"int\"}]}",
                                         &rs, err, sizeof(err)),
                     0);
    envelope_schema_t *es = envelope_schema_new(rs, err, sizeof(err));
    assert_non_null(es);
    json_t *doc = loads(envelope_schema_json(es));
    assert_string_equal(json_string_value(json_object_get(doc, "name")), "TChangeEvent");
    assert_null(json_object_get(doc, "namespace"));
    json_decref(doc);
    envelope_schema_destroy(es);
    record_schema_destroy(rs);
}

/* ---- encode / decode -------------------------------------------------- */

static void encode_ok(fixture_t *f, change_op_t op, const char *id, const char *rec_text,
                      void **buf, size_t *len)
{
    char err[512] = "";
    json_t *rec = rec_text ? loads(rec_text) : NULL;
    int rc = envelope_encode(f->es, op, id, 1767225610000LL, "run-7", 1, 1767225611234LL, rec, buf,
                             len, err, sizeof(err));
    if (rc != 0)
        print_error("encode: %s\n", err);
    assert_int_equal(rc, 0);
    json_decref(rec);
}

static void test_header(void **state)
{
    fixture_t *f = *state;
    void *buf;
    size_t len;
    uint64_t fp = 0;

    encode_ok(f, CHANGE_OP_UPSERT, "17", customer_rec, &buf, &len);
    const unsigned char *b = buf;
    assert_true(len > 10);
    assert_int_equal(b[0], 0xC3);
    assert_int_equal(b[1], 0x01);
    for (int i = 0; i < 8; i++)
        fp |= (uint64_t)b[2 + i] << (8 * i);
    assert_true(fp == envelope_schema_fingerprint(f->es));
    /* Avro binary follows: op UPSERT = enum 0, then id "17" */
    assert_int_equal(b[10], 0x00);
    assert_int_equal(b[11], 0x04); /* zigzag length 2 */
    assert_memory_equal(b + 12, "17", 2);
    free(buf);
}

/* With a registry id: 00 + the id big-endian + the same Avro body; the
 * full name a topic_record subject takes. */
static void test_header_registry(void **state)
{
    fixture_t *f = *state;
    void *soe, *cf;
    size_t soe_len, cf_len;

    encode_ok(f, CHANGE_OP_UPSERT, "17", customer_rec, &soe, &soe_len);
    assert_int_equal(envelope_schema_registry_id(f->es), 0);
    envelope_schema_set_registry_id(f->es, 70000);
    assert_int_equal(envelope_schema_registry_id(f->es), 70000);
    encode_ok(f, CHANGE_OP_UPSERT, "17", customer_rec, &cf, &cf_len);
    const unsigned char *b = cf;
    assert_int_equal(cf_len, soe_len - 5);
    assert_memory_equal(b, "\x00\x00\x01\x11\x70", 5); /* 70000 = 0x00011170 */
    /* the bodies differ only in produced_at: compare up to it (op, id, ts) */
    assert_memory_equal(b + 5, (unsigned char *)soe + 10, 4);
    char *name = envelope_schema_fullname(f->es);
    assert_non_null(name);
    assert_string_equal(name, "io.tidemark.demo.CustomerChangeEvent");
    free(name);
    free(soe);
    free(cf);
}

static void test_round_trip_upsert(void **state)
{
    fixture_t *f = *state;
    void *buf;
    size_t len;
    char err[512] = "";

    encode_ok(f, CHANGE_OP_UPSERT, "17", customer_rec, &buf, &len);
    change_event_t *ev = envelope_decode(f->es, buf, len, err, sizeof(err));
    if (!ev)
        print_error("decode: %s\n", err);
    assert_non_null(ev);
    assert_int_equal(ev->op, CHANGE_OP_UPSERT);
    assert_string_equal(ev->id, "17");
    assert_true(ev->source_ts_ms == 1767225610000LL);
    assert_string_equal(ev->run_id, "run-7");
    assert_int_equal(ev->full_sync, 1);
    assert_true(ev->produced_at_ms == 1767225611234LL);
    json_t *want = loads(customer_row);
    assert_non_null(ev->after);
    assert_true(json_equal(ev->after, want));
    json_decref(want);
    change_event_destroy(ev);
    free(buf);
}

static void test_round_trip_delete(void **state)
{
    fixture_t *f = *state;
    void *buf;
    size_t len;
    char err[512] = "";

    /* a record given with a delete is not encoded: after is null */
    encode_ok(f, CHANGE_OP_DELETE, "id with \"quotes\" and ü", customer_rec, &buf, &len);
    change_event_t *ev = envelope_decode(f->es, buf, len, err, sizeof(err));
    assert_non_null(ev);
    assert_int_equal(ev->op, CHANGE_OP_DELETE);
    assert_string_equal(ev->id, "id with \"quotes\" and ü");
    assert_null(ev->after);
    change_event_destroy(ev);
    free(buf);

    encode_ok(f, CHANGE_OP_DELETE, "18", NULL, &buf, &len);
    ev = envelope_decode(f->es, buf, len, err, sizeof(err));
    assert_non_null(ev);
    assert_string_equal(ev->id, "18");
    assert_null(ev->after);
    change_event_destroy(ev);
    free(buf);
}

/* The reusable value is reset between events: an array or map of one
 * event must not leak into the next. */
static void test_round_trip_kitchen(void **state)
{
    fixture_t *f = *state;
    static const char *const recs[] = {
        "{\"id\": \"k-1\", \"count\": -5, \"big\": 9007199254740993,"
        " \"ratio\": 0.25, \"score\": -1.5e-7, \"blob\": \"3q2+7w==\","
        " \"flag\": true, \"seen_at\": \"2026-01-01T00:00:10.123456Z\","
        " \"address\": {\"street\": \"Main\", \"zip\": \"10115\","
        " \"geo\": {\"lat\": 52.5, \"lon\": 13.25}},"
        " \"tags\": [\"a\", \"b\", \"c\"], \"attrs\": {\"x\": 1, \"y\": 2},"
        " \"prev_address\": {\"street\": \"Old\", \"geo\": {\"lat\": 0.5,"
        " \"lon\": 0.5}}, \"amount\": \"0.0000000001\", \"color\": \"GREEN\","
        " \"note\": \"hi\"}",
        "{\"id\": \"k-2\", \"count\": 0, \"big\": 0, \"ratio\": 0,"
        " \"score\": 0, \"blob\": \"\", \"flag\": false, \"seen_at\": 0,"
        " \"address\": {\"street\": \"\", \"geo\": {\"lat\": 0, \"lon\": 0}},"
        " \"tags\": [], \"attrs\": {}, \"color\": \"RED\"}",
    };
    static const char *const rows[] = {
        "{\"id\": \"k-1\", \"count\": -5, \"big\": 9007199254740993,"
        " \"ratio\": 0.25, \"score\": -1.5e-7, \"blob\": \"\\\\xdeadbeef\","
        " \"flag\": true, \"seen_at\": \"2026-01-01T00:00:10.123456Z\","
        " \"address\": {\"street\": \"Main\", \"zip\": \"10115\","
        " \"geo\": {\"lat\": 52.5, \"lon\": 13.25}},"
        " \"tags\": [\"a\", \"b\", \"c\"], \"attrs\": {\"x\": 1, \"y\": 2},"
        " \"prev_address\": {\"street\": \"Old\", \"zip\": null,"
        " \"geo\": {\"lat\": 0.5, \"lon\": 0.5}}, \"amount\": \"0.0000000001\","
        " \"color\": \"GREEN\", \"note\": \"hi\"}",
        "{\"id\": \"k-2\", \"count\": 0, \"big\": 0, \"ratio\": 0.0,"
        " \"score\": 0.0, \"blob\": \"\\\\x\", \"flag\": false,"
        " \"seen_at\": \"1970-01-01T00:00:00.000000Z\","
        " \"address\": {\"street\": \"\", \"zip\": null,"
        " \"geo\": {\"lat\": 0.0, \"lon\": 0.0}},"
        " \"tags\": [], \"attrs\": {}, \"prev_address\": null,"
        " \"amount\": null, \"color\": \"RED\", \"note\": \"none\"}", /* the default */
    };
    (void)state;
    for (size_t i = 0; i < 2; i++) {
        void *buf;
        size_t len;
        char err[512] = "";
        encode_ok(f, CHANGE_OP_UPSERT, i ? "k-2" : "k-1", recs[i], &buf, &len);
        change_event_t *ev = envelope_decode(f->es, buf, len, err, sizeof(err));
        if (!ev)
            print_error("decode: %s\n", err);
        assert_non_null(ev);
        json_t *want = loads(rows[i]);
        /* as the worker writes it: a float or double inside a record is
         * a number kept as text (jsonnum.h), read back a number */
        char *text = jsonnum_dumps(ev->after, JSON_SORT_KEYS);
        assert_non_null(text);
        json_t *after = loads(text);
        if (!json_equal(after, want))
            print_error("got %s\n", text);
        assert_true(json_equal(after, want));
        free(text);
        json_decref(after);
        json_decref(want);
        change_event_destroy(ev);
        free(buf);
    }
}

static void test_encode_errors(void **state)
{
    fixture_t *f = *state;
    void *buf = (void *)1;
    size_t len = 1;
    char err[512] = "";

    json_t *rec = loads(customer_rec);
    json_object_set_new(rec, "balance", json_string("12.345"));
    assert_int_equal(envelope_encode(f->es, CHANGE_OP_UPSERT, "17", 0, "r", 0, 0, rec, &buf, &len,
                                     err, sizeof(err)),
                     -1);
    assert_string_equal(err, "field 'balance': '12.345' has more than 2 decimal "
                             "places");
    assert_null(buf);
    assert_int_equal(len, 0);
    json_decref(rec);

    assert_int_equal(envelope_encode(f->es, CHANGE_OP_UPSERT, "17", 0, "r", 0, 0, NULL, &buf, &len,
                                     err, sizeof(err)),
                     -1);
    assert_string_equal(err, "encode: the record is missing");

    /* after a failed record, the next good one encodes cleanly */
    void *b2;
    size_t l2;
    encode_ok(f, CHANGE_OP_UPSERT, "17", customer_rec, &b2, &l2);
    change_event_t *ev = envelope_decode(f->es, b2, l2, err, sizeof(err));
    assert_non_null(ev);
    change_event_destroy(ev);
    free(b2);
}

/* The write buffer grows for an event larger than any before (the
 * first try fails for room and is redone), a huge one is not kept for the
 * next, and the view is byte for byte what envelope_encode() returns. */
static void test_encode_buffer_growth(void **state)
{
    fixture_t *f = *state;
    static const size_t sizes[] = {10, 300, 5000, 2u << 20, 20, 70000};
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        char err[512] = "";
        json_t *rec = loads(customer_rec);
        char *name = malloc(sizes[i] + 1);
        assert_non_null(name);
        memset(name, 'a' + (int)i, sizes[i]);
        name[sizes[i]] = '\0';
        json_object_set_new(rec, "name", json_string(name));
        void *copy;
        size_t copy_len;
        assert_int_equal(envelope_encode(f->es, CHANGE_OP_UPSERT, "17", 0, "r", 0, 0, rec, &copy,
                                         &copy_len, err, sizeof(err)),
                         0);
        const void *view;
        size_t len;
        assert_int_equal(envelope_encode_view(f->es, CHANGE_OP_UPSERT, "17", 0, "r", 0, 0, rec,
                                              &view, &len, err, sizeof(err)),
                         0);
        assert_int_equal(len, copy_len);
        assert_memory_equal(view, copy, len);
        change_event_t *ev = envelope_decode(f->es, copy, copy_len, err, sizeof(err));
        if (!ev)
            fail_msg("size %zu: %s", sizes[i], err);
        assert_string_equal(json_string_value(json_object_get(ev->after, "name")), name);
        change_event_destroy(ev);
        free(copy);
        free(name);
        json_decref(rec);
    }
}

static void expect_decode_error(fixture_t *f, const void *buf, size_t len, const char *want)
{
    char err[512] = "";
    change_event_t *ev = envelope_decode(f->es, buf, len, err, sizeof(err));

    if (ev || !strstr(err, want))
        print_error("len %zu: err '%s', want '%s'\n", len, err, want);
    assert_null(ev);
    assert_non_null(strstr(err, want));
}

static void test_decode_errors(void **state)
{
    fixture_t *f = *state;
    void *buf;
    size_t len;

    encode_ok(f, CHANGE_OP_UPSERT, "17", customer_rec, &buf, &len);
    unsigned char *copy = malloc(len + 1);
    memcpy(copy, buf, len);

    expect_decode_error(f, "{\"id\": 17}", 10, "decode: not a framed Avro message");
    expect_decode_error(f, copy, 0, "decode: an empty message");
    expect_decode_error(f, copy, 5,
                        "truncated header: a single-object encoding header cut short (5 of 10");
    expect_decode_error(f, NULL, 0, "no payload");
    /* the Confluent wire format (00, schema id): an id not mapped yet */
    static const unsigned char confluent[] = {0x00, 0x00, 0x00, 0x00, 0x07, 0x00, 0x04, '1', '7'};
    expect_decode_error(f, confluent, sizeof(confluent), "Schema Registry id 7 (Confluent");
    expect_decode_error(f, confluent, 3,
                        "truncated header: a Confluent wire format header cut short (3 of 5");

    copy[5] ^= 0x40; /* a foreign fingerprint */
    expect_decode_error(f, copy, len,
                        "decode: written with schema "
                        "fingerprint");
    copy[5] ^= 0x40;

    /* every truncation of the body fails cleanly (no read past the end) */
    for (size_t cut = 10; cut < len; cut++) {
        unsigned char *t = malloc(cut); /* exact size: ASan sees overreads */
        memcpy(t, buf, cut);
        expect_decode_error(f, t, cut, "decode: ");
        free(t);
    }
    copy[len] = 0;
    expect_decode_error(f, copy, len + 1, "decode: 1 bytes after the event");

    /* a string length far past the end */
    memcpy(copy, buf, len);
    copy[11] = 0xfe; /* id length: a varint that runs on */
    copy[12] = 0xff;
    copy[13] = 0x7f;
    expect_decode_error(f, copy, len, "truncated data");
    /* a bad enum index */
    memcpy(copy, buf, len);
    copy[10] = 0x04; /* op = 2 */
    expect_decode_error(f, copy, len, "enum index out of range at byte 10");

    free(copy);
    free(buf);
}

static void test_decode_other_schema(void **state)
{
    fixture_t *f = *state; /* kitchen */
    fixture_t *c = NULL;
    void *buf;
    size_t len;

    assert_int_equal(setup_customer((void **)&c), 0);
    encode_ok(c, CHANGE_OP_DELETE, "17", NULL, &buf, &len);
    expect_decode_error(f, buf, len, "not this stream's");
    assert_true(envelope_schema_fingerprint(f->es) != envelope_schema_fingerprint(c->es));
    free(buf);
    teardown((void **)&c);
}

/* What any reader can see of an event without its schema, in either
 * framing: a topic may hold both (only single-object encoding names a
 * fingerprint). */
static void test_peek(void **state)
{
    fixture_t *f = *state;
    void *buf;
    size_t len;
    change_op_t op = CHANGE_OP_UPSERT;
    int64_t ts = 0;
    uint64_t fp = 0;

    encode_ok(f, CHANGE_OP_DELETE, "17", NULL, &buf, &len);
    assert_int_equal(envelope_peek(buf, len, &op, &ts), 0);
    assert_int_equal(op, CHANGE_OP_DELETE);
    assert_true(ts == 1767225610000LL);
    assert_int_equal(envelope_peek_fingerprint(buf, len, &fp), 0);
    assert_true(fp == envelope_schema_fingerprint(f->es));

    unsigned char *confluent = malloc(len - 5); /* 00 + id 7 + the same body */
    assert_non_null(confluent);
    memcpy(confluent, "\x00\x00\x00\x00\x07", 5);
    memcpy(confluent + 5, (unsigned char *)buf + 10, len - 10);
    op = CHANGE_OP_UPSERT;
    ts = 0;
    assert_int_equal(envelope_peek(confluent, len - 5, &op, &ts), 0);
    assert_int_equal(op, CHANGE_OP_DELETE);
    assert_true(ts == 1767225610000LL);
    assert_int_equal(envelope_peek_fingerprint(confluent, len - 5, &fp), -1);
    assert_int_equal(envelope_peek(confluent, 4, &op, &ts), -1); /* header cut */
    free(confluent);
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_event_schema, setup_customer, teardown),
        cmocka_unit_test(test_event_schema_no_namespace),
        cmocka_unit_test_setup_teardown(test_header, setup_customer, teardown),
        cmocka_unit_test_setup_teardown(test_round_trip_upsert, setup_customer, teardown),
        cmocka_unit_test_setup_teardown(test_round_trip_delete, setup_customer, teardown),
        cmocka_unit_test_setup_teardown(test_round_trip_kitchen, setup_kitchen, teardown),
        cmocka_unit_test_setup_teardown(test_encode_errors, setup_customer, teardown),
        cmocka_unit_test_setup_teardown(test_encode_buffer_growth, setup_customer, teardown),
        cmocka_unit_test_setup_teardown(test_decode_errors, setup_customer, teardown),
        cmocka_unit_test_setup_teardown(test_decode_other_schema, setup_kitchen, teardown),
        cmocka_unit_test_setup_teardown(test_peek, setup_customer, teardown),
        cmocka_unit_test_setup_teardown(test_header_registry, setup_customer, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
