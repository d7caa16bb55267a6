#!/usr/bin/env bash
# t_poison_ids: the envelope id is the key of the row an event changes.
# Two events of one batch whose envelope ids differ but whose after.id is
# the same made the statement fail (21000) and the worker exit; now the
# one whose after.id names another row than its envelope id goes to the
# DLQ and the other is applied. Numeric ids are compared as PostgreSQL
# reads them: " 7002" and "+7003" are 7002 and 7003, and "7004" and
# "+7004" in one batch are one row (the newer wins).
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
craft_event "$T_WORK/a.bin" '{"id": "7001", "after": {"id": 7000, "name": "from-7001"}}'
craft_event "$T_WORK/b.bin" '{"id": "7000", "after": {"name": "from-7000"}}'
craft_event "$T_WORK/c.bin" '{"id": " 7002", "after": {"id": 7002, "name": "spaced"}}'
craft_event "$T_WORK/d.bin" '{"id": "+7003", "after": {"id": 7003, "name": "signed"}}'
craft_event "$T_WORK/e.bin" "{\"id\": \"7004\", \"source_ts\": $t0, \"after\": {\"id\": 7004, \"name\": \"old\"}}"
craft_event "$T_WORK/f.bin" "{\"id\": \"+7004\", \"source_ts\": $((t0 + 1000)), \"after\": {\"id\": 7004, \"name\": \"new\"}}"
craft_event "$T_WORK/g.bin" '{"id": "abc", "after": {"id": 7005, "name": "not-an-integer"}}'
base=$(partition_end "$topic" 0)
for x in a b c d e f g; do
    produce_file "$topic" 0 "$x" "$T_WORK/$x.bin"
done
log "crafted events at $topic/0/$base.."

start_worker
dlq_two() { [ "$(topic_count "$PREFIX.dlq")" -ge 2 ]; }
wait_for "two dead letters" 30 dlq_two
wait_caught_up 30

name_of() { psql_value "select name from $TABLE where id = $1"; }
assert_eq from-7000 "$(name_of 7000)" "row 7000 (the event whose envelope id is 7000)"
assert_eq spaced "$(name_of 7002)" "row 7002 (envelope id ' 7002')"
assert_eq signed "$(name_of 7003)" "row 7003 (envelope id '+7003')"
assert_eq new "$(name_of 7004)" "row 7004 ('7004' and '+7004' are one row; the newer wins)"
assert_eq 0 "$(psql_value "select count(*) from $TABLE where name in ('from-7001', 'not-an-integer')")" \
    "rows of the dead-lettered events"

dlq_lines >"$T_WORK/dlq.txt"
cat "$T_WORK/dlq.txt"
assert_eq 2 "$(wc -l <"$T_WORK/dlq.txt")" "dead letters"
assert_eq 1 "$(dlq_count_for "$topic/0/$base")" "dead letters of the event whose after.id names another row"
grep -F "$topic/0/$base" "$T_WORK/dlq.txt" | matches 'names another row' ||
    fail "the dead letter does not say why: $(cat "$T_WORK/dlq.txt")"
assert_eq 1 "$(dlq_count_for "$topic/0/$((base + 6))")" "dead letters of the event whose id is not an integer"
grep -F "$topic/0/$((base + 6))" "$T_WORK/dlq.txt" | matches "is not an" ||
    fail "the dead letter of id 'abc' does not say why: $(cat "$T_WORK/dlq.txt")"

stop_worker
log "ok"
