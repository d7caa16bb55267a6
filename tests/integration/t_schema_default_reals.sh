#!/usr/bin/env bash
# t_schema_default_reals: t_nested_float_digits through schema evolution.
# The stream's schema (v2) adds a record field "extra", stored as jsonb,
# with a default {"ratio": 0.1, "d": 0.1} (ratio a float, d a double). An
# event written with v1 (no "extra") takes the default; its jsonb reads
# the same as a v2 writer's 0.1 (the shortest text). The default used to
# be the schema's JSON as jansson read it, written with 17 digits
# (0.10000000000000001), so one column held one number two ways.
. "$(dirname "$0")/lib.sh"

V1="$T_WORK/customer-v1.avsc"
cp "$REPO/schemas/customer.avsc" "$V1"
V2="$T_WORK/customer-v2.avsc"
jq '.fields += [
    {"name": "extra", "type": {"type": "record", "name": "Extra", "fields": [
        {"name": "ratio", "type": "float"}, {"name": "d", "type": "double"}]},
     "default": {"ratio": 0.1, "d": 0.1}}]' "$REPO/schemas/customer.avsc" >"$V2" || fail "v2"

cat >"$T_WORK/api.py" <<'PY'
def handle(req):
    if req.path == "/customers/deleted":
        return 200, [], json.dumps({"data": []})
    recs = [customer(1, "2024-01-01T00:00:01.000Z", extra={"ratio": 0.1, "d": 0.1})]
    return page_of(req, recs)
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
SCHEMA=$V1 write_config
run_producer_once
run1=$(last_run_field run_id)
SCHEMA=$V2 write_config
start_worker
wait_run_completed "$run1" 60
assert_eq 0 "$(topic_count "$PREFIX.dlq")" "dead letters"
assert_eq '{"d": 0.1, "ratio": 0.1}' "$(psql_value "select extra::text from $TABLE where id = 1")" \
    "the jsonb of the v1 event's extra, at its default"
stop_worker
log "ok"
