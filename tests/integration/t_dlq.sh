#!/usr/bin/env bash
# t_dlq: messages on a stream topic that the worker cannot decode (bytes
# that are not a change event, a truncated change event) go to
# <prefix>.dlq with their key and payload and the headers tidemark.error,
# tidemark.stage=worker and tidemark.source=<topic>/<partition>/<offset>;
# the worker goes on: its stored offsets pass them and later events are
# applied.
# brokers: mock kafka
. "$(dirname "$0")/lib.sh"

start_devbroker
start_demoapi --records 200
write_config
topic="$PREFIX.$STREAM"
dlq="$PREFIX.dlq"

first_sync
wait_caught_up 30
assert_table_equals_api
assert_eq 0 "$(topic_count "$dlq")" "messages on $dlq after a clean sync"

# Two bad messages on partition 1: garbage, and a real change event cut short.
kc -C -t "$topic" -p 0 -o 0 -c 1 -f '%s' >"$T_WORK/good.bin" || fail "kcat could not read $topic"
[ "$(wc -c <"$T_WORK/good.bin")" -gt 40 ] || fail "the first event on $topic is too short to cut"
head -c 30 "$T_WORK/good.bin" >"$T_WORK/truncated.bin"
printf 'this is not an avro change event' >"$T_WORK/garbage.bin"
ends_before=$(topic_ends "$topic")
p1_end=$(awk '$1 == 1 { print $2 }' <<<"$ends_before")
[ -n "$p1_end" ] || fail "partition 1 of $topic holds no messages"
kc -P -t "$topic" -p 1 -k bad-garbage "$T_WORK/garbage.bin" || fail "kcat could not produce the garbage"
kc -P -t "$topic" -p 1 -k bad-truncated "$T_WORK/truncated.bin" || fail "kcat could not produce the truncated event"

# Good changes after them.
api_post "/admin/update?ids=2,20,120" >/dev/null || fail "admin update"
api_post "/admin/create?count=2" >/dev/null || fail "admin create"
run_producer_once
run2=$(last_run_field run_id)
assert_eq 5 "$(last_run_field published)" "events published after the bad messages"

dlq_has_two() { [ "$(topic_count "$dlq")" -ge 2 ]; }
wait_for "two dead letters on $dlq" 30 dlq_has_two
wait_run_completed "$run2" 60
wait_caught_up 30
assert_table_equals_api

# The dead letters: key, payload, headers.
kc -C -t "$dlq" -e -f '%k\t%h\n' >"$T_WORK/dlq.txt"
log "dead letters: $(cat "$T_WORK/dlq.txt")"
assert_eq 2 "$(wc -l <"$T_WORK/dlq.txt")" "messages on $dlq"
header() { tr ',' '\n' <<<"$1" | sed -n "s/^$2=//p" | head -n1; }
i=0
for k in bad-garbage bad-truncated; do
    line=$(awk -F'\t' -v k="$k" '$1 == k' "$T_WORK/dlq.txt")
    [ -n "$line" ] || fail "no dead letter with key $k"
    h=${line#*$'\t'}
    assert_eq worker "$(header "$h" tidemark.stage)" "tidemark.stage of dead letter $k"
    assert_eq "$topic/1/$((p1_end + i))" "$(header "$h" tidemark.source)" "tidemark.source of dead letter $k"
    [ -n "$(header "$h" tidemark.error)" ] || fail "dead letter $k has no tidemark.error (headers: $h)"
    i=$((i + 1))
done
# Payloads are the original bytes.
kc -C -t "$dlq" -e -f '%k\n%s\n' >"$T_WORK/dlq.dump"
grep -qF 'this is not an avro change event' "$T_WORK/dlq.dump" || fail "the garbage dead letter does not carry the original payload"
kc -C -t "$dlq" -e -o 1 -c 1 -f '%s' >"$T_WORK/dlq1.bin"
kc -C -t "$dlq" -e -o 0 -c 1 -f '%s' >"$T_WORK/dlq0.bin"
cmp -s "$T_WORK/dlq0.bin" "$T_WORK/truncated.bin" || cmp -s "$T_WORK/dlq1.bin" "$T_WORK/truncated.bin" ||
    fail "the truncated dead letter does not carry the original bytes"

# The worker's offset for partition 1 went past both bad messages.
p1_stored=$(psql_value "select next_offset from sync_offsets where consumer_group = $(sql_quote "$GROUP")
                        and topic = $(sql_quote "$topic") and partition = 1")
[ "$p1_stored" -ge "$((p1_end + 2))" ] ||
    fail "stored offset of partition 1 is $p1_stored, not past the bad messages at $p1_end and $((p1_end + 1))"
assert_eq 0 "$(psql_value "select count(*) from $TABLE where $ID_FIELD::text like 'bad-%'")" "rows for the bad keys"
# At least one good event of run 2 sits behind them on partition 1.
after_bad=$(psql_value "select count(*) from $TABLE where _kafka_partition = 1 and _kafka_offset > $((p1_end + 1))")
[ "$after_bad" -ge 1 ] || fail "no row comes from partition 1 after the bad messages: the scenario proves nothing"
assert_eq 5 "$(psql_value "select records_synced from sync_metadata where run_id = $(sql_quote "$run2")")" \
    "records_synced of the run after the bad messages"

stop_worker
log "ok"
