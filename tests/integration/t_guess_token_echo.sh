#!/usr/bin/env bash
# t_guess_token_echo: dffd238 scrubs a page's "errors" beside a
# guessed request with the auth source's LAST line (hc->auth_sent). An
# OAuth2 token renewed for the guessed request (the API refuses the first
# token on the guessed page 2: 401, renewal) replaces that line before
# page 1's words are scrubbed (page 1 is large: parsing it takes longer
# than the guess's 401 and renewal). Page 1 was sent with the first token,
# which the API echoes in "errors" beside its records: it is not masked and
# is logged (README: secrets, an OAuth2 token too, are never logged). (rv4)
# The client now scrubs the auth line before the last one too. (Helper 169.)
# Since 2ce99af each answer carries the line it was asked with
# (http_response_t.auth_line, kept in the page slot) and that is scrubbed.
# brokers: mock
. "$(dirname "$0")/lib_items.sh"

cat >"$T_WORK/api.py" <<'PY'
def rec(i):
    return padded_item(i, 20)

def handle(req):
    st = req.state
    if req.path == "/token":
        st["tok"] = st.get("tok", 0) + 1
        return 200, [], json.dumps({"access_token": "TOKSECRET%04d" % st["tok"], "token_type": "Bearer",
                                    "expires_in": 3600})
    if req.path != "/items":
        return 404, [], '{"error": "no such resource"}'
    warn = [{"code": "deprecated", "message": "sent %s" % req.headers.get("authorization")}]
    cur = req.query.get("cursor")
    if not cur:
        return 200, [], json.dumps({"data": [rec(i) for i in range(1, 150001)],
                                    "errors": warn, "next_cursor": "pos2"})
    if req.headers.get("authorization") == "Bearer TOKSECRET0001":
        return 401, [], '{"error": "token revoked"}'
    return 200, [], json.dumps({"data": [rec(150001)], "errors": warn, "next_cursor": None})
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: -deleted.url" "stream: pagination = cursor" "stream: page.param = cursor" \
    "stream: next.path = next_cursor" "stream: max.retries = 0" \
    "stream: auth.oauth2.token_url = $API_URL/token" "stream: auth.oauth2.client_id = tm" \
    "stream: auth.oauth2.client_secret = s3cr3t-client"
run_producer_once_rc 0
log "run: page_guesses=$(last_run_field page_guesses) page_guesses_taken=$(last_run_field page_guesses_taken) published=$(last_run_field published)"
grep -o 'says=.\{0,120\}' "$PRODUCER_LAST_LOG" | while read -r l; do log "warning: $l"; done
found=$(grep -o 'TOKSECRET[0-9]*' "$PRODUCER_LAST_LOG" | sort -u | tr '\n' ' ')
log "tokens in the log: ${found:-none}"
assert_eq "" "$found" "OAuth2 tokens in the producer's log"
log "ok"
