#!/usr/bin/env bash
# t_kafka_late_group_retention: a consumer group that joins late (a second
# copy into its own schema) over a stream topic whose retention
# (cleanup.policy = delete; here DeleteRecords, as retention.ms would)
# took the first run's events and run records. The group has no stored
# offset and never read the topic, so it starts at the log start, and its
# table misses every record whose latest event retention took, while its
# runs show completed: the worker said nothing. It now warns, naming the
# partition, the offsets and the way out; and a full run, that way out,
# makes the late table equal the API.
# brokers: kafka
. "$(dirname "$0")/lib.sh"
need_pyvenv

topic="$PREFIX.$STREAM"
start_broker --topic "$topic:1"
start_demoapi --records 30
write_config
first_sync
end1=$(partition_end "$topic" 0)
runs_end1=$(partition_end "$PREFIX.sync-runs" 0)
api_post "/admin/update?ids=1,2,3" >/dev/null || fail "admin update"
api_post "/admin/delete?ids=4" >/dev/null || fail "admin delete"
run_producer_once
run2=$(last_run_field run_id)
wait_run_completed "$run2" 60
stop_worker

kafka_delete_records "$topic" "0:$end1"
kafka_delete_records "$PREFIX.sync-runs" "0:$runs_end1"
log "retention took the first run's $end1 events and its $runs_end1 run records"

psql -X -q -v ON_ERROR_STOP=1 -c "create schema late" >/dev/null || fail "create schema"
CONF="$T_WORK/late.conf" GROUP=tm-late \
    write_config "postgres: conninfo = dbname=$T_DB options='-c search_path=late'"
CONF="$T_WORK/late.conf" start_worker late
export PGOPTIONS="-c search_path=late"
lost() { grep 'msg="events removed from the partition before this group applied them' "$T_WORK/worker-late.log"; }
wait_for "a warning of the events retention took" 30 lost
line=$(lost | head -n1)
for w in "topic=$topic" "partition=0" "from=0" "to=$end1" "run --once --full"; do
    case "$line" in *"$w"*) ;; *) fail "the warning does not say '$w': $line" ;; esac
done
wait_run_completed "$run2" 60
table_equals_api && fail "the late table equals the API before a full run: the scenario shows nothing"

# the way out the warning names
run_producer_once --full
wait_run_completed "$(last_run_field run_id)" 60
assert_table_equals_api
stop_worker late
log "ok"
