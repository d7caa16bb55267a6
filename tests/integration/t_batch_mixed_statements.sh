#!/usr/bin/env bash
# t_batch_mixed_statements: one batch that upserts, deletes and tombstones
# rows of one table runs three statements through one stage in one
# transaction, and each statement offers the table only its own rows: a
# BEFORE INSERT OR UPDATE trigger on the table (an audit log, say) sees
# each event's row once, and a tombstone of a row already deleted offers
# nothing. (A statement that read what an earlier one left in the stage
# would have its INSERT offer those rows again.)
# brokers: mock kafka
. "$(dirname "$0")/lib.sh"

start_devbroker
start_demoapi --records 300
write_config "top: log.level = debug" "worker: batch.max.records = 10000" \
    "worker: batch.max.ms = 5000"

# The worker makes the table; the trigger goes on it before any event.
start_worker
wait_for "the table made" 30 psql_value "select 1 from $TABLE limit 0"
stop_worker
psql_value "
create table it_offered (id text);
create function it_note_offered() returns trigger language plpgsql as \$\$
begin
    insert into it_offered values (new.$ID_FIELD::text);
    return new;
end \$\$;
create trigger it_offered before insert or update on $TABLE
    for each row execute function it_note_offered();" >/dev/null || fail "could not install the trigger"

# Two runs published while the worker is stopped: 300 upserts, then three
# delete events and their tombstones. They reach it as one batch.
run_producer_once
hard="7,77,177"
api_post "/admin/delete?ids=$hard" >/dev/null || fail "admin delete"
run_producer_once
run2=$(last_run_field run_id)
assert_eq 3 "$(last_run_field deletes)" "delete events of the second run"

start_worker
wait_run_completed "$run2" 60
# the first run's upserts are on partitions the second run's deletes miss
wait_caught_up

# The premise: upserts and deletes of one table in one transaction.
# ("batch applied" is logged after the batch's COMMIT, which wait_caught_up
# may see first: waited for, not read at once.)
mixed_batch() { matches -E 'msg="batch applied".* upserts=[1-9][0-9]* deletes=[1-9]' "$T_WORK/worker-w1.log"; }
(wait_for "a batch logged as applying upserts and deletes together" 15 mixed_batch) ||
    fail "no batch applied upserts and deletes together: $(grep 'msg="batch applied"' "$T_WORK/worker-w1.log" | head -n 3)"

# 297 upserts and 3 deletes (of ids the table never had: rows with only
# the id); the 3 tombstones find those rows deleted already and offer
# nothing (a soft delete of a row that exists is an UPDATE, under the
# guard). Nothing twice.
assert_eq 300 "$(psql_value "select count(*) from it_offered")" "rows offered to the table"
assert_eq "" "$(psql_value "select string_agg(id, ',' order by id) from
    (select id from it_offered group by id having count(*) > 1) twice")" "ids offered twice"
expected=$(echo "$hard" | tr ',' '\n' | LC_ALL=C sort | tr '\n' ' ')
assert_eq "$expected" "$(table_deleted_ids | tr '\n' ' ')" "ids of rows with _deleted = true"
assert_table_equals_api
stop_worker
log "ok"
