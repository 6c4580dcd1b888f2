#!/usr/bin/env bash
# Installs Debian's Chromium for the `serve_browser` test (headless page checks and a
# screenshot of ferret serve's queue and report pages). Idempotent; needs root (CI runs as root).
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
    chromium --version || true
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
chromium --version
