#!/usr/bin/env bash
# t_poison_run_id: a 16 KB run_id does not fit sync_metadata's index
# (54000). On main the worker exited 1 on it, on every restart. Now a run
# record with such a run_id goes to the DLQ (no run id is that long:
# runrecord.c refuses it), and so do the change events
# that carry one (their rows, applied before the run's row failed, are
# rolled back); the other events of the batch are applied and later runs
# complete.
. "$(dirname "$0")/lib.sh"

start_devbroker
start_demoapi --records 20
write_config
topic="$PREFIX.$STREAM"
runs="$PREFIX.sync-runs"

first_sync
wait_caught_up 30
stop_worker # so that the crafted messages arrive in one batch

event_header "$T_WORK/header.bin"
# random, so that PostgreSQL cannot compress it into the index
long_id=$(head -c 12288 /dev/urandom | base64 -w0)
long="\"$long_id\""
craft_event "$T_WORK/a.bin" "{\"id\": \"7100\", \"run_id\": $long, \"after\": {\"name\": \"long-run-a\"}}"
craft_event "$T_WORK/b.bin" '{"id": "7101", "run_id": "short-run", "after": {"name": "short-run"}}'
craft_event "$T_WORK/c.bin" "{\"id\": \"7102\", \"run_id\": $long, \"after\": {\"name\": \"long-run-c\"}}"
last_run_record | jq -c --arg r "$long_id" '.run_id = $r' >"$T_WORK/run.json"
base=$(partition_end "$topic" 0)
rbase=$(partition_end "$runs" 0)
for x in a b c; do
    produce_file "$topic" 0 "$x" "$T_WORK/$x.bin"
done
produce_file "$runs" 0 "$STREAM" "$T_WORK/run.json"

start_worker
dlq_three() { [ "$(topic_count "$PREFIX.dlq")" -ge 3 ]; }
wait_for "three dead letters" 30 dlq_three
wait_caught_up 30

assert_eq short-run "$(psql_value "select name from $TABLE where id = 7101")" "row of the event with a short run_id"
assert_eq 0 "$(psql_value "select count(*) from $TABLE where id in (7100, 7102)")" \
    "rows of the events with a 16 KB run_id"
assert_eq 0 "$(psql_value "select count(*) from sync_metadata where length(run_id) > 1000")" \
    "sync_metadata rows with a 16 KB run_id"
assert_eq 1 "$(psql_value "select records_synced from sync_metadata where run_id = 'short-run'")" \
    "records_synced of the short run"

dlq_lines >"$T_WORK/dlq.txt"
cut -c1-300 "$T_WORK/dlq.txt"
assert_eq 3 "$(wc -l <"$T_WORK/dlq.txt")" "dead letters"
for src in "$topic/0/$base" "$topic/0/$((base + 2))" "$runs/0/$rbase"; do
    assert_eq 1 "$(dlq_count_for "$src")" "dead letters of $src"
done
for src in "$topic/0/$base" "$topic/0/$((base + 2))"; do
    grep -F "$src" "$T_WORK/dlq.txt" | matches 'sync_metadata: 54000' ||
        fail "the dead letter of $src does not give the reason (sync_metadata: 54000)"
done
# the run record itself is refused before it reaches PostgreSQL
grep -F "$runs/0/$rbase" "$T_WORK/dlq.txt" | matches "'run_id': not a run id" ||
    fail "the dead letter of the run record does not give the reason"

# The partition keeps flowing: a later run completes.
api_post "/admin/update?ids=3,4" >/dev/null || fail "admin update"
run_producer_once
wait_run_completed "$(last_run_field run_id)" 30
psql_value "delete from $TABLE where id = 7101" >/dev/null # crafted: not the API's
assert_table_equals_api
stop_worker
log "ok"
