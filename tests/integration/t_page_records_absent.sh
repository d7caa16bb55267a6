#!/usr/bin/env bash
# t_page_records_absent: a Spring Data REST (HAL) collection: records under
# "_embedded.customers", pages counted from 0 (page, size), and a page
# with no records leaves "_embedded" out altogether ({"_links": ...,
# "page": ...}). Every walk asks one page past the last (the first run is
# full and reads until an empty page), so every run failed there with "no
# array at records.path" and no run ever completed. Without the new key
# the error now says which key fixes it; with records.absent_is_empty an
# object answer without the member is an empty page, but an answer that
# says it is an error still fails the run.
# brokers: mock
. "$(dirname "$0")/lib.sh"

cat >"$T_WORK/api.py" <<'PY'
RECS = [customer(i, "2026-11-25T12:00:%02d.000Z" % i) for i in range(1, 8)]
STATE = {"error": False}

def handle(req):
    if req.path == "/admin/records":
        return 200, [], json.dumps({"data": RECS})
    if req.path == "/admin/error":
        STATE["error"] = True
        return 200, [], "{}"
    if req.path != "/customers":
        return 404, [], '{"error": "Not Found"}'
    since = req.query.get("modified_since", "")
    rows = [r for r in RECS if r["last_modified"] >= since]
    n, size = int(req.query.get("page", "0")), int(req.query.get("size", "20"))
    chunk = rows[n * size:(n + 1) * size]
    links = {"self": {"href": "%s/customers?page=%d&size=%d" % (req.base, n, size)}}
    body = {"_links": links, "page": {"size": size, "totalElements": len(rows), "number": n}}
    if STATE["error"] and not chunk:
        body["error"] = "Service Unavailable"
    if chunk:
        body["_embedded"] = {"customers": chunk}
    return 200, [], json.dumps(body)
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
base=("stream: -deleted.url" "stream: records.path = _embedded.customers"
    "stream: page.first = 0" "stream: page.size.param = size" "stream: page.size = 3"
    "stream: max.retries = 0")
write_config "${base[@]}"
run_producer_once_rc 1
case "$(last_failed_line)" in
*"set records.absent_is_empty = true"*) ;;
*) fail "the error does not name records.absent_is_empty: $(last_failed_line)" ;;
esac

write_config "${base[@]}" "stream: records.absent_is_empty = true"
run_producer_once
assert_eq 7 "$(last_run_field published)" "events published"
run_producer_once --full
assert_eq 0 "$(last_run_field deletes)" "deletes of a full run"
run=$(last_run_field run_id)
start_worker
wait_run_completed "$run" 60
assert_table_equals_api

# an empty page that says it is an error is no empty page
curl -fsS "$API_URL/admin/error" >/dev/null || fail "admin error"
run_producer_once_rc 1 --full
case "$(last_failed_line)" in
*"Service Unavailable"*) ;;
*) fail "the error does not give the API's words: $(last_failed_line)" ;;
esac
log "ok"
