#!/usr/bin/env bash
# t_pg_batch_too_large: a batch the server's limits refuse every time: a
# row trigger that costs 10 ms a row under statement_timeout = 1 s, and
# 300 changes waiting when the worker starts (one batch of 300, 3 s). It
# used to roll back and retry that same batch for ever, the partitions
# stuck. Now, after two such failures (57014) the batch is dropped, its
# partitions sought back to their stored offsets, and batches are held to
# half its size, halved again while they fail: the table ends equal to
# the API and the log says why the batches got smaller.
# long
. "$(dirname "$0")/lib.sh"

start_devbroker
start_demoapi --records 400
write_config "postgres: conninfo = dbname=$T_DB options='-c statement_timeout=1000'" \
    "worker: batch.max.records = 1000"
log_f="$T_WORK/worker-w1.log"

first_sync
wait_caught_up 30
stop_worker
psql_value "create function tm_slow_row() returns trigger language plpgsql as
              \$\$ begin perform pg_sleep(0.01); return new; end \$\$;
            create trigger tm_slow_row before insert or update on $TABLE
              for each row execute function tm_slow_row()" >/dev/null ||
    fail "could not create the slow trigger"
api_post "/admin/update?count=300" >/dev/null || fail "admin update"
run_producer_once
assert_eq 300 "$(last_run_field published)" "changes published while the worker was stopped"

start_worker
wait_for "the table equal to the API" 120 table_equals_api
grep -q 'msg="batch too large for the server.s limits; applying smaller ones" error="57014' "$log_f" ||
    fail "no line saying the batches got smaller"
wait_caught_up 30
stop_worker
log "ok"
