#!/usr/bin/env bash
# t_reset_offsets: `tidemark-worker reset-offsets` replays a stream by
# moving the group's stored offsets. Without --execute it prints the plan
# and changes nothing; with --execute, under a running worker, the worker
# seeks back, replays to the end, and the table and sync_metadata's
# counts come out as before (the replay is idempotent, counted once).
# --to-offset N --partition P moves exactly that partition. Bad usage
# exits 2. (--to-datetime is only checked past the end of the topic: the
# embedded broker answers ListOffsets by time with -1.)
# brokers: mock kafka
. "$(dirname "$0")/lib.sh"

N=200
start_devbroker
start_demoapi --records "$N"
write_config
topic="$PREFIX.$STREAM"

reset() { "$BUILD/tidemark-worker" -c "$CONF" reset-offsets "$@"; }

synced() {
    psql_value "select records_synced || ' ' || records_deleted || ' ' || sync_status
                from sync_metadata where run_id = $(sql_quote "$1")"
}

# plan_lines FILE - "PARTITION CURRENT NEW" lines of a printed plan, sorted.
plan_lines() {
    awk -v g="$GROUP" -v t="$topic" '$1 == g && $2 == t { print $3, $4, $5 }' "$1" | sort -n
}

# all_offsets - "PARTITION NEXT_OFFSET" of every row, zeros included.
all_offsets() {
    psql_value "select partition || ' ' || next_offset from sync_offsets
                where consumer_group = $(sql_quote "$GROUP") and topic = $(sql_quote "$topic")
                order by partition"
}

first_sync
wait_caught_up 30
assert_table_equals_api
ends=$(topic_ends "$topic")
[ "$(echo "$ends" | wc -l)" -ge 2 ] || fail "want messages in several partitions: $ends"
counts=$(synced "$run1")
assert_eq "$N 0 completed" "$counts" "sync_metadata of the full sync"
stored=$(all_offsets)
assert_eq "$ends" "$stored" "sync_offsets at the end of every partition"

# ---- bad usage: exit 2, nothing changed
bad_usage() {
    local rc
    reset "$@" >"$T_WORK/bad.out" 2>"$T_WORK/bad.err"
    rc=$?
    assert_eq 2 "$rc" "exit status of reset-offsets $*"
    grep -q . "$T_WORK/bad.err" || fail "reset-offsets $* said nothing on stderr"
}
bad_usage
bad_usage --to-earliest
bad_usage --stream "$STREAM"
bad_usage --stream "$STREAM" --to-earliest --to-latest
bad_usage --stream "$STREAM" --to-offset
bad_usage --stream "$STREAM" --to-offset -3
bad_usage --stream "$STREAM" --to-offset ten
bad_usage --stream "$STREAM" --to-datetime yesterday
bad_usage --stream "$STREAM" --to-earliest --partition x
bad_usage --stream "$STREAM" --to-earliest --bogus
bad_usage --stream nosuch --to-earliest --execute
bad_usage --stream "$STREAM" --to-offset 0 --partition 99 --execute
assert_eq "$stored" "$(all_offsets)" "sync_offsets after bad usage"
log "bad usage exits 2"

# ---- plans only: printed, nothing changed
reset --stream "$STREAM" --to-earliest >"$T_WORK/plan.txt" 2>"$T_WORK/plan.err" ||
    fail "reset-offsets --to-earliest (plan) failed: $(cat "$T_WORK/plan.err")"
cat "$T_WORK/plan.txt"
head -n1 "$T_WORK/plan.txt" | matches 'CURRENT-OFFSET.*NEW-OFFSET' || fail "plan has no header"
want=$(echo "$ends" | awk '{ print $1, $2, 0 }')
# partitions without messages are in the plan too (current -, new 0)
assert_eq "$want" "$(plan_lines "$T_WORK/plan.txt" | awk '$2 != "-"')" "plan --to-earliest"
assert_eq "$stored" "$(all_offsets)" "sync_offsets after a plan without --execute"

reset --stream "$STREAM" --to-latest >"$T_WORK/plan2.txt" 2>/dev/null || fail "plan --to-latest failed"
assert_eq "$(echo "$ends" | awk '{ print $1, $2, $2 }')" \
    "$(plan_lines "$T_WORK/plan2.txt" | awk '$2 != "-"')" "plan --to-latest"
# past the end: no message at or after it, so every partition's end
reset --stream "$STREAM" --to-datetime 2999-01-01T00:00:00Z >"$T_WORK/plan3.txt" 2>/dev/null ||
    fail "plan --to-datetime failed"
assert_eq "$(echo "$ends" | awk '{ print $1, $2, $2 }')" \
    "$(plan_lines "$T_WORK/plan3.txt" | awk '$2 != "-"')" "plan --to-datetime after the end"
# an offset past a partition's end is brought back to it
read -r p0 e0 < <(echo "$ends" | head -n1)
reset --stream "$STREAM" --to-offset 999999 --partition "$p0" >"$T_WORK/plan4.txt" 2>/dev/null ||
    fail "plan --to-offset past the end failed"
assert_eq "$p0 $e0 $e0" "$(plan_lines "$T_WORK/plan4.txt")" "plan --to-offset past the end"
assert_eq "$stored" "$(all_offsets)" "sync_offsets after the plans"
log "plans print and change nothing"

# ---- --to-earliest --execute under the running worker
reset --stream "$STREAM" --to-earliest --execute >"$T_WORK/exec.txt" 2>"$T_WORK/exec.err" ||
    fail "reset-offsets --to-earliest --execute failed: $(cat "$T_WORK/exec.err")"
assert_eq "$want" "$(plan_lines "$T_WORK/exec.txt" | awk '$2 != "-"')" "executed plan"
grep -q 'stored offsets reset' "$T_WORK/exec.err" || fail "no 'stored offsets reset' log line"
# The worker sees every partition go back to 0 (the idle check, or a
# batch's failed compare-and-set) and seeks there...
seeked_back() {
    local p e
    while read -r p e; do
        grep -E "offset moved under this worker.* topic=$topic partition=$p expected=$e stored=0( |$)" \
            "$T_WORK/worker-w1.log" >/dev/null || return 1
    done <<<"$ends"
}
wait_for "the worker seeks every partition back to 0" 30 seeked_back
# ... and replays to the end again.
wait_for "sync_offsets back at the end ($(echo $ends))" 60 offsets_at_ends "$topic" "$ends"
assert_table_equals_api
assert_eq "$counts" "$(synced "$run1")" "sync_metadata counts after the replay (not doubled)"
log "replay from the earliest offsets under a running worker: ok"

# ---- --to-offset N --partition P moves exactly that partition
stop_worker
read -r p1 e1 < <(echo "$ends" | sed -n 2p)
target=$((e1 / 2))
before=$(all_offsets)
reset --stream "$STREAM" --to-offset "$target" --partition "$p1" --execute \
    >"$T_WORK/exec2.txt" 2>"$T_WORK/exec2.err" ||
    fail "reset-offsets --to-offset --partition failed: $(cat "$T_WORK/exec2.err")"
assert_eq "$p1 $e1 $target" "$(plan_lines "$T_WORK/exec2.txt")" "plan of --to-offset --partition"
assert_eq "$(echo "$before" | awk -v p="$p1" -v t="$target" '$1 == p { $2 = t } 1')" \
    "$(all_offsets)" "sync_offsets after --to-offset $target --partition $p1"
start_worker
wait_for "sync_offsets back at the end ($(echo $ends))" 60 offsets_at_ends "$topic" "$ends"
assert_table_equals_api
assert_eq "$counts" "$(synced "$run1")" "sync_metadata counts after the partial replay"
stop_worker

# ---- a group that never ran: its Kafka offsets are committed too (no
# member refuses it), and a standard consumer of that group starts there
CONF2="$T_WORK/other.conf"
sed "s/^group.id = .*/group.id = other/" "$CONF" >"$CONF2"
"$BUILD/tidemark-worker" -c "$CONF2" reset-offsets --stream "$STREAM" --to-offset 10 --execute \
    >"$T_WORK/exec3.txt" 2>"$T_WORK/exec3.err" ||
    fail "reset-offsets for a new group failed: $(cat "$T_WORK/exec3.err")"
grep -q 'Kafka group offsets committed' "$T_WORK/exec3.err" ||
    fail "Kafka's offsets of a group without members were not committed: $(cat "$T_WORK/exec3.err")"
assert_eq "$(echo "$ends" | awk '{ print $1, 10 }')" \
    "$(psql_value "select partition || ' ' || next_offset from sync_offsets
                   where consumer_group = 'other' order by partition")" "sync_offsets of the new group"
left=$(echo "$ends" | awk '{ n += $2 - 10 } END { print n }')
got=$(kc -G other -X auto.offset.reset=error -X session.timeout.ms=6000 -e -f '%p %o\n' "$topic" 2>/dev/null | wc -l)
assert_eq "$left" "$got" "messages a kcat consumer of the group reads from its committed offsets"
log "ok"
