/*
 * fuzz_schema.h - the record schema of the conversion and decode targets:
 * every type of the mapping (schema.h field_type_t), each also nullable,
 * nested records, arrays and maps of them, a name PostgreSQL cuts to 63
 * bytes; and an older version of it
 * (fewer fields, an int where the current one has a long) for schema
 * resolution. Included by one target each: static data.
 */
#ifndef TIDEMARK_FUZZ_SCHEMA_H
#define TIDEMARK_FUZZ_SCHEMA_H

static const char FUZZ_SCHEMA[] =
    "{\"type\":\"record\",\"name\":\"Every\",\"namespace\":\"fuzz.tidemark\",\"fields\":["
    "{\"name\":\"id\",\"type\":\"string\"},"
    "{\"name\":\"i\",\"type\":\"int\"},"
    "{\"name\":\"l\",\"type\":\"long\"},"
    "{\"name\":\"f\",\"type\":\"float\"},"
    "{\"name\":\"d\",\"type\":\"double\"},"
    "{\"name\":\"b\",\"type\":\"boolean\"},"
    "{\"name\":\"raw\",\"type\":\"bytes\"},"
    "{\"name\":\"tms\",\"type\":{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"}},"
    "{\"name\":\"tus\",\"type\":{\"type\":\"long\",\"logicalType\":\"timestamp-micros\"}},"
    "{\"name\":\"day\",\"type\":{\"type\":\"int\",\"logicalType\":\"date\"}},"
    "{\"name\":\"dec\",\"type\":{\"type\":\"bytes\",\"logicalType\":\"decimal\","
    "\"precision\":38,\"scale\":4}},"
    "{\"name\":\"e\",\"type\":{\"type\":\"enum\",\"name\":\"Color\","
    "\"symbols\":[\"RED\",\"GREEN\",\"BLUE\"]}},"
    "{\"name\":\"rec\",\"type\":{\"type\":\"record\",\"name\":\"Inner\",\"fields\":["
    "{\"name\":\"s\",\"type\":\"string\"},"
    "{\"name\":\"n\",\"type\":[\"null\",\"long\"],\"default\":null},"
    "{\"name\":\"arr\",\"type\":{\"type\":\"array\",\"items\":\"double\"}}]}},"
    "{\"name\":\"arr\",\"type\":{\"type\":\"array\",\"items\":\"Inner\"}},"
    "{\"name\":\"m\",\"type\":{\"type\":\"map\",\"values\":\"string\"}},"
    "{\"name\":\"ns\",\"type\":[\"null\",\"string\"],\"default\":null},"
    "{\"name\":\"ni\",\"type\":[\"null\",\"int\"],\"default\":null},"
    "{\"name\":\"nl\",\"type\":[\"long\",\"null\"],\"default\":7},"
    "{\"name\":\"nf\",\"type\":[\"null\",\"float\"],\"default\":null},"
    "{\"name\":\"nd\",\"type\":[\"null\",\"double\"],\"default\":null},"
    "{\"name\":\"nb\",\"type\":[\"null\",\"boolean\"],\"default\":null},"
    "{\"name\":\"nraw\",\"type\":[\"null\",\"bytes\"],\"default\":null},"
    "{\"name\":\"ntms\",\"type\":[\"null\",{\"type\":\"long\","
    "\"logicalType\":\"timestamp-millis\"}],\"default\":null},"
    "{\"name\":\"ntus\",\"type\":[\"null\",{\"type\":\"long\","
    "\"logicalType\":\"timestamp-micros\"}],\"default\":null},"
    "{\"name\":\"nday\",\"type\":[\"null\",{\"type\":\"int\",\"logicalType\":\"date\"}],"
    "\"default\":null},"
    "{\"name\":\"ndec\",\"type\":[\"null\",{\"type\":\"bytes\",\"logicalType\":\"decimal\","
    "\"precision\":10,\"scale\":0}],\"default\":null},"
    "{\"name\":\"ne\",\"type\":[\"null\",\"Color\"],\"default\":null},"
    "{\"name\":\"nrec\",\"type\":[\"null\",\"Inner\"],\"default\":null},"
    "{\"name\":\"narr\",\"type\":[\"null\",{\"type\":\"array\",\"items\":\"string\"}],"
    "\"default\":null},"
    "{\"name\":\"nm\",\"type\":[\"null\",{\"type\":\"map\",\"values\":\"Inner\"}],"
    "\"default\":null},"
    "{\"name\":\"long_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\",\"type\":[\"null\",\"string\"],"
    "\"default\":null}]}";

/* The same record as it was: fewer fields, "i" still an int promoted to
 * the current long "l" (written as "l" int). */
static const char FUZZ_SCHEMA_V0[] =
    "{\"type\":\"record\",\"name\":\"Every\",\"namespace\":\"fuzz.tidemark\",\"fields\":["
    "{\"name\":\"id\",\"type\":\"string\"},"
    "{\"name\":\"i\",\"type\":\"int\"},"
    "{\"name\":\"l\",\"type\":\"int\"},"
    "{\"name\":\"f\",\"type\":\"float\"},"
    "{\"name\":\"d\",\"type\":\"float\"},"
    "{\"name\":\"b\",\"type\":\"boolean\"},"
    "{\"name\":\"raw\",\"type\":\"bytes\"},"
    "{\"name\":\"tms\",\"type\":{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"}},"
    "{\"name\":\"tus\",\"type\":{\"type\":\"long\",\"logicalType\":\"timestamp-micros\"}},"
    "{\"name\":\"day\",\"type\":{\"type\":\"int\",\"logicalType\":\"date\"}},"
    "{\"name\":\"dec\",\"type\":{\"type\":\"bytes\",\"logicalType\":\"decimal\","
    "\"precision\":38,\"scale\":4}},"
    "{\"name\":\"e\",\"type\":{\"type\":\"enum\",\"name\":\"Color\","
    "\"symbols\":[\"RED\",\"GREEN\",\"BLUE\"]}},"
    "{\"name\":\"rec\",\"type\":{\"type\":\"record\",\"name\":\"Inner\",\"fields\":["
    "{\"name\":\"s\",\"type\":\"string\"},"
    "{\"name\":\"arr\",\"type\":{\"type\":\"array\",\"items\":\"double\"}}]}},"
    "{\"name\":\"arr\",\"type\":{\"type\":\"array\",\"items\":\"Inner\"}},"
    "{\"name\":\"m\",\"type\":{\"type\":\"map\",\"values\":\"string\"}},"
    "{\"name\":\"gone\",\"type\":[\"null\",\"string\"],\"default\":null}]}";

#endif
