#!/usr/bin/env bash
# t_registry_stop: SIGTERM while a Schema Registry request is under way
# (the registry holds its answer for 60 s, the client's timeout is 30 s)
# stops each program promptly, well inside a process manager's deadline:
#   - the worker, looking an event's id up on its decode: exit 0, the
#     batch not committed (consumed again: the next start applies it);
#   - the follow-mode producer, registering its schema at start: exit 0,
#     no event written; its /healthz answers 200 meanwhile (the metrics
#     endpoint starts before the registration: a liveness probe must not
#     kill a producer that waits for its registry).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/metrics_lib.sh"

start_devbroker
start_demoapi --records 5
start_registry
write_config
topic="$PREFIX.$STREAM"
first_sync
wait_caught_up 30
stop_worker

id=$(register_stream_schema)
confluent_header "$T_WORK/event.hdr" "$id"
craft_event "$T_WORK/event.bin" '{"id": "8001", "after": {"name": "after-sigterm"}}'
write_config "schema_registry: url = $REGISTRY_URL" "schema_registry: timeout = 30s"

registry_requests() { curl -fsS --max-time 30 "$REGISTRY_URL/admin/stats" | jq -er .requests; }
registry_asked() { [ "$(registry_requests)" -gt "$1" ]; }

# ---- the worker
events_before=$(topic_count "$topic")
produce_file "$topic" 0 8001 "$T_WORK/event.bin"
registry_admin "/admin/slow?seconds=60&count=1000" >/dev/null
n=$(registry_requests)
start_worker
wait_for "the worker's lookup of id $id" 30 registry_asked "$n"
t0=$(now_ms)
stop_worker
took=$(($(now_ms) - t0))
log "worker stopped in $took ms"
[ "$took" -lt 5000 ] || fail "the worker took $took ms to stop during a registry request"
assert_eq 0 "$(psql_value "select count(*) from $TABLE where id = 8001")" "row of the event not looked up"
grep -q 'stopping with a batch not applied' "$T_WORK/worker-w1.log" ||
    fail "the worker did not say the batch stays unapplied: $(tail -n 3 "$T_WORK/worker-w1.log")"

# ---- the producer
addr="127.0.0.1:$(free_port)"
write_config "schema_registry: url = $REGISTRY_URL" "schema_registry: timeout = 30s" \
    "producer: metrics.listen = $addr"
n=$(registry_requests)
follow_start
wait_for "the producer's registration" 30 registry_asked "$n"
wait_for "/healthz 200 while the registry is asked" 10 http_code_is 200 "http://$addr/healthz"
t0=$(now_ms)
follow_stop 5
log "producer stopped in $(($(now_ms) - t0)) ms"
assert_eq $((events_before + 1)) "$(topic_count "$topic")" "events on $topic (the crafted one only)"

# the registry answers again: the event is applied
registry_admin "/admin/clear" >/dev/null
start_worker
event_applied() { [ "$(psql_value "select name from $TABLE where id = 8001")" = after-sigterm ]; }
wait_for "the event after the stop applied" 60 event_applied
stop_worker
log "ok"
