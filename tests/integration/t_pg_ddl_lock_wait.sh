#!/usr/bin/env bash
# t_pg_ddl_lock_wait: the worker starts with a schema that has a new
# field while a report's long transaction reads the table, so its ALTER
# TABLE ... ADD COLUMN waits for the report. Under [postgres]
# lock_timeout each wait ends in a lock timeout; counted as failed start
# attempts, ten of them made the worker exit ("cannot
# prepare PostgreSQL"), a crash loop under a supervisor where it used to
# wait. It must wait the lock out, saying so each time, and then apply.
. "$(dirname "$0")/lib.sh"

V2="$T_WORK/customer-with-region.avsc"
jq '.fields += [{"name": "region", "type": ["null", "string"], "default": null}]' \
    "$REPO/schemas/customer.avsc" >"$V2"

start_devbroker
start_demoapi --records 20
write_config "postgres: lock_timeout = 300ms"
first_sync
stop_worker
log_f="$T_WORK/worker-w1.log"

psql_value "create table tm_release (done boolean)" >/dev/null
psql -X -q -v ON_ERROR_STOP=1 >"$T_WORK/report.log" 2>&1 <<SQL &
SET statement_timeout = '120s';
BEGIN;
SELECT count(*) FROM $TABLE;
\! touch "$T_WORK/reading"
DO \$\$ BEGIN
  WHILE NOT EXISTS (SELECT 1 FROM tm_release) LOOP PERFORM pg_sleep(0.05); END LOOP;
END \$\$;
COMMIT;
SQL
report=$!
_track_pid "$report"
wait_for "the report's transaction open on $TABLE" 20 test -e "$T_WORK/reading"

SCHEMA=$V2 write_config "postgres: lock_timeout = 300ms"
start_worker
lock_waits() { grep 'msg="PostgreSQL not ready; retrying"' "$log_f" | grep -c '55P03'; }
waits_past_attempts() { [ "$(lock_waits)" -ge 12 ]; }
wait_for "more lock waits at start than the ten failed attempts a start allows" 60 waits_past_attempts
_check_workers_alive
grep -q 'msg="cannot prepare PostgreSQL"' "$log_f" && fail "the worker gave up on the lock"

psql_value "insert into tm_release values (true)" >/dev/null
wait "$report" || fail "the report's session failed: $(cat "$T_WORK/report.log")"
has_region() { [ "$(psql_value "select count(*) from information_schema.columns
                                where table_name = '$TABLE' and column_name = 'region'")" = 1 ]; }
wait_for "the region column added" 30 has_region
api_post "/admin/update?ids=3" >/dev/null || fail "admin update"
run_producer_once
run2=$(last_run_field run_id)
wait_run_completed "$run2" 60
stop_worker
log "ok"
