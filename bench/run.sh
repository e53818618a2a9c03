#!/bin/sh
# kvload's start-up benchmark: cold whole-process wall time, CPU time and peak RSS, interleaved in
# one run against the project's loopback fake vault, with ratios to a Java hello world measured in
# the same run; and, for `run` with 20 secrets, what a user could pick instead in the same rounds:
# the unpacked archive, a minimal java.net.http program (the JVM floor), the official Node.js SDK,
# and curl. Writes bench/results.md.
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
# What a user would pick instead, timed in the same rounds: the official Node.js SDK (installed
# here with npm when node is present, before the network goes away), and the unpacked archive.
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
  if [ ! -d target/bench-node/node_modules/@azure/keyvault-secrets ]; then
    npm install --no-audit --no-fund --prefix target/bench-node @azure/identity @azure/keyvault-secrets >/dev/null ||
      echo "bench: npm install failed; the Node.js SDK is left out" >&2
  fi
  cp bench/node-sdk.mjs bench/node-hosts.cjs target/bench-node/
fi
set -- target/kvload-*.tar.gz
if [ -f "$1" ]; then
  mkdir -p "$work/archive"
  tar -xzf "$1" -C "$work/archive"
fi
kvload_offline sh bench/inside.sh
cat "$work/results.md"
cp "$work/results.md" bench/results.md
