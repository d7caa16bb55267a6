/*
 * test_evolution.c - events written with another version of a stream's
 * schema: Avro schema resolution into the current one (added, removed and
 * promoted fields, defaults, nested records), writers that cannot be read
 * (with the reason), unknown fingerprints, and the fingerprint helpers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "avsc.h"
#include "envelope_versions.h"

/* v1: what the backlog was written with. */
static const char V1[] =
    "{\"type\":\"record\",\"name\":\"Item\",\"namespace\":\"t\",\"fields\":["
    "{\"name\":\"id\",\"type\":\"long\"},"
    "{\"name\":\"qty\",\"type\":\"int\"},"
    "{\"name\":\"old\",\"type\":\"string\"},"
    "{\"name\":\"dim\",\"type\":{\"type\":\"record\",\"name\":\"Dim\",\"fields\":["
    "  {\"name\":\"w\",\"type\":\"int\"}]}},"
    "{\"name\":\"at\",\"type\":{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"}}]}";

/* v2: qty widened, old removed, three fields added, one nested. */
static const char V2[] =
    "{\"type\":\"record\",\"name\":\"Item\",\"namespace\":\"t\",\"fields\":["
    "{\"name\":\"id\",\"type\":\"long\"},"
    "{\"name\":\"qty\",\"type\":\"long\"},"
    "{\"name\":\"note\",\"type\":[\"null\",\"string\"],\"default\":null},"
    "{\"name\":\"color\",\"type\":\"string\",\"default\":\"red\"},"
    "{\"name\":\"price\",\"type\":{\"type\":\"bytes\",\"logicalType\":\"decimal\","
    "  \"precision\":6,\"scale\":2},\"default\":\"\\u0004\\u00d2\"},"
    "{\"name\":\"dim\",\"type\":{\"type\":\"record\",\"name\":\"Dim\",\"fields\":["
    "  {\"name\":\"w\",\"type\":\"int\"},"
    "  {\"name\":\"h\",\"type\":[\"null\",\"int\"],\"default\":null}]}},"
    "{\"name\":\"at\",\"type\":{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"}}]}";

static void *encode(ver_t *v, const char *record_json, size_t *len)
{
    json_error_t jerr;
    json_t *rec = json_loads(record_json, 0, &jerr);
    void *buf = NULL;
    char err[512] = "";

    assert_non_null(rec);
    if (envelope_encode(v->es, CHANGE_OP_UPSERT, "7", 1000, "run-1", 0, 2000, rec, &buf, len, err,
                        sizeof(err)) != 0)
        print_error("%s\n", err);
    assert_non_null(buf);
    json_decref(rec);
    return buf;
}

/* A reader default that does not fit its type counts as none for the
 * fields an older writer lacked, as the producer writes none for a field
 * the API left out (avrodefault.h): null when nullable (not the wrong
 * default's JSON, 5 for a string), else the event is refused saying why. */
static void test_wrong_default_unused(void **state)
{
    static const char OLD[] = "{\"type\":\"record\",\"name\":\"W\",\"fields\":["
                              "{\"name\":\"id\",\"type\":\"long\"}]}";
    static const char NULLABLE[] =
        "{\"type\":\"record\",\"name\":\"W\",\"fields\":["
        "{\"name\":\"id\",\"type\":\"long\"},"
        "{\"name\":\"s\",\"type\":[\"null\",\"string\"],\"default\":5},"
        "{\"name\":\"t\",\"type\":[\"null\",\"string\"],\"default\":\"x\"}]}";
    static const char REQUIRED[] = "{\"type\":\"record\",\"name\":\"W\",\"fields\":["
                                   "{\"name\":\"id\",\"type\":\"long\"},"
                                   "{\"name\":\"n\",\"type\":\"int\",\"default\":\"x\"}]}";
    ver_t old, nullable, required;
    size_t len;
    char err[512] = "";

    (void)state;
    ver_load(&old, OLD);
    ver_load(&nullable, NULLABLE);
    ver_load(&required, REQUIRED);
    void *buf = encode(&old, "{\"id\":7}", &len);
    assert_int_equal(
        envelope_add_writer(nullable.es, envelope_schema_json(old.es), NULL, err, sizeof(err)), 0);
    change_event_t *ev = envelope_decode(nullable.es, buf, len, err, sizeof(err));
    if (!ev)
        print_error("%s\n", err);
    assert_non_null(ev);
    char *row = json_dumps(ev->after, JSON_COMPACT | JSON_SORT_KEYS);
    assert_string_equal(row, "{\"id\":7,\"s\":null,\"t\":\"x\"}");
    free(row);
    change_event_destroy(ev);

    /* a float default is the float the producer writes: the double read,
     * then rounded once more (1.0000000596046448 is 1, not 1.0000001 as
     * PostgreSQL would read the text; 1e-46 is 0, which it refused) */
    static const char FLOATS[] =
        "{\"type\":\"record\",\"name\":\"W\",\"fields\":["
        "{\"name\":\"id\",\"type\":\"long\"},"
        "{\"name\":\"f\",\"type\":\"float\",\"default\":1.0000000596046448},"
        "{\"name\":\"g\",\"type\":\"float\",\"default\":1e-46},"
        "{\"name\":\"h\",\"type\":\"double\",\"default\":2}]}";
    ver_t floats;
    ver_load(&floats, FLOATS);
    assert_int_equal(
        envelope_add_writer(floats.es, envelope_schema_json(old.es), NULL, err, sizeof(err)), 0);
    ev = envelope_decode(floats.es, buf, len, err, sizeof(err));
    assert_non_null(ev);
    row = json_dumps(ev->after, JSON_COMPACT | JSON_SORT_KEYS);
    assert_string_equal(row, "{\"f\":1.0,\"g\":0.0,\"h\":2.0,\"id\":7}");
    free(row);
    change_event_destroy(ev);
    ver_unload(&floats);

    assert_int_equal(
        envelope_add_writer(required.es, envelope_schema_json(old.es), NULL, err, sizeof(err)), 0);
    assert_null(envelope_decode(required.es, buf, len, err, sizeof(err)));
    assert_non_null(strstr(err, "not in the writer's schema, and its default does not fit: the "
                                "default is not an integer (the type is int)"));
    free(buf);
    ver_unload(&old);
    ver_unload(&nullable);
    ver_unload(&required);
}

/* Old events decode with the new schema once the old one is added. */
static void test_old_events_resolve(void **state)
{
    ver_t v1, v2;
    size_t len;
    char err[512] = "";
    uint64_t fp = 0, peek = 0;

    (void)state;
    ver_load(&v1, V1);
    ver_load(&v2, V2);
    void *buf = encode(&v1,
                       "{\"id\":7,\"qty\":3,\"old\":\"x\",\"dim\":{\"w\":4},"
                       "\"at\":\"2026-01-01T00:00:00Z\"}",
                       &len);
    /* unknown first: the reason names the fingerprint */
    assert_int_equal(envelope_peek_fingerprint(buf, len, &peek), 0);
    assert_true(peek == envelope_schema_fingerprint(v1.es));
    assert_false(envelope_knows_writer(v2.es, peek));
    assert_null(envelope_decode(v2.es, buf, len, err, sizeof(err)));
    assert_non_null(strstr(err, "nor a known version of it"));

    assert_int_equal(envelope_add_writer(v2.es, envelope_schema_json(v1.es), &fp, err, sizeof(err)),
                     0);
    assert_true(fp == peek);
    assert_true(envelope_knows_writer(v2.es, peek));
    /* adding it again changes nothing */
    assert_int_equal(
        envelope_add_writer(v2.es, envelope_schema_json(v1.es), NULL, err, sizeof(err)), 0);
    for (int round = 0; round < 2; round++) { /* the resolver is reused */
        change_event_t *ev = envelope_decode(v2.es, buf, len, err, sizeof(err));
        if (!ev)
            print_error("%s\n", err);
        assert_non_null(ev);
        assert_string_equal(ev->id, "7");
        assert_string_equal(ev->run_id, "run-1");
        char *row = json_dumps(ev->after, JSON_COMPACT | JSON_SORT_KEYS);
        assert_string_equal(row, "{\"at\":\"2026-01-01T00:00:00.000Z\",\"color\":\"red\","
                                 "\"dim\":{\"w\":4},\"id\":7,\"note\":null,"
                                 "\"price\":\"12.34\",\"qty\":3}");
        free(row);
        change_event_destroy(ev);
    }
    /* the new schema's own events still decode */
    void *b2 = encode(&v2,
                      "{\"id\":8,\"qty\":5000000000,\"note\":\"n\",\"color\":\"b\","
                      "\"price\":\"1.00\",\"dim\":{\"w\":1,\"h\":2},"
                      "\"at\":\"2026-01-01T00:00:00Z\"}",
                      &len);
    size_t len2 = len;
    change_event_t *ev = envelope_decode(v2.es, b2, len2, err, sizeof(err));
    assert_non_null(ev);
    assert_int_equal(json_integer_value(json_object_get(ev->after, "qty")), 5000000000LL);
    change_event_destroy(ev);
    /* the two versions taking turns: each found where its own schema has
     * its fields (they are looked up once per schema, envelope_priv.h) */
    for (int round = 0; round < 2; round++) {
        size_t n1 = 0;
        void *b1 = encode(&v1,
                          "{\"id\":9,\"qty\":4,\"old\":\"y\",\"dim\":{\"w\":6},"
                          "\"at\":\"2026-01-02T00:00:00Z\"}",
                          &n1);
        ev = envelope_decode(v2.es, b1, n1, err, sizeof(err));
        assert_non_null(ev);
        char *row = json_dumps(ev->after, JSON_COMPACT | JSON_SORT_KEYS);
        assert_string_equal(row, "{\"at\":\"2026-01-02T00:00:00.000Z\",\"color\":\"red\","
                                 "\"dim\":{\"w\":6},\"id\":9,\"note\":null,"
                                 "\"price\":\"12.34\",\"qty\":4}");
        free(row);
        change_event_destroy(ev);
        free(b1);
        ev = envelope_decode(v2.es, b2, len2, err, sizeof(err));
        assert_non_null(ev);
        row = json_dumps(ev->after, JSON_COMPACT | JSON_SORT_KEYS);
        assert_string_equal(row, "{\"at\":\"2026-01-01T00:00:00.000Z\",\"color\":\"b\","
                                 "\"dim\":{\"h\":2,\"w\":1},\"id\":8,\"note\":\"n\","
                                 "\"price\":\"1.00\",\"qty\":5000000000}");
        free(row);
        change_event_destroy(ev);
    }

    /* and a newer writer read by the old schema: extra fields dropped */
    assert_int_equal(
        envelope_add_writer(v1.es, envelope_schema_json(v2.es), NULL, err, sizeof(err)),
        -1); /* qty: long cannot be read as int */
    assert_non_null(strstr(err, "field 'qty' was written as long, which cannot be read as int"));
    assert_null(envelope_decode(v1.es, b2, len, err, sizeof(err)));
    assert_non_null(strstr(err, "field 'qty' was written as long"));
    free(b2);
    free(buf);
    ver_unload(&v1);
    ver_unload(&v2);
}

static void test_newer_writer(void **state)
{
    static const char OLD[] = "{\"type\":\"record\",\"name\":\"Item\",\"fields\":["
                              "{\"name\":\"id\",\"type\":\"long\"}]}";
    static const char NEW[] =
        "{\"type\":\"record\",\"name\":\"Item\",\"fields\":["
        "{\"name\":\"id\",\"type\":\"long\"},"
        "{\"name\":\"extra\",\"type\":{\"type\":\"array\",\"items\":\"string\"}}]}";
    ver_t o, n;
    size_t len;
    char err[512] = "";

    (void)state;
    ver_load(&o, OLD);
    ver_load(&n, NEW);
    void *buf = encode(&n, "{\"id\":1,\"extra\":[\"a\",\"b\"]}", &len);
    assert_int_equal(envelope_add_writer(o.es, envelope_schema_json(n.es), NULL, err, sizeof(err)),
                     0);
    change_event_t *ev = envelope_decode(o.es, buf, len, err, sizeof(err));
    if (!ev)
        print_error("%s\n", err);
    assert_non_null(ev);
    char *row = json_dumps(ev->after, JSON_COMPACT);
    assert_string_equal(row, "{\"id\":1}");
    free(row);
    change_event_destroy(ev);
    free(buf);
    ver_unload(&o);
    ver_unload(&n);
}

/* An op enum in another order (a foreign producer's): the op is read by
 * its index, so such a writer is refused, not read upside down. */
static void test_op_enum_refused(void **state)
{
    static const char ITEM[] = "{\"type\":\"record\",\"name\":\"Item\",\"fields\":["
                               "{\"name\":\"id\",\"type\":\"long\"}]}";
    ver_t o, n;
    char err[512] = "";

    (void)state;
    ver_load(&o, ITEM);
    ver_load(&n, ITEM);
    char *foreign = strdup(envelope_schema_json(o.es));
    char *up = strstr(foreign, "\"UPSERT\""), *del = strstr(foreign, "\"DELETE\"");
    assert_non_null(up);
    assert_non_null(del);
    memcpy(up, "\"DELETE\"", 8); /* the same length: swapped in place */
    memcpy(del, "\"UPSERT\"", 8);
    assert_int_equal(envelope_add_writer(n.es, foreign, NULL, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "ItemChangeOp is not ours"));
    free(foreign);
    ver_unload(&o);
    ver_unload(&n);
}

/* Enums written with an older schema, read with ours: by symbol, in
 * nested records of other namespaces sharing a short name, in arrays,
 * referenced by name, defined in a field ours dropped; and nested records
 * of other namespaces sharing a short name, each read as itself. */
typedef struct {
    const char *what, *writer, *reader, *record, *row;
} named_case_t;

#define ENUM_REC(ns, fields)                                                                       \
    "{\"type\":\"record\",\"name\":\"Item\"" ns                                                    \
    ",\"fields\":[{\"name\":\"id\",\"type\":\"long\"}," fields "]}"

static const named_case_t named_cases[] = {
    {"two records sharing a short name in different namespaces (nb.Addr read through "
     "na.Addr's fields lost city and zip)",
     ENUM_REC(",\"namespace\":\"t\"",
              "{\"name\":\"a\",\"type\":{\"type\":\"record\",\"name\":\"Addr\","
              "\"namespace\":\"na\",\"fields\":[{\"name\":\"street\",\"type\":\"string\"}]}},"
              "{\"name\":\"b\",\"type\":{\"type\":\"record\",\"name\":\"Addr\","
              "\"namespace\":\"nb\",\"fields\":[{\"name\":\"city\",\"type\":\"string\"},"
              "{\"name\":\"zip\",\"type\":\"string\"}]}}"),
     ENUM_REC(",\"namespace\":\"t\"",
              "{\"name\":\"a\",\"type\":{\"type\":\"record\",\"name\":\"Addr\","
              "\"namespace\":\"na\",\"fields\":[{\"name\":\"street\",\"type\":\"string\"},"
              "{\"name\":\"line2\",\"type\":[\"null\",\"string\"],\"default\":null}]}},"
              "{\"name\":\"b\",\"type\":{\"type\":\"record\",\"name\":\"Addr\","
              "\"namespace\":\"nb\",\"fields\":[{\"name\":\"city\",\"type\":\"string\"},"
              "{\"name\":\"zip\",\"type\":\"string\"}]}}"),
     "{\"id\":1,\"a\":{\"street\":\"s\"},\"b\":{\"city\":\"c\",\"zip\":\"z\"}}",
     "{\"a\":{\"street\":\"s\"},\"b\":{\"city\":\"c\",\"zip\":\"z\"},\"id\":1}"},
    {"a symbol added first, a nested enum reordered (read by index: bronze as basic)",
     ENUM_REC("", "{\"name\":\"tier\",\"type\":{\"type\":\"enum\",\"name\":\"Tier\","
                  "\"symbols\":[\"bronze\",\"silver\",\"gold\"]}},"
                  "{\"name\":\"dim\",\"type\":{\"type\":\"record\",\"name\":\"Dim\",\"fields\":["
                  " {\"name\":\"unit\",\"type\":{\"type\":\"enum\",\"name\":\"Unit\","
                  "  \"symbols\":[\"cm\",\"m\"]}}]}}"),
     ENUM_REC("", "{\"name\":\"tier\",\"type\":{\"type\":\"enum\",\"name\":\"Tier\","
                  "\"symbols\":[\"basic\",\"bronze\",\"silver\",\"gold\"],\"default\":\"basic\"}},"
                  "{\"name\":\"dim\",\"type\":{\"type\":\"record\",\"name\":\"Dim\",\"fields\":["
                  " {\"name\":\"unit\",\"type\":{\"type\":\"enum\",\"name\":\"Unit\","
                  "  \"symbols\":[\"mm\",\"m\",\"cm\"]}}]}}"),
     "{\"id\":1,\"tier\":\"gold\",\"dim\":{\"unit\":\"cm\"}}",
     "{\"dim\":{\"unit\":\"cm\"},\"id\":1,\"tier\":\"gold\"}"},
    {"two enums sharing a short name in different namespaces",
     ENUM_REC(",\"namespace\":\"t\"", "{\"name\":\"a\",\"type\":{\"type\":\"record\",\"name\":"
                                      "\"A\",\"namespace\":\"na\",\"fields\":["
                                      " {\"name\":\"lv\",\"type\":{\"type\":\"enum\",\"name\":"
                                      "\"Level\",\"symbols\":[\"lo\",\"hi\"]}}]}},"
                                      "{\"name\":\"b\",\"type\":{\"type\":\"record\",\"name\":"
                                      "\"B\",\"namespace\":\"nb\",\"fields\":["
                                      " {\"name\":\"lv\",\"type\":{\"type\":\"enum\",\"name\":"
                                      "\"Level\",\"symbols\":[\"x\",\"y\",\"z\"]}}]}}"),
     ENUM_REC(",\"namespace\":\"t\"",
              "{\"name\":\"a\",\"type\":{\"type\":\"record\",\"name\":\"A\",\"namespace\":\"na\","
              "\"fields\":["
              " {\"name\":\"lv\",\"type\":{\"type\":\"enum\",\"name\":\"Level\",\"symbols\":["
              "\"lo\",\"hi\"]}}]}},"
              "{\"name\":\"b\",\"type\":{\"type\":\"record\",\"name\":\"B\",\"namespace\":\"nb\","
              "\"fields\":["
              " {\"name\":\"lv\",\"type\":{\"type\":\"enum\",\"name\":\"Level\",\"symbols\":[\"x\","
              "\"y\",\"z\"]}}]}},"
              "{\"name\":\"note\",\"type\":[\"null\",\"string\"],\"default\":null}"),
     "{\"id\":1,\"a\":{\"lv\":\"hi\"},\"b\":{\"lv\":\"z\"}}",
     "{\"a\":{\"lv\":\"hi\"},\"b\":{\"lv\":\"z\"},\"id\":1,\"note\":null}"},
    {"field default names a symbol the writer lacks",
     ENUM_REC("", "{\"name\":\"tier\",\"type\":{\"type\":\"enum\",\"name\":\"Tier\","
                  "\"symbols\":[\"bronze\",\"gold\"]}}"),
     ENUM_REC("", "{\"name\":\"tier\",\"type\":{\"type\":\"enum\",\"name\":\"Tier\","
                  "\"symbols\":[\"basic\",\"bronze\",\"gold\"]},\"default\":\"basic\"}"),
     "{\"id\":1,\"tier\":\"gold\"}", "{\"id\":1,\"tier\":\"gold\"}"},
    {"enum in an array, referenced by name in a union",
     ENUM_REC("", "{\"name\":\"tiers\",\"type\":{\"type\":\"array\",\"items\":{\"type\":\"enum\","
                  "\"name\":\"Tier\","
                  "\"symbols\":[\"bronze\",\"gold\"]}}},"
                  "{\"name\":\"t2\",\"type\":[\"null\",\"Tier\"],\"default\":null}"),
     ENUM_REC("", "{\"name\":\"tiers\",\"type\":{\"type\":\"array\",\"items\":{\"type\":\"enum\","
                  "\"name\":\"Tier\","
                  "\"symbols\":[\"basic\",\"bronze\",\"gold\"]}}},"
                  "{\"name\":\"t2\",\"type\":[\"null\",\"Tier\"],\"default\":null}"),
     "{\"id\":1,\"tiers\":[\"gold\",\"bronze\"],\"t2\":\"gold\"}",
     "{\"id\":1,\"t2\":\"gold\",\"tiers\":[\"gold\",\"bronze\"]}"},
    {"enum defined in a field the reader dropped, referenced by another",
     ENUM_REC("", "{\"name\":\"old\",\"type\":{\"type\":\"enum\",\"name\":\"Tier\","
                  "\"symbols\":[\"bronze\",\"gold\"]}},"
                  "{\"name\":\"t2\",\"type\":\"Tier\"}"),
     ENUM_REC("", "{\"name\":\"t2\",\"type\":{\"type\":\"enum\",\"name\":\"Tier\","
                  "\"symbols\":[\"basic\",\"bronze\",\"gold\"]}}"),
     "{\"id\":1,\"old\":\"bronze\",\"t2\":\"gold\"}", "{\"id\":1,\"t2\":\"gold\"}"},
    {"same short name, same symbols in another order",
     ENUM_REC(",\"namespace\":\"t\"", "{\"name\":\"a\",\"type\":{\"type\":\"record\",\"name\":"
                                      "\"A\",\"namespace\":\"na\",\"fields\":["
                                      " {\"name\":\"lv\",\"type\":{\"type\":\"enum\",\"name\":"
                                      "\"Level\",\"symbols\":[\"lo\",\"hi\"]}}]}},"
                                      "{\"name\":\"b\",\"type\":{\"type\":\"record\",\"name\":"
                                      "\"B\",\"namespace\":\"nb\",\"fields\":["
                                      " {\"name\":\"lv\",\"type\":{\"type\":\"enum\",\"name\":"
                                      "\"Level\",\"symbols\":[\"hi\",\"lo\"]}}]}}"),
     ENUM_REC(",\"namespace\":\"t\"",
              "{\"name\":\"a\",\"type\":{\"type\":\"record\",\"name\":\"A\",\"namespace\":\"na\","
              "\"fields\":["
              " {\"name\":\"lv\",\"type\":{\"type\":\"enum\",\"name\":\"Level\",\"symbols\":["
              "\"lo\",\"hi\"]}}]}},"
              "{\"name\":\"b\",\"type\":{\"type\":\"record\",\"name\":\"B\",\"namespace\":\"nb\","
              "\"fields\":["
              " {\"name\":\"lv\",\"type\":{\"type\":\"enum\",\"name\":\"Level\",\"symbols\":["
              "\"hi\",\"lo\"]}}]}},"
              "{\"name\":\"note\",\"type\":[\"null\",\"string\"],\"default\":null}"),
     "{\"id\":1,\"a\":{\"lv\":\"lo\"},\"b\":{\"lv\":\"hi\"}}",
     "{\"a\":{\"lv\":\"lo\"},\"b\":{\"lv\":\"hi\"},\"id\":1,\"note\":null}"},
};

static void test_named_cases(void **state)
{
    int failed = 0;
    (void)state;
    for (size_t i = 0; i < sizeof(named_cases) / sizeof(named_cases[0]); i++) {
        ver_t o, n;
        size_t len = 0;
        char err[512] = "";
        void *buf = NULL;
        json_error_t jerr;
        json_t *rec = json_loads(named_cases[i].record, 0, &jerr);

        ver_load(&o, named_cases[i].writer);
        ver_load(&n, named_cases[i].reader);
        assert_non_null(rec);
        if (envelope_encode(o.es, CHANGE_OP_UPSERT, "7", 1000, "run-1", 0, 2000, rec, &buf, &len,
                            err, sizeof(err)) != 0) {
            print_message("[%zu] %s: encode: %s\n", i, named_cases[i].what, err);
            failed++;
            goto next;
        }
        if (envelope_add_writer(n.es, envelope_schema_json(o.es), NULL, err, sizeof(err)) != 0) {
            print_message("[%zu] %s: add_writer refused: %s\n", i, named_cases[i].what, err);
            failed++;
            goto next;
        }
        change_event_t *ev = envelope_decode(n.es, buf, len, err, sizeof(err));
        if (!ev) {
            print_message("[%zu] %s: decode: %s\n", i, named_cases[i].what, err);
            failed++;
            goto next;
        }
        char *row = json_dumps(ev->after, JSON_COMPACT | JSON_SORT_KEYS);
        if (strcmp(row, named_cases[i].row)) {
            print_message("[%zu] %s: row %s, expected %s\n", i, named_cases[i].what, row,
                          named_cases[i].row);
            failed++;
        } else {
            print_message("[%zu] %s: ok\n", i, named_cases[i].what);
        }
        free(row);
        change_event_destroy(ev);
    next:
        free(buf);
        json_decref(rec);
        ver_unload(&o);
        ver_unload(&n);
    }
    assert_int_equal(failed, 0);
}

/* Writers whose fields cannot be read as ours, with the reason. */
static void test_unreadable_writers(void **state)
{
    static const struct {
        const char *writer_fields, *reader_fields, *err;
    } cases[] = {
        {"{\"name\":\"a\",\"type\":\"string\"}", "{\"name\":\"a\",\"type\":\"int\"}",
         "field 'a' was written as string, which cannot be read as int"},
        /* logical types are not in the fingerprint: a writer that differs
         * only in them looks like ours; with another change it is seen */
        {"{\"name\":\"a\",\"type\":{\"type\":\"bytes\",\"logicalType\":\"decimal\","
         "\"precision\":6,\"scale\":3}},{\"name\":\"z\",\"type\":[\"null\",\"int\"]}",
         "{\"name\":\"a\",\"type\":{\"type\":\"bytes\",\"logicalType\":\"decimal\","
         "\"precision\":6,\"scale\":2}}",
         "written as decimal(6,3), which cannot be read as decimal(6,2)"},
        {"{\"name\":\"a\",\"type\":{\"type\":\"long\",\"logicalType\":\"timestamp-micros\"}},"
         "{\"name\":\"z\",\"type\":[\"null\",\"int\"]}",
         "{\"name\":\"a\",\"type\":{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"}}",
         "written as timestamp-micros, which cannot be read as timestamp-millis"},
        {"{\"name\":\"b\",\"type\":\"int\"}", "{\"name\":\"a\",\"type\":\"int\"}",
         "field 'a' is not in it, and ours has no default"},
        {"{\"name\":\"a\",\"type\":\"double\"}", "{\"name\":\"a\",\"type\":\"float\"}",
         "written as double, which cannot be read as float"},
        /* a symbol ours lacks: avro-c cannot apply our default */
        {"{\"name\":\"a\",\"type\":{\"type\":\"enum\",\"name\":\"E\","
         "\"symbols\":[\"p\",\"q\",\"x\"]}}",
         "{\"name\":\"a\",\"type\":{\"type\":\"enum\",\"name\":\"E\",\"symbols\":[\"q\",\"p\"],"
         "\"default\":\"p\"}}",
         "enum E has symbol 'x', which ours lacks"},
    };
    char w[512], r[512], err[512];

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ver_t wv, rv;
        size_t len;

        snprintf(w, sizeof(w),
                 "{\"type\":\"record\",\"name\":\"R\",\"fields\":["
                 "{\"name\":\"id\",\"type\":\"string\"},%s]}",
                 cases[i].writer_fields);
        snprintf(r, sizeof(r),
                 "{\"type\":\"record\",\"name\":\"R\",\"fields\":["
                 "{\"name\":\"id\",\"type\":\"string\"},%s]}",
                 cases[i].reader_fields);
        ver_load(&wv, w);
        ver_load(&rv, r);
        err[0] = '\0';
        int rc = envelope_add_writer(rv.es, envelope_schema_json(wv.es), NULL, err, sizeof(err));
        if (rc != -1 || !strstr(err, cases[i].err))
            print_error("case %zu: rc %d '%s'\n", i, rc, err);
        assert_int_equal(rc, -1);
        assert_non_null(strstr(err, cases[i].err));
        /* its events: dead-letter material, with the reason */
        const char *val = strstr(cases[i].writer_fields, "enum")        ? "\"p\""
                          : strstr(cases[i].writer_fields, "decimal")   ? "\"1.000\""
                          : strstr(cases[i].writer_fields, "string")    ? "\"s\""
                          : strstr(cases[i].writer_fields, "timestamp") ? "5"
                          : strstr(cases[i].writer_fields, "double")    ? "1.5"
                                                                        : "1";
        char rec[128];
        snprintf(rec, sizeof(rec), "{\"id\":\"x\",\"%c\":%s}",
                 strstr(cases[i].writer_fields, "\"b\"") ? 'b' : 'a', val);
        void *buf = encode(&wv, rec, &len);
        assert_true(envelope_knows_writer(rv.es, envelope_schema_fingerprint(wv.es)));
        assert_null(envelope_decode(rv.es, buf, len, err, sizeof(err)));
        assert_non_null(strstr(err, "which cannot be read as this stream's"));
        assert_non_null(strstr(err, cases[i].err));
        free(buf);
        ver_unload(&wv);
        ver_unload(&rv);
    }
    /* not a schema at all: not remembered */
    ver_t rv;
    ver_load(&rv, V1);
    assert_int_equal(envelope_add_writer(rv.es, "{\"no\":", NULL, err, sizeof(err)), -1);
    assert_int_equal(envelope_add_writer(rv.es,
                                         "{\"type\":\"record\",\"name\":\"X\","
                                         "\"fields\":[]}",
                                         NULL, err, sizeof(err)),
                     -1);
    assert_non_null(strstr(err, "not a change-event schema"));
    ver_unload(&rv);
}

static void test_fingerprints(void **state)
{
    ver_t v;
    uint64_t fp = 0;
    char err[256];
    static const unsigned char not_soe[] = "plain text";
    static const char SCALE3[] =
        "{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\",\"type\":"
        "{\"type\":\"bytes\",\"logicalType\":\"decimal\",\"precision\":6,\"scale\":3}}]}";
    static const char SCALE2[] =
        "{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\",\"type\":"
        "{\"type\":\"bytes\",\"logicalType\":\"decimal\",\"precision\":9,\"scale\":2}}]}";
    uint64_t fp2 = 0;

    (void)state;
    /* The Parsing Canonical Form drops logical types: a change of decimal
     * scale alone keeps the fingerprint (a documented limitation). */
    assert_int_equal(avsc_text_fingerprint(SCALE3, &fp, err, sizeof(err)), 0);
    assert_int_equal(avsc_text_fingerprint(SCALE2, &fp2, err, sizeof(err)), 0);
    assert_true(fp == fp2);
    ver_load(&v, V1);
    assert_int_equal(avsc_text_fingerprint(envelope_schema_json(v.es), &fp, err, sizeof(err)), 0);
    assert_true(fp == envelope_schema_fingerprint(v.es));
    assert_int_equal(avsc_text_fingerprint("nope", &fp, err, sizeof(err)), -1);
    assert_int_equal(envelope_peek_fingerprint(not_soe, sizeof(not_soe), &fp), -1);
    assert_int_equal(envelope_peek_fingerprint(NULL, 0, &fp), -1);
    ver_unload(&v);
}

/* A schema with the stream's own fingerprint: the same meaning unless a
 * field's logical type or decimal scale differs (what the fingerprint
 * leaves out); a doc or a default may change. */
typedef struct same_case {
    const char *theirs, *want_err; /* want_err NULL: the same meaning */
} same_case_t;

/* Each case's schema against ours, by envelope_same_meaning(). */
static void check_cases(const char *ours, const same_case_t *cases, size_t n)
{
    ver_t v;
    ver_load(&v, ours);
    for (size_t i = 0; i < n; i++) {
        char *theirs = ver_event_schema_json(cases[i].theirs), err[512] = "";
        int rc = envelope_same_meaning(v.es, theirs, err, sizeof(err));
        if (cases[i].want_err ? rc != -1 || !strstr(err, cases[i].want_err) : rc != 0)
            fail_msg("case %zu: %d '%s', want %s", i, rc, err,
                     cases[i].want_err ? cases[i].want_err : "the same meaning");
        free(theirs);
    }
    ver_unload(&v);
}

static void test_same_meaning(void **state)
{
    (void)state;
#define R_OF(type)                                                                                 \
    "{\"type\":\"record\",\"name\":\"R\",\"namespace\":\"t\",\"fields\":["                         \
    "{\"name\":\"id\",\"type\":\"long\"},{\"name\":\"a\",\"type\":" type "}]}"
    static const same_case_t cases[] = {
        {R_OF("{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"}"), NULL},
        {R_OF("{\"type\":\"long\",\"logicalType\":\"timestamp-millis\",\"doc\":\"x\"}"), NULL},
        {R_OF("{\"type\":\"long\",\"logicalType\":\"timestamp-micros\"}"), "field 'a'"},
        {R_OF("{\"type\":\"long\",\"logicalType\":\"local-timestamp-millis\"}"), "field 'a'"},
        {R_OF("\"long\""), "field 'a'"},
        {"not json", "not JSON"},
    };
    static const char OURS[] = R_OF("{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"}");
    check_cases(OURS, cases, sizeof(cases) / sizeof(cases[0]));
    /* inside an array, a map, a nested record (kept in jsonb) */
    static const same_case_t nested[] = {
        {R_OF("{\"type\":\"array\",\"items\":{\"type\":\"long\",\"logicalType\":\"timestamp-"
              "millis\"}}"),
         NULL},
        {R_OF("{\"type\":\"array\",\"items\":{\"type\":\"long\",\"logicalType\":\"timestamp-"
              "micros\"}}"),
         "field 'a'"},
    };
    check_cases(R_OF("{\"type\":\"array\",\"items\":{\"type\":\"long\",\"logicalType\":\"timestamp-"
                     "millis\"}}"),
                nested, 2);
    static const same_case_t maps[] = {
        {R_OF("{\"type\":\"map\",\"values\":{\"type\":\"bytes\",\"logicalType\":\"decimal\","
              "\"precision\":9,\"scale\":2}}"),
         NULL}, /* precision alone */
        {R_OF("{\"type\":\"map\",\"values\":{\"type\":\"bytes\",\"logicalType\":\"decimal\","
              "\"precision\":6,\"scale\":3}}"),
         "field 'a'"},
    };
    check_cases(R_OF("{\"type\":\"map\",\"values\":{\"type\":\"bytes\",\"logicalType\":\"decimal\","
                     "\"precision\":6,\"scale\":2}}"),
                maps, 2);
    static const same_case_t records[] = {
        {R_OF("{\"type\":\"record\",\"name\":\"N\",\"doc\":\"x\",\"fields\":[{\"name\":\"t\","
              "\"type\":{\"type\":\"int\",\"logicalType\":\"date\"}}]}"),
         NULL},
        {R_OF(
             "{\"type\":\"record\",\"name\":\"N\",\"fields\":[{\"name\":\"t\",\"type\":\"int\"}]}"),
         "field 'a'"},
    };
    check_cases(R_OF("{\"type\":\"record\",\"name\":\"N\",\"fields\":[{\"name\":\"t\",\"type\":{"
                     "\"type\":\"int\",\"logicalType\":\"date\"}}]}"),
                records, 2);
#undef R_OF
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_old_events_resolve), cmocka_unit_test(test_wrong_default_unused),
        cmocka_unit_test(test_newer_writer),       cmocka_unit_test(test_op_enum_refused),
        cmocka_unit_test(test_named_cases),        cmocka_unit_test(test_unreadable_writers),
        cmocka_unit_test(test_fingerprints),       cmocka_unit_test(test_same_meaning),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
