#!/usr/bin/env bash
# t_link_headers: pagination = link against an API whose Link headers look
# like real ones (tests/hostileapi): 30 records in 3 pages of 10.
#  - page 1 sends rel="next" and rel="first" on separate Link lines (the
#    next one first: a client that keeps only the last line stops there);
#    its next is a relative "?query" with a quoted comma in a parameter;
#  - page 2 is reached through a 307 to /v2/..., whose Link names a trap:
#    3xx Link headers do not count; the final answer's next is a
#    path-relative reference, resolved against the URL that answered
#    (/v2/customers?..., not the stream's url), and its line also holds a
#    prev link whose quoted title has a ';' and a ',';
#  - page 3 has only rel="first" and rel="last": the walk ends.
# All 30 records are published, the run completes, and the trap is never
# requested.
. "$(dirname "$0")/lib.sh"

cat >"$T_WORK/handler.py" <<'EOF'
import json

def rec(i):
    return {"id": i, "name": "Customer %d" % i, "email": "c%d@example.com" % i,
            "country": "DE", "balance": "%d.50" % i, "tier": "gold", "phone": None,
            "signup_date": "2024-01-01", "is_deleted": False,
            "last_modified": "2026-01-01T00:00:%02d.000Z" % i}

def page(n):
    return json.dumps({"data": [rec(i) for i in range(10 * (n - 1) + 1, 10 * n + 1)]})

def handle(req):
    if req.path == "/customers/deleted":
        return 200, [], '{"data": []}'
    if req.path == "/trap":
        return 200, [], page(1)
    p = int(req.query.get("page", "1"))
    if req.path == "/customers" and p == 1:
        return 200, [("Link", '<?page=2&per_page=10>; rel="next"; title="page 2, of 3"'),
                     ("Link", '<%s/customers?page=1>; rel="first"' % req.base)], page(1)
    if req.path == "/customers" and p == 2:
        return 307, [("Location", "/v2/customers?page=2&per_page=10"),
                     ("Link", '</trap>; rel="next"')], ""
    if req.path == "/v2/customers" and p == 2:
        return 200, [("Link", '</customers?page=1>; rel="prev"; title="back; to 1, ok", '
                              '<customers?page=3&per_page=10>; REL="Next"')], page(2)
    if req.path == "/v2/customers" and p == 3:
        return 200, [("Link", '<//%s/customers?page=1>; rel="first", <?page=3>; rel="last"'
                      % req.base.split("//")[1])], page(3)
    return 404, [], '{"error": "no such page"}'
EOF

start_devbroker
start_hostileapi "$T_WORK/handler.py"
write_config "stream: pagination = link"
topic="$PREFIX.$STREAM"

run_producer_once
assert_eq 30 "$(last_run_field fetched)" "records fetched by the run"
assert_eq 30 "$(last_run_field published)" "events published by the run"
assert_eq completed "$(last_run_record | jq -r .status)" "status of the latest run record"
assert_eq 30 "$(topic_count "$topic")" "messages on $topic"
assert_eq "$(seq 1 30)" "$(kc -C -t "$topic" -e -f '%k\n' | sort -n)" "keys on $topic"

# Which pages were asked for, in order (the deleted endpoint aside).
got=$(jq -r 'select(.path != "/customers/deleted") | "\(.path) \(.query.page // "-") \(.status)"' \
    "$HOSTILE_LOG")
want="/customers - 200
/customers 2 307
/v2/customers 2 200
/v2/customers 3 200"
assert_eq "$want" "$got" "requests the producer made"
grep -q '"/trap"' "$HOSTILE_LOG" && fail "the producer followed the Link of a 307"
log "ok"
