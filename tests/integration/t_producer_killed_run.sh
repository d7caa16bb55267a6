#!/usr/bin/env bash
# t_producer_killed_run: a producer killed (SIGKILL) mid-walk, after a
# progress checkpoint: the next run resumes and completes, and the table
# equals the API. The killed run's last record said `running`, and it
# stayed so in sync_metadata for good. The next run now writes it again as
# failed (abandoned) before its own start.
# brokers: mock
# long
. "$(dirname "$0")/lib.sh"

N=25000
start_devbroker
start_demoapi --records "$N" --max-page-size 1000
write_config "stream: page.size = 1000" "stream: -deleted.url"

# page 23 is held: the producer waits there, past its checkpoint at 20,000
api_post "/admin/fault?delay_ms=600000&count=1&after=22" >/dev/null || fail "admin fault"
progress_written() { run_records | jq -s -e 'any(.status == "running" and .records > 0)' >/dev/null; }

"$BUILD/tidemark-producer" -c "$CONF" run --once >"$T_WORK/killed.out" 2>"$T_WORK/killed.log" &
ppid=$!
_track_pid "$ppid"
WAIT_INTERVAL=0.05 wait_for "a progress checkpoint" 60 progress_written
kill -KILL "$ppid"
wait "$ppid" 2>/dev/null
killed_run=$(run_records | jq -r .run_id | tail -n1)
log "killed the producer in run $killed_run: $(run_records | tail -n1 | jq -c '{status,records}')"
! grep -q 'msg="run completed"' "$T_WORK/killed.log" || fail "the first run completed before the kill"

api_post "/admin/fault?count=0" >/dev/null || fail "admin fault clear"
run_producer_once
run2=$(last_run_field run_id)
start_worker
wait_run_completed "$run2" 120
assert_table_equals_api
st() { [ "$(run_status "$killed_run")" = failed ]; }
wait_for "killed run $killed_run failed in sync_metadata" 30 st
grep -q "msg=\"the last run did not end: marked failed\" .*run_id=$killed_run" "$PRODUCER_LAST_LOG" ||
    fail "the resuming run did not say it marked $killed_run failed"
log ok
