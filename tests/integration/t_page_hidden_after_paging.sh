#!/usr/bin/env bash
# t_page_hidden_after_paging: an API that pages its rows first and then
# drops the ones it will not show (records soft-deleted, or out of the
# token's permissions, filtered in application code after the LIMIT), and
# says in each body whether more pages follow (`has_more`, as Stripe and
# many others do). Items 86-95 become hidden: at one since, page 2 then
# comes back empty although 96-100 follow. A full run's walk ended on that
# empty page, counted 96-100 as vanished (15 of 100, within
# full_sync.max_delete_ratio) and deleted them downstream while the API
# served them. With `more.path = has_more` only the page that says none
# ends the walk: 86-95 are deleted (the API no longer serves them) and
# 96-100 stay live.
# brokers: mock
. "$(dirname "$0")/lib_items.sh"
cat >"$T_WORK/api.py" <<'EOF'
import json, time

T0 = time.time() - 3600

def init(state, argv):
    state["recs"] = [{"id": i, "name": "item %d" % i, "updated_at": iso_ms(T0 + i)}
                     for i in range(1, 101)]

def handle(req):
    if req.path != "/items":
        return 404, [], '{"error": "no such resource"}'
    since = req.query.get("modified_since")
    rows = [r for r in req.state["recs"] if since is None or r["updated_at"] >= since]
    page = int(req.query.get("page", "1"))
    size = int(req.query.get("per_page", "100"))
    chunk = rows[(page - 1) * size:page * size]
    if flag("hidden"):   # dropped after paging: the page keeps its place
        chunk = [r for r in chunk if not 86 <= r["id"] <= 95]
    return 200, [], json.dumps({"data": chunk, "has_more": page * size < len(rows)})
EOF

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: -deleted.url" "stream: page.size = 5" "stream: more.path = has_more"
live_ids() { psql_value "select string_agg(id::text, ' ' order by id) from items where not _deleted and id > 80"; }

first_sync
assert_eq 100 "$(psql_value 'select count(*) from items where not _deleted')" "live rows after the first sync"

touch "$T_WORK/hidden"
run_producer_once --full
run2=$(last_run_field run_id)
assert_eq 10 "$(last_run_field vanished)" "ids the full run found gone (86-95)"
wait_run_completed "$run2" 60
assert_eq "81 82 83 84 85 96 97 98 99 100" "$(live_ids)" \
    "live rows above 80 (96-100 are served by the API after the hidden page)"
log "ok"
