#!/usr/bin/env bash
# Installs Debian's Chromium for the browser test when it is missing (Playwright drives it; no
# browser download from the internet). Runs as root, or with passwordless sudo.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" -eq 0 ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else
  echo "Chromium is missing and cannot be installed without root: apt-get install chromium" >&2; exit 1; fi
echo "Installing Debian's chromium for the browser test (once)…" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >&2 || true
$SUDO apt-get install -y -qq --no-install-recommends chromium >&2
command -v chromium >/dev/null
