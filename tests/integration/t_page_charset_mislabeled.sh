#!/usr/bin/env bash
# t_page_charset_mislabeled: a Java API that labels its UTF-8 bodies
# ISO-8859-1 (the case bodytext.h says is common, and keeps as UTF-8) and
# one record whose name holds a stray byte 0xE9 (a column cut mid-
# character, a legacy row). Record 1 ("Müller", valid UTF-8) and record 3
# ("Zoë") must be stored as sent; record 2 dead-lettered as invalid UTF-8,
# as before. A first version of the charset rule took the whole body for
# Latin-1 for that one byte, and stored every other record's UTF-8 text as
# mojibake ("MÃ¼ller") without a word. (Found by helper 123.)
# brokers: mock
. "$(dirname "$0")/lib.sh"

cat >"$T_WORK/handler.py" <<'PY'
CT = [("Content-Type", "application/json;charset=ISO-8859-1")]
def handle(req):
    return raw_page(req, CT, [raw_customer(1, "Müller".encode("utf-8")), raw_customer(2, b"Caf\xe9"),
                              raw_customer(3, "Zoë".encode("utf-8"))])
PY

start_devbroker
start_hostileapi "$T_WORK/handler.py"
write_config
run_producer_once
run1=$(last_run_field run_id)
start_worker
wait_run_completed "$run1" 30
psql_value "select id || '=' || name from $TABLE order by id" | tee "$T_WORK/rows.txt"
assert_eq 1 "$(topic_count "$PREFIX.dlq")" "dead letters (record 2)"
assert_eq "1=Müller|3=Zoë" "$(psql_value "select id || '=' || name from $TABLE where id <> 2 order by id" | paste -sd'|')" \
    "the names of records 1 and 3 (valid UTF-8)"
stop_worker
log "ok"
