#!/usr/bin/env bash
# t_kafka_quota_throttled: a produce quota (producer_byte_rate) on User:tm
# small enough that the broker throttles the producer until its deliveries
# time out (message.timeout.ms = 10 s here). `run --once` exits 1 with the
# checkpoint kept (correct), but its log said only "Message timed out":
# nothing said the broker throttled it. librdkafka's throttle callback now
# logs a warning (at most every 30 s) naming the client and the broker.
# brokers: kafka
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_acl.sh"

start_acl_broker
start_demoapi --records 100
sasl_config tmpw "kafka: message.timeout.ms = 10000"
kafka_tool configs --alter --add-config producer_byte_rate=300 --entity-type users --entity-name tm \
    >>"$T_WORK/acl.log" 2>&1 || fail "could not set the quota"
log "quota: producer_byte_rate=300 for User:tm"
t0=$(now_ms)
run_producer_once_rc 1
err=$(last_failed_line)
log "exit 1 after $((($(now_ms) - t0) / 1000))s: ${err#*msg=}"
rec=$(last_run_record)
assert_eq failed "$(jq -r .status <<<"$rec")" "status of the latest run record"
assert_eq null "$(jq -c .hwm.value <<<"$rec")" "hwm of the failed first run (no checkpoint)"
grep -q 'level=warn msg="the broker throttles this client.s requests' "$PRODUCER_LAST_LOG" ||
    fail "the producer was throttled by a quota until its deliveries timed out, and no log line says so: ${err#*error=}"
