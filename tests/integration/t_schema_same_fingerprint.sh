#!/usr/bin/env bash
# t_schema_same_fingerprint: the schema's last_modified goes from
# timestamp-millis to timestamp-micros. The Parsing Canonical Form leaves
# logical types out, so the fingerprint stays, and every event already on
# the topic was taken for one of the new schema: a replay read its
# milliseconds as microseconds (1970 dates), a worker still on millis
# read the new events a thousand times too late, and nothing refused it.
# Both programs now compare what <prefix>.schemas holds under their
# fingerprint with their own schema: the producer's run fails before any
# event, and a worker restarted first (as the README says) exits 2, each
# naming the field. Back on the old schema, both run on. A stranger's
# message under that fingerprint's key is no schema of ours: both skip it.
# brokers: mock
. "$(dirname "$0")/lib.sh"

V2="$T_WORK/customer-micros.avsc"
jq '.fields |= map(if .name == "last_modified" then .type.logicalType = "timestamp-micros" else . end)' \
    "$REPO/schemas/customer.avsc" >"$V2"

start_devbroker
start_demoapi --records 20
write_config
first_sync
stop_worker
topic="$PREFIX.$STREAM"

# a stranger's value under our fingerprint's key is not our schema: skipped
# by both, as the worker always did (the producer refused every run)
key=$(kc -C -t "$PREFIX.schemas" -e -f '%k\n' | head -n1)
[ ${#key} = 16 ] || fail "no fingerprint key on $PREFIX.schemas: '$key'"
printf '%s\n' '{"type":"string"}' | kc -P -t "$PREFIX.schemas" -k "$key"
api_post "/admin/update?ids=4" >/dev/null || fail "admin update"
run_producer_once
msgs_before=$(topic_count "$topic")

SCHEMA=$V2 write_config
api_post "/admin/update?ids=3" >/dev/null || fail "admin update"
run_producer_once_rc 1
line=$(last_failed_line)
for want in "another meaning" "field 'last_modified'" "timestamp-millis" "timestamp-micros" \
    "give the field a new name"; do
    grep -qF "$want" <<<"$line" || fail "the producer's error does not say '$want': $line"
done
assert_eq "$msgs_before" "$(topic_count "$topic")" "messages on the topic after the refused run"

log_f="$T_WORK/worker-v2.log"
timeout --foreground -k 5 30 "$BUILD/tidemark-worker" -c "$CONF" run >/dev/null 2>"$log_f"
assert_eq 2 "$?" "exit status of the worker whose schema swapped millis for micros"
line=$(grep -F "[stream $STREAM] schema" "$log_f" | tail -n1)
for want in "another meaning" "field 'last_modified'" "timestamp-micros"; do
    grep -qF "$want" <<<"$line" || fail "the worker's error does not say '$want': $(tail -n 3 "$log_f")"
done

write_config
run_producer_once
start_worker
wait_run_completed "$(last_run_field run_id)" 60
# run 2's update is on another partition than run 4's: wait for all of them
wait_caught_up
assert_table_equals_api
log "ok"
