#!/usr/bin/env bash
# t_content_encoding_unknown: an API (a PHP app's header('Content-Encoding:
# UTF-8'), a proxy's "none") labels its plain JSON body with a
# Content-Encoding that is no coding. The body is readable as it is (Python
# requests, Go's net/http and curl without --compressed read it). libcurl,
# asked to decode (CURLOPT_ACCEPT_ENCODING ""), refuses the unknown coding
# (CURLE_BAD_CONTENT_ENCODING), not retried: every run failed. The page is
# now asked again and read as it comes, with a warning; a coding libcurl
# knows whose bytes do not decode still fails the run. (Helper 165's D4.)
# brokers: mock
. "$(dirname "$0")/lib_items.sh"

cat >"$T_WORK/api.py" <<'PY'
def init(state, argv):
    state["api"] = Items(n=10)

def handle(req):
    status, headers, body = req.state["api"].records_page(req)
    # once the flag is set: a coding libcurl knows, on bytes that are not of it
    return status, headers + [("Content-Encoding", "gzip" if flag("gzip") else "UTF-8")], body
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: -deleted.url" "stream: max.retries = 0"
run_producer_once_rc 0
assert_eq 10 "$(last_run_field published)" "records published"
matches "msg=\"the answer's Content-Encoding is none libcurl decodes" "$PRODUCER_LAST_LOG" ||
    fail "no warning naming the Content-Encoding the body was read without"
# a known coding whose bytes do not decode fails the run, as before: not
# read as it comes (a gzip body cut short would be read as garbage)
touch "$T_WORK/gzip"
run_producer_once_rc 1
last_failed_line | matches 'unencoding' || fail "the run did not fail on the gzip that does not decode"
! matches "msg=\"the answer's Content-Encoding is none libcurl decodes" "$PRODUCER_LAST_LOG" ||
    fail "a gzip body that does not decode was asked again and read as it came"
log "ok"
