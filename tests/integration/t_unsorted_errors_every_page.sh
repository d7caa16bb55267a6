#!/usr/bin/env bash
# t_unsorted_errors_every_page: an unsorted records walk (cursor.sorted =
# false) whose search backend times out for a whole run: every answer of
# that run says {"errors": ["search timed out"]}, its first page beside
# the 10 hits found in time, its second page empty (the other 5 changed
# records were not found in time). That empty page ends the walk
# unproven, and an unsorted walk keeps its HWM where it was: the next run
# reads the 5 records. (b999d78 took an empty page beside the words every
# page of the walk had for the API's habit, the walk's end: the HWM moved
# past the 5 records for good. Helper 166; reverted in 2b3216a.)
# brokers: mock
. "$(dirname "$0")/lib_items.sh"
cat >"$T_WORK/api.py" <<'PY'
import json, time
BASE = time.time() - 3 * 86400
def init(state, argv):
    state["recs"] = {i: {"id": i, "name": "item %d" % i, "updated_at": iso_ms(BASE + i * 60)}
                     for i in range(1, 31)}
def handle(req):
    st = req.state
    if flag("touch") and not st.get("touched"):
        st["touched"] = True
        now = time.time()
        for i in range(11, 26):   # 11 newest, 25 oldest: unsorted by cursor
            st["recs"][i]["name"] = "item %d v2" % i
            st["recs"][i]["updated_at"] = iso_ms(now - 60 - i)
    if req.path != "/items":
        return 200, [], json.dumps({"data": []})
    page = int(req.query.get("page", "1"))
    size = min(int(req.query.get("per_page", "100")), 10)
    since = req.query.get("modified_since")
    rows = sorted((r for r in st["recs"].values() if since is None or r["updated_at"] >= since),
                  key=lambda r: r["id"])
    if flag("slow"):   # the backend times out on every request of this run
        chunk = rows[0:size] if page == 1 else []
        return 200, [], json.dumps({"data": chunk, "errors": ["search timed out"]})
    return 200, [], json.dumps({"data": rows[(page - 1) * size:page * size]})
PY
start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: cursor.sorted = false"

first_sync
assert_eq 30 "$(psql_value 'select count(*) from items where not _deleted')" "live rows after the first sync"
touch "$T_WORK/touch" "$T_WORK/slow"
run_producer_once
wait_run_completed "$(last_run_field run_id)" 60
grep -E 'HWM|timed out' "$PRODUCER_LAST_LOG" | cut -c1-300
rm -f "$T_WORK/slow"
run_producer_once
wait_run_completed "$(last_run_field run_id)" 60
grep -E 'HWM' "$PRODUCER_LAST_LOG" | cut -c1-300
assert_eq "11,12,13,14,15,16,17,18,19,20,21,22,23,24,25" \
    "$(psql_value "select string_agg(id::text, ',' order by id) from items where name like '%v2'")" \
    "rows with their change after the backend recovered"
log "ok"
