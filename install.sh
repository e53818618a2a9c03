#!/bin/sh
# Installs kvload (its own Java runtime included: no JDK needed) for one user:
#
#   curl -fsSL https://github.com/kvload/kvload/releases/latest/download/install.sh | sh
#   sh install.sh --version 0.2.0 --prefix "$HOME/tools"
#   sh install.sh --archive kvload-0.2.0-linux-x64.tar.gz      # offline, SHA256SUMS beside it
#
# Options:
#   --version X          a release (default: the latest)
#   --prefix DIR         install into DIR/lib/kvload, link DIR/bin/kvload (default: ~/.local)
#   --archive FILE       install this archive instead of downloading one...
#   --sums FILE          ...checked against this SHA256SUMS (default: SHA256SUMS beside FILE)
#   --url URL --sha256 HEX   download the archive from a mirror (https only), checked against HEX
#   --repo OWNER/NAME    the GitHub repository of the releases (default: kvload/kvload)
#   --releases URL       a mirror of the releases' layout (https only; default:
#                        https://github.com/OWNER/NAME/releases): URL/latest/download/SHA256SUMS,
#                        URL/download/vX.Y.Z/...
#   --allow-root         install as root (refused otherwise: kvload is installed per user)
#   --print-version      print the version that would be installed (latest resolved), and stop
#
# Every archive's SHA-256 is checked before anything is unpacked: against the release's SHA256SUMS
# (downloaded over https from the same release), the local SHA256SUMS, or --sha256. Without a
# digest to check, nothing is installed. Downloads are https only, redirects included.
set -eu

repo=kvload/kvload
version=latest
prefix=
archive=
sums=
url=
sha256=
releases=
allow_root=no
print_version=no

fail() {
  echo "kvload install: $*" >&2
  exit 1
}

while [ $# -gt 0 ]; do
  case $1 in
    --version | --prefix | --archive | --sums | --url | --sha256 | --repo | --releases)
      [ $# -ge 2 ] || fail "$1 needs a value"
      case $1 in
        --version) version=${2#v} ;;
        --prefix) prefix=$2 ;;
        --archive) archive=$2 ;;
        --sums) sums=$2 ;;
        --url) url=$2 ;;
        --sha256) sha256=$2 ;;
        --repo) repo=$2 ;;
        --releases) releases=${2%/} ;;
      esac
      shift 2
      ;;
    --allow-root) allow_root=yes; shift ;;
    --print-version) print_version=yes; shift ;;
    -h | --help) sed -n '2,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) fail "unknown option '$1' (see --help)" ;;
  esac
done

if [ "$(id -u)" -eq 0 ] && [ $allow_root = no ] && [ $print_version = no ]; then
  fail "refusing to install as root: kvload is installed per user under ~/.local." \
    "Run this as the user who will use it, or pass --allow-root (e.g. with --prefix /usr/local)."
fi
if [ -z "$prefix" ]; then
  [ -n "${HOME:-}" ] || fail "HOME is not set: pass --prefix DIR"
  prefix=$HOME/.local
fi
case $repo in */*) ;; *) fail "--repo needs OWNER/NAME, not '$repo'" ;; esac

case $(uname -s) in
  Linux) os=linux ;;
  Darwin) os=macos ;;
  *) fail "no kvload archive for $(uname -s); on other systems build it from source (mvn package)" ;;
esac
case $(uname -m) in
  x86_64 | amd64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) fail "no kvload archive for $(uname -m) processors" ;;
esac
platform=$os-$arch

digest() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d' ' -f1
  elif command -v shasum >/dev/null 2>&1; then
    shasum -a 256 "$1" | cut -d' ' -f1
  else
    fail "needs sha256sum or shasum to check the archive"
  fi
}

# https only, for the first request and every redirect.
download() {
  case $1 in https://*) ;; *) fail "refusing $1: downloads are https only" ;; esac
  if command -v curl >/dev/null 2>&1; then
    curl -fsSL --proto '=https' --proto-redir '=https' --retry 3 -o "$2" "$1" ||
      fail "cannot download $1"
  elif command -v wget >/dev/null 2>&1; then
    wget_https "$1" "$2" || fail "cannot download $1 (https only, redirects included)"
  else
    fail "needs curl or wget to download kvload"
  fi
}

# wget URL FILE, https only. wget (1.21) follows a redirect to http:// even with --https-only, so
# it is told to follow none, and each Location is checked here before it is asked for.
wget_https() {
  next=$1
  hops=0
  while :; do
    case $next in
      https://*) ;;
      *) echo "kvload install: not following $next: not https" >&2; return 1 ;;
    esac
    if wget -nv -S --max-redirect=0 -O "$2" "$next" 2>"$work/wget.log"; then return 0; fi
    location=$(sed -n 's/^ *[Ll]ocation: *//p' "$work/wget.log" | tr -d '\r' | sed '$!d')
    hops=$((hops + 1))
    if [ -z "$location" ] || [ $hops -gt 10 ]; then
      cat "$work/wget.log" >&2
      return 1
    fi
    case $location in
      /*) next=$(printf '%s' "$next" | sed 's#^\(https://[^/]*\).*#\1#')$location ;;
      *) next=$location ;;
    esac
  done
}

work=$(mktemp -d "${TMPDIR:-/tmp}/kvload-install.XXXXXX")
stage=
trap 'rm -rf "$work" ${stage:+"$stage"}' EXIT
trap 'exit 130' INT TERM

# Where the archive comes from, and the digest it must have.
if [ -n "$archive" ]; then
  [ -z "$url" ] || fail "--archive and --url: pick one"
  [ -f "$archive" ] || fail "no archive at $archive"
  sums=${sums:-$(dirname "$archive")/SHA256SUMS}
  [ -f "$sums" ] || fail "no SHA256SUMS at $sums: the archive cannot be checked, so nothing was installed"
  name=$(basename "$archive")
elif [ -n "$url" ]; then
  [ -n "$sha256" ] || fail "--url needs --sha256: a download is never installed unchecked"
  name=${url##*/}
  archive=$work/$name
  [ $print_version = yes ] || download "$url" "$archive"
else
  release=${releases:-https://github.com/$repo/releases}
  if [ "$version" = latest ]; then
    download "$release/latest/download/SHA256SUMS" "$work/SHA256SUMS"
    name=$(sed -n "s/^[0-9a-fA-F]\{64\} [ *]\(kvload-[^ ]*-$platform\.tar\.gz\)$/\1/p" "$work/SHA256SUMS" | head -n 1)
    [ -n "$name" ] || fail "the latest release has no archive for $platform"
    version=${name#kvload-}
    version=${version%-"$platform".tar.gz}
  else
    # A pinned version is known without asking GitHub (the Action keys its cache on it).
    if [ $print_version = yes ]; then echo "$version"; exit 0; fi
    download "$release/download/v$version/SHA256SUMS" "$work/SHA256SUMS"
    name=kvload-$version-$platform.tar.gz
  fi
  sums=$work/SHA256SUMS
  archive=$work/$name
  [ $print_version = yes ] || download "$release/download/v$version/$name" "$archive"
fi

case $name in
  kvload-"$version"-"$platform".tar.gz | kvload-*-"$platform".tar.gz)
    [ "$version" = latest ] || [ "$name" = "kvload-$version-$platform.tar.gz" ] ||
      fail "$name is not version $version"
    ;;
  kvload-*.tar.gz) fail "$name is not for this machine ($platform)" ;;
  *) fail "$name is not a kvload archive (kvload-VERSION-$platform.tar.gz)" ;;
esac
if [ $print_version = yes ]; then
  version=${name#kvload-}
  echo "${version%-"$platform".tar.gz}"
  exit 0
fi
if [ -z "$sha256" ]; then
  # The line naming this archive exactly, in either of sha256sum's forms ("HEX  NAME", "HEX *NAME").
  sha256=$(awk -v n="$name" '$2 == n || $2 == "*" n { print $1 }' "$sums")
  [ -n "$sha256" ] || fail "$sums has no line for $name: nothing was installed"
  [ "$(printf '%s\n' "$sha256" | wc -l)" -eq 1 ] || fail "$sums names $name twice: nothing was installed"
fi
case $sha256 in
  *[!0-9a-fA-F]*) fail "'$sha256' is not a SHA-256 (64 hex digits): nothing was installed" ;;
esac
[ ${#sha256} -eq 64 ] || fail "'$sha256' is not a SHA-256 (64 hex digits): nothing was installed"
expected=$(printf '%s' "$sha256" | tr 'A-F' 'a-f')
actual=$(digest "$archive")
[ -n "$actual" ] || fail "cannot compute the SHA-256 of $name: nothing was installed"
[ "$actual" = "$expected" ] || fail "$name has SHA-256 $actual, not the expected $expected: nothing was installed"

# Unpack beside the destination, then swap it in: a failed unpack leaves the old install as it was.
lib=$prefix/lib
mkdir -p "$lib" "$prefix/bin"
if [ -e "$lib/kvload" ] && [ ! -f "$lib/kvload/bin/kvload" ]; then
  fail "$lib/kvload exists and is not a kvload install: move it away, or pick another --prefix"
fi
stage=$(mktemp -d "$lib/.kvload-new.XXXXXX")
# Owned by whoever installs, not by the uid that built the archive (tar as root would keep it).
tar --no-same-owner -xzf "$archive" -C "$stage" || fail "cannot unpack $name"
top=${name%.tar.gz}
if [ ! -x "$stage/$top/bin/kvload" ] || [ ! -x "$stage/$top/runtime/bin/java" ]; then
  fail "$name does not hold $top/bin/kvload and its runtime: nothing was installed"
fi
if [ -e "$lib/kvload" ]; then
  mv "$lib/kvload" "$stage/old"
fi
mv "$stage/$top" "$lib/kvload"
ln -sf "$lib/kvload/bin/kvload" "$prefix/bin/kvload"

installed=$("$prefix/bin/kvload" --version 2>&1) || fail "the installed kvload does not start: $installed"
echo "kvload install: $installed installed in $lib/kvload, linked as $prefix/bin/kvload"
case ":${PATH:-}:" in
  *":$prefix/bin:"*) ;;
  *) echo "kvload install: $prefix/bin is not on your PATH; add it, e.g.: echo 'export PATH=\"$prefix/bin:\$PATH\"' >> ~/.profile" ;;
esac
