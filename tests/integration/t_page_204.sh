#!/usr/bin/env bash
# t_page_204: an API that answers 204 No Content, with no body, for a page
# with nothing on it (the page past the last, and the deleted endpoint
# with no deletions). Every walk ends on such a page, and every run used
# to fail with "body is not JSON". 204 is now an empty page: the full
# run, an incremental one and a second full one complete, nothing
# vanishes, and a change made then is published.
# brokers: mock
. "$(dirname "$0")/lib.sh"

cat >"$T_WORK/api.py" <<'PY'
def handle(req):
    if req.path == "/customers/deleted":
        return 204, [], ""
    recs = [customer(i, "2024-01-01T00:00:%02d.000Z" % i) for i in range(1, 6)]
    if flag("changed"):
        recs[1] = customer(2, "2024-01-02T00:00:00.000Z", name="changed")
    status, headers, body = page_of(req, recs)
    return (204, [], "") if not json.loads(body)["data"] else (status, headers, body)
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: page.size = 2"
three_clean_runs 5
touch "$T_WORK/changed"
run_producer_once
assert_eq 1 "$(last_run_field published)" "records published after a change"
log "ok"
