#!/usr/bin/env bash
# t_metrics_producer_failed: /readyz of the producer is 503 while a
# stream's last run failed, and says which stream; /metrics counts the
# failed runs and the API's 503 answers, and no success; once the API
# answers again the next pass completes and /readyz is 200. /healthz stays
# 200 throughout (the loop is alive, only the API is not).
# brokers: mock
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/metrics_lib.sh"

start_devbroker
start_demoapi --records 50
port=$(free_port)
addr="127.0.0.1:$port"
write_config "producer: metrics.listen = $addr" "producer: poll.interval = 1s" \
    "stream: max.retries = 0"
# every request of the API fails until the fault is cleared
api_post "/admin/fault?status=503&count=100000" >/dev/null || fail "admin fault"

start_follow_producer

failed='tidemark_producer_runs_total{stream="customers",mode="full",status="failed"}'
wait_for "a failed run in /metrics" 30 metric_at_least "$addr" "$failed" 1
wait_for "/readyz 503" 20 http_code_is 503 "http://$addr/readyz"
body=$(curl -s --max-time 5 "http://$addr/readyz")
assert_eq "not ready: stream customers: its last run failed" "$body" "body of /readyz"
assert_eq 200 "$(http_code "http://$addr/healthz")" "/healthz while runs fail"

m="$T_WORK/failed.metrics"
scrape "$addr" "$m"
promtool_lint "$m"
assert_eq 0 "$(metric "$m" 'tidemark_producer_runs_total{stream="customers",mode="full",status="completed"}')" \
    "completed runs while the API fails"
assert_eq 0 "$(metric "$m" 'tidemark_producer_last_success_timestamp_seconds{stream="customers"}')" \
    "last success while no run completed"
assert_eq 0 "$(metric "$m" 'tidemark_producer_records_published_total{stream="customers",op="upsert"}')" \
    "records published while the API fails"
n503=$(metric "$m" 'tidemark_http_requests_total{stream="customers",code="503"}')
[ "${n503:-0}" -ge 1 ] || fail "API answers with 503 in /metrics: '$n503'"
[ -z "$(metric "$m" 'tidemark_http_requests_total{stream="customers",code="200"}')" ] ||
    fail "an answer 200 counted while every request failed"

# the API recovers: the next pass completes, /readyz is 200 again
api_post "/admin/fault?count=0" >/dev/null || fail "admin fault clear"
completed='tidemark_producer_runs_total{stream="customers",mode="full",status="completed"}'
wait_for "a completed run in /metrics" 30 metric_is "$addr" "$completed" 1
wait_for "/readyz 200 after a completed run" 20 http_code_is 200 "http://$addr/readyz"
scrape "$addr" "$m.after"
assert_eq 50 "$(metric "$m.after" 'tidemark_producer_records_published_total{stream="customers",op="upsert"}')" \
    "records published after the recovery"

stop_follow_producer
log "ok"
