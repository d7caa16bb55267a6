#!/usr/bin/env bash
# t_none_capped_ties: t_none_capped's API (at most 10 records an answer,
# `>=`, no page parameters, pagination = none) whose oldest 15 records
# share one cursor value (an initial import), then 10 later ones. The
# first answer is 10 of the tie group; asked again at that value the walk
# is served the same 10 and finds nothing new. That a cap cut the group,
# nothing tells (an API that answers 10 records all at one instant, all
# it has, looks the same), so the run completes with 10 records: it used
# to say nothing, and now warns that records past such an answer are not
# read if the API caps its answers there, naming the way out.
# (Found by a second reading, helper 113.)
# brokers: mock
. "$(dirname "$0")/lib.sh"

cat >"$T_WORK/api.py" <<'PY'
RECS = [customer(i, "2026-11-25T12:00:00Z") for i in range(1, 16)] + \
       [customer(i, "2026-11-25T12:00:%02dZ" % i) for i in range(16, 26)]
CAP = 10

def handle(req):
    if req.path == "/admin/records":
        return 200, [], json.dumps({"data": RECS})
    if req.path != "/customers":
        return 404, [], '{"error": "InvalidEndpoint"}'
    since = req.query.get("modified_since")
    rows = sorted((r for r in RECS if since is None or r["last_modified"] >= since[:19] + "Z"),
                  key=lambda r: (r["last_modified"], r["id"]))
    return 200, [], json.dumps({"data": rows[:CAP]})
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: -deleted.url" "stream: pagination = none" "stream: max.retries = 0"
run_producer_once
assert_eq 10 "$(last_run_field published)" "events published"
line=$(grep 'msg="an answer of records all at one cursor value' "$PRODUCER_LAST_LOG") ||
    fail "no warning that the answer may be capped"
for w in "records=10" "use page, offset, cursor, link or next_url"; do
    case "$line" in *"$w"*) ;; *) fail "the warning does not say '$w': $line" ;; esac
done
log "ok"
