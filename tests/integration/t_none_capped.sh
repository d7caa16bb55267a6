#!/usr/bin/env bash
# t_none_capped: a Zendesk-style time-based export: start_time in unix
# seconds (>=), at most 10 records an answer whatever is asked, and no
# page parameters at all. Configured as README says for an endpoint
# without them (pagination = none), each run read one answer: a full run
# counted the eleventh live record vanished and deleted it (1 in 11,
# under full_sync.max_delete_ratio). A `none` walk now asks again from
# its answer's last cursor, as a seek walk does, until an answer brings
# nothing new: the first run reads all eleven, a full run deletes
# nothing, and an idle run still makes one request (its answer, the ties
# at the HWM, lies all at the cursor it was asked from).
# brokers: mock
. "$(dirname "$0")/lib.sh"

cat >"$T_WORK/api.py" <<'PY'
import calendar, time as _t
T = [1, 2, 2, 3, 5, 5, 5, 6, 8, 9, 9]
RECS = [customer(i + 1, "2026-11-25T12:00:%02dZ" % t) for i, t in enumerate(T)]
CAP = 10

def secs(r):
    return calendar.timegm(_t.strptime(r["last_modified"], "%Y-%m-%dT%H:%M:%SZ"))

def handle(req):
    if req.path == "/admin/records":
        return 200, [], json.dumps({"data": RECS})
    if req.path != "/customers":
        return 404, [], '{"error": "InvalidEndpoint"}'
    st = int(req.query.get("start_time", "0"))
    rows = sorted((r for r in RECS if secs(r) >= st), key=lambda r: (secs(r), r["id"]))
    chunk = rows[:CAP]
    end = secs(chunk[-1]) if chunk else st
    return 200, [], json.dumps({"data": chunk, "count": len(chunk), "end_time": end,
                                "end_of_stream": len(rows) <= CAP})
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: -deleted.url" "stream: cursor.param = start_time" \
    "stream: cursor.format = unix" "stream: pagination = none" "stream: max.retries = 0"
run_producer_once
assert_eq 11 "$(last_run_field published)" "events published by the first run (past the cap)"
run_producer_once --full
assert_eq 0 "$(last_run_field deletes)" "deletes of a full run"
run=$(last_run_field run_id)
start_worker
wait_run_completed "$run" 60
assert_table_equals_api
: >"$HOSTILE_LOG"
run_producer_once
assert_eq 1 "$(grep -c '/customers' "$HOSTILE_LOG")" "requests of an idle run"
log "ok"
