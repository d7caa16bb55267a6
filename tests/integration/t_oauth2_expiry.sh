#!/usr/bin/env bash
# t_oauth2_expiry: tokens that live 3 s, a producer in follow mode with
# poll.interval = 1s. The token is kept across runs (fewer tokens than
# passes) and renewed before it runs out (a tenth of expires_in ahead,
# counted from when it was asked for), so the API never answers 401 and no
# run fails.
#
# The margin is 0.3 s here: a 401 could only come from a request that
# took longer than that from the producer's check to the demo API's. On
# loopback that does not happen; should a heavily loaded machine make it
# happen, the producer renews the token and sends the request again (see
# t_oauth2_revoke), so the runs still complete and only the unauthorized
# count below would tell.
# brokers: mock
. "$(dirname "$0")/lib.sh"

stat() { api_get /admin/stats | jq -r ".$1"; }
passes() { grep -c 'msg="run completed"' "$FOLLOW_LOG"; }
tokens_at_least() { [ "$(stat tokens_issued)" -ge "$1" ]; }

start_devbroker
start_demoapi --records 30 --oauth2-client "tidemark:expiry-secret" --oauth2-ttl 3
write_config "producer: poll.interval = 1s" \
    "stream: auth.oauth2.token_url = $API_URL/oauth/token" \
    "stream: auth.oauth2.client_id = tidemark" \
    "stream: auth.oauth2.client_secret = expiry-secret"

FOLLOW_LOG="$T_WORK/follow.log"
"$BUILD/tidemark-producer" -c "$CONF" run >"$T_WORK/follow.out" 2>"$FOLLOW_LOG" &
FOLLOW_PID=$!
_track_pid "$FOLLOW_PID"
wait_for "three tokens issued to the follow-mode producer" 30 tokens_at_least 3
kill -TERM "$FOLLOW_PID"
wait_for "the producer to exit" 10 eval '! _pid_running $FOLLOW_PID'
wait "$FOLLOW_PID"
assert_eq 0 "$?" "exit status after SIGTERM"

issued=$(stat tokens_issued)
log "passes: $(passes), tokens issued: $issued, 401s: $(stat unauthorized)"
assert_eq 0 "$(stat unauthorized)" "data requests answered 401 (the token was renewed in time)"
assert_eq 0 "$(grep -c 'msg="run failed"' "$FOLLOW_LOG")" "failed runs"
[ "$(passes)" -gt "$issued" ] || fail "a token per pass: $(passes) passes, $issued tokens"
assert_eq "$issued" "$(grep -c 'msg="oauth2 token obtained"' "$FOLLOW_LOG")" \
    "'oauth2 token obtained' lines"
grep -q 'expires_in_ms=3000' "$FOLLOW_LOG" || fail "expires_in is not logged as 3000 ms"
log "ok"
