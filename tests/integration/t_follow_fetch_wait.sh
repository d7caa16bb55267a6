#!/usr/bin/env bash
# t_follow_fetch_wait: [kafka] fetch.wait.max.ms raised for the worker (a
# fetch at a partition's end waits that long at the broker for more:
# fewer, fuller fetches) is in the same section the producer's topic
# scans read. Their reader, kept from pass to pass, left a fetch of that
# length at the broker after each read of <prefix>.sync-runs, and a
# broker may answer a connection's requests in order: on the embedded
# broker, every pass of a follow producer at poll.interval = 1s waited
# behind it, a pass every 20 s instead of every second (a real Kafka
# did not show it in this scenario). The scans now keep their own 50 ms.
# Expected: with fetch.wait.max.ms = 20000, five passes after the first
# within 15 s (20 s each would take 100), none failed; the worker
# applies the changes made meanwhile.
# brokers: mock
. "$(dirname "$0")/lib.sh"

start_broker
start_demoapi --records 20
write_config "producer: poll.interval = 1s" "kafka: fetch.wait.max.ms = 20000"
follow_start
wait_for "the producer's first pass" 60 follow_passes_at_least 1
at=$(follow_passes)
api_post "/admin/update?ids=1,2" >/dev/null || fail "admin update"
wait_for "five passes more, a second or so apart" 15 follow_passes_at_least $((at + 5))
follow_stop
if grep -E 'cannot read|msg="run failed"' "$FOLLOW_LOG" >&2; then
    fail "a pass failed"
fi
start_worker
wait_run_completed "$(grep 'msg="run completed"' "$FOLLOW_LOG" | tail -n1 | sed 's/.*run_id=\([^ ]*\).*/\1/')" 60
# the last run's end offsets are only the partitions it wrote to (its two
# changes): the first run's events elsewhere may still be on their way
wait_caught_up 60
assert_table_equals_api
stop_worker
log "ok"
