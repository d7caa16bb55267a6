#!/usr/bin/env bash
# t_config_errors: each configuration mistake stops both programs at start
# with exit status 2 and one stderr line that names the file, the line and
# the key.
. "$(dirname "$0")/lib.sh"

start_devbroker
start_demoapi --records 10
unset TM_IT_UNSET_VARIABLE

# check_case NAME KEY "SECTION: key = value"
#   KEY: the key the error must name and whose line it must name.
check_case()
{
    local name=$1 key=$2 setting=$3 prog line out rc lines
    write_config "$setting"
    line=$(grep -n -F -m1 "$key =" "$CONF" | cut -d: -f1)
    [ -n "$line" ] || fail "$name: setting not written to the config"
    for prog in producer worker; do
        out="$T_WORK/$name.$prog.err"
        case $prog in
            producer) timeout --foreground -k 5 20 "$BUILD/tidemark-producer" -c "$CONF" run --once 2>"$out" >/dev/null ;;
            worker) timeout --foreground -k 5 20 "$BUILD/tidemark-worker" -c "$CONF" run 2>"$out" >/dev/null ;;
        esac
        rc=$?
        lines=$(grep -c . "$out")
        log "$name/$prog: exit $rc: $(head -c 300 "$out")"
        assert_eq 2 "$rc" "$name: exit status of tidemark-$prog"
        assert_eq 1 "$lines" "$name: stderr lines of tidemark-$prog"
        grep -q -F "tidemark.conf:$line:" "$out" ||
            fail "$name: tidemark-$prog's error does not name tidemark.conf:$line: $(cat "$out")"
        grep -q -F "$key" "$out" || fail "$name: tidemark-$prog's error does not name the key $key: $(cat "$out")"
    done
}

check_case unknown-key bogus.key "worker: bogus.key = 1"
check_case bad-duration batch.max.ms "worker: batch.max.ms = soon"
check_case missing-env auth.header 'stream: auth.header = Authorization: Bearer ${TM_IT_UNSET_VARIABLE}'
grep -q TM_IT_UNSET_VARIABLE "$T_WORK/missing-env.producer.err" ||
    fail "missing-env: the error does not name the variable"
check_case bad-metrics-listen metrics.listen "worker: metrics.listen = localhost"
check_case bad-metrics-port metrics.listen "producer: metrics.listen = 127.0.0.1:0"
check_case registry-url url "schema_registry: url = ftp://registry:8081"
check_case registry-strategy subject.name.strategy "schema_registry: subject.name.strategy = record"
check_case unreadable-schema schema "stream: schema = $T_WORK/no-such-dir/customer.avsc"
# set where the programs would ignore them, or PostgreSQL or libcurl would
# silently change them
check_case kafka-group-id group.id "kafka: group.id = ops-sync"
check_case auth-header-no-name auth.header "stream: auth.header = Bearer s3cret"
check_case table-bookkeeping table "stream: table = sync_metadata"
check_case table-too-long table "stream: table = $(printf 't%.0s' $(seq 64))"
# the producer's alone: a lock.dir that is no directory left every run
# unstarted, follow mode logging it each pass
write_config "producer: lock.dir = $T_WORK/no-such-dir"
timeout --foreground -k 5 20 "$BUILD/tidemark-producer" -c "$CONF" run 2>"$T_WORK/lock-dir.err" >/dev/null
assert_eq 2 "$?" "lock-dir: exit status of tidemark-producer run"
grep -q -F "[producer] lock.dir: $T_WORK/no-such-dir" "$T_WORK/lock-dir.err" ||
    fail "lock-dir: the error does not name the key and the directory: $(cat "$T_WORK/lock-dir.err")"
log "ok"
