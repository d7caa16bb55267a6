#!/usr/bin/env bash
# t_schema_incompatible: a field changes type in a way Avro does not
# resolve (country: string -> int). The worker refuses to start: exit 2
# with a message that names the field and both types; the table is left
# as it was. The same for a change of logical type that keeps the
# fingerprint (last_modified: timestamp-millis -> local-timestamp-millis,
# timestamptz -> timestamp): old events would otherwise be read with the
# new meaning (the schemas topic's schema of that fingerprint refuses it
# first).
. "$(dirname "$0")/lib.sh"

V2="$T_WORK/customer-country-int.avsc"
jq '.fields |= map(if .name == "country" then .type = "int" else . end)' \
    "$REPO/schemas/customer.avsc" >"$V2"

start_devbroker
start_demoapi --records 20
write_config
first_sync
stop_worker

SCHEMA=$V2 write_config
log="$T_WORK/worker-v2.log"
timeout --foreground -k 5 30 "$BUILD/tidemark-worker" -c "$CONF" run >"$T_WORK/worker-v2.out" 2>"$log"
rc=$?
log "worker with the incompatible schema exited with status $rc"
tail -n 3 "$log"
assert_eq 2 "$rc" "exit status of the worker whose schema changed a type incompatibly"
line=$(grep 'level=error' "$log" | grep "country" | tail -n1)
[ -n "$line" ] || fail "no error line names the field 'country'"
for want in "field 'country'" "text" "int" "integer"; do
    grep -qF "$want" <<<"$line" || fail "the error does not say '$want': $line"
done
assert_eq text "$(psql_value "select data_type from information_schema.columns
                              where table_name = '$TABLE' and column_name = 'country'")" "type of country afterwards"
V3="$T_WORK/customer-local-ts.avsc"
jq '.fields |= map(if .name == "last_modified" then .type.logicalType = "local-timestamp-millis" else . end)' \
    "$REPO/schemas/customer.avsc" >"$V3"
SCHEMA=$V3 write_config
timeout --foreground -k 5 30 "$BUILD/tidemark-worker" -c "$CONF" run >"$T_WORK/worker-v3.out" 2>"$log"
assert_eq 2 "$?" "exit status of the worker whose schema made a timestamp local"
# refused at the schemas topic (t_schema_same_fingerprint), before the table
line=$(grep "last_modified" "$log" | tail -n1)
for want in "field 'last_modified'" "timestamp-millis" "local-timestamp-millis"; do
    grep -qF "$want" <<<"$line" || fail "the error does not say '$want': $line"
done
assert_eq "timestamp with time zone" "$(psql_value "select data_type from information_schema.columns
    where table_name = '$TABLE' and column_name = 'last_modified'")" "type of last_modified afterwards"
log "ok"
