#!/usr/bin/env bash
# t_poison_newest: when the newest event of an id in a batch is
# dead-lettered, the newest VALID event of that id is applied. On main the
# older events were counted but never applied: the row kept its older
# state (here: did not exist at all).
. "$(dirname "$0")/lib.sh"

start_devbroker
start_demoapi --records 20
write_config
topic="$PREFIX.$STREAM"

first_sync
wait_caught_up 30
stop_worker # so that the crafted events arrive in one batch

event_header "$T_WORK/header.bin"
t0=1767225600000
bad=10000000000000000 # last_modified in year 318857: past timestamptz (22008)
ev() { # ev FILE ID TS NAME [LAST_MODIFIED]
    craft_event "$T_WORK/$1" "{\"id\": \"$2\", \"source_ts\": $3, \"run_id\": \"$STREAM-20261203T230000Z-00000001\",
        \"after\": {\"name\": \"$4\", \"last_modified\": ${5:-$3}}}"
}
ev v1.bin 7200 "$t0" v1
ev v2.bin 7200 "$((t0 + 1000))" v2
ev v3.bin 7200 "$((t0 + 2000))" v3-poison "$bad"
ev w1.bin 7201 "$t0" w1
ev w2.bin 7201 "$((t0 + 1000))" w2-poison "$bad"
ev w3.bin 7201 "$((t0 + 2000))" w3-poison "$bad"
ev x1.bin 7202 "$t0" x1-poison "$bad"
base=$(partition_end "$topic" 0)
for x in v1 v2 v3 w1 w2 w3 x1; do
    produce_file "$topic" 0 "$x" "$T_WORK/$x.bin"
done

start_worker
wait_caught_up 30 # dead letters are acknowledged before the batch commits

assert_eq v2 "$(psql_value "select name from $TABLE where id = 7200")" \
    "row 7200 (its newest event is poison: the newest valid one, v2)"
assert_eq w1 "$(psql_value "select name from $TABLE where id = 7201")" \
    "row 7201 (its two newest events are poison: w1)"
assert_eq 0 "$(psql_value "select count(*) from $TABLE where id = 7202")" "rows of id 7202 (poison only)"
assert_eq "$((base + 1)) $((base + 3))" "$(psql_value "select _kafka_offset from $TABLE where id in (7200, 7201) order by id" | tr '\n' ' ' | sed 's/ $//')" \
    "offsets the rows 7200 and 7201 come from"

dlq_lines >"$T_WORK/dlq.txt"
cut -c1-200 "$T_WORK/dlq.txt"
assert_eq 4 "$(wc -l <"$T_WORK/dlq.txt")" "dead letters"
for o in 2 4 5 6; do
    assert_eq 1 "$(dlq_count_for "$topic/0/$((base + o))")" "dead letters of $topic/0/$((base + o))"
done
[ "$(grep -vc 'apply: 22008' "$T_WORK/dlq.txt")" = 0 ] || fail "a dead letter does not give the reason (apply: 22008)"
# Every event of the run is accounted for: 3 applied or superseded, 4 dead-lettered.
assert_eq "3 4" "$(psql_value "select records_synced || ' ' || records_dead_lettered from sync_metadata
                                where run_id = '$STREAM-20261203T230000Z-00000001'")" "counts of the crafted run"
stop_worker
log "ok"
