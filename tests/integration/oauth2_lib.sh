# oauth2_lib.sh - what the t_oauth2_*.sh scenarios share, sourced after
# lib.sh: the demo API's OAuth2 counters and a config whose stream gets
# its token from the demo API (follow mode: lib.sh's follow_start).

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
