#!/usr/bin/env bash
# t_page_error_empty: an API that answers a rate-limited page with 200 and
# a body that says so beside an empty records array: {"data": [],
# "error": {"code": 429, ...}}. The empty array was taken as the end of
# the walk, and a full run whose walks both met it on their second page
# deleted every record after the first page as vanished (3 of 20 here),
# records the API still serves. Such a page still ends the walk (an API
# may send warnings in "errors" beside every answer, its last empty page
# too: failing it would fail every run), but not by the walk's end rule:
# the run completes, a warning gives the API's words, and a full run
# deletes nothing. An error member that says nothing ("error": null, "",
# [], {}, 0, false) is no error.
# brokers: mock
. "$(dirname "$0")/lib_items.sh"

cat >"$T_WORK/api.py" <<'PY'
import time, json
BASE = time.time() - 3 * 86400
RECS = [{"id": i, "name": "item %d" % i, "updated_at": iso_ms(BASE + i * 60)}
        for i in range(1, 21)]
QUIET = [None, "", [], {}, 0, False]
def handle(req):
    if req.path != "/items":
        return 404, [], '{"error": "no such resource"}'
    if flag("limited") and "modified_since" in req.query:
        return 200, [], json.dumps({"data": [], "error": {"code": 429,
                                    "message": "Too many requests, slow down"}})
    status, headers, body = page_of(req, RECS, cursor_field="updated_at")
    page = json.loads(body)
    if flag("warnings"):
        page["errors"] = [{"severity": "warning", "message": "per_page is deprecated"}]
    else:
        page["error"] = QUIET[req.n % len(QUIET)]
    return status, headers, json.dumps(page)
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: -deleted.url" "stream: page.size = 17"
live() { psql_value "select count(*) from items where not _deleted"; }

first_sync
wait_caught_up 30
assert_eq 20 "$(live)" "live rows after the first run"

touch "$T_WORK/limited"
run_producer_once --full
assert_eq 0 "$(last_run_field vanished)" "ids the full run that met the error page found vanished"
grep 'msg="an empty page whose answer says it is an error' "$PRODUCER_LAST_LOG" |
    matches 'Too many requests' || fail "no warning gives the API's words"
wait_run_completed "$(last_run_field run_id)" 60
assert_eq 20 "$(live)" "live rows after the full run that met the error page"

rm "$T_WORK/limited"
run_producer_once --full
assert_eq 0 "$(last_run_field vanished)" "ids the clean full run found vanished"
wait_run_completed "$(last_run_field run_id)" 60
assert_eq 20 "$(live)" "live rows after the clean full run"

# an API that sends warnings in "errors" with every answer: its runs
# complete (and a full run, unproven, deletes nothing)
touch "$T_WORK/warnings"
api_run() { run_producer_once "$@"; wait_run_completed "$(last_run_field run_id)" 60; }
api_run
api_run --full
assert_eq 20 "$(live)" "live rows after runs on an API that warns in every answer"
log "ok"
