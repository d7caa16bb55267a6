#!/usr/bin/env bash
# t_cursor_next_not_token: an Elasticsearch-like API whose next-page token
# is the last hit's sort values, an array ("search_after": [ts, id]),
# present while more pages follow. A cursor walk took a next.path value
# that is no token (an array, an object, true) for "no next page": each
# run completed after its first page, and the records after it never
# reached the table. The run now fails, naming next.path and what it
# holds, and publishes nothing past the page it could not follow.
# brokers: mock
. "$(dirname "$0")/lib.sh"

cat >"$T_WORK/api.py" <<'PY'
RECS = [customer(i, "2026-11-25T12:00:%02d.000Z" % i) for i in range(1, 8)]

def handle(req):
    if req.path == "/admin/records":
        return 200, [], json.dumps({"data": RECS})
    if req.path != "/customers":
        return 404, [], '{"error": "no such resource"}'
    since = req.query.get("modified_since", "")
    rows = [r for r in RECS if r["last_modified"] >= since]
    after = req.query.get("search_after")
    if after:
        lm, i = json.loads(after)
        rows = [r for r in rows if (r["last_modified"], r["id"]) > (lm, i)]
    body = {"data": rows[:3]}
    if len(rows) > 3:
        body["search_after"] = [rows[2]["last_modified"], rows[2]["id"]]
    return 200, [], json.dumps(body)
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: -deleted.url" "stream: pagination = cursor" \
    "stream: page.param = search_after" "stream: next.path = search_after" \
    "stream: max.retries = 0"
run_producer_once_rc 1
line=$(last_failed_line)
for w in "next.path 'search_after'" "an array" "no next-page token"; do
    case "$line" in *"$w"*) ;; *) fail "the run's error does not say \"$w\": $line" ;; esac
done
assert_eq "" "$(grep 'msg="run completed"' "$PRODUCER_LAST_LOG")" "a completed run"
log "ok"
