#!/usr/bin/env bash
# t_schema_same_fingerprint_earlier: <prefix>.schemas holds two meanings
# under one fingerprint's key - timestamp-millis, then timestamp-micros
# for last_modified (an older build published both: the Parsing Canonical
# Form leaves logical types out, so the key stays). Both programs kept
# only a key's latest value and compared their schema with it alone: on
# the micros schema both ran on, and a replay read the events written
# under the earlier millis value as micros (1970 dates). Every value the
# key still holds is compared now: the producer's run on micros fails
# before any event, and the worker on micros exits 2, each naming the
# field and the advice. The values are written here by hand, so no old
# build is needed (t_schema_same_fingerprint: the latest value alone).
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

# the millis value the producer published, then micros under its key, as
# an older producer on the micros schema would have published it
keys=$(kc -C -t "$PREFIX.schemas" -e -f '%k\n')
[ "$(wc -l <<<"$keys")" = 1 ] || fail "not one schema on $PREFIX.schemas: $keys"
key=$keys
[ ${#key} = 16 ] || fail "no fingerprint key on $PREFIX.schemas: '$key'"
kc -C -t "$PREFIX.schemas" -e -f '%s' | jq -c 'walk(if type == "object" and
        .name == "last_modified" and (.type | type) == "object" and
        .type.logicalType == "timestamp-millis"
    then .type.logicalType = "timestamp-micros" else . end)' >"$T_WORK/micros.json"
grep -qF '"timestamp-micros"' "$T_WORK/micros.json" || fail "no last_modified in the published schema"
kc -P -t "$PREFIX.schemas" -k "$key" "$T_WORK/micros.json"
assert_eq 2 "$(topic_count "$PREFIX.schemas")" "values on $PREFIX.schemas"
msgs_before=$(topic_count "$topic")

# micros is the key's latest value: only the earlier millis one refuses it
SCHEMA=$V2 write_config
api_post "/admin/update?ids=3" >/dev/null || fail "admin update"
run_producer_once_rc 1
line=$(last_failed_line)
for want in "another meaning" "($key)" "field 'last_modified'" "timestamp-millis" \
    "timestamp-micros" "give the field a new name"; do
    grep -qF "$want" <<<"$line" || fail "the producer's error does not say '$want': $line"
done
assert_eq "$msgs_before" "$(topic_count "$topic")" "messages on the topic after the refused run"
assert_eq 2 "$(topic_count "$PREFIX.schemas")" "values on $PREFIX.schemas after the refused run"

log_f="$T_WORK/worker-v2.log"
timeout --foreground -k 5 30 "$BUILD/tidemark-worker" -c "$CONF" run >/dev/null 2>"$log_f"
assert_eq 2 "$?" "exit status of the worker on micros, a key that held millis first"
line=$(grep -F "[stream $STREAM] schema" "$log_f" | tail -n1)
for want in "another meaning" "($key)" "field 'last_modified'" "timestamp-millis" \
    "timestamp-micros" "give the field a new name"; do
    grep -qF "$want" <<<"$line" || fail "the worker's error does not say '$want': $(tail -n 3 "$log_f")"
done
log "ok"
