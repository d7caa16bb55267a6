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
. "$(dirname "$0")/oauth2_lib.sh"

tokens_at_least() { [ "$(oauth2_stat tokens_issued)" -ge "$1" ]; }

start_devbroker
start_demoapi --records 30 --oauth2-client "tidemark:expiry-secret" --oauth2-ttl 3
oauth2_config tidemark expiry-secret "producer: poll.interval = 1s"
follow_start
wait_for "three tokens issued to the follow-mode producer" 30 tokens_at_least 3
# the pass that took the third token may still run: a SIGTERM now
# interrupts it (a failed run); stop between passes
n=$(follow_passes)
wait_for "a pass completed after the third token" 30 follow_passes_at_least $((n + 1))
follow_stop

issued=$(oauth2_stat tokens_issued)
log "passes: $(follow_passes), tokens issued: $issued, 401s: $(oauth2_stat unauthorized)"
assert_eq 0 "$(oauth2_stat unauthorized)" "data requests answered 401 (the token was renewed in time)"
assert_eq 0 "$(grep -c 'msg="run failed"' "$FOLLOW_LOG")" "failed runs"
[ "$(follow_passes)" -gt "$issued" ] || fail "a token per pass: $(follow_passes) passes, $issued tokens"
assert_eq "$issued" "$(grep -c 'msg="oauth2 token obtained"' "$FOLLOW_LOG")" \
    "'oauth2 token obtained' lines"
grep -q 'expires_in_ms=3000' "$FOLLOW_LOG" || fail "expires_in is not logged as 3000 ms"
log "ok"
