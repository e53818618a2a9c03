#!/bin/bash
# shellHook false: kvload is installed, no rc file mentions it.
set -e
source dev-container-features-test-lib
check "kvload starts" bash -c "kvload --version | grep -q '^kvload '"
check "no hook in bash.bashrc" bash -c "! grep -q 'kvload shell-hook' /etc/bash.bashrc"
reportResults
