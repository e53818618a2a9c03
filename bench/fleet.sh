#!/bin/sh
# A fleet of kvload processes started at once against one throttled vault: the 9 a.m. start of a
# team's Codespaces, scaled to two cores (issue 18). For each case prints, per run: processes that
# finished, refusals (429) per GET the fleet needed, and GETs sent during a wait the vault had
# given that process. bench/throttle.md has the results and how to read them.
#
#   bench/fleet.sh [RUNS] [KVLOAD]   RUNS per case (default 3); KVLOAD another build's bin/kvload
#
# The vault allows 60 GETs per 10 s; 12 processes need 20 secrets each (240 GETs). Cases:
#   a) --timeout 90s, 429s with Retry-After     b) the default --timeout 30s, with Retry-After
#   c) --timeout 90s, 429s without Retry-After
# Needs a built tree (mvn -DskipTests package). Takes about 5 minutes per run of the three cases.
set -eu
cd "$(dirname "$0")/.."
. scripts/lib.sh
JAVA_HOME=$(kvload_java_home)
export JAVA_HOME
runs=${1:-3}
kvload=${2:-$PWD/bin/kvload}
[ -f target/kvload.jar ] && [ -d target/test-classes ] || {
  echo "build first: mvn -DskipTests package" >&2; exit 1; }
work=$(mktemp -d /tmp/kvload-fleet.XXXXXX)
trap 'rm -rf "$work"' EXIT
echo "kvload: $kvload; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for case in "a 90s" "b 30s" "c 90s --no-retry-after"; do
  set -- $case
  name=$1; timeout=$2; shift 2
  echo "case $name: --timeout $timeout $*"
  kvload_offline "$JAVA_HOME/bin/java" -cp "target/test-classes:target/kvload.jar" \
    dev.kvload.fake.FleetBench "$work/$name" "$kvload" --timeout "$timeout" --runs "$runs" "$@"
  echo "  load after: $(cut -d' ' -f1-3 /proc/loadavg)"
done
