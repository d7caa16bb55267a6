# session.sh - the start that demo.sh and bench.sh share, sourced as
#   . "$(dirname "${BASH_SOURCE[0]}")/session.sh" NAME "${BASH_SOURCE[0]}" "$@"
# Sets REPO and BUILD (absolute), checks that the binaries are built, and
# re-executes the calling script inside a throwaway PostgreSQL cluster
# (pg_virtualenv) unless it already runs in one; then creates the work
# dir T_WORK and database T_DB, and sources tests/integration/lib.sh.
tm_name=$1
tm_script=$2
shift 2

REPO=$(cd "$(dirname "$tm_script")/.." && pwd)
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD="$REPO/$BUILD" ;; esac
export REPO BUILD

for b in tidemark-producer tidemark-worker tidemark-devbroker tidemark-demoapi; do
    [ -x "$BUILD/$b" ] || { echo "$tm_name: $BUILD/$b is missing: run 'make programs fixtures'" >&2; exit 2; }
done

if [ -z "${PGHOST:-}" ]; then
    [ -z "${TM_IN_PG_VIRTUALENV:-}" ] || { echo "$tm_name: pg_virtualenv did not set PGHOST" >&2; exit 2; }
    command -v pg_virtualenv >/dev/null 2>&1 ||
        { echo "$tm_name: pg_virtualenv (postgresql-common) is not installed" >&2; exit 2; }
    echo "$tm_name: starting a throwaway PostgreSQL cluster (pg_virtualenv)"
    export TM_IN_PG_VIRTUALENV=1
    exec pg_virtualenv -t -o fsync=off bash "$tm_script" "$@"
fi

T_WORK=$(mktemp -d "${TMPDIR:-/tmp}/tidemark-$tm_name.XXXXXX")
T_DB="tidemark_${tm_name}_$$"
export T_WORK T_DB
createdb "$T_DB" || { echo "$tm_name: createdb $T_DB failed" >&2; exit 1; }

. "$REPO/tests/integration/lib.sh"

# lib.sh's exit trap has stopped every process when this runs; it shows
# what went wrong and removes the work dir (kept on failure).
tm_exit_hook()
{
    local f
    if [ "$1" = 130 ] || [ "$1" = 143 ]; then
        echo "$tm_name: interrupted; stopped everything it started"
        rm -rf "$T_WORK"
    elif [ "$1" != 0 ]; then
        echo
        echo "$tm_name FAILED; logs (kept in $T_WORK):"
        for f in "$T_WORK"/*.log; do
            [ -s "$f" ] || continue
            echo "--- $(basename "$f") (last 20 lines)"
            tail -n 20 "$f"
        done
    else
        rm -rf "$T_WORK"
    fi
    dropdb --if-exists "$T_DB" >/dev/null 2>&1
}
