#!/bin/sh
# Installs kvload into a dev container image (a Dev Container Feature's install script; runs as root
# at image build time). Java 25 must be there when kvload runs, not now: the java feature installs
# before this one when both are listed.
#
# The jar comes from this folder (kvload.jar, put here with the launcher by kvload's
# scripts/package-feature) or, when the jarUrl option is set, from that https:// URL, which must come
# with jarSha256: a download is installed only when its SHA-256 matches. There are no published
# kvload releases to download by default.
#
# Options arrive as environment variables: JARURL, JARSHA256, SHELLHOOK. KVLOAD_PREFIX (default
# /usr/local) and KVLOAD_ETC (default /etc) move the install and the rc files, for tests.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
prefix=${KVLOAD_PREFIX:-/usr/local}
etc=${KVLOAD_ETC:-/etc}
jar_url=${JARURL:-}
jar_sha256=${JARSHA256:-}
shell_hook=${SHELLHOOK:-true}

fail() {
  echo "kvload feature: $*" >&2
  exit 1
}

[ -f "$here/kvload" ] || fail "no launcher ($here/kvload): package the feature with kvload's scripts/package-feature"

# wget URL FILE, https only. wget (1.21) follows a redirect to http:// even with --https-only, so
# it is told to follow none, and each Location is checked here before it is asked for.
wget_https() {
  url=$1
  hops=0
  while :; do
    case $url in
      https://*) ;;
      *) echo "kvload feature: not following $url: not https" >&2; return 1 ;;
    esac
    if wget -nv -S --max-redirect=0 -O "$2" "$url" 2>"$work/wget.log"; then return 0; fi
    location=$(sed -n 's/^ *[Ll]ocation: *//p' "$work/wget.log" | tr -d '\r' | tail -n 1)
    hops=$((hops + 1))
    if [ -z "$location" ] || [ $hops -gt 10 ]; then
      cat "$work/wget.log" >&2
      return 1
    fi
    case $location in
      /*) url=$(printf '%s' "$url" | sed 's#^\(https://[^/]*\).*#\1#')$location ;;
      *) url=$location ;;
    esac
  done
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# A download is https from end to end (no redirect to http, no other scheme) and checked against
# the SHA-256 it must have, given in either case; nothing is installed otherwise.
if [ -n "$jar_url" ]; then
  case $jar_url in
    https://*) ;;
    *) fail "jarUrl must be an https:// URL, not $jar_url; nothing installed" ;;
  esac
  expected=$(printf '%s' "$jar_sha256" | tr 'ABCDEF' 'abcdef')
  case $expected in
    *[!0-9a-f]*) fail "jarSha256 '$jar_sha256' is not a SHA-256 (64 hex digits); nothing installed" ;;
  esac
  [ ${#expected} -eq 64 ] ||
    fail "jarUrl needs jarSha256, the SHA-256 of the jar (64 hex digits, e.g. from sha256sum); nothing installed"
  echo "kvload feature: downloading $jar_url"
  if command -v curl >/dev/null 2>&1; then
    curl -fsSL --proto =https --proto-redir =https -o "$work/kvload.jar" "$jar_url" ||
      fail "cannot download $jar_url (https only, redirects included); nothing installed"
  elif command -v wget >/dev/null 2>&1; then
    wget_https "$jar_url" "$work/kvload.jar" ||
      fail "cannot download $jar_url (https only, redirects included); nothing installed"
  else
    fail "jarUrl needs curl or wget in the image"
  fi
  actual=$(sha256sum "$work/kvload.jar" | cut -d' ' -f1)
  [ "$actual" = "$expected" ] || fail "$jar_url has SHA-256 $actual, not the expected $expected; nothing installed"
  jar=$work/kvload.jar
elif [ -f "$here/kvload.jar" ]; then
  jar=$here/kvload.jar
else
  fail "no kvload.jar next to install.sh and no jarUrl option: package the feature with scripts/package-feature, or set jarUrl"
fi

# The launcher finds the jar at ../lib/kvload.jar from its own (symlink-resolved) place.
home=$prefix/lib/kvload
mkdir -p "$home/bin" "$home/lib" "$prefix/bin"
cp "$jar" "$home/lib/kvload.jar.new"
mv "$home/lib/kvload.jar.new" "$home/lib/kvload.jar"
cp "$here/kvload" "$home/bin/kvload"
chmod 0644 "$home/lib/kvload.jar"
chmod 0755 "$home/bin/kvload"
ln -sf "$home/bin/kvload" "$prefix/bin/kvload"
echo "kvload feature: installed $prefix/bin/kvload"

if [ "$shell_hook" = "true" ]; then
  # The hook line finds the env file itself in each terminal, so one line serves every user.
  if hook=$("$prefix/bin/kvload" shell-hook bash 2>/dev/null); then
    for rc in "$etc/bash.bashrc" "$etc/zsh/zshrc"; do
      [ -f "$rc" ] || continue
      grep -qs 'kvload shell-hook' "$rc" || printf '%s\n' "$hook" >>"$rc"
      echo "kvload feature: $rc sources kvload's env file in new terminals"
    done
  else
    echo "kvload feature: warning: kvload cannot run yet (no Java 25?), so no shell hook was added;" \
      "add the java feature with version 25, or run: kvload shell-hook bash >> ~/.bashrc" >&2
  fi
fi

if ! "$prefix/bin/kvload" --version >/dev/null 2>&1; then
  echo "kvload feature: warning: kvload needs Java 25 at run time, and none was found now;" \
    "add ghcr.io/devcontainers/features/java with version 25" >&2
fi
