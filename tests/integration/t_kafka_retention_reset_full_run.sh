#!/usr/bin/env bash
# t_kafka_retention_reset_full_run: retention passed a stopped group's
# stored offset (offset.out_of_range = fail): the worker refuses the
# partition and names `reset-offsets` as the way out. After
# `reset-offsets --to-earliest` the partition flowed again and a later
# run completed, but run 2's changes, whose events retention took, were
# never applied, and nothing said so. Now the worker's warning and the
# reset's plan both say that those records stay missing until a full run;
# and after that full run the table equals the API.
# brokers: kafka
. "$(dirname "$0")/lib.sh"
need_pyvenv

topic="$PREFIX.$STREAM"
start_broker --topic "$topic:1"
start_demoapi --records 30
write_config
first_sync
stored=$(partition_end "$topic" 0)
stop_worker
api_post "/admin/update?ids=$(seq -s, 1 20)" >/dev/null || fail "admin update"
run_producer_once
end2=$(partition_end "$topic" 0)
kafka_delete_records "$topic" "0:$end2"
log "retention took run 2's events (stored offset $stored, log start now $end2)"

start_worker
refused() { grep -q 'level=error msg="stored offset outside the partition' "$T_WORK/worker-w1.log"; }
wait_for "the worker to refuse the partition" 30 refused
grep 'msg="events removed from the partition before this group applied them' "$T_WORK/worker-w1.log" |
    grep -qF "from=$stored to=$end2" || fail "the worker does not say which events were lost"
"$BUILD/tidemark-worker" -c "$CONF" reset-offsets --stream "$STREAM" --to-earliest --execute \
    >"$T_WORK/reset.out" 2>&1 || fail "reset-offsets: $(cat "$T_WORK/reset.out")"
grep -qF "partition 0: offsets $stored-$((end2 - 1)) were removed" "$T_WORK/reset.out" ||
    fail "the reset's plan does not say which events were lost: $(cat "$T_WORK/reset.out")"
grep -qF 'run --once --full' "$T_WORK/reset.out" || fail "the reset's plan names no way out"

run_producer_once --full
wait_run_completed "$(last_run_field run_id)" 60
assert_table_equals_api
stop_worker
log "ok"
