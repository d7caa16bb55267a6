#!/usr/bin/env bash
# t_oauth2_echo_basic: a token endpoint that refuses the client and echoes
# the Authorization header it was sent in error_description (some do, or
# a proxy in front of them). That header's base64 decodes straight back
# to client_id:client_secret. The run fails naming invalid_client, and
# neither the secret nor its base64 is in the producer's output or the
# failed run record on Kafka: both come out as ***. (Only the secret as
# written and form-encoded used to be scrubbed.)
# brokers: mock
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/oauth2_lib.sh"

SECRET=echoed-Secret-2719

cat >"$T_WORK/api.py" <<'PY'
def handle(req):
    if req.path == "/oauth/token":
        said = req.headers.get("authorization", "")
        return 401, [], json.dumps({"error": "invalid_client",
                                    "error_description": "refused " + said})
    return 401, [], json.dumps({"error": "no token"})
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
oauth2_config tidemark "$SECRET"
b64=$(printf 'tidemark:%s' "$SECRET" | base64 -w0)

run_producer_once_rc 1
line=$(last_failed_line)
log "failure: $line"
case "$line" in
    *"invalid_client (refused Basic ***)"*) ;;
    *) fail "the failure does not name invalid_client with the credentials hidden: $line" ;;
esac
grep -q "$b64" "$HOSTILE_LOG" || fail "the token endpoint was not sent the Basic credentials"
grep -F -l -e "$SECRET" -e "$b64" -e "${b64:0:12}" "$T_WORK"/producer.* &&
    fail "the secret or its base64 is in the producer's output"
last_run_record | grep -F -e "$SECRET" -e "${b64:0:12}" &&
    fail "the secret or its base64 is in the failed run record"
log "ok"
