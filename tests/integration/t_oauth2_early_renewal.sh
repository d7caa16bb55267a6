#!/usr/bin/env bash
# t_oauth2_early_renewal: the token endpoint fails while the token the
# producer holds still works. Tokens live 20 s, so the producer renews
# 2 s ahead of the expiry; the endpoint answers 503 from the first token
# on. The early renewal fails, the producer says so and goes on with its
# token: no run fails and the API never answers 401. Once the endpoint is
# back, the next try gets a new token. (Before, a failed early renewal
# threw the working token away and failed the run.)
# brokers: mock
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/oauth2_lib.sh"

tokens_at_least() { [ "$(oauth2_stat tokens_issued)" -ge "$1" ]; }
early_failed() { grep -q 'msg="oauth2 early renewal failed; the current token still works"' "$FOLLOW_LOG"; }
renewal_tried() { early_failed || matches 'msg="run failed"' "$FOLLOW_LOG"; }

start_devbroker
start_demoapi --records 30 --oauth2-client "tidemark:early-secret" --oauth2-ttl 20
oauth2_config tidemark early-secret "producer: poll.interval = 1s"
follow_start
wait_for "the first token" 30 tokens_at_least 1
api_post "/admin/fault?status=503&count=1000000&target=token" >/dev/null || fail "admin fault"
wait_for "a renewal tried (18 s after the first token)" 40 renewal_tried
assert_eq 0 "$(grep -c 'msg="run failed"' "$FOLLOW_LOG")" "failed runs while the token still worked"
early_failed || fail "no 'oauth2 early renewal failed' warning"
passes=$(follow_passes)
api_post "/admin/fault?count=0" >/dev/null || fail "admin fault clear"
wait_for "a second token once the endpoint is back" 20 tokens_at_least 2
# the pass that took it may still run: a SIGTERM now interrupts it (a
# failed run); stop between passes
n=$(follow_passes)
wait_for "a pass completed after the second token" 30 follow_passes_at_least $((n + 1))
follow_stop

grep 'oauth2 early renewal failed' "$FOLLOW_LOG" | head -n1
grep 'oauth2 early renewal failed' "$FOLLOW_LOG" | matches 'HTTP status 503' ||
    fail "the warning does not give the endpoint's answer"
! grep 'oauth2 early renewal failed' "$FOLLOW_LOG" | matches 'early-secret' ||
    fail "the warning holds the secret"
assert_eq 0 "$(grep -c 'msg="run failed"' "$FOLLOW_LOG")" "failed runs"
assert_eq 0 "$(oauth2_stat unauthorized)" "data requests answered 401"
[ "$(follow_passes)" -gt "$passes" ] || fail "no pass completed after the failed renewal"
log "ok"
