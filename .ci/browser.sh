#!/usr/bin/env bash
# Install Debian's chromium and its matching chromedriver for the report's
# browser test. Idempotent: does nothing when both are already present.
# CI runs as root; elsewhere sudo is used when available.
set -euo pipefail

if command -v chromium >/dev/null 2>&1 && [ -x /usr/bin/chromedriver ]; then
    echo "browser.sh: chromium and chromedriver already installed"
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "browser.sh: need root (or sudo) to install chromium" >&2
        exit 1
    fi
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends chromium chromium-driver
chromium --version
/usr/bin/chromedriver --version
