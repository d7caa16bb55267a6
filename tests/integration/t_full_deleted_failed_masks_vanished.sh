#!/usr/bin/env bash
# t_full_deleted_failed_masks_vanished: record 2 is gone from the API and
# the deleted endpoint's first page lists it, but the endpoint then fails
# for good (its next request, the seek walk's at the first page's last
# deleted_at, answers 404). README: the run fails with the deleted
# endpoint's error, "A full run then still reconciles". It did not for 2:
# the failed deleted walk's deletions are dropped (a part of a walk proves
# nothing), yet each id it listed stayed marked as "deleted by the deleted
# endpoint in this run", so reconciliation skipped it too, and record 2
# stayed live downstream although the API no longer serves it (and would
# at every full run while the endpoint fails so). Expected: the full run
# (exit 1, deleted endpoint's error) deletes 2 as vanished.
# brokers: mock
. "$(dirname "$0")/lib_items.sh"

cat >"$T_WORK/api.py" <<'PY'
def handle(req):
    st = req.state
    if "items" not in st:
        st["items"] = Items(n=10)
    it = st["items"]
    if flag("gone") and 2 in it.recs:
        it.delete(2, iso_ms(it.base + 3600))
    if req.path == "/items/deleted":
        if flag("gone") and "since" in req.query:
            return 404, [], '{"error": "not found"}'
        return it.deleted_page(req)
    return it.records_page(req)
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config
first_sync
assert_eq "1,2,3,4,5,6,7,8,9,10" "$(live_ids)" "live rows after the first sync"
touch "$T_WORK/gone"
run_producer_once_rc 1 --full
line=$(last_failed_line)
log "full run failed: $line"
case "$line" in
    *'error="deleted endpoint: '*) ;;
    *) fail "the full run did not fail with the deleted endpoint's error: $line" ;;
esac
wait_caught_up 60
assert_eq "1,3,4,5,6,7,8,9,10" "$(live_ids)" \
    "live rows after a full run whose deleted endpoint failed (the API no longer serves 2)"
log "ok"
