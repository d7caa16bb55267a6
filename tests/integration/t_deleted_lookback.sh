#!/usr/bin/env bash
# t_deleted_lookback: `lookback` applies to the deleted endpoint too. A
# deletion that the source commits late, with a deleted_at 30 s before
# the deleted HWM the last run reached, is still read by the next run
# with lookback = 1m (the deleted endpoint is asked from HWM - 1m), and
# its row is deleted.
. "$(dirname "$0")/lib.sh"

start_devbroker
start_demoapi --records 100
write_config "stream: lookback = 1m"
topic="$PREFIX.$STREAM"

first_sync
assert_table_equals_api

# Two deletions move the deleted HWM to D.
at=$(api_post "/admin/delete?ids=7,8" | jq -r .at) || fail "admin delete"
run_producer_once
run2=$(last_run_field run_id)
assert_eq "$(date -u -d "$at" +%s%3N)" "$(date -u -d "$(last_run_record | jq -r .deleted_hwm.value)" +%s%3N)" \
    "deleted HWM after the deletions"
wait_run_completed "$run2" 60

# A late commit: deleted at D - 30 s, visible only now.
late=$(date -u -d "$at - 30 seconds" +%Y-%m-%dT%H:%M:%SZ)
api_post "/admin/delete?ids=9&at=$late" >/dev/null || fail "admin delete (late)"
run_producer_once
run3=$(last_run_field run_id)
deleted9=$(kc -C -t "$topic" -e -f '%S %k %h\n' |
    awk -v r="tidemark.run=$run3" '$1 != -1 && $2 == "9" && $3 ~ /tidemark.op=delete/ && index($3, r)' | wc -l)
assert_eq 1 "$deleted9" "delete events of id 9 (deleted late) in the run after"
wait_run_completed "$run3" 60
wait_caught_up 30
assert_eq "7 8 9" "$(table_deleted_ids | tr '\n' ' ' | sed 's/ $//')" "ids of the deleted rows"
assert_table_equals_api
stop_worker
log "ok"
