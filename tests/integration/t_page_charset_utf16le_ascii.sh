#!/usr/bin/env bash
# t_page_charset_utf16le_ascii: an API that sends UTF-16LE (no byte order
# mark, as .NET's Encoding.Unicode writes it) and says so:
# charset=utf-16le. A page whose text is all ASCII was, byte for byte,
# "valid UTF-8" (its NUL bytes are < 0x80), so it was read as it is and
# failed as "not JSON", while the same API's pages with an accented letter
# were converted and read. A body holding a NUL byte is not UTF-8 JSON.
# (Found by helper 123.)
# brokers: mock
. "$(dirname "$0")/lib.sh"

cat >"$T_WORK/handler.py" <<'PY'
CT = [("Content-Type", "application/json; charset=utf-16le")]
def handle(req):
    return encoded_page(req, CT, "utf-16-le", [customer(1, "2026-03-01T10:00:00.000Z", name="Muller")])
PY
start_devbroker
start_hostileapi "$T_WORK/handler.py"
write_config
run_producer_once
assert_eq 1 "$(last_run_field published)" "events published"
kc -C -t "$PREFIX.$STREAM" -e -f '%s' | grep -qa "Muller" || fail "the event does not hold Muller"
log "ok"
