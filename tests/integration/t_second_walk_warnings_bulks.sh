#!/usr/bin/env bash
# t_second_walk_warnings_bulks: an API that puts a warning in "errors"
# beside every answer with records (not beside its last, empty page),
# paged by number with a cap of 10, and a bulk import of 15 records (one
# cursor) between runs. Every run pages such a tie group by number and
# walks a second time, through pages of records beside "errors", to the
# empty end. A first version of t_full_second_walk_cut's fix (06460ce)
# took that walk as cut short and held the HWM where the run started,
# every time: the HWM never moved again, and each run published every
# bulk since once more, idle runs too. Such a walk stops a full run's
# vanished deletes only. (Found by a second reading, helper 161.)
# brokers: mock
. "$(dirname "$0")/lib_items.sh"
cat >"$T_WORK/api.py" <<'PY'
import json, time

BASE = time.time() - 3 * 86400

def init(state, argv):
    state["recs"] = [{"id": i, "name": "item %d" % i, "updated_at": iso_ms(BASE + i * 60)}
                     for i in range(1, 11)]

def handle(req):
    st = req.state
    if req.method == "POST" and req.path == "/admin/bulk":
        k = int(req.query["k"])
        t = iso_ms(BASE + 86400 + k * 3600)
        st["recs"] += [{"id": 1000 * k + j, "name": "bulk %d" % k, "updated_at": t}
                       for j in range(15)]
        return 200, [], "{}"
    if req.path != "/items":
        return 404, [], '{"error": "no such resource"}'
    page = int(req.query.get("page", "1"))
    since = req.query.get("modified_since")
    rows = sorted((r for r in st["recs"] if since is None or r["updated_at"] >= since),
                  key=lambda r: (r["updated_at"], r["id"]))
    size = min(int(req.query.get("per_page", "100")), 10)   # the API's cap
    rows = rows[(page - 1) * size:page * size]
    body = {"data": rows}
    if rows:
        body["errors"] = [{"message": "per_page is deprecated"}]
    return 200, [], json.dumps(body)
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: -deleted.url"

first_sync
c0=$(topic_count "$PREFIX.$STREAM")
log "run 1 hwm: $(last_run_record | jq -c .hwm) events=$c0"
for k in 1 2 3; do
    api_post "/admin/bulk?k=$k" >/dev/null
    run_producer_once
    log "run $((k + 1)) hwm: $(last_run_record | jq -c .hwm | cut -c1-60) published=$(last_run_field published) events=$(topic_count "$PREFIX.$STREAM")"
done
for i in 1 2; do
    run_producer_once
    log "idle run $i hwm: $(last_run_record | jq -c .hwm | cut -c1-60) published=$(last_run_field published) events=$(topic_count "$PREFIX.$STREAM")"
done
grep -c 'second walk not provably complete' "$T_WORK/producer.log" || true
assert_eq "$((c0 + 45))" "$(topic_count "$PREFIX.$STREAM")" \
    "events on the topic after three runs, each after a bulk import of 15, and two idle runs"
log "ok"
