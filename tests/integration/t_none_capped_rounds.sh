#!/usr/bin/env bash
# t_none_capped_rounds: t_none_capped's API (at most 10 records an
# answer, no page parameters, pagination = none), whose cursor parameter
# is taken to the second (rounded down, as README's seek walk allows for:
# "an API that rounds since down"), while its records' cursors keep
# milliseconds. Records 9 and 10 share a second. The walk's second answer,
# asked at record 10's cursor, starts with record 9 (same second), and is
# dropped as "starting below": record 11, past the cap, was never read by
# a full run, which then deleted it as vanished (a live record). An answer
# is now dropped only when it brings nothing new: a full run publishes 11
# and deletes none. (Found by a second reading, helper 113.)
# brokers: mock
. "$(dirname "$0")/lib.sh"

cat >"$T_WORK/api.py" <<'PY'
T = ["01.100", "02.100", "02.300", "03.100", "05.100", "05.200", "05.300", "06.100",
     "08.200", "08.700", "09.100"]
RECS = [customer(i + 1, "2026-11-25T12:00:%sZ" % t) for i, t in enumerate(T)]
CAP = 10

def handle(req):
    if req.path == "/admin/records":
        return 200, [], json.dumps({"data": RECS})
    if req.path != "/customers":
        return 404, [], '{"error": "InvalidEndpoint"}'
    since = req.query.get("modified_since")
    # the API keeps whole seconds of its parameter (rounds it down)
    floor = since[:19] if since else ""
    rows = sorted((r for r in RECS if r["last_modified"][:19] >= floor),
                  key=lambda r: (r["last_modified"], r["id"]))
    return 200, [], json.dumps({"data": rows[:CAP]})
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: -deleted.url" "stream: pagination = none" "stream: max.retries = 0"
run_producer_once
log "first run: published $(last_run_field published)"
run_producer_once
log "second run (incremental): published $(last_run_field published)"
: >"$HOSTILE_LOG"
run_producer_once --full
jq -c .query "$HOSTILE_LOG"
assert_eq 0 "$(last_run_field deletes)" "deletes of a full run (every record is live)"
log "ok"
