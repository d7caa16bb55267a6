#!/usr/bin/env bash
# t_table_spelled_restart: `table = customers` rewritten
# as `table = public.customers` - the same table (README: two spellings of
# one table are taken to share it) - and the worker restarted. Expected:
# nothing replayed, the dead letter of a bad message stays one. Observed:
# sync_offsets.applied_table compares the quoted spelling ("customers" vs
# "public"."customers"), so every partition reads as "applied to another
# table", is replayed from its first message, and the bad message is
# dead-lettered a second time.
# Each table now has one name for the offsets (ddl_table_names()).
# (Found by helper 147.)
# brokers: mock
. "$(dirname "$0")/lib.sh"

start_devbroker
start_demoapi --records 200
write_config
OLDC=$CONF
NEWC="$T_WORK/new.conf"
CONF=$NEWC write_config "stream: table = public.customers"
topic="$PREFIX.$STREAM"
dlq="$PREFIX.dlq"

first_sync
wait_caught_up 30
printf 'this is not an avro change event' >"$T_WORK/garbage.bin"
kc -P -t "$topic" -p 1 -k bad-garbage "$T_WORK/garbage.bin" || fail "kcat could not produce the garbage"
dlq_has_one() { [ "$(topic_count "$dlq")" -ge 1 ]; }
wait_for "one dead letter" 30 dlq_has_one
wait_caught_up 30
psql_value "select topic, partition, next_offset, applied_table from sync_offsets order by 1,2" >&2
stop_worker

CONF=$NEWC start_worker
wait_for "w1 assigned again" 60 eval '[ "$(grep -c "partitions assigned" "$T_WORK/worker-w1.log")" -ge 2 ]'
api_post "/admin/update?ids=$(seq -s, 1 40)" >/dev/null
CONF=$NEWC run_producer_once
wait_run_completed "$(last_run_field run_id)" 60
wait_caught_up 60
psql_value "select topic, partition, next_offset, applied_table from sync_offsets order by 1,2" >&2
assert_table_equals_api
n_warn=$(grep -c "the group's members disagree on the table" "$T_WORK/worker-w1.log")
log "warnings 'members disagree on the table': $n_warn; dead letters: $(topic_count "$dlq")"
assert_eq 0 "$n_warn" "partitions taken as applied to another table (same table, other spelling)"
assert_eq 1 "$(topic_count "$dlq")" "dead letters of the one bad message"
stop_worker
log "ok"
