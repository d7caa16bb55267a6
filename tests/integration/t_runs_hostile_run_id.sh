#!/usr/bin/env bash
# t_runs_hostile_run_id: a run record on <prefix>.sync-runs (any client
# with write access, a restored topic) whose run_id holds a newline, a
# forged "ts=... level=error" and an escape sequence. Every reader printed
# it as it was: `status` showed two rows for one stream and sent the
# escape to the terminal, the producer's "marked failed" line and the
# worker's "run completed" line were cut in two, the second half a forged
# line. Such a record is now no run record: the producer ignores it with a
# warning (its checkpoint stays the last good one), the worker dead-letters
# it with the reason, and no line is forged. (Found by helper 139.)
# brokers: mock
. "$(dirname "$0")/lib.sh"
start_devbroker
start_demoapi --records 5
write_config
first_sync
wait_caught_up 30
evil=$(printf 'evil\033[2J\nts=2000-01-01T00:00:00.000Z level=error msg=forged')
jq -c --arg r "$evil" '.run_id = $r | .status = "running" | .finished_at = null' \
    <<<"$(last_run_record)" | tr -d '\n' >"$T_WORK/evil.json"
kc -P -t "$PREFIX.sync-runs" -k "$STREAM" "$T_WORK/evil.json" || fail "produce the record"
dead_lettered() { kc -C -t "$PREFIX.dlq" -e -f '%h\n' | grep -q "'run_id': not a run id"; }
wait_for "the worker's dead letter of it" 30 dead_lettered

"$BUILD/tidemark-producer" -c "$CONF" status >"$T_WORK/status.out" 2>"$T_WORK/status.err"
cat -A "$T_WORK/status.out"
assert_eq 2 "$(wc -l <"$T_WORK/status.out")" "status lines for one stream (header and its row)"
if grep -q $'\033' "$T_WORK/status.out"; then fail "status wrote the record's escape sequence"; fi

run_producer_once
grep -q "ignoring a run record that does not parse" "$PRODUCER_LAST_LOG" ||
    fail "the producer did not say it ignored the record"
assert_eq 0 "$(last_run_field published)" "events the producer's next run published again"
for f in "$PRODUCER_LAST_LOG" "$T_WORK"/worker-*.log; do
    if grep -n '^ts=2000-01-01' "$f"; then fail "a run record's run_id forged a line in $f"; fi
done
assert_eq 0 "$(psql_value "select count(*) from sync_metadata where run_id like 'evil%'")" \
    "sync_metadata rows of the record"
log "ok"
