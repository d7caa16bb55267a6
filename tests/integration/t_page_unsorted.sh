#!/usr/bin/env bash
# t_page_unsorted: a page-numbered API that serves its records by id, not
# by cursor, declared with `cursor.sorted = false`. Such pages are walked
# by number at the run's since: the seek walk (a re-ask from the last
# record's cursor) skipped every later record below that cursor, so the
# first paged run never published item 3 and a paged full run deleted it
# downstream while the API still served it. Now every record reaches the
# topic and the full run deletes nothing; and undeclared (the default for
# page is sorted), the first page out of order fails the run, naming
# cursor.sorted.
# brokers: mock
STREAM=items
CURSOR_FIELD=updated_at
SOFT_DELETE_FIELD=""
SCHEMA="$T_WORK/item.avsc"
. "$(dirname "$0")/lib.sh"

cat >"$SCHEMA" <<'EOF'
{"type": "record", "name": "Item", "namespace": "io.tidemark.test",
 "fields": [{"name": "id", "type": "long"}, {"name": "name", "type": "string"},
            {"name": "updated_at", "type": {"type": "long", "logicalType": "timestamp-millis"}}]}
EOF
cat >"$T_WORK/api.py" <<'EOF'
import json, time

# Cursors an hour old, in id order but for item 3 (changed before item 2).
BASE = time.time() - 3600
OFF = {1: 1, 2: 5, 3: 3, 4: 6, 5: 7, 6: 8, 7: 9, 8: 10, 9: 11, 10: 12}

def handle(req):
    if req.path != "/items":
        return 404, [], '{"error": "no such resource"}'
    recs = [{"id": i, "name": "item %d" % i, "updated_at": iso_ms(BASE + OFF[i])}
            for i in sorted(OFF)]
    since = req.query.get("modified_since")
    rows = [r for r in recs if since is None or r["updated_at"] >= since]  # by id
    page, size = int(req.query.get("page", "1")), int(req.query.get("per_page", "100"))
    return 200, [], json.dumps({"data": rows[(page - 1) * size:page * size]})
EOF

start_devbroker
start_hostileapi "$T_WORK/api.py"
topic="$PREFIX.$STREAM"
ids_on_topic() { kc -C -t "$topic" -e -f '%k\n' | sort -nu | tr '\n' ' ' | sed 's/ $//'; }

# 0. Not declared: cursor.sorted defaults to true for page, and the first
#    page out of cursor order fails the run, naming the key.
write_config "stream: -deleted.url" "stream: page.size = 100"
rc=0
"$BUILD/tidemark-producer" -c "$CONF" run --once >"$T_WORK/p0.out" 2>"$T_WORK/p0.log" || rc=$?
assert_eq 1 "$rc" "the producer's exit with pages out of order, undeclared"
grep -q "not in ascending cursor order.*set cursor.sorted = false" "$T_WORK/p0.log" ||
    fail "no error naming cursor.sorted: $(tail -2 "$T_WORK/p0.log")"
assert_eq "1 2" "$(ids_on_topic)" "ids published before the record out of order"

# 1. An incremental-style walk over several pages, from nothing.
write_config "stream: -deleted.url" "stream: cursor.sorted = false" "stream: page.size = 2"
run_producer_once
lost_first=$(ids_on_topic)

# 2. Everything in one page (so all 6 are published and live), then a full
#    run paged by 2 again, with the worker applying.
write_config "stream: -deleted.url" "stream: cursor.sorted = false" "stream: page.size = 100"
run_producer_once --full
start_worker
wait_run_completed "$(last_run_field run_id)" 60
assert_eq "1 2 3 4 5 6 7 8 9 10" "$(psql_value "select string_agg(id::text, ' ' order by id) from items where not _deleted")" \
    "live rows after a one-page full run"
write_config "stream: -deleted.url" "stream: cursor.sorted = false" "stream: page.size = 2"
run_producer_once --full
run2=$(last_run_field run_id)
wait_run_completed "$run2" 60
live=$(psql_value "select string_agg(id::text, ' ' order by id) from items where not _deleted")

assert_eq "1 2 3 4 5 6 7 8 9 10" "$live" "live rows in PostgreSQL after a full run (the API serves all ten)"
assert_eq "1 2 3 4 5 6 7 8 9 10" "$lost_first" "ids on $topic after the first (paged) run"
log "ok"
