#!/usr/bin/env bash
# t_huge_decimal: a decimal whose unscaled value is 60 KB (about 148,000
# digits: past PostgreSQL's numeric limits, and far past the column's
# precision) goes to <prefix>.dlq with the field named in the reason, at
# once: it does not stall the worker (it took 20 s of CPU before), and the
# event behind it on the same partition is applied.
. "$(dirname "$0")/lib.sh"

start_devbroker
start_demoapi --records 10
write_config
topic="$PREFIX.$STREAM"
first_sync
wait_caught_up 30

"$BUILD/tidemark-producer" -c "$CONF" schema --stream "$STREAM" >"$T_WORK/event.avsc" || fail "schema"
kc -C -t "$topic" -p 0 -o 0 -c 1 -f '%s' >"$T_WORK/header.bin" || fail "kcat could not read $topic"
now=$(now_ms)
craft()
{
    # craft ID BALANCE_HEX
    printf '{"op": "UPSERT", "id": "%s", "source_ts": %s, "run_id": "crafted", "full_sync": false,
 "produced_at": %s, "after": {"id": %s, "name": "D%s", "email": "d@example.com",
 "country": "DE", "balance": "%s", "tier": "gold", "phone": null, "signup_date": null,
 "is_deleted": false, "last_modified": %s}}' "$1" "$now" "$now" "$1" "$1" "$2" "$now" >"$T_WORK/ev$1.json"
    python3 "$REPO/tests/integration/fixtures/craft_event.py" "$T_WORK/event.avsc" \
        "$T_WORK/header.bin" "$T_WORK/ev$1.json" >"$T_WORK/ev$1.bin" || fail "craft_event.py"
}
craft 801 "$(head -c 61440 /dev/zero | tr '\0' 'Z' | od -An -v -tx1 | tr -d ' \n' | sed 's/^5a/1a/')"
craft 802 "01e23a" # 1234.50
[ "$(wc -c <"$T_WORK/ev801.bin")" -gt 61440 ] || fail "the crafted event is not 60 KB"

t0=$(now_ms)
kc -P -t "$topic" -p 2 -k 801 "$T_WORK/ev801.bin" || fail "kcat could not produce the huge event"
kc -P -t "$topic" -p 2 -k 802 "$T_WORK/ev802.bin" || fail "kcat could not produce the event after it"
dead_lettered() { [ "$(topic_count "$PREFIX.dlq")" -ge 1 ]; }
applied() { [ "$(psql_value "select balance::text from $TABLE where id = 802")" = 1234.50 ]; }
wait_for "the huge decimal on $PREFIX.dlq" 10 dead_lettered
wait_for "the event behind it applied" 10 applied
log "dead-lettered and the next event applied within $(($(now_ms) - t0)) ms"

kc -C -t "$PREFIX.dlq" -e -f '%k\t%h\n' >"$T_WORK/dlq.txt"
assert_eq 1 "$(wc -l <"$T_WORK/dlq.txt")" "messages on $PREFIX.dlq"
grep -q "^801"$'\t' "$T_WORK/dlq.txt" || fail "the dead letter is not the huge event: $(cat "$T_WORK/dlq.txt")"
grep -q "tidemark.error=[^,]*balance" "$T_WORK/dlq.txt" || fail "the reason does not name the field: $(cat "$T_WORK/dlq.txt")"
assert_eq 0 "$(psql_value "select count(*) from $TABLE where id = 801")" "rows for the huge event"
stop_worker
log "ok"
