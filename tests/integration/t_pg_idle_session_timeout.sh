#!/usr/bin/env bash
# t_pg_idle_session_timeout: the DBA set idle_session_timeout on the
# database (ALTER DATABASE ... SET idle_session_timeout = '1s'): the
# server ends every session that stays idle longer. PostgreSQL is up all
# along. The worker's own connection is ended between batches and must
# be made anew (57P05 is retried); its /readyz probe's connection is
# ended between two probes and /readyz must still say 200: PostgreSQL
# accepts a connection and SELECT 1. A probe further apart than the
# timeout (a readiness probe every 10 s against a 5 s timeout) found the
# kept connection dead and answered 503 every other time.
# brokers: mock
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/metrics_lib.sh"

psql_value "alter database $T_DB set idle_session_timeout = '1s'" >/dev/null ||
    fail "could not set idle_session_timeout"

start_devbroker
start_demoapi --records 20
addr="127.0.0.1:$(free_port)"
write_config "worker: metrics.listen = $addr"

first_sync
wait_for "/readyz 200" 20 http_code_is 200 "http://$addr/readyz"

# the probe's session, idle since that answer, is ended by the server
probe_gone()
{
    [ "$(psql_value "select count(*) from pg_stat_activity where datname = current_database() and application_name = 'tidemark-worker-health'")" = 0 ]
}
wait_for "the probe's idle session ended by idle_session_timeout" 20 probe_gone
answer=$(curl -s --max-time 5 -w ' (%{http_code})' "http://$addr/readyz")
[[ "$answer" == *"(200)" ]] || fail "/readyz with PostgreSQL up: $answer"
# and /metrics keeps the last completed run's time across such a gap
key='tidemark_worker_last_completed_run_timestamp_seconds{stream="customers"}'
wait_for "the probe's idle session ended by idle_session_timeout" 20 probe_gone
curl -fsS --max-time 5 "http://$addr/metrics" | matches "^$key " ||
    fail "/metrics without $key after the probe's session was ended"

# the worker's own session was ended too: the next changes still apply
api_post "/admin/update?count=5" >/dev/null || fail "admin update"
run_producer_once
run2=$(last_run_field run_id)
wait_run_completed "$run2" 60
assert_table_equals_api
pid_of_work "${WORKER_PIDS[w1]}" "$T_WORK" || fail "the worker exited"
stop_worker
log "ok"
