#!/bin/sh
# pydeps.sh - installs the PyPI packages of the downstream consumer tests
# (tests/consumers/requirements.txt: confluent-kafka with its Schema
# Registry and Avro extras, fastavro) into a venv,
# $BUILD/venv (build/venv). A no-op when the venv has them already, also
# after the requirements file changes only if they still import.
#
#   BUILD=build sh scripts/pydeps.sh        (make pydeps; make check runs it)
#
# Never fails the build: without PyPI (offline, proxy) it says so and
# exits 0, and the scenarios that need the venv report SKIP with the reason
# (tests/integration/lib.sh: need_pyvenv). Needs python3-venv (make deps).
set -u

BUILD=${BUILD:-build}
REQ="$(dirname "$0")/../tests/consumers/requirements.txt"
VENV="$BUILD/venv"
STAMP="$VENV/.tidemark-requirements"
IMPORTS='import confluent_kafka, fastavro, confluent_kafka.schema_registry.avro'

if [ -x "$VENV/bin/python" ] && cmp -s "$REQ" "$STAMP" &&
    "$VENV/bin/python" -c "$IMPORTS" 2>/dev/null; then
    exit 0
fi
unavailable()
{
    echo "pydeps: WARNING: $1; the downstream consumer scenarios will be SKIPPED" >&2
    exit 0
}
mkdir -p "$BUILD" # make check runs this beside the compilers: maybe first
if [ ! -x "$VENV/bin/python" ]; then
    echo "pydeps: creating $VENV"
    python3 -m venv "$VENV" >"$BUILD/pydeps.log" 2>&1 ||
        { cat "$BUILD/pydeps.log" >&2; rm -rf "$VENV"; unavailable "python3 -m venv failed (is python3-venv installed? make deps)"; }
fi
echo "pydeps: installing $(grep -v '^#' "$REQ" | tr '\n' ' ')into $VENV"
if ! "$VENV/bin/python" -m pip install -q --disable-pip-version-check --timeout 30 \
    -r "$REQ" >"$BUILD/pydeps.log" 2>&1; then
    tail -n 5 "$BUILD/pydeps.log" >&2
    unavailable "pip could not install from PyPI (unreachable?)"
fi
"$VENV/bin/python" -c "$IMPORTS" 2>>"$BUILD/pydeps.log" ||
    unavailable "confluent_kafka or fastavro does not import after the install (see $BUILD/pydeps.log)"
cp "$REQ" "$STAMP"
