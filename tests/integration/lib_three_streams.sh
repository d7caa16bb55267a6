# shellcheck shell=bash
# lib_three_streams.sh - lib.sh plus add_stream: more [stream] sections
# copied from the first one that write_config wrote; start_c2_beside_demo:
# stream c2 served by a hostile API beside the demo API's (the follow-mode
# scenarios t_multi_follow_* and t_follow_*); start_three_streams,
# refuse_rows_of and produce_second_runs (the worker-hold scenarios); and
# the assertions of the scenarios where one
# stream's table refuses writes while the others go on
# (t_multi_table_refused, t_multi_grant_revoked, t_multi_table_locked,
# t_hold_*).
# Sourced; the assertions need metrics_lib.sh.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# start_three_stream_broker - the embedded broker with the topics of
# streams customers, c2 and c3 (4 partitions each) and tidemark's own.
start_three_stream_broker()
{
    start_devbroker --topic "$PREFIX.customers:4" --topic "$PREFIX.c2:4" --topic "$PREFIX.c3:4" \
        --topic "$PREFIX.sync-runs:1" --topic "$PREFIX.dlq:1" --topic "$PREFIX.schemas:1"
}

# start_c2_beside_demo SCRIPT [WRITE_CONFIG_ARGS...] - the embedded broker
# of the three streams; stream c2 served by the hostile API's SCRIPT
# (c2url: its URL; c2's deleted.url is $c2url/customers/deleted, on the
# records' origin), stream customers by the demo API (10 records); the
# config (write_config WRITE_CONFIG_ARGS) ends with c2's section, for the
# caller to add to, then add_stream c3.
start_c2_beside_demo()
{
    local script=$1
    shift
    start_three_stream_broker
    start_hostileapi "$script"
    c2url=$API_URL
    start_demoapi --records 10
    write_config "$@"
    add_stream c2 c2 "$c2url/customers"
}

# write_c2_deleted_busy RETRY_AFTER - $T_WORK/c2.py: an API of records
# 1..5 (gold_customer; POST /admin/add adds record 6) whose deleted
# endpoint answers every request 503 with Retry-After: RETRY_AFTER.
write_c2_deleted_busy()
{
    cat >"$T_WORK/c2.py" <<PY
rec = gold_customer
def handle(req):
    if req.path == "/admin/add":
        req.state["n"] = 6
        return 200, [], "{}"
    if req.path == "/customers/deleted":
        return 503, [("Retry-After", "$1")], '{"error": "busy"}'
    return page_of(req, [rec(i) for i in range(1, req.state.get("n", 5) + 1)])
PY
}

# move_c2_deleted_elsewhere - c2's deleted.url on another origin than its
# records (localhost for 127.0.0.1): its own retry waits and deferrals.
move_c2_deleted_elsewhere()
{
    sed -i "s|^deleted.url = $c2url/customers/deleted|deleted.url = ${c2url/127.0.0.1/localhost}/customers/deleted|" "$CONF"
    grep -q "^deleted.url = http://localhost:" "$CONF" || fail "c2's deleted.url is not on localhost"
}

# start_three_streams [WRITE_CONFIG_ARGS...] - the embedded broker of the
# three streams, the demo API (20 records) serving them all, and the
# config: write_config WRITE_CONFIG_ARGS, then streams c2 and c3 as copies
# of customers (the worker-hold scenarios t_multi_* and t_hold_*).
start_three_streams()
{
    start_three_stream_broker
    start_demoapi --records 20
    write_config "$@"
    add_stream c2
    add_stream c3
}

# refuse_rows_of TABLE - a maintenance trigger on TABLE that refuses every
# row written (raise exception naming the table).
refuse_rows_of()
{
    psql_value "create function maint() returns trigger language plpgsql as \$\$
                begin raise exception 'table % under maintenance', tg_table_name; end \$\$;
                create trigger maint before insert or update on $1
                  for each row execute function maint();" >/dev/null || fail "trigger on $1"
}

# produce_second_runs STREAM... - 10 records updated at the API, then one
# producer run of each stream (not applied yet); r[STREAM] is each run's
# id.
produce_second_runs()
{
    local s
    api_post "/admin/update?count=10" >/dev/null || fail "admin update"
    run_producer_once
    declare -gA r
    for s in "$@"; do r[$s]=$(last_run_field run_id "$s"); done
}

# apply_first_runs STREAM... - one producer run of each stream, applied by
# a worker it starts; r[STREAM] is each run's id.
apply_first_runs()
{
    local s
    run_producer_once
    declare -gA r
    for s in "$@"; do r[$s]=$(last_run_field run_id "$s"); done
    start_worker
    for s in "$@"; do wait_run_completed "${r[$s]}" 60; done
}

# add_stream NAME [TABLE] [URL] - appends [stream NAME], a copy of the
# first stream's section with table = TABLE (default NAME) and, if given,
# url = URL (and no deleted.url when URL is given).
add_stream()
{
    local name=$1 table=${2:-$1} url=${3:-}
    {
        echo
        echo "[stream $name]"
        sed -n '/^\[stream /,/^\[stream /p' "$CONF" | sed -n '2,/^\[stream /p' | grep -v '^\[stream ' | grep -v '^$' |
            sed -e "s|^table = .*|table = $table|" |
            if [ -n "$url" ]; then sed -e "s|^url = .*|url = $url|" -e "s|^deleted.url = .*|deleted.url = $url/deleted|"; else cat; fi
    } >"$T_WORK/add_stream.tmp"
    cat "$T_WORK/add_stream.tmp" >>"$CONF"
}

# held_warned STREAM - the worker warned that it holds STREAM back.
held_warned() { grep 'msg="stream held back' "$T_WORK/worker-w1.log" | matches "stream=$1 "; }

# readyz_names ADDR STREAM - /readyz answers 503 naming STREAM held back.
readyz_names()
{
    [ "$(http_code "http://$1/readyz")" = 503 ] &&
        curl -s --max-time 5 "http://$1/readyz" | matches "stream $2 held back"
}

# assert_others_go_on ADDR HELD - while stream HELD's table refuses
# writes (the runs of this round in the caller's r[STREAM]): the runs of
# the other streams complete and their tables equal the API, the worker
# warns that it holds HELD back, HELD's run stays running, and /readyz
# (at ADDR) answers not ready naming HELD.
assert_others_go_on()
{
    local addr=$1 held=$2 s
    for s in customers c2 c3; do
        [ "$s" = "$held" ] && continue
        wait_for "run ${r[$s]} of $s completed while $held's table refuses writes" 40 \
            run_is_completed "${r[$s]}"
        TABLE=$s assert_table_equals_api
    done
    wait_for "stream $held held back" 10 held_warned "$held"
    [ "$(run_status "${r[$held]}")" = running ] ||
        fail "run ${r[$held]} of $held is $(run_status "${r[$held]}") while its table refuses writes"
    wait_for "/readyz not ready naming $held" 15 readyz_names "$addr" "$held"
    log "/readyz while $held is held: $(curl -s --max-time 5 "http://$addr/readyz")"
}

# assert_held_catches_up ADDR HELD - once HELD's table is mended: its run
# completes, every table equals the API and /readyz answers ready again.
assert_held_catches_up()
{
    local addr=$1 held=$2 s
    wait_run_completed "${r[$held]}" 60
    for s in customers c2 c3; do TABLE=$s assert_table_equals_api; done
    wait_for "/readyz ready again" 15 http_code_is 200 "http://$addr/readyz"
    matches 'msg="held stream applies again".*stream='"$held " "$T_WORK/worker-w1.log" ||
        fail "no line says that $held applies again"
}
