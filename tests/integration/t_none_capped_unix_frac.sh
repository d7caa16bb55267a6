#!/usr/bin/env bash
# t_none_capped_unix_frac: t_none_capped with cursor.format = unix
# and cursors with a fraction ("a fraction allowed; the parameter in whole
# seconds, rounded down", README). The API filters exactly `>=` on its
# parameter and caps answers at 10. tidemark itself rounds the second
# request's since down to the second, the answer starts with record 9
# (same second as record 10), is dropped as "starting below", and record
# 11 (past the cap) was never read: a full run deleted it as vanished.
# Now a full run deletes none. (Found by a second reading, helper 113.)
# brokers: mock
. "$(dirname "$0")/lib.sh"

cat >"$T_WORK/api.py" <<'PY'
B = 1764072000
T = [1.1, 2.1, 2.3, 3.1, 5.1, 5.2, 5.3, 6.1, 8.2, 8.7, 9.1]
RECS = [customer(i + 1, "%.3f" % (B + t)) for i, t in enumerate(T)]
CAP = 10

def handle(req):
    if req.path == "/admin/records":
        return 200, [], json.dumps({"data": RECS})
    if req.path != "/customers":
        return 404, [], '{"error": "InvalidEndpoint"}'
    st = float(req.query.get("start_time", "0"))
    rows = sorted((r for r in RECS if float(r["last_modified"]) >= st),
                  key=lambda r: (float(r["last_modified"]), r["id"]))
    return 200, [], json.dumps({"data": rows[:CAP]})
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: -deleted.url" "stream: cursor.param = start_time" \
    "stream: cursor.format = unix" "stream: pagination = none" "stream: max.retries = 0"
run_producer_once
log "first run: published $(last_run_field published)"
run_producer_once
log "second run (incremental): published $(last_run_field published)"
: >"$HOSTILE_LOG"
run_producer_once --full
jq -c .query "$HOSTILE_LOG"
assert_eq 0 "$(last_run_field deletes)" "deletes of a full run (every record is live)"
log "ok"
