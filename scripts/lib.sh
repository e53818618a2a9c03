# shellcheck shell=sh
# Shared by the scripts: a JDK 25 for Maven, and a way to run a command where only loopback exists.

# JAVA_HOME when it is a JDK 25+, else the first JDK 25 under /usr/lib/jvm.
kvload_java_home() {
  for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*25* /usr/lib/jvm/*; do
    [ -n "$candidate" ] && [ -x "$candidate/bin/javac" ] || continue
    v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$candidate/release" 2>/dev/null)
    if [ "${v:-0}" -ge 25 ]; then
      echo "$candidate"
      return 0
    fi
  done
  echo "no JDK 25 found: set JAVA_HOME to one" >&2
  return 1
}

# Runs "$@" in a fresh network namespace with only loopback up, so nothing it starts can reach
# Azure (or anything else) by mistake. Uses the workspace's offline tool when present.
kvload_offline() {
  root=$(cd "$(dirname "$0")/.." && pwd)
  for tool in "${KVLOAD_OFFLINE:-}" "$root/../shared/tools/offline"; do
    if [ -n "$tool" ] && [ -x "$tool" ]; then
      "$tool" "$@"
      return $?
    fi
  done
  if command -v unshare >/dev/null 2>&1 && command -v ip >/dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ]; then
      unshare --net -- sh -c 'ip link set lo up && exec "$@"' offline "$@"
    else
      unshare --map-root-user --net -- sh -c 'ip link set lo up && exec "$@"' offline "$@"
    fi
    return $?
  fi
  echo "warning: cannot isolate the network here (no unshare); running with the host network" >&2
  "$@"
}

# Maven 3.8's bundled Guava warns about sun.misc.Unsafe on JDK 25; the warning is noise here.
MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
export MAVEN_OPTS
