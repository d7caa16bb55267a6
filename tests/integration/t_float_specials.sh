#!/usr/bin/env bash
# t_float_specials: NaN, Infinity and -Infinity in double and float fields
# (PostgreSQL's double precision and real accept them) are stored, not
# dead-lettered. JSON cannot carry them, so the events are crafted with
# the stream's schema and produced with kcat.
. "$(dirname "$0")/lib.sh"

SCHEMA="$T_WORK/customer-floats.avsc"
jq '.fields += [{"name": "score", "type": ["null", "double"], "default": null},
                {"name": "ratio", "type": ["null", "float"], "default": null}]' \
    "$REPO/schemas/customer.avsc" >"$SCHEMA"

start_devbroker
start_demoapi --records 10
write_config
topic="$PREFIX.$STREAM"
first_sync
wait_caught_up 30

"$BUILD/tidemark-producer" -c "$CONF" schema --stream "$STREAM" >"$T_WORK/event.avsc" || fail "schema"
kc -C -t "$topic" -p 0 -o 0 -c 1 -f '%s' >"$T_WORK/header.bin" || fail "kcat could not read $topic"
now=$(now_ms)
i=0
for v in NaN Infinity -Infinity; do
    i=$((i + 1))
    id=$((900 + i))
    cat >"$T_WORK/ev$i.json" <<JSON
{"op": "UPSERT", "id": "$id", "source_ts": $now, "run_id": "crafted", "full_sync": false,
 "produced_at": $now, "after": {"id": $id, "name": "F$i", "email": "f$i@example.com",
 "country": "DE", "balance": "01f4", "tier": "gold", "phone": null, "signup_date": null,
 "is_deleted": false, "last_modified": $now, "score": $v, "ratio": $v}}
JSON
    python3 "$REPO/tests/integration/fixtures/craft_event.py" "$T_WORK/event.avsc" \
        "$T_WORK/header.bin" "$T_WORK/ev$i.json" >"$T_WORK/ev$i.bin" || fail "craft_event.py"
    kc -P -t "$topic" -p 0 -k "$id" "$T_WORK/ev$i.bin" || fail "kcat could not produce event $id"
done

three_rows() { [ "$(psql_value "select count(*) from $TABLE where id > 900")" = 3 ]; }
wait_for "the three crafted rows" 30 three_rows
assert_eq "901 NaN NaN|902 Infinity Infinity|903 -Infinity -Infinity" \
    "$(psql_value "select id || ' ' || score::text || ' ' || ratio::text from $TABLE where id > 900 order by id" | paste -sd'|')" \
    "score and ratio of the crafted rows"
assert_eq "double precision real" \
    "$(psql_value "select data_type from information_schema.columns where table_name = '$TABLE'
                   and column_name in ('score', 'ratio') order by column_name desc" | paste -sd' ')" "column types"
assert_eq 0 "$(topic_count "$PREFIX.dlq")" "messages on $PREFIX.dlq"
stop_worker
log "ok"
