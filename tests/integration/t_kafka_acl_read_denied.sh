#!/usr/bin/env bash
# t_kafka_acl_read_denied: the broker refuses User:tm Read on a topic
# the producer reads (<prefix>.sync-runs for its checkpoint, <prefix>.schemas
# before it publishes a schema, the stream topic in a full run's
# reconciliation scan). librdkafka says such a refusal once; the scan took
# it for a transient error and timed out 30 s later saying only "timed out
# reading ...". `run --once` now exits 1 at once, its error naming the
# refusal, and the checkpoint does not advance.
# brokers: kafka
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_acl.sh"

start_acl_broker
start_demoapi --records 50
sasl_config
run_producer_once
hwm0=$(last_run_record | jq -c .hwm)

problems=()
# case TOPIC [run ARGS] - Read on TOPIC denied, then `run --once ARGS`.
check_read_denied()
{
    local topic=$1 t0 secs err
    shift
    acl_deny --operation Read --topic "$topic"
    api_post "/admin/update?ids=3,13" >/dev/null || fail "admin update"
    t0=$(now_ms)
    run_producer_once_rc 1 "$@"
    secs=$((($(now_ms) - t0) / 1000))
    err=$(grep 'level=error' "$PRODUCER_LAST_LOG" | grep -v component=rdkafka | tail -n1)
    log "Read on $topic denied: exit 1 after ${secs}s: $err"
    grep -qi 'authoriz' <<<"$err" ||
        problems+=("Read on $topic denied: the error does not name the refusal (after ${secs}s): ${err#*msg=}")
    grep -qi 'timed out' <<<"$err" &&
        problems+=("Read on $topic denied: the run waited for a timeout (${secs}s): ${err#*msg=}")
    assert_eq "$hwm0" "$(last_run_record | jq -c .hwm)" "hwm of the latest run record after the refused run"
    acl_undeny --operation Read --topic "$topic"
}
check_read_denied "$PREFIX.sync-runs"
check_read_denied "$PREFIX.schemas"
check_read_denied "$PREFIX.$STREAM" --full

# once allowed again, the run goes through
run_producer_once
[ ${#problems[@]} -eq 0 ] || fail "$(printf '%s\n' "${problems[@]}")"
