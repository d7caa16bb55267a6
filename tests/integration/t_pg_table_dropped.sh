#!/usr/bin/env bash
# t_pg_table_dropped: a DBA drops the stream's table between worker runs
# (by accident, or to have it rebuilt). The worker created it again empty
# and went on from the group's stored offsets, which are per topic, not per
# table: the new table held only the events published after the drop, 2
# rows of 40, and nothing was logged. A table created while the group has
# offsets for its topic now has the topic replayed into it from its first
# message (the same holds when `table` names a new table), with a warning.
. "$(dirname "$0")/lib.sh"

start_devbroker
start_demoapi --records 40
write_config
first_sync
wait_caught_up 30
assert_table_equals_api
stop_worker

psql_value "drop table $TABLE" >/dev/null || fail "drop table"
api_post "/admin/update?ids=3,13" >/dev/null || fail "admin update"
run_producer_once
run2=$(last_run_field run_id)
start_worker
wait_run_completed "$run2" 60
wait_caught_up 30
assert_eq 40 "$(psql_value "select count(*) from $TABLE")" "rows in the table made again"
assert_table_equals_api
grep -q 'msg="the stream.s table does not exist but this group has read its topic before' \
    "$T_WORK/worker-w1.log" || fail "no warning that the topic is replayed into the new table"
stop_worker
log "ok"
