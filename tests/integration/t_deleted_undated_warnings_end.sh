#!/usr/bin/env bash
# t_deleted_undated_warnings_end: an API that puts a warning in "errors"
# beside every answer, its last, empty page too, and lists deletions as
# bare ids (no deleted_at). Record 5, published long before, is deleted.
# Its deletion is undated, so the records are walked again from record
# 5's cursor to prove it gone; that walk ends on the warning page, which
# looked like an empty page that says it is an error (a rate limit
# answered 200): the walk proved nothing, and record 5's deletion was
# withheld at every run, for ever. An empty page beside the very words
# every page of the walk had beside its records is the API's habit, the
# walk's end. (Helper 163's D4.)
# brokers: mock
. "$(dirname "$0")/lib_items.sh"
cat >"$T_WORK/api.py" <<'PY'
import json, time
BASE = time.time() - 3 * 86400
def init(state, argv):
    state["recs"] = {i: {"id": i, "name": "item %d" % i, "updated_at": iso_ms(BASE + i * 60)}
                     for i in range(1, 31)}
    state["deleted"] = []
def handle(req):
    st = req.state
    if flag("deleted") and not st.get("done"):
        st["done"] = True
        del st["recs"][5]
        st["deleted"] = [5]
    page = int(req.query.get("page", "1"))
    size = min(int(req.query.get("per_page", "100")), 10)
    if req.path == "/items/deleted":
        rows = sorted(st["deleted"])
    elif req.path == "/items":
        since = req.query.get("modified_since")
        rows = sorted((r for r in st["recs"].values() if since is None or r["updated_at"] >= since),
                      key=lambda r: (r["updated_at"], r["id"]))
    else:
        return 404, [], '{"error": "no such resource"}'
    chunk = rows[(page - 1) * size:page * size]
    return 200, [], json.dumps({"data": chunk, "errors": ["deprecated: use /v2"]})
PY
start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config

first_sync
assert_eq 30 "$(psql_value 'select count(*) from items where not _deleted')" "live rows after the first sync"
touch "$T_WORK/deleted"
for i in 1 2; do
    run_producer_once
    wait_run_completed "$(last_run_field run_id)" 60
    log "run $i: deletes=$(last_run_field deletes) stale_deletes=$(last_run_field stale_deletes)"
done
if matches 'msg="undated deletions not published' "$PRODUCER_LAST_LOG"; then
    fail "record 5's undated deletion withheld again: $(grep 'undated deletions not published' "$PRODUCER_LAST_LOG")"
fi
assert_eq "t" "$(psql_value 'select _deleted from items where id = 5')" \
    "record 5's row after two runs since its deletion"
assert_eq 29 "$(psql_value 'select count(*) from items where not _deleted')" "live rows"
log "ok"
