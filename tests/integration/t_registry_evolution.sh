#!/usr/bin/env bash
# t_registry_evolution: events in the Confluent wire format written with
# two versions of a stream's schema, registered under two ids: v1 without
# the phone field (a field fewer), v2 the stream's current schema. The
# worker fetches each id and resolves v1 against its reader schema (v2),
# as schema evolution requires: the v1 event applies with phone at its
# default (null), the v2 event with its phone; nothing is dead-lettered.
. "$(dirname "$0")/lib.sh"

V1="$T_WORK/customer-v1.avsc"
jq '.fields |= map(select(.name != "phone"))' "$REPO/schemas/customer.avsc" >"$V1"

start_devbroker
start_demoapi --records 10
start_registry
topic="$PREFIX.$STREAM"

SCHEMA=$V1 write_config
"$BUILD/tidemark-producer" -c "$CONF" schema --stream "$STREAM" >"$T_WORK/v1.json" || fail "schema v1"
write_config
"$BUILD/tidemark-producer" -c "$CONF" schema --stream "$STREAM" >"$T_WORK/v2.json" || fail "schema v2"
id1=$(registry_register "$topic-value" "$T_WORK/v1.json")
id2=$(registry_register "$topic-value" "$T_WORK/v2.json")
log "v1 registered as id $id1, v2 as id $id2"
[ "$id1" != "$id2" ] || fail "both versions got id $id1"

run_producer_once
run1=$(last_run_field run_id)
confluent_header "$T_WORK/v1.hdr" "$id1"
craft_event "$T_WORK/v1.bin" '{"id": "9001", "omit_fields": ["phone"], "after": {"name": "v1-writer"}}'
confluent_header "$T_WORK/v2.hdr" "$id2"
craft_event "$T_WORK/v2.bin" '{"id": "9002", "after": {"name": "v2-writer", "phone": "555-0100"}}'
produce_file "$topic" 0 9001 "$T_WORK/v1.bin"
produce_file "$topic" 0 9002 "$T_WORK/v2.bin"

write_config "schema_registry: url = $REGISTRY_URL"
start_worker
wait_run_completed "$run1" 30
wait_caught_up 30
assert_eq 0 "$(topic_count "$PREFIX.dlq")" "messages on $PREFIX.dlq"
assert_eq "v1-writer|true" "$(psql_value "select name || '|' || (phone is null) from $TABLE where id = 9001")" \
    "row of the event written with v1 (phone: the default, null)"
assert_eq "v2-writer|555-0100" "$(psql_value "select name || '|' || phone from $TABLE where id = 9002")" \
    "row of the event written with v2"
grep -q "msg=\"writer schema added\" stream=$STREAM schema_id=$id1" "$T_WORK/worker-w1.log" ||
    fail "the worker did not log the v1 writer schema added for id $id1"
stop_worker
log "ok"
