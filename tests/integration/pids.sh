# pids.sh - whether a recorded pid is still a scenario's own process.
# Sourced by run.sh and lib.sh.
#
# A scenario records the pid of every process it starts ($T_WORK/pids);
# its exit trap, and run.sh after it, end them by pid. A recorded process
# that has ended (a worker stopped mid-scenario) leaves a number the kernel
# hands out again: pid_max is 32768 on these machines and a suite starts
# tens of thousands of processes, so by the time the list is read the
# number may be another scenario's worker, or its very shell. Killed by
# number alone, it ended a scenario running beside (t_worker_status[kafka],
# exit 137 in CI). A process is the scenario's when it is alive (not a
# zombie) and its environment names the scenario's work dir: every process
# a scenario starts inherits T_WORK (lib.sh exports it). An environment
# that reads empty (a process in the middle of an exec, as a launcher
# execs its JVM) says nothing: such a process is taken as ours, or a
# scenario that polls its broker's launcher would see it exit for the
# moment of its exec (t_kafka_short_txns_scan[kafka] did, once in CI).

# pid_of_work PID WORK - whether PID is a live process started under WORK.
# Builtins only: lib.sh asks it at every poll of a wait.
pid_of_work()
{
    local -a vars fields
    local v stat
    { read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 1
    read -r -a fields <<<"${stat##*) }" # after the command name, which may hold ") "
    [ "${fields[0]}" != Z ] || return 1
    ((fields[6] & 0x200000)) && return 1 # PF_KTHREAD: a kernel thread, no environment
    { mapfile -d '' -t vars <"/proc/$1/environ"; } 2>/dev/null || return 0
    [ "${#vars[@]}" -gt 0 ] || return 0
    for v in "${vars[@]}"; do
        [ "$v" = "T_WORK=$2" ] && return 0
    done
    return 1
}

# signal_pids_of_work SIGNAL WORK PID... - sends SIGNAL to each PID that is
# still WORK's, and to no other.
signal_pids_of_work()
{
    local sig=$1 work=$2 pid
    shift 2
    for pid in "$@"; do
        pid_of_work "$pid" "$work" && kill -"$sig" "$pid" 2>/dev/null
    done
    return 0
}
