#!/usr/bin/env bash
# t_secret_url_userinfo_echo: README (HTTP, Credentials): "any
# user:password@ [is] shown as *** in logs, error messages". A password
# written into a URL's userinfo without %-encoding a '/', '?' or '#' (a
# generated password often has one) makes the URL one the configuration
# refuses, and that refusal must still not print the password: for url,
# deleted.url, auth.oauth2.token_url and [schema_registry] url alike.
# brokers: mock
. "$(dirname "$0")/lib.sh"

start_devbroker
API_URL=http://127.0.0.1:9
SECRET=Zk7SECRETPW
leaks=0
n=0
for pw in "pa/$SECRET" "pa?$SECRET" "pa#$SECRET"; do
    bad="http://tm:$pw@127.0.0.1:9/customers"
    for key in "stream: url" "stream: deleted.url" "stream: auth.oauth2.token_url" \
        "schema_registry: url"; do
        extra=()
        case "$key" in
            *oauth2*) extra=("stream: auth.oauth2.client_id = tm" "stream: auth.oauth2.client_secret = s3cr3t") ;;
        esac
        write_config "$key = $bad" "${extra[@]}"
        n=$((n + 1))
        timeout --foreground -k 5 60 "$BUILD/tidemark-producer" -c "$CONF" run --once \
            >"$T_WORK/p.$n.out" 2>"$T_WORK/p.$n.err"
        rc=$?
        log "$key with password '$pw': exit $rc: $(head -n1 "$T_WORK/p.$n.err" | cut -c1-300)"
        if cat "$T_WORK/p.$n.out" "$T_WORK/p.$n.err" | matches -F "$SECRET"; then
            log "LEAK: $key"
            leaks=$((leaks + 1))
        fi
    done
done
assert_eq 0 "$leaks" "configuration errors that show the userinfo password"
log "ok"
