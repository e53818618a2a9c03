#!/bin/sh
# Compares kvload builds or launch options side by side, interleaved in one run against the fake
# vault: how each start-up lever was judged (see bench/levers.md).
#
#   bench/compare.sh RUNS LABEL=LAUNCHER [LABEL=LAUNCHER ...]
#
# A LAUNCHER is any executable that takes kvload's arguments: this tree's bin/kvload, another
# worktree's, or a small script running java with other flags. Each case (export and run with 20
# secrets, replies delayed 0 and 25 ms) runs once per variant per round; medians of RUNS rounds
# after one warm-up round. Ratios are to the first variant.
set -eu
cd "$(dirname "$0")/.."
. scripts/lib.sh
JAVA_HOME=$(kvload_java_home)
export JAVA_HOME
runs=$1
shift
work=$(mktemp -d /tmp/kvload-compare.XXXXXX)
trap 'rm -rf "$work"' EXIT
printf '%s\n' "$@" > "$work/variants"
export KVLOAD_BENCH_WORK="$work" KVLOAD_BENCH_RUNS="$runs" KVLOAD_ROOT="$PWD"
kvload_offline sh -c '
set -eu
work=$KVLOAD_BENCH_WORK; root=$KVLOAD_ROOT; java=$JAVA_HOME/bin/java
fakes=
trap "kill \$fakes 2>/dev/null" EXIT
for delay in 0 25; do
  "$java" -Dsun.net.httpserver.nodelay=true -cp "$root/target/test-classes:$root/target/kvload.jar" \
    dev.kvload.fake.FakeAzureMain "$work/fake-$delay" --secrets 20 --delay-ms "$delay" >/dev/null 2>&1 &
  fakes="$fakes $!"
done
for delay in 0 25; do
  i=0; while [ ! -f "$work/fake-$delay/ready" ]; do i=$((i+1)); [ $i -lt 600 ]; sleep 0.1; done
done
round=0
while [ $round -le "$KVLOAD_BENCH_RUNS" ]; do
  while IFS== read -r label launcher; do
    for delay in 0 25; do
      for cmd in export run; do
        case $cmd in export) set -- export -q ;; run) set -- run -q -- true ;; esac
        ( cd "$work/fake-$delay" && . ./env && export IDENTITY_ENDPOINT IDENTITY_HEADER AZURE_AUTHORITY_HOST AZURE_POD_IDENTITY_AUTHORITY_HOST KVLOAD_JAVA_OPTS &&
          /usr/bin/time -f "%e\t%U\t%S\t%M" -o "$work/last" "$launcher" "$@" >/dev/null 2>"$work/last.err" ) || {
          echo "failed: $label $cmd" >&2; cat "$work/last.err" >&2; exit 1; }
        # Round 0 warms the page cache and the fakes; it is not counted.
        [ $round -eq 0 ] || cat "$work/last" >> "$work/$label.$cmd@$delay.tsv"
      done
    done
  done < "$work/variants"
  round=$((round + 1))
done
'
median() { sort -n | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
first=$(head -1 "$work/variants" | cut -d= -f1)
printf '| variant | case (20 secrets, @ms added per reply) | wall ms | ×%s | CPU ms | RSS MB |\n| --- | --- | ---: | ---: | ---: | ---: |\n' "$first"
while IFS='=' read -r label _; do
  for case in export@0 run@0 export@25 run@25; do
    f=$work/$label.$case.tsv
    base=$(cut -f1 "$work/$first.$case.tsv" | median)
    wall=$(cut -f1 "$f" | median); cpu=$(awk -F'\t' '{print $2+$3}' "$f" | median); rss=$(cut -f4 "$f" | median)
    awk -v l="$label" -v c="$case" -v w="$wall" -v b="$base" -v p="$cpu" -v r="$rss" \
      'BEGIN { printf "| %s | %s | %.0f | %.2f | %.0f | %.0f |\n", l, c, w*1000, w/b, p*1000, r/1024 }'
  done
done < "$work/variants"
