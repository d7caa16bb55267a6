#!/usr/bin/env bash
# t_table_spelled_two_members: two workers of one group,
# one configured `table = customers`, the other `table = public.customers`
# (one table: README says the two spellings share it). Each member's rows
# say its own spelling (applied_table), and a run completes only when every
# partition's row is "of this worker's table" (metadata_complete_runs):
# with the partitions split between the members, no run ever completes.
# Each table now has one name for the offsets (ddl_table_names()).
# (Found by helper 147.)
# brokers: mock
. "$(dirname "$0")/lib.sh"

start_broker
start_demoapi --records 200
write_config
OLDC=$CONF
NEWC="$T_WORK/new.conf"
CONF=$NEWC write_config "stream: table = public.customers"

CONF=$OLDC start_worker w1
CONF=$NEWC start_worker w2
two_members() { grep -q "partitions assigned" "$T_WORK/worker-w1.log" && grep -q "partitions assigned" "$T_WORK/worker-w2.log"; }
wait_for "both members assigned" 60 two_members
run_producer_once
r1=$(last_run_field run_id)
wait_caught_up 60
assert_table_equals_api
psql_value "select topic, partition, next_offset, applied_table from sync_offsets order by 1,2" >&2
grep -h "partitions assigned" "$T_WORK"/worker-w*.log | cut -c1-200 >&2
wait_run_completed "$r1" 30
stop_worker w1
stop_worker w2
log "ok"
