#!/usr/bin/env bash
# fetch.sh - puts Apache Kafka's broker and tool jars (tests/kafka/pom.xml)
# with their runtime dependencies into the cache that tests/kafka/env.sh
# names, then makes the class-data archives that speed up every later
# start of the broker and the tools (env.sh) by running each once; a no-op
# when both are there already. Needs java and mvn (the Debian packages
# openjdk-17-jre-headless and maven; scripts/deps.sh installs them), and
# kcat. Run by `make deps`.
#
#   bash tests/kafka/fetch.sh [--print]    (--print: only print the directory)
set -eu -o pipefail
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"

if [ "${1:-}" = --print ]; then
    echo "$TM_KAFKA_JARS"
    exit 0
fi

# ---- the jars
fetch_jars()
{
    local tmp
    for tool in java mvn; do
        command -v "$tool" >/dev/null 2>&1 ||
            { echo "kafka: $tool is not installed (make deps installs it)" >&2; return 1; }
    done
    echo "kafka: fetching the Apache Kafka jars into $TM_KAFKA_JARS (once)"
    mkdir -p "$TM_KAFKA_CACHE"
    tmp=$(mktemp -d "$TM_KAFKA_CACHE/.fetch.XXXXXX") && chmod 755 "$tmp"
    if ! mvn -B -q -Dstyle.color=never -f "$TM_KAFKA_HOME/pom.xml" dependency:copy-dependencies \
        -DincludeScope=runtime -DoutputDirectory="$tmp/libs" >"$tmp/mvn.log" 2>&1; then
        cat "$tmp/mvn.log" >&2
        rm -rf "$tmp"
        echo "kafka: mvn could not fetch the jars of $TM_KAFKA_HOME/pom.xml" >&2
        return 1
    fi
    rm -f "$tmp/mvn.log"
    if ! ls "$tmp"/libs/kafka_2.13-*.jar >/dev/null 2>&1; then
        rm -rf "$tmp"
        echo "kafka: mvn copied no kafka_2.13 jar" >&2
        return 1
    fi
    touch "$tmp/.complete"
    # Another fetch may have won the race: keep its copy.
    mv -T "$tmp" "$TM_KAFKA_JARS" 2>/dev/null || rm -rf "$tmp"
    tm_kafka_ready || { echo "kafka: could not move the jars to $TM_KAFKA_JARS" >&2; return 1; }
    echo "kafka: $(ls "$TM_KAFKA_JARS/libs" | wc -l) jars in $TM_KAFKA_JARS/libs"
}

# ---- the class-data archives: one broker run with a topic, a message, a
# consumer group and the tools, each JVM dumping the classes it loaded.
# Failing here costs only speed: the JVMs then start without archives.
make_archives()
{
    local dir tmp bs lpid rc=0
    dir=$(tm_kafka_cds_dir) || return 0
    tmp=$(mktemp -d "$TM_KAFKA_JARS/.cds.XXXXXX") && chmod 755 "$tmp"
    bs="$tmp/bootstrap"
    echo "kafka: making class-data archives in $dir (once, about 20 s)"
    # kafka-topics, not tidemark-kafka-admin: its classes go into an archive too
    TM_KAFKA_ADMIN= BUILD= TM_KAFKA_CDS_DUMP=$tmp "$TM_KAFKA_HOME/tidemark-kafka" --topic tm.cds:1 --bootstrap-file "$bs" \
        >"$tmp/broker.log" 2>&1 &
    lpid=$!
    for _ in $(seq 1200); do
        [ -s "$bs" ] || ! kill -0 "$lpid" 2>/dev/null && break
        sleep 0.1
    done
    if [ -s "$bs" ]; then
        b=$(cat "$bs")
        echo warm | kcat -b "$b" -q -P -t tm.cds || rc=1
        timeout 30 kcat -b "$b" -q -G tm-cds -X session.timeout.ms=6000 -e -o beginning tm.cds \
            >/dev/null 2>&1 || rc=1
        TM_KAFKA_CDS_DUMP=$tmp "$TM_KAFKA_HOME/kafka-tool" consumer-groups --bootstrap-server "$b" \
            --describe --group tm-cds >/dev/null 2>&1 || rc=1
    else
        rc=1
    fi
    kill -TERM "$lpid" 2>/dev/null
    wait "$lpid" 2>/dev/null
    for n in StorageTool Kafka TopicCommand ConsumerGroupCommand; do
        [ -s "$tmp/$n.jsa" ] || rc=1
    done
    if [ "$rc" = 0 ]; then
        rm -f "$tmp/bootstrap" "$tmp/broker.log"
        touch "$tmp/.complete"
        rm -rf "$dir"
        mv -T "$tmp" "$dir" 2>/dev/null || rm -rf "$tmp"
    else
        echo "kafka: could not make the class-data archives (the broker starts slower without them):" >&2
        tail -n 20 "$tmp/broker.log" >&2
        rm -rf "$tmp"
    fi
    return 0
}

tm_kafka_ready || fetch_jars || exit 1
d=$(tm_kafka_cds_dir) && [ -f "$d/.complete" ] || make_archives
