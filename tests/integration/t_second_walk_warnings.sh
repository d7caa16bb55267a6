#!/usr/bin/env bash
# t_second_walk_warnings: a sorted page walk over an API that puts a
# warning in "errors" beside every answer, its last, empty page too (such
# a page ends a walk without failing it). A tie group of 30 records (a
# bulk import) is longer than the API's page cap (10), so the first walk
# pages by number there and a second walk follows, ending on that warning
# page, unproven. It held the HWM at the tie group's since: every run
# started there again and republished everything after it, for ever. It
# now holds it at the since of the page it ended on (every record below
# was read again): nothing changes in the API, nothing is published again.
# brokers: mock
. "$(dirname "$0")/lib_items.sh"
cat >"$T_WORK/api.py" <<'PY'
import json, time

BASE = time.time() - 3 * 86400
BULK = iso_ms(BASE)

def init(state, argv):
    state["recs"] = [{"id": i, "name": "item %d" % i,
                      "updated_at": BULK if i <= 30 else iso_ms(BASE + i * 60)}
                     for i in range(1, 41)]

def handle(req):
    if req.path != "/items":
        return 404, [], '{"error": "no such resource"}'
    st = req.state
    page = int(req.query.get("page", "1"))
    since = req.query.get("modified_since")
    rows = sorted((r for r in st["recs"] if since is None or r["updated_at"] >= since),
                  key=lambda r: (r["updated_at"], r["id"]))
    size = min(int(req.query.get("per_page", "100")), 10)   # the API's cap
    return 200, [], json.dumps({"data": rows[(page - 1) * size:page * size],
                                "errors": [{"message": "per_page is deprecated"}]})
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: -deleted.url"

first_sync
log "run 1 hwm: $(last_run_record | jq -c .hwm)"
c1=$(topic_count "$PREFIX.$STREAM")
run_producer_once
log "run 2 hwm: $(last_run_record | jq -c .hwm) published=$(last_run_field published)"
c2=$(topic_count "$PREFIX.$STREAM")
run_producer_once
log "run 3 hwm: $(last_run_record | jq -c .hwm) published=$(last_run_field published)"
c3=$(topic_count "$PREFIX.$STREAM")
log "topic counts: $c1 $c2 $c3"
grep -c 'second walk not provably complete' "$T_WORK/producer.log" || true
assert_eq "$c1" "$c3" "events on the topic after two incremental runs over an unchanged API"
log "ok"
