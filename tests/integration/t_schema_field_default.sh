#!/usr/bin/env bash
# t_schema_field_default: the stream's schema has fields the API does not
# serve, each with a default: a non-nullable string (region, "unknown"),
# a non-nullable int (points, 0) and a ["string", "null"] whose default
# is its first branch's ("anon"). The producer writes each record with
# those defaults, as the Avro specification reads a default; every
# event is applied, none dead-lettered (they all were: "missing (the
# field is not nullable)"), and the other columns equal the API.
# Filled so silently, a field the API renamed would lose its values
# unnoticed: the producer says, once a field, that a page came without
# it (the log names region, points and nick, and no field the API serves).
# A field whose default does not fit its type (level: an int with
# default "high") dead-letters the records, saying why.
# brokers: mock kafka
. "$(dirname "$0")/lib.sh"

WITH_DEFAULTS="$T_WORK/customer-defaults.avsc"
jq '.fields += [{"name": "region", "type": "string", "default": "unknown"},
                {"name": "points", "type": "int", "default": 0},
                {"name": "nick", "type": ["string", "null"], "default": "anon"}]' \
    "$REPO/schemas/customer.avsc" >"$WITH_DEFAULTS"

start_broker
start_demoapi --records 25
SCHEMA=$WITH_DEFAULTS write_config
first_sync
wait_caught_up 30
stop_worker
assert_eq 25 "$(last_run_field published)" "events published"
assert_eq 0 "$(topic_count "$PREFIX.dlq")" "messages on $PREFIX.dlq"
assert_eq "25 unknown 0 anon" \
    "$(psql_value "select count(*), min(region), max(points), min(nick) from $TABLE
                   where region = 'unknown' and points = 0 and nick = 'anon'" | tr '\t' ' ')" \
    "rows with every left-out field at its default"
assert_table_equals_api
grep 'msg="a field of the schema is absent from every record of a page' "$T_WORK/producer.1.log" |
    sed -E 's/.* field=([a-z_]+) .*/\1/' | sort >"$T_WORK/absent.fields"
assert_eq "nick points region" "$(tr '\n' ' ' <"$T_WORK/absent.fields" | sed 's/ $//')" \
    "fields the producer said the API left out (each once)"

# A default that does not fit: every record of the next run is dead-lettered, with why.
UNFIT="$T_WORK/customer-unfit.avsc"
jq '.fields += [{"name": "level", "type": "int", "default": "high"}]' \
    "$REPO/schemas/customer.avsc" >"$UNFIT"
SCHEMA=$UNFIT write_config
api_post "/admin/update?ids=4" >/dev/null || fail "admin update"
run_producer_once
assert_eq 1 "$(last_run_field failed)" "records dead-lettered for the unfit default"
kc -C -t "$PREFIX.dlq" -e -f '%h\n' >"$T_WORK/dlq.headers"
matches -F "field 'level': missing (the field is not nullable, and its default cannot be written: the default is not an integer (the type is int))" \
    <"$T_WORK/dlq.headers" || fail "the dead letter does not say why: $(cat "$T_WORK/dlq.headers")"
log "ok"
