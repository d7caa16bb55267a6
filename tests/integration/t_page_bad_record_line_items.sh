#!/usr/bin/env bash
# t_page_bad_record_line_items: an order-like API whose records carry an
# array of line items ([{...},{...}], the commonest nested shape) sends
# records with syntax errors of their own: a trailing comma (a hand-built
# JSON writer) in record 1, an unescaped inch mark ("a 13" screen") in
# record 3. The line items' own '},{' is no record boundary: 1 and 3 are
# dead-lettered, 2 and 4 applied and the run completes. A first version
# of the guard against swallowed records failed the page for ever here.
. "$(dirname "$0")/lib_items.sh"

cat >"$T_WORK/api.py" <<'PY'
def handle(req):
    if req.path == "/items/deleted":
        return 200, [], json.dumps({"data": []})
    if req.query.get("page", "1") != "1":
        return 200, [], json.dumps({"data": []})
    lines = '"lines":[{"sku":"A-1","qty":1}, {"sku":"B-2","qty":2}]'
    recs = [
        '{"id":1,"name":"one",%s,"updated_at":"2024-01-01T00:00:01.000Z",}' % lines,
        '{"id":2,"name":"two",%s,"updated_at":"2024-01-01T00:00:02.000Z"}' % lines,
        '{"id":3,"name":"a 13" screen",%s,"updated_at":"2024-01-01T00:00:03.000Z"}' % lines,
        '{"id":4,"name":"four",%s,"updated_at":"2024-01-01T00:00:04.000Z"}' % lines,
    ]
    since = req.query.get("modified_since")  # >=, as the cursor text compares
    recs = [r for i, r in enumerate(recs, 1) if not since or "2024-01-01T00:00:%02d.000Z" % i >= since]
    return 200, [], '{"data":[' + ", ".join(recs) + "]}"
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: -deleted.url"
run_producer_once_rc 0
run1=$(last_run_field run_id)
log "published=$(last_run_field published) failed=$(last_run_field failed)"
start_worker
wait_run_completed "$run1" 60
assert_eq "2 4" "$(psql_value "select string_agg(id::text, ' ' order by id) from $TABLE")" \
    "ids in PostgreSQL (1 and 3 are dead-lettered; 2 and 4 are well-formed)"
log "ok"
