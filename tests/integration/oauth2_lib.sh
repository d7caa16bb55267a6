# oauth2_lib.sh - what the t_oauth2_*.sh scenarios share, sourced after
# lib.sh: the demo API's OAuth2 counters, a config whose stream gets its
# token from the demo API, and a producer in follow mode.

# oauth2_stat KEY - KEY of the demo API's /admin/stats (tokens_issued,
# token_refusals, unauthorized, last_scope, requests).
oauth2_stat() { api_get /admin/stats | jq -r ".$1"; }

# oauth2_config CLIENT_ID CLIENT_SECRET [write_config ARGS...]
oauth2_config()
{
    local id=$1 secret=$2
    shift 2
    write_config "stream: auth.oauth2.token_url = $API_URL/oauth/token" \
        "stream: auth.oauth2.client_id = $id" "stream: auth.oauth2.client_secret = $secret" "$@"
}

# follow_start - the producer in follow mode (log: $FOLLOW_LOG).
follow_start()
{
    FOLLOW_LOG="$T_WORK/follow.log"
    "$BUILD/tidemark-producer" -c "$CONF" run >"$T_WORK/follow.out" 2>"$FOLLOW_LOG" &
    FOLLOW_PID=$!
    _track_pid "$FOLLOW_PID"
}

follow_passes() { grep -c 'msg="run completed"' "$FOLLOW_LOG"; }
follow_passes_at_least() { [ "$(follow_passes)" -ge "$1" ]; }
_follow_exited() { ! _pid_running "$FOLLOW_PID"; }

# follow_stop - SIGTERM; fails unless it exits 0 within 10 s.
follow_stop()
{
    kill -TERM "$FOLLOW_PID"
    wait_for "the follow-mode producer to exit" 10 _follow_exited
    wait "$FOLLOW_PID"
    assert_eq 0 "$?" "exit status of the follow-mode producer after SIGTERM"
}
