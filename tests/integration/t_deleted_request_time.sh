#!/usr/bin/env bash
# t_deleted_request_time: a deleted endpoint that ignores `since` and
# stamps each deletion's deleted_at with the time of the request less 30 s
# (a view that fills a missing deletion time so): every request serves the
# same deletion at a later deleted_at, always past any since. A seek walk
# that re-asks at the last deleted_at would chase it, as
# t_cursor_request_time's records walk chased its record. Each run must
# end within 30 s having published the deletion at most once (a new
# deleted_at each run: it is published again, one delete and tombstone a
# run), and the row must be deleted. (From a second reading, helper 158;
# it passed when written.)
# brokers: mock
. "$(dirname "$0")/lib_items.sh"

cat >"$T_WORK/api.py" <<'PY'
import time
BASE = time.time() - 3 * 86400
def handle(req):
    if req.path == "/items/deleted":
        if not flag("deleted"):
            return 200, [], '{"data": []}'
        return 200, [], json.dumps({"data": [{"id": 8, "deleted_at": iso_ms(time.time() - 30)}]})
    if req.path != "/items":
        return 404, [], '{"error": "no such resource"}'
    return page_of(req, [{"id": i, "name": "item %d" % i, "updated_at": iso_ms(BASE + i * 60)}
        for i in range(1, 11) if not (flag("deleted") and i == 8)], cursor_field="updated_at")
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config
first_sync
touch "$T_WORK/deleted"
for i in 1 2 3; do
    n=$((++_PRODUCER_N))
    PRODUCER_LAST_LOG="$T_WORK/producer.$n.log"
    timeout --foreground -k 5 30 "$BUILD/tidemark-producer" -c "$CONF" run --once \
        >"$T_WORK/producer.$n.out" 2>"$PRODUCER_LAST_LOG"
    rc=$?
    cat "$PRODUCER_LAST_LOG" >>"$T_WORK/producer.log"
    log "run $n: exit $rc; $(last_run_summary); deleted-endpoint requests so far: $(grep -c '"/items/deleted"' "$HOSTILE_LOG")"
    [ "$rc" = 0 ] || fail "run $n did not end within 30 s (exit $rc): it chases the deletion stamped at each request"
    [ "$(last_run_field deletes)" -le 1 ] || fail "run $n published $(last_run_field deletes) deletes of item 8"
done
wait_run_completed "$(last_run_field run_id)" 60
assert_eq "1,2,3,4,5,6,7,9,10" "$(live_ids)" "live rows once 8 is deleted"
deletes=$(kc -C -t "$PREFIX.$STREAM" -e -f '%k %S\n' | awk '$1 == 8 && $2 == -1' | wc -l)
[ "$deletes" -le 3 ] || fail "item 8 got $deletes tombstones in three runs"
log "ok"
