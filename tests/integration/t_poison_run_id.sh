#!/usr/bin/env bash
# t_poison_run_id: a 16 KB run_id does not fit sync_metadata's index
# (54000). On main the worker exited 1 on it, on every restart. A run
# record with such a run_id goes to the DLQ (no run id is that long:
# runrecord.c refuses it). The change events that carry one, or any
# run_id not in the producer's form for their stream ("short-run"), are
# applied and count for no run: a run id in an event is anyone's to
# write (t_run_other_topic). Until 2026-12-06 they were counted for the
# run they named, and those with a 16 KB one were dead-lettered when
# sync_metadata refused the run's row. Later runs complete.
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
rbase=$(partition_end "$runs" 0)
for x in a b c; do
    produce_file "$topic" 0 "$x" "$T_WORK/$x.bin"
done
produce_file "$runs" 0 "$STREAM" "$T_WORK/run.json"

start_worker
dlq_one() { [ "$(topic_count "$PREFIX.dlq")" -ge 1 ]; }
wait_for "the run record's dead letter" 30 dlq_one
wait_caught_up 30

assert_eq "long-run-a,short-run,long-run-c" \
    "$(psql_value "select string_agg(name, ',' order by id) from $TABLE where id in (7100, 7101, 7102)")" \
    "rows of the events with a 16 KB run_id and with 'short-run'"
assert_eq 0 "$(psql_value "select count(*) from sync_metadata where length(run_id) > 1000 or run_id = 'short-run'")" \
    "sync_metadata rows of the run ids not of the stream's form"

dlq_lines >"$T_WORK/dlq.txt"
cut -c1-300 "$T_WORK/dlq.txt"
assert_eq 1 "$(wc -l <"$T_WORK/dlq.txt")" "dead letters"
# the run record itself is refused before it reaches PostgreSQL
grep -F "$runs/0/$rbase" "$T_WORK/dlq.txt" | matches "'run_id': not a run id" ||
    fail "the dead letter of the run record does not give the reason"

# The partition keeps flowing: a later run completes.
api_post "/admin/update?ids=3,4" >/dev/null || fail "admin update"
run_producer_once
wait_run_completed "$(last_run_field run_id)" 30
psql_value "delete from $TABLE where id in (7100, 7101, 7102)" >/dev/null # crafted: not the API's
assert_table_equals_api
stop_worker
log "ok"
