#!/usr/bin/env bash
# t_deletes: hard deletes (deleted endpoint) and soft deletes
# (soft_delete.field) become delete events, each followed by a tombstone,
# and soft-deleted rows; a replay from offset 0 brings nothing back.
# brokers: mock kafka
. "$(dirname "$0")/lib.sh"

start_devbroker
start_demoapi --records 300
write_config
topic="$PREFIX.$STREAM"

first_sync
assert_table_equals_api
before=$(topic_count "$topic")

hard="7,77,177"
soft="8,88,188"
api_post "/admin/delete?ids=$hard" >/dev/null || fail "admin delete"
api_post "/admin/soft-delete?ids=$soft" >/dev/null || fail "admin soft-delete"

run_producer_once
run2=$(last_run_field run_id)
assert_eq 6 "$(last_run_field deletes)" "delete events of the run"
wait_run_completed "$run2" 60

expected=$(echo "$hard,$soft" | tr ',' '\n' | LC_ALL=C sort | tr '\n' ' ')
assert_eq "$expected" "$(table_deleted_ids | tr '\n' ' ')" "ids of rows with _deleted = true"
assert_eq 0 "$(psql_value "select count(*) from $TABLE where _deleted and _deleted_at is null")" \
    "deleted rows without _deleted_at"
assert_table_equals_api

# Each delete event is followed, in its partition, by a tombstone of its key.
kc -C -t "$topic" -e -f '%p %o %k %S %h\n' >"$T_WORK/topic.txt"
awk '
    $4 != -1 && $5 ~ /tidemark.op=delete/ { del[$1 " " $3] = $2; n++ }
    $4 == -1 { tomb[$1 " " $3] = $2; t++ }
    END {
        bad = 0
        for (k in del) if (!(k in tomb) || tomb[k] <= del[k]) { print "no tombstone after the delete of " k; bad = 1 }
        print n + 0, t + 0
        exit bad
    }' "$T_WORK/topic.txt" >"$T_WORK/tombstones.txt" ||
    fail "$(head -n 5 "$T_WORK/tombstones.txt")"
assert_eq "6 6" "$(tail -n1 "$T_WORK/tombstones.txt")" "delete events and tombstones on $topic"
assert_eq 12 "$(($(topic_count "$topic") - before))" "new messages (6 deletes + 6 tombstones)"

# Replay from the start with the worker stopped. A trigger records every
# update that brings a deleted row back or stores an older version, even
# for a moment (one event per batch: each is its own transaction).
stop_worker
snapshot="$T_WORK/before-replay.tsv"
psql_value "copy (select $ID_FIELD, _deleted, _deleted_at is not null, _source_ts from $TABLE order by 1) to stdout" >"$snapshot"
psql_value "
create table it_regressions (id text, old_deleted boolean, new_deleted boolean,
                             old_ts timestamptz, new_ts timestamptz);
create function it_note_regression() returns trigger language plpgsql as \$\$
begin
    if (old._deleted and not new._deleted) or new._source_ts < old._source_ts then
        insert into it_regressions values (old.$ID_FIELD::text, old._deleted, new._deleted,
                                           old._source_ts, new._source_ts);
    end if;
    return new;
end \$\$;
create trigger it_regression after update on $TABLE
    for each row execute function it_note_regression();" >/dev/null || fail "could not install the regression trigger"
psql_value "update sync_offsets set next_offset = 0 where consumer_group = $(sql_quote "$GROUP")" >/dev/null ||
    fail "could not reset sync_offsets"
write_config "worker: batch.max.records = 1"
start_worker
wait_caught_up 60
regressions=$(psql_value "select count(*) from it_regressions")
[ "$regressions" = 0 ] || {
    psql_value "select * from it_regressions limit 5" >&2
    fail "the replay regressed $regressions row versions (deleted rows came back or older versions were stored)"
}
assert_table_equals_api
psql_value "copy (select $ID_FIELD, _deleted, _deleted_at is not null, _source_ts from $TABLE order by 1) to stdout" >"$T_WORK/after-replay.tsv"
if ! cmp -s "$snapshot" "$T_WORK/after-replay.tsv"; then
    diff "$snapshot" "$T_WORK/after-replay.tsv" | head -n 10 >&2
    fail "the replay changed deletion state or the stored versions"
fi
stop_worker
log "ok"
