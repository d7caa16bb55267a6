#!/usr/bin/env bash
# t_cursor_tail_same_token: a cursor API (Dropbox-style list/continue)
# that always names a next cursor and says with has_more whether more
# pages follow; at the tail it answers an empty page whose cursor is the
# one it was asked with ("nothing new: ask again from here later"). The
# walk has no has_more for cursor pagination (more.path is page/offset
# only) and takes the token it already requested as a pagination loop:
# every run of a healthy API fails ("a pagination loop"), none completes,
# the HWM never moves. What must happen: the run completes (an empty page
# that names the token just requested is an end), or the config can say
# where the API's has_more is.
. "$(dirname "$0")/lib_items.sh"

cat >"$T_WORK/api.py" <<'PY'
def rec(i):
    return {"id": i, "name": "item %d" % i, "updated_at": "2026-01-01T00:00:%02d.000Z" % i}

def handle(req):
    if req.path != "/items":
        return 404, [], '{"error": "no such resource"}'
    if req.n > 30:
        return 200, [], json.dumps({"data": [], "has_more": False, "next_cursor": None})
    cur = req.query.get("cursor")
    if not cur:
        return 200, [], json.dumps({"data": [rec(1), rec(2)], "has_more": True, "next_cursor": "pos2"})
    if cur == "pos2":
        return 200, [], json.dumps({"data": [rec(3)], "has_more": False, "next_cursor": "pos3"})
    return 200, [], json.dumps({"data": [], "has_more": False, "next_cursor": cur})
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: -deleted.url" "stream: pagination = cursor" "stream: page.param = cursor" \
    "stream: next.path = next_cursor" "stream: max.retries = 0"
run_producer_once_rc 0
assert_eq 3 "$(last_run_field published)" "records published"
log "ok"
