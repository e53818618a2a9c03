#!/bin/bash
# An image without curl, wget or Java: the Feature brings curl to download, kvload brings its runtime.
set -e
source dev-container-features-test-lib
check "kvload starts" bash -c "kvload --version | grep -q '^kvload '"
check "no Java besides kvload's" bash -c '! command -v java'
reportResults
