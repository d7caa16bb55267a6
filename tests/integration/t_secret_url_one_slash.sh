#!/usr/bin/env bash
# t_secret_url_one_slash: README (HTTP, Credentials): "any user:password@
# [is] shown as *** in logs, error messages and the DLQ's tidemark.source
# header". libcurl (and so the configuration's check) takes
# `http:/user:pass@host/...` (one slash, a typo) or `http:///user:...`
# for `http://user:pass@host/...` and sends the credentials as Basic
# auth; the producer runs. A 500 (retried: its URL is logged) and a record
# the schema refuses (dead-lettered: its URL in tidemark.source) must not
# show the password. (Fixed: such a URL is kept as libcurl reads it,
# http://user:pass@host/..., and redacted as such.)
# brokers: mock
. "$(dirname "$0")/lib.sh"

cat >"$T_WORK/handler.py" <<'PY'
import json

def rec(i, tier="gold"):
    return {"id": i, "name": "Customer %d" % i, "email": "c%d@example.com" % i,
            "country": "DE", "balance": "%d.50" % i, "tier": tier, "phone": None,
            "signup_date": "2024-01-01", "is_deleted": False,
            "last_modified": "2026-01-01T00:00:%02d.000Z" % i}

def handle(req):
    st = req.state
    if req.path.endswith("/deleted"):
        st["failed_once"] = False  # each run's first page fails once
        return 200, [], '{"data": []}'
    if not st.get("failed_once"):
        st["failed_once"] = True
        return 500, [], '{"error": "try again"}'
    if req.query.get("page", "1") != "1":
        return 200, [], '{"data": []}'
    since = req.query.get("modified_since", "")
    recs = [rec(1), rec(2), rec(3, tier="platinum")]
    return 200, [], json.dumps({"data": [r for r in recs if r["last_modified"] >= since]})
PY

start_devbroker
start_hostileapi "$T_WORK/handler.py"
SECRET=Zk7SECRETPW
hostport=${API_URL#http://}
leaks=0
for form in "http:/" "http:///"; do
    url="${form}tm:$SECRET@$hostport/$STREAM"
    : >"$HOSTILE_LOG"
    kc -C -t "$PREFIX.dlq" -e -f '%h\n' 2>/dev/null >"$T_WORK/dlq.before" || true
    write_config "stream: url = $url"
    # full: each form's run reads (and dead-letters) record 3 again
    run_producer_once --full
    log "requests: $(jq -c '[.path, .status, (.headers.authorization // "-")]' "$HOSTILE_LOG" | tr '\n' ' ')"
    assert_eq 1 "$(last_run_field failed)" "records dead-lettered ($form)"
    src=$(kc -C -t "$PREFIX.dlq" -e -f '%h\n' | tail -n1 | tr ',' '\n' | sed -n 's/^tidemark.source=//p')
    log "$form: DLQ tidemark.source: $src"
    case "$src" in "http://***@$hostport/$STREAM?"*) ;;
        *) fail "$form: tidemark.source is not the URL as requested (http://***@...): $src" ;;
    esac
    log "$form: retry warning: $(grep -m1 'http request failed, retrying' "$PRODUCER_LAST_LOG" | cut -c1-300)"
    if matches -F "$SECRET" "$PRODUCER_LAST_LOG"; then
        log "LEAK ($form): producer log"
        leaks=$((leaks + 1))
    fi
    case "$src" in *"$SECRET"*)
        log "LEAK ($form): tidemark.source"
        leaks=$((leaks + 1))
        ;;
    esac
done

# [schema_registry] url the same way (its Basic auth from the userinfo):
# three 500s from the registry are retried, each logged with its URL.
start_registry --basic-auth "tm:$SECRET"
reg_hostport=${REGISTRY_URL#http://}
reg_hostport=${reg_hostport%/}
registry_admin "/admin/fail?status=500&count=3" >/dev/null
write_config "schema_registry: url = http:/tm:$SECRET@$reg_hostport"
run_producer_once
log "registry requests: $(jq -c '[.method, .path, .auth, .status]' "$REGISTRY_LOG" | tr '\n' ' ')"
log "registry retry warning: $(grep -m1 'http request failed, retrying' "$PRODUCER_LAST_LOG" | cut -c1-300)"
if matches -F "$SECRET" "$PRODUCER_LAST_LOG"; then
    log "LEAK (registry url): producer log"
    leaks=$((leaks + 1))
fi
assert_eq 0 "$leaks" "places that show the userinfo password"
log "ok"
