#!/usr/bin/env bash
# t_pg_table_dropped: a DBA drops the stream's table between worker runs
# (by accident, or to have it rebuilt). The worker created it again empty
# and went on from the group's stored offsets, which are per topic, not per
# table: the new table held only the events published after the drop, 2
# rows of 40, and nothing was logged. A table that holds nothing while
# the group has offsets for its topic (dropped, emptied with TRUNCATE, or
# `table` naming a new one) now has the topic replayed into it from its
# first message, with a warning. (Offsets reset-offsets placed before a
# first start are kept: t_reset_offsets_replay.)
. "$(dirname "$0")/lib.sh"

start_devbroker
start_demoapi --records 40
write_config
first_sync
wait_caught_up 30
assert_table_equals_api
stop_worker

# emptied SQL IDS - the table emptied by SQL while the worker is stopped,
# records IDS changed, a run, the worker started: the table must hold
# every record again.
emptied()
{
    psql_value "$1" >/dev/null || fail "$1"
    api_post "/admin/update?ids=$2" >/dev/null || fail "admin update"
    run_producer_once
    local run
    run=$(last_run_field run_id)
    start_worker
    wait_run_completed "$run" 60
    wait_caught_up 30
    assert_eq 40 "$(psql_value "select count(*) from $TABLE")" "rows after '$1'"
    assert_table_equals_api
    grep -q 'msg="the stream.s table holds nothing but this group has read its topic before' \
        "$T_WORK/worker-w1.log" || fail "no warning that the topic is replayed into the table"
    stop_worker
}

emptied "drop table $TABLE" 3,13
# TRUNCATE instead of DROP: the table exists and holds nothing
emptied "truncate $TABLE" 5
log "ok"
