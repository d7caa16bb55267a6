#!/usr/bin/env bash
# t_page_error_unsorted: a stream whose pages are not in cursor order
# (cursor.sorted = false: by id) meets, in an incremental walk, an empty
# page beside an error member (a rate limit answered 200): the walk ends
# there, unproven (t_page_error_empty). The HWM still moved to the
# largest cursor seen (capped at the walk's start), and a record changed
# earlier than that on a page not read (id 18) was never fetched again.
# Such a walk now keeps the HWM where it was, and the next run reads it.
# brokers: mock
. "$(dirname "$0")/lib_items.sh"

cat >"$T_WORK/api.py" <<'PY'
import time, json
BASE = time.time() - 3 * 86400
NOW = time.time()
def recs():
    out = []
    for i in range(1, 21):
        r = {"id": i, "name": "item %d" % i, "updated_at": iso_ms(BASE + i * 60)}
        if flag("changed") and i == 18:
            r = {"id": i, "name": "changed 18", "updated_at": iso_ms(NOW - 7200)}
        if flag("changed") and i == 3:
            r = {"id": i, "name": "changed 3", "updated_at": iso_ms(NOW - 3600)}
        out.append(r)
    return out
def handle(req):
    if req.path != "/items":
        return 404, [], '{"error": "no such resource"}'
    since = req.query.get("modified_since")
    rows = [r for r in recs() if since is None or r["updated_at"] >= since]
    rows.sort(key=lambda r: r["id"])   # by id: not in cursor order
    page = int(req.query.get("page", "1"))
    size = int(req.query.get("per_page", "100"))
    if flag("limited") and since is not None and page >= 2:
        return 200, [], json.dumps({"data": [], "error": {"code": 429, "message": "slow down"}})
    return 200, [], json.dumps({"data": rows[(page - 1) * size:page * size]})
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: -deleted.url" "stream: page.size = 1" "stream: cursor.sorted = false"
first_sync
wait_caught_up 30
assert_eq 20 "$(psql_value "select count(*) from items where not _deleted")" "rows"

touch "$T_WORK/changed" "$T_WORK/limited"
run_producer_once
grep -q 'msg="HWM kept where it was' "$PRODUCER_LAST_LOG" || fail "no warning that the HWM was kept"
wait_run_completed "$(last_run_field run_id)" 60
assert_eq "changed 3" "$(psql_value "select name from items where id = 3")" "id 3 after the limited run"
rm "$T_WORK/limited"
run_producer_once
wait_run_completed "$(last_run_field run_id)" 60
assert_eq "changed 18" "$(psql_value "select name from items where id = 18")" "id 18 after a clean incremental run"
log "ok"
