#!/usr/bin/env bash
# t_deleted_ignores_since_republished: a deleted endpoint that ignores
# `since` and lists every dated deletion it ever made (README: such an
# endpoint "is walked on"). Records 3 and 4 are deleted once; every later
# run, with nothing changed, publishes both deletes (and tombstones) again
# and counts them in its run record's deletes.
# Expected: a deletion the topic already holds as the id's last word is
# not published again.
# brokers: mock
. "$(dirname "$0")/lib_items.sh"
cat >"$T_WORK/api.py" <<'PY'
import time
def init(state, argv):
    state["api"] = Items(n=10)

def handle(req):
    st, api = req.state, req.state["api"]
    if flag("deleted") and not st.get("done"):
        st["done"] = True
        api.delete(3, iso_ms(time.time() - 2))
        api.delete(4, iso_ms(time.time() - 1))
    if req.path == "/items/deleted":
        page = int(req.query.get("page", "1"))
        return 200, [], json.dumps({"data": api.deleted if page == 1 else []})  # no since filter
    return api.records_page(req)
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config
topic="$PREFIX.$STREAM"
dels_on_topic() { kc -C -t "$topic" -e -f '%k %h\n' | grep -c 'tidemark.op=delete'; }

first_sync
touch "$T_WORK/deleted"
run_producer_once
assert_eq 2 "$(last_run_field deletes)" "deletes of the run after 3 and 4 were deleted"
wait_run_completed "$(last_run_field run_id)" 60
# a later change moves the records' HWM past the deletions
n1=$(dels_on_topic)
for i in 1 2; do
    run_producer_once
    wait_run_completed "$(last_run_field run_id)" 60
    log "quiet run $i: deletes=$(last_run_field deletes) stale_deletes=$(last_run_field stale_deletes); delete-op messages on the topic: $(dels_on_topic)"
done
assert_eq "1,2,5,6,7,8,9,10" "$(live_ids)" "live rows"
assert_eq "$n1" "$(dels_on_topic)" "delete-op messages on the topic after two quiet runs"
log "ok"
