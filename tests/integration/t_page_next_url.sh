#!/usr/bin/env bash
# t_page_next_url: an OData / Microsoft Graph API: records under "value",
# the next page's absolute URL in "@odata.nextLink" (a member name with
# '@' and '.'), left out on the last page; and a Salesforce-style
# relative next URL. Configured as `pagination = cursor` with that
# next.path, the dotted walk never found the member: every walk ended
# after its first page, runs completed, and a full run deleted the
# records past it as vanished (1 in 10, under the mass-delete ratio).
# `pagination = next_url` follows the URL at next.path (a member named
# by its whole name first), resolved against the URL that answered.
# brokers: mock
. "$(dirname "$0")/lib.sh"

cat >"$T_WORK/api.py" <<'PY'
RECS = [customer(i, "2026-11-25T12:00:%02d.000Z" % i) for i in range(1, 11)]

def handle(req):
    if req.path == "/admin/records":
        return 200, [], json.dumps({"data": RECS})
    if req.path == "/admin/deleted":
        return 200, [], json.dumps({"data": []})
    if req.path not in ("/customers", "/services/query"):
        return 404, [], '{"error": "no such resource"}'
    since = req.query.get("modified_since", "")
    rows = [r for r in RECS if r["last_modified"] >= since]
    skip = int(req.query.get("$skiptoken", "0"))
    chunk = rows[skip:skip + 4]
    more = skip + 4 < len(rows)
    if req.path == "/services/query":  # Salesforce: relative, done flag
        body = {"totalSize": len(rows), "done": not more, "records": chunk}
        if more:
            body["nextRecordsUrl"] = "/services/query?modified_since=%s&$skiptoken=%d" % (
                since, skip + 4)
        return 200, [], json.dumps(body)
    body = {"@odata.context": req.base + "/$metadata#customers", "value": chunk}
    if more:
        body["@odata.nextLink"] = "%s/customers?modified_since=%s&$skiptoken=%d" % (
            req.base, since, skip + 4)
    return 200, [], json.dumps(body)
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: -deleted.url" "stream: records.path = value" \
    "stream: pagination = next_url" "stream: next.path = @odata.nextLink" \
    "stream: max.retries = 0"
run_producer_once
assert_eq 10 "$(last_run_field published)" "events published by the first run (three pages)"
run_producer_once --full
assert_eq 0 "$(last_run_field deletes)" "deletes of a full run"
run=$(last_run_field run_id)
start_worker
wait_run_completed "$run" 60
assert_table_equals_api

# Salesforce: the next URL relative to the host, records under "records"
write_config "stream: -deleted.url" "stream: url = $API_URL/services/query" \
    "stream: records.path = records" "stream: pagination = next_url" \
    "stream: next.path = nextRecordsUrl" "stream: max.retries = 0"
run_producer_once --full
assert_eq 10 "$(last_run_field published)" "events published from the relative next URLs"
assert_eq 0 "$(last_run_field deletes)" "deletes of the full run"
wait_run_completed "$(last_run_field run_id)" 60
assert_table_equals_api
log "ok"
