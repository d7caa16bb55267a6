#!/usr/bin/env bash
# t_cursor_unix_column: an API whose cursor is epoch seconds (a JSON
# number), configured as the README says (cursor.format = unix), and a
# schema that keeps that field as a time: timestamp-millis, the natural
# type of an "updated" column. The producer reads the cursor as seconds
# (the HWM, the since parameter, source_ts), and the row's column says the
# same time: it used to take the same number as milliseconds, and every
# row said 1970-01-21 without a word.
# brokers: mock
. "$(dirname "$0")/lib.sh"

SCHEMA="$T_WORK/customer-updated.avsc"
jq '.fields += [{"name": "updated", "type": {"type": "long", "logicalType": "timestamp-millis"}}]' \
    "$REPO/schemas/customer.avsc" >"$SCHEMA" || fail "could not write $SCHEMA"

cat >"$T_WORK/api.py" <<'PY'
BASE = 1795608000  # 2026-11-25T12:00:00Z

def handle(req):
    since = req.query.get("since")
    if req.path == "/customers/deleted":
        return 200, [], json.dumps({"data": []})
    recs = [customer(i, "2026-11-25T12:00:00.000Z", updated=BASE + i) for i in range(1, 3)]
    rows = [r for r in recs if since is None or r["updated"] >= int(since)]
    page, size = int(req.query.get("page", "1")), int(req.query.get("per_page", "100"))
    return 200, [], json.dumps({"data": rows[(page - 1) * size:page * size]})
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: cursor.field = updated" "stream: cursor.param = since" \
    "stream: cursor.format = unix" "stream: -deleted.url"
run_producer_once
run1=$(last_run_field run_id)
log "hwm of the run: $(last_run_field hwm)"
start_worker
wait_run_completed "$run1" 60
assert_eq "2026-11-25 12:00:01+00" \
    "$(psql_value "set timezone = 'UTC'; select updated from $TABLE where id = 1" | tail -n1)" \
    "row 1's updated column (the API's 1795608001 s)"
log "ok"
