#!/usr/bin/env bash
# t_secret_api_echo: README: "Secrets (auth.header, ...) are never
# logged", and URLs show api_key=***. An API that answers 200 with its
# error words instead of records ({"error": ...}), and quotes the
# credentials it was given there (as APIs do: "API key ... is disabled"),
# fails the run with "the answer says: ...": those words go to the log
# and to the failed run record on <prefix>.sync-runs, which other teams
# read. The producer knows the secrets (it scrubs the OAuth2 and
# registry servers' echoes): the API's words show them as *** too, the
# auth.header value, the api_key parameter and an OAuth2 token alike;
# and so does a parse error quoting words that are not JSON.
# brokers: mock
. "$(dirname "$0")/lib.sh"

cat >"$T_WORK/handler.py" <<'PY'
import json

def handle(req):
    if req.path.endswith("/token"):
        return 200, [], json.dumps({"access_token": "SECRETOAUTH6", "token_type": "Bearer",
                                    "expires_in": 3600})
    if req.path.endswith("/deleted"):
        return 200, [], '{"data": []}'
    if req.path.endswith("/plain"):  # not JSON: the key alone
        return 200, [], "%s" % req.headers.get("x-api-key")
    return 200, [], json.dumps({"error": "api_key %s is disabled (token %s; %s)"
                                % (req.query.get("api_key"), req.headers.get("x-api-key"),
                                   req.headers.get("authorization"))})
PY

start_devbroker
start_hostileapi "$T_WORK/handler.py"
SQ=SECRETQUERY2 SH=SECRETHEADER4
write_config "stream: url = $API_URL/$STREAM?api_key=$SQ" "stream: auth.header = X-Api-Key: $SH"
run_producer_once_rc 1
log "failure: $(last_failed_line | cut -c1-400)"
rr=$(last_run_record)
log "run record error: $(echo "$rr" | jq -r .error | cut -c1-300)"
found=""
for s in "$SQ" "$SH"; do
    matches -F "$s" "$PRODUCER_LAST_LOG" && found+=" $s(log)"
    echo "$rr" | matches -F "$s" && found+=" $s(run record on $PREFIX.sync-runs)"
done
assert_eq "" "$found" "secrets found"

# the same with an OAuth2 token (the token server's own echo is scrubbed
# by oauth2.c; this is the API's)
ST=SECRETOAUTH6
write_config "stream: url = $API_URL/$STREAM?api_key=$SQ" \
    "stream: auth.oauth2.token_url = $API_URL/token" "stream: auth.oauth2.client_id = tm" \
    "stream: auth.oauth2.client_secret = s3cr3t-client"
run_producer_once_rc 1
log "failure (OAuth2): $(last_failed_line | cut -c1-400)"
rr=$(last_run_record)
log "run record error (OAuth2): $(echo "$rr" | jq -r .error | cut -c1-300)"
echo "$rr" | jq -r .error | matches -F '(token None; ***)' || fail "the API's words are not in the run record"
for s in "$SQ" "$ST"; do
    matches -F "$s" "$PRODUCER_LAST_LOG" && found+=" $s(log)"
    echo "$rr" | matches -F "$s" && found+=" $s(run record on $PREFIX.sync-runs)"
done
assert_eq "" "$found" "secrets found (OAuth2)"

# words that are not JSON, the key first: the parse error quotes the
# value it could not read ("invalid value '<key>'"), scrubbed the same
write_config "stream: url = $API_URL/plain" "stream: -deleted.url" "stream: auth.header = X-Api-Key: $SH"
run_producer_once_rc 1
log "failure (not JSON): $(last_failed_line | cut -c1-400)"
rr=$(last_run_record)
echo "$rr" | jq -r .error | matches -F "invalid value '***'" ||
    fail "the parse error does not quote the API's words: $(echo "$rr" | jq -r .error)"
matches -F "$SH" "$PRODUCER_LAST_LOG" && found+=" $SH(log)"
echo "$rr" | matches -F "$SH" && found+=" $SH(run record on $PREFIX.sync-runs)"
assert_eq "" "$found" "secrets found (not JSON)"
# a key longer than the 40 bytes quoted: its head, cut before "..."
SL=SECRETLONGKEY8-0123456789-0123456789-0123456789
write_config "stream: url = $API_URL/plain" "stream: -deleted.url" "stream: auth.header = X-Api-Key: $SL"
run_producer_once_rc 1
rr=$(last_run_record)
log "run record error (a long key): $(echo "$rr" | jq -r .error | cut -c1-300)"
echo "$rr" | jq -r .error | matches -F "invalid value '***...'" ||
    fail "the parse error does not quote the key's head masked: $(echo "$rr" | jq -r .error)"
matches -F "${SL:0:20}" "$PRODUCER_LAST_LOG" && found+=" ${SL:0:20}(log)"
echo "$rr" | matches -F "${SL:0:20}" && found+=" ${SL:0:20}(run record on $PREFIX.sync-runs)"
assert_eq "" "$found" "secrets found (not JSON, a long key)"
log "ok"
