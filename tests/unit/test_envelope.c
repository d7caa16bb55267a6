/*
 * test_envelope.c - the change-event schema, Parsing Canonical Form and
 * CRC-64-AVRO against the Avro specification's vectors, single-object
 * encoding, and decoding of good and bad buffers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "envelope.h"
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

/* ---- CRC-64-AVRO and Parsing Canonical Form ---------------------------- */

static void test_pcf_vectors(void **state)
{
    /* From the Avro specification's share/test/data/schema-tests.txt;
     * fingerprints there are Java longs (signed). */
    static const struct {
        const char *in, *canonical;
        int64_t fingerprint; /* 0: none given */
    } cases[] = {
        {"\"null\"", "\"null\"", 7195948357588979594LL},
        {"{\"type\":\"null\"}", "\"null\"", 0},
        {"\"boolean\"", "\"boolean\"", -6970731678124411036LL},
        {"\"int\"", "\"int\"", 8247732601305521295LL},
        {"{\"type\":\"int\"}", "\"int\"", 0},
        {"\"long\"", "\"long\"", -3434872931120570953LL},
        {"\"float\"", "\"float\"", 5583340709985441680LL},
        {"\"double\"", "\"double\"", -8181574048448539266LL},
        {"\"bytes\"", "\"bytes\"", 5746618253357095269LL},
        {"\"string\"", "\"string\"", -8142146995180207161LL},
        {"[  ]", "[]", -1241056759729112623LL},
        {"[ \"int\"  ]", "[\"int\"]", -5232228896498058493LL},
        {"[ \"int\" , {\"type\":\"boolean\"} ]", "[\"int\",\"boolean\"]", 5392556393470105090LL},
        {"{\"fields\":[], \"type\":\"record\", \"name\":\"foo\"}",
         "{\"name\":\"foo\",\"type\":\"record\",\"fields\":[]}", -4824392279771201922LL},
        {"{\"fields\":[], \"type\":\"record\", \"name\":\"foo\", "
         "\"namespace\":\"x.y\"}",
         "{\"name\":\"x.y.foo\",\"type\":\"record\",\"fields\":[]}", 5916914534497305771LL},
        {"{\"fields\":[], \"type\":\"record\", \"name\":\"a.b.foo\", "
         "\"namespace\":\"x.y\"}",
         "{\"name\":\"a.b.foo\",\"type\":\"record\",\"fields\":[]}", -4616218487480524110LL},
        {"{\"fields\":[], \"type\":\"record\", \"name\":\"foo\", "
         "\"doc\":\"foo\", \"aliases\":[\"foo\",\"bar\"]}",
         "{\"name\":\"foo\",\"type\":\"record\",\"fields\":[]}", -4824392279771201922LL},
        {"{\"fields\":[{\"type\":{\"type\":\"boolean\"}, \"name\":\"f1\"}], "
         "\"type\":\"record\", \"name\":\"foo\"}",
         "{\"name\":\"foo\",\"type\":\"record\",\"fields\":[{\"name\":\"f1\","
         "\"type\":\"boolean\"}]}",
         7843277075252814651LL},
        {"{ \"fields\":[{\"type\":\"boolean\", \"aliases\":[], \"name\":\"f1\","
         " \"default\":\"true\"},\n {\"order\":\"descending\",\"name\":\"f2\","
         "\"doc\":\"Hello\",\"type\":\"int\"}],\n \"type\":\"record\", "
         "\"name\":\"foo\"\n}",
         "{\"name\":\"foo\",\"type\":\"record\",\"fields\":[{\"name\":\"f1\","
         "\"type\":\"boolean\"},{\"name\":\"f2\",\"type\":\"int\"}]}",
         -4860222112080293046LL},
        {"{\"type\":\"enum\", \"name\":\"foo\", \"symbols\":[\"A1\"]}",
         "{\"name\":\"foo\",\"type\":\"enum\",\"symbols\":[\"A1\"]}", -6342190197741309591LL},
        {"{\"namespace\":\"x.y.z\", \"type\":\"enum\", \"name\":\"foo\", "
         "\"doc\":\"foo bar\", \"symbols\":[\"A1\", \"A2\"]}",
         "{\"name\":\"x.y.z.foo\",\"type\":\"enum\",\"symbols\":[\"A1\","
         "\"A2\"]}",
         -4448647247586288245LL},
        {"{\"name\":\"foo\",\"type\":\"fixed\",\"size\":15}",
         "{\"name\":\"foo\",\"type\":\"fixed\",\"size\":15}", 1756455273707447556LL},
        {"{\"namespace\":\"x.y.z\", \"type\":\"fixed\", \"name\":\"foo\", "
         "\"doc\":\"foo bar\", \"size\":32}",
         "{\"name\":\"x.y.z.foo\",\"type\":\"fixed\",\"size\":32}", -3064184465700546786LL},
        {"{ \"items\":{\"type\":\"null\"}, \"type\":\"array\"}",
         "{\"type\":\"array\",\"items\":\"null\"}", -589620603366471059LL},
        {"{ \"values\":\"string\", \"type\":\"map\"}", "{\"type\":\"map\",\"values\":\"string\"}",
         -8732877298790414990LL},
        {"{\"name\":\"PigValue\",\"type\":\"record\",\n \"fields\":[{\"name\":"
         "\"value\", \"type\":[\"null\", \"int\", \"long\", \"PigValue\"]}]}",
         "{\"name\":\"PigValue\",\"type\":\"record\",\"fields\":[{\"name\":"
         "\"value\",\"type\":[\"null\",\"int\",\"long\",\"PigValue\"]}]}",
         -1759257747318642341LL},
        /* ours: logical types drop out ([STRIP]); named references and
         * nested names take the enclosing namespace ([FULLNAMES]) */
        {"{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"}", "\"long\"", 0},
        {"{\"type\":\"record\",\"name\":\"R\",\"namespace\":\"a.b\",\"fields\":"
         "[{\"name\":\"e\",\"type\":{\"type\":\"enum\",\"name\":\"E\","
         "\"symbols\":[\"X\"]}},{\"name\":\"e2\",\"type\":[\"null\",\"E\"],"
         "\"default\":null},{\"name\":\"d\",\"type\":{\"type\":\"bytes\","
         "\"logicalType\":\"decimal\",\"precision\":4,\"scale\":2}}]}",
         "{\"name\":\"a.b.R\",\"type\":\"record\",\"fields\":[{\"name\":\"e\","
         "\"type\":{\"name\":\"a.b.E\",\"type\":\"enum\",\"symbols\":[\"X\"]}},"
         "{\"name\":\"e2\",\"type\":[\"null\",\"a.b.E\"]},{\"name\":\"d\","
         "\"type\":\"bytes\"}]}",
         0},
        {"{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"s\","
         "\"type\":\"string\",\"doc\":\"é/\\\"\"}]}",
         "{\"name\":\"R\",\"type\":\"record\",\"fields\":[{\"name\":\"s\","
         "\"type\":\"string\"}]}",
         0},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char err[256] = "";
        json_t *in = loads(cases[i].in);
        char *pcf = avro_canonical_form(in, err, sizeof(err));
        if (!pcf || strcmp(pcf, cases[i].canonical) != 0)
            print_error("case %zu: got %s (%s)\n", i, pcf ? pcf : "NULL", err);
        assert_non_null(pcf);
        assert_string_equal(pcf, cases[i].canonical);
        if (cases[i].fingerprint)
            assert_true(avro_crc64(pcf, strlen(pcf)) == (uint64_t)cases[i].fingerprint);
        free(pcf);
        json_decref(in);
    }
}

static void test_crc64(void **state)
{
    (void)state;
    assert_true(avro_crc64("", 0) == 0xc15d213aa4d7a795ULL); /* EMPTY */
    assert_true(avro_crc64("\"null\"", 6) == 0x63dd24e7cc258f8aULL);
    assert_true(avro_crc64("\"int\"", 5) == 0x7275d51a3f395c8fULL);
}

static void test_pcf_errors(void **state)
{
    static const char *const bad[] = {
        "{\"name\":\"x\"}",                    /* no type */
        "{\"type\":\"record\",\"fields\":[]}", /* no name */
        "42", "{\"type\":\"array\"}",          /* no items */
    };
    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char err[256] = "";
        json_t *in = loads(bad[i]);
        char *pcf = avro_canonical_form(in, err, sizeof(err));
        if (pcf)
            print_error("case %zu: got %s\n", i, pcf);
        assert_null(pcf);
        assert_true(err[0] != '\0');
        json_decref(in);
    }
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
    char *pcf = avro_canonical_form(doc, err, sizeof(err));
    assert_non_null(pcf);
    assert_true(avro_crc64(pcf, strlen(pcf)) == envelope_schema_fingerprint(f->es));
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
        " \"amount\": null, \"color\": \"RED\", \"note\": null}",
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
        if (!json_equal(ev->after, want)) {
            char *got = json_dumps(ev->after, JSON_SORT_KEYS);
            print_error("got %s\n", got);
            free(got);
        }
        assert_true(json_equal(ev->after, want));
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

    expect_decode_error(f, "{\"id\": 17}", 10, "not Avro single-object encoding");
    expect_decode_error(f, copy, 0, "not Avro single-object encoding");
    expect_decode_error(f, copy, 5, "truncated header (5 bytes)");
    expect_decode_error(f, NULL, 0, "no payload");

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pcf_vectors),
        cmocka_unit_test(test_crc64),
        cmocka_unit_test(test_pcf_errors),
        cmocka_unit_test_setup_teardown(test_event_schema, setup_customer, teardown),
        cmocka_unit_test(test_event_schema_no_namespace),
        cmocka_unit_test_setup_teardown(test_header, setup_customer, teardown),
        cmocka_unit_test_setup_teardown(test_round_trip_upsert, setup_customer, teardown),
        cmocka_unit_test_setup_teardown(test_round_trip_delete, setup_customer, teardown),
        cmocka_unit_test_setup_teardown(test_round_trip_kitchen, setup_kitchen, teardown),
        cmocka_unit_test_setup_teardown(test_encode_errors, setup_customer, teardown),
        cmocka_unit_test_setup_teardown(test_decode_errors, setup_customer, teardown),
        cmocka_unit_test_setup_teardown(test_decode_other_schema, setup_kitchen, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
