#!/bin/sh
# check.sh - build-free checks of docker/ (make check runs them):
#  - compose.yaml is valid (`docker-compose config`, Debian's docker-compose;
#    no Docker daemon needed);
#  - it runs the Kafka version the tests run (tests/kafka/pom.xml);
#  - prometheus.yml and its alert rules are valid (`promtool check config`,
#    Debian's prometheus);
#  - .dockerignore keeps build/ and .git out of the image;
#  - the Dockerfile: Debian 12 packages no Dockerfile linter (hadolint is
#    not in Debian), so a few rules of ours are checked by grep: base
#    images pinned to a tag other than latest, apt lists removed in the
#    layer that fills them, and a final stage that does not run as root.
# Exits 1 with one line per problem.
set -u
cd "$(dirname "$0")/.." || exit 2
rc=0
bad() { echo "docker/check: $*" >&2; rc=1; }

if command -v docker-compose >/dev/null 2>&1; then
    out=$(docker-compose -f docker/compose.yaml config -q 2>&1) || bad "docker/compose.yaml is invalid: $out"
else
    bad "docker-compose is not installed (make deps installs it)"
fi

if command -v promtool >/dev/null 2>&1; then
    out=$(cd docker && promtool check config prometheus.yml 2>&1) ||
        bad "docker/prometheus.yml or its rules are invalid: $out"
else
    bad "promtool is not installed (make deps installs the prometheus package)"
fi

pom=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' tests/kafka/pom.xml)
for v in $(sed -n 's/^ *image: apache\/kafka:\(.*\)$/\1/p' docker/compose.yaml | sort -u); do
    [ "$v" = "$pom" ] || bad "docker/compose.yaml runs apache/kafka:$v, the tests Kafka $pom (tests/kafka/pom.xml)"
done
grep -q 'image: apache/kafka:' docker/compose.yaml || bad "docker/compose.yaml runs no apache/kafka image"

for p in build/ .git; do
    grep -qx "$p" .dockerignore 2>/dev/null || bad ".dockerignore does not exclude $p"
done

grep -E '^FROM ' docker/Dockerfile | grep -vE '^FROM [^ :]+:[^ ]+' >/dev/null &&
    bad "docker/Dockerfile: a base image without a tag"
grep -E '^FROM [^ ]+:latest' docker/Dockerfile >/dev/null && bad "docker/Dockerfile: a base image on :latest"
awk '/^RUN / { run = 1; upd = 0; clean = 0 }
     run && /apt-get update/ { upd = 1 }
     run && /rm -rf \/var\/lib\/apt\/lists/ { clean = 1 }
     run && !/\\$/ { if (upd && !clean) { print NR; exit 1 } run = 0 }' docker/Dockerfile >/dev/null ||
    bad "docker/Dockerfile: an apt-get update whose RUN does not remove /var/lib/apt/lists"
last_user=$(awk '/^FROM / { u = "" } /^USER / { u = $2 } END { print u }' docker/Dockerfile)
[ -n "$last_user" ] && [ "$last_user" != root ] && [ "$last_user" != 0 ] ||
    bad "docker/Dockerfile: the final stage runs as root"

[ "$rc" = 0 ] && echo "docker/check: compose.yaml valid (docker-compose config), prometheus.yml and its rules valid (promtool), Kafka $pom as in the tests, .dockerignore and Dockerfile rules ok (no Dockerfile linter in Debian 12)"
exit "$rc"
