#!/usr/bin/env bash
# t_pg_maint_one_bad: a "maintenance" trigger refuses every row (the
# table's refusal: the batch is retried until it is dropped), and one
# event of the batch is bad on its own (a CHECK, 23514, checked before the
# AFTER trigger fires). Most rows refused by the trigger make it the
# table's refusal still: the batch waits, and once the trigger is gone the
# good events are applied and only the bad one is dead-lettered. A first
# version let the one bad row dead-letter the good ones with it.
# brokers: mock
. "$(dirname "$0")/lib.sh"

start_devbroker
start_demoapi --records 5
write_config
topic="$PREFIX.$STREAM"
first_sync
wait_caught_up 30

psql_value "alter table $TABLE add constraint name_not_bad check (name <> 'bad') not valid;
            create function maint() returns trigger language plpgsql as \$\$
            begin
              raise exception 'table % under maintenance', tg_table_name;
            end \$\$;
            create trigger maint after insert or update on $TABLE
              for each row execute function maint();" >/dev/null || fail "trigger"
stop_worker # so that all arrive in one batch

event_header "$T_WORK/header.bin"
t0=$(now_ms)
craft_event "$T_WORK/a.bin" "{\"id\": \"9001\", \"source_ts\": $t0, \"after\": {\"id\": 9001, \"name\": \"good one\", \"email\": \"a@example.com\"}}"
craft_event "$T_WORK/b.bin" "{\"id\": \"9002\", \"source_ts\": $t0, \"after\": {\"id\": 9002, \"name\": \"bad\", \"email\": \"b@example.com\"}}"
craft_event "$T_WORK/c.bin" "{\"id\": \"9003\", \"source_ts\": $t0, \"after\": {\"id\": 9003, \"name\": \"good three\", \"email\": \"c@example.com\"}}"
produce_file "$topic" 0 9001 "$T_WORK/a.bin"
produce_file "$topic" 0 9002 "$T_WORK/b.bin"
produce_file "$topic" 0 9003 "$T_WORK/c.bin"
start_worker
ends=$(topic_ends "$topic")
done_or_retrying() {
    offsets_at_ends "$topic" "$ends" || matches 'every row of the statement was refused alone' "$T_WORK/worker-w1.log"
}
wait_for "caught up, or the batch retried as the table's" 30 done_or_retrying
psql_value "drop trigger maint on $TABLE" >/dev/null || fail "drop trigger"
wait_for "caught up" 30 offsets_at_ends "$topic" "$ends"
got=$(psql_value "select coalesce(string_agg(id::text, ' ' order by id), '') from $TABLE where id in (9001, 9003)")
assert_eq "9001 9003" "$got" "the good rows of the batch, once the maintenance trigger is gone (dead letters: $(topic_count "$PREFIX.dlq"))"
assert_eq 1 "$(topic_count "$PREFIX.dlq")" "dead letters (only 9002)"
stop_worker
log "ok"
