#!/usr/bin/env bash
# t_page_next_url_null: a HAL API written in Go: the next page's URL at
# _links.next.href, and on the last page `"next": null` (a nil *Link
# without omitempty, as encoding/json writes it), not an absent member.
# README: "null, false or no member at all says the last page". The walk
# through the dotted next.path failed at the null member instead
# ("'_links.next' is a value that is no token, not an object"), so every
# run failed on its last page. Same for pagination = cursor with a dotted
# next.path whose parent is null (which ended the walk before 2a82c3d).
# A null on the way now says the last page: both runs complete with 10
# records. (Found by a second reading, helper 113.)
# brokers: mock
. "$(dirname "$0")/lib.sh"

cat >"$T_WORK/api.py" <<'PY'
RECS = [customer(i, "2026-11-25T12:00:%02d.000Z" % i) for i in range(1, 11)]

def handle(req):
    if req.path == "/admin/records":
        return 200, [], json.dumps({"data": RECS})
    if req.path not in ("/customers", "/cur"):
        return 404, [], '{"error": "no such resource"}'
    since = req.query.get("modified_since", "")
    rows = [r for r in RECS if r["last_modified"] >= since]
    skip = int(req.query.get("skip", req.query.get("cursor", "0")))
    chunk = rows[skip:skip + 4]
    more = skip + 4 < len(rows)
    if req.path == "/cur":
        return 200, [], json.dumps({"data": chunk,
                                    "meta": {"next_cursor": str(skip + 4)} if more else None})
    nxt = {"href": "/customers?modified_since=%s&skip=%d" % (since, skip + 4)} if more else None
    return 200, [], json.dumps({"_embedded": {"customers": chunk},
                                "_links": {"self": {"href": req.path}, "next": nxt}})
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: -deleted.url" "stream: records.path = _embedded.customers" \
    "stream: pagination = next_url" "stream: next.path = _links.next.href" \
    "stream: max.retries = 0"
rc=0; run_producer_once_rc 0 || rc=$?
grep 'run failed' "$PRODUCER_LAST_LOG" | sed 's/.*error=//' | head -c 400; echo
assert_eq 0 "$rc" "exit code of a next_url run (HAL, next: null on the last page)"
assert_eq 10 "$(last_run_field published)" "events published"

write_config "stream: -deleted.url" "stream: url = $API_URL/cur" \
    "stream: pagination = cursor" "stream: page.param = cursor" \
    "stream: next.path = meta.next_cursor" "stream: max.retries = 0"
rc=0; run_producer_once_rc 0 --full || rc=$?
grep 'run failed' "$PRODUCER_LAST_LOG" | sed 's/.*error=//' | head -c 400; echo
assert_eq 0 "$rc" "exit code of a cursor run (meta: null on the last page)"
log "ok"
