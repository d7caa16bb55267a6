#!/usr/bin/env bash
# shellcheck disable=SC2034 # variables read by lib.sh
# t_progress_unsorted: cursor pagination in the API's own order (by id)
# while the cursor values are spread all over: after 20000 records (a
# progress checkpoint's worth) the largest cursor seen says nothing about
# the records still to come. The API fails (HTTP 500) from the 21st page
# on; the failed run must leave no progress HWM behind
# (cursor.sorted = false by default for cursor pagination), so that the
# next run, once the API is back, publishes every one of the 21000
# records and skips none. With cursor.sorted = true, progress checkpoints
# are written; declared so while the API serves by id, the run fails at
# its first page, naming the key.
. "$(dirname "$0")/lib_items.sh"

N=21000
cat >"$T_WORK/api.py" <<'EOF'
import datetime
import json

BASE = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)

def init(state, argv):
    n = int(argv[0])
    # id i changed at BASE + (i * 7919 mod n) s: a permutation, so the
    # cursor values are spread over the ids
    state["recs"] = [(i, (i * 7919) % n) for i in range(1, n + 1)]
    state["text"] = {s: (BASE + datetime.timedelta(seconds=s)).strftime("%Y-%m-%dT%H:%M:%SZ")
                     for s in range(n)}
    state["fail_after"] = int(argv[1])  # pages served before the 500s
    state["served"] = 0

def secs(text):
    t = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return (t - BASE).total_seconds()

def handle(req):
    st = req.state
    if req.path == "/admin/heal":
        st["fail_after"] = None
        return 200, [], "{}"
    if req.path == "/admin/sort":  # from now on in cursor order
        st["recs"].sort(key=lambda r: r[1])
        return 200, [], "{}"
    if req.path != "/items":
        return 404, [], '{"error": "no such resource"}'
    if st["fail_after"] is not None and st["served"] >= st["fail_after"]:
        return 500, [], '{"error": "storm"}'
    st["served"] += 1
    q = req.query
    since = secs(q["modified_since"]) if "modified_since" in q else -1
    rows = [r for r in st["recs"] if r[1] >= since]  # ordered by id
    start = int(q.get("cursor", "0"))
    size = int(q.get("per_page", "100"))
    page = rows[start:start + size]
    body = {"data": [{"id": i, "name": "item %d" % i, "updated_at": st["text"][s]}
                     for i, s in page]}
    if start + size < len(rows):
        body["next_cursor"] = str(start + size)
    return 200, [], json.dumps(body)
EOF

start_devbroker
start_hostileapi "$T_WORK/api.py" "$N" 20
write_config "stream: -deleted.url" "stream: pagination = cursor" "stream: page.param = cursor" \
    "stream: page.size = 1000" "stream: max.retries = 0" "producer: full_sync.every = 0"
topic="$PREFIX.$STREAM"

# ---- the first run: 20 pages, then the 500s.
run_producer_once_rc 1
line=$(last_failed_line)
log "failure logged: $line"
case "$line" in
    *"published=20000 "*"HTTP status 500"*) ;;
    *) fail "the run did not fail with HTTP status 500 after 20000 records: $line" ;;
esac
grep -q 'msg="no progress checkpoint: the pages are not in cursor order' "$PRODUCER_LAST_LOG" ||
    fail "no log line saying that no progress checkpoint was written"
assert_eq "" "$(run_records | jq -r 'select(.hwm.value != null) | "\(.status) \(.hwm.value)"')" \
    "run records with a HWM (none may claim a cursor below which records are still to come)"

# ---- the API is back: the next run publishes every record.
api_post /admin/heal >/dev/null || fail "heal the API"
run_producer_once
assert_eq "$N" "$(kc -C -t "$topic" -e -f '%k\n' | sort -u | wc -l)" "distinct ids published over both runs"
assert_eq "$(($(date -u -d 2026-01-01T00:00:00Z +%s) + N - 1))" \
    "$(date -u -d "$(last_run_record | jq -r .hwm.value)" +%s)" "HWM after the run that completed"

# ---- cursor.sorted = true declares the order. Declared falsely (the API
# still serves by id), the run fails at the first page out of order,
# naming the key; then with the API in cursor order, progress checkpoints
# are written again.
write_config "stream: -deleted.url" "stream: pagination = cursor" "stream: page.param = cursor" \
    "stream: page.size = 1000" "stream: max.retries = 0" "producer: full_sync.every = 0" \
    "stream: cursor.sorted = true"
run_producer_once_rc 1 --full
case "$(last_failed_line)" in
    *"published=2 "*"not in ascending cursor order"*"cursor.sorted = false"*) ;;
    *) fail "the run declared sorted did not fail at its first page: $(last_failed_line)" ;;
esac
api_post /admin/sort >/dev/null || fail "sort the API"
run_producer_once --full
run3=$(last_run_field run_id)
assert_eq 1 "$(run_records | jq -r --arg r "$run3" 'select(.run_id == $r and .status == "running" and .records > 0 and .hwm.value != null) | .run_id' | wc -l)" \
    "progress checkpoints of the run with cursor.sorted = true"
log "ok"
