#!/usr/bin/env bash
# t_hold_poison: three streams, one worker; c2's table refuses every row
# (maintenance trigger): c2 held. Undecodable messages land on c2 and on
# c3 in the same batch as c2's held events. c3's is dead-lettered once
# while c2 is held, c2's once after it is mended (none twice, whatever the
# hold cycles); every table equals the API, every run completes.
# brokers: mock
. "$(dirname "$0")/lib_three_streams.sh"
. "$(dirname "$0")/metrics_lib.sh"

addr="127.0.0.1:$(free_port)"
start_three_streams "worker: metrics.listen = $addr"
apply_first_runs customers c2 c3
refuse_rows_of c2
printf 'not an event at all' >"$T_WORK/garbage"
stop_worker
api_post "/admin/update?count=10" >/dev/null || fail "admin update"
run_producer_once
for s in customers c2 c3; do r[$s]=$(last_run_field run_id $s); done
g2="$PREFIX.c2/1/$(partition_end "$PREFIX.c2" 1)"
g3="$PREFIX.c3/1/$(partition_end "$PREFIX.c3" 1)"
produce_file "$PREFIX.c2" 1 bad2 "$T_WORK/garbage"
produce_file "$PREFIX.c3" 1 bad3 "$T_WORK/garbage"
start_worker
assert_others_go_on "$addr" c2
wait_for "a few holds of c2" 30 sh -c "[ \$(grep -c 'stream held back' '$T_WORK/worker-w1.log') -ge 1 ]"
c3dl() { [ "$(dlq_count_for "$g3")" -ge 1 ]; }
wait_for "c3's garbage dead-lettered" 20 c3dl
sleep_until=$(($(now_ms) + 3000)); wait_for "3 s of hold cycles" 5 sh -c "[ \$(date +%s%3N) -ge $sleep_until ]"
log "dead letters while held: $(dlq_lines | cut -f1 | tr '\n' ' ')"
assert_eq 0 "$(dlq_count_for "$g2")" "dead letters of c2's garbage while c2 is held"
psql_value "drop trigger maint on c2" >/dev/null
assert_held_catches_up "$addr" c2
log "dead letters: $(dlq_lines | cut -f1 | tr '\n' ' ')"
assert_eq 1 "$(dlq_count_for "$g3")" "dead letters of c3's garbage"
assert_eq 1 "$(dlq_count_for "$g2")" "dead letters of c2's garbage"
stop_worker
log "ok"
