#!/usr/bin/env bash
# t_union_branch_by_type: a map (stored as jsonb) whose values are a
# union ["null", "long", "double", "string"]: what a schema for free-form
# attributes looks like. The API sends JSON strings "01234" (a postal
# code), "1.50" (a price as text) and "0x1A" (an SKU), and a JSON number 7.
# A JSON string is a string: it must land as the same string in the jsonb
# column, not as a number whose text differs (123 from "0123"). And a
# map of ["null", "double", "long"] given the JSON integer 9007199254740993
# must keep it exact (the long branch), not round it through a double.
. "$(dirname "$0")/lib.sh"

SCHEMA="$T_WORK/customer-attrs.avsc"
jq '.fields += [
    {"name": "attrs", "type": ["null", {"type": "map", "values": ["null", "long", "double", "string"]}], "default": null},
    {"name": "counts", "type": ["null", {"type": "map", "values": ["null", "double", "long"]}], "default": null}]' \
    "$REPO/schemas/customer.avsc" >"$SCHEMA" || fail "could not write $SCHEMA"

cat >"$T_WORK/api.py" <<'PY'
def handle(req):
    if req.path == "/customers/deleted":
        return 200, [], json.dumps({"data": []})
    recs = [customer(1, "2024-01-01T00:00:01.000Z",
                     attrs={"zip": "01234", "price": "1.50", "sku": "0x1A", "n": 7},
                     counts={"big": 9007199254740993})]
    return page_of(req, recs)
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config
run_producer_once
run1=$(last_run_field run_id)
assert_eq 1 "$(last_run_field published)" "events published"
start_worker
wait_run_completed "$run1" 60
got=$(psql_value "select attrs::text || ' ' || counts::text from $TABLE where id = 1")
assert_eq '{"n": 7, "sku": "0x1A", "zip": "01234", "price": "1.50"} {"big": 9007199254740993}' "$got" \
    "the jsonb of string attributes, and of an integer in a union with double and long"
log "ok"
