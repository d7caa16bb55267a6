#!/usr/bin/env bash
# t_event_too_large: a record whose change event is larger than Kafka's
# message limit (librdkafka's message.max.bytes, 1,000,000 by default) goes
# to the DLQ (its id, the reason, and a copy cut to fit) and the run goes on;
# it used to fail every run with "Message size too large". The next run
# neither dead-letters it again nor fails.
. "$(dirname "$0")/lib.sh"

start_devbroker
start_hostileapi "$REPO/tests/integration/fixtures/api_huge_record.py"
write_config "stream: -deleted.url"

run_producer_once
run_id=$(last_run_field run_id)
assert_eq 4 "$(last_run_field published)" "events published"
assert_eq 1 "$(last_run_field failed)" "records dead-lettered"

# The dead letter: key = the id, a reason that names the limit, a copy that
# fits, and the original size.
dlq=$(kc -C -t "$PREFIX.dlq" -e -f '%k\t%S\t%h\n')
assert_eq 1 "$(wc -l <<<"$dlq")" "messages on the DLQ"
IFS=$'\t' read -r key size headers <<<"$dlq"
assert_eq 5 "$key" "key of the dead letter"
case "$headers" in
    *"tidemark.error="*"message.max.bytes"*) ;;
    *) fail "the dead letter's reason does not name message.max.bytes: $headers" ;;
esac
case "$headers" in
    *"tidemark.truncated=true"*) ;;
    *) fail "the dead letter is not marked truncated: $headers" ;;
esac
original=$(tr ',' '\n' <<<"$headers" | sed -n 's/^tidemark.original_size=//p')
[ "$original" -gt 1500000 ] || fail "tidemark.original_size is $original, not the record's size"
[ "$size" -gt 900000 ] && [ "$size" -lt 1000000 ] ||
    fail "the dead letter's copy is $size bytes: not cut to fit under 1,000,000"

start_worker w1
wait_run_completed "$run_id" 60
assert_eq "1 2 3 4" "$(psql_value "select string_agg(id::text, ' ' order by id) from $TABLE")" \
    "rows applied"

# The next run skips it at the HWM like any record already handled.
run_producer_once
assert_eq 0 "$(last_run_field failed)" "records dead-lettered by the next run"
assert_eq 1 "$(topic_count "$PREFIX.dlq")" "messages on the DLQ after the next run"
