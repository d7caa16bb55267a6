#!/usr/bin/env bash
# t_cli_option_abbrev: README ("Programs"): "An unknown option ... is bad
# usage: exit 2 ... before the configuration is read". getopt_long takes
# any unambiguous prefix of a known option, so `--all` (meant: all
# streams) is read as --allow-mass-delete. Here half of the records
# vanish (past full_sync.max_delete_ratio = 0.2) and the user runs
# `run --once --full --all`: it must be bad usage, not a full run that
# deletes them under the one override meant to be given on purpose.
# brokers: mock
. "$(dirname "$0")/lib.sh"

start_devbroker
start_demoapi --records 20
write_config "stream: -deleted.url"
first_sync
assert_table_equals_api
live0=$(psql_value "select count(*) from $TABLE where not _deleted")
ids=$(api_get /admin/records | jq -r '[.data[] | select(.is_deleted | not) | .id][0:10] | join(",")')
api_post "/admin/delete?ids=$ids" >/dev/null || fail "admin delete"

# without the override: refused, as README says
run_producer_once_rc 1 --full
log "run --full refused: $(last_failed_line | grep -o 'would delete [0-9]* of [0-9]*')"

rc=0
timeout --foreground -k 5 120 "$BUILD/tidemark-producer" -c "$CONF" run --once --full --all \
    >"$T_WORK/all.out" 2>"$T_WORK/all.err" || rc=$?
if [ "$rc" != 2 ]; then
    run=$(grep -o 'msg="run completed".*' "$T_WORK/all.err" | grep -o 'run_id=[^ ]*' | cut -d= -f2)
    [ -n "$run" ] && wait_run_completed "$run" 60
    live=$(psql_value "select count(*) from $TABLE where not _deleted")
    fail "run --once --full --all: exit $rc (not bad usage); read as --allow-mass-delete: live rows $live0 -> $live; $(grep -o 'msg="run completed".*' "$T_WORK/all.err" | grep -o 'vanished=[0-9]*')"
fi
grep -q "unknown option '--all'" "$T_WORK/all.err" || fail "no 'unknown option' error: $(head -c 300 "$T_WORK/all.err")"
log "ok"
