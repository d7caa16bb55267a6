#!/usr/bin/env bash
# t_kafka_ahead_list_whole: a topic of 128 partitions whose stored offsets
# this database lost (a new database for the group): the worker warns
# that Kafka holds offsets for partitions this database has none for,
# naming them. Every partition with a Kafka offset must be named (or the
# line must say how many more): it named about 60 and stopped mid-token,
# a quoted copy in a fixed buffer. (Found by helper 146.)
# brokers: mock
. "$(dirname "$0")/lib.sh"
P=128
start_broker --topic "$PREFIX.$STREAM:$P"
start_demoapi --records 1000
write_config
run_producer_once
start_worker
wait_run_completed "$(last_run_field run_id)" 120
stop_worker
psql_value "delete from sync_offsets" >/dev/null
start_worker
warned() { grep -q 'msg="Kafka holds offsets of this group' "$T_WORK/worker-w1.log"; }
wait_for "the warning" 60 warned
line=$(grep 'msg="Kafka holds offsets of this group' "$T_WORK/worker-w1.log" | head -n1)
list=$(printf '%s\n' "$line" | sed -n 's/.* partitions=\([^ ]*\).*/\1/p' | tr -d '"')
named=$(printf '%s\n' "$list" | tr ',' '\n' | grep -c "^$PREFIX\.$STREAM:[0-9]*@[0-9]*\$")
log "partitions named: $named of $P; list ends with: ${list: -40}"
wait_run_completed "$(last_run_field run_id)" 120
stop_worker
assert_eq "$P" "$named" "partitions named whole in the warning"
log ok
