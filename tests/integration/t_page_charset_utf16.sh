#!/usr/bin/env bash
# t_page_charset_utf16: an API that sends its page in UTF-16 and says so
# (Content-Type: application/json; charset=utf-16, a BOM FF FE first).
# JSON between systems is UTF-8 (RFC 8259); every run failed with "body
# is not JSON: unexpected byte 0xff", which said nothing of why. A body
# that is not UTF-8 is now read as the charset its answer declares
# (bodytext.h), so this one is published as the API meant it. (One with a
# UTF-16 byte order mark and no such charset fails saying it is UTF-16:
# test_jsonpage.) (Found by helper 116.)
# brokers: mock
. "$(dirname "$0")/lib.sh"

cat >"$T_WORK/handler.py" <<'PY'
CT = [("Content-Type", "application/json; charset=utf-16")]
def handle(req):
    return encoded_page(req, CT, "utf-16",
                        [customer(1, "2026-03-01T10:00:00.000Z", name="M\u00fcller")])
PY
start_devbroker
start_hostileapi "$T_WORK/handler.py"
write_config
run_producer_once
assert_eq 1 "$(last_run_field published)" "events published"
kc -C -t "$PREFIX.$STREAM" -e -f '%s' | grep -qa "Müller" || fail "the event does not hold Müller"
log "ok"
