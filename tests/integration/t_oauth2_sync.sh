#!/usr/bin/env bash
# t_oauth2_sync: a source that requires OAuth2 client credentials (the demo
# API with --oauth2-client): the producer POSTs the client credentials
# grant to the token endpoint (HTTP Basic with the form-encoded id and a
# secret full of characters that need encoding, given through ${ENV}, and
# the scope), sends the token as a Bearer header, and the table ends up
# equal to the API. One token serves the whole run (three pages read
# ahead by the fetch thread, and the deleted endpoint); no request reaches
# the API without it; the secret and the token are in no log line.
# brokers: mock
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/oauth2_lib.sh"

SECRET='Zq9+s3cr/t:=x%y z'
export TM_IT_OAUTH2_SECRET=$SECRET

start_devbroker
start_demoapi --records 120 --oauth2-client "tidemark:$SECRET"
oauth2_config tidemark '${TM_IT_OAUTH2_SECRET}' \
    "stream: auth.oauth2.scope = read:customers write" \
    "stream: page.size = 50"

first_sync
assert_eq 120 "$(last_run_field published)" "events published"
assert_table_equals_api
assert_eq 1 "$(oauth2_stat tokens_issued)" "tokens issued for one run"
assert_eq 0 "$(oauth2_stat token_refusals)" "token requests refused"
assert_eq 0 "$(oauth2_stat unauthorized)" "data requests answered 401"
assert_eq "read:customers write" "$(oauth2_stat last_scope)" "scope the token endpoint got"
assert_eq 1 "$(grep -c 'msg="oauth2 token obtained"' "$PRODUCER_LAST_LOG")" \
    "'oauth2 token obtained' lines"

token=$(grep -o 'demo-[0-9a-f]*' "$PRODUCER_LAST_LOG" | head -n1)
[ -z "$token" ] || fail "a token is in the producer's log: $token"
grep -F -l -e "$SECRET" -e "Zq9" "$T_WORK"/producer.*.log "$T_WORK"/producer.*.out &&
    fail "the client secret is in the producer's output"
log "ok"
