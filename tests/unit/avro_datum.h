/*
 * avro_datum.h - a source JSON record converted (convert_json_to_avro)
 * and read back into an avro-c value, for the tests that inspect the
 * value or turn it into row form.
 *
 * On the way it holds the encoder to the Avro specification as two other
 * readers see it: avrobin.h must find exactly one datum of the schema in
 * the bytes, and avro-c, writing back the value it read from them, must
 * give the same bytes. Header only; the test thread calls it. Fails
 * through cmocka's assertions.
 */
#ifndef TIDEMARK_TEST_AVRO_DATUM_H
#define TIDEMARK_TEST_AVRO_DATUM_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "avrobin.h"
#include "avroenc.h"
#include "convert.h"

/* rec converted into val (a new generic value of rs->avro: the caller
 * avro_value_decref()s it and avro_value_iface_decref()s *iface), or -1
 * with err from the conversion and nothing to free. */
static int avro_datum_from_json(const record_schema_t *rs, const json_t *rec,
                                avro_value_iface_t **iface, avro_value_t *val, char *err,
                                size_t err_size)
{
    avroenc_t w = {0};
    if (convert_json_to_avro(rs, rec, &w, err, err_size) != 0) {
        avroenc_free(&w);
        return -1;
    }
    assert_false(avroenc_failed(&w));

    avrobin_cursor_t cur;
    avrobin_cursor_init(&cur, w.buf, w.len);
    if (avrobin_skip_datum(&cur, rs->avro) != 0 || cur.p != cur.end)
        fail_msg("not one datum of the schema: %s at %zu of %zu bytes",
                 cur.err ? cur.err : "bytes left over", avrobin_offset(&cur), w.len);

    *iface = avro_generic_class_from_schema(rs->avro);
    assert_non_null(*iface);
    assert_int_equal(avro_generic_value_new(*iface, val), 0);
    avro_reader_t r = avro_reader_memory((const char *)w.buf, (int64_t)w.len);
    assert_non_null(r);
    assert_int_equal(avro_value_read(r, val), 0);
    avro_reader_free(r);

    size_t size = 0;
    assert_int_equal(avro_value_sizeof(val, &size), 0);
    assert_int_equal(size, w.len);
    char *again = malloc(size ? size : 1);
    assert_non_null(again);
    avro_writer_t aw = avro_writer_memory(again, (int64_t)size);
    assert_non_null(aw);
    assert_int_equal(avro_value_write(aw, val), 0);
    avro_writer_free(aw);
    assert_memory_equal(again, w.buf, size); /* what avro-c writes for it */
    free(again);
    avroenc_free(&w);
    return 0;
}

#endif
