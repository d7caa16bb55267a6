#!/usr/bin/env bash
# t_link_empty_pages: pagination = link against an API that answers every
# page past its records empty, with a Link rel="next" to a new page each
# time (a filtered scan that never says it is done). As a cursor walk
# does (t_cursor_empty_pages), the link walk fails after page.empty_max
# such pages in a row (20 here), saying why; it used to walk for ever.
. "$(dirname "$0")/lib.sh"

cat >"$T_WORK/handler.py" <<'EOF2'
import json

def rec(i):
    return {"id": i, "name": "Customer %d" % i, "email": "c%d@example.com" % i,
            "country": "DE", "balance": "%d.50" % i, "tier": "gold", "phone": None,
            "signup_date": "2024-01-01", "is_deleted": False,
            "last_modified": "2026-01-01T00:00:%02d.000Z" % i}

def handle(req):
    if req.path == "/customers/deleted":
        return 200, [], '{"data": []}'
    p = int(req.query.get("page", "1"))
    data = [rec(i) for i in (1, 2, 3)] if p == 1 else []
    return 200, [("Link", '<?page=%d>; rel="next"' % (p + 1))], json.dumps({"data": data})
EOF2

start_devbroker
start_hostileapi "$T_WORK/handler.py"
write_config "stream: pagination = link" "stream: page.empty_max = 20"
PRODUCER_LAST_LOG="$T_WORK/producer.1.log"
timeout --foreground -k 5 25 "$BUILD/tidemark-producer" -c "$CONF" run --once >"$T_WORK/producer.1.out" 2>"$PRODUCER_LAST_LOG"
rc=$?
pages=$(grep -c 'GET /customers' "$T_WORK"/hostileapi*.log 2>/dev/null | awk -F: '{s+=$NF} END {print s+0}')
log "producer exit $rc, $(grep -o 'error="[^"]*"' "$PRODUCER_LAST_LOG" | head -1 | cut -c1-200)"
[ "$rc" = 124 ] && fail "the link walk was still going after 25 s (page.empty_max = 20): $(grep -c . "$PRODUCER_LAST_LOG") log lines; last: $(tail -n1 "$PRODUCER_LAST_LOG" | cut -c1-200)"
assert_eq 1 "$rc" "the producer's exit after more than page.empty_max empty pages in a row"
matches "empty pages in a row" "$PRODUCER_LAST_LOG" || fail "the error does not say why"
log "ok"
