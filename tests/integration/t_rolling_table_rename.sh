#!/usr/bin/env bash
# t_rolling_table_rename: two workers of one group; `table` changed to a
# new name and the workers restarted one after the other, as a rolling
# deployment does (README: a table that holds nothing while the group has
# stored offsets for its topic gets the whole topic). While w1 still runs
# the old configuration, it applies its partitions into the old table and
# stores their offsets; those rows say which table they were applied to
# (sync_offsets.applied_table), so that the new table does not take them
# for its own once w1 runs the new configuration too: it is replayed
# those partitions, and ends up equal to the API, not with half of it.
# brokers: mock kafka
. "$(dirname "$0")/lib.sh"

start_broker
start_demoapi --records 400
write_config
OLDC=$CONF
NEWC="$T_WORK/new.conf"
CONF=$NEWC write_config "stream: table = Customers_v2"

run_producer_once
r1=$(last_run_field run_id)
CONF=$OLDC start_worker w1
CONF=$OLDC start_worker w2
wait_run_completed "$r1" 60
wait_caught_up 30
assert_table_equals_api

# rolling restart: w2 first
stop_worker w2
CONF=$NEWC start_worker w2
wait_for "w2 replays into the new table" 60 grep -q 'the stream.s table holds nothing' "$T_WORK/worker-w2.log"
wait_caught_up 60
log "after w2's restart: Customers_v2 has $(psql_value 'select count(*) from "Customers_v2"') rows"
# then w1
stop_worker w1
CONF=$NEWC start_worker w1
wait_for "w1 assigned" 60 eval '[ "$(grep -c "partitions assigned" "$T_WORK/worker-w1.log")" -ge 2 ]'
wait_caught_up 60
# a later run, so that something waits for the workers to be settled
api_post "/admin/update?ids=1,2,3" >/dev/null
run_producer_once
wait_run_completed "$(last_run_field run_id)" 60
wait_caught_up 60
v2_full() { [ "$(psql_value 'select count(*) from "Customers_v2"')" = 400 ]; }
wait_for "Customers_v2 holds all 400 records" 60 v2_full
log "Customers_v2 has $(psql_value 'select count(*) from "Customers_v2"') rows, API 400"
TABLE='"Customers_v2"' assert_table_equals_api
# the partitions w1 applied to the old table after w2 had forgotten the
# topic were taken over, said once each
grep -q "the group's members disagree on the table" "$T_WORK"/worker-w*.log ||
    fail "no warning that the members disagreed on the table"
stop_worker w1
stop_worker w2
# the table as PostgreSQL names it (public."Customers_v2") is quoted there
/usr/bin/python3 "$REPO/tests/integration/log_lines.py" logfmt "$T_WORK"/worker-w*.log ||
    fail "worker log lines a strict logfmt reader refuses"
log "ok"
