#!/usr/bin/env bash
# t_pg_mixed_refusal: two events in one batch, each bad on its own
# account: customer 9001's name breaks a CHECK constraint (23514, the
# row's), customer 9002's is refused by the user's validation trigger
# (RAISE, P0001). Not every row is refused by a trigger, so this is not
# "the table's refusal": both are dead-lettered and the pipeline goes on.
# Only the last lone row's SQLSTATE used to count, so the batch was taken
# for a table-wide refusal and retried for ever.
# brokers: mock
. "$(dirname "$0")/lib.sh"

start_devbroker
start_demoapi --records 5
write_config
topic="$PREFIX.$STREAM"
first_sync
wait_caught_up 30

psql_value "alter table $TABLE add constraint name_not_bad check (name <> 'bad') not valid;
            create function refuse_x() returns trigger language plpgsql as \$\$
            begin
              if new.name = 'refused' then raise exception 'customer % refused', new.id; end if;
              return new;
            end \$\$;
            create trigger refuse_x before insert or update on $TABLE
              for each row execute function refuse_x();" >/dev/null || fail "constraint/trigger"
stop_worker # so that both arrive in one batch

event_header "$T_WORK/header.bin"
t0=$(now_ms)
craft_event "$T_WORK/a.bin" "{\"id\": \"9001\", \"source_ts\": $t0, \"after\": {\"id\": 9001, \"name\": \"bad\", \"email\": \"a@example.com\"}}"
craft_event "$T_WORK/b.bin" "{\"id\": \"9002\", \"source_ts\": $t0, \"after\": {\"id\": 9002, \"name\": \"refused\", \"email\": \"b@example.com\"}}"
produce_file "$topic" 0 9001 "$T_WORK/a.bin"
produce_file "$topic" 0 9002 "$T_WORK/b.bin"
start_worker
ends=$(topic_ends "$topic")
done_or_retrying() {
    offsets_at_ends "$topic" "$ends" || matches 'every row of the statement was refused alone' "$T_WORK/worker-w1.log"
}
wait_for "caught up, or the batch retried as the table's" 30 done_or_retrying
if matches 'every row of the statement was refused alone' "$T_WORK/worker-w1.log"; then
    n=$(grep -c 'batch rolled back; retrying' "$T_WORK/worker-w1.log")
    fail "the batch of one CHECK failure and one trigger refusal is retried as the table's refusal ($n retries so far, dead letters: $(topic_count "$PREFIX.dlq")): $(grep 'every row of the statement' "$T_WORK/worker-w1.log" | tail -n 1)"
fi
assert_eq 2 "$(topic_count "$PREFIX.dlq")" "dead letters"
stop_worker
log "ok"
