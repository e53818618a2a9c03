#!/bin/sh
# Installs kvload into a dev container image (a Dev Container Feature's install script; runs as root
# at image build time). kvload's archive brings its own Java runtime: no Java feature is needed.
#
# The archive is, in this order:
#   - a kvload-*.tar.gz packaged next to this script with its SHA256SUMS (scripts/package-feature:
#     a local feature, for offline builds);
#   - the archiveUrl option's (https only), checked against archiveSha256, which is then required;
#   - the release of the version option (default latest) from the repository option's GitHub
#     releases, checked against that release's SHA256SUMS.
# kvload-install.sh (kvload's install.sh, copied here when the Feature is packaged or published)
# does the download, the check and the install; nothing is installed unchecked.
#
# Options arrive as environment variables: VERSION, SHELLHOOK, REPOSITORY, ARCHIVEURL,
# ARCHIVESHA256. KVLOAD_PREFIX (default /usr/local) and KVLOAD_ETC (default /etc) move the install
# and the rc files, for tests.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
prefix=${KVLOAD_PREFIX:-/usr/local}
etc=${KVLOAD_ETC:-/etc}
version=${VERSION:-latest}
repository=${REPOSITORY:-kvload/kvload}
archive_url=${ARCHIVEURL:-}
archive_sha256=${ARCHIVESHA256:-}
shell_hook=${SHELLHOOK:-true}

fail() {
  echo "kvload feature: $*" >&2
  exit 1
}

installer=$here/kvload-install.sh
[ -f "$installer" ] || fail "no $installer: package the Feature with kvload's scripts/package-feature"

local_archive=
for candidate in "$here"/kvload-*.tar.gz; do
  if [ -f "$candidate" ]; then local_archive=$candidate; fi
done

set -- --allow-root --prefix "$prefix"
if [ -n "$local_archive" ]; then
  set -- "$@" --archive "$local_archive" --sums "$here/SHA256SUMS"
elif [ -n "$archive_url" ]; then
  [ -n "$archive_sha256" ] || fail "archiveUrl needs archiveSha256: a download is never installed unchecked"
  set -- "$@" --url "$archive_url" --sha256 "$archive_sha256"
else
  set -- "$@" --version "$version" --repo "$repository"
fi
if [ -z "$local_archive" ] && ! command -v curl >/dev/null 2>&1 && ! command -v wget >/dev/null 2>&1; then
  # Slim images have neither; Debian and Ubuntu ones get curl (with the CA certificates for https).
  command -v apt-get >/dev/null 2>&1 || fail "needs curl or wget in the image to download kvload"
  apt-get update -y && apt-get install -y --no-install-recommends curl ca-certificates
fi
sh "$installer" "$@" || fail "kvload was not installed (see above)"

if [ "$shell_hook" = "true" ]; then
  # The hook line finds the env file itself in each terminal, so one line serves every user.
  hook=$("$prefix/bin/kvload" shell-hook bash) || fail "kvload shell-hook failed"
  for rc in "$etc/bash.bashrc" "$etc/zsh/zshrc"; do
    [ -f "$rc" ] || continue
    grep -qs 'kvload shell-hook' "$rc" || printf '%s\n' "$hook" >>"$rc"
    echo "kvload feature: $rc sources kvload's env file in new terminals"
  done
fi
