#!/usr/bin/env bash
# t_reset_offsets_lock: `reset-offsets --execute` while another session
# holds the group's sync_offsets rows (a user's transaction left open, a
# worker waiting on a lock in the middle of its batch). The command used
# to wait for ever without a word: [postgres] lock_timeout was set for
# `run` only. Now it gives up after lock_timeout with an error naming the
# lock and the key, changes nothing, and succeeds once the lock is gone.
. "$(dirname "$0")/lib.sh"

start_devbroker
start_demoapi --records 40
write_config "postgres: lock_timeout = 1s"
topic="$PREFIX.$STREAM"
first_sync
wait_caught_up 30
stop_worker w1

offsets() {
    psql_value "select string_agg(partition || ':' || next_offset, ',' order by partition)
                from sync_offsets where consumer_group = $(sql_quote "$GROUP")
                and topic = $(sql_quote "$topic")"
}
before=$(offsets)
[ -n "$before" ] || fail "no stored offsets after the first sync"

pg_hold_open user "SELECT 1 FROM sync_offsets FOR UPDATE"
t0=$(now_ms)
rc=0
timeout 30 "$BUILD/tidemark-worker" -c "$CONF" reset-offsets --stream "$STREAM" --to-earliest \
    --execute >"$T_WORK/exec.txt" 2>"$T_WORK/exec.err" || rc=$?
took=$(($(now_ms) - t0))
[ "$rc" != 124 ] || fail "reset-offsets still waited on the lock after 30 s"
[ "$rc" != 0 ] || fail "reset-offsets succeeded while the rows were locked"
[ "$took" -le 15000 ] || fail "reset-offsets took $took ms to give up (lock_timeout = 1s)"
grep -q 'another session holds the lock (\[postgres\] lock_timeout)' "$T_WORK/exec.err" ||
    fail "the error does not name the lock and the key: $(cat "$T_WORK/exec.err")"
assert_eq "$before" "$(offsets)" "stored offsets after the failed reset"

pg_release user
"$BUILD/tidemark-worker" -c "$CONF" reset-offsets --stream "$STREAM" --to-earliest --execute \
    >"$T_WORK/exec2.txt" 2>"$T_WORK/exec2.err" || fail "reset-offsets failed: $(cat "$T_WORK/exec2.err")"
zeros=$(offsets | tr ',' '\n' | awk -F: '$2 != 0' | wc -l)
assert_eq 0 "$zeros" "partitions not reset to the earliest offset"
log "ok"
