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

# Runs "$@" where only loopback exists, where this machine allows it without changing who owns
# what: as root, in a fresh network namespace with only lo up (the workspace's offline tool when
# present, else unshare --net). As an ordinary user, or where unshare --net fails (a container
# without CAP_SYS_ADMIN), on the host network, said in one line: an unprivileged namespace needs a
# user namespace, where root's folders (/, /tmp, /dev/shm) belong to an unmapped uid (65534), under
# which kvload rightly refuses to write secrets. Either way the tests reach only loopback: every
# endpoint points at the fakes on 127.0.0.1. KVLOAD_OFFLINE names another wrapper to use.
kvload_offline() {
  if [ -n "${KVLOAD_OFFLINE:-}" ]; then
    "$KVLOAD_OFFLINE" "$@"
    return $?
  fi
  if [ "$(id -u)" -ne 0 ]; then
    echo "note: on the host network (a namespace would need a user namespace, where root's folders belong to nobody); kvload and the fakes talk to 127.0.0.1 only" >&2
  elif ! command -v unshare >/dev/null 2>&1 || ! command -v ip >/dev/null 2>&1 ||
    ! unshare --net true 2>/dev/null; then
    echo "note: on the host network (unshare --net is not available here); kvload and the fakes talk to 127.0.0.1 only" >&2
  else
    tool=$(cd "$(dirname "$0")/.." && pwd)/../shared/tools/offline
    if [ -x "$tool" ]; then
      "$tool" "$@"
    else
      unshare --net -- sh -c 'ip link set lo up && exec "$@"' offline "$@"
    fi
    return $?
  fi
  "$@"
}

# Maven 3.8's bundled Guava warns about sun.misc.Unsafe on JDK 25; the warning is noise here. No
# perf data (/tmp/hsperfdata_USER), from Maven's JVM or any other the build and tests start.
MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow -XX:-UsePerfData"
export MAVEN_OPTS
