#!/usr/bin/env bash
# t_dlq_producer: API records that cannot be converted to the stream's
# schema (here: a schema that wants a phone number, and records without
# one) go to <prefix>.dlq with headers tidemark.error, tidemark.stage =
# producer and tidemark.source (the URL); the run goes on, publishes and
# checkpoints the rest, and the worker applies it.
. "$(dirname "$0")/lib.sh"

SCHEMA="$T_WORK/customer-phone-required.avsc"
jq '(.fields[] | select(.name == "phone")) |= (.type = "string" | del(.default))' \
    "$REPO/schemas/customer.avsc" >"$SCHEMA" || fail "could not write $SCHEMA"

start_devbroker
start_demoapi --records 200
write_config
topic="$PREFIX.$STREAM"
dlq="$PREFIX.dlq"

nophone_ids() { api_get /admin/records | jq -r '.data[] | select(.phone == null) | .id' | sort -n; }
nophone_ids >"$T_WORK/nophone.1"
n_bad=$(wc -l <"$T_WORK/nophone.1")
[ "$n_bad" -gt 0 ] && [ "$n_bad" -lt 200 ] || fail "the demo data should hold some records without phone (got $n_bad)"

run_producer_once
run1=$(last_run_field run_id)
assert_eq "$n_bad" "$(last_run_field failed)" "records dead-lettered by the full run"
assert_eq "$((200 - n_bad))" "$(last_run_field published)" "events published by the full run"
assert_eq completed "$(last_run_record | jq -r .status)" "status of the latest run record"
assert_eq "$n_bad" "$(topic_count "$dlq")" "messages on $dlq"

# Each dead letter: the record's id as key, its JSON as payload, the headers.
kc -C -t "$dlq" -e -f '%k\t%h\t%s\n' >"$T_WORK/dlq.txt"
assert_eq "$(cat "$T_WORK/nophone.1")" "$(cut -f1 "$T_WORK/dlq.txt" | sort -n)" "keys on $dlq"
while IFS=$'\t' read -r k h v; do
    case ",$h," in
        *",tidemark.stage=producer,"*) ;;
        *) fail "dead letter $k: tidemark.stage is not producer (headers: $h)" ;;
    esac
    case ",$h" in
        *",tidemark.error="?*) ;;
        *) fail "dead letter $k: no tidemark.error (headers: $h)" ;;
    esac
    case "$h" in
        *"tidemark.source=$API_URL/$STREAM"*) ;;
        *) fail "dead letter $k: tidemark.source is not the API URL (headers: $h)" ;;
    esac
    assert_eq "$k" "$(jq -r .id <<<"$v")" "id in the payload of dead letter $k"
done <"$T_WORK/dlq.txt"
log "a dead letter: $(head -n1 "$T_WORK/dlq.txt")"

start_worker
wait_run_completed "$run1" 60
wait_caught_up 30

# The table holds exactly the records that have a phone.
has_phone() { awk -F'\t' '$7 != "\\N"'; }
api_records_tsv | has_phone >"$T_WORK/api.tsv"
table_records_tsv >"$T_WORK/table.tsv"
cmp -s "$T_WORK/api.tsv" "$T_WORK/table.tsv" || {
    _show_diff "records with a phone" "$T_WORK/api.tsv" "$T_WORK/table.tsv"
    fail "the table does not hold exactly the convertible records"
}

# The pipeline goes on: a later run publishes the good changes, dead-letters
# a bad one again, and the checkpoint advances past it.
bad=$(head -n1 "$T_WORK/nophone.1")
good=$(api_get /admin/records | jq -r '[.data[] | select(.phone != null) | .id][0:3] | join(",")')
hwm1=$(last_run_record | jq -c .hwm)
api_post "/admin/update?ids=$good,$bad" >/dev/null || fail "admin update"
run_producer_once
run2=$(last_run_field run_id)
assert_eq 3 "$(last_run_field published)" "events published by the incremental run"
assert_eq 1 "$(last_run_field failed)" "records dead-lettered by the incremental run"
assert_eq "$((n_bad + 1))" "$(topic_count "$dlq")" "messages on $dlq"
[ "$(last_run_record | jq -c .hwm)" != "$hwm1" ] || fail "the checkpoint did not advance past the dead-lettered record"
wait_run_completed "$run2" 60
api_records_tsv | has_phone >"$T_WORK/api.tsv"
table_records_tsv >"$T_WORK/table.tsv"
cmp -s "$T_WORK/api.tsv" "$T_WORK/table.tsv" || {
    _show_diff "records with a phone" "$T_WORK/api.tsv" "$T_WORK/table.tsv"
    fail "the table does not hold exactly the convertible records after the incremental run"
}

stop_worker
log "ok"
