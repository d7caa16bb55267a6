#!/usr/bin/env bash
# t_float_underflow: numbers below a double's or float's range. A number
# out of range for its field (1e400 in a double) dead-letters its record,
# and so did the string "1e-400" (as "not a finite number"), yet the JSON
# number 1e-400 (and -1e-400), as far out of a double's range, and 1e-50,
# out of a float's (1e39 there is dead-lettered), were stored as 0 without
# a word. Each is now dead-lettered, as PostgreSQL's float8 refuses it too.
# And a value a double does hold, 1e-310 (a subnormal, which Python's json
# writes so), is stored whether sent as a number or as a string: the
# string was dead-lettered. (Found by helper 117.)
# brokers: mock
. "$(dirname "$0")/lib.sh"

SCHEMA="$T_WORK/customer-floats.avsc"
jq '.fields += [{"name": "score", "type": ["null", "double"], "default": null},
                {"name": "ratio", "type": ["null", "float"], "default": null}]' \
    "$REPO/schemas/customer.avsc" >"$SCHEMA" || fail "schema"

cat >"$T_WORK/api.py" <<'PY'
T = "2026-03-01T10:00:00.000Z"
CASES = [(1, '"score":1e-400'), (2, '"score":-1e-400'), (3, '"ratio":1e-50'),
         (4, '"score":"1e-400"'), (5, '"ratio":1e39'),
         (6, '"score":1e-310'), (7, '"score":"1e-310"')]
def handle(req):
    if req.path == "/customers/deleted":
        return 200, [], '{"data":[]}'
    if req.path == "/customers":
        if req.query.get("page", "1") != "1":
            return 200, [], '{"data":[]}'
        recs = [json.dumps(customer(i, T))[:-1] + ", " + extra + "}" for i, extra in CASES]
        return 200, [], '{"data":[' + ",".join(recs) + ']}'
    return 404, [], '{"error":"not found"}'
PY
start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config
run_producer_once
run1=$(last_run_field run_id)
start_worker
wait_run_completed "$run1" 60
kc -C -t "$PREFIX.dlq" -e -f '%k %h\n' >"$T_WORK/dlq.txt" || true
sed 's/tidemark.error=/\n    error=/' "$T_WORK/dlq.txt" | grep -o '^[0-9]* \|error=[^,]*' | paste -sd' ' | sed 's/ \([0-9]* \)error/\n\1error/g'
echo
psql_value "select id, score::text, ratio::text from $TABLE order by id" | tee "$T_WORK/rows.txt"
assert_eq "1 2 3 4 5" "$(cut -d' ' -f1 "$T_WORK/dlq.txt" | sort -n | paste -sd' ')" \
    "dead-lettered ids (out of range for their field)"
assert_eq "6 1e-310|7 1e-310" \
    "$(psql_value "select id || ' ' || score::text from $TABLE order by id" | paste -sd'|')" "stored rows"
log "ok"
