#!/usr/bin/env bash
# t_page_raw_quote: an API that builds JSON by string
# concatenation forgets to escape an inch mark in one record's name
# ("a 13" screen"), while another record two places later has it escaped
# ("15\" laptop"), as a JSON library writes it. The reader isolates the
# first record as a bad item; the scan that finds where that item ends
# (skip_item) counts quotes from inside the broken string, so it stays
# out of step until the escaped quote puts it back: records 2 and 3, which
# are well-formed, become part of record 1's raw bytes on the DLQ, and
# are never published. What must happen: every well-formed record lands in
# PostgreSQL (or, when the reader cannot tell where a broken record ends,
# the page fails and the run is retried); never a good record dropped
# inside another's dead letter while the run completes.
. "$(dirname "$0")/lib_items.sh"

cat >"$T_WORK/api.py" <<'PY'
def handle(req):
    if req.path == "/items/deleted":
        return 200, [], json.dumps({"data": []})
    def rec(i, name):
        return '{"id":%d,"name":%s,"updated_at":"2024-01-01T00:00:%02d.000Z"}' % (i, name, i)
    recs = [rec(1, '"a 13" screen"'), rec(2, json.dumps("plain")),
            rec(3, json.dumps('15" laptop')), rec(4, json.dumps("x"))]
    if req.query.get("page", "1") != "1":
        return 200, [], json.dumps({"data": []})
    since = req.query.get("modified_since")  # >=, as the cursor text compares
    recs = [r for i, r in enumerate(recs, 1) if not since or "2024-01-01T00:00:%02d.000Z" % i >= since]
    return 200, [], '{"data":[' + ",".join(recs) + "]}"
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: -deleted.url"
run_producer_once_rc 0
run1=$(last_run_field run_id)
log "published=$(last_run_field published) failed=$(last_run_field failed) status=$(jq -r .status <<<"$(last_run_record)")"
start_worker
wait_run_completed "$run1" 60
kc -C -t "$PREFIX.dlq" -e -f '%h\n' | tr ',' '\n' | grep -i "error" | head -3 | while read -r l; do log "dlq: $l"; done
assert_eq "2 3 4" "$(psql_value "select string_agg(id::text, ' ' order by id) from $TABLE")" \
    "ids in PostgreSQL (1 is dead-lettered; 2 and 3 are well-formed)"
log "ok"
