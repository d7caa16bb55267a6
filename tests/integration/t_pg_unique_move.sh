#!/usr/bin/env bash
# t_pg_unique_move: the user's table has a UNIQUE index on email. An
# address moves from customer 7002 to customer 7001 (7002 takes another),
# both changes in one batch: valid together. The stage holds them in id
# order, so 7001 met 7002's old address; the halving search tried 7001
# alone first and dead-lettered it, a valid change lost (7001 kept its
# old address). Rows that fail alone are now tried again after the rest
# of their statement, round after round while a round applies any: both
# are applied, nothing is dead-lettered. A row that fails for good still
# goes to the DLQ, after one more try (t_bad_values, t_poison_ids).
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
psql_value "create unique index customers_email_uniq on $TABLE (email)" >/dev/null || fail "index"
stop_worker # so that the next two arrive in one batch

craft_event "$T_WORK/b.bin" "{\"id\": \"7001\", \"source_ts\": $((t0 + 2000)), \"after\": {\"id\": 7001, \"name\": \"new owner\", \"email\": \"shared@example.com\"}}"
craft_event "$T_WORK/c.bin" "{\"id\": \"7002\", \"source_ts\": $((t0 + 1000)), \"after\": {\"id\": 7002, \"name\": \"old owner\", \"email\": \"other@example.com\"}}"
produce_file "$topic" 0 7002 "$T_WORK/c.bin"
produce_file "$topic" 0 7001 "$T_WORK/b.bin"
start_worker
wait_caught_up 30
assert_eq "7001=shared@example.com 7002=other@example.com" \
    "$(psql_value "select string_agg(id || '=' || email, ' ' order by id) from $TABLE where id >= 7001")" \
    "rows 7001 and 7002"
assert_eq 0 "$(topic_count "$PREFIX.dlq")" "dead letters"
stop_worker
log "ok"
