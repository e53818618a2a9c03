# shellcheck shell=sh
# The body of bench/run.sh, run inside the loopback-only namespace. Not meant to be run directly.
set -eu
root=$KVLOAD_ROOT
work=$KVLOAD_BENCH_WORK
runs=$KVLOAD_BENCH_RUNS
java=$JAVA_HOME/bin/java
kvload=$root/bin/kvload

mkdir -p "$work/hello"
cat > "$work/hello/Hello.java" <<'J'
public class Hello { public static void main(String[] a) { System.out.println("hello"); } }
J
"$JAVA_HOME/bin/javac" -d "$work/hello" "$work/hello/Hello.java"

# start_fake DIR DELAY_MS: a fake vault with 100 secrets, manifests of 1, 20 and 100 of them.
start_fake() {
  "$java" -Dsun.net.httpserver.nodelay=true -cp "$root/target/test-classes:$root/target/kvload.jar" \
    dev.kvload.fake.FakeAzureMain "$1" --secrets 100 --manifests 1,20,100 --delay-ms "$2" \
    >/dev/null 2>&1 &
  fakes="${fakes:-} $!"
  i=0
  while [ ! -f "$1/ready" ]; do
    i=$((i + 1)); [ $i -lt 300 ] || { echo "fake vault did not start" >&2; exit 1; }
    sleep 0.1
  done
}

fakes=
trap 'kill $fakes 2>/dev/null' EXIT

# The alternatives, each doing what `run -- true` does over the network with 20 secrets.
archive=$(ls -d "$work"/archive/kvload-*/bin/kvload 2>/dev/null | head -n 1 || true)
# The archive runs as a user without Java would: no JAVA_HOME, and a PATH of every command of this
# machine but its JDKs' (the launcher would pick the archive's own runtime first anyway).
nojava=$work/path-without-java
if [ -n "$archive" ] && [ ! -d "$nojava" ]; then
  mkdir -p "$nojava"
  for f in /usr/local/bin/* /usr/bin/* /bin/*; do
    case $(readlink -f "$f") in */jvm/* | */java | */javac) continue ;; esac
    if [ -x "$f" ] && [ ! -e "$nojava/${f##*/}" ]; then ln -s "$f" "$nojava/${f##*/}"; fi
  done
fi
runtime=$JAVA_HOME
[ -x "$root/target/runtime/bin/java" ] && runtime=$root/target/runtime
flags="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmn16m -XX:-UsePerfData"
# In a jar: an AOT cache covers jars only, not class folders.
mkdir -p "$work/floor/classes"
"$JAVA_HOME/bin/javac" -d "$work/floor/classes" "$root/bench/JvmFloor.java"
"$JAVA_HOME/bin/jar" cf "$work/floor/floor.jar" -C "$work/floor/classes" .
node_sdk=
if command -v node >/dev/null 2>&1 && [ -d "$root/target/bench-node/node_modules/@azure/keyvault-secrets" ]; then
  node_sdk=$root/target/bench-node
fi
# floor_args DIR: the identity endpoint and header, the vault and the 20 secrets of DIR's fake.
floor_args() {
  printf '%s\n%s\n' "$IDENTITY_ENDPOINT" "$IDENTITY_HEADER"
  cat "$1/ready"
  sed -n 's/^    "[A-Z_0-9]*": "\([^"]*\)",$/\1/p' "$1/kvload-20.json"
}
has_run=no
if "$kvload" --help 2>/dev/null | grep -q "^  *run  "; then has_run=yes; fi

# measure LABEL DIR COMMAND...: one timed run, appended to $work/LABEL.tsv (wall s, user s, sys s, KB)
measure() {
  m_label=$1; m_dir=$2; shift 2
  ( cd "$m_dir" && /usr/bin/time -f "%e\t%U\t%S\t%M" -o "$work/last" "$@" >/dev/null 2>"$work/last.err" ) || {
    echo "failed: $m_label" >&2; cat "$work/last.err" >&2; exit 1; }
  cat "$work/last" >> "$work/$m_label.tsv"
}

cases() {
  delay=$1; fake_dir=$work/fake-$delay
  measure "hello" "$work/hello" "$java" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp "$work/hello" Hello
  if [ "$delay" = 0 ]; then
    measure "validate" "$fake_dir" env KVLOAD_MANIFEST=kvload-20.json "$kvload" validate -q
    measure "help" "$fake_dir" "$kvload" --help
  fi
  measure "export-20@$delay" "$fake_dir" env KVLOAD_MANIFEST=kvload-20.json "$kvload" export -q
  # shellcheck disable=SC2046 # one argument per line
  set -- $(floor_args "$fake_dir")
  endpoint=$1 header=$2 vault=$3
  shift 3 # the 20 secrets' names are left
  if [ -n "$archive" ]; then
    measure "archive run-20@$delay" "$fake_dir" env -u JAVA_HOME PATH="$nojava" \
      KVLOAD_MANIFEST=kvload-20.json "$archive" run -q -- true
  fi
  # shellcheck disable=SC2086
  measure "jvm floor-20@$delay" "$fake_dir" "$runtime/bin/java" $flags -XX:AOTCache="$work/floor/floor.aot" \
    $KVLOAD_JAVA_OPTS -cp "$work/floor/floor.jar" JvmFloor "$endpoint" "$header" "$vault" "$@"
  if [ -n "$node_sdk" ]; then
    measure "node sdk-20@$delay" "$fake_dir" env NODE_EXTRA_CA_CERTS="$fake_dir/tls/server.pem" \
      node --require "$node_sdk/node-hosts.cjs" "$node_sdk/node-sdk.mjs" "$vault" "$@"
  fi
  measure "curl-20@$delay" "$fake_dir" sh "$root/bench/curl-floor.sh" "$endpoint" "$header" "$vault" \
    "$fake_dir/tls/server.pem" "$@"
  if [ $has_run = yes ]; then
    for n in 1 20 100; do
      if [ "$delay" = 0 ] || [ $n = 20 ]; then
        measure "run-$n@$delay" "$fake_dir" env KVLOAD_MANIFEST=kvload-$n.json "$kvload" run -q -- true
      fi
    done
  fi
}

for delay in 0 25; do
  start_fake "$work/fake-$delay" "$delay"
  (
    # shellcheck disable=SC1090
    . "$work/fake-$delay/env"
    export IDENTITY_ENDPOINT IDENTITY_HEADER AZURE_AUTHORITY_HOST AZURE_POD_IDENTITY_AUTHORITY_HOST KVLOAD_JAVA_OPTS
    if [ ! -f "$work/floor/floor.aot" ]; then
      # The JVM floor's own AOT cache, trained as kvload's is (same runtime, flags, no profiles).
      # shellcheck disable=SC2046,SC2086
      "$runtime/bin/java" $flags -XX:+UnlockDiagnosticVMOptions -XX:-AOTRecordTraining \
        -XX:AOTCacheOutput="$work/floor/floor.aot" $KVLOAD_JAVA_OPTS -cp "$work/floor/floor.jar" JvmFloor \
        $(floor_args "$work/fake-$delay") >"$work/floor/train.log" 2>&1 || {
        echo "the JVM floor's AOT training failed:" >&2; cat "$work/floor/train.log" >&2; exit 1; }
    fi
    round=0
    while [ $round -lt $((runs + 2)) ]; do
      if [ $round -lt 2 ]; then
        # Warm-up rounds (page cache, fake's JIT) are measured into a scratch file, then dropped.
        cases "$delay"; for f in "$work"/*.tsv; do : > "$f"; done
      else
        cases "$delay"
      fi
      round=$((round + 1))
    done
  )
  mkdir -p "$work/keep"
  for f in "$work"/*.tsv; do
    base=$(basename "$f" .tsv)
    mv "$f" "$work/keep/$delay-$base.tsv"
  done
done

node_version() {
  sed -n 's/^  "version": "\(.*\)",$/\1/p' "$root/target/bench-node/node_modules/@azure/$1/package.json" 2>/dev/null
}
median() { sort -n | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
row() { # row LABEL FILE HELLO_MS
  wall=$(cut -f1 "$2" | median); cpu=$(awk -F'\t' '{print $2+$3}' "$2" | median); rss=$(cut -f4 "$2" | median)
  awk -v l="$1" -v w="$wall" -v c="$cpu" -v r="$rss" -v h="$3" -v n="$(wc -l < "$2")" \
    'BEGIN { printf "| %-16s | %6.0f | %5.1f× | %6.0f | %5.0f | %3d |\n", l, w*1000, (w*1000)/h, c*1000, r/1024, n }'
}
hello_ms=$(cat "$work"/keep/*-hello.tsv | cut -f1 | median | awk '{print $1*1000}')
commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
{
  echo "# kvload start-up benchmark"
  echo
  echo "- date: $(date -u +%Y-%m-%dT%H:%MZ), commit: $commit$(git -C "$root" diff --quiet 2>/dev/null || echo ' (with uncommitted changes)')"
  echo "- load average (1, 5, 15 min) at the end: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown); others' work on the machine inflates wall times, less so CPU times"
  echo "- machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr), $("$java" -version 2>&1 | head -1)"
  echo "- method: bench/run.sh; cold process each run, cases interleaved round by round, 2 warm-up rounds dropped, median of $runs; loopback fake vault (HTTPS, managed-identity token), \`@25\` = 25 ms added to every reply; AOT cache: $( [ -f "$root/target/kvload.aot" ] && echo used || echo absent)"
  echo
  echo "| case             | wall ms | ×hello | CPU ms | RSS MB |   n |"
  echo "| ---------------- | ------: | -----: | -----: | -----: | --: |"
  cat "$work"/keep/*-hello.tsv > "$work/keep/all-hello.tsv"
  row "java hello world" "$work/keep/all-hello.tsv" "$hello_ms"
  for label in validate help export-20@0 run-1@0 run-20@0 run-100@0 export-20@25 run-20@25 \
    "archive run-20@0" "jvm floor-20@0" "node sdk-20@0" "curl-20@0" \
    "archive run-20@25" "jvm floor-20@25" "node sdk-20@25" "curl-20@25"; do
    delay=${label##*@}; case $label in *@*) ;; *) delay=0 ;; esac
    f=$work/keep/$delay-$label.tsv
    if [ -s "$f" ]; then row "$label" "$f" "$hello_ms"; fi
  done
  echo
  echo "CPU = user + system time of the whole process (all threads); RSS = peak resident set."
  echo
  echo "Same rounds, \`run -- true\` with 20 secrets (median wall time ratios):"
  echo
  echo "| ratio | @0 | @25 |"
  echo "| --- | ---: | ---: |"
  ratio() { # ratio LABEL A B: A's median over B's, at each delay
    printf '| %s |' "$1"
    for delay in 0 25; do
      a=$work/keep/$delay-$2@$delay.tsv; b=$work/keep/$delay-$3@$delay.tsv
      if [ -s "$a" ] && [ -s "$b" ]; then
        awk -v a="$(cut -f1 "$a" | median)" -v b="$(cut -f1 "$b" | median)" 'BEGIN { printf " %.2f |", a / b }'
      else
        printf ' - |'
      fi
    done
    echo

  }
  ratio "kvload / JVM floor" run-20 "jvm floor-20"
  ratio "kvload / Node.js SDK" run-20 "node sdk-20"
  ratio "kvload / curl" run-20 curl-20
  ratio "unpacked archive / checkout" "archive run-20" run-20
  echo
  echo "The JVM floor (bench/JvmFloor.java): java.net.http alone, the managed-identity token and the"
  echo "vault's challenge at once, then the GETs 8 in flight, on kvload's runtime with its own AOT cache"
  echo "and kvload's JVM flags. The Node.js SDK (bench/node-sdk.mjs): @azure/identity $(node_version identity)"
  echo "ManagedIdentityCredential and @azure/keyvault-secrets $(node_version keyvault-secrets) getSecret for"
  echo "every secret in one Promise.all; the vault's name is resolved to loopback by a dns.lookup"
  echo "override (bench/node-hosts.cjs), as the JVM's hosts file does for kvload. curl"
  echo "(bench/curl-floor.sh): one request for the token, one curl for all GETs over one connection."
  echo "The archive: target/kvload-*.tar.gz unpacked into the bench's folder, started by its bin/kvload."
} > "$work/results.md"
# shellcheck disable=SC2086
kill $fakes 2>/dev/null || true
