#!/usr/bin/env bash
# t_logical_types: the logical types uuid, time-millis/micros and
# local-timestamp-millis/micros land in columns of type uuid, time and
# timestamp (without time zone) with exact values: a uuid normalised to
# lower case, a time from "HH:MM:SS[.f]" or milliseconds after midnight, a
# local timestamp from ISO text without an offset or epoch milliseconds. A
# value in none of these forms (a uuid in braces, 24:00:00, a leap second,
# a local timestamp with an offset) is on <prefix>.dlq with the reason, and
# the rest of the page is applied. Inside a record stored as jsonb, the
# same logical types (and a decimal, a timestamp, a date) keep their meaning:
# a decimal string, not base64; ISO text; a uuid's text; times as
# HH:MM:SS.fff. The API is fixtures/logical_types_api.py.
. "$(dirname "$0")/lib.sh"

SCHEMA="$T_WORK/customer-logical.avsc"
jq '.fields += [
    {"name": "ext_id", "type": ["null", {"type": "string", "logicalType": "uuid"}], "default": null},
    {"name": "opens", "type": ["null", {"type": "int", "logicalType": "time-millis"}], "default": null},
    {"name": "opens_us", "type": ["null", {"type": "long", "logicalType": "time-micros"}], "default": null},
    {"name": "local_at", "type": ["null", {"type": "long", "logicalType": "local-timestamp-millis"}], "default": null},
    {"name": "local_us", "type": ["null", {"type": "long", "logicalType": "local-timestamp-micros"}], "default": null},
    {"name": "extra", "type": ["null", {"type": "record", "name": "Extra", "fields": [
        {"name": "price", "type": {"type": "bytes", "logicalType": "decimal", "precision": 6, "scale": 2}},
        {"name": "at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
        {"name": "day", "type": {"type": "int", "logicalType": "date"}},
        {"name": "ref", "type": {"type": "string", "logicalType": "uuid"}},
        {"name": "opens", "type": {"type": "array", "items": {"type": "int", "logicalType": "time-millis"}}},
        {"name": "local", "type": ["null", {"type": "long", "logicalType": "local-timestamp-micros"}]}]}],
     "default": null}]' \
    "$REPO/schemas/customer.avsc" >"$SCHEMA" || fail "could not write $SCHEMA"

start_devbroker
start_hostileapi "$REPO/tests/integration/fixtures/logical_types_api.py"
write_config
dlq="$PREFIX.dlq"

run_producer_once
run1=$(last_run_field run_id)
assert_eq 3 "$(last_run_field published)" "events published"
assert_eq 7 "$(last_run_field failed)" "records dead-lettered"
start_worker
wait_run_completed "$run1" 60

types=$(psql_value "select string_agg(column_name || '=' || data_type, ',' order by column_name)
                    from information_schema.columns where table_name = '$TABLE'
                    and column_name in ('ext_id', 'opens', 'opens_us', 'local_at', 'local_us')")
assert_eq "ext_id=uuid,local_at=timestamp without time zone,local_us=timestamp without time zone,opens=time without time zone,opens_us=time without time zone" \
    "$types" "column types"
row() { psql_value "select concat_ws('|', ext_id, opens, opens_us, local_at, local_us) from $TABLE where id = $1"; }
assert_eq "0f8fad5b-d9cb-469f-a165-70867728950e|08:30:00.5|23:59:59.999999|2026-11-25 12:00:00.123|2026-11-25 23:59:59.000001" \
    "$(row 1)" "row 1"
assert_eq "00000000-0000-0000-0000-000000000000|00:00:00|23:59:59.999|1970-01-01 00:00:00|0001-01-01 00:00:00" \
    "$(row 2)" "row 2 (edge values; numbers are milliseconds)"
assert_eq "" "$(row 3)" "row 3 (all null)"
assert_eq 3 "$(psql_value "select count(*) from $TABLE")" "rows"
assert_eq '{"at": "2026-11-25T11:00:00.500Z", "day": "2026-11-25", "ref": "0f8fad5b-d9cb-469f-a165-70867728950e", "local": "2026-11-25T12:00:00.000001", "opens": ["08:30:00.000", "00:00:00.000"], "price": "12.50"}' \
    "$(psql_value "select extra::text from $TABLE where id = 1")" "row 1's jsonb of nested logical types"
assert_eq "12.50" "$(psql_value "select (extra->>'price')::numeric from $TABLE where id = 1")" "nested decimal as numeric"

declare -A reason=(
    [4]="field 'ext_id': '{0f8fad5b-d9cb-469f-a165-70867728950e}' is not a UUID (8-4-4-4-12 hex digits)"
    [5]="field 'opens': '24:00:00': hour out of range (00-23; 24:00:00 is not taken)"
    [6]="field 'opens_us': '23:59:60': a leap second (:60) is not a time of day"
    [7]="field 'local_at': '2026-11-25T12:00:00Z' has a UTC offset: a local timestamp takes none"
    [8]="field 'local_us': '2026-11-25T12:00:00+02:00' has a UTC offset: a local timestamp takes none"
    [9]="field 'extra.price': '1.234' has more than 2 decimal places"
    [10]="field 'extra.opens[1]': '24:00:00': hour out of range (00-23; 24:00:00 is not taken)"
)
kc -C -t "$dlq" -e -f '%k\t%h\n' >"$T_WORK/dlq.txt" || fail "kcat could not read $dlq"
assert_eq 7 "$(wc -l <"$T_WORK/dlq.txt")" "messages on $dlq"
for key in "${!reason[@]}"; do
    grep "^$key"$'\t' "$T_WORK/dlq.txt" | matches -F "tidemark.error=${reason[$key]}" ||
        fail "dead letter $key: not '${reason[$key]}': $(grep "^$key"$'\t' "$T_WORK/dlq.txt")"
done
# Downstream: the events decode with a standard Avro library (fastavro),
# which reads the logical types as UUID, time and naive datetime.
if [ -x "$BUILD/venv/bin/python" ] && "$BUILD/venv/bin/python" -c 'import fastavro' 2>/dev/null; then
    "$BUILD/tidemark-producer" -c "$CONF" schema --stream "$STREAM" >"$T_WORK/event.avsc" || fail "schema"
    kc -C -t "$PREFIX.$STREAM" -e -f '%S %s' >"$T_WORK/values.bin" || fail "kcat could not read the topic"
    "$BUILD/venv/bin/python" "$REPO/tests/integration/fixtures/decode_logical.py" "$T_WORK/event.avsc" \
        <"$T_WORK/values.bin" | sort >"$T_WORK/decoded.txt" || fail "fastavro could not decode the events"
    assert_eq "1 UUID('0f8fad5b-d9cb-469f-a165-70867728950e') datetime.time(8, 30, 0, 500000) datetime.time(23, 59, 59, 999999) datetime.datetime(2026, 11, 25, 12, 0, 0, 123000) datetime.datetime(2026, 11, 25, 23, 59, 59, 1) UUID('0f8fad5b-d9cb-469f-a165-70867728950e') [datetime.time(8, 30), datetime.time(0, 0)]" \
        "$(head -n1 "$T_WORK/decoded.txt")" "event 1 as fastavro decodes it"
    assert_eq 3 "$(wc -l <"$T_WORK/decoded.txt")" "events fastavro decoded"
else
    log "no $BUILD/venv with fastavro: the downstream decoding check is not run"
fi
stop_worker
log "ok"
