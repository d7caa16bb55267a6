#!/usr/bin/env bash
# t_review_cursor_empty_page (review finding): a cursor API may answer an
# empty page that still carries a next_cursor (it filters a page after
# paging it: permissions, records removed meanwhile, a time-sliced scan).
# README/source.h: a cursor walk "ends when there is no next token".
# Expected: the walk follows the token and publishes all 6 records.
# Observed (bug): source.c:advance() sets the token to NULL when the page
# is empty (`s->token = n ? next_token(...) : NULL`), so the walk ends,
# counts as complete, and the run's HWM (the largest cursor seen) passes
# the cursors of the records on the later pages: they are never
# published, on this run or any later one.
# brokers: mock
. "$(dirname "$0")/lib_items.sh"

cat >"$T_WORK/api.py" <<'EOF'
import json

# In the API's own order (by id); ids 4-6 changed before ids 1-3.
RECS = [{"id": i, "name": "item %d" % i, "updated_at": "2026-01-01T00:00:%02dZ" % s}
        for i, s in [(1, 10), (2, 11), (3, 12), (4, 1), (5, 2), (6, 3)]]

def handle(req):
    if req.path != "/items":
        return 404, [], '{"error": "no such resource"}'
    since = req.query.get("modified_since")
    rows = [r for r in RECS if since is None or r["updated_at"] >= since]
    # three records a page, then a page left empty by a filter applied
    # after paging, then the rest
    pages = [rows[0:3], [], rows[3:]]
    while pages and not pages[-1]:
        pages.pop()
    if not pages:
        pages = [[]]
    i = {"p1": 1, "p2": 2}.get(req.query.get("cursor"), 0)
    nxt = "p%d" % (i + 1) if i + 1 < len(pages) else None
    return 200, [], json.dumps({"data": pages[i], "next_cursor": nxt})
EOF

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: -deleted.url" "stream: pagination = cursor" "stream: page.param = cursor" \
    "stream: next.path = next_cursor"
topic="$PREFIX.$STREAM"

run_producer_once
run_producer_once
log "requests: $(jq -r 'select(.path == "/items") | (.query.cursor // "-")' "$HOSTILE_LOG" | tr '\n' ' ')"
assert_eq "1 2 3 4 5 6" "$(kc -C -t "$topic" -e -f '%k\n' | sort -nu | tr '\n' ' ' | sed 's/ $//')" \
    "ids on $topic after two runs"
log "ok"
