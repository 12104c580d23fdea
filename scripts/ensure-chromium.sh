#!/usr/bin/env bash
# Install headless Chromium (Debian package `chromium`) for the browser test of the ontology docs
# (tests/test_publish_docs.py, marker `browser`), unless /usr/bin/chromium is already there.
# Without it that test is skipped, not failed. Needs root (CI runs as root) and the Debian
# package mirror. `make test-browser` runs this script, then the test; `make test` does neither.
#   usage: bash scripts/ensure-chromium.sh
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
    echo "chromium: $(/usr/bin/chromium --version 2>/dev/null || echo present)"
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "ensure-chromium: /usr/bin/chromium is missing and installing it needs root (apt-get)" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium >/dev/null
/usr/bin/chromium --version
