#!/usr/bin/env bash
# t_metrics_pg_stalled: the worker's /readyz and /metrics ask PostgreSQL on
# a connection of the HTTP server's own. When the server behind that
# connection stops answering (its backend stopped: it holds the TCP
# connection and never replies, which statement_timeout cannot end), the
# probe gives up within its own deadline: /readyz answers 503 naming
# PostgreSQL within seconds, /metrics still answers, /healthz answers 200
# at once while such a probe waits (it used to queue behind it: a
# liveness probe with a 1 s timeout failed, and would have restarted a
# healthy worker), and SIGTERM with such a probe under way stops the
# worker promptly (exit 0).
# brokers: mock
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/metrics_lib.sh"

STOPPED_PIDS=()
# never leave a postgres backend stopped behind us, whatever happens
tm_exit_hook() { [ ${#STOPPED_PIDS[@]} -eq 0 ] || kill -CONT "${STOPPED_PIDS[@]}" 2>/dev/null || true; }

# stop_probe_backend - SIGSTOP the backend of the HTTP thread's connection.
stop_probe_backend()
{
    local pid not_in=0
    [ ${#STOPPED_PIDS[@]} -eq 0 ] || not_in=$(IFS=,; echo "${STOPPED_PIDS[*]}")
    pid=$(psql_value "select pid from pg_stat_activity where datname = current_database() and application_name = 'tidemark-worker-health' and state = 'idle' and pid not in ($not_in) limit 1")
    [ -n "$pid" ] || fail "no backend of the worker's health probe"
    kill -STOP "$pid" || fail "kill -STOP $pid"
    STOPPED_PIDS+=("$pid")
    log "stopped backend $pid"
}

start_devbroker
start_demoapi --records 20
port=$(free_port)
addr="127.0.0.1:$port"
write_config "worker: metrics.listen = $addr"

first_sync
wait_for "/readyz 200" 20 http_code_is 200 "http://$addr/readyz"

stop_probe_backend
t0=$(now_ms)
rc=0
body=$(curl -s --max-time 10 "http://$addr/readyz") || rc=$?
took=$(($(now_ms) - t0))
assert_eq 0 "$rc" "curl exit status of /readyz while the probe's backend is stopped (28: timed out)"
case "$body" in
    "not ready: PostgreSQL not reachable: no answer within "*) ;;
    *) fail "body of /readyz while the probe's backend is stopped: '$body'" ;;
esac
[ "$took" -lt 5000 ] || fail "/readyz took $took ms"
# the stalled connection was dropped: the next scrape connects afresh
scrape "$addr" "$T_WORK/after.metrics"
wait_for "/readyz 200 on a fresh connection" 20 http_code_is 200 "http://$addr/readyz"

# /healthz while a /readyz waits on the stopped backend: at once
stop_probe_backend
curl -s -o /dev/null --max-time 20 "http://$addr/readyz" &
probe_pid=$!
_probe_connected() { [ -n "$(ss -Htn state established "( sport = :$port )")" ]; }
wait_for "the /readyz connected" 5 _probe_connected
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "http://$addr/healthz") || true
assert_eq 200 "$code" "/healthz within 1 s while a /readyz waits on PostgreSQL"
wait "$probe_pid" 2>/dev/null || true
wait_for "/readyz 200 on a fresh connection" 20 http_code_is 200 "http://$addr/readyz"

# SIGTERM while a probe waits on a stopped backend: the worker still stops
stop_probe_backend
curl -s -o /dev/null --max-time 20 "http://$addr/readyz" &
scrape_pid=$!
wait_for "the scrape connected" 5 _probe_connected
stop_worker
wait "$scrape_pid" 2>/dev/null || true
kill -CONT "${STOPPED_PIDS[@]}"
STOPPED_PIDS=()
log "ok"
