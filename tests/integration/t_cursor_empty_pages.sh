#!/usr/bin/env bash
# t_cursor_empty_pages: a cursor API (Dropbox-style) that always names a
# next cursor, a fresh one each time (it encodes the position and the time
# of the request), and says with has_more = false that the pages ended.
# The cursor walk ends only when no next token is named, and follows an
# empty page that names a new one (an API may filter after paging), but
# not for ever: after page.empty_max of them in a row (40 here; 1000 by
# default) the run fails, saying why, and its HWM does not move. It used
# to ask empty page after empty page for ever: a stuck pipeline.
. "$(dirname "$0")/lib_items.sh"

cat >"$T_WORK/api.py" <<'PY'
def rec(i):
    return {"id": i, "name": "item %d" % i, "updated_at": "2026-01-01T00:00:%02d.000Z" % i}

def handle(req):
    if req.path != "/items":
        return 404, [], '{"error": "no such resource"}'
    data = [rec(i) for i in (1, 2, 3)] if not req.query.get("cursor") else []
    return 200, [], json.dumps({"data": data, "has_more": False,
                                "next_cursor": "pos3-t%d" % req.n})
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: -deleted.url" "stream: pagination = cursor" "stream: page.param = cursor" \
    "stream: next.path = next_cursor" "stream: max.retries = 0" "stream: page.empty_max = 40"
run_producer_once_rc 1
n=$(grep -c '"path": "/items"' "$HOSTILE_LOG")
line=$(last_failed_line)
log "failure logged after $n requests: $(cut -c1-300 <<<"$line")"
case "$line" in
    *"40 empty pages in a row, each naming a new next cursor (next.path 'next_cursor')"*) ;;
    *) fail "the failure does not say why the walk stopped: $line" ;;
esac
[ "$n" -le 42 ] || fail "$n requests: more than the first page and 41 empty ones"
rec=$(last_run_record)
assert_eq failed "$(jq -r .status <<<"$rec")" "status of the run record"
assert_eq null "$(jq -r .hwm.value <<<"$rec")" "hwm of the failed run"
log "ok"
