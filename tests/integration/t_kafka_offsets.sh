#!/usr/bin/env bash
# t_kafka_offsets: on a real broker, Kafka's view of the group agrees with
# tidemark's, and reset-offsets uses Kafka's own answers.
#  - kafka-consumer-groups --describe (Kafka's tool, from the same jars)
#    shows the group's committed offsets equal to sync_offsets;
#  - reset-offsets --to-datetime TS picks per partition the offset Kafka's
#    ListOffsets returns for TS (kafka-get-offsets --time TS, and the first
#    message whose timestamp is at or after TS, read with kcat), not the
#    beginning nor the end (the mock answers -1, so only a real broker
#    shows this); 1970-01-01T00:00:00Z (0 ms) is every partition's start,
#    and a TS before it (a negative time, which ListOffsets reads as the
#    end or the start) is bad usage;
#  - with --execute while the group is empty it writes sync_offsets and
#    sets Kafka's group offsets to the same values; a worker then replays
#    from there, and the counts of sync_metadata are not doubled;
#  - under running workers Kafka refuses the outside commit; the workers'
#    own commits bring Kafka's offsets in step with sync_offsets again.
# brokers: kafka
. "$(dirname "$0")/lib.sh"

N=300
start_devbroker
start_demoapi --records "$N"
write_config
topic="$PREFIX.$STREAM"

reset() { "$BUILD/tidemark-worker" -c "$CONF" reset-offsets "$@"; }

# plan_lines FILE - "PARTITION CURRENT NEW" lines of a printed plan, sorted.
plan_lines() {
    awk -v g="$GROUP" -v t="$topic" '$1 == g && $2 == t { print $3, $4, $5 }' "$1" | sort -n
}
synced() {
    psql_value "select records_synced || ' ' || records_deleted || ' ' || sync_status
                from sync_metadata where run_id = $(sql_quote "$1")"
}
# Kafka's committed offsets of the group, partitions at 0 left out (as in
# stored_offsets).
kafka_offsets() { kafka_group_offsets "$topic" | awk '$2 > 0'; }
kafka_agrees() { [ "$(kafka_offsets)" = "$1" ]; }
# members of the group as Kafka's coordinator sees them
kafka_group_members() {
    kafka_tool consumer-groups --describe --group "$GROUP" --state 2>/dev/null |
        awk '$1 == "GROUP" { for (i = 1; i <= NF; i++) c[$i] = i; next }
             ("#MEMBERS" in c) && NF > 1 { print $c["#MEMBERS"] }'
}

# ---- run 1, then a timestamp T between run 1's events and run 2's
first_sync
wait_caught_up 30
ends1=$(topic_ends "$topic")
kc -C -t "$topic" -e -f '%T\n' >"$T_WORK/ts1.txt"
T=$(($(sort -n "$T_WORK/ts1.txt" | tail -n1) + 1))
wait_for "a clock past the last timestamp of run 1 ($T)" 10 eval '[ "$(now_ms)" -gt "$T" ]'
api_post "/admin/update?ids=$(seq 3 7 290 | paste -sd, -)" >/dev/null || fail "admin update"
api_post "/admin/create?count=4" >/dev/null || fail "admin create"
run_producer_once
run2=$(last_run_field run_id)
n2=$(last_run_field published)
wait_run_completed "$run2" 60
wait_caught_up 30
ends=$(topic_ends "$topic")
assert_table_equals_api
counts1=$(synced "$run1")
counts2=$(synced "$run2")

# ---- Kafka's tool shows the offsets the workers committed: sync_offsets
stored=$(stored_offsets "$topic")
assert_eq "$ends" "$stored" "sync_offsets at the end of every partition"
WAIT_INTERVAL=1 wait_for "Kafka's committed offsets of $GROUP equal sync_offsets ($(echo $stored))" 30 \
    kafka_agrees "$stored"
log "kafka-consumer-groups --describe agrees with sync_offsets: $(echo $stored)"

# ---- what Kafka answers for T: its tool, and the messages' timestamps
TS=$(date -u -d "@$((T / 1000))" +%Y-%m-%dT%H:%M:%S).$(printf '%03d' $((T % 1000)))Z
kafka_tool get-offsets --topic "$topic" --time "$T" >"$T_WORK/get-offsets.txt" 2>"$T_WORK/get-offsets.err" ||
    fail "kafka-get-offsets --time $T failed: $(cat "$T_WORK/get-offsets.err")"
by_tool=$(awk -F: '{ print $2, $3 }' "$T_WORK/get-offsets.txt" | sort -n)
# first offset with a timestamp >= T per partition; none: the partition's end
by_ts=$(kc -C -t "$topic" -e -f '%p %o %T\n' |
    awk -v t="$T" '$3 >= t && (!($1 in f) || $2 < f[$1]) { f[$1] = $2 }
                   { if (!($1 in e) || $2 + 1 > e[$1]) e[$1] = $2 + 1 }
                   END { for (p in e) print p, (p in f ? f[p] : e[p]) }' | sort -n)
log "offsets for $TS: kafka-get-offsets [$(echo $by_tool)], by timestamp [$(echo $by_ts)]"
# Partitions with messages: Kafka's answer is the first message at or after T.
while read -r p o; do
    got=$(awk -v p="$p" '$1 == p { print $2 }' <<<"$by_tool")
    e=$(awk -v p="$p" '$1 == p { print $2 }' <<<"$ends")
    # Kafka answers -1 (no such message) for a partition where T is past the end
    [ "$got" = "$o" ] || { [ "$got" = -1 ] && [ "$o" = "$e" ]; } ||
        fail "partition $p: kafka-get-offsets says $got, the timestamps say $o"
done <<<"$by_ts"
# The scenario proves something only if T falls inside some partition.
inside=$(join <(echo "$by_ts") <(echo "$ends") | awk '$2 > 0 && $2 < $3' | wc -l)
[ "$inside" -ge 1 ] || fail "no partition holds messages both before and after T: the scenario proves nothing"

# ---- the plan of --to-datetime is Kafka's answer
reset --stream "$STREAM" --to-datetime "$TS" >"$T_WORK/plan.txt" 2>"$T_WORK/plan.err" ||
    fail "reset-offsets --to-datetime $TS (plan) failed: $(cat "$T_WORK/plan.err")"
cat "$T_WORK/plan.txt"
assert_eq "$(echo "$by_ts" | join - <(echo "$ends") | awk '{ print $1, $3, $2 }')" \
    "$(plan_lines "$T_WORK/plan.txt" | awk '$2 != "-"')" "plan of --to-datetime $TS (partition current new)"
assert_eq "$stored" "$(stored_offsets "$topic")" "sync_offsets after a plan without --execute"

# ---- the epoch (0 ms) is a time, the start of every partition; a TS
# before it would be sent as a negative time, which ListOffsets reads as
# the end (-1) or the start (-2): refused as bad usage
reset --stream "$STREAM" --to-datetime 1970-01-01T00:00:00Z >"$T_WORK/epoch.txt" 2>"$T_WORK/epoch.err" ||
    fail "reset-offsets --to-datetime 1970-01-01T00:00:00Z (plan) failed: $(cat "$T_WORK/epoch.err")"
assert_eq "$(plan_lines "$T_WORK/plan.txt" | awk '{ print $1, 0 }')" \
    "$(plan_lines "$T_WORK/epoch.txt" | awk '{ print $1, $3 }')" "plan of --to-datetime 1970-01-01T00:00:00Z (partition new)"
rc=0
reset --stream "$STREAM" --to-datetime 1969-12-31T23:59:59.999Z >/dev/null 2>"$T_WORK/before.err" || rc=$?
assert_eq 2 "$rc" "exit status of --to-datetime 1969-12-31T23:59:59.999Z"
grep -q "before 1970-01-01T00:00:00Z" "$T_WORK/before.err" ||
    fail "--to-datetime before 1970: $(cat "$T_WORK/before.err")"

# ---- --execute while the group is empty: database and Kafka both move
stop_worker
WAIT_INTERVAL=1 wait_for "group $GROUP without members in Kafka" 30 eval '[ "$(kafka_group_members)" = 0 ]'
reset --stream "$STREAM" --to-datetime "$TS" --execute >"$T_WORK/exec.txt" 2>"$T_WORK/exec.err" ||
    fail "reset-offsets --to-datetime --execute failed: $(cat "$T_WORK/exec.err")"
grep -q 'Kafka group offsets committed' "$T_WORK/exec.err" ||
    fail "Kafka's offsets of an empty group were not committed: $(cat "$T_WORK/exec.err")"
target=$(echo "$by_ts" | awk '$2 > 0')
assert_eq "$target" "$(stored_offsets "$topic")" "sync_offsets after --to-datetime --execute"
assert_eq "$target" "$(kafka_offsets)" "Kafka's committed offsets after --to-datetime --execute"

# ---- a worker replays from there: exactly the events from T on (its debug
# log counts the messages of each batch; sync-runs was not reset)
write_config "top: log.level = debug"
start_worker
wait_for "sync_offsets back at the end ($(echo $ends))" 60 offsets_at_ends "$topic" "$ends"
assert_table_equals_api
assert_eq "$counts1" "$(synced "$run1")" "sync_metadata of run 1 after the replay"
assert_eq "$counts2" "$(synced "$run2")" "sync_metadata of run 2 after the replay (not doubled)"
want=$(join <(echo "$by_ts") <(echo "$ends") | awk '{ n += $3 - $2 } END { print n + 0 }')
replayed() {
    awk '/^---- start/ { n = 0 } /msg="batch applied"/ && match($0, / messages=[0-9]+/) {
             n += substr($0, RSTART + 10, RLENGTH - 10) } END { print n + 0 }' "$T_WORK/worker-w1.log"
}
# A batch's "batch applied" line comes after its COMMIT, which offsets_at_ends
# may see first: the last one is waited for.
wait_for "'batch applied' lines for the $want messages replayed" 15 eval '[ "$(replayed)" -ge "$want" ]'
got=$(replayed)
assert_eq "$want" "$got" "messages the worker replayed from $TS"
WAIT_INTERVAL=1 wait_for "Kafka's committed offsets back at the end ($(echo $ends))" 30 kafka_agrees "$ends"
log "replayed $got events from $TS"

# ---- under a running worker Kafka refuses the outside commit; the
# worker's own commits then bring Kafka in step again
reset --stream "$STREAM" --to-earliest --execute >"$T_WORK/exec2.txt" 2>"$T_WORK/exec2.err" ||
    fail "reset-offsets --to-earliest --execute failed: $(cat "$T_WORK/exec2.err")"
grep -q "Kafka's group offsets not committed" "$T_WORK/exec2.err" ||
    fail "Kafka accepted a commit from outside a group with members: $(cat "$T_WORK/exec2.err")"
wait_for "the worker replays to the end ($(echo $ends))" 60 eval \
    'grep -q "offset moved under this worker" "$T_WORK/worker-w1.log" && offsets_at_ends "$topic" "$ends"'
assert_table_equals_api
assert_eq "$counts2" "$(synced "$run2")" "sync_metadata of run 2 after the second replay"
WAIT_INTERVAL=1 wait_for "Kafka's committed offsets equal sync_offsets again ($(echo $ends))" 30 kafka_agrees "$ends"
stop_worker
log "ok"
