#!/usr/bin/env bash
# t_page_clamped: an API that clamps a page number past the last page to
# the last page (Magento 2's searchCriteria does: currentPage beyond the
# total answers the last page's items again) instead of answering an empty
# page or 404. A full run reads to an empty page, so it asks past the last
# page and is served the last page again: nothing tells that from an API
# that ignores the page parameter, so the run fails, its error naming
# both causes and the way out (offset, cursor or link pagination). It
# used to name only the page parameter, which the API does take.
# brokers: mock
. "$(dirname "$0")/lib.sh"

cat >"$T_WORK/api.py" <<'PY'
def handle(req):
    if req.path == "/customers/deleted":
        return 200, [], json.dumps({"data": []})
    recs = [customer(i, "2024-01-01T00:00:%02d.000Z" % i) for i in range(1, 6)]
    since = req.query.get("modified_since")
    rows = sorted([r for r in recs if since is None or r["last_modified"] >= since],
                  key=lambda r: r["last_modified"])
    size = int(req.query.get("per_page", "100"))
    last = max(1, (len(rows) + size - 1) // size)
    page = min(int(req.query.get("page", "1")), last)
    return 200, [], json.dumps({"data": rows[(page - 1) * size:page * size]})
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: page.size = 2"
run_producer_once_rc 1 # the first run is a full one
last_failed_line | matches "the same records as the previous page.*a clamped page number.*use pagination = offset, cursor or link" ||
    fail "the error does not name the clamp: $(last_failed_line)"
log "ok"
