#!/usr/bin/env bash
# t_reset_after_killed_run: a producer killed (SIGKILL) in the middle of a
# run leaves its `running` record; the operator then replays with
# `tidemark-producer reset --full` before the next run. The next run
# marks a `running` checkpoint failed (t_producer_killed_run), but after
# the reset the checkpoint is the reset's: the killed run stayed `running`
# in sync_metadata for good. The reset now marks it failed itself.
. "$(dirname "$0")/lib.sh"

start_devbroker
start_demoapi --records 300 --max-page-size 100
write_config "stream: page.size = 100" "stream: -deleted.url"
first_sync

# the second run's first page is held: the producer waits there
api_post "/admin/fault?delay_ms=600000&count=1&after=0" >/dev/null || fail "admin fault"
api_post "/admin/update?ids=5,150,250" >/dev/null || fail "admin update"
topic_last() { run_records | tail -n1 | jq -r ".$1"; }
running_written() { [ "$(topic_last status)" = running ]; }
"$BUILD/tidemark-producer" -c "$CONF" run --once >"$T_WORK/killed.out" 2>"$T_WORK/killed.log" &
ppid=$!
_track_pid "$ppid"
wait_for "the second run's running record" 30 running_written
killed_run=$(topic_last run_id)
is_running() { [ "$(run_status "$killed_run")" = running ]; }
wait_for "run $killed_run running in sync_metadata" 30 is_running
kill -KILL "$ppid"
wait "$ppid" 2>/dev/null
api_post "/admin/fault?count=0" >/dev/null || fail "admin fault clear"

"$BUILD/tidemark-producer" -c "$CONF" reset --stream "$STREAM" --full >"$T_WORK/reset.out" 2>&1 ||
    fail "producer reset: $(cat "$T_WORK/reset.out")"
grep -q "msg=\"the last run did not end: marked failed\" .*run_id=$killed_run by=reset" "$T_WORK/reset.out" ||
    fail "the reset did not mark $killed_run failed: $(cat "$T_WORK/reset.out")"
run_producer_once
wait_run_completed "$(last_run_field run_id)" 60
assert_table_equals_api
failed() { [ "$(run_status "$killed_run")" = failed ]; }
wait_for "killed run $killed_run failed in sync_metadata" 30 failed
stop_worker
log "ok"
