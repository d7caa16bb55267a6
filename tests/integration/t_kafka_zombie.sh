#!/usr/bin/env bash
# t_kafka_zombie: a worker frozen (SIGSTOP) with a batch in hand for longer
# than session.timeout.ms is thrown out of the group by Kafka's
# coordinator; the other worker takes its partition over and applies the
# same events. Thawed (SIGCONT), the zombie commits nothing: its
# compare-and-set on sync_offsets fails (the batch is rolled back), and
# Kafka's committed offsets stay where the live worker put them. The table
# equals the API, no event is applied twice, sync_metadata's counts are
# exact. (The mock's coordinator never throws a member out this way.)
# brokers: kafka
# long
. "$(dirname "$0")/lib.sh"

N=200
start_devbroker --topic "$PREFIX.$STREAM:1"
start_demoapi --records "$N"
topic="$PREFIX.$STREAM"
# Short sessions; workers collect for 5 s before they apply a batch (even
# at the end of the partition: batch.min.ms), so that the zombie can be
# frozen with a batch in hand and not inside a transaction (where its row
# locks would hold the other worker up).
write_config "kafka: session.timeout.ms = 2000" "worker: batch.max.ms = 5000" \
    "worker: batch.min.ms = 5000" "worker: batch.max.records = 100000"

# The current assignment of a worker for the stream topic, from its log.
assignment()
{
    awk -v t="$topic" '
        /msg="partitions (assigned|revoked)"/ {
            add = ($0 ~ /msg="partitions assigned"/)
            if (!match($0, /partitions=[^ ]*/)) next
            list = substr($0, RSTART + 11, RLENGTH - 11)
            gsub(/"/, "", list)
            n = split(list, items, ",")
            for (i = 1; i <= n; i++) {
                k = split(items[i], tp, ":")
                if (k < 2 || tp[1] != t) continue
                if (add) cur[tp[2]] = 1; else delete cur[tp[2]]
            }
        }
        END { for (p in cur) print p }' "$T_WORK/worker-$1.log" | sort -n | tr '\n' ' ' | sed 's/ $//'
}
owner()
{
    local w
    for w in w1 w2; do [ "$(assignment $w)" = 0 ] && echo $w; done
}
one_owner() { [ "$(owner | wc -l)" = 1 ]; }

run_producer_once
run1=$(last_run_field run_id)
start_worker w1
start_worker w2
wait_run_completed "$run1" 60
wait_caught_up 30
wait_for "one worker owns partition 0 of $topic" 30 one_owner
Z=$(owner)
L=w1
[ "$Z" = w1 ] && L=w2
assert_table_equals_api
E=$(stored_offsets "$topic" | awk '{ print $2 }')
log "$Z owns $topic/0 at offset $E; $L is idle"

# Every row version written from now on, with where its event sits.
psql_value "create table it_applied (id text, part int, off bigint);
create function it_note_applied() returns trigger language plpgsql as \$\$
begin
    insert into it_applied values (new.$ID_FIELD::text, new._kafka_partition, new._kafka_offset);
    return new;
end \$\$;
create trigger it_applied after insert or update on $TABLE
    for each row execute function it_note_applied();" >/dev/null || fail "could not install the trigger"

# ---- run 2 reaches the zombie, which is frozen with the batch in hand
ids=$(seq 4 9 190 | paste -sd, -)
api_post "/admin/update?ids=$ids" >/dev/null || fail "admin update"
run_producer_once
run2=$(last_run_field run_id)
n=$(last_run_field published)
zpid=${WORKER_PIDS[$Z]}
kill -STOP "$zpid"
log "froze $Z (pid $zpid) right after run 2 published $n events"
assert_eq 0 "$(psql_value "select count(*) from it_applied")" \
    "rows written before the freeze (the zombie applied its batch early: the scenario proves nothing)"

# Kafka's coordinator throws it out; the live worker takes over and applies.
wait_for "$L owns partition 0" 30 eval '[ "$(assignment $L)" = 0 ]'
wait_run_completed "$run2" 60
wait_caught_up 30
assert_table_equals_api
ends=$(topic_ends "$topic")
WAIT_INTERVAL=1 wait_for "Kafka's committed offset at the end ($ends)" 30 \
    eval '[ "$(kafka_group_offsets "$topic")" = "$ends" ]'
applied_before=$(psql_value "select count(*) from it_applied")
assert_eq "$n" "$applied_before" "rows written by $L for run 2"

# ---- thawed: its compare-and-set fails, nothing is written
grep -q 'offset moved under this worker' "$T_WORK/worker-$Z.log" &&
    fail "$Z was fenced before it was frozen: the scenario proves nothing"
kill -CONT "$zpid"
log "thawed $Z"
wait_for "$Z's batch fenced ('offset moved under this worker')" 30 \
    grep -q 'offset moved under this worker' "$T_WORK/worker-$Z.log"
log "$Z: $(grep 'offset moved under this worker' "$T_WORK/worker-$Z.log" | head -n1)"
# It rejoins; the group settles with the partition owned by one of them.
wait_for "one worker owns partition 0 after the thaw" 30 one_owner
wait_caught_up 30
assert_table_equals_api
assert_eq "$applied_before" "$(psql_value "select count(*) from it_applied")" \
    "rows written after the thaw (the zombie applied its batch)"
twice=$(psql_value "select count(*) from (select part, off from it_applied group by 1, 2 having count(*) > 1) d")
assert_eq 0 "$twice" "events applied more than once"
assert_eq "$n 0 completed" "$(psql_value "select records_synced || ' ' || records_deleted || ' ' || sync_status
                                          from sync_metadata where run_id = $(sql_quote "$run2")")" \
    "sync_metadata of run 2"
assert_eq "0 $((E + n))" "$(stored_offsets "$topic")" "sync_offsets after the thaw"
WAIT_INTERVAL=1 wait_for "Kafka's committed offset still at the end ($ends)" 30 \
    eval '[ "$(kafka_group_offsets "$topic")" = "$ends" ]'
stop_worker w1
stop_worker w2
log "ok"
