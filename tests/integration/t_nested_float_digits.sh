#!/usr/bin/env bash
# t_nested_float_digits: a record field stored as jsonb holds an Avro
# float ("ratio") and an array of floats. The API sends 0.1 and [0.3, 2.2].
# The same value in a top-level float field lands as 0.1 (a real column);
# inside the jsonb it must read 0.1 too (the shortest text of the float the
# producer encoded), not 0.10000000149011612, the float widened to a
# double and printed with 17 digits: a query on extra->>'ratio' = '0.1'
# finds nothing, and every consumer of the column sees digits the API
# never sent.
. "$(dirname "$0")/lib.sh"

SCHEMA="$T_WORK/customer-float.avsc"
jq '.fields += [
    {"name": "ratio", "type": ["null", "float"], "default": null},
    {"name": "extra", "type": ["null", {"type": "record", "name": "Extra", "fields": [
        {"name": "ratio", "type": "float"},
        {"name": "more", "type": {"type": "array", "items": "float"}},
        {"name": "d", "type": "double"}]}], "default": null}]' \
    "$REPO/schemas/customer.avsc" >"$SCHEMA" || fail "could not write $SCHEMA"

cat >"$T_WORK/api.py" <<'PY'
def handle(req):
    if req.path == "/customers/deleted":
        return 200, [], json.dumps({"data": []})
    recs = [customer(1, "2024-01-01T00:00:01.000Z", ratio=0.1,
                     extra={"ratio": 0.1, "more": [0.3, 2.2], "d": 0.1})]
    return page_of(req, recs)
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config
run_producer_once
run1=$(last_run_field run_id)
start_worker
wait_run_completed "$run1" 60
assert_eq "0.1" "$(psql_value "select ratio from $TABLE where id = 1")" "top-level float column"
assert_eq '{"d": 0.1, "more": [0.3, 2.2], "ratio": 0.1}' "$(psql_value "select extra::text from $TABLE where id = 1")" \
    "the jsonb of a record with floats"
log "ok"
