#!/usr/bin/env bash
# t_since_exclusive_record_moved: an API that filters `updated_at >
# :since` (updated_after), millisecond times, pages capped at 3. Record 3
# is the last record of the first page; the walk takes the API for `>`
# and asks one unit below each since. Between two requests record 3 is
# edited: it moves to the newest cursor. The page at its old since does
# not serve it again, and the walk (which since this round fails then,
# for an API comparing the parameter as text) failed the run. The page
# that served it is now read again once: record 3 is no longer there,
# nothing is lost, the run completes with all 12 records.
# brokers: mock
. "$(dirname "$0")/lib_items.sh"
cat >"$T_WORK/api.py" <<'PY'
import datetime
T0 = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=3)).replace(microsecond=0)
def stamp(r, t):
    r["t"] = t
    r["updated_at"] = t.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
def init(state, argv):
    state["recs"] = []
    for i in range(1, 13):
        r = {"id": i, "name": "item %d" % i}
        stamp(r, T0 + datetime.timedelta(minutes=i))
        state["recs"].append(r)
    state["last3"] = 0
def handle(req):
    if req.path != "/items":
        return 404, [], '{"error": "no such resource"}'
    since = req.query.get("modified_since")
    s = datetime.datetime.fromisoformat(since) if since else None
    rows = sorted((r for r in req.state["recs"] if s is None or r["t"] > s),
                  key=lambda r: (r["t"], r["id"]))
    page = int(req.query.get("page", "1"))
    chunk = rows[(page - 1) * 3:page * 3]
    body = json.dumps({"data": [{k: v for k, v in r.items() if k != "t"} for r in chunk]})
    if chunk and chunk[-1]["id"] == 3:
        req.state["last3"] += 1
        if req.state["last3"] == 2:  # edited right after this page was served
            stamp(chunk[-1], T0 + datetime.timedelta(hours=1))
    return 200, [], body
PY
start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: -deleted.url"

producer_rc=0
"$BUILD/tidemark-producer" -c "$CONF" run --once >"$T_WORK/producer.0.out" 2>"$T_WORK/producer.0.log" || producer_rc=$?
grep -o 'msg="[^"]*"\|error="[^"]*"' "$T_WORK/producer.0.log" | grep -v rdkafka >&2
assert_eq 0 "$producer_rc" "producer run --once on a legit API whose record was edited between two requests"
log "ok"
