#!/usr/bin/env bash
# t_full_new_shift: a full run over an API that pages by number in its
# own order (by id; cursor.sorted = false). Record 11 is new since the
# last run (an import that kept its old updated_at), and while the run
# walks, record 2 is deleted: the later pages shift by one and record 11
# is on no page of the first walk. No id Kafka holds live was missed, so
# the run had no second walk, and record 11, below every HWM to come,
# waited for the next full run. Its first walk paged by number: the
# second walk now runs and publishes it.
# brokers: mock
. "$(dirname "$0")/lib_items.sh"

cat >"$T_WORK/api.py" <<'PY'
import time
BASE = time.time() - 3 * 86400
def handle(req):
    if req.path != "/items":
        return 404, [], '{"error": "no such resource"}'
    st = req.state
    page = int(req.query.get("page", "1"))
    # record 2 is deleted while the first walk of a shifting run reads page 3
    if flag("shift") and page == 3 and not st.get("deleted"):
        st["deleted"] = True
    recs = []
    for i in range(1, 21):
        if (i == 2 and st.get("deleted")) or (i == 11 and not flag("imported")):
            continue
        recs.append({"id": i, "name": "item %d" % i, "updated_at": iso_ms(BASE + i * 60)})
    return page_of(req, recs, cursor_field="updated_at", by_id=True)   # the API's own order
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: -deleted.url" "stream: page.size = 5" "stream: cursor.sorted = false"

first_sync
assert_eq "1,2,3,4,5,6,7,8,9,10,12,13,14,15,16,17,18,19,20" "$(live_ids)" "live rows after the first run"

touch "$T_WORK/imported" "$T_WORK/shift"
run_producer_once --full
assert_eq 0 "$(last_run_field vanished)" "ids the full run found vanished (2 was served before its deletion)"
wait_run_completed "$(last_run_field run_id)" 60
assert_eq "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20" "$(live_ids)" \
    "live rows after the full run whose first walk missed record 11"
log "ok"
