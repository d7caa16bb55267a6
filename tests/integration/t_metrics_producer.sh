#!/usr/bin/env bash
# t_metrics_producer: [producer] metrics.listen serves /metrics, /healthz
# and /readyz while `run` follows. After one pass the counters say what
# happened (records published = records of the API, one completed full
# run, the HWM of the run record, the API's answers), the text passes
# `promtool check metrics`, other paths are 404 and other methods 405;
# /readyz is 503 naming Kafka while every broker is down, 200 after; a
# second producer on the same port exits 1 naming the key; SIGTERM stops
# the HTTP thread with the rest (exit 0, the port free again).
# brokers: mock
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/metrics_lib.sh"

start_devbroker_ctl
start_demoapi --records 300
port=$(free_port)
addr="127.0.0.1:$port"
write_config "producer: metrics.listen = $addr" "producer: poll.interval = 1h"
t0=$(now_ms)

start_follow_producer
wait_for "/healthz 200" 20 http_code_is 200 "http://$addr/healthz"
runs='tidemark_producer_runs_total{stream="customers",mode="full",status="completed"}'
wait_for "one completed full run in /metrics" 60 metric_is "$addr" "$runs" 1
wait_for "/readyz 200 (Kafka reachable, no failed run)" 20 http_code_is 200 "http://$addr/readyz"

m="$T_WORK/producer.metrics"
scrape "$addr" "$m"
promtool_lint "$m"
api_total=$(api_get "/admin/records" | jq "$API_RECORDS_JQ | length")
assert_eq 300 "$api_total" "records of the API"
assert_eq "$api_total" "$(metric "$m" 'tidemark_producer_records_published_total{stream="customers",op="upsert"}')" \
    "records published (upserts)"
assert_eq 0 "$(metric "$m" 'tidemark_producer_records_published_total{stream="customers",op="delete"}')" \
    "records published (deletes)"
assert_eq 0 "$(metric "$m" 'tidemark_producer_runs_total{stream="customers",mode="full",status="failed"}')" \
    "failed full runs"
assert_eq 0 "$(metric "$m" 'tidemark_producer_runs_total{stream="customers",mode="incremental",status="completed"}')" \
    "incremental runs"
assert_eq 0 "$(metric "$m" 'tidemark_dlq_records_total{stage="producer"}')" "dead letters"
assert_eq 1 "$(metric "$m" 'tidemark_build_info{version="0.1.0"}')" "build info"

# the HWM of the run record, in seconds
hwm_iso=$(last_run_record | jq -r '.hwm.value')
want_hwm=$(/usr/bin/python3 -c 'import sys, datetime; print(datetime.datetime.fromisoformat(sys.argv[1].replace("Z", "+00:00")).timestamp())' "$hwm_iso")
got_hwm=$(metric "$m" 'tidemark_producer_hwm_timestamp_seconds{stream="customers"}')
/usr/bin/python3 -c 'import sys; sys.exit(abs(float(sys.argv[1]) - float(sys.argv[2])) > 0.0005)' \
    "$want_hwm" "$got_hwm" || fail "HWM gauge $got_hwm, run record $hwm_iso ($want_hwm)"

# the last success and the process start: between the start and now
now=$(now_ms)
for s in 'tidemark_producer_last_success_timestamp_seconds{stream="customers"}' \
    process_start_time_seconds; do
    v=$(metric "$m" "$s")
    /usr/bin/python3 -c 'import sys; v, lo, hi = map(float, sys.argv[1:]); sys.exit(not lo <= v * 1000 <= hi)' \
        "$v" "$((t0 - 2000))" "$now" || fail "$s = $v, not between $t0 and $now ms"
done

# one page of records and one of deletions, each answered 200; the
# histogram counted every request
ok=$(metric "$m" 'tidemark_http_requests_total{stream="customers",code="200"}')
[ "${ok:-0}" -ge 2 ] || fail "API answers with 200: '$ok', want >= 2"
assert_eq "$ok" "$(metric "$m" 'tidemark_http_request_duration_seconds_count')" \
    "requests in the duration histogram"
assert_eq "$ok" "$(metric "$m" 'tidemark_http_request_duration_seconds_bucket{le="+Inf"}')" \
    "the +Inf bucket"

# other paths and methods
assert_eq 404 "$(http_code "http://$addr/")" "GET /"
assert_eq 404 "$(http_code "http://$addr/metrics.json")" "GET /metrics.json"
assert_eq 405 "$(http_code "http://$addr/metrics" -X POST -d x)" "POST /metrics"
assert_eq 405 "$(http_code "http://$addr/readyz" -X PUT)" "PUT /readyz"

# Kafka down: not ready, and says why; alive still; ready again once up
for b in 1 2 3; do broker_ctl broker $b down; done
wait_for "/readyz 503 while Kafka is down" 20 http_code_is 503 "http://$addr/readyz"
body=$(curl -s --max-time 5 "http://$addr/readyz")
case "$body" in
    "not ready: Kafka not reachable: "*) ;;
    *) fail "body of /readyz while Kafka is down: '$body'" ;;
esac
assert_eq 200 "$(http_code "http://$addr/healthz")" "/healthz while Kafka is down"
for b in 1 2 3; do broker_ctl broker $b up; done
wait_for "/readyz 200 once Kafka is back" 30 http_code_is 200 "http://$addr/readyz"

# a second producer on the same address: a clear error at start, exit 1
rc=0
timeout --foreground -k 5 30 "$BUILD/tidemark-producer" -c "$CONF" run --once \
    >/dev/null 2>"$T_WORK/second.log" || rc=$?
assert_eq 1 "$rc" "exit status of a producer whose metrics port is in use"
grep -q "metrics.listen $addr: Address already in use" "$T_WORK/second.log" ||
    fail "no 'address in use' error naming metrics.listen: $(cat "$T_WORK/second.log")"

# SIGTERM: the producer and its HTTP thread stop, exit 0, the port is free
stop_follow_producer
assert_eq 000 "$(http_code "http://$addr/healthz")" "an answer after the producer stopped"
log "ok"
