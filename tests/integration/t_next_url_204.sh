#!/usr/bin/env bash
# t_next_url_204: as t_cursor_204, for pagination = next_url: an
# API that answers 204 No Content for an idle incremental run's first
# page ("nothing since"). README: "a 204 No Content answer is an empty
# page"; a next_url walk ends on a page that names no next URL. What must
# happen: the run completes. What happened: next.path is read from the
# 204's stand-in body `[]` and every idle run fails ("the body is an
# array, not an object").
# brokers: mock
. "$(dirname "$0")/lib_items.sh"

cat >"$T_WORK/api.py" <<'PY'
def rec(i):
    return {"id": i, "name": "item %d" % i, "updated_at": "2026-01-01T00:00:%02d.000Z" % i}

def handle(req):
    if req.path != "/items":
        return 404, [], '{"error": "no such resource"}'
    since = req.query.get("modified_since")
    if since and since > "2026-01-01T00:00:03":
        return 204, [], ""            # nothing changed since: no content
    if req.query.get("p") == "2":
        return 200, [], json.dumps({"data": [rec(3)], "next": None})
    return 200, [], json.dumps({"data": [rec(1), rec(2)], "next": "/items?p=2"})
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: -deleted.url" "stream: pagination = next_url" "stream: next.path = next" \
    "stream: cursor.sorted = true" "stream: max.retries = 0"
run_producer_once_rc 0
assert_eq 3 "$(last_run_field published)" "records published by the first run"
run_producer_once_rc 0
assert_eq 0 "$(last_run_field published)" "records published by an idle run"
log "ok"
