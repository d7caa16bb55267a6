#!/usr/bin/env bash
# shellcheck disable=SC2034 # variables read by lib.sh
# t_deleted_paged: the deleted endpoint is paged like the main one. This
# API serves at most 20 items a page on both endpoints, whatever is asked
# for; its deleted endpoint takes an offset (not a page number) and nests
# its items at "items" (deleted.pagination = offset, deleted.records.path
# = items; the other paging keys are the main ones). 50 records deleted
# at one instant: one run applies all 50 deletes (offsets 0, 20, 40 at
# that instant), not the first page's 20.
. "$(dirname "$0")/lib_items.sh"

cat >"$T_WORK/api.py" <<'EOF'
import datetime
import json

CAP = 20
BASE = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)

def iso(sec):
    return (BASE + datetime.timedelta(seconds=sec)).strftime("%Y-%m-%dT%H:%M:%SZ")

def secs(text):
    t = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return (t - BASE).total_seconds()

def init(state, argv):
    state["live"] = {i: i for i in range(1, 101)}  # id -> updated_at (s after BASE)
    state["deleted"] = []                           # (deleted_at, id)
    state["clock"] = 1000

def window(rows, start, per_page):
    n = min(per_page, CAP)
    return rows[start:start + n]

def handle(req):
    st = state = req.state
    q = req.query
    per_page = int(q.get("per_page", CAP))
    if req.path == "/items":
        since = secs(q["modified_since"]) if "modified_since" in q else -1
        rows = sorted((t, i) for i, t in st["live"].items() if t >= since)
        page = int(q.get("page", 1))
        data = [{"id": i, "name": "item %d" % i, "updated_at": iso(t)}
                for t, i in window(rows, (page - 1) * min(per_page, CAP), per_page)]
        return 200, [], json.dumps({"data": data})
    if req.path == "/items/deleted":
        since = secs(q["since"]) if "since" in q else -1
        rows = sorted(r for r in st["deleted"] if r[0] >= since)
        offset = int(q.get("page", 0))
        items = [{"id": i, "deleted_at": iso(t)} for t, i in window(rows, offset, per_page)]
        return 200, [], json.dumps({"items": items})
    if req.path == "/admin/delete":
        st["clock"] += 1
        ids = [int(x) for x in q["ids"].split(",")]
        for i in ids:
            del st["live"][i]
            st["deleted"].append((st["clock"], i))
        return 200, [], json.dumps({"deleted": len(ids), "at": iso(st["clock"])})
    return 404, [], '{"error": "no such resource"}'
EOF

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: page.size = 1000" "stream: deleted.pagination = offset" \
    "stream: deleted.records.path = items"
topic="$PREFIX.$STREAM"

first_sync
assert_eq 100 "$(last_run_field published)" "records published by the first run"
assert_eq 0 "$(last_run_field deletes)" "deletes of the first run"

ids=$(seq -s, 1 50)
api_post "/admin/delete?ids=$ids" >/dev/null || fail "admin delete"
: >"$HOSTILE_LOG"
run_producer_once
run2=$(last_run_field run_id)
assert_eq 50 "$(last_run_field deletes)" "deletes applied by one run (more than one page of the deleted endpoint)"
log "deleted endpoint requests: $(jq -r 'select(.path == "/items/deleted") | "since=\(.query.since // "-") page=\(.query.page) per_page=\(.query.per_page)"' "$HOSTILE_LOG" | tr '\n' ';')"
# offsets moved by the 20 served, not by page.size (1000)
assert_eq "0 0 20 40" "$(jq -r 'select(.path == "/items/deleted") | .query.page' "$HOSTILE_LOG" | tr '\n' ' ' | sed 's/ $//')" \
    "offsets requested from the deleted endpoint"
wait_run_completed "$run2" 60
assert_eq "$(seq -s' ' 1 50)" "$(psql_value "select id from $TABLE where _deleted order by id" | tr '\n' ' ' | sed 's/ $//')" \
    "ids of the deleted rows"
assert_eq 50 "$(psql_value "select count(*) from $TABLE where not _deleted")" "live rows"

# Nothing new: the next run publishes nothing and deletes nothing again.
run_producer_once
assert_eq 0 "$(last_run_field deletes)" "deletes of the run after"
assert_eq 0 "$(last_run_field published)" "records published by the run after"

stop_worker
log "ok"
