#!/usr/bin/env bash
# t_big_pages: pages of 5000 records (about 1 MiB each), the size from
# which the producer asks for the next page on a guess while it parses
# the page before (producer/getahead.h): the first run publishes every
# record once and the table equals the API; after changes, the next run
# publishes exactly the changed records; the API was asked no page twice
# (the guesses were right, and a guess's answer was not asked again), and
# /metrics counts the guesses and the answers taken.
# brokers: mock
. "$(dirname "$0")/lib_big_pages.sh"

N=12000
big_pages_start "$N"

# the first run in follow mode, for its /metrics
before=$(api_requests)
m="$T_WORK/first.metrics"
big_pages_first_run "$m"
run_id=$(last_run_field run_id)
assert_eq "$N" "$(last_run_field published)" "events published by the first run"
asked=$(($(api_requests) - before))
assert_guesses "$(metric "$m" 'tidemark_producer_page_guesses_total{stream="customers"}')" \
    "$(metric "$m" 'tidemark_producer_page_guesses_taken_total{stream="customers"}')" /metrics
# records: 3 pages of 5000 (the last one short) at the seeks, the page
# at the last record's since, and at most the one guess after the last;
# the deleted endpoint: one page. A guess taken but asked again, or a
# guess per page missed, would be 8 or more.
log "the first run made $asked requests to the API"
[ "$asked" -le 7 ] || fail "the first run made $asked requests to the API (at most 7 expected)"

start_worker
wait_run_completed "$run_id" 90
assert_table_equals_api

api_post "/admin/update?ids=3,4999,5000,11999" >/dev/null || fail "admin update"
run_producer_once
run_id=$(last_run_field run_id)
assert_eq 4 "$(last_run_field published)" "events published by the run after 4 changes"
wait_run_completed "$run_id" 90
assert_table_equals_api

stop_worker
log "ok"
