#!/usr/bin/env bash
# t_page_charset_latin1: an API that says what its body is
# (Content-Type: application/json; charset=ISO-8859-1) and sends Latin-1.
# Record 1's name is "Müller" (M, 0xFC, ...), record 2's "Zoë" (0xEB).
# The charset was ignored: both were dead-lettered as "invalid UTF-8". A
# body that is not UTF-8 is now read as the charset its answer declares
# (one that is UTF-8, or holds UTF-8 characters beside a stray byte,
# stays UTF-8: servers that label UTF-8 ISO-8859-1 are common,
# t_page_charset_mislabeled), and the run says so once.
# (Found by helper 116.)
# brokers: mock
. "$(dirname "$0")/lib.sh"

cat >"$T_WORK/handler.py" <<'PY'
CT = [("Content-Type", "application/json; charset=ISO-8859-1")]
def handle(req):
    return raw_page(req, CT, [raw_customer(1, "Müller".encode("latin-1")),
                              raw_customer(2, "Zoë".encode("latin-1")), raw_customer(3, b"plain")])
PY

start_devbroker
start_hostileapi "$T_WORK/handler.py"
write_config
run_producer_once
assert_eq 3 "$(last_run_field published)" "events published"
assert_eq 1 "$(grep -c "msg=\"the API's bodies are not UTF-8: read as the charset they declare\".*charset=ISO-8859-1" "$PRODUCER_LAST_LOG")" \
    "notes that the bodies were read as ISO-8859-1"
run1=$(last_run_field run_id)
start_worker
wait_run_completed "$run1" 30
assert_eq "1=Müller|2=Zoë|3=plain" "$(psql_value "select id || '=' || name from $TABLE order by id" | paste -sd'|')" \
    "the rows' names"
assert_eq 0 "$(topic_count "$PREFIX.dlq")" "dead letters"
stop_worker
log "ok"
