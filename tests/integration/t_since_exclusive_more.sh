#!/usr/bin/env bash
# t_since_exclusive_more: an API that filters since as `>` (updated_after),
# caps pages at 10, and says has_more. Records 5 to 40 share one cursor (a
# bulk update at the end of the data). The page at that cursor is empty
# and says has_more=false; an empty page was never taken for the sign of
# a `>` filter under more.path (where the API may hide a page's records),
# and the walk ended with 10 of 40 rows. Only an empty page saying more
# pages follow is such a hidden page.
# brokers: mock
. "$(dirname "$0")/lib_items.sh"
cat >"$T_WORK/api.py" <<'PY'
import json, time
BASE = time.time() - 3 * 86400
BULK = iso_ms(time.time() - 3600)
def init(state, argv):
    state["recs"] = [{"id": i, "name": "item %d" % i,
                      "updated_at": BULK if i >= 5 else iso_ms(BASE + i * 60)}
                     for i in range(1, 41)]
def handle(req):
    if req.path != "/items":
        return 404, [], '{"error": "no such resource"}'
    st = req.state
    page = int(req.query.get("page", "1"))
    since = req.query.get("modified_since")
    rows = sorted((r for r in st["recs"] if since is None or r["updated_at"] > since),
                  key=lambda r: (r["updated_at"], r["id"]))
    size = min(int(req.query.get("per_page", "100")), 10)   # the API's cap
    return 200, [], json.dumps({"data": rows[(page - 1) * size:page * size],
                                "has_more": page * size < len(rows)})
PY
start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: -deleted.url" "stream: more.path = has_more"

first_sync
assert_eq 40 "$(psql_value 'select count(*) from items where not _deleted')" "rows after the first sync"
log "ok"
