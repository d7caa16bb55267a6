#!/usr/bin/env bash
# t_date_ahead: t_review_cursor_concurrent_update again (a cursor API
# paging by id while records 1 and 4 change during the walk), but the
# API's answers carry a Date header 10 minutes ahead of the clock that
# stamps its records (a web tier whose clock drifted, its database's
# right). The unsorted walk's HWM was held at that Date less 1 s, above
# every cursor of the walk: it held nothing back, and record 1's change
# was skipped for good. The mark is now never after the producer's own
# clock at the request, and record 1's new version reaches the topic.
# brokers: mock
STREAM=items
CURSOR_FIELD=updated_at
SOFT_DELETE_FIELD=""
SCHEMA="$(cd "$(dirname "$0")" && pwd)/fixtures/item.avsc"
. "$(dirname "$0")/lib.sh"

cat >"$T_WORK/api.py" <<'EOF'
import datetime, json

def stamp(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (t.microsecond // 1000)

def init(state, argv):
    base = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0) - \
        datetime.timedelta(hours=1)
    state["recs"] = {i: {"id": i, "name": "item %d" % i,
                         "updated_at": stamp(base + datetime.timedelta(seconds=i))}
                     for i in range(1, 7)}
    state["changed"] = False

def handle(req):
    if req.path != "/items":
        return 404, [], '{"error": "no such resource"}'
    recs = req.state["recs"]
    cur = req.query.get("cursor")
    # the second run's first request: while it reads page 2, 1 and then 4 change
    if cur == "p2" and req.n > 3 and not req.state["changed"]:
        t1 = datetime.datetime.now(datetime.timezone.utc)
        recs[1].update(name="item 1 v2", updated_at=stamp(t1))
        recs[4].update(name="item 4 v2", updated_at=stamp(t1 + datetime.timedelta(milliseconds=1)))
        req.state["changed"] = True
    since = req.query.get("modified_since")
    rows = [recs[i] for i in sorted(recs) if since is None or recs[i]["updated_at"] >= since]
    pages = [rows[0:3], rows[3:]]
    i = 1 if cur == "p2" else 0
    nxt = "p2" if i == 0 and pages[1] else None
    ahead = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=10)
    return 200, [("Date", ahead.strftime("%a, %d %b %Y %H:%M:%S GMT"))], \
        json.dumps({"data": pages[i], "next_cursor": nxt})
EOF

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: -deleted.url" "stream: pagination = cursor" "stream: page.param = cursor" \
    "stream: next.path = next_cursor"
topic="$PREFIX.$STREAM"

run_producer_once   # reads everything: 2 requests
# Run 2 must walk two pages again: from the HWM (record 6's cursor) the
# API serves only record 6, so the checkpoint is moved back to before the
# records. Its walk reads page 1, then 1 and 4 change, then it reads page 2.
"$BUILD/tidemark-producer" -c "$CONF" reset --stream "$STREAM" \
    --since "$(date -u -d '-2 hours' +%Y-%m-%dT%H:%M:%SZ)" \
    >/dev/null 2>&1 || fail "reset"
run_producer_once
run_producer_once
run_producer_once
names=$(kc -C -t "$topic" -e -f '%k %s\n' | awk '$1 == 1' | grep -ac 'item 1 v2')
[ "$names" -ge 1 ] || fail "record 1's change (at T1, before record 4's at T2) never reached $topic"
log "ok"
