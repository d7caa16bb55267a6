#!/usr/bin/env bash
# t_schema_incompatible: a field changes type in a way Avro does not
# resolve (country: string -> int). The worker refuses to start: exit 2
# with a message that names the field and both types; the table is left
# as it was.
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
log "ok"
