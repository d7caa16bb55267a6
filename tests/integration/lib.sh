# lib.sh - helpers for tidemark's integration scenarios (bash only).
#
# Sourced by every tests/integration/t_*.sh. run.sh sets, per scenario:
#   REPO    absolute path of the repository
#   BUILD   absolute path of the build directory (binaries in it)
#   T_WORK  the scenario's own empty work directory (logs, config, files)
#   T_DB    the scenario's own database (already created); PGDATABASE=T_DB
# and PGHOST/PGPORT/PGUSER/PGPASSWORD come from pg_virtualenv.
#
# Owns: every process the scenario starts through these helpers. Each one
# is recorded (in memory and in $T_WORK/pids, which run.sh also reads) and
# ended by pid on exit, whatever the way out (success, fail, INT, TERM).
#
# Conventions: no fixed sleeps; waiting is wait_for with a deadline that
# polls a condition. A helper that detects a broken expectation calls
# fail, which ends the scenario with a message on stderr. Program logs
# go to files in $T_WORK (run.sh shows their tails when a scenario fails).
#
# Broker: TM_BROKER (run.sh sets it per run of a scenario) selects what
# start_broker (alias start_devbroker) starts:
#   mock   tidemark-devbroker, librdkafka's mock cluster (the default)
#   kafka  tests/kafka/tidemark-kafka, one real Apache Kafka node
# A scenario says on which it runs with a `# brokers: mock kafka` line
# (see run.sh); fault injection (start_devbroker_ctl) is the mock's alone,
# crashing and restarting the broker on its data (kill_broker,
# restart_broker), topic operations (kafka_admin) and Kafka's own tools
# (kafka_tool, kafka_group_offsets) the real broker's.
#
# Stream description (used by write_config and the TSV helpers); override
# before calling them:
#   STREAM (customers) TABLE (=STREAM) ID_FIELD (id)
#   CURSOR_FIELD (last_modified) SOFT_DELETE_FIELD (is_deleted; "" = none)
#   API_RECORDS_JQ (.data: where records sit in /admin/* answers)
#   PREFIX (tm) GROUP (tm-worker)

set -u -o pipefail

: "${REPO:?run through tests/integration/run.sh}"
: "${BUILD:?run through tests/integration/run.sh}"
: "${T_WORK:?run through tests/integration/run.sh}"
: "${T_DB:?run through tests/integration/run.sh}"
export PGDATABASE="$T_DB"
# every process started here carries it: how _cleanup and run.sh tell ours
# from a process that reused a recorded pid (pids.sh)
export T_WORK
# shellcheck source=pids.sh
. "$REPO/tests/integration/pids.sh"

PREFIX=${PREFIX:-tm}
GROUP=${GROUP:-tm-worker}
STREAM=${STREAM:-customers}
TABLE=${TABLE:-$STREAM}
ID_FIELD=${ID_FIELD:-id}
CURSOR_FIELD=${CURSOR_FIELD:-last_modified}
SOFT_DELETE_FIELD=${SOFT_DELETE_FIELD-is_deleted}
API_RECORDS_JQ=${API_RECORDS_JQ:-.data}
CONF="$T_WORK/tidemark.conf"

TM_BROKER=${TM_BROKER:-mock}
case "$TM_BROKER" in
    mock | kafka) ;;
    *) printf 'FAIL: TM_BROKER must be mock or kafka, not "%s"\n' "$TM_BROKER" >&2; exit 1 ;;
esac
KAFKA_LAUNCHER="$REPO/tests/kafka/tidemark-kafka"

BOOTSTRAP=""
BROKER_PID=""
BROKER_JVM_PID=""
BROKER_DATA=""
BROKER_LOG=""
API_URL=""
PRODUCER_LAST_LOG=""
_TM_PIDS=()
declare -A WORKER_PIDS=()
declare -A HOLD_PIDS=() # pg_hold_open's sessions, by name
_PRODUCER_N=0
_DEVBROKER_N=0
_DEMOAPI_N=0

# ---------------------------------------------------------------- basics

# matches GREP-ARGS... - `grep -q` for the end of a pipeline. grep -q exits
# at its first match; the writer before it may then die of SIGPIPE, and
# under pipefail the pipeline fails although it matched (t_cli failed so
# when `cat out err` wrote err after grep had gone). This reads it all.
matches() { grep "$@" >/dev/null; }

log() { printf '[%s] %s\n' "$(date +%H:%M:%S.%3N)" "$*"; }

fail()
{
    printf 'FAIL: %s\n' "$*" >&2
    exit 1
}

# skip REASON - ends the scenario as skipped (exit 77; run.sh reports
# `SKIP name (REASON)`): only for a missing optional test dependency that
# the scenario cannot do without, never for a broken expectation.
skip()
{
    printf 'SKIP: %s\n' "$*" >&2
    exit 77
}

# need_pyvenv [MODULE...] - the venv of `make pydeps` ($BUILD/venv,
# confluent-kafka and fastavro, and each MODULE), or skip. Sets PYVENV to
# its python.
need_pyvenv()
{
    local imports="confluent_kafka, fastavro${1:+, }$(
        IFS=,
        echo "$*"
    )"
    PYVENV="$BUILD/venv/bin/python"
    [ -x "$PYVENV" ] && "$PYVENV" -c "import $imports" 2>/dev/null ||
        skip "no $BUILD/venv with ${imports//, / and }: run 'make pydeps' (needs PyPI)"
}

assert_eq()
{
    # assert_eq EXPECTED ACTUAL DESCRIPTION
    [ "$1" = "$2" ] || fail "$3: expected '$1', got '$2'"
}

now_ms()
{
    local t=${EPOCHREALTIME/./}
    echo $((t / 1000))
}

_track_pid()
{
    _TM_PIDS+=("$1")
    echo "$1" >>"$T_WORK/pids"
}

_cleanup()
{
    local rc=$? pid deadline i
    trap - EXIT INT TERM
    # Newest first: workers go before the broker they talk to. A pid whose
    # process has ended (a worker stopped earlier) may be another's now.
    for ((i = ${#_TM_PIDS[@]} - 1; i >= 0; i--)); do
        signal_pids_of_work TERM "$T_WORK" "${_TM_PIDS[$i]}"
    done
    deadline=$(($(now_ms) + 5000))
    for pid in "${_TM_PIDS[@]}"; do
        while pid_of_work "$pid" "$T_WORK" && [ "$(now_ms)" -lt "$deadline" ]; do
            sleep 0.05
        done
        signal_pids_of_work KILL "$T_WORK" "$pid"
        wait "$pid" 2>/dev/null
    done
    # scripts that source this file (demo, bench) add their own last words
    if declare -F tm_exit_hook >/dev/null; then tm_exit_hook "$rc"; fi
    exit "$rc"
}
trap _cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

# A worker that dies on its own ends the scenario at once instead of
# letting a wait_for run into its deadline.
_check_workers_alive()
{
    local name pid rc
    for name in "${!WORKER_PIDS[@]}"; do
        pid=${WORKER_PIDS[$name]}
        if ! pid_of_work "$pid" "$T_WORK"; then
            wait "$pid" 2>/dev/null
            rc=$?
            unset "WORKER_PIDS[$name]"
            fail "worker '$name' (pid $pid) exited on its own with status $rc; see $T_WORK/worker-$name.log"
        fi
    done
}

# wait_for DESCRIPTION TIMEOUT_S COMMAND...
# Polls COMMAND every ${WAIT_INTERVAL:-0.2} s until it succeeds; fails the
# scenario with DESCRIPTION when TIMEOUT_S pass first.
wait_for()
{
    local desc=$1 timeout=$2 deadline
    shift 2
    deadline=$(($(now_ms) + timeout * 1000))
    until "$@" >/dev/null 2>&1; do
        _check_workers_alive
        if [ "$(now_ms)" -ge "$deadline" ]; then
            fail "timed out after ${timeout}s waiting for: $desc"
        fi
        sleep "${WAIT_INTERVAL:-0.2}"
    done
}

# ------------------------------------------------------------- fixtures

# start_broker [--topic NAME:P[:compact] ...] [other broker options]
# Starts the broker TM_BROKER names. Pre-creates <prefix>.<stream>:4,
# <prefix>.sync-runs:1, <prefix>.dlq:1 and <prefix>.schemas:1:compact (the
# mock cluster has no CreateTopics, with which the producer would create it
# compacted) unless the arguments name one of them. Sets BOOTSTRAP,
# BROKER_PID and BROKER_LOG; for kafka also BROKER_DATA (its data dir) and
# BROKER_JVM_PID. `:compact` (the topic's
# cleanup.policy) is dropped for the mock, which has no compaction.
start_broker()
{
    local n=$((++_DEVBROKER_N)) args=("$@") t file
    for t in "$PREFIX.$STREAM:4" "$PREFIX.sync-runs:1" "$PREFIX.dlq:1" \
        "$PREFIX.schemas:1:compact"; do
        case " ${args[*]:-} " in
            *" ${t%%:*}:"*) ;;
            *) args+=(--topic "$t") ;;
        esac
    done
    if [ "$TM_BROKER" = kafka ]; then
        BROKER_DATA="$T_WORK/kafka.$n"
        BROKER_LOG="$T_WORK/kafka.$n.log"
        file="$BROKER_DATA.bootstrap"
        _start_kafka "$file" "${args[@]}"
        return
    fi
    file="$T_WORK/devbroker.$n.bootstrap"
    BROKER_LOG="$T_WORK/devbroker.$n.log"
    "$BUILD/tidemark-devbroker" --bootstrap-file "$file" "${args[@]/%:compact/}" >"$BROKER_LOG" 2>&1 &
    BROKER_PID=$!
    _track_pid "$BROKER_PID"
    wait_for "devbroker bootstrap file $file" 20 test -s "$file"
    BOOTSTRAP=$(head -n1 "$file")
    [ -n "$BOOTSTRAP" ] || fail "devbroker wrote an empty bootstrap file"
    log "devbroker up: $BOOTSTRAP"
}

# The historical name: every scenario starts "the devbroker".
start_devbroker() { start_broker "$@"; }

# _start_kafka BOOTSTRAP_FILE [ARGS] - the real broker on $BROKER_DATA
# (restarts on its data when it holds some); appends to $BROKER_LOG.
_start_kafka()
{
    local file=$1 t0
    shift
    t0=$(now_ms)
    rm -f "$file"
    echo "---- start $(date +%T.%3N)" >>"$BROKER_LOG"
    "$KAFKA_LAUNCHER" --data-dir "$BROKER_DATA" --pid-file "$BROKER_DATA.jvm.pid" \
        --bootstrap-file "$file" "$@" >>"$BROKER_LOG" 2>&1 &
    BROKER_PID=$!
    _track_pid "$BROKER_PID"
    # A JVM on a busy 2-core machine: a generous deadline.
    local deadline=$((t0 + 120000))
    until [ -s "$file" ]; do
        if ! pid_of_work "$BROKER_PID" "$T_WORK"; then
            tail -n 20 "$BROKER_LOG" >&2
            fail "tidemark-kafka exited before it was ready (log: $BROKER_LOG)"
        fi
        [ "$(now_ms)" -lt "$deadline" ] || fail "timed out after 120s waiting for kafka (log: $BROKER_LOG)"
        sleep 0.1
    done
    BROKER_JVM_PID=$(cat "$BROKER_DATA.jvm.pid")
    _track_pid "$BROKER_JVM_PID"
    BOOTSTRAP=$(head -n1 "$file")
    [ -n "$BOOTSTRAP" ] || fail "tidemark-kafka wrote an empty bootstrap file"
    log "kafka up: $BOOTSTRAP (pid $BROKER_PID, jvm $BROKER_JVM_PID, $(($(now_ms) - t0)) ms)"
}

# True while PID runs (a zombie does not: a killed broker's JVM may wait a
# while for init to reap it).
_pid_running()
{
    local st
    st=$(sed 's/.*) \(.\).*/\1/' "/proc/$1/stat" 2>/dev/null) && [ -n "$st" ] && [ "$st" != Z ]
}

_need_kafka()
{
    [ "$TM_BROKER" = kafka ] || fail "$1 needs the real broker (TM_BROKER=kafka; mark the scenario '# brokers: kafka')"
    [ -n "$BROKER_DATA" ] || fail "$1: no broker started"
}

# kill_broker - SIGKILL, as a crash: the launcher dies and the kernel kills
# its JVM (tidemark-kafka runs it with a parent-death signal). Waits until
# the JVM is gone. Real broker only.
kill_broker()
{
    _need_kafka kill_broker
    kill -KILL "$BROKER_PID" 2>/dev/null
    wait "$BROKER_PID" 2>/dev/null
    wait_for "the broker's JVM (pid $BROKER_JVM_PID) to die with its launcher" 30 \
        eval '! _pid_running "$BROKER_JVM_PID"'
    log "broker killed (SIGKILL)"
}

# restart_broker - starts the real broker again on the data and ports of
# the last one (after kill_broker); BOOTSTRAP stays the same.
restart_broker()
{
    local before=$BOOTSTRAP
    _need_kafka restart_broker
    ! _pid_running "$BROKER_JVM_PID" || fail "restart_broker: the broker still runs (pid $BROKER_JVM_PID)"
    _start_kafka "$BROKER_DATA.bootstrap"
    assert_eq "$before" "$BOOTSTRAP" "bootstrap servers of the restarted broker"
}

# kafka_tool TOOL [ARGS] - one of Kafka's command-line tools from the
# fixture's jars (tests/kafka/kafka-tool: topics, consumer-groups, configs,
# get-offsets), against this broker: --bootstrap-server is added.
kafka_tool()
{
    local tool=$1
    shift
    timeout --foreground -k 5 60 "$REPO/tests/kafka/kafka-tool" "$tool" --bootstrap-server "$BOOTSTRAP" "$@"
}

# kafka_admin create NAME PARTITIONS [KEY=VALUE]... | partitions NAME TOTAL
#           | delete NAME - topic operations on this broker through
# librdkafka (build/tidemark-kafka-admin); fails the scenario if refused.
kafka_admin()
{
    _need_kafka kafka_admin
    timeout --foreground -k 5 60 "$BUILD/tidemark-kafka-admin" -b "$BOOTSTRAP" "$@" ||
        fail "tidemark-kafka-admin $* failed"
    log "kafka admin: $*"
}

# kafka_group_offsets TOPIC [GROUP] - "PARTITION COMMITTED_OFFSET" lines of
# the group's offsets committed in Kafka, as kafka-consumer-groups
# --describe shows them (partitions without a commit left out), sorted.
kafka_group_offsets()
{
    local out
    out=$(kafka_tool consumer-groups --describe --group "${2:-$GROUP}" 2>&1) ||
        fail "kafka-consumer-groups --describe --group ${2:-$GROUP} failed: $out"
    awk -v t="$1" '
        $1 == "GROUP" { for (i = 1; i <= NF; i++) col[$i] = i; next }
        ("TOPIC" in col) && $col["TOPIC"] == t && $col["CURRENT-OFFSET"] != "-" {
            print $col["PARTITION"], $col["CURRENT-OFFSET"] }' <<<"$out" | sort -n
}

# start_devbroker_ctl [ARGS] - start_devbroker with a control FIFO at
# $BROKER_CTL (default $T_WORK/devbroker.ctl), for broker_ctl.
start_devbroker_ctl()
{
    [ "$TM_BROKER" = mock ] ||
        fail "start_devbroker_ctl: fault injection needs the mock broker (mark the scenario '# brokers: mock')"
    BROKER_CTL=${BROKER_CTL:-$T_WORK/devbroker.ctl}
    start_devbroker --control "$BROKER_CTL" "$@"
}

_broker_ctl_count()
{
    grep -cF "msg=\"$1: $2\"" "$BROKER_LOG" 2>/dev/null
}

# Applied (ok count above BEFORE) or refused.
_broker_ctl_answered()
{
    [ "$(_broker_ctl_count ok "$1")" -gt "$2" ] || grep -qF "error: $1" "$BROKER_LOG"
}

# broker_ctl COMMAND... - sends one command to the devbroker's control FIFO
# (see tests/devbroker/control.h) and waits until its log says it was
# applied ("ok: COMMAND"); fails the scenario on "error: COMMAND".
broker_ctl()
{
    local cmd="$*" before
    [ -p "${BROKER_CTL:-}" ] || fail "broker_ctl: no control FIFO (use start_devbroker_ctl)"
    before=$(_broker_ctl_count ok "$cmd")
    timeout 10 bash -c 'printf "%s\n" "$1" >"$2"' _ "$cmd" "$BROKER_CTL" ||
        fail "broker_ctl: could not write '$cmd' to $BROKER_CTL"
    wait_for "devbroker applied '$cmd'" 10 _broker_ctl_answered "$cmd" "$before"
    [ "$(_broker_ctl_count ok "$cmd")" -gt "$before" ] ||
        fail "devbroker refused '$cmd': $(grep -F "error: $cmd" "$BROKER_LOG" | tail -n1)"
    log "devbroker: $cmd"
}

# split_stream_leaders - broker 1 leads <prefix>.sync-runs, the schema
# topic and stream partitions 2 and 3, broker 2 partitions 0 and 1: with
# broker 2 down, runs can start and half of the stream flows.
split_stream_leaders()
{
    broker_ctl leader "$PREFIX.sync-runs" 0 1
    broker_ctl leader "$PREFIX.schemas" 0 1 # a run publishes its schema first
    broker_ctl leader "$PREFIX.$STREAM" 0 2
    broker_ctl leader "$PREFIX.$STREAM" 1 2
    broker_ctl leader "$PREFIX.$STREAM" 2 1
    broker_ctl leader "$PREFIX.$STREAM" 3 1
}

# start_demoapi [ARGS] - sets API_URL (no trailing slash).
start_demoapi()
{
    local n=$((++_DEMOAPI_N))
    local file="$T_WORK/demoapi.$n.url" logf="$T_WORK/demoapi.$n.log"
    "$BUILD/tidemark-demoapi" --port 0 --url-file "$file" "$@" >"$logf" 2>&1 &
    local pid=$!
    _track_pid "$pid"
    wait_for "demo API url file $file" 20 test -s "$file"
    API_URL=$(head -n1 "$file")
    API_URL=${API_URL%/}
    log "demo API up: $API_URL $*"
}

# start_hostileapi HANDLER.py [ARGS...] - the scripted API of
# tests/hostileapi/hostile_api.py with the scenario's handler file; ARGS go
# to the handler's init(). Sets API_URL, and HOSTILE_LOG (one JSON line per
# request the API received).
start_hostileapi()
{
    local n=$((++_DEMOAPI_N)) handler=$1
    shift
    local file="$T_WORK/hostileapi.$n.url" logf="$T_WORK/hostileapi.$n.log"
    HOSTILE_LOG="$T_WORK/hostileapi.$n.requests"
    : >"$HOSTILE_LOG"
    /usr/bin/python3 "$REPO/tests/hostileapi/hostile_api.py" --handler "$handler" \
        --url-file "$file" --log "$HOSTILE_LOG" -- "$@" >"$logf" 2>&1 &
    local pid=$!
    _track_pid "$pid"
    wait_for "hostile API url file $file" 20 test -s "$file"
    API_URL=$(head -n1 "$file")
    API_URL=${API_URL%/}
    log "hostile API up: $API_URL ($handler)"
}

# start_registry [ARGS...] - the fake Schema Registry of
# tests/registry/fake_registry.py (ARGS: --basic-auth USER:SECRET,
# --first-id N). Sets REGISTRY_URL, and REGISTRY_LOG (one JSON line per
# request it answered: method, path, content_type, auth, status).
start_registry()
{
    local n=$((++_DEMOAPI_N))
    local file="$T_WORK/registry.$n.url" logf="$T_WORK/registry.$n.log"
    REGISTRY_LOG="$T_WORK/registry.$n.requests"
    : >"$REGISTRY_LOG"
    /usr/bin/python3 "$REPO/tests/registry/fake_registry.py" --url-file "$file" \
        --log "$REGISTRY_LOG" "$@" >"$logf" 2>&1 &
    _track_pid $!
    wait_for "registry url file $file" 20 test -s "$file"
    REGISTRY_URL=$(head -n1 "$file")
    log "fake registry up: $REGISTRY_URL"
}

# registry_admin PATH - POSTs to the fake registry's /admin (faults).
registry_admin() { curl -fsS --max-time 30 -X POST "$REGISTRY_URL$1"; }

api_get() { curl -fsS --max-time 30 "$API_URL$1"; }
api_post() { curl -fsS --max-time 30 -X POST "$API_URL$1"; }
# api_requests - the data requests the demo API has answered so far.
api_requests() { api_get /admin/stats | jq -r .requests; }

# ------------------------------------------------- downstream consumers

# downstream_workload - the stream's change-event schema into
# $T_WORK/customer-event.avsc, then a first sync, updates, creates, hard
# and soft deletes, and a second run (of a demo API of 300 records).
downstream_workload()
{
    "$BUILD/tidemark-producer" -c "$CONF" schema --stream "$STREAM" >"$T_WORK/customer-event.avsc" ||
        fail "tidemark-producer schema --stream $STREAM failed"
    run_producer_once
    api_post "/admin/update?ids=3,30,130" >/dev/null || fail "admin update"
    api_post "/admin/create?count=4" >/dev/null || fail "admin create"
    api_post "/admin/delete?ids=7,77,177" >/dev/null || fail "admin delete"
    api_post "/admin/soft-delete?ids=8,88" >/dev/null || fail "admin soft-delete"
    run_producer_once
    assert_eq 5 "$(last_run_field deletes)" "delete events of the second run"
}

# downstream_consume [ARGS] - fixtures/downstream_consumer.py (ARGS added)
# over the stream topic after downstream_workload: its output line in
# $T_WORK/consumer.out must count 300 + 4 created and 3 updated upserts,
# 5 deletes each with a tombstone, 299 live and 5 deleted ids.
downstream_consume()
{
    "$PYVENV" "$REPO/tests/integration/fixtures/downstream_consumer.py" --bootstrap "$BOOTSTRAP" \
        --topic "$PREFIX.$STREAM" --schema "$T_WORK/customer-event.avsc" --api "$API_URL" "$@" \
        >"$T_WORK/consumer.out" 2>"$T_WORK/consumer.log" || {
        cat "$T_WORK/consumer.log" >&2
        fail "the downstream consumer found differences (above)"
    }
    log "$(cat "$T_WORK/consumer.out")"
    grep -q '^ok: 317 messages (307 upserts, 5 deletes, 5 tombstones); 299 live and 5 deleted ids' \
        "$T_WORK/consumer.out" || fail "unexpected counts: $(cat "$T_WORK/consumer.out")"
}

# ---------------------------------------------------------------- config

# write_config ["SECTION: key = value"]...
# Writes $CONF for this scenario. Each argument sets (or adds) one key in
# one section: SECTION is top, kafka, postgres, worker, producer,
# schema_registry or stream.
# "stream: -key" removes a key of the stream section.
write_config()
{
    local -a top=("log.level = info")
    local -a kafka=("bootstrap.servers = $BOOTSTRAP" "topic.prefix = $PREFIX"
        "session.timeout.ms = 6000" "heartbeat.interval.ms = 500")
    local -a postgres=("conninfo = dbname=$T_DB")
    local -a worker=("group.id = $GROUP" "batch.max.ms = 200")
    # run locks in the work dir: not one file per scenario left in /run/lock;
    # a progress checkpoint every 20000 events, however fast the run (the
    # default waits 5 s, longer than most scenarios' runs take)
    local -a producer=("lock.dir = $T_WORK" "progress.interval = 0")
    local -a schema_registry=()
    local -a stream=("url = $API_URL/$STREAM"
        "schema = ${SCHEMA:-$REPO/schemas/customer.avsc}"
        "table = $TABLE"
        "id.field = $ID_FIELD"
        "cursor.field = $CURSOR_FIELD"
        "cursor.param = modified_since"
        "records.path = data"
        "pagination = page"
        "page.param = page"
        "page.size.param = per_page"
        "page.size = 500"
        "deleted.url = $API_URL/$STREAM/deleted"
        "deleted.param = since")
    [ -n "$SOFT_DELETE_FIELD" ] && stream+=("soft_delete.field = $SOFT_DELETE_FIELD")

    local arg sec kv key
    for arg in "$@"; do
        sec=${arg%%:*}
        kv=${arg#*:}
        kv=${kv# }
        key=${kv%%=*}
        key=${key%% }
        key=${key#-}
        case "$sec" in
            top | kafka | postgres | worker | producer | schema_registry | stream) ;;
            *) fail "write_config: bad section in '$arg'" ;;
        esac
        local -n arr=$sec
        local -a kept=()
        local line
        for line in "${arr[@]}"; do
            [ "${line%% =*}" = "$key" ] || kept+=("$line")
        done
        case "$kv" in
            -*) ;;
            *) kept+=("$kv") ;;
        esac
        arr=("${kept[@]}")
        unset -n arr
    done

    {
        echo "; generated by tests/integration/lib.sh for $(basename "$0")"
        printf '%s\n' "${top[@]}"
        echo
        echo "[kafka]"
        printf '%s\n' "${kafka[@]}"
        echo
        echo "[postgres]"
        printf '%s\n' "${postgres[@]}"
        echo
        echo "[worker]"
        printf '%s\n' "${worker[@]}"
        if [ ${#producer[@]} -gt 0 ]; then
            echo
            echo "[producer]"
            printf '%s\n' "${producer[@]}"
        fi
        if [ ${#schema_registry[@]} -gt 0 ]; then
            echo
            echo "[schema_registry]"
            printf '%s\n' "${schema_registry[@]}"
        fi
        echo
        echo "[stream $STREAM]"
        printf '%s\n' "${stream[@]}"
    } >"$CONF"
}

# add_stream_copy NAME [SED_SCRIPT] - appends to $CONF a section [stream
# NAME] with the keys of the first stream's section, each line through
# sed SED_SCRIPT (a table, schema or id field of its own); a second
# stream of the same API.
add_stream_copy()
{
    local name=$1 script=${2:-}
    {
        echo
        echo "[stream $name]"
        sed -n '/^\[stream /,$p' "$CONF" | tail -n +2 | sed -e "$script"
    } >"$CONF.$name"
    cat "$CONF.$name" >>"$CONF"
}

# ------------------------------------------------------------- programs
# run_producer_once [ARGS] - `producer -c $CONF run --once ARGS`; fails the
# scenario unless it exits 0. Its stderr is in $PRODUCER_LAST_LOG (and
# appended to producer.log).
run_producer_once()
{
    local n=$((++_PRODUCER_N)) rc
    PRODUCER_LAST_LOG="$T_WORK/producer.$n.log"
    timeout --foreground -k 5 120 "$BUILD/tidemark-producer" -c "$CONF" run --once "$@" \
        >"$T_WORK/producer.$n.out" 2>"$PRODUCER_LAST_LOG"
    rc=$?
    cat "$PRODUCER_LAST_LOG" >>"$T_WORK/producer.log"
    [ "$rc" = 0 ] || {
        tail -n 20 "$PRODUCER_LAST_LOG" >&2
        fail "producer run --once $* exited with status $rc (log: $PRODUCER_LAST_LOG)"
    }
    log "producer run $n: $(last_run_summary)"
}

# run_producer_once_rc EXPECTED_RC [ARGS] - like run_producer_once, but
# fails the scenario unless the exit status is EXPECTED_RC.
run_producer_once_rc()
{
    local want=$1 n=$((++_PRODUCER_N)) rc
    shift
    PRODUCER_LAST_LOG="$T_WORK/producer.$n.log"
    timeout --foreground -k 5 120 "$BUILD/tidemark-producer" -c "$CONF" run --once "$@" \
        >"$T_WORK/producer.$n.out" 2>"$PRODUCER_LAST_LOG"
    rc=$?
    cat "$PRODUCER_LAST_LOG" >>"$T_WORK/producer.log"
    [ "$rc" = "$want" ] || {
        tail -n 20 "$PRODUCER_LAST_LOG" >&2
        fail "producer run --once $* exited with status $rc, want $want (log: $PRODUCER_LAST_LOG)"
    }
    log "producer run $n exited $rc as expected"
}

# The last `msg="run failed"` line of the last producer run (for STREAM,
# or the one given).
last_failed_line()
{
    local s=${1:-$STREAM}
    grep 'msg="run failed"' "$PRODUCER_LAST_LOG" | grep -E " stream=\"?$s\"?( |$)" | tail -n1
}

# run_records [STREAM] - every run record of STREAM on <prefix>.sync-runs,
# oldest first, one compact JSON object per line.
run_records()
{
    local s=${1:-$STREAM}
    kc -C -t "$PREFIX.sync-runs" -e -f '%s\n' | jq -c --arg s "$s" 'select(.stream == $s)'
}

# last_run_record [STREAM] - the latest one: the producer's checkpoint.
last_run_record() { run_records "$@" | tail -n1; }

# The last `msg="run completed"` line of the last producer run (for
# STREAM, or the one given).
last_run_line()
{
    local s=${1:-$STREAM}
    grep 'msg="run completed"' "$PRODUCER_LAST_LOG" | grep -E " stream=\"?$s\"?( |$)" | tail -n1
}

# last_run_field KEY [STREAM] - KEY's value in that line.
last_run_field()
{
    last_run_line "${2:-}" | tr ' ' '\n' | sed -n "s/^$1=\"\{0,1\}\([^\"]*\)\"\{0,1\}\$/\1/p" | head -n1
}

last_run_summary()
{
    local k out=""
    for k in run_id mode fetched published deletes skipped failed; do
        out+="$k=$(last_run_field $k) "
    done
    echo "$out"
}

# follow_start [LABEL] - the producer in follow mode (`run`, no --once)
# in the background: FOLLOW_PID, its log FOLLOW_LOG
# ($T_WORK/follow[-LABEL].log).
follow_start()
{
    local tag=${1:+-$1}
    FOLLOW_LOG="$T_WORK/follow$tag.log"
    "$BUILD/tidemark-producer" -c "$CONF" run >"$T_WORK/follow$tag.out" 2>"$FOLLOW_LOG" &
    FOLLOW_PID=$!
    _track_pid "$FOLLOW_PID"
}

# follow_passes - the passes it completed so far (its "run completed" lines).
follow_passes() { grep -c 'msg="run completed"' "$FOLLOW_LOG"; }
follow_passes_at_least() { [ "$(follow_passes)" -ge "$1" ]; }
_follow_exited() { ! _pid_running "$FOLLOW_PID"; }

# follow_stop [MAX_S] [SIGNAL] - SIGTERM (or SIGNAL); fails unless it
# exits 0 within MAX_S seconds (default 10).
follow_stop()
{
    local t0 rc sig=${2:-TERM}
    t0=$(now_ms)
    kill -"$sig" "$FOLLOW_PID"
    wait_for "the follow-mode producer to exit after SIG$sig" "${1:-10}" _follow_exited
    wait "$FOLLOW_PID"
    rc=$?
    log "producer stopped in $(($(now_ms) - t0)) ms with status $rc"
    assert_eq 0 "$rc" "exit status of the follow-mode producer after SIG$sig"
}

# start_worker [NAME] - starts a worker in the background (log
# $T_WORK/worker-NAME.log, appended across restarts).
start_worker()
{
    local name=${1:-w1}
    [ -z "${WORKER_PIDS[$name]:-}" ] || fail "worker '$name' is already running"
    echo "---- start $(date +%T.%3N)" >>"$T_WORK/worker-$name.log"
    "$BUILD/tidemark-worker" -c "$CONF" run >>"$T_WORK/worker-$name.out" \
        2>>"$T_WORK/worker-$name.log" &
    WORKER_PIDS[$name]=$!
    _track_pid "$!"
    log "worker $name started (pid $!)"
}

# stop_worker [NAME] [SIGNAL] - SIGTERM (or SIGNAL), then waits (deadline 30 s)
# for exit 0.
stop_worker()
{
    local name=${1:-w1} sig=${2:-TERM} pid rc deadline
    pid=${WORKER_PIDS[$name]:-}
    [ -n "$pid" ] || fail "stop_worker: no worker '$name'"
    unset "WORKER_PIDS[$name]"
    kill -"$sig" "$pid" 2>/dev/null
    deadline=$(($(now_ms) + 30000))
    while pid_of_work "$pid" "$T_WORK"; do
        if [ "$(now_ms)" -ge "$deadline" ]; then
            kill -KILL "$pid" 2>/dev/null
            fail "worker '$name' did not exit within 30 s of SIG$sig"
        fi
        sleep 0.1
    done
    wait "$pid"
    rc=$?
    [ "$rc" = 0 ] || fail "worker '$name' exited with status $rc after SIG$sig (want 0)"
    log "worker $name stopped"
}

# kill_worker [NAME] - SIGKILL, as a crash.
kill_worker()
{
    local name=${1:-w1} pid
    pid=${WORKER_PIDS[$name]:-}
    [ -n "$pid" ] || fail "kill_worker: no worker '$name'"
    unset "WORKER_PIDS[$name]"
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    log "worker $name killed"
}

# --------------------------------------------------------------- queries

# psql_value SQL - prints the result unaligned, tab-separated.
psql_value()
{
    psql -X -q -At -F $'\t' -v ON_ERROR_STOP=1 -c "$1"
}

# live_ids - the ids of the table's live rows, in order, joined by ','.
live_ids()
{
    psql_value "select string_agg($ID_FIELD::text, ',' order by $ID_FIELD) from $TABLE where not _deleted"
}

# pg_hold_open NAME SQL - a psql session of its own, in the background,
# that runs SQL in a transaction and keeps it open (a user's open
# transaction, a report, a migration: holding the locks SQL took) until
# pg_release NAME. Returns once SQL has run.
pg_hold_open()
{
    local name=$1 sql=$2
    psql_value "create table tm_release_$name (done boolean)" >/dev/null ||
        fail "could not create tm_release_$name"
    psql -X -q -v ON_ERROR_STOP=1 >"$T_WORK/hold-$name.log" 2>&1 <<SQL &
SET statement_timeout = '120s';
BEGIN;
$sql;
\! touch "$T_WORK/hold-$name.ready"
DO \$\$ BEGIN
  WHILE NOT EXISTS (SELECT 1 FROM tm_release_$name) LOOP PERFORM pg_sleep(0.05); END LOOP;
END \$\$;
COMMIT;
SQL
    HOLD_PIDS[$name]=$!
    _track_pid "$!"
    wait_for "session $name holding its transaction open" 20 _hold_ready "$name"
}

# _hold_ready NAME - pg_hold_open's SQL has run; fails the scenario at once
# when the session ended instead (its SQL failed).
_hold_ready()
{
    [ -e "$T_WORK/hold-$1.ready" ] && return 0
    _pid_running "${HOLD_PIDS[$1]}" || fail "session $1 ended before holding: $(cat "$T_WORK/hold-$1.log")"
    return 1
}

# pg_release NAME - lets pg_hold_open's session commit, and waits for it.
pg_release()
{
    [ -n "${HOLD_PIDS[$1]:-}" ] || fail "pg_release: no session $1"
    psql_value "insert into tm_release_$1 values (true)" >/dev/null || fail "could not release $1"
    wait "${HOLD_PIDS[$1]}" || fail "session $1 failed: $(cat "$T_WORK/hold-$1.log")"
    unset "HOLD_PIDS[$1]"
}

# pg_worker_role ROLE - a login role (password tmw) that may create tables
# and temporary tables in the test's database: a worker that is not the
# tables' superuser, for row-level security scenarios. Prints the conninfo.
pg_worker_role()
{
    psql_value "create role $1 login password 'tmw';
                grant create, temporary on database $T_DB to $1;
                grant create on schema public to $1;" >/dev/null || fail "could not create role $1"
    echo "dbname=$T_DB user=$1 password=tmw"
}

sql_quote() { printf "'%s'" "${1//\'/\'\'}"; }

# run_status RUN_ID - sync_metadata.sync_status of that run (empty if none).
run_status()
{
    psql_value "select sync_status from sync_metadata where run_id = $(sql_quote "$1")" 2>/dev/null
}

run_is_completed() { [ "$(run_status "$1")" = completed ]; }

# wait_run_completed RUN_ID [TIMEOUT_S]
wait_run_completed()
{
    wait_for "run $1 completed in sync_metadata" "${2:-60}" run_is_completed "$1"
}

# ids_of_one_partition N - N ids (comma-separated) whose latest events are
# on one partition of the stream topic: produced while the worker is
# stopped, they arrive in one batch, one statement, whatever the fetches
# (rows of several partitions may come in several batches).
ids_of_one_partition()
{
    local keys p ids
    keys=$(kc -C -t "$PREFIX.$STREAM" -e -f '%p %k\n')
    p=$(awk '{ n[$1]++ } END { for (q in n) if (n[q] > m) { m = n[q]; b = q } print b }' <<<"$keys")
    ids=$(awk -v p="$p" '$1 == p { print $2 }' <<<"$keys" | sort -un | head -n "$1" | paste -sd,)
    [ "$(tr ',' '\n' <<<"$ids" | wc -l)" = "$1" ] || fail "no partition holds $1 ids: $ids"
    printf '%s\n' "$ids"
}

# wait_run_completed_or_stop RUN [SECS] - wait_run_completed, but fails at
# once, with the worker's last error, when worker w1 exits instead: for
# inputs that used to stop the worker (and every stream with it).
wait_run_completed_or_stop()
{
    _completed_or_gone() { run_is_completed "$1" || ! pid_of_work "${WORKER_PIDS[w1]}" "$T_WORK"; }
    wait_for "run $1 completed (or the worker gone)" "${2:-60}" _completed_or_gone "$1"
    if ! pid_of_work "${WORKER_PIDS[w1]}" "$T_WORK"; then
        unset "WORKER_PIDS[w1]"
        fail "the worker exited instead of completing run $1: $(grep -E 'level=(error|fatal)' "$T_WORK/worker-w1.log" | grep -v rdkafka | tail -n 1)"
    fi
}

# first_sync - the start most scenarios share: one producer run, a worker
# started, and that run completed in sync_metadata. Sets run1 to its id.
first_sync()
{
    run_producer_once
    run1=$(last_run_field run_id)
    start_worker
    wait_run_completed "$run1" 60
}

# start_new_york_api [WRITE_CONFIG_ARGS...] - the broker, the demo API
# whose days are New York's (cursor.precision = date, cursor.timezone =
# America/New_York; 12 records from 2026-01-06T01:59Z, still 5 January
# there) and the configuration.
start_new_york_api()
{
    start_devbroker
    start_demoapi --records 12 --base-time 2026-01-06T01:59:00Z --date-cursor \
        --cursor-timezone America/New_York
    write_config "stream: cursor.precision = date" "stream: cursor.timezone = America/New_York" "$@"
}

# new_york_evening_change - the demo API's days are New York's
# (cursor.precision = date, cursor.timezone = America/New_York), 12
# records from 2026-01-06T01:59Z (still 5 January there), synced once;
# then record 4 changes at 03:00Z, 22:00 on 5 January in New York, below
# the UTC date of the HWM.
new_york_evening_change()
{
    start_new_york_api "stream: -deleted.url"
    first_sync
    assert_table_equals_api
    api_post "/admin/update?ids=4&at=2026-01-06T03:00:00Z" >/dev/null || fail "admin update"
}

# first_sync_then_hide_two - for an API of records 1..10 that hides record
# 2 while $T_WORK/hidden exists (a shard down): the first sync, then a
# full run with 2 hidden, which finds it vanished, and the table without it.
first_sync_then_hide_two()
{
    first_sync
    assert_eq "1,2,3,4,5,6,7,8,9,10" "$(live_ids)" "live rows after the first run"
    touch "$T_WORK/hidden"
    run_producer_once --full
    assert_eq 1 "$(last_run_field vanished)" "ids found vanished"
    wait_run_completed "$(last_run_field run_id)" 60
    assert_eq "1,3,4,5,6,7,8,9,10" "$(live_ids)" "live rows while 2 is hidden"
}

# three_clean_runs N - a full run that publishes N records, an incremental
# one that publishes none, and a second full one that finds none
# vanished: what a source whose walks end cleanly gives.
three_clean_runs()
{
    run_producer_once
    assert_eq "$1" "$(last_run_field published)" "records published by the full run"
    run_producer_once
    assert_eq 0 "$(last_run_field published)" "records published by an incremental run"
    run_producer_once --full
    assert_eq 0 "$(last_run_field vanished)" "ids a second full run found gone"
}

# Messages on a topic, read from the beginning (kcat; values may hold
# newlines, so one line per message comes from the format).
kc() { timeout --foreground 60 kcat -b "$BOOTSTRAP" -q "$@"; }

topic_count()
{
    kc -C -t "$1" -e -f '%o\n' | wc -l
}

# topic_latest_per_key TOPIC - "KEY live|gone" per key, from the key's
# latest message (keys stay in one partition, read in offset order): an
# upsert event is live; a delete event or a tombstone is gone. Sorted.
topic_latest_per_key()
{
    kc -C -t "$1" -e -Z -f '%k\t%S\t%h\n' |
        awk -F'\t' '{ st = ($2 == "-1" || $3 ~ /tidemark\.op=delete/) ? "gone" : "live"; last[$1] = st }
                    END { for (k in last) print k, last[k] }' |
        LC_ALL=C sort
}

# topic_value_heads TOPIC - per message, in the order read: the hex of its
# value's first 5 bytes (a framing's header: 00 + schema id, or C3 01 and
# 3 bytes of a fingerprint), or "-" for a tombstone.
topic_value_heads()
{
    kc -C -t "$1" -e -f '%S:%s' | /usr/bin/python3 -c '
import sys
d, i = sys.stdin.buffer.read(), 0
while i < len(d):
    j = d.index(b":", i)
    n, i = int(d[i:j]), j + 1
    print("-" if n < 0 else d[i:i + min(n, 5)].hex())
    i += max(n, 0)'
}

# The API's view as "KEY live|gone": live records, and deleted ids not
# restored since.
api_latest_per_key()
{
    {
        api_records_tsv | cut -f1 | sed 's/$/ live/'
        api_deleted_ids | sed 's/$/ gone/'
    } | LC_ALL=C sort
}

# assert_topic_matches_api LABEL - the latest message per key on $topic
# (topic_latest_per_key) equals the API's view.
assert_topic_matches_api()
{
    local want got
    want=$(api_latest_per_key)
    got=$(topic_latest_per_key "$topic")
    if [ "$want" != "$got" ]; then
        diff <(echo "$want") <(echo "$got") | grep '^[<>]' | head -n 20 >&2
        fail "$1: the topic's latest message per key differs from the API (< api, > topic)"
    fi
    log "$1: topic's latest per key equals the API ($(wc -l <<<"$got") keys)"
}

# topic_ends TOPIC - "PARTITION END" lines (END = last offset + 1) for the
# partitions that hold messages.
topic_ends()
{
    kc -C -t "$1" -e -f '%p %o\n' |
        awk '{ if (!($1 in e) || $2 + 1 > e[$1]) e[$1] = $2 + 1 } END { for (p in e) print p, e[p] }' |
        sort -n
}

# stored_offsets TOPIC [GROUP] - "PARTITION NEXT_OFFSET" lines from sync_offsets.
stored_offsets()
{
    psql_value "select partition || ' ' || next_offset from sync_offsets
                where topic = $(sql_quote "$1") and consumer_group = $(sql_quote "${2:-$GROUP}")
                and next_offset > 0 order by partition" 2>/dev/null
}

# offsets_at_ends TOPIC ENDS [GROUP] - true when sync_offsets equal ENDS
# (the output of topic_ends, taken once after the producer finished).
offsets_at_ends()
{
    [ "$(stored_offsets "$1" "${3:-}")" = "$2" ]
}

# wait_caught_up [TIMEOUT_S] [GROUP] - until the group's stored offsets reach
# the current end of the stream topic.
wait_caught_up()
{
    local ends
    ends=$(topic_ends "$PREFIX.$STREAM") || fail "kcat could not read $PREFIX.$STREAM"
    wait_for "sync_offsets of ${2:-$GROUP} at the end of $PREFIX.$STREAM ($(echo $ends))" \
        "${1:-60}" offsets_at_ends "$PREFIX.$STREAM" "$ends" "${2:-}"
}

# --------------------------------------------------- API vs table contents

# The jq side of the comparison: one line per live record, fields escaped
# like COPY's text format (\N for null), cursor as epoch ms.
_JQ_DEFS='
def esc: if . == null then "\\N"
         else tostring | gsub("\\\\"; "\\\\") | gsub("\t"; "\\t") | gsub("\n"; "\\n") | gsub("\r"; "\\r")
         end;
def ms: if . == null then null
        elif type == "number" then .
        elif test("^[0-9]{4}-[0-9]{2}-[0-9]{2}$") then ((. + "T00:00:00Z") | fromdateiso8601) * 1000
        else capture("^(?<s>[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2})(\\.(?<f>[0-9]+))?(Z|[+]00:?00)$") as $c
             | ((($c.s + "Z") | fromdateiso8601) * 1000) + ((($c.f // "") + "000")[0:3] | tonumber)
        end;
def live: if $soft == "" then true else (.[$soft] != true) end;
'

# Normalizes the balance column (5th) to two decimals on both sides.
_norm_balance()
{
    awk -F'\t' -v OFS='\t' '$5 != "\\N" { $5 = sprintf("%.2f", $5) } 1'
}

api_records_tsv()
{
    api_get /admin/records |
        jq -r --arg id "$ID_FIELD" --arg cur "$CURSOR_FIELD" --arg soft "$SOFT_DELETE_FIELD" \
            "$_JQ_DEFS ${API_RECORDS_JQ}[] | select(live) |
             [(.[\$id]|esc), (.name|esc), (.email|esc), (.country|esc), (.balance|esc),
              (.tier|esc), (.phone|esc), (.signup_date|esc), (.is_deleted|esc),
              (.[\$cur]|ms|esc)] | join(\"\t\")" |
        _norm_balance | LC_ALL=C sort
}

table_records_tsv()
{
    psql_value "copy (select $ID_FIELD::text, name, email, country, balance::text, tier, phone,
                  to_char(signup_date, 'YYYY-MM-DD'), is_deleted::text,
                  (extract(epoch from $CURSOR_FIELD) * 1000)::bigint
                from $TABLE where not _deleted) to stdout" |
        _norm_balance | LC_ALL=C sort
}

# Ids the API deleted: hard (GET /admin/deleted, less those restored since:
# the demo API keeps listing them) and soft (the soft-delete field is true
# in /admin/records).
api_deleted_ids()
{
    local live="$T_WORK/api.live.ids"
    api_records_tsv | cut -f1 | LC_ALL=C sort -u >"$live" || return 1
    {
        api_get /admin/deleted |
            jq -r --arg id "$ID_FIELD" \
                "($API_RECORDS_JQ? // .) | if type == \"array\" then .[] else empty end |
                 if type == \"object\" then (.[\$id] // .id) else . end | tostring"
        if [ -n "$SOFT_DELETE_FIELD" ]; then
            api_get /admin/records |
                jq -r --arg id "$ID_FIELD" --arg soft "$SOFT_DELETE_FIELD" \
                    "${API_RECORDS_JQ}[] | select(.[\$soft] == true) | .[\$id] | tostring"
        fi
    } | LC_ALL=C sort -u | LC_ALL=C comm -23 - "$live"
}

table_deleted_ids()
{
    psql_value "select $ID_FIELD::text from $TABLE where _deleted" | LC_ALL=C sort
}

# _show_diff WHAT FILE_A FILE_B
_show_diff()
{
    echo "$1 differ: api $(wc -l <"$2") lines, table $(wc -l <"$3") lines; first differences (< api, > table):" >&2
    diff "$2" "$3" | grep '^[<>]' | head -n 20 >&2
}

# Fails unless the table's live rows equal the API's live records and the
# table's deleted ids equal the API's deleted ids.
assert_table_equals_api()
{
    local a="$T_WORK/cmp.api.tsv" t="$T_WORK/cmp.table.tsv"
    api_records_tsv >"$a" || fail "could not read /admin/records"
    table_records_tsv >"$t" || fail "could not read table $TABLE"
    if ! cmp -s "$a" "$t"; then
        _show_diff "live records" "$a" "$t"
        fail "table $TABLE does not equal the API"
    fi
    api_deleted_ids >"$a.del" || fail "could not read the API's deleted ids"
    table_deleted_ids >"$t.del" || fail "could not read deleted rows of $TABLE"
    if ! cmp -s "$a.del" "$t.del"; then
        _show_diff "deleted ids" "$a.del" "$t.del"
        fail "deleted rows of $TABLE do not match the API's deletions"
    fi
    log "table $TABLE equals the API ($(wc -l <"$a") live, $(wc -l <"$a.del") deleted)"
}

table_equals_api() { (assert_table_equals_api) >/dev/null 2>&1; }

# ------------------------------------------------------ crafted messages

# event_header FILE - the single-object header (C3 01 and the schema's
# fingerprint) of the first event on the stream topic, for craft_event.
event_header()
{
    kc -C -t "$PREFIX.$STREAM" -o beginning -c 1 -e -f '%s' | head -c 10 >"$1"
    [ "$(wc -c <"$1")" = 10 ] || fail "no event on $PREFIX.$STREAM to take a header from"
    EVENT_HEADER=$1
}

# craft_event OUT SPEC_JSON [N] - a Customer change event as SPEC_JSON says
# (see tests/integration/craft_event.py), with $EVENT_HEADER's fingerprint;
# with N, N events OUT.0.. with consecutive ids.
craft_event()
{
    /usr/bin/python3 "$REPO/tests/integration/craft_event.py" "${EVENT_HEADER:?call event_header first}" \
        "$@" || fail "craft_event $2"
}

# confluent_header FILE ID - a Confluent wire format header (00, the
# 4-byte big-endian Schema Registry id ID) into FILE, for craft_event.
confluent_header()
{
    printf '%08x' "$2" | sed 's/^/00/' | xxd -r -p >"$1"
    [ "$(wc -c <"$1")" = 5 ] || fail "confluent_header: bad id '$2'"
    EVENT_HEADER=$1
}

# registry_register SUBJECT FILE - registers the Avro schema in FILE under
# SUBJECT with the fake registry; prints its id.
registry_register()
{
    jq -Rs '{schema: .}' "$2" |
        curl -fsS --max-time 30 -X POST -H 'Content-Type: application/vnd.schemaregistry.v1+json' \
            --data-binary @- "$REGISTRY_URL/subjects/$1/versions" | jq -er .id ||
        fail "could not register $2 under $1"
}

# register_stream_schema - the stream's change-event schema (as
# `tidemark-producer schema` prints it, into $T_WORK/schema.json)
# registered under $PREFIX.$STREAM-value with the fake registry; prints
# its id.
register_stream_schema()
{
    "$BUILD/tidemark-producer" -c "$CONF" schema --stream "$STREAM" >"$T_WORK/schema.json" ||
        fail "producer schema"
    registry_register "$PREFIX.$STREAM-value" "$T_WORK/schema.json"
}

# reframe_confluent TOPIC ID OUTDIR - every message of TOPIC, its single-object
# header replaced by the Confluent framing with id ID, into OUTDIR/N.{part,key,val}
# (tests/integration/reframe_confluent.py); prints how many.
reframe_confluent()
{
    mkdir -p "$3"
    kc -C -t "$1" -o beginning -e -f '%p:%K:%S:%k%s' |
        /usr/bin/python3 "$REPO/tests/integration/reframe_confluent.py" "$2" "$3" ||
        fail "reframe_confluent $1"
}

# assert_applied_on PARTITION ID REFUSAL - an upsert of ID (crafted on the
# header of the stream topic's first event) sent to PARTITION of the stream
# topic; waits until its row is in the table or the worker's log matches
# REFUSAL (an extended regex naming why the partition is not applied), and fails
# unless the row is there, quoting that line.
assert_applied_on()
{
    local part=$1 id=$2 refusal=$3
    event_header "$T_WORK/header.bin"
    craft_event "$T_WORK/on-$part.bin" "{\"id\": \"$id\", \"source_ts\": $(now_ms), \"after\": {\"id\": $id, \"name\": \"on $part\", \"email\": \"p$part@example.com\"}}"
    produce_file "$PREFIX.$STREAM" "$part" "$id" "$T_WORK/on-$part.bin"
    _applied_or_refused() {
        [ "$(psql_value "select count(*) from $TABLE where id = $id")" = 1 ] ||
            matches -E "($refusal).*partition=$part " "$T_WORK/worker-w1.log"
    }
    wait_for "row $id applied, or partition $part refused" 60 _applied_or_refused
    [ "$(psql_value "select count(*) from $TABLE where id = $id")" = 1 ] ||
        fail "row $id, sent to partition $part, not applied: $(grep -E "$refusal" "$T_WORK/worker-w1.log" | grep "partition=$part " | tail -n 1)"
}

# wait_compacted TIMEOUT_S DESCRIPTION CONDITION... - until CONDITION holds
# on a compacted stream topic: the cleaner works only on closed segments,
# and a segment rolls only on an append after segment.ms, so each time it
# does not, one record (ids 21..26, in turn: the scenarios delete none of
# them) is updated at the API and a
# producer run appends it. COMPACT_APPENDS says how many it took.
wait_compacted()
{
    local timeout=$1 desc=$2
    shift 2
    COMPACT_APPENDS=0
    _compacted_or_append()
    {
        "$@" && return 0
        api_post "/admin/update?ids=$((21 + COMPACT_APPENDS % 6))" >/dev/null || return 1
        COMPACT_APPENDS=$((COMPACT_APPENDS + 1))
        run_producer_once
        return 1
    }
    WAIT_INTERVAL=0.5 wait_for "$desc" "$timeout" _compacted_or_append "$@"
}

# copy_event_as ID KEY - a stranger's copy of ID's latest message on the
# stream topic, the same bytes in the same partition, keyed KEY.
copy_event_as()
{
    local topic="$PREFIX.$STREAM" p o
    read -r p o < <(kc -C -t "$topic" -e -f '%k %p %o\n' | awk -v k="$1" '$1 == k { print $2, $3 }' | tail -n1)
    [ -n "${o:-}" ] || fail "no event of id $1"
    kc -C -t "$topic" -p "$p" -o "$o" -c 1 -e -f '%s' >"$T_WORK/copy-$1.bin"
    produce_file "$topic" "$p" "$2" "$T_WORK/copy-$1.bin"
}

# assert_rebuild_live_rows [WRITE_CONFIG_ARGS] - a new consumer group
# (tm-rebuild) reads the stream topic from its start into a table of its
# own (customers_rebuild), as a rebuild after compaction would; its live
# rows must equal the API's (deleted rows may be gone with their
# tombstones: README, delete.retention.ms).
assert_rebuild_live_rows()
{
    local GROUP=tm-rebuild TABLE=customers_rebuild
    write_config "$@"
    start_worker rebuild
    wait_caught_up 30 "$GROUP"
    assert_eq "$(api_records_tsv)" "$(table_records_tsv)" "live rows of $TABLE"
    stop_worker rebuild
}

# kafka_tombstone KEY [TIMESTAMP_MS] - another client writes a tombstone
# (null value) of KEY to partition 0 of the stream topic, with that
# message timestamp (CreateTime) when given (needs need_pyvenv).
kafka_tombstone()
{
    "$PYVENV" - "$BOOTSTRAP" "$PREFIX.$STREAM" "$1" "${2:-0}" <<'PY' ||
import sys
from confluent_kafka import Producer
bs, topic, key, ts = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
p = Producer({"bootstrap.servers": bs})
p.produce(topic, key=key.encode(), value=None, partition=0, timestamp=ts)
sys.exit(1 if p.flush(30) else 0)
PY
        fail "could not produce the tombstone of $1"
}

# Two workers side by side, delete.mode soft and hard, each with its own
# group and table (customers_soft, customers_hard), configurations in
# $T_WORK/soft.conf and hard.conf: start_mode_workers writes and starts
# them; mode_tombstone_applied ID waits until both recorded a tombstone of
# ID (soft: a deleted row; hard: a tombstones-table entry).
start_mode_workers()
{
    local mode
    for mode in soft hard; do
        CONF="$T_WORK/$mode.conf" TABLE="customers_$mode" write_config \
            "worker: group.id = tm-$mode" "worker: delete.mode = $mode"
        CONF="$T_WORK/$mode.conf" start_worker "$mode"
    done
}

# mode_workers_equal_api - both caught up, each table equal to the API;
# stops them.
mode_workers_equal_api()
{
    local mode
    for mode in soft hard; do
        wait_caught_up 60 "tm-$mode"
        TABLE="customers_$mode" assert_table_equals_api
        stop_worker "$mode"
    done
}

mode_tombstone_applied()
{
    _soft_deleted() { [ "$(psql_value "select count(*) from customers_soft where $ID_FIELD = $1 and _deleted")" = 1 ]; }
    _hard_deleted() { [ "$(psql_value "select count(*) from customers_hard__tombstones where $ID_FIELD = $1")" = 1 ]; }
    wait_for "the tombstone of $1 applied as a deleted row (soft)" 60 _soft_deleted "$1"
    wait_for "the tombstone of $1 recorded (hard)" 60 _hard_deleted "$1"
}

# kafka_abort_txns PARTITION - another client (a transactional producer)
# writes two transactions of five messages each to PARTITION of the stream
# topic and aborts both (a real broker: needs need_pyvenv); prints the
# partition's high watermark after them.
kafka_abort_txns()
{
    "$PYVENV" - "$BOOTSTRAP" "$PREFIX.$STREAM" "$1" <<'PY' || fail "the aborted transactions failed"
import sys
from confluent_kafka import Consumer, Producer, TopicPartition
bs, topic, part = sys.argv[1], sys.argv[2], int(sys.argv[3])
p = Producer({"bootstrap.servers": bs, "transactional.id": "stranger-%d" % part})
p.init_transactions(30)
for _ in range(2):
    p.begin_transaction()
    for i in range(5):
        p.produce(topic, key=b"x%d" % i, value=b"aborted", partition=part)
    p.flush(30)
    p.abort_transaction(30)
c = Consumer({"bootstrap.servers": bs, "group.id": "watermarks"})
print(c.get_watermark_offsets(TopicPartition(topic, part), 30)[1])
c.close()
PY
}

# one_record_one_empty_partition - the stream topic on two partitions, one
# record synced (lock_timeout = 1s, which the row-less placements need),
# the worker stopped; sets q to the partition that holds no event.
one_record_one_empty_partition()
{
    local topic="$PREFIX.$STREAM" used
    start_broker --topic "$topic:2"
    start_demoapi --records 1
    write_config "postgres: lock_timeout = 1s"
    first_sync
    stop_worker
    used=$(kc -C -t "$topic" -e -f '%p\n' | sort -u)
    [ "$(echo "$used" | wc -l)" = 1 ] || fail "the one record's events are on partitions: $used"
    q=$((1 - used))
}

# assert_aborted_txns_kept PARTITION - another client's two aborted
# transactions on PARTITION (kafka_abort_txns), then
# assert_kept_past_retention past them.
assert_aborted_txns_kept()
{
    local high
    high=$(kafka_abort_txns "$1")
    log "two aborted transactions on partition $1: its high watermark is $high"
    [ "${high:-0}" -gt 10 ] || fail "high watermark '$high': the aborted records and markers are not there"
    assert_kept_past_retention "$1" "$high"
}

# assert_kept_past_retention PARTITION HIGH - the group's stored offset of
# PARTITION of the stream topic reaches HIGH, past records that hold no
# message for the worker; then retention takes everything below HIGH
# (delete_records), the worker restarts, and an event sent to PARTITION
# must be applied, not refused as out of range.
assert_kept_past_retention()
{
    local part=$1 high=$2 topic="$PREFIX.$STREAM"
    _stored_at() { [ "$(stored_offsets "$topic" | awk -v p="$part" '$1 == p { print $2 }')" = "$high" ]; }
    wait_for "group $GROUP's stored offset of partition $part at $high" 30 _stored_at
    kafka_delete_records "$topic" "$part:$high"
    stop_worker
    start_worker
    assert_applied_on "$part" 9001 "retention took|stored offset outside the partition"
}

# kafka_delete_records TOPIC PARTITION:OFFSET... - moves each partition's
# start (low watermark) up to OFFSET, as retention does, through the Admin
# API (a real broker: needs need_pyvenv).
kafka_delete_records()
{
    local topic=$1
    shift
    "$PYVENV" - "$BOOTSTRAP" "$topic" "$@" <<'PY' || fail "delete_records on $topic failed"
import sys
from confluent_kafka import TopicPartition
from confluent_kafka.admin import AdminClient
bs, topic = sys.argv[1], sys.argv[2]
parts = [TopicPartition(topic, int(p), int(o)) for p, o in (a.split(":") for a in sys.argv[3:])]
a = AdminClient({"bootstrap.servers": bs})
for tp, f in a.delete_records(parts).items():
    print("partition", tp.partition, "low watermark now", f.result(30).low_watermark)
PY
}

# produce_file TOPIC PARTITION KEY FILE [KCAT_ARGS] - one message: FILE's bytes.
produce_file()
{
    local topic=$1 part=$2 key=$3 file=$4
    shift 4
    kc -P -t "$topic" -p "$part" -k "$key" "$@" "$file" || fail "kcat could not produce $file to $topic/$part"
}

# partition_end TOPIC PARTITION - the partition's next offset (0 when empty).
partition_end()
{
    local e
    e=$(topic_ends "$1" | awk -v p="$2" '$1 == p { print $2 }')
    echo "${e:-0}"
}

# dlq_lines - one line per dead letter: "SOURCE<TAB>HEADERS" (kcat's %h).
dlq_lines()
{
    kc -C -t "$PREFIX.dlq" -e -f '%h\n' | sed -n 's/^.*tidemark\.source=\([^,]*\).*$/\1\t&/p'
}

# dlq_count_for SOURCE - how many dead letters name SOURCE (topic/partition/offset).
dlq_count_for()
{
    dlq_lines | awk -F'\t' -v s="$1" '$1 == s { n++ } END { print n + 0 }'
}
