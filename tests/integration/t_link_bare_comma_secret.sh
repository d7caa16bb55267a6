#!/usr/bin/env bash
# t_link_bare_comma_secret: t_link_bare_target_secret (161b42e) with a
# password holding a ',' (a sub-delim RFC 3986 allows unencoded in
# userinfo). redact_links() splits the text between <targets> at
# whitespace, ',' and ';' before url_redact(): "http://bob:hunter2" is
# redacted as a URL without userinfo (no '@'), "pw@host/...": as text, and
# both halves of the password reach the error logged.
# A URL in that text is now one piece, up to whitespace or '<'.
# (Helper 168.)
# brokers: mock
. "$(dirname "$0")/lib_items.sh"

SQ=sekrit-q-4711
cat >"$T_WORK/api.py" <<'PY'
def rec(i):
    return {"id": i, "name": "item %d" % i, "updated_at": "2026-01-01T00:00:%02d.000Z" % i}

def handle(req):
    if req.path != "/items":
        return 404, [], '{"error": "no such resource"}'
    key = req.query.get("api_key", "")
    host = req.base.split("//", 1)[1]
    link = ('</items?page=1>; rel="prev", http://bob:hunter2,pw@%s/items?api_key=%s&page=3; rel="next"'
            % (host, key))
    return 200, [("Link", link)], json.dumps({"data": [rec(1), rec(2)]})
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: -deleted.url" "stream: url = $API_URL/$STREAM?api_key=$SQ" \
    "stream: pagination = link" "stream: max.retries = 0"
run_producer_once_rc 1
log "error: $(last_failed_line | sed 's/.*error=//')"
last_failed_line | matches 'could not be parsed' || fail "the run did not fail on the Link header"
found=$(grep -c -- "$SQ" "$PRODUCER_LAST_LOG")
found_pw=$(grep -c -- "hunter2" "$PRODUCER_LAST_LOG")
log "log lines holding the api_key's value: $found; a Link URL's user:password@: $found_pw"
assert_eq "0 0" "$found $found_pw" "log lines holding the api_key's value, and a Link URL's password"
log "ok"
