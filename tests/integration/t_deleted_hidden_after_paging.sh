#!/usr/bin/env bash
# t_deleted_hidden_after_paging: the deleted endpoint of an API that pages
# first and then drops the items it will not show (here the deletions of
# items 11-20, made by another tenant), and says in each body whether
# more pages follow (meta.more there, has_more on the records). 30 items
# deleted at one instant, at most 10 a page: at that instant page 2 comes
# back empty although page 3 follows. With deleted.more.path = meta.more
# the run applies the 20 deletions it is shown, not the first page's 10.
# brokers: mock
. "$(dirname "$0")/lib_items.sh"
cat >"$T_WORK/api.py" <<'EOF'
import json, time

T0 = time.time() - 3600
CAP = 10

def init(state, argv):
    state["live"] = {i: iso_ms(T0 + i) for i in range(1, 41)}
    state["deleted"] = []   # (deleted_at, id)

def paged(req, rows):
    page = int(req.query.get("page", "1"))
    size = min(int(req.query.get("per_page", "100")), CAP)
    return rows[(page - 1) * size:page * size], page * size < len(rows)

def handle(req):
    st = req.state
    since = req.query.get("modified_since") or req.query.get("since")
    if req.path == "/items":
        rows = sorted((t, i) for i, t in st["live"].items() if since is None or t >= since)
        chunk, more = paged(req, rows)
        data = [{"id": i, "name": "item %d" % i, "updated_at": t} for t, i in chunk]
        return 200, [], json.dumps({"data": data, "has_more": more})
    if req.path == "/items/deleted":
        rows = sorted(r for r in st["deleted"] if since is None or r[0] >= since)
        chunk, more = paged(req, rows)
        chunk = [r for r in chunk if not 11 <= r[1] <= 20]   # another tenant's
        data = [{"id": i, "deleted_at": t} for t, i in chunk]
        return 200, [], json.dumps({"data": data, "meta": {"more": more}})
    if req.path == "/admin/delete":
        at = iso_ms(time.time() - 60)
        for i in range(1, 31):
            del st["live"][i]
            st["deleted"].append((at, i))
        return 200, [], "{}"
    return 404, [], '{"error": "no such resource"}'
EOF

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: more.path = has_more" "stream: deleted.more.path = meta.more"
first_sync
assert_eq 40 "$(psql_value "select count(*) from $TABLE where not _deleted")" "live rows after the first sync"

api_post /admin/delete >/dev/null || fail "admin delete"
run_producer_once
run2=$(last_run_field run_id)
assert_eq 20 "$(last_run_field deletes)" "deletions the run applied (1-10 and 21-30; 11-20 hidden)"
wait_run_completed "$run2" 60
assert_eq "$(seq -s' ' 1 10) $(seq -s' ' 21 30)" \
    "$(psql_value "select id from $TABLE where _deleted order by id" | tr '\n' ' ' | sed 's/ $//')" "ids of the deleted rows"
stop_worker
log "ok"
