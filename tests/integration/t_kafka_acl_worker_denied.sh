#!/usr/bin/env bash
# t_kafka_acl_worker_denied: the broker refuses User:tm Describe, or Read,
# on the stream topic (an ACL the operator got wrong), after a first sync;
# or Describe on <prefix>.sync-runs; the producer published a run before
# the refusal. The worker can apply nothing of it, and librdkafka says so
# once and then retries in silence: /readyz must turn "not ready", naming
# the topic and the refusal, not stay "ready" while the run stays
# "running" for ever; the worker repeats its warning about once a minute.
# Once the ACL allows it again, the same worker (no restart) turns ready,
# completes the run, and the table equals the API.
# brokers: kafka
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/metrics_lib.sh"
. "$(dirname "$0")/lib_acl.sh"

start_acl_broker
start_demoapi --records 50
MPORT=$(free_port)
sasl_config tmpw "worker: metrics.listen = 127.0.0.1:$MPORT"
first_sync
stop_worker

readyz() { curl -s --max-time 5 "http://127.0.0.1:$MPORT/readyz"; }
not_ready() { [ "$(http_code "http://127.0.0.1:$MPORT/readyz")" = 503 ]; }
is_ready() { [ "$(http_code "http://127.0.0.1:$MPORT/readyz")" = 200 ]; }
problems=()
for c in "Describe $PREFIX.$STREAM" "Read $PREFIX.$STREAM" "Describe $PREFIX.sync-runs"; do
    read -r op topic <<<"$c"
    api_post "/admin/update?ids=3,13,23" >/dev/null || fail "admin update"
    run_producer_once
    r=$(last_run_field run_id)
    acl_deny --operation "$op" --topic "$topic"
    n0=$(grep -c 'msg="partitions assigned"' "$T_WORK/worker-w1.log" 2>/dev/null)
    start_worker
    # the worker in its group (its assignment logged), then up to 40 s for
    # /readyz to say it is not ready
    assigned() { [ "$(grep -c 'msg="partitions assigned"' "$T_WORK/worker-w1.log")" -gt "$n0" ]; }
    wait_for "the worker's assignment" 60 assigned
    # and past "has not joined its group yet" (the member id is taken in
    # within 2 s of an assignment)
    wait_for "the worker's /readyz past 'not joined'" 30 eval '! readyz | grep -q "not joined"'
    t0=$(now_ms)
    until not_ready || [ $(($(now_ms) - t0)) -ge 40000 ]; do sleep 0.5; done
    state=$(readyz)
    warns=$(awk '/^---- start/ { n = 0 } /level=warn.*authoriz/ { n++ } END { print n + 0 }' "$T_WORK/worker-w1.log")
    # the run's row comes from its record on sync-runs, which the worker
    # may not have read yet when /readyz turns at once: up to 20 s for it
    t1=$(now_ms)
    until [ -n "$(run_status "$r")" ] || [ $(($(now_ms) - t1)) -ge 20000 ]; do sleep 0.5; done
    status=$(run_status "$r")
    log "$op on $topic denied: /readyz after $((($(now_ms) - t0) / 1000))s: '$state'; warnings naming it: $warns; run $r: $status"
    if ! not_ready; then
        problems+=("$op on $topic denied: /readyz still '$state' after 40 s, run $r '$status', $warns warning(s) naming the refusal")
    else
        case "$state" in
            *"$topic"*AUTHORIZATION_FAILED*) ;;
            *) problems+=("$op on $topic denied: /readyz '$state' names neither the topic nor the refusal") ;;
        esac
        [ "$status" = running ] || problems+=("$op on $topic denied: run $r '$status', not running")
    fi
    # while it stands the worker says so again, about once a minute (once
    # is enough to check: it costs a minute)
    if [ "$op" = Read ]; then
        repeated() { grep 'msg="Kafka still refuses the topic' "$T_WORK/worker-w1.log" | grep -q "topic=$topic "; }
        t0=$(now_ms)
        until repeated || [ $(($(now_ms) - t0)) -ge 75000 ]; do sleep 1; done
        repeated || problems+=("$op on $topic denied: the warning was not repeated within 75 s")
    fi
    acl_undeny --operation "$op" --topic "$topic"
    # the same worker: librdkafka sees the topic at its next metadata
    # refresh (10 s) or fetch retry, and the first message or end of
    # partition of it clears the refusal
    wait_for "the worker's /readyz ready again after the ACL is fixed on $topic" 60 is_ready
    wait_run_completed "$r" 60
    assert_table_equals_api
    stop_worker
done
[ ${#problems[@]} -eq 0 ] || fail "$(printf '%s\n' "${problems[@]}")"
