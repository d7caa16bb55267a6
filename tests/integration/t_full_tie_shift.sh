#!/usr/bin/env bash
# t_full_tie_shift: a full run over an API that caps its pages at 10
# whatever per_page asks (GitHub, Stripe, Shopify...), whose 30 records
# share one cursor value (a bulk import). Inside such a tie group the seek
# walk pages by number, and while it does, a user deletes another record
# of the group: every later page shifts by one, and item 11 is never
# served. Reconciliation counted it as vanished and deleted it downstream
# while the API served it all along. Now vanished ids are checked by a
# second walk first: item 11, served then, stays live. (Item 2, served
# before it was deleted, goes at the next full run.)
# brokers: mock
. "$(dirname "$0")/lib_items.sh"
cat >"$T_WORK/api.py" <<'EOF'
import json, time

T = iso_ms(time.time() - 3600)   # one bulk import an hour ago

def init(state, argv):
    state["recs"] = [{"id": i, "name": "item %d" % i, "updated_at": T} for i in range(1, 31)]

def handle(req):
    if req.path != "/items":
        return 404, [], '{"error": "no such resource"}'
    recs = req.state["recs"]
    page = int(req.query.get("page", "1"))
    # the second page of the tie group, during the armed full run: just
    # before it is answered, a user deletes item 2 (already served on page 1)
    if flag("armed") and page == 2 and not req.state.get("deleted"):
        req.state["recs"] = recs = [r for r in recs if r["id"] != 2]
        req.state["deleted"] = True
    since = req.query.get("modified_since")
    rows = sorted((r for r in recs if since is None or r["updated_at"] >= since),
                  key=lambda r: (r["updated_at"], r["id"]))
    size = min(int(req.query.get("per_page", "100")), 10)   # the API's cap
    return 200, [], json.dumps({"data": rows[(page - 1) * size:page * size]})
EOF

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: -deleted.url"
live_rows() { psql_value "select string_agg(id::text, ' ' order by id) from items where not _deleted"; }

first_sync
assert_eq 30 "$(psql_value 'select count(*) from items where not _deleted')" "live rows after the first sync"

touch "$T_WORK/armed"
run_producer_once --full
run2=$(last_run_field run_id)
wait_run_completed "$run2" 60
assert_eq "f" "$(psql_value 'select _deleted from items where id = 11')" \
    "item 11 deleted in PostgreSQL? (the API served it before, during and after the full run)"
grep -q 'msg="vanished ids checked by a second walk".*vanished=1 spared=1' "$PRODUCER_LAST_LOG" ||
    fail "no second walk sparing item 11: $(grep -i vanished "$PRODUCER_LAST_LOG" | tail -2)"
log "ok"
