#!/usr/bin/env bash
# Install Virtuoso Open Source (Debian package `virtuoso-opensource`: virtuoso-t, isql-vt) for
# the tests of `rncp-graph push` against a second real triple store (tests/test_push.py, marker
# `virtuoso`), unless virtuoso-t is already there. Without it those tests are skipped, not
# failed. The tests start their own server on loopback over a temporary database; this script
# starts nothing. Needs root (CI runs as root) and the Debian package mirror.
#   usage: bash scripts/ensure-virtuoso.sh
set -euo pipefail

if command -v virtuoso-t >/dev/null && command -v isql-vt >/dev/null; then
    echo "virtuoso: $(virtuoso-t -? 2>&1 | sed -n 2p)"
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "ensure-virtuoso: virtuoso-t is missing and installing it needs root (apt-get)" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq virtuoso-opensource >/dev/null
virtuoso-t -? 2>&1 | sed -n 2p
