/*
 * convert_roundtrip.h - what the conversion tests (test_convert.c,
 * test_convert_logical.c) share: JSON test text -> json_t, and one record
 * JSON -> Avro -> row form.
 *
 * Header only, included by one test file each (static functions, all used
 * by each); the test thread calls them. Fails through cmocka's assertions.
 */
#ifndef TIDEMARK_TEST_CONVERT_ROUNDTRIP_H
#define TIDEMARK_TEST_CONVERT_ROUNDTRIP_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "avro_datum.h"
#include "convert.h"
#include "schema.h"

/* text (JSON, NULs allowed) as a json_t; fails the test when it is not JSON. */
static json_t *loads(const char *text)
{
    json_error_t jerr;
    json_t *j = json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
    if (!j)
        print_error("bad test JSON '%s': %s\n", text, jerr.text);
    assert_non_null(j);
    return j;
}

/* JSON -> Avro -> row for one record; returns the row or NULL + err. */
static json_t *round_trip(const record_schema_t *rs, const json_t *rec, char *err, size_t err_size)
{
    avro_value_iface_t *iface;
    avro_value_t val;

    if (avro_datum_from_json(rs, rec, &iface, &val, err, err_size) != 0)
        return NULL;
    json_t *row = convert_avro_to_row(rs, &val, err, err_size);
    assert_non_null(row);
    avro_value_decref(&val);
    avro_value_iface_decref(iface);
    return row;
}

#endif
