#!/usr/bin/env bash
# t_producer_runs_overlap: runs of one stream overlap: a cron job slower
# than its interval, `run --once --full` started by hand beside a
# follow-mode producer. Nothing kept them apart: each run marked the
# other's `running` record abandoned (a full run that completed stayed
# `failed` in sync_metadata), and a deletion one run held from before a
# restore could land after the other run's upsert while the other's
# checkpoint said that version was published: the record was lost until
# it changed again. Each run now holds its stream's run lock (a flock
# under /run/lock): a second `--once` run waits for the first to end and
# then reads the checkpoint the first wrote; a follow-mode pass leaves the
# stream out while a run elsewhere holds it (and `run --full` keeps its
# full run for the stream's first run); `reset` waits as `--once` does.
# brokers: mock
. "$(dirname "$0")/lib.sh"

start_devbroker
start_demoapi --records 2000 --max-page-size 100
# lock.dir left to its default (/run/lock here), as users run it
write_config "stream: page.size = 100" "producer: poll.interval = 1s" "producer: -lock.dir"
first_sync

# start_slow_full NAME - a full run in the background, while every answer
# takes 200 ms (its 20 pages take 4 s); its pid in SLOW_PID
start_slow_full()
{
    api_post "/admin/fault?delay_ms=200&count=20" >/dev/null || fail "admin fault"
    SLOW_LOG="$T_WORK/$1.log"
    timeout --foreground -k 5 120 "$BUILD/tidemark-producer" -c "$CONF" run --once --full \
        >/dev/null 2>"$SLOW_LOG" &
    SLOW_PID=$!
    _track_pid "$SLOW_PID"
    wait_for "$1 started" 30 grep -q 'msg="run started"' "$SLOW_LOG"
}
# run_id_of LOG - the run id of the run LOG's producer started
run_id_of() { sed -n 's/.*msg="run started".* run_id=\([^ ]*\) .*/\1/p' "$1" | head -n1; }

# ---- a second --once run waits for the first, then runs on its checkpoint
start_slow_full slow
api_post "/admin/update?ids=7" >/dev/null || fail "admin update"
run_producer_once
runB=$(last_run_field run_id)
wait "$SLOW_PID" || fail "the slow full run failed: $(tail -n 3 "$SLOW_LOG")"
runA=$(run_id_of "$SLOW_LOG")
assert_eq "" "$(grep -h 'did not end' "$SLOW_LOG" "$PRODUCER_LAST_LOG")" \
    "runs marked abandoned while both producers ran"
wait_run_completed "$runA" 60
wait_run_completed "$runB" 60
grep -q "waiting for the stream's run lock" "$PRODUCER_LAST_LOG" ||
    fail "the second run did not wait for the first"

# ---- a follow-mode pass leaves the stream out while a hand-started run holds it
follow_start
wait_for "a follow pass" 30 follow_passes_at_least 1
start_slow_full manual
wait_for "a follow pass that left the stream out" 30 \
    grep -q "run not started: this stream's run lock is held" "$FOLLOW_LOG"
wait "$SLOW_PID" || fail "the hand-started full run failed: $(tail -n 3 "$SLOW_LOG")"
runF=$(run_id_of "$SLOW_LOG")
n=$(follow_passes)
wait_for "a follow pass after the full run" 30 follow_passes_at_least $((n + 1))
follow_stop
assert_eq "" "$(grep 'did not end' "$FOLLOW_LOG")" "runs the follow producer marked abandoned"
wait_run_completed "$runF" 60
wait_caught_up 60
assert_table_equals_api

# ---- run --full in follow mode whose first pass left the stream out: the
# stream's first run is still the full one (--full was dropped after the
# first pass, run or not)
start_slow_full before-follow-full
FOLLOW_LOG="$T_WORK/follow-full.log"
"$BUILD/tidemark-producer" -c "$CONF" run --full >/dev/null 2>"$FOLLOW_LOG" &
FOLLOW_PID=$!
_track_pid "$FOLLOW_PID"
wait_for "a first pass that left the stream out" 30 \
    grep -q "run not started: this stream's run lock is held" "$FOLLOW_LOG"
wait "$SLOW_PID" || fail "the full run before run --full failed"
wait_for "the first run of run --full" 30 follow_passes_at_least 1
assert_eq full "$(grep 'msg="run completed"' "$FOLLOW_LOG" | head -n1 | sed -n 's/.* mode=\([a-z]*\) .*/\1/p')" \
    "mode of the stream's first run under run --full"
follow_stop

# ---- reset waits for a run under way, then resets
start_slow_full before-reset
timeout --foreground -k 5 60 "$BUILD/tidemark-producer" -c "$CONF" reset --stream "$STREAM" --full \
    >/dev/null 2>"$T_WORK/reset.log" || fail "reset failed: $(tail -n 3 "$T_WORK/reset.log")"
grep -q "waiting for the stream's run lock" "$T_WORK/reset.log" || fail "reset did not wait"
wait "$SLOW_PID" || fail "the full run before the reset failed"
reset_id=$(sed -n 's/.*msg="checkpoint reset".* run_id=\([^ ]*\) .*/\1/p' "$T_WORK/reset.log")
[ -n "$reset_id" ] || fail "no 'checkpoint reset' line: $(tail -n 3 "$T_WORK/reset.log")"
assert_eq "$reset_id" "$(last_run_record | jq -r .run_id)" "the latest run record: the reset's, after the run's"
log "ok"
