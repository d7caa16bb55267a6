/*
 * avsc.c - see avsc.h. The rules are the specification's, cited by their
 * names in it: [PRIMITIVES], [FULLNAMES], [STRIP], [ORDER], [STRINGS],
 * [WHITESPACE].
 */
#include "errstr.h"
#include "avsc.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CRC64_AVRO_EMPTY 0xc15d213aa4d7a795ULL
#define MAX_DEPTH        64 /* nesting the canonical form follows */

uint64_t avsc_crc64(const void *data, size_t len)
{
    uint64_t table[256], fp = CRC64_AVRO_EMPTY;
    const unsigned char *p = data;

    /* 2 KiB of work per call; fingerprints are computed once per schema,
     * and a static table would be global state. */
    for (int i = 0; i < 256; i++) {
        uint64_t f = (uint64_t)i;
        for (int j = 0; j < 8; j++)
            f = (f >> 1) ^ (CRC64_AVRO_EMPTY & (0 - (f & 1)));
        table[i] = f;
    }
    for (size_t i = 0; i < len; i++)
        fp = (fp >> 8) ^ table[(fp ^ p[i]) & 0xff];
    return fp;
}

static int is_primitive(const char *t)
{
    static const char *const prims[] = {"null",  "boolean", "int",   "long",
                                        "float", "double",  "bytes", "string"};
    for (size_t i = 0; i < sizeof(prims) / sizeof(prims[0]); i++)
        if (strcmp(t, prims[i]) == 0)
            return 1;
    return 0;
}

/* [FULLNAMES]: name qualified by the namespace in effect. */
static json_t *full_name(const char *name, const char *ns)
{
    if (strchr(name, '.') || !ns || !*ns)
        return json_string(name);
    return json_sprintf("%s.%s", ns, name);
}

static json_t *pcf(const json_t *s, const char *ns, int depth, char *errstr, size_t errstr_size);

/* Named types (record, enum, fixed): name first, then type, then their
 * own attribute, as [ORDER] says. */
static json_t *pcf_named(const json_t *s, const char *type, const char *ns, int depth, char *errstr,
                         size_t errstr_size)
{
    const char *name = json_string_value(json_object_get(s, "name"));
    const char *own_ns = json_string_value(json_object_get(s, "namespace"));

    if (!name) {
        errstr_set(errstr, errstr_size, "a %s without a name", type);
        return NULL;
    }
    json_t *out = json_object();
    json_t *fn = full_name(name, own_ns ? own_ns : ns);
    json_object_set_new(out, "name", fn);
    json_object_set_new(out, "type", json_string(type));

    /* The namespace for names inside this one: its full name's. */
    char *inner = strdup(json_string_value(fn) ? json_string_value(fn) : "");
    char *dot = inner ? strrchr(inner, '.') : NULL;
    if (inner)
        *(dot ? dot : inner) = '\0';

    if (strcmp(type, "enum") == 0) {
        json_object_set(out, "symbols", json_object_get(s, "symbols"));
    } else if (strcmp(type, "fixed") == 0) {
        json_object_set(out, "size", json_object_get(s, "size"));
    } else {
        json_t *fields = json_array(), *f;
        json_object_set_new(out, "fields", fields);
        size_t i;
        json_array_foreach(json_object_get(s, "fields"), i, f)
        {
            json_t *cf = json_object();
            json_t *ft = pcf(json_object_get(f, "type"), inner, depth + 1, errstr, errstr_size);
            json_array_append_new(fields, cf);
            json_object_set(cf, "name", json_object_get(f, "name"));
            if (!ft) {
                free(inner);
                json_decref(out);
                return NULL;
            }
            json_object_set_new(cf, "type", ft);
        }
    }
    free(inner);
    return out;
}

static json_t *pcf_object(const json_t *s, const char *ns, int depth, char *errstr,
                          size_t errstr_size)
{
    const json_t *tj = json_object_get(s, "type");
    const char *type = json_string_value(tj);

    if (!tj) {
        errstr_set(errstr, errstr_size, "a schema object without \"type\"");
        return NULL;
    }
    if (!type || is_primitive(type)) /* [PRIMITIVES], or a nested type */
        return pcf(tj, ns, depth + 1, errstr, errstr_size);
    if (!strcmp(type, "record") || !strcmp(type, "error") || !strcmp(type, "enum") ||
        !strcmp(type, "fixed"))
        return pcf_named(s, !strcmp(type, "error") ? "record" : type, ns, depth, errstr,
                         errstr_size);
    int is_array = strcmp(type, "array") == 0;
    if (is_array || strcmp(type, "map") == 0) {
        const char *key = is_array ? "items" : "values";
        json_t *inner = pcf(json_object_get(s, key), ns, depth + 1, errstr, errstr_size);
        if (!inner)
            return NULL;
        return json_pack("{s:s, s:o}", "type", type, key, inner);
    }
    return pcf(tj, ns, depth + 1, errstr, errstr_size); /* {"type":"Name"} */
}

static json_t *pcf(const json_t *s, const char *ns, int depth, char *errstr, size_t errstr_size)
{
    if (depth > MAX_DEPTH) {
        errstr_set(errstr, errstr_size, "schema nested too deeply");
        return NULL;
    }
    if (json_is_string(s)) {
        const char *t = json_string_value(s);
        return is_primitive(t) ? json_string(t) : full_name(t, ns);
    }
    if (json_is_array(s)) {
        json_t *out = json_array(), *b;
        size_t i;
        json_array_foreach(s, i, b)
        {
            json_t *cb = pcf(b, ns, depth + 1, errstr, errstr_size);
            if (!cb) {
                json_decref(out);
                return NULL;
            }
            json_array_append_new(out, cb);
        }
        return out;
    }
    if (json_is_object(s))
        return pcf_object(s, ns, depth, errstr, errstr_size);
    errstr_set(errstr, errstr_size, "not an Avro schema: %s", s ? "a JSON scalar" : "missing");
    return NULL;
}

char *avsc_canonical_form(const json_t *schema, char *errstr, size_t errstr_size)
{
    json_t *c = pcf(schema, NULL, 0, errstr, errstr_size);

    if (!c)
        return NULL;
    /* [WHITESPACE] and [STRINGS]: compact, UTF-8 as is, minimal escapes */
    char *out = json_dumps(c, JSON_COMPACT | JSON_ENCODE_ANY);
    json_decref(c);
    if (!out)
        errstr_set(errstr, errstr_size, "cannot serialize canonical form");
    return out;
}

int avsc_fingerprint(const json_t *schema, uint64_t *fp, char *errstr, size_t errstr_size)
{
    char *canon = avsc_canonical_form(schema, errstr, errstr_size);

    if (!canon)
        return -1;
    *fp = avsc_crc64(canon, strlen(canon));
    free(canon);
    return 0;
}

int avsc_text_fingerprint(const char *json_text, uint64_t *fp, char *errstr, size_t errstr_size)
{
    json_error_t jerr;
    json_t *doc = json_loads(json_text, JSON_DECODE_ANY, &jerr);

    if (!doc) {
        errstr_set(errstr, errstr_size, "not JSON: line %d: %s", jerr.line, jerr.text);
        return -1;
    }
    int rc = avsc_fingerprint(doc, fp, errstr, errstr_size);
    json_decref(doc);
    return rc;
}

char *avsc_keyed_schema(const void *key, size_t key_len, const void *value, size_t len,
                        uint64_t *fp, int *oom)
{
    char hex[17], err[256], *json;
    uint64_t actual = 0;

    *oom = 0;
    if (key_len != 16 || !value)
        return NULL;
    memcpy(hex, key, 16);
    hex[16] = '\0';
    if (strspn(hex, "0123456789abcdefABCDEF") != 16 || sscanf(hex, "%16" SCNx64, fp) != 1)
        return NULL;
    if (!(json = strndup(value, len))) {
        *oom = 1;
        return NULL;
    }
    if (strlen(json) != len || avsc_text_fingerprint(json, &actual, err, sizeof(err)) != 0 ||
        actual != *fp) {
        free(json);
        return NULL;
    }
    return json;
}
