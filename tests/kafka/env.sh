# env.sh - where the Apache Kafka jars of the test fixture live, and the JVM
# options every one of its JVMs shares (bash, sourced by tests/kafka/fetch.sh,
# tidemark-kafka, kafka-tool and tests/integration/run.sh).
#
# The jars are not in the source tree: tests/kafka/fetch.sh copies them with
# mvn into a cache directory named after the hash of tests/kafka/pom.xml, so
# a fresh clone, `make clean` or another work tree reuse them, and a change
# to the pom fetches a new set. Sets:
#   TM_KAFKA_HOME  the directory of this file (tests/kafka)
#   TM_KAFKA_CACHE the cache root: $TM_KAFKA_CACHE if set, else
#                  ${XDG_CACHE_HOME:-$HOME/.cache}/tidemark
#   TM_KAFKA_JARS  $TM_KAFKA_CACHE/kafka-<pom hash>: libs/*.jar and, once
#                  complete, the stamp file .complete
#   TM_KAFKA_JVM   options of every JVM: the JVM's own warnings go to
#                  stderr (stdout is the tools' answer)
TM_KAFKA_HOME=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TM_KAFKA_CACHE=${TM_KAFKA_CACHE:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/tidemark}
TM_KAFKA_JARS="$TM_KAFKA_CACHE/kafka-$(sha256sum "$TM_KAFKA_HOME/pom.xml" | cut -c1-12)"
TM_KAFKA_JVM=(-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.awt.headless=true
    -Xlog:disable -Xlog:all=warning:stderr)

# tm_kafka_ready - true when the jars are all there.
tm_kafka_ready() { [ -f "$TM_KAFKA_JARS/.complete" ]; }

# Class-data sharing: fetch.sh runs the broker and the tools once with
# -XX:ArchiveClassesAtExit, and later JVMs map those archives instead of
# loading and verifying the same classes again (a third to half of their
# start-up CPU). An archive belongs to one JVM build: the directory is
# named after the java binary's path, size and time.
tm_kafka_cds_dir()
{
    local j
    j=$(readlink -f "$(command -v java)") || return 1
    echo "$TM_KAFKA_JARS/cds-$(echo "$j $(stat -c '%s %Y' "$j")" | cksum | cut -d' ' -f1)"
}

# tm_kafka_cds NAME - sets the array TM_KAFKA_CDS to the JVM options for
# the archive NAME.jsa: dump it when TM_KAFKA_CDS_DUMP names a directory
# (fetch.sh), use it when it exists, else nothing.
tm_kafka_cds()
{
    local d
    TM_KAFKA_CDS=()
    if [ -n "${TM_KAFKA_CDS_DUMP:-}" ]; then
        TM_KAFKA_CDS=("-XX:ArchiveClassesAtExit=$TM_KAFKA_CDS_DUMP/$1.jsa")
    elif d=$(tm_kafka_cds_dir) && [ -f "$d/$1.jsa" ]; then
        TM_KAFKA_CDS=("-XX:SharedArchiveFile=$d/$1.jsa" -Xshare:auto)
    fi
}
