#!/usr/bin/env bash
# t_pg_offsets_negative: a DBA writes a negative next_offset into
# sync_offsets by hand (-2, what Kafka's tools and librdkafka call
# "beginning"; -1 is "end"), here while the worker is stopped, to replay a
# partition. Whatever the worker makes of it (a replay from the start, or
# a clear error naming the row), later events must be applied and the run
# must complete; it must not fence every batch of the partition for ever
# ("offset moved under this worker ... expected=-2 stored=-2", twice a
# second, for good). TM_NEG=-1 gives the same.
# brokers: mock
. "$(dirname "$0")/lib.sh"

start_devbroker --topic "$PREFIX.$STREAM:1"
start_demoapi --records 20
write_config
topic="$PREFIX.$STREAM"
first_sync
wait_caught_up 30
stop_worker

psql_value "update sync_offsets set next_offset = ${TM_NEG:--2} where consumer_group = $(sql_quote "$GROUP")
            and topic = $(sql_quote "$topic") and partition = 0" >/dev/null || fail "update"
api_post "/admin/update?ids=3,4" >/dev/null || fail "admin update"
run_producer_once
run2=$(last_run_field run_id)
start_worker
fenced() { grep -c 'offset moved under this worker' "$T_WORK/worker-w1.log"; }
done_or_looping() { run_is_completed "$run2" || [ "$(fenced)" -ge 20 ]; }
wait_for "run 2 completed (or its batch fenced 20 times)" 40 done_or_looping
run_is_completed "$run2" ||
    fail "run 2 not completed: batch fenced $(fenced) times; last: $(grep 'offset moved' "$T_WORK/worker-w1.log" | tail -n1 | sed 's/.*msg=/msg=/')"
assert_table_equals_api
stop_worker
log "ok"
