#!/usr/bin/env bash
# t_dlq_no_cursor_once: a record without an id and without a cursor that
# the API serves on every non-empty page of a walk (its filter lets a null
# cursor through). The HWM cannot cover it, so each run dead-letters it again,
# but only once a run: the producer remembers the digests of the records
# it dead-lettered without a cursor for the rest of the run. Expected: two
# runs, two dead letters (not one per request of each walk).
# brokers: mock
. "$(dirname "$0")/lib.sh"

cat >"$T_WORK/api.py" <<'EOF2'
def handle(req):
    if req.path != "/customers":
        return 404, [], '{"error": "no such resource"}'
    since = req.query.get("modified_since")
    page = int(req.query.get("page", "1"))
    recs = [customer(i, "2026-01-01T00:00:%02dZ" % i) for i in range(1, 6)]
    rows = [r for r in recs if since is None or r["last_modified"] >= since]
    rows = rows[(page - 1) * 2:page * 2]
    # a record without id or cursor on every answer that has records
    if rows:
        rows.append(customer(None, None))
    return 200, [], json.dumps({"data": rows})
EOF2

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: -deleted.url" "stream: page.size = 2"
dlq="$PREFIX.dlq"

run_producer_once
requests=$(jq -r 'select(.path == "/customers") | .path' "$HOSTILE_LOG" | wc -l)
log "requests of run 1: $requests"
[ "$requests" -ge 3 ] || fail "the walk made $requests requests: the record was not served repeatedly"
assert_eq 1 "$(topic_count "$dlq")" "dead letters on $dlq after one run"
run_producer_once
assert_eq 2 "$(topic_count "$dlq")" "dead letters on $dlq after two runs"
assert_eq 5 "$(kc -C -t "$PREFIX.customers" -e -f '%k\n' | sort -u | wc -l)" "ids on the topic"
log "ok"
