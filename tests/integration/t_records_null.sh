#!/usr/bin/env bash
# t_records_null: an API written in Go answers an empty page with
# {"data": null} (encoding/json writes a nil slice as null). Every walk
# ends on such a page, and every run used to fail with "no array at
# records.path". null at records.path is now an empty page: the full run,
# an incremental one and a second full one complete, nothing vanishes.
# An answer that says it is an error ({"data": null, "error": ...} with
# 200 all the same) is still no page: the run fails with the API's words.
# brokers: mock
. "$(dirname "$0")/lib.sh"

cat >"$T_WORK/api.py" <<'PY'
def handle(req):
    if req.path == "/customers/deleted":
        return 200, [], json.dumps({"data": None})
    if flag("limited"):
        return 200, [], json.dumps({"data": None, "error": "rate limited, try later"})
    recs = [customer(i, "2024-01-01T00:00:%02d.000Z" % i) for i in range(1, 6)]
    status, headers, body = page_of(req, recs)
    page = json.loads(body)
    if not page["data"]:
        page["data"] = None
    return status, headers, json.dumps(page)
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: page.size = 2"
three_clean_runs 5

touch "$T_WORK/limited"
run_producer_once_rc 1
last_failed_line | matches "no array at records.path 'data'; the answer says: .*rate limited, try later" ||
    fail "the failed run does not give the API's words: $(last_failed_line)"
log "ok"
