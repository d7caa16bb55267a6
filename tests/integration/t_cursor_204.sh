#!/usr/bin/env bash
# t_cursor_204: a cursor API (and a next_url one) that answers
# 204 No Content for a page with nothing on it: the first page of an idle
# incremental run ("nothing since"), or the page after the last. README
# ("What the producer assumes about an API's records"): "a 204 No Content
# answer is an empty page"; an empty page that names no next token ends a
# cursor walk. What must happen: the runs complete. What happened: the
# cursor pager reads next.path from the 204's stand-in body `[]` and fails
# every such run ("next.path ...: the body is an array, not an object").
# brokers: mock
. "$(dirname "$0")/lib_items.sh"

cat >"$T_WORK/api.py" <<'PY'
def rec(i):
    return {"id": i, "name": "item %d" % i, "updated_at": "2026-01-01T00:00:%02d.000Z" % i}

def handle(req):
    if req.path != "/items":
        return 404, [], '{"error": "no such resource"}'
    since = req.query.get("modified_since")
    cur = req.query.get("cursor")
    if since and since > "2026-01-01T00:00:03":
        return 204, [], ""            # nothing changed since: no content
    if not cur:
        return 200, [], json.dumps({"data": [rec(1), rec(2)], "next_cursor": "pos2"})
    if cur == "pos2":
        return 200, [], json.dumps({"data": [rec(3)], "next_cursor": "pos3"})
    return 204, [], ""                # past the last page: no content
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: -deleted.url" "stream: pagination = cursor" "stream: page.param = cursor" \
    "stream: next.path = next_cursor" "stream: cursor.sorted = true" "stream: max.retries = 0"
run_producer_once_rc 0
assert_eq 3 "$(last_run_field published)" "records published by the first run"
run_producer_once_rc 0
assert_eq 0 "$(last_run_field published)" "records published by an idle run"
log "ok"
