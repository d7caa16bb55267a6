/*
 * test_wireframe.c - the wire framings: each one's bytes (single-object
 * encoding as the Avro spec gives it, the Confluent wire format as the
 * Schema Registry documents it), round trips, and the status and message
 * of bytes that are no framing, or a framing cut short.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "wireframe.h"

typedef struct {
    wire_schema_ref_t ref;
    unsigned char header[WIRE_MAX_HEADER];
    size_t header_len;
} frame_case_t;

static const frame_case_t frames[] = {
    {{WIRE_SINGLE_OBJECT, 0x0807060504030201ULL, 0},
     {0xC3, 0x01, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08},
     10},
    {{WIRE_SINGLE_OBJECT, 0xffffffffffffffffULL, 0},
     {0xC3, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
     10},
    {{WIRE_CONFLUENT, 0, 1}, {0x00, 0x00, 0x00, 0x00, 0x01}, 5},
    {{WIRE_CONFLUENT, 0, 0x01020304}, {0x00, 0x01, 0x02, 0x03, 0x04}, 5},
    {{WIRE_CONFLUENT, 0, 0xffffffffU}, {0x00, 0xff, 0xff, 0xff, 0xff}, 5},
};

static void test_encode_decode(void **state)
{
    static const unsigned char body[] = {0x02, 0x04, 'h', 'i'};

    (void)state;
    for (size_t i = 0; i < sizeof(frames) / sizeof(frames[0]); i++) {
        const frame_case_t *t = &frames[i];
        unsigned char header[WIRE_MAX_HEADER];
        void *buf;
        size_t len;

        assert_int_equal(wire_header_size(t->ref.framing), t->header_len);
        assert_int_equal(wire_write_header(&t->ref, header), t->header_len);
        assert_memory_equal(header, t->header, t->header_len);

        assert_int_equal(wire_encode(&t->ref, body, sizeof(body), &buf, &len), 0);
        assert_int_equal(len, t->header_len + sizeof(body));
        assert_memory_equal(buf, t->header, t->header_len);
        assert_memory_equal((unsigned char *)buf + t->header_len, body, sizeof(body));

        wire_schema_ref_t ref;
        const unsigned char *b;
        size_t blen;
        char err[256] = "";
        assert_int_equal(wire_decode(buf, len, &ref, &b, &blen, err, sizeof(err)), WIRE_OK);
        assert_int_equal(ref.framing, t->ref.framing);
        assert_true(ref.fingerprint == t->ref.fingerprint);
        assert_true(ref.schema_id == t->ref.schema_id);
        assert_ptr_equal(b, (unsigned char *)buf + t->header_len);
        assert_int_equal(blen, sizeof(body));

        /* a header alone is a framed empty body */
        assert_int_equal(wire_decode(buf, t->header_len, &ref, &b, &blen, err, sizeof(err)),
                         WIRE_OK);
        assert_int_equal(blen, 0);
        /* every cut into the header is WIRE_TRUNCATED of that framing,
         * but for one that cuts into the magic itself */
        for (size_t cut = 1; cut < t->header_len; cut++) {
            unsigned char *copy = malloc(cut); /* exact size: ASan sees overreads */
            memcpy(copy, buf, cut);
            wire_status_t st = wire_decode(copy, cut, &ref, &b, &blen, err, sizeof(err));
            if (t->ref.framing == WIRE_SINGLE_OBJECT && cut == 1) {
                assert_int_equal(st, WIRE_UNKNOWN);
            } else {
                assert_int_equal(st, WIRE_TRUNCATED);
                assert_int_equal(ref.framing, t->ref.framing);
                assert_non_null(strstr(err, wire_framing_name(t->ref.framing)));
                assert_non_null(strstr(err, "cut short"));
            }
            assert_null(b);
            free(copy);
        }
        free(buf);
    }
}

static void test_decode_errors(void **state)
{
    static const unsigned char json[] = "{\"id\": 17}";
    static const unsigned char c3[] = {0xC3, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    wire_schema_ref_t ref;
    const unsigned char *b;
    size_t blen;
    char err[256] = "";

    (void)state;
    assert_int_equal(wire_decode(NULL, 0, &ref, &b, &blen, err, sizeof(err)), WIRE_EMPTY);
    assert_string_equal(err, "an empty message");
    assert_int_equal(wire_decode(json, 0, &ref, &b, &blen, err, sizeof(err)), WIRE_EMPTY);
    assert_int_equal(wire_decode(json, sizeof(json) - 1, &ref, &b, &blen, err, sizeof(err)),
                     WIRE_UNKNOWN);
    assert_non_null(strstr(err, "it starts with 7B"));
    assert_int_equal(wire_decode(c3, sizeof(c3), &ref, &b, &blen, err, sizeof(err)), WIRE_UNKNOWN);
    assert_non_null(strstr(err, "it starts with C3"));
    assert_null(b);
    assert_int_equal(blen, 0);
    /* errstr may be NULL */
    assert_int_equal(wire_decode(c3, sizeof(c3), &ref, &b, &blen, NULL, 0), WIRE_UNKNOWN);
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(wire_framing_name(WIRE_SINGLE_OBJECT), "single-object encoding");
    assert_string_equal(wire_framing_name(WIRE_CONFLUENT), "Confluent wire format");
    assert_string_equal(wire_framing_name((wire_framing_t)WIRE_N_FRAMINGS), "?");
    assert_int_equal(wire_header_size((wire_framing_t)WIRE_N_FRAMINGS), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encode_decode),
        cmocka_unit_test(test_decode_errors),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
