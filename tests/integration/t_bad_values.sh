#!/usr/bin/env bash
# t_bad_values: one bad value must not block a stream, and numbers are
# exact. The API (fixtures/bad_values_api.py) serves one page mixing good
# records with a Latin-1 byte, \u0000, a lone surrogate, NaN, an id beyond
# int64, 1e400 in the decimal field, and an integer beyond int64 and 1e400
# in members the schema ignores; its deleted endpoint serves an item with
# a Latin-1 byte. The first page is full (page.size = 10 records, good and
# bad), so the walk goes on to page 2. The run completes: each bad record
# is on <prefix>.dlq
# (key = its id, its raw bytes or exact JSON, the reason in
# tidemark.error), the good ones are rows with exact values (a decimal sent
# as a JSON number keeps every digit), and the next run neither
# dead-letters them again nor gets stuck.
. "$(dirname "$0")/lib.sh"

SCHEMA="$T_WORK/customer-decimal38.avsc"
jq '(.fields[] | select(.name == "balance") | .type) |= (.precision = 38 | .scale = 10)' \
    "$REPO/schemas/customer.avsc" >"$SCHEMA" || fail "could not write $SCHEMA"

start_devbroker
start_hostileapi "$REPO/tests/integration/fixtures/bad_values_api.py" "$T_WORK"
write_config "stream: page.size = 10"
dlq="$PREFIX.dlq"

run_producer_once
run1=$(last_run_field run_id)
assert_eq 4 "$(last_run_field published)" "events published by run 1"
assert_eq 8 "$(last_run_field failed)" "records dead-lettered by run 1"
assert_eq completed "$(last_run_record | jq -r .status)" "status of run 1's record"
assert_eq 8 "$(last_run_record | jq -r .failed_records)" "failed_records of run 1's record"
assert_eq 8 "$(topic_count "$dlq")" "messages on $dlq"

# Each dead letter: its key, its reason, where it came from, its value.
declare -A reason=(
    [2]="invalid UTF-8 (byte 0xe9) at offset 19 of the record"
    [3]='\u0000 in a string at offset 17 of the record'
    [4]='lone surrogate \ud800 at offset 16 of the record'
    [9]="invalid value 'NaN' at offset 72 of the record"
    [8]="field 'balance': 1e400 does not fit decimal(38,10)"
    [99999999999999999999]="field 'id': 99999999999999999999 is out of range for long"
    [7]="invalid UTF-8 (byte 0xe9) at offset 59 of the record"
    [10]="invalid UTF-8 (byte 0xe9) at offset 100017 of the record (value cut to its first 65536 of 100195 bytes)"
)
value="$T_WORK/dlq.value"
kc -C -t "$dlq" -e -f '%o\t%k\t%h\n' >"$T_WORK/dlq.txt" || fail "kcat could not read $dlq"
seen=""
while IFS=$'\t' read -r off key hdrs; do
    [ -n "${reason[$key]+x}" ] || fail "unexpected dead letter key '$key' (headers: $hdrs)"
    case "$hdrs" in
        *"tidemark.error=${reason[$key]}"*) ;;
        *) fail "dead letter $key: tidemark.error is not '${reason[$key]}' (headers: $hdrs)" ;;
    esac
    case "$key,$hdrs" in
        "7,"*"tidemark.source=$API_URL/customers/deleted"*) ;;
        "7,"*) fail "dead letter 7 does not name the deleted endpoint (headers: $hdrs)" ;;
        *"tidemark.source=$API_URL/customers?"*) ;;
        *) fail "dead letter $key: tidemark.source is not the page's URL (headers: $hdrs)" ;;
    esac
    kc -C -t "$dlq" -p 0 -o "$off" -c 1 -e -f '%s' >"$value.$key" ||
        fail "kcat could not read offset $off of $dlq"
    case "$key" in
        8) # failed conversion: the record's JSON, its number as sent
            grep -qF '"id":8,' "$value.8" && grep -qF '"balance":1e400,' "$value.8" ||
                fail "dead letter 8 does not hold its number as sent: $(cat "$value.8")" ;;
        99999999999999999999)
            grep -qF '"id":99999999999999999999,' "$value.$key" ||
                fail "dead letter $key does not hold its exact id: $(cat "$value.$key")" ;;
        10) assert_eq 65536 "$(wc -c <"$value.10")" "size of dead letter 10"
            cmp -s -n 65536 "$T_WORK/raw.10" "$value.10" ||
                fail "dead letter 10 is not the first 64 KiB of the record" ;;
        *) cmp -s "$T_WORK/raw.$key" "$value.$key" ||
               fail "dead letter $key is not the raw record: $(od -c "$value.$key" | head -n 5)" ;;
    esac
    seen+="$key "
done <"$T_WORK/dlq.txt"
assert_eq "10 2 3 4 7 8 9 99999999999999999999" \
    "$(printf '%s\n' $seen | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//')" "keys on $dlq"
log "a dead letter: $(grep -aP '^\d+\t2\t' "$T_WORK/dlq.txt")"

# The good records are rows, with every digit.
start_worker
wait_run_completed "$run1" 60
assert_eq "1 5 6 11" \
    "$(psql_value "select string_agg(id::text, ' ' order by id) from customers where not _deleted")" \
    "live rows"
assert_eq 0 "$(psql_value "select count(*) from customers where _deleted")" "deleted rows"
assert_eq "12345678901234567.8900000000" \
    "$(psql_value "select balance::text from customers where id = 1")" \
    "balance sent as the JSON number 12345678901234567.89"

# The next run serves the same page: nothing is dead-lettered again, nothing
# re-published, and the run completes.
hwm1=$(last_run_record | jq -c .hwm.value)
run_producer_once
assert_eq 0 "$(last_run_field published)" "events published by run 2"
assert_eq 0 "$(last_run_field failed)" "records dead-lettered by run 2"
assert_eq completed "$(last_run_record | jq -r .status)" "status of run 2's record"
assert_eq "$hwm1" "$(last_run_record | jq -c .hwm.value)" "HWM after run 2"
assert_eq 8 "$(topic_count "$dlq")" "messages on $dlq after run 2"

stop_worker
log "ok"
