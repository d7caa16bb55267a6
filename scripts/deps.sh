#!/bin/sh
# Installs the Debian packages tidemark needs to build, test and run the
# demo, when any is missing, then the Apache Kafka jars of the real-broker
# test fixture (tests/kafka/fetch.sh) and the Apache Avro jars of the Java
# decoding test (tests/consumers/fetch-avro.sh): once, into a cache outside
# the source tree. (The PyPI packages of the Python consumer tests go into
# a venv in the build dir: scripts/pydeps.sh, `make pydeps`.) A no-op (one dpkg-query, one file test) when all are there.
# Runs as root, or through sudo when it is available.
#
# `deps.sh fuzz` installs only FUZZ_PACKAGES, the compiler of the libFuzzer
# targets (tests/fuzz/): clang and its runtime libraries of the same
# version. The normal build never needs them.
#
# `deps.sh bench` installs only BENCH_PACKAGES, what `make bench` needs to
# run the Python pipeline it compares tidemark with
# (../shared/baselines/py_kafka_pipeline.py, run by Debian's
# /usr/bin/python3). Nothing else needs them; without them the bench
# prints that comparison as skipped.
set -eu

PACKAGES="build-essential pkg-config
librdkafka-dev libpq-dev libcurl4-openssl-dev libavro-dev libjansson-dev
libcmocka-dev libmicrohttpd-dev
postgresql postgresql-common postgresql-client
clang-format kcat jq curl procps time python3 python3-venv tzdata util-linux prometheus strace
openjdk-17-jre-headless openjdk-17-jdk-headless maven docker-compose"

FUZZ_PACKAGES="clang libclang-rt-14-dev"
BENCH_PACKAGES="python3-confluent-kafka python3-psycopg2 python3-requests"

subset=0  # 1: only a mode's packages, no jars
case "${1:-}" in
    fuzz) subset=1; PACKAGES=$FUZZ_PACKAGES ;;
    bench) subset=1; PACKAGES=$BENCH_PACKAGES ;;
esac

# Only the tests on the real broker need them: a failed fetch is a warning
# here, and the integration tests say so again when they would use them.
kafka_jars()
{
    [ "$subset" = 0 ] || return 0
    bash "$(dirname "$0")/../tests/kafka/fetch.sh" ||
        echo "deps: WARNING: no Apache Kafka jars; the tests on the real broker cannot run" >&2
    bash "$(dirname "$0")/../tests/consumers/fetch-avro.sh" ||
        echo "deps: WARNING: no Apache Avro jars; the README's Java decoding example will be skipped" >&2
}

missing=""
for p in $PACKAGES; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    case "$status" in
        *"install ok installed"*) ;;
        *) missing="$missing $p" ;;
    esac
done
if [ -z "$missing" ]; then
    kafka_jars
    exit 0
fi

echo "deps: installing$missing"
SUDO=""
if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "deps: missing packages:$missing; run as root or install them" >&2
        exit 1
    fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
kafka_jars
