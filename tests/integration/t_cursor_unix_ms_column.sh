#!/usr/bin/env bash
# t_cursor_unix_ms_column: cursor.format = unix_ms, and a schema that keeps
# the cursor field as a time (timestamp-millis), as t_cursor_unix_column
# does for unix seconds. The cursor reader takes a JSON number of
# milliseconds with a fraction (PostgreSQL's extract(epoch ...) * 1000
# gives 1795608001000.500) and digits in a string, as cursorval.h says;
# the column of the same field must say the same time, not dead-letter
# every such record. (Found by helper 117.)
# brokers: mock
. "$(dirname "$0")/lib.sh"

SCHEMA="$T_WORK/customer-updated.avsc"
jq '.fields += [{"name": "updated", "type": {"type": "long", "logicalType": "timestamp-millis"}}]' \
    "$REPO/schemas/customer.avsc" >"$SCHEMA" || fail "could not write $SCHEMA"

cat >"$T_WORK/api.py" <<'PY'
BASE = 1795608000000  # 2026-11-25T12:00:00Z in ms

def handle(req):
    since = req.query.get("since")
    if req.path == "/customers/deleted":
        return 200, [], json.dumps({"data": []})
    recs = [customer(1, "2026-11-25T12:00:00.000Z", updated=BASE + 1000.5),
            customer(2, "2026-11-25T12:00:00.000Z", updated=str(BASE + 2000)),
            customer(3, "2026-11-25T12:00:00.000Z", updated=BASE + 3000)]
    rows = [r for r in recs if since is None or float(r["updated"]) >= int(since)]
    page, size = int(req.query.get("page", "1")), int(req.query.get("per_page", "100"))
    return 200, [], json.dumps({"data": rows[(page - 1) * size:page * size]})
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: cursor.field = updated" "stream: cursor.param = since" \
    "stream: cursor.format = unix_ms" "stream: -deleted.url"
run_producer_once
run1=$(last_run_field run_id)
log "run: published=$(last_run_field published) hwm=$(last_run_field hwm)"
start_worker
wait_run_completed "$run1" 60
kc -C -t "$PREFIX.dlq" -e -f '%k %h\n' >"$T_WORK/dlq.txt" || true
cat "$T_WORK/dlq.txt"
assert_eq 0 "$(wc -l <"$T_WORK/dlq.txt")" "dead letters"
assert_eq "1 12:00:01|2 12:00:02|3 12:00:03" \
    "$(psql_value "set timezone = 'UTC'; select id || ' ' || to_char(updated, 'HH24:MI:SS') from $TABLE order by id" | paste -sd'|')" \
    "the rows' updated column"
log "ok"
