#!/usr/bin/env bash
# t_oauth2_revoke: the API stops accepting the producer's token before it
# expires (POST /admin/revoke-tokens of the demo API). The next request
# gets 401; the producer gets a new token once, sends that request again
# and goes on: the change made after the revoke is published, every run
# completes, and the API answered exactly one 401.
# brokers: mock
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/oauth2_lib.sh"

topic="$PREFIX.$STREAM"
count_is() { [ "$(topic_count "$topic")" = "$1" ]; }

start_devbroker
start_demoapi --records 20 --oauth2-client "tidemark:revoke-secret"
oauth2_config tidemark revoke-secret "producer: poll.interval = 1s"
follow_start
wait_for "two passes" 30 follow_passes_at_least 2
wait_for "the 20 records on $topic" 30 count_is 20
assert_eq 1 "$(oauth2_stat tokens_issued)" "tokens issued before the revoke (kept across passes)"

api_post /admin/revoke-tokens >/dev/null || fail "revoke"
api_post "/admin/update?ids=3,5" >/dev/null || fail "admin update"
wait_for "the 2 updated records published after the revoke" 30 count_is 22
before=$(follow_passes)
wait_for "one more pass" 30 follow_passes_at_least $((before + 1))
follow_stop

log "passes: $(follow_passes), tokens issued: $(oauth2_stat tokens_issued), 401s: $(oauth2_stat unauthorized)"
assert_eq 1 "$(oauth2_stat unauthorized)" "data requests answered 401"
assert_eq 2 "$(oauth2_stat tokens_issued)" "tokens issued (one more after the 401)"
assert_eq 0 "$(grep -c 'msg="run failed"' "$FOLLOW_LOG")" "failed runs"
assert_eq 1 "$(grep -c 'refused the auth header (401)' "$FOLLOW_LOG")" "401 renewal warnings"
log "ok"
