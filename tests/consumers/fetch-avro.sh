#!/usr/bin/env bash
# fetch-avro.sh - puts Apache Avro for Java (tests/consumers/java/pom.xml)
# with its runtime dependencies into a cache outside the source tree,
# $TM_KAFKA_CACHE/avro-<pom hash>/libs (the cache root of tests/kafka/env.sh,
# ${XDG_CACHE_HOME:-~/.cache}/tidemark); a no-op when they are there. Needs
# mvn (Debian's maven). Run by `make deps`.
#
#   bash tests/consumers/fetch-avro.sh [--print]   (--print: only print the directory)
set -eu -o pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../kafka/env.sh"
POM="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/java/pom.xml"
DIR="$TM_KAFKA_CACHE/avro-$(sha256sum "$POM" | cut -c1-12)"

if [ "${1:-}" = --print ]; then
    echo "$DIR"
    exit 0
fi
[ -f "$DIR/.complete" ] && exit 0
command -v mvn >/dev/null 2>&1 || { echo "avro: mvn is not installed (make deps installs it)" >&2; exit 1; }
echo "avro: fetching the Apache Avro jars into $DIR (once)"
mkdir -p "$TM_KAFKA_CACHE"
tmp=$(mktemp -d "$TM_KAFKA_CACHE/.avro.XXXXXX") && chmod 755 "$tmp"
if ! mvn -B -q -Dstyle.color=never -f "$POM" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$tmp/libs" >"$tmp/mvn.log" 2>&1; then
    cat "$tmp/mvn.log" >&2
    rm -rf "$tmp"
    echo "avro: mvn could not fetch the jars of $POM" >&2
    exit 1
fi
if ! ls "$tmp"/libs/avro-1.*.jar >/dev/null 2>&1; then
    rm -rf "$tmp"
    echo "avro: mvn copied no avro jar" >&2
    exit 1
fi
rm -f "$tmp/mvn.log"
touch "$tmp/.complete"
# Another fetch may have won the race: keep its copy.
mv -T "$tmp" "$DIR" 2>/dev/null || rm -rf "$tmp"
[ -f "$DIR/.complete" ] || { echo "avro: could not move the jars to $DIR" >&2; exit 1; }
echo "avro: $(ls "$DIR/libs" | wc -l) jars in $DIR/libs"
