#!/usr/bin/env bash
# t_http_origin: credentials stay with the API's origin (tests/hostileapi).
# Two scripted APIs on two ports: A is the stream's url (with an api_key in
# its query), B is another origin.
#  (a) link pagination that wanders A -> B (Link) -> A (a 302 on B) -> B
#      (a 302 on A): every request to A carries auth.header, none to B; all
#      30 records arrive and the run completes. A 500 on the first request
#      and a record the schema refuses put the URL into a log line and the
#      DLQ's tidemark.source: the api_key shows as ***, never in clear;
#  (b) Link: <file://...> naming a JSON file on this host: the run fails
#      with a clear error and the file is not read (its record is not on
#      the topic);
#  (c) an endless chain of redirects: the run fails after 5 redirects
#      (6 requests), not after however many the API cares to send.
. "$(dirname "$0")/lib.sh"

cat >"$T_WORK/handler.py" <<'EOF'
import json

def rec(i, tier="gold"):
    return {"id": i, "name": "Customer %d" % i, "email": "c%d@example.com" % i,
            "country": "DE", "balance": "%d.50" % i, "tier": tier, "phone": None,
            "signup_date": "2024-01-01", "is_deleted": False,
            "last_modified": "2026-01-01T00:00:%02d.000Z" % (i % 60)}

def init(state, argv):
    state["role"], state["other_file"], state["work"] = argv

def other(state):
    if "other" not in state:
        with open(state["other_file"]) as f:
            state["other"] = f.read().strip()
    return state["other"]

def body(ids, extra=()):
    return json.dumps({"data": [rec(i) for i in ids] + list(extra)})

def handle(req):
    st = req.state
    page = req.query.get("page", "1")
    if req.path.endswith("/deleted"):
        return 200, [], '{"data": []}'
    if st["role"] == "B":
        if page == "2":
            return 302, [("Location", other(st) + "/customers?page=3")], ""
        if page == "4":
            return 200, [], body(range(31, 41))
        return 404, [], "{}"
    if req.path == "/customers" and page == "1":
        if not st.get("failed_once"):
            st["failed_once"] = True
            return 500, [], '{"error": "try again"}'
        return 200, [("Link", '<%s/customers?page=2>; rel="next"' % other(st))], \
            body(range(1, 11), [rec(99, tier="platinum")])
    if req.path == "/customers" and page == "3":
        return 200, [("Link", '</hop?page=4>; rel="next"')], body(range(21, 31))
    if req.path == "/hop":
        return 302, [("Location", other(st) + "/customers?page=4")], ""
    if req.path == "/filelink":
        return 200, [("Link", '<file://%s/evil.json>; rel="next"' % st["work"])], body(range(1, 6))
    if req.path == "/loop":
        n = int(req.query.get("n", "0"))
        if n < 20:
            return 302, [("Location", "/loop?n=%d" % (n + 1))], ""
        return 200, [], body([1])
    return 404, [], "{}"
EOF

# A JSON page that only a client reading file: URLs would see.
cat >"$T_WORK/evil.json" <<'EOF'
{"data": [{"id": 666, "name": "from a file", "email": "x@example.com", "country": "DE",
 "balance": "1.00", "tier": "gold", "phone": null, "signup_date": null,
 "is_deleted": false, "last_modified": "2026-01-01T00:00:00.000Z"}]}
EOF

start_devbroker
start_hostileapi "$T_WORK/handler.py" B "$T_WORK/hostileapi.2.url" "$T_WORK"
B_URL=$API_URL
B_LOG=$HOSTILE_LOG
start_hostileapi "$T_WORK/handler.py" A "$T_WORK/hostileapi.1.url" "$T_WORK"
A_URL=$API_URL
A_LOG=$HOSTILE_LOG
topic="$PREFIX.$STREAM"
SECRET_Q=QUERYSECRET123
SECRET_H=HEADERSECRET456

# ---- (a)
write_config "stream: url = $A_URL/customers?api_key=$SECRET_Q" "stream: pagination = link" \
    "stream: auth.header = X-Api-Key: $SECRET_H"
run_producer_once
assert_eq 30 "$(last_run_field published)" "events published"
assert_eq 1 "$(last_run_field failed)" "records dead-lettered"
assert_eq completed "$(last_run_record | jq -r .status)" "status of the run record"
assert_eq "$(printf '%s\n' $(seq 1 10) $(seq 21 40))" \
    "$(kc -C -t "$topic" -e -f '%k\n' | sort -n)" "keys on $topic"

log "requests to A: $(jq -c '[.path, .query.page, .headers["x-api-key"]]' "$A_LOG" | tr '\n' ' ')"
log "requests to B: $(jq -c '[.path, .query.page, .headers["x-api-key"]]' "$B_LOG" | tr '\n' ' ')"
assert_eq 5 "$(jq -s length "$A_LOG")" "requests to A (500, page 1, page 3, /hop, deleted)"
assert_eq 2 "$(jq -s length "$B_LOG")" "requests to B (page 2, page 4)"
assert_eq 0 "$(jq -s --arg s "$SECRET_H" '[.[] | select(.headers["x-api-key"] != $s)] | length' "$A_LOG")" \
    "requests to A without the auth header"
assert_eq 0 "$(jq -s '[.[] | select(.headers | has("x-api-key"))] | length' "$B_LOG")" \
    "requests to B that carried the auth header"

# The URL in a log line and in the DLQ header: redacted.
grep -q 'msg="http request failed, retrying".*api_key=\*\*\*' "$PRODUCER_LAST_LOG" ||
    fail "the retry warning does not show the URL with api_key=***"
src=$(kc -C -t "$PREFIX.dlq" -e -f '%h\n' | tr ',' '\n' | sed -n 's/^tidemark.source=//p')
log "DLQ tidemark.source: $src"
assert_eq "$A_URL/customers?api_key=***&per_page=500" "$src" "tidemark.source of the dead letter"

# ---- (b)
write_config "stream: url = $A_URL/filelink?api_key=$SECRET_Q" "stream: pagination = link" \
    "stream: auth.header = X-Api-Key: $SECRET_H"
before=$(topic_count "$topic")
run_producer_once_rc 1
line=$(last_failed_line)
log "failure: $line"
case "$line" in
    *"scheme 'file' is not allowed (only http and https)"*) ;;
    *) fail "the failure does not say the file: URL was refused: $line" ;;
esac
kc -C -t "$topic" -e -f '%k\n' | matches -x 666 && fail "the record of the file: URL was published"
assert_eq "$before" "$(topic_count "$topic")" "messages on $topic after the run that met the file: Link"

# ---- (c)
write_config "stream: url = $A_URL/loop?api_key=$SECRET_Q" "stream: pagination = none"
run_producer_once_rc 1
line=$(last_failed_line)
log "failure: $line"
case "$line" in
    *"more than 5 redirects"*) ;;
    *) fail "the failure does not say there were too many redirects: $line" ;;
esac
assert_eq 6 "$(jq -s '[.[] | select(.path == "/loop")] | length' "$A_LOG")" "requests to /loop"

# No secret in any log line of any run.
grep -l -e "$SECRET_Q" -e "$SECRET_H" "$T_WORK"/producer.*.log &&
    fail "a secret is in the producer's log"
kc -C -t "$PREFIX.dlq" -e -f '%h %s\n' | matches -e "$SECRET_Q" -e "$SECRET_H" &&
    fail "a secret is on $PREFIX.dlq"
log "ok"
