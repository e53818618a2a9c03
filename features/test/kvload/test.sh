#!/bin/bash
# The Feature's default scenario (devcontainer features test --project-folder features): kvload is
# installed with its own runtime, runs without any Java in the image, and the hook is in the rc files.
# KVLOAD_PREFIX and KVLOAD_ETC move it for kvload's own FeatureInstallIT, which runs this too.
set -e
source dev-container-features-test-lib
prefix=${KVLOAD_PREFIX:-/usr/local}
etc=${KVLOAD_ETC:-/etc}

check "kvload starts" bash -c "'$prefix/bin/kvload' --version | grep -q '^kvload '"
check "with its own Java runtime" test -x "$prefix/lib/kvload/runtime/bin/java"
check "and no other Java on PATH" bash -c '! command -v java'
check "validate works" bash -c "d=\$(mktemp -d) && trap 'rm -rf \"\$d\"' EXIT && cd \"\$d\" && echo '{\"vault\": \"contoso\", \"secrets\": {\"A\": \"a\"}}' > kvload.json && '$prefix/bin/kvload' validate"
check "the hook is in bash.bashrc, once" bash -c "[ \"\$(grep -c 'kvload shell-hook' '$etc/bash.bashrc')\" = 1 ]"

reportResults
