#!/usr/bin/env bash
# t_pg_ddl_lock_wait: the worker starts with a schema that has a new
# field while a report's long transaction reads the table, so its ALTER
# TABLE ... ADD COLUMN waits for the report. Under [postgres]
# lock_timeout each wait ends in a lock timeout; counted as failed start
# attempts, ten of them made the worker exit ("cannot
# prepare PostgreSQL"), a crash loop under a supervisor where it used to
# wait. It must wait the lock out, saying so each time, and then apply.
# Each wait is cut to 2 s: readers of the table queue behind an ALTER
# TABLE that waits.
# long
. "$(dirname "$0")/lib.sh"

V2="$T_WORK/customer-with-region.avsc"
jq '.fields += [{"name": "region", "type": ["null", "string"], "default": null}]' \
    "$REPO/schemas/customer.avsc" >"$V2"

start_devbroker
start_demoapi --records 20
write_config
first_sync
stop_worker
log_f="$T_WORK/worker-w1.log"

pg_hold_open report "SELECT count(*) FROM $TABLE"

SCHEMA=$V2 write_config
start_worker
lock_waits() { grep 'msg="PostgreSQL not ready; retrying"' "$log_f" | grep -c '55P03'; }
waits_at_least() { [ "$(lock_waits)" -ge "$1" ]; }
# each wait 2 s at most, not lock_timeout's 60 s: readers of the table
# queue behind the waiting ALTER TABLE
wait_for "a first lock wait at start, cut short" 15 waits_at_least 1
# (0.2 s to 10 s apart: about 80 s)
wait_for "more lock waits at start than the ten failed attempts a start allows" 150 waits_at_least 11
_check_workers_alive
grep -q 'msg="cannot prepare PostgreSQL"' "$log_f" && fail "the worker gave up on the lock"

pg_release report
has_region() { [ "$(psql_value "select count(*) from information_schema.columns
                                where table_name = '$TABLE' and column_name = 'region'")" = 1 ]; }
wait_for "the region column added" 30 has_region
api_post "/admin/update?ids=3" >/dev/null || fail "admin update"
run_producer_once
run2=$(last_run_field run_id)
wait_run_completed "$run2" 60
stop_worker
log "ok"
