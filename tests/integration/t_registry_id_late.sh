#!/usr/bin/env bash
# t_registry_id_late: an event whose registry id the registry does not
# know yet. A registry of several nodes may answer from a replica that has
# not read an id registered a moment ago on another node; the worker used
# to dead-letter such an event at the first 404. Now it retries the batch
# for [schema_registry] timeout before it counts the id as unknown: the
# id registered within that time, the event is applied and nothing is
# dead-lettered. (An id still unknown after it is dead-lettered:
# t_registry_worker_faults.)
. "$(dirname "$0")/lib.sh"

start_devbroker
start_demoapi --records 10
start_registry --first-id 500
write_config "schema_registry: url = $REGISTRY_URL" "schema_registry: timeout = 30s"
topic="$PREFIX.$STREAM"
first_sync
wait_caught_up 30

# The same schema with a doc: another schema text, so the registry's next
# id (501), but the same Avro.
"$BUILD/tidemark-producer" -c "$CONF" schema --stream "$STREAM" >"$T_WORK/schema.json" ||
    fail "producer schema"
jq '.doc = "registered late"' "$T_WORK/schema.json" >"$T_WORK/schema-doc.json"
confluent_header "$T_WORK/late.hdr" 501
craft_event "$T_WORK/late.bin" '{"id": "9001", "after": {"name": "registered-late"}}'
produce_file "$topic" 0 9001 "$T_WORK/late.bin"

asked_again() { grep -q 'msg="batch rolled back; retrying".*asked again for 30000 ms' "$T_WORK/worker-w1.log"; }
wait_for "the batch retried for the id the registry does not know yet" 30 asked_again
assert_eq 501 "$(registry_register "$topic-value" "$T_WORK/schema-doc.json")" "id of the late registration"
applied() { [ "$(psql_value "select name from $TABLE where id = 9001")" = registered-late ]; }
wait_for "the event applied" 30 applied
assert_eq 0 "$(topic_count "$PREFIX.dlq")" "dead letters"
stop_worker
log "ok"
