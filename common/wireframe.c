/*
 * wireframe.c - see wireframe.h. A new framing is one entry of
 * framings[], its wire_framing_t value, and its name in wire_decode's
 * message for bytes no framing knows.
 */
#include "errstr.h"
#include "wireframe.h"

#include <stdlib.h>
#include <string.h>

typedef struct framing {
    const char *name;
    unsigned char magic[2];
    size_t magic_len;
    size_t header_len;
    /* the schema reference after the magic: header_len - magic_len bytes */
    void (*put_ref)(const wire_schema_ref_t *ref, unsigned char *out);
    void (*get_ref)(const unsigned char *in, wire_schema_ref_t *ref);
} framing_t;

static void soe_put(const wire_schema_ref_t *ref, unsigned char *out)
{
    for (int i = 0; i < 8; i++) /* little-endian, as the Avro spec says */
        out[i] = (unsigned char)(ref->fingerprint >> (8 * i));
}

static void soe_get(const unsigned char *in, wire_schema_ref_t *ref)
{
    ref->fingerprint = 0;
    for (int i = 0; i < 8; i++)
        ref->fingerprint |= (uint64_t)in[i] << (8 * i);
}

static void confluent_put(const wire_schema_ref_t *ref, unsigned char *out)
{
    for (int i = 0; i < 4; i++) /* big-endian (network order) */
        out[i] = (unsigned char)(ref->schema_id >> (8 * (3 - i)));
}

static void confluent_get(const unsigned char *in, wire_schema_ref_t *ref)
{
    ref->schema_id = 0;
    for (int i = 0; i < 4; i++)
        ref->schema_id = (ref->schema_id << 8) | in[i];
}

static const framing_t framings[WIRE_N_FRAMINGS] = {
    [WIRE_SINGLE_OBJECT] =
        {"single-object encoding", {0xC3, 0x01}, 2, WIRE_SOE_HEADER, soe_put, soe_get},
    [WIRE_CONFLUENT] =
        {"Confluent wire format", {0x00}, 1, WIRE_CONFL_HEADER, confluent_put, confluent_get},
};

const char *wire_framing_name(wire_framing_t framing)
{
    return (unsigned)framing < WIRE_N_FRAMINGS ? framings[framing].name : "?";
}

size_t wire_header_size(wire_framing_t framing)
{
    return (unsigned)framing < WIRE_N_FRAMINGS ? framings[framing].header_len : 0;
}

size_t wire_write_header(const wire_schema_ref_t *ref, unsigned char *out)
{
    const framing_t *f = &framings[ref->framing];

    memcpy(out, f->magic, f->magic_len);
    f->put_ref(ref, out + f->magic_len);
    return f->header_len;
}

int wire_encode(const wire_schema_ref_t *ref, const void *body, size_t body_len, void **out,
                size_t *out_len)
{
    size_t header = wire_header_size(ref->framing);
    unsigned char *buf = malloc(header + body_len + 1); /* +1: never malloc(0) */

    *out = NULL;
    *out_len = 0;
    if (!buf)
        return -1;
    wire_write_header(ref, buf);
    if (body_len)
        memcpy(buf + header, body, body_len);
    *out = buf;
    *out_len = header + body_len;
    return 0;
}

wire_status_t wire_decode(const void *buf, size_t len, wire_schema_ref_t *ref,
                          const unsigned char **body, size_t *body_len, char *errstr,
                          size_t errstr_size)
{
    const unsigned char *p = buf;

    memset(ref, 0, sizeof(*ref));
    *body = NULL;
    *body_len = 0;
    if (!buf || len == 0) {
        errstr_set(errstr, errstr_size, "an empty message");
        return WIRE_EMPTY;
    }
    for (int i = 0; i < WIRE_N_FRAMINGS; i++) {
        const framing_t *f = &framings[i];
        if (len < f->magic_len || memcmp(p, f->magic, f->magic_len) != 0)
            continue;
        ref->framing = (wire_framing_t)i;
        if (len < f->header_len) {
            errstr_set(errstr, errstr_size, "a %s header cut short (%zu of %zu bytes)", f->name,
                       len, f->header_len);
            return WIRE_TRUNCATED;
        }
        f->get_ref(p + f->magic_len, ref);
        *body = p + f->header_len;
        *body_len = len - f->header_len;
        return WIRE_OK;
    }
    errstr_set(errstr, errstr_size, "not a framed Avro message: it starts with %02X, %s", p[0],
               "not with the magic of a framing known (C3 01: single-object encoding, "
               "00: Confluent wire format)");
    return WIRE_UNKNOWN;
}
