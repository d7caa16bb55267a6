#!/usr/bin/env bash
# t_page_204_hidden: t_page_hidden_after_paging's API (rows paged first,
# then the ones the token may not see dropped; has_more in each body, so
# more.path = has_more is set as the README advises for such an API), on
# a web framework that answers an empty list with 204 No Content. Items
# 86-95 become hidden: pages 18 and 19 (page.size 5) come back as 204
# although 96-100 follow. A 204 under more.path is no end: the full run
# fails and deletes nothing; 96-100 stay live. A version that took any
# 204 for the last page counted them vanished and deleted them.
# brokers: mock
. "$(dirname "$0")/lib_items.sh"
cat >"$T_WORK/api.py" <<'EOF2'
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
    if not chunk:        # the framework's answer to an empty list
        return 204, [], ""
    return 200, [], json.dumps({"data": chunk, "has_more": page * size < len(rows)})
EOF2

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: -deleted.url" "stream: page.size = 5" "stream: more.path = has_more"
live_ids() { psql_value "select string_agg(id::text, ' ' order by id) from items where not _deleted and id > 80"; }

first_sync
assert_eq 100 "$(psql_value 'select count(*) from items where not _deleted')" "live rows after the first sync"

touch "$T_WORK/hidden"
"$BUILD/tidemark-producer" -c "$CONF" run --once --full >"$T_WORK/p2.out" 2>"$T_WORK/p2.log"
rc=$?
cat "$T_WORK/p2.log" >>"$T_WORK/producer.log"
log "full run exit $rc: $(grep -o 'vanished=[0-9]*' "$T_WORK/p2.log" | tail -1) $(grep -o 'error="[^"]*"' "$T_WORK/p2.log" | head -1)"
if [ "$rc" = 0 ]; then
    run2=$(grep -o 'run_id=[^ ]*' "$T_WORK/p2.log" | head -1 | cut -d= -f2)
    wait_run_completed "$run2" 60
fi
wait_caught_up 30
assert_eq "81 82 83 84 85 96 97 98 99 100" "$(live_ids | sed 's/ 86 87 88 89 90 91 92 93 94 95//')" \
    "live rows above 80 apart from the hidden 86-95 (96-100 are served by the API after the hidden pages)"
log "ok"
