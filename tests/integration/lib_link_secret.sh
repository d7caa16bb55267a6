# shellcheck shell=bash
# lib_link_secret.sh - lib_items.sh and the one course of the scenarios of
# a link API that echoes the stream's credentials into its Link URLs and
# sends a Link header that cannot be parsed (fixtures/link_secret_api.py):
# the run fails, as README says, with the header in its error, and neither
# the api_key's value nor a Link URL's password may be in the log. The
# scenario file gives the header. Sourced.
. "$(dirname "${BASH_SOURCE[0]}")/lib_items.sh"

# link_secret_course LINK PASSWORD - the API's Link header LINK (HOST and
# KEY for its host:port and the api_key sent); PASSWORD, the password in
# it that must not be logged.
link_secret_course()
{
    local sq=sekrit-q-4711 found found_pw
    cp "$REPO/tests/integration/fixtures/link_secret_api.py" "$T_WORK/api.py"
    start_devbroker
    start_hostileapi "$T_WORK/api.py" "$1"
    write_config "stream: -deleted.url" "stream: url = $API_URL/$STREAM?api_key=$sq" \
        "stream: pagination = link" "stream: max.retries = 0"
    run_producer_once_rc 1
    log "error: $(last_failed_line | sed 's/.*error=//')"
    last_failed_line | matches 'could not be parsed' || fail "the run did not fail on the Link header"
    found=$(grep -c -- "$sq" "$PRODUCER_LAST_LOG")
    found_pw=$(grep -c -- "$2" "$PRODUCER_LAST_LOG")
    log "log lines holding the api_key's value: $found; a Link URL's password: $found_pw"
    assert_eq "0 0" "$found $found_pw" "log lines holding the api_key's value, and a Link URL's password"
}
