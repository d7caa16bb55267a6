/*
 * convert_nested.c - the JSON type of a value nested inside a record, an
 * array, a map or a union, followed down the record schema's JSON along
 * with the Avro value, so that logical types keep their meaning there too
 * (avro-c 1.11 does not know them).
 *
 * A named type referred to by name is found by its short name in the
 * schema's JSON (schema_resolve_type(): a walk of it, once per access;
 * callers take an array's or map's member type once, not per item, and a
 * record's own fields come resolved with the schema). Anything not found
 * is NULL: the value is then converted by its Avro type alone. Stateless;
 * safe from any thread.
 */
#include <string.h>

#include "convert_priv.h"
#include "schema.h"

const json_t *conv_type_resolve(const conv_ctx_t *c, const json_t *type)
{
    return schema_resolve_type(c->doc, type);
}

static const json_t *resolved(const conv_ctx_t *c)
{
    return conv_type_resolve(c, c->type);
}

const json_t *conv_type_field(const conv_ctx_t *c, const char *name)
{
    const json_t *t = resolved(c);
    size_t i;
    json_t *f;

    json_array_foreach(json_object_get(t, "fields"), i, f)
    {
        const char *n = json_string_value(json_object_get(f, "name"));
        if (n && !strcmp(n, name))
            return conv_type_resolve(c, json_object_get(f, "type"));
    }
    return NULL;
}

const json_t *conv_type_member(const conv_ctx_t *c)
{
    const json_t *t = resolved(c);
    const json_t *items = json_object_get(t, "items");

    return conv_type_resolve(c, items ? items : json_object_get(t, "values"));
}

const json_t *conv_type_branch(const conv_ctx_t *c, size_t branch)
{
    const json_t *t = resolved(c);

    return json_is_array(t) ? conv_type_resolve(c, json_array_get(t, branch)) : NULL;
}

int conv_type_logical(const conv_ctx_t *c, avro_schema_t base, schema_field_t *f)
{
    const json_t *t = json_is_object(c->type) ? c->type : NULL; /* a logical type is inline */

    return t && json_object_get(t, "logicalType") && schema_nested_logical(t, base, f);
}
