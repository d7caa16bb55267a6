#!/usr/bin/env bash
# t_pg_unique_move_delete: t_pg_unique_move with a delete. The user's table
# has a unique index on email among the live rows (WHERE NOT _deleted, as
# soft deletes need). Customer 7002 is deleted and customer 7001 takes its
# address (an account closed and opened again with the same email), both
# in one batch: valid together, in that order at the source. The worker
# applies a stream's upserts before its deletes, so 7001 fails while 7002
# holds the address; it is tried again after the deletes, and both are
# applied with nothing dead-lettered. 7001 used to be tried again only
# among the upserts, and was dead-lettered (23505) for good.
# brokers: mock
. "$(dirname "$0")/lib.sh"

start_devbroker
start_demoapi --records 5
write_config
topic="$PREFIX.$STREAM"
first_sync
wait_caught_up 30

event_header "$T_WORK/header.bin"
t0=1767225600000
craft_event "$T_WORK/a0.bin" "{\"id\": \"7001\", \"source_ts\": $t0, \"after\": {\"id\": 7001, \"name\": \"new owner\", \"email\": \"first@example.com\"}}"
produce_file "$topic" 0 7001 "$T_WORK/a0.bin"
craft_event "$T_WORK/a.bin" "{\"id\": \"7002\", \"source_ts\": $t0, \"after\": {\"id\": 7002, \"name\": \"old owner\", \"email\": \"shared@example.com\"}}"
produce_file "$topic" 0 7002 "$T_WORK/a.bin"
wait_caught_up 30
psql_value "create unique index customers_email_live on $TABLE (email) where not _deleted" >/dev/null || fail "index"
stop_worker # so that the next two arrive in one batch

craft_event "$T_WORK/c.bin" "{\"op\": \"DELETE\", \"id\": \"7002\", \"source_ts\": $((t0 + 1000))}"
craft_event "$T_WORK/b.bin" "{\"id\": \"7001\", \"source_ts\": $((t0 + 2000)), \"after\": {\"id\": 7001, \"name\": \"new owner\", \"email\": \"shared@example.com\"}}"
produce_file "$topic" 0 7002 "$T_WORK/c.bin"
produce_file "$topic" 0 7001 "$T_WORK/b.bin"
start_worker
wait_caught_up 30
log "dead letters: $(dlq_lines)"
assert_eq "7001=shared@example.com/false 7002=shared@example.com/true" \
    "$(psql_value "select string_agg(id || '=' || email || '/' || _deleted, ' ' order by id) from $TABLE where id >= 7001")" \
    "rows 7001 and 7002 (dead letters: $(topic_count "$PREFIX.dlq"))"
assert_eq 0 "$(topic_count "$PREFIX.dlq")" "dead letters"
stop_worker
log "ok"
