#!/bin/sh
# kvload's start-up benchmark: cold whole-process wall time, CPU time and peak RSS, interleaved in
# one run against the project's loopback fake vault, with ratios to a Java hello world measured in
# the same run. Writes bench/results.md.
#
#   bench/run.sh [RUNS]     RUNS measured runs per case after 2 warm-up rounds (default 11)
#
# Needs a built tree (mvn -DskipTests package) and /usr/bin/time (Debian package "time").
# Runs inside a network namespace where only loopback exists, like the tests.
set -eu
cd "$(dirname "$0")/.."
. scripts/lib.sh
JAVA_HOME=$(kvload_java_home)
export JAVA_HOME
runs=${1:-11}
[ -f target/kvload.jar ] && [ -d target/test-classes ] || {
  echo "build first: mvn -DskipTests package" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 1; }
work=$(mktemp -d /tmp/kvload-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
export KVLOAD_BENCH_WORK="$work" KVLOAD_BENCH_RUNS="$runs" KVLOAD_ROOT="$PWD"
kvload_offline sh bench/inside.sh
cat "$work/results.md"
cp "$work/results.md" bench/results.md
