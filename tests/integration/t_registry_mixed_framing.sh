#!/usr/bin/env bash
# t_registry_mixed_framing: one stream topic holds events in both framings:
# a first run in single-object encoding (C3 01 + fingerprint), then a later
# run's events in the Confluent wire format (00 + the Schema Registry id of
# the stream's change-event schema), as a producer with a registry writes
# them. The worker, with [schema_registry] configured, applies both: it
# looks the id up once (GET /schemas/ids/{id}), the table equals the API,
# nothing is dead-lettered and its offsets reach the end of the topic.
. "$(dirname "$0")/lib.sh"

start_devbroker
start_demoapi --records 30
start_registry
topic="$PREFIX.$STREAM"

# Run 1, single-object encoding: the producer without a registry.
write_config
run_producer_once
run1=$(last_run_field run_id)
assert_eq 30 "$(last_run_field published)" "events of run 1"

# Run 2, after changes in the API, written under another prefix (a full
# sync there), then put on the stream topic framed 00 + id.
api_post "/admin/update?ids=3,7,11,19" >/dev/null || fail "admin update"
api_post "/admin/create?count=3" >/dev/null || fail "admin create"
write_config "kafka: topic.prefix = stg"
run_producer_once
id=$(register_stream_schema)
log "change-event schema registered as id $id"
n=$(reframe_confluent "stg.$STREAM" "$id" "$T_WORK/confluent")
assert_eq 33 "$n" "events of run 2"
for ((i = 0; i < n; i++)); do
    produce_file "$topic" "$(cat "$T_WORK/confluent/$i.part")" "$(cat "$T_WORK/confluent/$i.key")" \
        "$T_WORK/confluent/$i.val"
done
assert_eq 63 "$(topic_count "$topic")" "events on $topic (30 single-object, 33 framed 00)"

# The worker, with the registry.
write_config "schema_registry: url = $REGISTRY_URL"
start_worker
wait_run_completed "$run1" 60
wait_caught_up 30
assert_eq 0 "$(topic_count "$PREFIX.dlq")" "messages on $PREFIX.dlq"
assert_table_equals_api
assert_eq 1 "$(grep -c "\"/schemas/ids/$id\"" "$REGISTRY_LOG")" "lookups of id $id in the registry"
stop_worker
log "ok"
