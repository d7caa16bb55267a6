#!/usr/bin/env bash
# t_registry_worker_refused: the Schema Registry refuses the worker (401,
# as with wrong basic.auth.user.info) when it looks up the id of an event
# in the Confluent wire format. Retrying cannot fix credentials that only
# a new configuration brings, so the worker stops: exit 1, its error gives
# the registry's answer. So does a wrong url, whose plain 404 (no
# error_code 40403) must not read as "no such id" and send the event to
# the DLQ. The event is neither dead-lettered nor skipped: the next
# worker, let in, applies it.
. "$(dirname "$0")/lib.sh"

start_devbroker
start_demoapi --records 10
start_registry
write_config
topic="$PREFIX.$STREAM"
run_producer_once
run1=$(last_run_field run_id)

id=$(register_stream_schema)
confluent_header "$T_WORK/known.hdr" "$id"
craft_event "$T_WORK/refused.bin" '{"id": "8004", "after": {"name": "after-401"}}'
produce_file "$topic" 0 8004 "$T_WORK/refused.bin"

write_config "schema_registry: url = $REGISTRY_URL"
registry_admin "/admin/fail?status=401&count=100" >/dev/null || fail "registry admin"
# run_refused LABEL ANSWER - a worker that must stop (exit 1) with the
# registry's ANSWER for the id, leaving the event alone
run_refused()
{
    local log="$T_WORK/worker-$1.log" rc=0
    timeout --foreground -k 5 30 "$BUILD/tidemark-worker" -c "$CONF" run >/dev/null 2>"$log" || rc=$?
    grep 'level=error' "$log" | grep -v rdkafka | tail -n 2
    assert_eq 1 "$rc" "exit status of the worker ($1)"
    grep 'level=error' "$log" | grep "schema id $id" | matches "refused it: $2" ||
        fail "the worker's error does not give the id and the registry's answer ($2)"
    assert_eq 0 "$(topic_count "$PREFIX.dlq")" "dead letters after the refusal ($1)"
    assert_eq 0 "$(psql_value "select count(*) from $TABLE where id = 8004")" "row of the refused event"
}
run_refused 401 'HTTP 401'
registry_admin "/admin/clear" >/dev/null || fail "registry admin"
write_config "schema_registry: url = $REGISTRY_URL/wrong/path"
run_refused wrong-url 'HTTP 404, error_code 404'
write_config "schema_registry: url = $REGISTRY_URL"

start_worker
wait_run_completed "$run1" 30
wait_caught_up 30
assert_eq after-401 "$(psql_value "select name from $TABLE where id = 8004")" \
    "row of the event the refused worker left"
assert_eq 0 "$(topic_count "$PREFIX.dlq")" "dead letters at the end"
stop_worker
log "ok"
