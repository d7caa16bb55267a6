#!/usr/bin/env bash
# t_none_deleted: deleted.pagination = none on an endpoint answering
# every deletion at once (>=, sorted), a bulk delete sharing one
# deleted_at among them; then the same with an API filtering `>`.
# brokers: mock
. "$(dirname "$0")/lib_items.sh"
cat >"$T_WORK/api.py" <<'PY'
import time
BULK = iso_ms(time.time() - 1800)
def init(state, argv):
    state["api"] = Items(40)
def handle(req):
    st, api = req.state, req.state["api"]
    if flag("del") and not st.get("del"):
        st["del"] = True
        for i in (3, 7):
            api.delete(i, iso_ms(time.time() - 3000 + i))
        for i in (11, 12, 13):
            api.delete(i, BULK)
        api.delete(20, iso_ms(time.time() - 600))
    if flag("del2") and not st.get("del2"):
        st["del2"] = True
        api.delete(30, iso_ms(time.time() - 60))
    if req.path == "/items/deleted":
        return api.deleted_page(req, after=flag("after"))
    return api.records_page(req)
PY
start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: deleted.pagination = none"
first_sync
touch "$T_WORK/del"
run_producer_once
log "incremental: deletes=$(last_run_field deletes)"
assert_eq 6 "$(last_run_field deletes)" "deletes of the incremental run"
run_producer_once
log "idle: deletes=$(last_run_field deletes) published=$(last_run_field published)"
touch "$T_WORK/del2"
run_producer_once
assert_eq 1 "$(last_run_field deletes)" "deletes of the run after one more deletion"
run_producer_once --full
log "full: deletes=$(last_run_field deletes) published=$(last_run_field published)"
run=$(last_run_field run_id)
wait_run_completed "$run" 60
# the deletions of the runs before it are on partitions of their own
wait_caught_up
assert_eq 33 "$(psql_value 'select count(*) from items where not _deleted')" "live rows"
log "ok"
