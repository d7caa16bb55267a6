#!/usr/bin/env bash
# t_oauth2_rejected: the token endpoint refuses the client (a wrong
# secret): the run fails with an error that names the token endpoint and
# the server's error (invalid_client), `run --once` exits 1 as the README
# says, the run record says failed, the API's data endpoints were never
# asked without a token, and neither secret appears anywhere in the
# producer's output. The demo API's token endpoint answers a body too
# large to read whole with 413, not with a token for the part it read.
# brokers: mock
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/oauth2_lib.sh"

RIGHT=right-Secret-8472
WRONG=wrong-Secret-5531

start_devbroker
start_demoapi --records 10 --oauth2-client "tidemark:$RIGHT"
oauth2_config tidemark "$WRONG"

run_producer_once_rc 1
line=$(last_failed_line)
log "failure: $line"
case "$line" in
    *"OAuth2 token from $API_URL/oauth/token"*"HTTP status 401"*"invalid_client"*) ;;
    *) fail "the failure does not name the token endpoint and invalid_client: $line" ;;
esac
assert_eq failed "$(last_run_record | jq -r .status)" "status of the run record"
assert_eq 0 "$(oauth2_stat tokens_issued)" "tokens issued"
[ "$(oauth2_stat token_refusals)" -ge 1 ] || fail "the token endpoint was not asked"
assert_eq 0 "$(oauth2_stat unauthorized)" "data requests sent without a token"
assert_eq 0 "$(oauth2_stat requests)" "data requests answered"
grep -F -l -e "$WRONG" -e "$RIGHT" "$T_WORK"/producer.* &&
    fail "a secret is in the producer's output"

big=$(head -c 5000 /dev/zero | tr '\0' a)
code=$(curl -sS -o /dev/null -w '%{http_code}' --max-time 30 -u "tidemark:$RIGHT" \
    -H 'Content-Type: application/x-www-form-urlencoded' \
    --data "grant_type=client_credentials&scope=$big" "$API_URL/oauth/token")
assert_eq 413 "$code" "status of a token request with a 5000-byte body"
assert_eq 0 "$(oauth2_stat tokens_issued)" "tokens issued for a body read cut short"
log "ok"
