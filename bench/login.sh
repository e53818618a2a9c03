#!/bin/sh
# The stored login's costs, interleaved in one run against the loopback fake (20 secrets):
#   no-login      kvload run --auth login with no login stored: start to exit 4
#   codespace-4   kvload run (--auth default) in a Codespace-like place with no login: exit 4
#   login         kvload run --auth login with a stored login: a silent refresh token redemption
#   mi            kvload run --auth managed-identity: the token-endpoint-only path it replaces
# Prints the median wall and CPU (user+sys) seconds of each.
#
#   bench/login.sh [RUNS]     RUNS measured runs per case after one warm-up round (default 11)
#
# Needs a built tree (mvn -DskipTests package) and /usr/bin/time (Debian package "time").
set -eu
cd "$(dirname "$0")/.."
if [ "${1:-}" = --inside ]; then
  runs=$2
  work=$3
  java=$JAVA_HOME/bin/java
  "$java" -Dsun.net.httpserver.nodelay=true -cp "$PWD/target/test-classes:$PWD/target/kvload.jar" \
    dev.kvload.fake.FakeAzureMain "$work/fake" --secrets 20 >/dev/null 2>&1 &
  fake=$!
  trap 'kill $fake 2>/dev/null' EXIT
  i=0
  while [ ! -f "$work/fake/ready" ]; do
    i=$((i + 1)); [ $i -lt 300 ] || { echo "fake did not start" >&2; exit 1; }
    sleep 0.1
  done
  # shellcheck disable=SC1091
  . "$work/fake/env"
  export JAVA_HOME
  mkdir -p "$work/home" "$work/empty"
  kvload=$PWD/bin/kvload
  cd "$work/fake"
  HOME=$work/home "$kvload" login -q 2>/dev/null
  # case LABEL EXPECTED_EXIT COMMAND...
  case_() {
    label=$1 expected=$2
    shift 2
    status=0
    /usr/bin/time -f "%e %U %S" -o "$work/last" "$@" >/dev/null 2>"$work/last.err" || status=$?
    [ "$status" = "$expected" ] || { echo "$label: exit $status, not $expected" >&2; cat "$work/last.err" >&2; exit 1; }
    # The last line: time(1) puts "Command exited with non-zero status N" before it.
    tail -n 1 "$work/last" | awk '{ printf "%s %.2f\n", $1, $2 + $3 }' >> "$work/$label"
  }
  round() {
    case_ no-login 4 env HOME="$work/empty" "$kvload" run -q --auth login -- true
    case_ codespace-4 4 env -u IDENTITY_ENDPOINT -u IDENTITY_HEADER HOME="$work/empty" \
      CODESPACES=true PATH=/usr/bin:/bin "$kvload" run -q -- true
    case_ login 0 env HOME="$work/home" "$kvload" run -q --auth login -- true
    case_ mi 0 env HOME="$work/empty" "$kvload" run -q --auth managed-identity -- true
  }
  round
  rm -f "$work/no-login" "$work/codespace-4" "$work/login" "$work/mi"
  n=0
  while [ $n -lt "$runs" ]; do round; n=$((n + 1)); done
  median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
  printf '%-12s %8s %8s   (median of %s)\n' case "wall s" "cpu s" "$runs"
  for label in no-login codespace-4 login mi; do
    printf '%-12s %8s %8s\n' "$label" "$(cut -d' ' -f1 "$work/$label" | median)" \
      "$(cut -d' ' -f2 "$work/$label" | median)"
  done
  exit 0
fi
. scripts/lib.sh
JAVA_HOME=$(kvload_java_home)
export JAVA_HOME
[ -f target/kvload.jar ] && [ -d target/test-classes ] || {
  echo "build first: mvn -DskipTests package" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 1; }
work=$(mktemp -d /tmp/kvload-bench-login.XXXXXX)
status=0
kvload_offline sh "$0" --inside "${1:-11}" "$work" || status=$?
rm -rf "$work"
exit $status
