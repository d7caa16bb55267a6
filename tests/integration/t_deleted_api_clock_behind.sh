#!/usr/bin/env bash
# t_deleted_api_clock_behind: a deleted endpoint of
# bare ids that filters `since` against its own deletion times, on an API
# whose clock runs 2 minutes behind the producer's (its answers' Date
# header says so). Run 1 is served an old deletion (id 3): the deleted HWM
# becomes the producer's clock at the request (README: "dated when the
# walk's first request was sent"). Record 1 is then deleted; the API stamps
# that deletion with its clock, below that HWM, so every later run asks
# `since` past it and is never served it: the record stays live in the
# topic (and PostgreSQL) until a full run finds it vanished (7 days by
# default). The records walk's hold (source_api_mark) takes the lower of
# the Date header and the producer's clock for exactly this skew; the
# undated deletion's mark did not, and now does. Expected: id 1's deletion
# is published (deletes=1). (Found by helper 137.)
# brokers: mock
. "$(dirname "$0")/lib.sh"

cat >"$T_WORK/api.py" <<'PY'
import datetime, os
LAG = datetime.timedelta(seconds=120)

def api_now():
    return datetime.datetime.now(datetime.timezone.utc) - LAG

def stamp(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (t.microsecond // 1000)

def init(state, argv):
    state["flag"] = argv[0] + "/delete1"
    base = api_now() - datetime.timedelta(hours=1)
    state["recs"] = {i: customer(i, stamp(base + datetime.timedelta(seconds=i))) for i in (1, 2)}
    state["deleted"] = {3: api_now() - datetime.timedelta(minutes=30)}

def handle(req):
    st = req.state
    if os.path.exists(st["flag"]) and 1 not in st["deleted"]:
        st["deleted"][1] = api_now()
        del st["recs"][1]
    date = [("Date", api_now().strftime("%a, %d %b %Y %H:%M:%S GMT"))]
    if req.path == "/customers/deleted":
        since = req.query.get("since")
        s = datetime.datetime.fromisoformat(since) if since else None
        ids = [i for i, t in sorted(st["deleted"].items()) if s is None or t >= s]
        if req.query.get("page", "1") != "1":
            ids = []
        return 200, date, json.dumps({"data": ids})
    if req.path != "/customers":
        return 404, [], '{"error": "no such resource"}'
    status, _, body = page_of(req, list(st["recs"].values()))
    return status, date, body
PY

start_devbroker
start_hostileapi "$T_WORK/api.py" "$T_WORK"
write_config
topic="$PREFIX.$STREAM"

run_producer_once
log "run 1: $(last_run_line)"
assert_eq 2 "$(last_run_field published)" "records published by run 1"
touch "$T_WORK/delete1"
run_producer_once
log "run 2: $(last_run_line)"
d2=$(last_run_field deletes)
run_producer_once
log "run 3: $(last_run_line)"
d3=$(last_run_field deletes)
log "deleted requests: $(jq -r 'select(.path == "/customers/deleted") | .query.since // "-"' "$HOSTILE_LOG" | tr '\n' ' ')"
latest=$(kc -C -t "$topic" -e -f '%k %S\n' | awk '$1 == 1' | tail -n1)
log "topic's latest message for id 1: $latest"
assert_eq 1 "$((d2 + d3))" "deletions published by runs 2 and 3 (id 1 is gone from the API)"
case "$latest" in
    "1 -1") ;;
    *) fail "the topic's latest message for id 1 is not a tombstone: $latest" ;;
esac
log "ok"
