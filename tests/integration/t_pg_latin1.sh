#!/usr/bin/env bash
# t_pg_latin1: the user's database is not UTF-8 (a legacy LATIN1 one).
# The worker took the session's client_encoding from the database, so
# the UTF-8 bytes of every COPY were read as LATIN1 characters: "Müller"
# stored as "MÃ¼ller" and "李" as three Latin-1 characters, silently. It
# now connects with client_encoding = UTF8: "Müller" is stored as it is,
# and "李", which LATIN1 cannot hold, goes to the DLQ (22P05).
# brokers: mock
. "$(dirname "$0")/lib.sh"

LDB="${T_DB}_latin1"
createdb -E LATIN1 -T template0 --locale=C "$LDB" || fail "createdb $LDB"
start_devbroker
start_demoapi --records 5
write_config "postgres: conninfo = dbname=$LDB"
topic="$PREFIX.$STREAM"
run_producer_once
run1=$(last_run_field run_id)
start_worker
PGDATABASE=$LDB wait_run_completed "$run1" 30

event_header "$T_WORK/header.bin"
t0=1893456000000
craft_event "$T_WORK/de.bin" "{\"id\": \"8001\", \"source_ts\": $t0, \"after\": {\"id\": 8001, \"name\": \"Müller\"}}"
craft_event "$T_WORK/zh.bin" "{\"id\": \"8002\", \"source_ts\": $t0, \"after\": {\"id\": 8002, \"name\": \"李\"}}"
produce_file "$topic" 0 8001 "$T_WORK/de.bin"
produce_file "$topic" 0 8002 "$T_WORK/zh.bin"
# both handled: 8001 applied, 8002 dead-lettered, or (the bug) both rows
handled() {
    [ "$(PGDATABASE=$LDB psql_value "select count(*) from $TABLE where id in (8001, 8002)")" -ge 2 ] ||
        { [ "$(PGDATABASE=$LDB psql_value "select count(*) from $TABLE where id = 8001")" = 1 ] &&
          [ "$(topic_count "$PREFIX.dlq")" -ge 1 ]; }
}
wait_for "events 8001 and 8002 handled" 30 handled
q() { PGCLIENTENCODING=UTF8 PGDATABASE=$LDB psql_value "$1"; }
assert_eq "Müller" "$(q "select name from $TABLE where id = 8001")" "row 8001's name"
assert_eq 0 "$(q "select count(*) from $TABLE where id = 8002")" "row 8002 (李 has no LATIN1 character)"
assert_eq 1 "$(topic_count "$PREFIX.dlq")" "dead letters (8002)"
dlq_lines | matches "22P05" || fail "the dead letter does not name 22P05: $(dlq_lines | head -c 400)"
stop_worker
log "ok"
