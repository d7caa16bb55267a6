#!/usr/bin/env bash
# t_deleted_second_lookback: deleted.sorted = false, page.size 5,
# lookback = 1h. The API rate-limits the request right after a walk's
# last page: the deleted endpoint's second walk, asked back to back with
# the first, gets an empty page that says it is an error (200 {"data":
# [], "errors": [...]}) every run. Holding the deleted HWM at the since
# the first walk asked (the HWM minus lookback) moved it back by lookback
# on every such run; it is held no lower than where the run started, and
# the since the deleted walks ask stays put from run to run. (Record 40,
# deleted before the first run, gives that run a deleted HWM.)
# brokers: mock
. "$(dirname "$0")/lib_items.sh"
cat >"$T_WORK/api.py" <<'PY'
import time

def init(state, argv):
    state["api"] = Items()
    # record 40 was deleted two days ago: the first run keeps a deleted HWM
    state["api"].delete(40, iso_ms(time.time() - 2 * 86400))

def handle(req):
    st, api = req.state, req.state["api"]
    if flag("deleted") and not st.get("done"):
        st["done"] = True
        for i in range(21, 31):   # 10 deletions a day ago, one an hour
            api.delete(i, iso_ms(time.time() - 86400 + (i - 20) * 3600))
    if req.path == "/items/deleted":
        if flag("deleted") and req.query.get("page", "1") == "1" and st.get("ended"):
            st["ended"] = False   # right after a walk's end: rate-limited
            return 200, [], '{"data": [], "errors": ["rate limited"]}'
        status, hdrs, body = api.deleted_page(req, by_id=True)
        st["ended"] = body == '{"data": []}'
        return status, hdrs, body
    st["ended"] = False
    return api.records_page(req)
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: page.size = 5" "stream: deleted.sorted = false" "stream: lookback = 1h"

first_sync
touch "$T_WORK/deleted"
for i in 1 2 3 4 5; do
    run_producer_once
    wait_run_completed "$(last_run_field run_id)" 60
    log "deletes published: $(last_run_field deletes)"
done
# the first run asks no since; the next one asks record 40's less lookback;
# from then on (each second walk unproven) one since only
sinces=$(grep '/items/deleted' "$HOSTILE_LOG" | jq -r '.query.since // "-"' | uniq | grep -v '^-$' | tail -n +2)
[ "$(echo "$sinces" | sort -u | wc -l)" = 1 ] ||
    fail "the deleted walks' since moved back run after run: $(echo $sinces)"
log "ok"
