#!/usr/bin/env bash
# t_kafka_retention_new_partition: a partition added to the stream topic
# while the worker is stopped gets events, and retention (here
# DeleteRecords, as retention.ms would) removes them before the worker is
# back. The group has no stored offset there, but it has read the topic:
# every message of the new partition was unread, so retention passing
# them is a stored offset outside the partition, as it is for one with a
# row (t_offset_out_of_range): the worker says so, naming the partition,
# and does not apply it until reset-offsets moves it (offset.out_of_range
# = fail); status shows it out-of-range and exits 1. It used to start the partition at the new log start and skip
# those events without a word.
# brokers: kafka
. "$(dirname "$0")/lib.sh"
need_pyvenv

topic="$PREFIX.$STREAM"
start_broker --topic "$topic:1"
start_demoapi --records 30
write_config
first_sync
assert_table_equals_api
stop_worker

kafka_admin partitions "$topic" 2
api_post "/admin/update?ids=$(seq -s, 1 30)" >/dev/null || fail "admin update"
run_producer_once
run=$(last_run_field run_id)
ends=$(topic_ends "$topic")
log "ends after the run: $(echo $ends)"
p1_end=$(awk '$1 == 1 { print $2 }' <<<"$ends")
[ "${p1_end:-0}" -gt 0 ] || fail "no event went to the new partition 1"

# retention passes over partition 1's events while the worker is stopped
kafka_delete_records "$topic" "1:$p1_end"
log "partition 1's $p1_end events deleted by retention"

start_worker
refused() { grep -q 'level=error msg="no stored offset, and retention took.*partition=1 ' "$T_WORK/worker-w1.log"; }
wait_for "the worker to refuse partition 1, naming it" 30 refused
assert_eq "" "$(psql_value "select next_offset from sync_offsets where topic = '$topic' and partition = 1")" \
    "partition 1's stored offset (none: nothing skipped)"
[ "$(run_status "$run")" != completed ] || fail "run $run completed without its events on partition 1"
"$BUILD/tidemark-worker" -c "$CONF" status >"$T_WORK/status.txt" 2>"$T_WORK/status.err"
assert_eq 1 "$?" "status's exit with partition 1 refused"
grep -E "^$STREAM +$topic +1 .*out-of-range$" "$T_WORK/status.txt" >/dev/null ||
    fail "status does not show partition 1 out of range: $(cat "$T_WORK/status.txt")"

"$BUILD/tidemark-worker" -c "$CONF" reset-offsets --stream "$STREAM" --partition 1 --to-earliest \
    --execute >"$T_WORK/reset.out" 2>&1 || fail "reset-offsets: $(cat "$T_WORK/reset.out")"
# the worker resumes partition 1 from there: a later run's events on it apply
api_post "/admin/update?ids=$(seq -s, 1 30)" >/dev/null || fail "admin update"
run_producer_once
wait_run_completed "$(last_run_field run_id)" 60
assert_table_equals_api
stop_worker
log "ok"
