#!/usr/bin/env bash
# t_deleted_404: a deleted endpoint that fails for good (HTTP 404, not
# retried) must not keep the stream from checkpointing. The records'
# HWM advances once Kafka acknowledged them, the deleted HWM stays where
# it was, the run is `failed` with the reason and `run --once` exits 1;
# the next run publishes none of the records again (it fails the same
# way), and the worker applies what was published.
. "$(dirname "$0")/lib.sh"

start_devbroker
start_demoapi --records 300
write_config "stream: deleted.url = $API_URL/$STREAM/no-such-endpoint"
topic="$PREFIX.$STREAM"

api_max_ms()
{
    api_get /admin/records | jq -r '[.data[].last_modified] | max' |
        xargs -I{} date -u -d {} +%s%3N
}

check_failed_run()
{
    local line rec
    line=$(last_failed_line)
    log "failure logged: $line"
    case "$line" in
        *"published=$1 "*"error=\"deleted endpoint: GET $API_URL/$STREAM/no-such-endpoint"*"HTTP status 404"*) ;;
        *) fail "the failure line does not say published=$1 and 'deleted endpoint: GET ... HTTP status 404': $line" ;;
    esac
    rec=$(last_run_record)
    assert_eq failed "$(jq -r .status <<<"$rec")" "status of the run record"
    jq -e '.error | contains("deleted endpoint") and contains("404")' <<<"$rec" >/dev/null ||
        fail "the run record does not say why: $(jq -c .error <<<"$rec")"
    assert_eq "$(api_max_ms)" "$(date -u -d "$(jq -r .hwm.value <<<"$rec")" +%s%3N)" \
        "hwm of the failed run record (the records Kafka acknowledged)"
    assert_eq null "$(jq -r .deleted_hwm.value <<<"$rec")" "deleted_hwm of the failed run record (where it was)"
}

run_producer_once_rc 1
check_failed_run 300
msgs=$(topic_count "$topic")
[ "$msgs" -ge 300 ] || fail "only $msgs messages on $topic after the first run"

# The next run: nothing published again, the same failure.
api_post "/admin/update?ids=5,6" >/dev/null || fail "admin update"
run_producer_once_rc 1
check_failed_run 2
assert_eq $((msgs + 2)) "$(topic_count "$topic")" "messages after the second run (the 2 changes only)"

# The worker applies what the failed runs published.
start_worker
wait_caught_up 60
assert_table_equals_api
stop_worker
log "ok"
