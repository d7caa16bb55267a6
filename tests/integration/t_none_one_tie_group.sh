#!/usr/bin/env bash
# t_none_one_tie_group: an API without page parameters (pagination = none)
# that answers all it holds at once, 200,000 records that share one cursor
# value (an initial import). The walk asks again at that value and must
# tell which records of the second answer the first one ended with. That
# look went through a list, n * n comparisons: 2e10 for this answer, and
# the run never finished (run_producer_once gives it 120 s). The ids are
# now kept in a set, and the run publishes every record once.
# brokers: mock
. "$(dirname "$0")/lib.sh"

cat >"$T_WORK/api.py" <<'PY'
N = 200000
BODY = json.dumps({"data": [customer(i, "2026-11-25T12:00:00Z") for i in range(1, N + 1)]})

def handle(req):
    if req.path != "/customers":
        return 404, [], '{"error": "InvalidEndpoint"}'
    since = req.query.get("modified_since")
    if since is not None and since[:19] + "Z" > "2026-11-25T12:00:00Z":
        return 200, [], '{"data": []}'
    return 200, [], BODY
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: -deleted.url" "stream: pagination = none" "stream: max.retries = 0"
run_producer_once
assert_eq 200000 "$(last_run_field published)" "events published"
log "ok"
