/*
 * convert_nested.c - the JSON type of a value nested inside a record, an
 * array, a map or a union, followed down the record schema's JSON along
 * with the Avro value, so that logical types keep their meaning there too
 * (avro-c 1.11 does not know them).
 *
 * A named type referred to by name is found by its short name in the
 * schema's JSON (a walk of it, once per access: callers take an array's or
 * map's member type once, not per item). Anything not found is NULL: the value is then converted by
 * its Avro type alone. Stateless; safe from any thread.
 */
#include <string.h>

#include "convert_priv.h"

#define NAMED_MAX_DEPTH 64

static const char *short_name(const char *name)
{
    const char *dot = strrchr(name, '.');

    return dot ? dot + 1 : name;
}

/* The definition (an object with "name") of the named type name in node. */
static const json_t *find_named(const json_t *node, const char *name, int depth)
{
    if (depth > NAMED_MAX_DEPTH)
        return NULL;
    if (json_is_object(node)) {
        const char *n = json_string_value(json_object_get(node, "name"));
        const char *t = json_string_value(json_object_get(node, "type"));
        if (n && t && (!strcmp(t, "record") || !strcmp(t, "fixed") || !strcmp(t, "enum")) &&
            !strcmp(short_name(n), name))
            return node;
        const char *key;
        json_t *v;
        json_object_foreach((json_t *)node, key, v)
        {
            const json_t *hit = find_named(v, name, depth + 1);
            if (hit)
                return hit;
        }
    } else if (json_is_array(node)) {
        size_t i;
        json_t *v;
        json_array_foreach(node, i, v)
        {
            const json_t *hit = find_named(v, name, depth + 1);
            if (hit)
                return hit;
        }
    }
    return NULL;
}

const json_t *conv_type_resolve(const conv_ctx_t *c, const json_t *type)
{
    if (!json_is_string(type) || !c->doc)
        return type;
    return find_named(c->doc, short_name(json_string_value(type)), 0);
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
