#!/usr/bin/env bash
# t_registry_unknown_ids: a run of events framed with distinct ids the
# registry does not know (ids are the events' own bytes: hostile or
# corrupt ones are as many as a topic holds). The worker asks again for
# [schema_registry] timeout before it dead-letters an unknown id (a
# replica may lag a registration), but one window serves them all: with
# a window per id, decoding stops at the first id to retry, and six ids
# held the partition for about a minute here (six windows, one after the
# other, each ended by a batch retry up to 10 s apart). All six are
# dead-lettered with the reason, and the event after them is applied,
# within one window and its retries. Only the first is refused for good:
# the others had no grace of their own.
. "$(dirname "$0")/lib.sh"

start_devbroker --topic "$PREFIX.$STREAM:1"
start_demoapi --records 5
start_registry
write_config "schema_registry: url = $REGISTRY_URL" "schema_registry: timeout = 3s"
topic="$PREFIX.$STREAM"
first_sync
wait_caught_up 30

id=$(register_stream_schema)
for n in 1 2 3 4 5 6; do
    confluent_header "$T_WORK/u$n.hdr" $((4000 + n))
    craft_event "$T_WORK/u$n.bin" "{\"id\": \"700$n\", \"after\": {\"name\": \"unknown-$n\"}}"
    produce_file "$topic" 0 "700$n" "$T_WORK/u$n.bin"
done
confluent_header "$T_WORK/known.hdr" "$id"
craft_event "$T_WORK/known.bin" '{"id": "7100", "after": {"name": "after-them"}}'
produce_file "$topic" 0 7100 "$T_WORK/known.bin"

applied() { [ "$(psql_value "select name from $TABLE where id = 7100")" = after-them ]; }
wait_for "the event after the unknown ids applied" 30 applied
assert_eq 6 "$(topic_count "$PREFIX.dlq")" "dead letters"
# The first id had the window: unknown for good. The others came after
# it, each before a grace of its own: dead-lettered as unknown now (and
# asked again should another event name them).
dlq_lines | matches "Schema Registry id 4001 (Confluent wire format), which cannot be read" ||
    fail "no dead letter naming id 4001 as unknown for good"
for n in 2 3 4 5 6; do
    dlq_lines | matches "Schema Registry id $((4000 + n)) (Confluent wire format), which the Schema Registry does not know" ||
        fail "no dead letter naming id $((4000 + n))"
done
stop_worker
log "ok"
