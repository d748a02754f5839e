#!/usr/bin/env bash
# Installs the Tauri CLI (npm @tauri-apps/cli, a prebuilt binary: seconds)
# into packaging/node_modules when missing or older than the lock file.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../packaging"
if [ ! -x node_modules/.bin/tauri ] || [ package.json -nt node_modules ] || [ package-lock.json -nt node_modules ]; then
    npm ci --no-audit --no-fund
    touch node_modules
fi
