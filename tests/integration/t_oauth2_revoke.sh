#!/usr/bin/env bash
# t_oauth2_revoke: the API stops accepting the producer's token before it
# expires (POST /admin/revoke-tokens of the demo API). The next request
# gets 401; the producer gets a new token once, sends that request again
# and goes on: the change made after the revoke is published, every run
# completes, and the API answered exactly one 401.
# brokers: mock
. "$(dirname "$0")/lib.sh"

stat() { api_get /admin/stats | jq -r ".$1"; }
passes() { grep -c 'msg="run completed"' "$FOLLOW_LOG"; }
passes_at_least() { [ "$(passes)" -ge "$1" ]; }
topic="$PREFIX.$STREAM"
count_is() { [ "$(topic_count "$topic")" = "$1" ]; }

start_devbroker
start_demoapi --records 20 --oauth2-client "tidemark:revoke-secret"
write_config "producer: poll.interval = 1s" \
    "stream: auth.oauth2.token_url = $API_URL/oauth/token" \
    "stream: auth.oauth2.client_id = tidemark" \
    "stream: auth.oauth2.client_secret = revoke-secret"

FOLLOW_LOG="$T_WORK/follow.log"
"$BUILD/tidemark-producer" -c "$CONF" run >"$T_WORK/follow.out" 2>"$FOLLOW_LOG" &
FOLLOW_PID=$!
_track_pid "$FOLLOW_PID"
wait_for "two passes" 30 passes_at_least 2
wait_for "the 20 records on $topic" 30 count_is 20
assert_eq 1 "$(stat tokens_issued)" "tokens issued before the revoke (kept across passes)"

api_post /admin/revoke-tokens >/dev/null || fail "revoke"
api_post "/admin/update?ids=3,5" >/dev/null || fail "admin update"
wait_for "the 2 updated records published after the revoke" 30 count_is 22
before=$(passes)
wait_for "one more pass" 30 passes_at_least $((before + 1))
kill -TERM "$FOLLOW_PID"
wait_for "the producer to exit" 10 eval '! _pid_running $FOLLOW_PID'
wait "$FOLLOW_PID"
assert_eq 0 "$?" "exit status after SIGTERM"

log "passes: $(passes), tokens issued: $(stat tokens_issued), 401s: $(stat unauthorized)"
assert_eq 1 "$(stat unauthorized)" "data requests answered 401"
assert_eq 2 "$(stat tokens_issued)" "tokens issued (one more after the 401)"
assert_eq 0 "$(grep -c 'msg="run failed"' "$FOLLOW_LOG")" "failed runs"
assert_eq 1 "$(grep -c 'refused the auth header (401)' "$FOLLOW_LOG")" "401 renewal warnings"
log "ok"
