#!/usr/bin/env bash
# shellcheck disable=SC2034 # variables read by lib.sh
# t_cursor_loop: a cursor API whose next_cursor goes round in a circle
# (none -> A -> B -> A ...). Following it would read the same pages for
# ever and publish duplicates; the walk fails at the first token it has
# already requested: `run --once` exits 1 with an error that says so,
# after three requests, and every record it published is on the topic
# once.
. "$(dirname "$0")/lib_items.sh"

cat >"$T_WORK/api.py" <<'EOF'
import json

def rec(i):
    return {"id": i, "name": "item %d" % i, "updated_at": "2026-01-01T00:00:%02dZ" % i}

def handle(req):
    if req.path != "/items":
        return 404, [], '{"error": "no such resource"}'
    # A client that follows the loop would never stop: end it after 30
    # requests, so that such a client fails this scenario's assertions
    # rather than its deadline.
    if req.n > 30:
        return 200, [], json.dumps({"data": [], "next_cursor": None})
    page = {"A": 1, "B": 2}.get(req.query.get("cursor"), 0)
    nxt = ["A", "B", "A"][page]
    data = [rec(i) for i in range(page * 3 + 1, page * 3 + 4)]
    return 200, [], json.dumps({"data": data, "next_cursor": nxt})
EOF

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: -deleted.url" "stream: pagination = cursor" "stream: page.param = cursor" \
    "stream: next.path = next_cursor" "stream: max.retries = 0"
topic="$PREFIX.$STREAM"

run_producer_once_rc 1
line=$(last_failed_line)
log "failure logged: $line"
case "$line" in
    *"next cursor 'A' a second time in one walk: a pagination loop"*) ;;
    *) fail "the failure does not name the repeated cursor: $line" ;;
esac
assert_eq 3 "$(jq -r 'select(.path == "/items") | .query.cursor // "-"' "$HOSTILE_LOG" | wc -l)" \
    "requests the producer made ($(jq -r 'select(.path == "/items") | .query.cursor // "-"' "$HOSTILE_LOG" | tr '\n' ' '))"
assert_eq "- A B " "$(jq -r 'select(.path == "/items") | .query.cursor // "-"' "$HOSTILE_LOG" | tr '\n' ' ')" \
    "cursors requested"
keys=$(kc -C -t "$topic" -e -f '%k\n' | LC_ALL=C sort)
assert_eq "" "$(uniq -d <<<"$keys")" "keys published more than once"
assert_eq "1 2 3 4 5 6" "$(sort -n <<<"$keys" | tr '\n' ' ' | sed 's/ $//')" \
    "keys published (the pages before the loop)"
rec=$(last_run_record)
assert_eq failed "$(jq -r .status <<<"$rec")" "status of the run record"
assert_eq null "$(jq -r .hwm.value <<<"$rec")" "hwm of the failed first run"
log "ok"
