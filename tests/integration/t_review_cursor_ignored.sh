#!/usr/bin/env bash
# t_review_cursor_ignored (review finding): an API that ignores the cursor
# parameter (page.param names a parameter it does not know, or it expects
# the token elsewhere) and answers every request with the first page and a
# fresh opaque next_cursor (signed or encrypted cursors carry a nonce or a
# timestamp, so they differ on every request). The page/offset walk stops
# such an API ("the same records as the previous page: does the API take
# 'page' as its page parameter?"), and a pagination loop must fail the
# run. Expected: the run fails after a few requests with a
# clear error, and no record is published twice. Observed (bug): the
# cursor walk follows every fresh token for as long as the API answers
# (here the handler gives up after 30 requests; a real API never does),
# publishing the same records again on every page. source.c:advance()
# only detects a token already requested, never a page served again.
# brokers: mock
. "$(dirname "$0")/lib_items.sh"

cat >"$T_WORK/api.py" <<'EOF'
import json, uuid

def handle(req):
    if req.path != "/items":
        return 404, [], '{"error": "no such resource"}'
    if req.n > 30:  # a bound for the scenario's sake only
        return 200, [], json.dumps({"data": [], "next_cursor": None})
    # the token is expected in "after"; "cursor" is ignored
    data = [{"id": i, "name": "item %d" % i, "updated_at": "2026-01-01T00:00:%02dZ" % i}
            for i in (1, 2, 3)]
    return 200, [], json.dumps({"data": data, "next_cursor": uuid.uuid4().hex})
EOF

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: -deleted.url" "stream: pagination = cursor" "stream: page.param = cursor" \
    "stream: next.path = next_cursor" "stream: max.retries = 0"
topic="$PREFIX.$STREAM"

n=$((++_PRODUCER_N))
PRODUCER_LAST_LOG="$T_WORK/producer.$n.log"
timeout --foreground -k 5 60 "$BUILD/tidemark-producer" -c "$CONF" run --once \
    >"$T_WORK/producer.$n.out" 2>"$PRODUCER_LAST_LOG"
rc=$?
requests=$(jq -r 'select(.path == "/items") | .path' "$HOSTILE_LOG" | wc -l)
keys=$(kc -C -t "$topic" -e -f '%k\n' | LC_ALL=C sort)
log "exit $rc, $requests requests, keys on the topic: $(tr '\n' ' ' <<<"$keys")"
[ "$requests" -le 5 ] || fail "the producer made $requests requests to an API that serves the same page for ever"
assert_eq "" "$(uniq -d <<<"$keys")" "keys published more than once"
assert_eq 1 "$rc" "exit status of the run"
log "ok"
