#!/usr/bin/env bash
# t_registry_worker_faults: events in the Confluent wire format (00 + a
# Schema Registry id) that the worker cannot simply look up:
#   - with no [schema_registry] configured: dead-lettered, the reason says so;
#   - a 00 message shorter than the 5-byte header: dead-lettered, truncated;
#   - an id the registry does not know (404): dead-lettered, naming the id;
#   - an id no registry can have (0xFFFFFFFF: the real registry's Jersey
#     answers a plain 404 for an id that is not a Java int, which reads as
#     a wrong URL and would stop the worker on every start): dead-lettered
#     without asking;
#   - the registry answering 503 for a while (longer than the client's own
#     retries): not dead-lettered, the batch is retried and applied once
#     the registry answers.
# t_registry_worker_refused has the registry refusing the worker.
# long
. "$(dirname "$0")/lib.sh"

start_devbroker
start_demoapi --records 10
start_registry
write_config
topic="$PREFIX.$STREAM"
first_sync
wait_caught_up 30

id=$(register_stream_schema)
confluent_header "$T_WORK/known.hdr" "$id"
craft_event "$T_WORK/noreg.bin" '{"id": "8001", "after": {"name": "no-registry"}}'
craft_event "$T_WORK/known.bin" '{"id": "8003", "after": {"name": "after-outage"}}'
confluent_header "$T_WORK/unknown.hdr" 4242
craft_event "$T_WORK/unknown.bin" '{"id": "8002", "after": {"name": "unknown-id"}}'
confluent_header "$T_WORK/noid.hdr" 4294967295
craft_event "$T_WORK/noid.bin" '{"id": "8004", "after": {"name": "no-such-id"}}'

# No registry configured.
base=$(partition_end "$topic" 0)
produce_file "$topic" 0 8001 "$T_WORK/noreg.bin"
printf '\000\000\001' >"$T_WORK/short.bin"
produce_file "$topic" 0 8005 "$T_WORK/short.bin"
dlq_one() { [ "$(topic_count "$PREFIX.dlq")" -ge "$1" ]; }
wait_for "the events framed 00 dead-lettered" 30 dlq_one 2
dlq_lines >"$T_WORK/dlq1.txt"
grep -F "$topic/0/$base" "$T_WORK/dlq1.txt" |
    matches "Schema Registry id $id (Confluent wire format), which cannot be read: no \[schema_registry\] is configured" ||
    fail "the dead letter does not say that no registry is configured: $(cut -c1-400 "$T_WORK/dlq1.txt")"
grep -F "$topic/0/$((base + 1))" "$T_WORK/dlq1.txt" |
    matches "truncated header: a Confluent wire format header cut short (3 of 5 bytes)" ||
    fail "the dead letter of a 3-byte 00 message does not say it is truncated: $(cut -c1-400 "$T_WORK/dlq1.txt")"
stop_worker

# With the registry, which answers 503 to its next 13 requests (the client
# makes 6 per lookup; a batch decoded ahead and failing is decoded again
# before the batch counts as failed): the first attempt at the batch
# fails, its retry gets through. An unknown id in the same batch goes to
# the DLQ.
# (timeout 3s: an unknown id is asked again for that long before its
# events are dead-lettered)
write_config "schema_registry: url = $REGISTRY_URL" "schema_registry: timeout = 3s"
registry_admin "/admin/fail?status=503&count=13" >/dev/null || fail "registry admin"
base=$(partition_end "$topic" 0)
produce_file "$topic" 0 8002 "$T_WORK/unknown.bin"
produce_file "$topic" 0 8003 "$T_WORK/known.bin"
produce_file "$topic" 0 8004 "$T_WORK/noid.bin"
start_worker
wait_for "the batch rolled back for the registry" 30 \
    grep -q 'msg="batch rolled back; retrying".*unavailable' "$T_WORK/worker-w1.log"
wait_caught_up 40
assert_eq after-outage "$(psql_value "select name from $TABLE where id = 8003")" "row of the event after the outage"
assert_eq 0 "$(psql_value "select count(*) from $TABLE where id = 8002")" "row of the event with an unknown id"
dlq_lines >"$T_WORK/dlq2.txt"
assert_eq 0 "$(psql_value "select count(*) from $TABLE where id = 8004")" "row of the event with id 0xFFFFFFFF"
assert_eq 4 "$(wc -l <"$T_WORK/dlq2.txt")" "dead letters"
assert_eq 1 "$(dlq_count_for "$topic/0/$base")" "dead letters of the event with an unknown id"
assert_eq 0 "$(dlq_count_for "$topic/0/$((base + 1))")" "dead letters of the event after the outage"
grep -F "$topic/0/$base" "$T_WORK/dlq2.txt" |
    matches "Schema Registry id 4242 (Confluent wire format), which cannot be read: the Schema Registry does not know it" ||
    fail "the dead letter does not name the unknown id: $(cut -c1-400 "$T_WORK/dlq2.txt")"
grep -F "$topic/0/$((base + 2))" "$T_WORK/dlq2.txt" |
    matches "Schema Registry id 4294967295 (Confluent wire format), which cannot be read: .*not a Schema Registry id" ||
    fail "the dead letter of id 0xFFFFFFFF does not say it is no registry id: $(cut -c1-600 "$T_WORK/dlq2.txt")"
grep -q '"/schemas/ids/4294967295"' "$REGISTRY_LOG" && fail "the registry was asked for id 4294967295"
stop_worker

log "ok"
