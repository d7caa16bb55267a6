# shellcheck shell=bash
# lib_deleted_mark.sh - lib.sh and what the scenarios of a deleted mark
# that an older build moved past the clock share: the API
# (fixtures/deleted_mark_api.py), the tombstones of an id on the topic,
# and the checkpoint as such a build left it. Sourced.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# deleted_mark_api RECORDS DELETIONS [CONFIG]... - the broker, the API of
# RECORDS and DELETIONS ("id@time,...": fixtures/deleted_mark_api.py; the
# flag files "later" and "faildel" in $T_WORK), the config (write_config
# CONFIG...). Sets topic, the stream's.
deleted_mark_api()
{
    cp "$REPO/tests/integration/fixtures/deleted_mark_api.py" "$T_WORK/api.py"
    start_devbroker
    start_hostileapi "$T_WORK/api.py" "$1" "$2"
    shift 2
    write_config "$@"
    topic="$PREFIX.$STREAM"
}

# publish_then_delete PUBLISHED DELETES - run 1, which publishes PUBLISHED
# records; then the API's deletions served ("later"), and run 2, which
# publishes DELETES of them.
publish_then_delete()
{
    run_producer_once
    assert_eq "$1" "$(last_run_field published)" "records published by the first run"
    touch "$T_WORK/later"
    run_producer_once
    assert_eq "$2" "$(last_run_field deletes)" "deletions published by run 2"
}

# deletes_of ID - the tombstones of ID on the stream's topic.
deletes_of() { kc -C -t "$topic" -e -f '%k %S\n' | awk -v k="$1" '$1 == k && $2 == -1 { n++ } END { print n + 0 }'; }

# old_deleted_mark [no-source] - the latest run record written again with
# its deleted mark at 2099, as a build before 2026-12-03 could leave it
# (and without "source", as a build before run records kept it, with
# no-source).
old_deleted_mark()
{
    local edit='.deleted_hwm = {"value": "2099-01-01T00:00:00.000Z", "ids": {"9": ""}}'
    [ "${1:-}" = no-source ] && edit="del(.source) | $edit"
    last_run_record | jq -ce "$edit" >"$T_WORK/old.json" || fail "no run record"
    kc -P -t "$PREFIX.sync-runs" -k "$STREAM" "$T_WORK/old.json" || fail "produce the old checkpoint"
}
