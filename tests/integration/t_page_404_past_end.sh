#!/usr/bin/env bash
# t_page_404_past_end: an API that answers 404 for a page past its last
# one, as Django REST Framework's page numbers do ({"detail": "Invalid
# page."}). A full run always ends by asking page 2 at the last cursor,
# to prove the walk read everything: without page.end_on_404 the run fails
# and says which key to set (it used to fail with a bare 404, and every
# run was a full one again, republished everything and failed again).
# With page.end_on_404 = true that 404 ends the walk as an empty page
# would: the runs complete, a second full run finds nothing vanished, and
# a change is published by an incremental run.
# brokers: mock
. "$(dirname "$0")/lib.sh"

cat >"$T_WORK/api.py" <<'PY'
def handle(req):
    if req.path == "/customers/deleted":
        return 200, [], json.dumps({"data": []})
    recs = [customer(i, "2024-01-01T00:00:%02d.000Z" % i) for i in range(1, 8)]
    if flag("changed"):
        recs[2] = customer(3, "2024-01-02T00:00:00.000Z", name="changed")
    status, headers, body = page_of(req, recs)
    if int(req.query.get("page", "1")) > 1 and not json.loads(body)["data"]:
        return 404, [], '{"detail": "Invalid page."}'
    return status, headers, body
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: page.size = 3"
run_producer_once_rc 1
last_failed_line | matches 'page.end_on_404 = true' ||
    fail "the failed run does not name page.end_on_404: $(last_failed_line)"

write_config "stream: page.size = 3" "stream: page.end_on_404 = true"
run_producer_once
assert_eq full "$(last_run_field mode)" "the first completed run's mode"
assert_eq 7 "$(last_run_field published)" "records published by the full run"
run_producer_once --full
assert_eq 0 "$(last_run_field vanished)" "ids a second full run found gone"
touch "$T_WORK/changed"
run_producer_once
assert_eq incremental "$(last_run_field mode)" "the next run's mode"
assert_eq 1 "$(last_run_field published)" "records published by the incremental run"
log "ok"
