#!/usr/bin/env bash
# t_worker_map_key_nul: crafted events (the producer dead-letters \u0000
# in a key itself) whose map field, a jsonb column, has KEYS holding
# U+0000. Event 951's keys "a\0x" and "a\0y" were stored as {"a": "2"}:
# avro-c keeps map keys as C strings, so one member was lost and the other
# renamed, without a word, while the topic holds both. The worker now
# dead-letters it, as it does a map VALUE holding U+0000 (event 952).
# (Found by helper 116.)
# brokers: mock
. "$(dirname "$0")/lib.sh"

SCHEMA="$T_WORK/customer-attrs.avsc"
jq '.fields += [{"name": "attrs", "type": ["null", {"type": "map", "values": "string"}], "default": null}]' \
    "$REPO/schemas/customer.avsc" >"$SCHEMA"

start_devbroker
start_demoapi --records 5
write_config
topic="$PREFIX.$STREAM"
first_sync
wait_caught_up 30

"$BUILD/tidemark-producer" -c "$CONF" schema --stream "$STREAM" >"$T_WORK/event.avsc" || fail "schema"
kc -C -t "$topic" -p 0 -o 0 -c 1 -f '%s' >"$T_WORK/header.bin" || fail "kcat could not read $topic"
now=$(now_ms)
ev() { # ID ATTRS_JSON
    cat >"$T_WORK/ev$1.json" <<JSON
{"op": "UPSERT", "id": "$1", "source_ts": $now, "run_id": "crafted", "full_sync": false,
 "produced_at": $now, "after": {"id": $1, "name": "M$1", "email": "m$1@example.com",
 "country": "DE", "balance": "01f4", "tier": "gold", "phone": null, "signup_date": null,
 "is_deleted": false, "last_modified": $now, "attrs": $2}}
JSON
    python3 "$REPO/tests/integration/fixtures/craft_event.py" "$T_WORK/event.avsc" \
        "$T_WORK/header.bin" "$T_WORK/ev$1.json" >"$T_WORK/ev$1.bin" || fail "craft_event.py"
    kc -P -t "$topic" -p 0 -k "$1" "$T_WORK/ev$1.bin" || fail "kcat could not produce event $1"
}
ev 950 '{"plain": "ok"}'
ev 951 '{"a\u0000x": "1", "a\u0000y": "2"}'
ev 952 '{"k": "v\u0000w"}'

handled() {
    local n
    n=$(($(psql_value "select count(*) from $TABLE where id >= 950") + $(topic_count "$PREFIX.dlq")))
    [ "$n" -ge 3 ]
}
wait_for "events 950-952 applied or dead-lettered" 30 handled
wait_caught_up 30
log "rows: $(psql_value "select id || ' ' || coalesce(attrs::text, 'NULL') from $TABLE where id >= 950 order by id" | paste -sd'|')"
dlq_lines >"$T_WORK/dlq.txt"
log "dlq: $(cat "$T_WORK/dlq.txt")"
assert_eq '{"plain": "ok"}' "$(psql_value "select attrs::text from $TABLE where id = 950")" "row 950's attrs"
assert_eq 0 "$(psql_value "select count(*) from $TABLE where id = 952")" "row 952 (a map value with U+0000)"
assert_eq 0 "$(psql_value "select count(*) from $TABLE where id = 951")" \
    "row 951 (map keys 'a\\0x' and 'a\\0y'; stored as: $(psql_value "select attrs::text from $TABLE where id = 951"))"
assert_eq 2 "$(topic_count "$PREFIX.dlq")" "dead letters (951 and 952)"
grep -q "a map key holds a NUL byte" "$T_WORK/dlq.txt" || fail "no dead letter says why: $(cat "$T_WORK/dlq.txt")"
stop_worker
log "ok"
